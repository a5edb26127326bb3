# An Elixir service built as a mix release on the full elixir image: the release bundles
# its runtime system, yet compilers, sources and dependencies ship with it.
FROM elixir:1.16

ENV MIX_ENV=prod
WORKDIR /app
RUN mix local.hex --force && mix local.rebar --force
COPY mix.exs mix.lock ./
RUN mix deps.get --only prod && mix deps.compile
COPY . .
RUN mix compile && mix release

EXPOSE 4000
CMD ["/app/_build/prod/rel/shop/bin/shop", "start"]
