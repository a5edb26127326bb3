# Clojure built with Leiningen on an old official tag that does not name its Java: the
# clojure images of Leiningen 2.8 were built on openjdk:8, so the runtime is Java 8's JRE,
# and the builder checks that its Java is that one.
FROM clojure:lein-2.8.1 as build

WORKDIR /app
COPY project.clj /app
RUN lein deps
COPY . /app
RUN lein uberjar

CMD ["java", "-jar", "/app/target/uberjar/app-standalone.jar"]
