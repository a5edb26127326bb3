FROM gradle:8.7-jdk17 AS builder
WORKDIR /home/gradle/project
COPY --chown=gradle:gradle . .
RUN gradle bootJar --no-daemon

# Runtime: a JRE of the same Java version; the JDK and build tools stay in the builder.
FROM eclipse-temurin:17-jre
WORKDIR /home/gradle/project
COPY --from=builder /home/gradle/project/build/libs/service.jar /home/gradle/project/build/libs/service.jar
USER 65534:65534
ENTRYPOINT ["java", "-jar", "build/libs/service.jar"]
