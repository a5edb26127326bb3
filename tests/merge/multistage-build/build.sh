#!/bin/sh
set -e
# build the tool, copy it out, build the runtime image
docker image build --pull -t tool:build -f Dockerfile.build .
docker container create --name tool-extract tool:build
docker container cp tool-extract:/out/tool "$(pwd)/tool"
docker container rm tool-extract
docker image build -t tool:latest --build-arg BUSYBOX_TAG=1.36 .
rm -f "$(pwd)/tool"
