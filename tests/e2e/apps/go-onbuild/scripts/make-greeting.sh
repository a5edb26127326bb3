#!/bin/sh
# Writes the greeting the program reads at run time, as a build step would make a
# certificate or a config.
set -e
printf 'salut\n' > greeting.txt
