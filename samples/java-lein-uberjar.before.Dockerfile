# Clojure built with Leiningen on the official image that names its JDK: the standalone
# jar holds Clojure and every dependency, so it runs on the JRE of the same Java.
FROM clojure:temurin-17-lein-bookworm

WORKDIR /app
COPY project.clj /app/
RUN lein deps
COPY . /app
RUN lein uberjar

CMD ["java", "-jar", "/app/target/greeter-standalone.jar", "world"]
