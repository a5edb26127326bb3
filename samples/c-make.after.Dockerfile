FROM gcc:13 AS builder

RUN apt-get update
RUN apt-get install -y zlib1g-dev gdb

WORKDIR /usr/src/crc32sum
COPY . .
RUN make
RUN make install
# Symbols are not needed at run time.
RUN strip /usr/local/bin/crc32sum
# Collect the shared libraries the program loads from /usr/local.
RUN mkdir -p /opt/runtime-libs \
    && ldd /usr/local/bin/crc32sum | awk '$3 ~ "^/usr/local/" {print $3}' \
     | xargs -r cp -L -t /opt/runtime-libs

# Runtime: the program links glibc dynamically, so the base keeps it.
FROM gcr.io/distroless/cc-debian12
WORKDIR /usr/src/crc32sum
ENV LD_LIBRARY_PATH=/usr/local/lib
COPY --from=builder /usr/local/bin/crc32sum /usr/local/bin/crc32sum
COPY --from=builder /opt/runtime-libs/ /usr/local/lib/
USER 65534:65534
ENTRYPOINT ["crc32sum"]
