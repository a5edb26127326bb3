# A project whose own build script compiles, installs into /usr/local and writes a config
# file to /etc: no table names its output, so the builder finds it.
FROM debian:bookworm

RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make libjansson-dev && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN ./build.sh

CMD ["greet"]
