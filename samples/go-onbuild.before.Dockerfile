# The build is in the ONBUILD triggers of golang:1.8-onbuild: the context is copied to
# /go/src/app and built with go-wrapper, and the image runs the binary it named.
FROM golang:1.8-onbuild

# A certificate the server reads from its folder, made at build time.
RUN ./script/generatecert
EXPOSE 8080

CMD app -addr=0.0.0.0:8080 -certs=cert/server.crt -keys=cert/server.pem
