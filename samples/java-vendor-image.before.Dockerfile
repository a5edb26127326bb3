# A company's Maven image whose name says its Java version: the runtime is a JRE of that
# version, since the image itself is not one the tool knows.
FROM example/maven-openjdk17:3.9

WORKDIR /usr/src/app
COPY pom.xml ./
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests

CMD ["java", "-jar", "target/app.jar"]
