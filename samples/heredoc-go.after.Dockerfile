# syntax=docker/dockerfile:1
FROM golang:1.22 AS builder
WORKDIR /src
COPY . .
RUN <<EOF
set -e
go vet ./...
CGO_ENABLED=0 go build -o /bin/server ./cmd/server
EOF
# Symbols are not needed at run time.
RUN strip /bin/server
COPY <<-EOT /etc/server.conf
	listen=:9000
	EOT
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /src/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache /tmp/dslim/app/server \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete

# Runtime: a static Go binary needs no libc, only what is copied below.
FROM alpine:3.20
RUN apk --no-cache add ca-certificates
WORKDIR /src
COPY <<-EOT /etc/server.conf
	listen=:9000
	EOT
EXPOSE 9000
COPY --from=builder /tmp/dslim/app /src
COPY --from=builder /bin/server /bin/server
ENTRYPOINT ["/bin/server", "-config", "/etc/server.conf"]
