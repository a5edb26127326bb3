FROM debian:bookworm AS builder

RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake libssl-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
RUN cmake --build build -j"$(nproc)"
RUN cmake --install build
# Collect the shared libraries the program loads from /usr/local.
RUN mkdir -p /opt/runtime-libs \
    && ldd /usr/local/bin/tlsecho | awk '$3 ~ "^/usr/local/" {print $3}' \
     | xargs -r cp -L -t /opt/runtime-libs

# Runtime: the program links glibc dynamically, so the base keeps glibc,
# plus the run-time libraries of the -dev packages the build used.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
EXPOSE 4433
STOPSIGNAL SIGINT
ENV LD_LIBRARY_PATH=/usr/local/lib
COPY --from=builder /usr/local/bin/tlsecho /usr/local/bin/tlsecho
COPY --from=builder /opt/runtime-libs/ /usr/local/lib/
USER 65534:65534
CMD ["tlsecho", "--port", "4433"]
