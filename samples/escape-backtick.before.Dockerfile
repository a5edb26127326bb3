# escape=`
FROM rust:1.79-bookworm
WORKDIR /src
COPY . .
RUN cargo build --release `
    && cargo test --release
CMD ["/src/target/release/tool"]
