#!/bin/sh
# The release layout: the jar in dist/, its settings in conf/.
exec java -cp "dist/app.jar:conf" demo.Main "$@"
