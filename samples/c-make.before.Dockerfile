FROM gcc:13-bookworm

RUN apt-get update
RUN apt-get install -y zlib1g-dev gdb

WORKDIR /usr/src/crc32sum
COPY . .
RUN make && make install

ENTRYPOINT ["crc32sum"]
