FROM rust:1.79-bookworm AS builder

WORKDIR /usr/src/wordfreq
COPY . .

RUN cargo build --release --bin wordfreq
RUN cargo test --release
# Symbols are not needed at run time.
RUN strip /usr/src/wordfreq/target/release/wordfreq
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /usr/src/wordfreq/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# The runtime is distroless/cc: check that the program links nothing else.
RUN extra=$(ldd /usr/src/wordfreq/target/release/wordfreq 2>/dev/null | grep '=>' | grep -v -e linux-vdso -e ld-linux -e libc.so -e libm.so -e libpthread.so -e libdl.so -e librt.so -e libresolv.so -e libutil.so -e libgcc_s.so -e libstdc++.so -e libgomp.so -e libssl.so -e libcrypto.so || :); \
    [ -z "$extra" ] || { echo "dockerslim: the program links libraries distroless/cc lacks: $extra; pass --runtime slim" >&2; exit 1; }

# Runtime: cargo's gnu target links glibc dynamically, so the base keeps glibc.
FROM gcr.io/distroless/cc-debian12
WORKDIR /usr/src/wordfreq
LABEL org.opencontainers.image.title="wordfreq"
COPY --from=builder /tmp/dslim/app /usr/src/wordfreq
COPY --from=builder /usr/src/wordfreq/target/release/wordfreq /usr/src/wordfreq/target/release/wordfreq
ENTRYPOINT ["/usr/src/wordfreq/target/release/wordfreq"]
CMD ["--help"]
