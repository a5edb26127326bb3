#!/usr/bin/env bash
# Build the server in a throw-away image, pack it, and build the runtime image around it.
set -euo pipefail
IMAGE=example/server

docker build -t "$IMAGE:build" -f Dockerfile.build .

id=$(docker create "$IMAGE:build")
mkdir -p dist
docker cp "$id":/out/bin/server dist/server
docker cp "$id:/out/share/web" dist/web
docker rm -f "$id"

tar -C dist -czf release.tar.gz server web -C .. LICENSE
docker build -t "$IMAGE:latest" --label "org.opencontainers.image.title=server" .
rm -rf dist release.tar.gz
