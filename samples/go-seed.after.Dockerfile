# The href-counter example that multi-stage builds were made for:
# one image that compiles and ships the Go toolchain.
FROM golang:1.7.3 AS builder
WORKDIR /go/src/github.com/alexellis/href-counter/
COPY app.go .
RUN go get -d -v golang.org/x/net/html
RUN CGO_ENABLED=0 GOOS=linux go build -a -installsuffix cgo -o app .
# Symbols are not needed at run time.
RUN strip /go/src/github.com/alexellis/href-counter/app
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /go/src/github.com/alexellis/href-counter/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache /tmp/dslim/app/app \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# Find out which programs the app's own code runs (a quoted command name in its
# sources, exec.Command in Go, or a dependency that runs one, like mini_magick):
# alpine's packages of them go in the runtime stage.
RUN set -e; mkdir -p /tmp/dslim; : > /tmp/dslim/runs; : > /tmp/dslim/sources; \
    find /go/src/github.com/alexellis/href-counter \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.go' -o -name '*.rs' \) -print 2>/dev/null \
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

# Runtime: a static Go binary needs no libc, only what is copied below.
FROM alpine:3.20
COPY --from=builder /tmp/dslim/tools /tmp/dslim/tools
RUN set -- ca-certificates $(cat /tmp/dslim/tools); rm -rf /tmp/dslim; \
    [ "$#" -eq 0 ] || apk add --no-cache "$@"
WORKDIR /go/src/github.com/alexellis/href-counter/
COPY --from=builder /tmp/dslim/app /go/src/github.com/alexellis/href-counter
COPY --from=builder /go/src/github.com/alexellis/href-counter/app /go/src/github.com/alexellis/href-counter/app
CMD ["./app"]
