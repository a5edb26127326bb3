# escape=`
FROM rust:1.79
WORKDIR /src
COPY . .
RUN cargo build --release `
    && cargo test --release
CMD ["/src/target/release/tool"]
