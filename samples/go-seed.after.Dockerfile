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
RUN mkdir -p /tmp/dslim/app && cp -a /go/src/github.com/alexellis/href-counter/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete

# Runtime: a static Go binary needs no libc, only what is copied below.
FROM alpine:3.20
RUN apk --no-cache add ca-certificates
WORKDIR /go/src/github.com/alexellis/href-counter/
COPY --from=builder /tmp/dslim/app /go/src/github.com/alexellis/href-counter
COPY --from=builder /go/src/github.com/alexellis/href-counter/app /go/src/github.com/alexellis/href-counter/app
CMD ["./app"]
