# tag: erlang:25
# The official erlang images build OTP from source on buildpack-deps (compilers and
# headers included); this engine has no registry, so Debian's OTP 25 and rebar3 stand in,
# with the compilers the full image has.
FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends erlang-nox erlang-dev erlang-tools \
      erlang-src rebar3 build-essential \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["erl"]
