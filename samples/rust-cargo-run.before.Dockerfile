# A web service started the way the README says: `cargo run --release`.
FROM rust:1.79-bookworm

WORKDIR /usr/src/server
COPY . .

RUN cargo build --release

EXPOSE 8000
CMD ["cargo", "run", "--release", "--bin", "server", "--", "--listen", "0.0.0.0:8000"]
