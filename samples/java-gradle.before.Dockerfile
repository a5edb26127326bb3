FROM gradle:8.7-jdk17
WORKDIR /home/gradle/project
COPY --chown=gradle:gradle . .
RUN gradle bootJar --no-daemon
ENTRYPOINT ["java", "-jar", "build/libs/service.jar"]
