# A company's Maven image whose name says its Java version: the runtime is a JRE of that
# version, since the image itself is not one the tool knows.
FROM example/maven-openjdk17:3.9 AS builder

WORKDIR /usr/src/app
COPY pom.xml ./
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests
# Find out what the program loads at run time: the shared libraries (ldd) and, from
# this release's package database, the packages that own them. Libraries that no
# package owns (a `make install` into /usr/local) are kept as files.
RUN set -e; mkdir -p /tmp/dslim/libs; : > /tmp/dslim/packages; \
    : > /tmp/dslim/owners; \
    keep() { d=$(cd "$(dirname "$1")" && pwd -P); mkdir -p "/tmp/dslim/libs$d"; cp -L "$1" "/tmp/dslim/libs$d/${1##*/}"; }; \
    for p in /usr/src/app/target/app.jar; do \
      [ -e "$p" ] || { echo "dockerslim: $p was not built" >&2; exit 1; }; \
    done; \
    find /usr/src/app/target/app.jar -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do ldd "$f" 2>/dev/null || :; done \
      | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' \
        -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' \
      | sort -u > /tmp/dslim/libraries; \
    { find /usr/src/app/target/app.jar -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do LC_ALL=C tr -c ' -~' '\n' < "$f" \
        | grep -E '^lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*$' || :; done; \
      find /usr/src/app/target/app.jar -type f \( -name '*.rb' -o -name '*.py' \) -exec \
        grep -ohE 'lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*' {} + 2>/dev/null || :; } \
      | sort -u \
      | while read -r n; do \
        l=$(ldconfig -p 2>/dev/null | awk -v n="$n" '$1 == n {print $NF; exit}'); \
        [ -n "$l" ] || for d in /usr/local/lib /lib/*-linux-gnu /usr/lib/*-linux-gnu \
          /lib /usr/lib /lib64 /usr/lib64; do \
          if [ -e "$d/$n" ]; then l="$d/$n"; break; fi; done; \
        [ -z "$l" ] || echo "$l"; done | sort -u > /tmp/dslim/dlopened; \
    while read -r l; do \
      r=$(readlink -f "$l"); \
      echo "$l" >> /tmp/dslim/libraries; \
    done < /tmp/dslim/dlopened; \
    sort -u -o /tmp/dslim/libraries /tmp/dslim/libraries; \
    while read -r l; do \
      keep "$l"; \
    done < /tmp/dslim/libraries; \
    sort -u -o /tmp/dslim/packages /tmp/dslim/packages

# Runtime: a JRE of the same Java version; the JDK and build tools stay in the builder.
FROM eclipse-temurin:17-jre
COPY --from=builder /tmp/dslim/packages /tmp/dslim/packages
COPY --from=builder /tmp/dslim/libs /tmp/dslim/libs
RUN cp -R /tmp/dslim/libs/. / && rm -rf /tmp/dslim && (ldconfig 2>/dev/null || :)
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/app.jar /usr/src/app/target/app.jar
CMD ["java", "-jar", "target/app.jar"]
