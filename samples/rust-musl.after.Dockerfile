FROM rust:1.79-bookworm AS builder
RUN rustup target add x86_64-unknown-linux-musl
RUN apt-get update && apt-get install -y musl-tools
WORKDIR /app
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin fetcher
# Symbols are not needed at run time.
RUN strip /app/target/x86_64-unknown-linux-musl/release/fetcher
USER 1000
# The steps below read every file: they run as root.
USER root
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /app/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete

# Runtime: a static (musl) Rust binary needs no libc.
FROM alpine:3.20
RUN apk --no-cache add ca-certificates
WORKDIR /app
COPY --from=builder /tmp/dslim/app /app
COPY --from=builder /app/target/x86_64-unknown-linux-musl/release/fetcher /app/target/x86_64-unknown-linux-musl/release/fetcher
USER 1000
ENTRYPOINT ["/app/target/x86_64-unknown-linux-musl/release/fetcher"]
