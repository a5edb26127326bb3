# A program that loads a library with dlopen: ldd does not list it, so the rewrite
# also looks for library names in the program's own strings.
FROM gcc:12-bookworm

RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY sqlver.c .
RUN gcc -O2 -o /usr/local/bin/sqlver sqlver.c -ldl

CMD ["sqlver"]
