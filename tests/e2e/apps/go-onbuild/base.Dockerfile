# tag: golang:1.19-gopath-bookworm
# The golang images of the -onbuild years (Go 1.4 to 1.9) built in GOPATH mode and shipped
# go-wrapper. This engine's Go 1.19 stands in, in GOPATH mode, with a go-wrapper that does
# what theirs did, under a tag no other app uses.
FROM golang:1.19
ENV GO111MODULE=off
COPY go-wrapper /usr/local/bin/go-wrapper
