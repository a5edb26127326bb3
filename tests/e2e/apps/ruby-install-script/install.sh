#!/bin/sh
# The build hides in a script: the sqlite headers, the gem's C extension, the command.
set -e
apt-get update
apt-get install -y --no-install-recommends libsqlite3-dev
rm -rf /var/lib/apt/lists/*
cd /tmp/fastsum && gem build fastsum.gemspec && gem install --local fastsum-0.1.0.gem
printf '#!/usr/bin/env ruby\nrequire "fastsum"\nputs "fastsum #{Fastsum.sum([40, 2])} with sqlite #{Fastsum.sqlite_version}"\n' \
  > /usr/local/bin/fastsum-report
chmod +x /usr/local/bin/fastsum-report
