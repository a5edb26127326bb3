# escape=`
FROM rust:1.79 AS builder
WORKDIR /src
COPY . .
RUN cargo build --release
RUN cargo test --release
# Symbols are not needed at run time.
RUN strip /src/target/release/tool

# Runtime: cargo's gnu target links glibc dynamically, so the base keeps glibc.
FROM gcr.io/distroless/cc-debian12
WORKDIR /src
COPY --from=builder /src/target/release/tool /src/target/release/tool
CMD ["/src/target/release/tool"]
