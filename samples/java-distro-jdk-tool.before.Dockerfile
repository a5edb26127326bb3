FROM debian:bookworm

# Java from the distribution's packages: the JDK compiles the tool and stays in the image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jdk-headless \
    && rm -rf /var/lib/apt/lists/*
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64

WORKDIR /opt/tool
COPY src ./src
COPY bin ./bin
RUN mkdir -p build/classes \
    && javac -d build/classes $(find src -name '*.java') \
    && jar --create --file tool.jar --main-class tool.Main -C build/classes .

# No command: docker run names the tool (/opt/tool/bin/tool NAME).
