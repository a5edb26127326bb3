#!/bin/sh
# The project's own build: compile, install into /usr/local, put the config in /etc.
set -e
make
make install PREFIX=/usr/local
install -D -m 644 greet.json /etc/greet/greet.json
