# tag: elixir:1.14-slim
# The official slim image: the same Elixir and OTP on Debian's slim image, no compilers.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends elixir \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["iex"]
