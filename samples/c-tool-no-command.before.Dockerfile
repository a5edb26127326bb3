FROM debian:bookworm

RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make libjansson-dev && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN ./build.sh

# No command: a tool image, run as `docker run IMAGE greet`.
