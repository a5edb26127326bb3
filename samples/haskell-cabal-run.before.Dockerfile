# A Haskell web service that cabal builds, then checks and starts again each time the
# container starts: GHC, cabal and the whole build tree ship in the image.
FROM haskell:9.2.8-slim-buster

WORKDIR /opt/
RUN cabal update
ADD . .
RUN cabal build

ENV HOST="0.0.0.0"
EXPOSE 8080
ENTRYPOINT ["cabal", "run", "stacker", "--", "--port", "8080"]
