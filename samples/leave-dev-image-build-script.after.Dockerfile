# A company's development image (its name ends in "dev") runs the project's build script,
# then the program with the image's own Mono. DSR001 reports the toolchain left in the
# image; what the script builds and which image has a Mono to run it are not in this file,
# so the file is left as it is, with the flags that settle it.
FROM example/monodev:6.12

WORKDIR /app
COPY . .
RUN bash ./build-image.sh

ENTRYPOINT env MONO_TLS_PROVIDER=btls /opt/mono/bin/mono ./bin/Release/app.exe serve
