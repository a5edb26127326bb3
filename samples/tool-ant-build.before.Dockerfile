# A tool image: ant builds the tool from the sources on the distribution's JDK, and the
# command comes with docker run.
FROM debian:bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends ant default-jdk-headless \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/hello
COPY . .
RUN ant dist && ln -s /opt/hello/dist/bin/hello /usr/local/bin/hello
