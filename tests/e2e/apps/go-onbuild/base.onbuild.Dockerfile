# tag: golang:1.19-gopath-bookworm-onbuild
# The golang -onbuild template: the context is copied, fetched and installed in ONBUILD
# triggers, and the image's command is go-wrapper run.
FROM golang:1.19-gopath-bookworm

RUN mkdir -p /go/src/app
WORKDIR /go/src/app

CMD ["go-wrapper", "run"]

ONBUILD COPY . /go/src/app
ONBUILD RUN go-wrapper download
ONBUILD RUN go-wrapper install
