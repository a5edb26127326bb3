# tag: clojure:lein-2.8.1
# The official clojure:lein-2.8.1 was Leiningen on openjdk:8. This engine has no Java 8: its
# eclipse-temurin:17-jdk with Debian's Leiningen (offline, from Debian's local Maven
# repository) stands in under that tag, so the Java the rewrite takes from the tag is wrong
# here and the builder's check must stop the build.
FROM eclipse-temurin:17-jdk
RUN apt-get update \
    && apt-get install -y --no-install-recommends leiningen \
    && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /root/.lein \
    && echo '{:user {:local-repo "/usr/share/maven-repo" :offline? true}}' \
        > /root/.lein/profiles.clj
CMD ["lein", "repl"]
