# tag: erlang:25-slim
# The official slim image: the same OTP on Debian's slim image, without compilers.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends erlang-nox \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["erl"]
