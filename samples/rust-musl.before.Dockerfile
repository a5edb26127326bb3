FROM rust:1.79-bookworm
RUN rustup target add x86_64-unknown-linux-musl && apt-get update && apt-get install -y musl-tools
WORKDIR /app
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin fetcher
USER 1000
ENTRYPOINT ["/app/target/x86_64-unknown-linux-musl/release/fetcher"]
