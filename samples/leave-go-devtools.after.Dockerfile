# The team's CI image: the toolchain is the point.
FROM golang:1.22
RUN go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.1 \
 && go install gotest.tools/gotestsum@v1.12.0
WORKDIR /work
CMD ["bash"]
