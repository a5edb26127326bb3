FROM rust:1.79-bookworm AS builder
RUN rustup target add x86_64-unknown-linux-musl
RUN apt-get update && apt-get install -y musl-tools
WORKDIR /app
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin fetcher
# Symbols are not needed at run time.
RUN strip /app/target/x86_64-unknown-linux-musl/release/fetcher
USER 1000
# The steps below read every file: they run as root.
USER root
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /app/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache /tmp/dslim/app/target/x86_64-unknown-linux-musl/release/fetcher \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# Find out which programs the app's own code runs (a quoted command name in its
# sources, exec.Command in Go, or a dependency that runs one, like mini_magick):
# alpine's packages of them go in the runtime stage.
RUN set -e; mkdir -p /tmp/dslim; : > /tmp/dslim/runs; : > /tmp/dslim/sources; \
    find /app \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.go' -o -name '*.rs' \) -print 2>/dev/null \
      > /tmp/dslim/compiled || :; \
    while read -r f; do { tr '\n\r\t' '   ' < "$f"; echo; } 2>/dev/null || :; \
      done < /tmp/dslim/compiled > /tmp/dslim/calls; \
    for t in git hg svn curl wget ssh scp rsync unzip ffmpeg ffprobe; do \
      case $t in npm|yarn|pnpm|pip|pip3) z="([\"'$b]|[[:space:]]+(install|ci|i|add|rebuild|update)([[:space:]\"'$b]|\$))" ;; *) z="([\"' $b]|\$)" ;; esac; \
      if { grep -E "(exec[.]Command(Context)?[(]([^,()]*,[[:space:]]*)?|Command::new[(][[:space:]]*)\"$t\"" \
          /tmp/dslim/calls 2>/dev/null; } | head -n1 | grep -q .; \
      then echo "$t" >> /tmp/dslim/runs; fi; \
    done; \
    for t in $(sort -u /tmp/dslim/runs); do \
      c=$(command -v "$t" 2>/dev/null) || continue; \
      case "$t" in git) p=git ;; hg) p=mercurial ;; svn) p=subversion ;; curl) p=curl ;; wget) p=wget ;; ssh) p=openssh-client ;; scp) p=openssh-client ;; rsync) p=rsync ;; unzip) p=unzip ;; convert) p=imagemagick ;; identify) p=imagemagick ;; ffmpeg) p=ffmpeg ;; ffprobe) p=ffmpeg ;; file) p=file ;; *) continue ;; esac; \
      echo "$p" >> /tmp/dslim/tools; \
      echo "dockerslim: the app runs $t: alpine's $p goes in the runtime" >&2; \
    done; touch /tmp/dslim/tools; sort -u -o /tmp/dslim/tools /tmp/dslim/tools

# Runtime: a static (musl) Rust binary needs no libc.
FROM alpine:3.20
COPY --from=builder /tmp/dslim/tools /tmp/dslim/tools
RUN set -- ca-certificates $(cat /tmp/dslim/tools); rm -rf /tmp/dslim; \
    [ "$#" -eq 0 ] || apk add --no-cache "$@"
WORKDIR /app
COPY --from=builder /tmp/dslim/app /app
COPY --from=builder /app/target/x86_64-unknown-linux-musl/release/fetcher /app/target/x86_64-unknown-linux-musl/release/fetcher
USER 1000
ENTRYPOINT ["/app/target/x86_64-unknown-linux-musl/release/fetcher"]
