FROM rust:1.79 AS builder

WORKDIR /usr/src/wordfreq
COPY . .

RUN cargo build --release --bin wordfreq
RUN cargo test --release
# Symbols are not needed at run time.
RUN strip /usr/src/wordfreq/target/release/wordfreq

# Runtime: cargo's gnu target links glibc dynamically, so the base keeps glibc.
FROM gcr.io/distroless/cc-debian12
WORKDIR /usr/src/wordfreq
LABEL org.opencontainers.image.title="wordfreq"
COPY --from=builder /usr/src/wordfreq/target/release/wordfreq /usr/src/wordfreq/target/release/wordfreq
ENTRYPOINT ["/usr/src/wordfreq/target/release/wordfreq"]
CMD ["--help"]
