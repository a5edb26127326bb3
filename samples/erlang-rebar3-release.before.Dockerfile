# An Erlang service built as a release with rebar3 on the full erlang image: compilers,
# sources, dependencies and rebar3's caches all ship with it.
FROM erlang:26

WORKDIR /src
COPY rebar.config rebar.lock ./
RUN rebar3 compile
COPY . .
RUN rebar3 as prod release

EXPOSE 8080
CMD ["/src/_build/prod/rel/shortener/bin/shortener", "foreground"]
