# tag: clojure:temurin-17-lein-bookworm
# The official clojure images: Leiningen on a Temurin JDK. No registry or Maven repository
# is reachable here, so this engine's eclipse-temurin:17-jdk gets Debian's Leiningen, which
# resolves Clojure and its libraries from Debian's local Maven repository, offline.
FROM eclipse-temurin:17-jdk
RUN apt-get update \
    && apt-get install -y --no-install-recommends leiningen \
    && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /root/.lein \
    && echo '{:user {:local-repo "/usr/share/maven-repo" :offline? true}}' \
        > /root/.lein/profiles.clj
CMD ["lein", "repl"]
