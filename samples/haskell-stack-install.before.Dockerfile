# stack builds and installs the program into ~/.local/bin, on a haskell tag that does not
# name its Debian release.
FROM haskell:8

RUN apt-get update && apt-get install -y --no-install-recommends libpcre3-dev
WORKDIR /src
COPY stack.yaml package.yaml ./
RUN stack setup && stack build --only-dependencies
COPY . .
RUN stack install

CMD ["duckling-server"]
