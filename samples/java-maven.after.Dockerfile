FROM maven:3.9-eclipse-temurin-21 AS builder
WORKDIR /build
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests

# Runtime: a JRE of the same Java version; the JDK and build tools stay in the builder.
FROM eclipse-temurin:21-jre
WORKDIR /build
EXPOSE 8080
COPY --from=builder /build/target/orders-1.4.0.jar /build/target/orders-1.4.0.jar
USER 65534:65534
ENTRYPOINT ["java", "-jar", "target/orders-1.4.0.jar"]
