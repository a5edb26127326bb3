# Builds and removes its toolchain in the same RUN: the layer keeps only the program, so a
# builder stage has nothing build-only to keep.
FROM alpine:3.19
RUN apk add --no-cache --virtual .build-deps gcc make musl-dev \
    && wget -O /tmp/src.tar.gz https://example.com/tally-1.2.tar.gz \
    && tar -xzf /tmp/src.tar.gz -C /tmp \
    && make -C /tmp/tally-1.2 install PREFIX=/usr/local \
    && rm -rf /tmp/src.tar.gz /tmp/tally-1.2 \
    && apk del .build-deps
CMD ["tally"]
