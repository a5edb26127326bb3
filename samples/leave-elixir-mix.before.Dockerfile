# An Elixir app built with mix on the full image, with rustup for its native extensions:
# DSR001 reports the toolchain left in the image, but there is no rewrite for mix builds
# without a release (`mix release`), so the file is left as it is.
FROM elixir:1.16-alpine

RUN apk add --no-cache build-base git curl nodejs npm
RUN curl -sSf https://sh.rustup.rs | sh -s -- -y
ENV PATH="/root/.cargo/bin:${PATH}" MIX_ENV=prod

WORKDIR /app
COPY mix.exs mix.lock ./
RUN mix do deps.get, deps.compile
COPY . .
RUN mix compile && mix phx.digest

EXPOSE 4000
