# tag: elixir:1.14
# The official elixir images add Elixir to the erlang images (buildpack-deps, compilers
# included); this engine has no registry, so Debian's Elixir 1.14 on OTP 25 stands in,
# with the compilers the full image has.
FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends elixir erlang-dev erlang-src build-essential \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["iex"]
