FROM ubuntu:22.04 AS builder
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/src/lz
COPY . .
RUN make
RUN make install PREFIX=/usr/local
# Collect the shared libraries the program loads from /usr/local.
RUN mkdir -p /opt/runtime-libs \
    && ldd /usr/local/bin/lzpack | awk '$3 ~ "^/usr/local/" {print $3}' \
     | xargs -r cp -L -t /opt/runtime-libs

# Runtime: only what `make install` put in place; the build tools stay in the builder.
FROM ubuntu:22.04
WORKDIR /opt/src/lz
ENV LD_LIBRARY_PATH=/usr/local/lib
COPY --from=builder /usr/local/bin/lzpack /usr/local/bin/lzpack
COPY --from=builder /opt/runtime-libs/ /usr/local/lib/
USER 65534:65534
ENTRYPOINT ["lzpack"]
