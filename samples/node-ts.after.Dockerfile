FROM node:20 AS builder

# build tools "in case a native module needs them"
RUN apt-get update && apt-get install -y python3 make g++

WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
# Drop devDependencies: the runtime stage copies node_modules as it is here.
RUN npm prune --omit=dev

ENV NODE_ENV=production
# Find out what the program loads at run time: the shared libraries (ldd) and, from
# this release's package database, the packages that own them. Libraries that no
# package owns (a `make install` into /usr/local) are kept as files.
RUN set -e; mkdir -p /tmp/dslim/libs; : > /tmp/dslim/packages; \
    : > /tmp/dslim/owners; \
    keep() { d=$(cd "$(dirname "$1")" && pwd -P); mkdir -p "/tmp/dslim/libs$d"; cp -L "$1" "/tmp/dslim/libs$d/${1##*/}"; }; \
    for p in /usr/src/app; do \
      [ -e "$p" ] || { echo "dockerslim: $p was not built" >&2; exit 1; }; \
    done; \
    find /usr/src/app -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do ldd "$f" 2>/dev/null || :; done \
      | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' \
        -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' \
      | sort -u > /tmp/dslim/libraries; \
    { find /usr/src/app -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do LC_ALL=C tr -c ' -~' '\n' < "$f" \
        | grep -E '^lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*$' || :; done; \
      find /usr/src/app -type f \( -name '*.rb' -o -name '*.py' \) -exec \
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
      a=$(dpkg -S "$l" 2>/dev/null | head -n1 | cut -d: -f1); b=$(dpkg -S "$r" 2>/dev/null | head -n1 | cut -d: -f1); \
      if [ -n "$b" ]; then echo "$r" >> /tmp/dslim/libraries; [ -z "$a" ] || [ "$a" = "$b" ] || keep "$l"; \
      else echo "$l" >> /tmp/dslim/libraries; fi; \
    done < /tmp/dslim/dlopened; \
    sort -u -o /tmp/dslim/libraries /tmp/dslim/libraries; \
    while read -r l; do \
      p=$(dpkg -S "$l" 2>/dev/null | head -n1 | cut -d: -f1); \
      [ -n "$p" ] || { r=$(readlink -f "$l"); p=$(dpkg -S "$r" 2>/dev/null | head -n1 | cut -d: -f1); }; \
      if [ -n "$p" ]; then echo "$p" >> /tmp/dslim/packages; echo "$p $l" >> /tmp/dslim/owners; continue; fi; \
      keep "$l"; \
    done < /tmp/dslim/libraries; \
    sort -u -o /tmp/dslim/packages /tmp/dslim/packages; \
    [ ! -s /tmp/dslim/packages ] || apt-get update >/dev/null 2>&1 || :; \
    gone=; for p in $(cat /tmp/dslim/packages); do \
      [ -n "$(apt-cache madison "$p" 2>/dev/null)" ] || gone="$gone $p"; done; \
    if [ -n "$gone" ]; then \
      echo "dockerslim: the package sources do not have$gone; the runtime gets the builder's copies of the libraries" >&2; \
      while read -r p l; do \
        case "${l##*/}" in libc.so*|ld-linux*|libm.so*|libpthread.so*|libdl.so*| \
          librt.so*|libgcc_s.so*|libstdc++.so*) ;; *) keep "$l" ;; esac; \
      done < /tmp/dslim/owners; : > /tmp/dslim/packages; \
    fi
# The package sources and keys, for the runtime stage's install (same release).
RUN mkdir -p /tmp/dslim/apt/etc /tmp/dslim/apt/usr/share && cp -a /etc/apt /tmp/dslim/apt/etc/ \
    && if [ -d /usr/share/keyrings ]; then \
      cp -a /usr/share/keyrings /tmp/dslim/apt/usr/share/; fi

# Runtime: the same Node.js without build tools; the app with production dependencies.
FROM node:20-slim
COPY --from=builder /tmp/dslim/apt/ /
COPY --from=builder /tmp/dslim/packages /tmp/dslim/packages
COPY --from=builder /tmp/dslim/libs /tmp/dslim/libs
# The packages the program had at run time, by their names on this release.
RUN set -e; missing=; for p in python3 $(cat /tmp/dslim/packages); do \
      dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done; \
    if [ -n "$missing" ]; then apt-get update \
      && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y $missing \
      && rm -rf /var/lib/apt/lists/*; fi
RUN cp -R /tmp/dslim/libs/. / && rm -rf /tmp/dslim && (ldconfig 2>/dev/null || :)
WORKDIR /usr/src/app
ENV NODE_ENV=production
EXPOSE 3000
COPY --from=builder /usr/src/app /usr/src/app
CMD ["node", "dist/server.js"]
