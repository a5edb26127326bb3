# tag: haskell:9.0-slim-bookworm
# The official haskell images install GHC and cabal-install from upstream's binaries; this
# engine has no registry, so Debian's GHC 9.0 and cabal-install 3.4 stand in, under the
# official image's naming (the release in the tag; slim still carries GHC and cabal).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ghc cabal-install libgmp-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
# No package server is reachable here: cabal's configuration names no repository, so a
# project that needs only GHC's own packages builds without an index.
RUN mkdir -p /root/.cabal && printf 'jobs: $ncpus\n' > /root/.cabal/config
# The official images install GHC under /opt/ghc/<version>; 40 MB of noise stands in for
# it there, so that a rewrite that copied the folder whole would show in the image's size.
RUN mkdir -p /opt/ghc/9.0.2/share \
    && head -c 40000000 /dev/urandom > /opt/ghc/9.0.2/share/stand-in.bin
ENV LANG=C.UTF-8 PATH=/root/.cabal/bin:/root/.local/bin:/opt/ghc/9.0.2/bin:$PATH
CMD ["ghci"]
