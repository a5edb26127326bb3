FROM gcc:13-bookworm AS builder
# Marks the start of the build: what is newer than it, or not listed here, the
# build installed (a COPY keeps old times, and busybox find has no -cnewer).
RUN mkdir -p /tmp/dslim && chmod 1777 /tmp/dslim && touch /.dslim-marker \
    && find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
      \( -type f -o -type l \) -print | LC_ALL=C sort > /.dslim-before

RUN apt-get update
RUN apt-get install -y zlib1g-dev gdb

WORKDIR /usr/src/crc32sum
COPY . .
RUN make
RUN make install
# Symbols are not needed at run time.
RUN strip /usr/local/bin/crc32sum
# Collect the shared libraries the program loads from /usr/local.
RUN mkdir -p /opt/runtime-libs \
    && ldd /usr/local/bin/crc32sum | awk '$3 ~ "^/usr/local/" {print $3}' \
     | xargs -r cp -L -t /opt/runtime-libs
# Find out what the build installed: the files added since the marker, less the
# package database's own files, caches, sources and headers; the runtime stage
# copies that tree whole. It fails when the image's program is not in it.
RUN set -e; mkdir -p /tmp/dslim/root/tmp/dslim; touch /tmp/dslim/root/tmp/dslim/tree; \
    [ -e /.dslim-marker ] || { echo "dockerslim: a build step removed /.dslim-marker" >&2; exit 1; }; \
    if find /.dslim-marker -cnewer /.dslim-marker >/dev/null 2>&1; then n=-cnewer; else n=-newer; fi; \
    { find / -xdev -path /proc -prune -o -path /sys -prune -o -path /dev -prune -o -path /tmp -prune -o -path /var/tmp -prune -o -path /run -prune -o -path /var/cache -prune -o -path /var/log -prune -o -path /var/lib/apt -prune -o -path /var/lib/dpkg -prune -o -path /var/lib/rpm -prune -o -path /lib/apk -prune -o -path /etc/apk -prune -o -path /usr/share/doc -prune -o -path /usr/share/man -prune -o -path /usr/share/info -prune -o -path /usr/include -prune -o -path /usr/local/include -prune -o -path /root/.cache -prune -o -path /root/.cargo/registry -prune -o -path /root/.cargo/git -prune -o -path /usr/local/cargo/registry -prune -o -path /root/.rustup -prune -o -path /usr/local/rustup -prune -o -path /usr/local/cargo/git -prune -o -path /go/pkg -prune -o -path /go/src -prune -o -path /root/go/pkg -prune -o -path /root/go/src -prune -o -path /root/.npm -prune -o -path /root/.composer/cache -prune -o -path /usr/local/share/.cache -prune -o -path /root/.yarn -prune -o -path /root/.node-gyp -prune -o -path /root/.pnpm-store -prune -o -path /usr/local/bundle/cache -prune -o -path /root/.m2 -prune -o -path /root/.gradle -prune -o -path '/home/*/.cache' -prune -o -path '/home/*/.npm' -prune -o -path '/home/*/.node-gyp' -prune -o -path '/home/*/.yarn' -prune -o -path '/home/*/.m2' -prune -o -path '/home/*/.gradle' -prune -o -path /usr/src/crc32sum -prune -o \( -type f -o -type l \) $n /.dslim-marker -print; \
      find / -xdev -path /proc -prune -o -path /sys -prune -o -path /dev -prune -o -path /tmp -prune -o -path /var/tmp -prune -o -path /run -prune -o -path /var/cache -prune -o -path /var/log -prune -o -path /var/lib/apt -prune -o -path /var/lib/dpkg -prune -o -path /var/lib/rpm -prune -o -path /lib/apk -prune -o -path /etc/apk -prune -o -path /usr/share/doc -prune -o -path /usr/share/man -prune -o -path /usr/share/info -prune -o -path /usr/include -prune -o -path /usr/local/include -prune -o -path /root/.cache -prune -o -path /root/.cargo/registry -prune -o -path /root/.cargo/git -prune -o -path /usr/local/cargo/registry -prune -o -path /root/.rustup -prune -o -path /usr/local/rustup -prune -o -path /usr/local/cargo/git -prune -o -path /go/pkg -prune -o -path /go/src -prune -o -path /root/go/pkg -prune -o -path /root/go/src -prune -o -path /root/.npm -prune -o -path /root/.composer/cache -prune -o -path /usr/local/share/.cache -prune -o -path /root/.yarn -prune -o -path /root/.node-gyp -prune -o -path /root/.pnpm-store -prune -o -path /usr/local/bundle/cache -prune -o -path /root/.m2 -prune -o -path /root/.gradle -prune -o -path '/home/*/.cache' -prune -o -path '/home/*/.npm' -prune -o -path '/home/*/.node-gyp' -prune -o -path '/home/*/.yarn' -prune -o -path '/home/*/.m2' -prune -o -path '/home/*/.gradle' -prune -o -path /usr/src/crc32sum -prune -o \( -type f -o -type l \) -print | LC_ALL=C sort \
        | LC_ALL=C comm -13 /.dslim-before -; } \
      | grep -v -e '\.a$' -e '\.o$' -e '\.h$' -e '^/etc/ld.so.cache$' \
        -e '^/usr/lib/python[0-9.]*/.*[.]pyc$' \
        -e '^/.dockerenv$' -e '^/etc/hostname$' -e '^/etc/hosts$' \
        -e '^/etc/resolv.conf$' -e '^/etc/mtab$' -e '^/.dslim-marker$' \
        -e '^/.dslim-before$' -e '^/.dslim-packages$' \
        -e '^/usr/local/bin/crc32sum$' \
      | grep -v -E '/target/([^/]+/)?(debug|release)/(deps|build|incremental|[.]fingerprint)/' \
      | awk '!/^\/usr\/local\/lib\/python[0-9.]*\/.*[.]pyc$/ || /\/(site|dist)-packages\//' \
      | sort -u > /tmp/dslim/added; \
    (cat /var/lib/dpkg/info/*.list 2>/dev/null; awk '{print $2}' /var/lib/ucf/registry 2>/dev/null; awk -F: '/^F:/{d=$2} /^R:/{print "/" d "/" $2}' /lib/apk/db/installed 2>/dev/null; rpm -qal 2>/dev/null; :) | awk '{print} /^\/(lib|lib64|bin|sbin)\//{print "/usr" $0}' | sort -u > /tmp/dslim/owned; \
    { (dpkg --verify 2>/dev/null | awk '$2 == "c" {print $3; next} {print $2}'; md5sum -c /var/lib/ucf/hashfile 2>/dev/null | sed -n 's/: FAILED$//p'; apk audit 2>/dev/null | awk '{print "/" $2}'; rpm -Va 2>/dev/null | awk '$1 ~ /5/ {print $NF}'; :); cat /tmp/dslim/local-files 2>/dev/null; } | sort -u > /tmp/dslim/modified; \
    comm -23 /tmp/dslim/owned /tmp/dslim/modified > /tmp/dslim/unchanged; \
    comm -23 /tmp/dslim/added /tmp/dslim/unchanged > /tmp/dslim/installed; \
    if [ -s /tmp/dslim/installed ]; then tar -cf - -T /tmp/dslim/installed | tar -xf - -C /tmp/dslim/root; fi; \
    find /tmp/dslim/root -mindepth 1 -type d | while read -r d; do s="${d#/tmp/dslim/root}"; \
      chown "$(stat -c %u:%g "$s")" "$d"; chmod "$(stat -c %a "$s")" "$d"; done; \
    p=$(command -v crc32sum) || { echo "dockerslim: crc32sum is not on PATH" >&2; exit 1; }; p=$(readlink -f "$p"); \
    case "$p" in "/usr/src/crc32sum" | "/usr/src/crc32sum"/* | "/usr/local/bin/crc32sum" | "/usr/local/bin/crc32sum"/* | "") ;; *) [ -e "/tmp/dslim/root$p" ] || grep -qx "$p" /tmp/dslim/owned || grep -qx "$p" /.dslim-before || { echo "dockerslim: the build did not install $p" >&2; exit 1; } ;; esac
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /usr/src/crc32sum/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache /tmp/dslim/app/crc32sum \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# Find out what the program loads at run time: the shared libraries (ldd) and, from
# this release's package database, the packages that own them. Libraries that no
# package owns (a `make install` into /usr/local) are kept as files.
RUN set -e; mkdir -p /tmp/dslim/libs; : > /tmp/dslim/packages; \
    : > /tmp/dslim/owners; \
    keep() { d=$(cd "$(dirname "$1")" && pwd -P); mkdir -p "/tmp/dslim/libs$d"; cp -L "$1" "/tmp/dslim/libs$d/${1##*/}"; }; \
    for p in /opt/runtime-libs/ /tmp/dslim/app /tmp/dslim/root/ /usr/local/bin/crc32sum; do \
      [ -e "$p" ] || { echo "dockerslim: $p was not built" >&2; exit 1; }; \
    done; \
    find /opt/runtime-libs/ /tmp/dslim/app /tmp/dslim/root/ /usr/local/bin/crc32sum -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do ldd "$f" 2>/dev/null || :; done \
      | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' \
        -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' \
      | sort -u > /tmp/dslim/libraries; \
    { find /opt/runtime-libs/ /tmp/dslim/app /tmp/dslim/root/ /usr/local/bin/crc32sum -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do LC_ALL=C tr -c ' -~' '\n' < "$f" \
        | grep -E '^lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*$' || :; done; \
      find /opt/runtime-libs/ /tmp/dslim/app /tmp/dslim/root/ /usr/local/bin/crc32sum -type f \( -name '*.rb' -o -name '*.py' \) -exec \
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
      a=$(dpkg -S "$l" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); b=$(dpkg -S "$r" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); \
      if [ -n "$b" ]; then echo "$r" >> /tmp/dslim/libraries; [ -z "$a" ] || [ "$a" = "$b" ] || keep "$l"; \
      else echo "$l" >> /tmp/dslim/libraries; fi; \
    done < /tmp/dslim/dlopened; \
    sort -u -o /tmp/dslim/libraries /tmp/dslim/libraries; \
    while read -r l; do \
      p=$(dpkg -S "$l" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); \
      [ -n "$p" ] || { r=$(readlink -f "$l"); p=$(dpkg -S "$r" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); }; \
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
      case " $gone " in *" ca-certificates "*) \
        c=/etc/ssl/certs/ca-certificates.crt; [ ! -e "$c" ] || keep "$c" ;; esac; \
    fi
# Find out which programs the app's own code runs (a quoted command name in its
# sources, exec.Command in Go, or a dependency that runs one, like mini_magick):
# the packages that have them here stay in the runtime, by this release's names.
RUN set -e; mkdir -p /tmp/dslim; : > /tmp/dslim/runs; : > /tmp/dslim/sources; \
    b=$(printf '\140'); \
    find /usr/src/crc32sum \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.rb' -o -name '*.erb' -o -name '*.rake' -o -name '*.py' -o -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' -o -name '*.php' -o -name '*.sh' -o -name '*.pl' -o -name '*.ex' -o -name '*.exs' -o -name '*.erl' \) -print 2>/dev/null > /tmp/dslim/sources || :; \
    find /usr/src/crc32sum \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.go' -o -name '*.rs' \) -print 2>/dev/null \
      > /tmp/dslim/compiled || :; \
    while read -r f; do { tr '\n\r\t' '   ' < "$f"; echo; } 2>/dev/null || :; \
      done < /tmp/dslim/compiled > /tmp/dslim/calls; \
    for t in git hg svn curl wget ssh scp rsync unzip ffmpeg ffprobe npm yarn pnpm pip pip3; do \
      case $t in npm|yarn|pnpm|pip|pip3) z="([\"'$b]|[[:space:]]+(install|ci|i|add|rebuild|update)([[:space:]\"'$b]|\$))" ;; *) z="([\"' $b]|\$)" ;; esac; \
      if { xargs -r grep -lE "([\"'$b]|%x[(]|(&&|;)[[:space:]]*)$t$z" \
          < /tmp/dslim/sources 2>/dev/null; \
        grep -E "(exec[.]Command(Context)?[(]([^,()]*,[[:space:]]*)?|Command::new[(][[:space:]]*)\"$t\"" \
          /tmp/dslim/calls 2>/dev/null; } | head -n1 | grep -q .; \
      then echo "$t" >> /tmp/dslim/runs; fi; \
    done; \
    find /usr/src/crc32sum \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name Gemfile.lock -o -name package.json -o -name 'requirements*.txt' \) -print 2>/dev/null | while read -r f; do \
      case "${f##*/}" in Gemfile.lock) i=; a='^    '; z=' [(]'; deps='dragonfly=convert,identify git=git image_processing=convert,identify mini_magick=convert,identify paperclip=convert,identify,file streamio-ffmpeg=ffmpeg,ffprobe' ;; package.json) i=; a='"'; z='"[[:space:]]*:'; deps='fluent-ffmpeg=ffmpeg,ffprobe gm=convert,identify imagemagick=convert,identify node-red=npm simple-git=git' ;; requirements*.txt) i=-i; a='^'; z='([[:space:]=<>~!;,[]|$)'; deps='GitPython=git ffmpeg-python=ffmpeg pydub=ffmpeg' ;; esac; \
      for d in $deps; do \
        if grep -q $i -E "$a${d%%=*}$z" "$f"; then echo "${d#*=}" | tr , '\n' \
          >> /tmp/dslim/runs; fi; \
      done; \
    done; \
    if grep -qxE 'npm|yarn|pnpm|pip|pip3' /tmp/dslim/runs; then \
      echo "dockerslim: the app runs a package manager: the compilers and headers it builds native packages with stay" >&2; \
      printf '%s\n' make cc gcc c++ g++ pkg-config python3 python git >> /tmp/dslim/runs; \
    fi; \
    [ ! -s /tmp/dslim/runs ] || apt-get update >/dev/null 2>&1 || :; \
    for t in $(sort -u /tmp/dslim/runs); do \
      c=$(command -v "$t" 2>/dev/null) || continue; \
      r=$c; p=$(dpkg -S "$r" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); \
      [ -n "$p" ] || { r=$(readlink -f "$c"); p=$(dpkg -S "$r" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); }; \
      [ -n "$p" ] || { r=${r#/usr}; p=$(dpkg -S "$r" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1); }; \
      [ -n "$p" ] || continue; \
      case "$p" in python*-minimal) p=${p%-minimal} ;; esac; \
      if [ -z "$(apt-cache madison "$p" 2>/dev/null)" ]; then echo "dockerslim: the app may run $t, but the package sources no longer have $p" >&2; continue; fi; \
      echo "$p" >> /tmp/dslim/packages; echo "dockerslim: the app runs $t: $p stays in the runtime" >&2; \
    done; touch /tmp/dslim/packages; \
    if grep -qxE 'npm|yarn|pnpm|pip|pip3' /tmp/dslim/runs; then \
      for p in zlib1g-dev gdb; do [ -z "$(apt-cache madison "$p" 2>/dev/null)" ] || echo "$p" >> /tmp/dslim/packages; done; \
    fi; \
    sort -u -o /tmp/dslim/packages /tmp/dslim/packages

# Runtime: the program links glibc dynamically, so the base keeps it.
FROM debian:bookworm-slim
COPY --from=builder /tmp/dslim/packages /tmp/dslim/packages
COPY --from=builder /tmp/dslim/libs /tmp/dslim/libs
# The packages the program had at run time, by their names on this release.
RUN set -e; missing=; for p in $(cat /tmp/dslim/packages); do \
      dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done; \
    if [ -n "$missing" ]; then \
      if [ ! -e /usr/lib/apt/methods/https ] \
        && grep -rqsE '^(deb( [[][^]]*[]])? https|URIs: *https)' \
          /etc/apt/sources.list.d; then \
        apt-get update -o Dir::Etc::sourceparts=/nonexistent \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y \
          --no-install-recommends apt-transport-https ca-certificates; fi; \
      case "$missing" in *jre*|*jdk*) mkdir -p /usr/share/man/man1 ;; esac; \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y $missing \
      && rm -rf /var/lib/apt/lists/*; fi
RUN cp -R /tmp/dslim/libs/. / && rm -rf /tmp/dslim && (ldconfig 2>/dev/null || :)
WORKDIR /usr/src/crc32sum
ENV LD_LIBRARY_PATH=/usr/local/lib
COPY --from=builder /tmp/dslim/app /usr/src/crc32sum
COPY --from=builder /tmp/dslim/root/ /
COPY --from=builder /usr/local/bin/crc32sum /usr/local/bin/crc32sum
COPY --from=builder /opt/runtime-libs/ /usr/local/lib/
COPY --from=builder /tmp/dslim/installed /tmp/dslim/installed
# A link the build's packages made to a file of a package the runtime does not have
# (an extension that a build tool's dependency enabled) would point nowhere: remove it.
RUN while read -r f; do if [ -L "$f" ] && [ ! -e "$f" ]; then rm -f "$f"; fi; done < /tmp/dslim/installed \
    && rm -rf /tmp/dslim
ENTRYPOINT ["crc32sum"]
