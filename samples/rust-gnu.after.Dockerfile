FROM rust:1.79-bookworm AS builder
# Marks the start of the build: what is newer than it, or not listed here, the
# build installed (a COPY keeps old times, and busybox find has no -cnewer).
RUN mkdir -p /tmp/dslim && chmod 1777 /tmp/dslim && touch /.dslim-marker \
    && find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
      \( -type f -o -type l \) -print | LC_ALL=C sort > /.dslim-before

WORKDIR /usr/src/wordfreq
COPY . .

RUN cargo build --release --bin wordfreq
RUN cargo test --release
# Symbols are not needed at run time.
RUN strip /usr/src/wordfreq/target/release/wordfreq
# Find out what the build installed: the files added since the marker, less the
# package database's own files, caches, sources and headers; the runtime stage
# copies that tree whole. It fails when the image's program is not in it.
RUN set -e; mkdir -p /tmp/dslim/root/tmp/dslim; touch /tmp/dslim/root/tmp/dslim/tree; \
    [ -e /.dslim-marker ] || { echo "dockerslim: a build step removed /.dslim-marker" >&2; exit 1; }; \
    if find /.dslim-marker -cnewer /.dslim-marker >/dev/null 2>&1; then n=-cnewer; else n=-newer; fi; \
    { find / -xdev -path /proc -prune -o -path /sys -prune -o -path /dev -prune -o -path /tmp -prune -o -path /var/tmp -prune -o -path /run -prune -o -path /var/cache -prune -o -path /var/log -prune -o -path /var/lib/apt -prune -o -path /var/lib/dpkg -prune -o -path /var/lib/rpm -prune -o -path /lib/apk -prune -o -path /etc/apk -prune -o -path /usr/share/doc -prune -o -path /usr/share/man -prune -o -path /usr/share/info -prune -o -path /usr/include -prune -o -path /usr/local/include -prune -o -path /root/.cache -prune -o -path /root/.cargo/registry -prune -o -path /root/.cargo/git -prune -o -path /usr/local/cargo/registry -prune -o -path /root/.rustup -prune -o -path /usr/local/rustup -prune -o -path /usr/local/cargo/git -prune -o -path /go/pkg -prune -o -path /go/src -prune -o -path /root/go/pkg -prune -o -path /root/go/src -prune -o -path /root/.npm -prune -o -path /root/.composer/cache -prune -o -path /usr/local/share/.cache -prune -o -path /root/.yarn -prune -o -path /root/.node-gyp -prune -o -path /root/.pnpm-store -prune -o -path /usr/local/bundle/cache -prune -o -path /root/.m2 -prune -o -path /root/.gradle -prune -o -path '/home/*/.cache' -prune -o -path '/home/*/.npm' -prune -o -path '/home/*/.node-gyp' -prune -o -path '/home/*/.yarn' -prune -o -path '/home/*/.m2' -prune -o -path '/home/*/.gradle' -prune -o -path /usr/src/wordfreq -prune -o \( -type f -o -type l \) $n /.dslim-marker -print; \
      find / -xdev -path /proc -prune -o -path /sys -prune -o -path /dev -prune -o -path /tmp -prune -o -path /var/tmp -prune -o -path /run -prune -o -path /var/cache -prune -o -path /var/log -prune -o -path /var/lib/apt -prune -o -path /var/lib/dpkg -prune -o -path /var/lib/rpm -prune -o -path /lib/apk -prune -o -path /etc/apk -prune -o -path /usr/share/doc -prune -o -path /usr/share/man -prune -o -path /usr/share/info -prune -o -path /usr/include -prune -o -path /usr/local/include -prune -o -path /root/.cache -prune -o -path /root/.cargo/registry -prune -o -path /root/.cargo/git -prune -o -path /usr/local/cargo/registry -prune -o -path /root/.rustup -prune -o -path /usr/local/rustup -prune -o -path /usr/local/cargo/git -prune -o -path /go/pkg -prune -o -path /go/src -prune -o -path /root/go/pkg -prune -o -path /root/go/src -prune -o -path /root/.npm -prune -o -path /root/.composer/cache -prune -o -path /usr/local/share/.cache -prune -o -path /root/.yarn -prune -o -path /root/.node-gyp -prune -o -path /root/.pnpm-store -prune -o -path /usr/local/bundle/cache -prune -o -path /root/.m2 -prune -o -path /root/.gradle -prune -o -path '/home/*/.cache' -prune -o -path '/home/*/.npm' -prune -o -path '/home/*/.node-gyp' -prune -o -path '/home/*/.yarn' -prune -o -path '/home/*/.m2' -prune -o -path '/home/*/.gradle' -prune -o -path /usr/src/wordfreq -prune -o \( -type f -o -type l \) -print | LC_ALL=C sort \
        | LC_ALL=C comm -13 /.dslim-before -; } \
      | grep -v -e '\.a$' -e '\.o$' -e '\.h$' -e '^/etc/ld.so.cache$' \
        -e '^/usr/lib/python[0-9.]*/.*[.]pyc$' \
        -e '^/.dockerenv$' -e '^/etc/hostname$' -e '^/etc/hosts$' \
        -e '^/etc/resolv.conf$' -e '^/etc/mtab$' -e '^/.dslim-marker$' \
        -e '^/.dslim-before$' -e '^/.dslim-packages$' \
        -e '^/usr/src/wordfreq/target/release/wordfreq$' \
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
    p=/usr/src/wordfreq/target/release/wordfreq; p=$(readlink -f "$p"); \
    case "$p" in "/usr/src/wordfreq" | "/usr/src/wordfreq"/* | "/usr/src/wordfreq/target/release/wordfreq" | "/usr/src/wordfreq/target/release/wordfreq"/* | "") ;; *) [ -e "/tmp/dslim/root$p" ] || grep -qx "$p" /tmp/dslim/owned || grep -qx "$p" /.dslim-before || { echo "dockerslim: the build did not install $p" >&2; exit 1; } ;; esac
# The app folder as the program saw it (configs, templates, assets it reads by
# relative path), without build trees and version control.
RUN mkdir -p /tmp/dslim/app && cp -a /usr/src/wordfreq/. /tmp/dslim/app/ && rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target /tmp/dslim/app/node_modules /tmp/dslim/app/.cache /tmp/dslim/app/target/release/wordfreq \
    && find /tmp/dslim/app \( -name '*.o' -o -name '*.a' -o -name '*.obj' \) -delete
# The runtime is distroless/cc: check that the program links nothing else.
RUN extra=$(ldd /tmp/dslim/root/ /usr/src/wordfreq/target/release/wordfreq 2>/dev/null | grep '=>' | grep -v -e linux-vdso -e ld-linux -e libc.so -e libm.so -e libpthread.so -e libdl.so -e librt.so -e libresolv.so -e libutil.so -e libgcc_s.so -e libstdc++.so -e libgomp.so -e libssl.so -e libcrypto.so || :); \
    [ -z "$extra" ] || { echo "dockerslim: the program links libraries distroless/cc lacks: $extra; pass --runtime slim" >&2; exit 1; }
# Find out which programs the app's own code runs (a quoted command name in its
# sources, exec.Command in Go, or a dependency that runs one, like mini_magick):
# the runtime base cannot install them, so the build stops if there are any.
RUN set -e; mkdir -p /tmp/dslim; : > /tmp/dslim/runs; : > /tmp/dslim/sources; \
    find /usr/src/wordfreq \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.go' -o -name '*.rs' \) -print 2>/dev/null \
      > /tmp/dslim/compiled || :; \
    while read -r f; do { tr '\n\r\t' '   ' < "$f"; echo; } 2>/dev/null || :; \
      done < /tmp/dslim/compiled > /tmp/dslim/calls; \
    for t in git hg svn curl wget ssh scp rsync unzip ffmpeg ffprobe; do \
      case $t in npm|yarn|pnpm|pip|pip3) z="([\"'$b]|[[:space:]]+(install|ci|i|add|rebuild|update)([[:space:]\"'$b]|\$))" ;; *) z="([\"' $b]|\$)" ;; esac; \
      if { grep -E "(exec[.]Command(Context)?[(]([^,()]*,[[:space:]]*)?|Command::new[(][[:space:]]*)\"$t\"" \
          /tmp/dslim/calls 2>/dev/null; } | head -n1 | grep -q .; \
      then echo "$t" >> /tmp/dslim/runs; fi; \
    done; \
    for t in $(sort -u /tmp/dslim/runs); do \
      c=$(command -v "$t" 2>/dev/null) || continue; \
      echo "dockerslim: the app runs $t, which the distroless runtime does not have; rewrite with --runtime alpine or --runtime slim" >&2; exit 1; \
    done

# Runtime: cargo's gnu target links glibc dynamically, so the base keeps glibc.
FROM gcr.io/distroless/cc-debian12
WORKDIR /usr/src/wordfreq
LABEL org.opencontainers.image.title="wordfreq"
COPY --from=builder /tmp/dslim/app /usr/src/wordfreq
COPY --from=builder /tmp/dslim/root/ /
COPY --from=builder /usr/src/wordfreq/target/release/wordfreq /usr/src/wordfreq/target/release/wordfreq
ENTRYPOINT ["/usr/src/wordfreq/target/release/wordfreq"]
CMD ["--help"]
