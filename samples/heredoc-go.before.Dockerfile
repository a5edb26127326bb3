# syntax=docker/dockerfile:1
FROM golang:1.22
WORKDIR /src
COPY . .
RUN <<EOF
set -e
go vet ./...
CGO_ENABLED=0 go build -o /bin/server ./cmd/server
EOF
COPY <<-EOT /etc/server.conf
	listen=:9000
	EOT
EXPOSE 9000
ENTRYPOINT ["/bin/server", "-config", "/etc/server.conf"]
