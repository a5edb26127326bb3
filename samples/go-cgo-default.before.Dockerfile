FROM golang:1.22-bookworm

RUN apt-get update && apt-get install -y git make

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .

# A default build: cgo is on in the golang images, so net links glibc.
RUN go build -o /usr/local/bin/api ./cmd/api

ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["api", "-healthcheck"]
ENTRYPOINT ["api"]
