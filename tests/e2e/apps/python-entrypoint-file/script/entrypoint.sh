#!/bin/sh
# Starts the tool with the names it was given.
set -e
exec greet "$@"
