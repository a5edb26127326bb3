#!/bin/sh
# The tool's launcher: the jar beside it, on the java of PATH.
here=$(dirname "$(readlink -f "$0")")
exec java -jar "$here/../lib/hello.jar" "$@"
