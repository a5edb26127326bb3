FROM debian:bookworm

RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
# A package file, as a vendor ships one: built here, installed with dpkg.
RUN dpkg-deb --build greeting-pkg greeting_1.0_all.deb && dpkg -i greeting_1.0_all.deb
RUN gcc -O2 -o /usr/local/bin/greet greet.c

CMD ["greet"]
