FROM rust:1.63-bookworm

# The sources, templates and all, at the root of the image; the program reads
# templates/ relative to it.
WORKDIR /
COPY . .
RUN cargo build --release
CMD ./target/release/rootweb
