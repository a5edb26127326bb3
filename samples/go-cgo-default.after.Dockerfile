FROM golang:1.22-bookworm AS builder
ENV CGO_ENABLED=0

RUN apt-get update && apt-get install -y git make

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .

# A default build: cgo is on in the golang images, so net links glibc.
RUN go build -o /usr/local/bin/api ./cmd/api
# Symbols are not needed at run time.
RUN strip /usr/local/bin/api

ENV PORT=8080
# The static build (CGO_ENABLED=0) leaves out or stubs every package that needs cgo:
# fail here, rather than ship a program that breaks when it starts, if one is used.
RUN command -v go >/dev/null || echo "dockerslim: go was removed by the build, so the cgo check cannot run" >&2; \
    cgo=$({ (cd /src && CGO_ENABLED=1 go list -f '{{.ImportPath}}{{"\n"}}{{join .Deps "\n"}}' ./cmd/api 2>/dev/null); } | sort -u | grep . \
      | xargs -r env CGO_ENABLED=1 go list -f '{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}' 2>/dev/null) || :; \
    if [ -n "$cgo" ]; then echo "dockerslim: $(echo $cgo) need cgo, which the static build turns off; rewrite with --linkage dynamic to keep it" >&2; exit 1; fi
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /src/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache /tmp/dslim/app/api \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# Find out which programs the app's own code runs (a quoted command name in its
# sources, exec.Command in Go, or a dependency that runs one, like mini_magick):
# alpine's packages of them go in the runtime stage.
RUN set -e; mkdir -p /tmp/dslim; : > /tmp/dslim/runs; : > /tmp/dslim/sources; \
    find /src \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.go' -o -name '*.rs' \) -print 2>/dev/null \
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
WORKDIR /src
ENV PORT=8080
EXPOSE 8080
COPY --from=builder /tmp/dslim/app /src
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
HEALTHCHECK --interval=30s CMD ["api", "-healthcheck"]
ENTRYPOINT ["api"]
