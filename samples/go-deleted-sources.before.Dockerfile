# The sources are copied in a layer of their own and deleted by the RUN that builds them:
# the COPY's layer still ships them. (gliderlabs/alpine's apk-install is `apk add`.)
FROM gliderlabs/alpine:3.4
ENTRYPOINT ["/bin/relay"]

COPY . /go/src/example.com/relay
RUN apk-install -t build-deps go git \
	&& cd /go/src/example.com/relay \
	&& export GOPATH=/go \
	&& go build -o /bin/relay \
	&& rm -rf /go \
	&& apk del --purge build-deps
