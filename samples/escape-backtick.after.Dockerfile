# escape=`
FROM rust:1.79-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release
RUN cargo test --release
# Symbols are not needed at run time.
RUN strip /src/target/release/tool
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /src/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache `
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# The runtime is distroless/cc: check that the program links nothing else.
RUN extra=$(ldd /src/target/release/tool 2>/dev/null | grep '=>' | grep -v -e linux-vdso -e ld-linux -e libc.so -e libm.so -e libpthread.so -e libdl.so -e librt.so -e libresolv.so -e libutil.so -e libgcc_s.so -e libstdc++.so -e libgomp.so -e libssl.so -e libcrypto.so || :); `
    [ -z "$extra" ] || { echo "dockerslim: the program links libraries distroless/cc lacks: $extra; pass --runtime slim" >&2; exit 1; }

# Runtime: cargo's gnu target links glibc dynamically, so the base keeps glibc.
FROM gcr.io/distroless/cc-debian12
WORKDIR /src
COPY --from=builder /tmp/dslim/app /src
COPY --from=builder /src/target/release/tool /src/target/release/tool
CMD ["/src/target/release/tool"]
