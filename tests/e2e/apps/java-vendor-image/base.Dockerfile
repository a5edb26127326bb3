# tag: example/build-openjdk17:1
# A company's build image: a JDK with the team's own tools, named after its Java version.
FROM eclipse-temurin:17-jdk
RUN mkdir -p /opt/team && echo "build image 1" > /opt/team/VERSION
