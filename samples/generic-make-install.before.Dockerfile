FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/src/lz
COPY . .
RUN make && make install PREFIX=/usr/local
ENTRYPOINT ["lzpack"]
