FROM rust:1.79-bookworm

WORKDIR /usr/src/wordfreq
COPY . .

RUN cargo build --release --bin wordfreq && cargo test --release

LABEL org.opencontainers.image.title="wordfreq"
ENTRYPOINT ["/usr/src/wordfreq/target/release/wordfreq"]
CMD ["--help"]
