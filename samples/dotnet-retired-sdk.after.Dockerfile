# A .NET Core 2.1 service on the retired Docker Hub name of the SDK image. Its runtime
# twin is microsoft/dotnet:2.1-aspnetcore-runtime-stretch-slim.
FROM microsoft/dotnet:2.1-sdk-stretch AS builder
WORKDIR /app
COPY *.csproj ./
RUN dotnet restore
COPY . ./
RUN dotnet publish -c Release -o out
WORKDIR /app/out
# Find out what the program loads at run time: the shared libraries (ldd) and, from
# this release's package database, the packages that own them. Libraries that no
# package owns (a `make install` into /usr/local) are kept as files.
RUN set -e; mkdir -p /tmp/dslim/libs; : > /tmp/dslim/packages; \
    : > /tmp/dslim/owners; \
    keep() { d=$(cd "$(dirname "$1")" && pwd -P); mkdir -p "/tmp/dslim/libs$d"; cp -L "$1" "/tmp/dslim/libs$d/${1##*/}"; }; \
    for p in /app/out; do \
      [ -e "$p" ] || { echo "dockerslim: $p was not built" >&2; exit 1; }; \
    done; \
    find /app/out -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do ldd "$f" 2>/dev/null || :; done \
      | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' \
        -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' \
      | sort -u > /tmp/dslim/libraries; \
    { find /app/out -type f \( -name '*.so*' -o -perm -u+x \) 2>/dev/null \
      | while read -r f; do LC_ALL=C tr -c ' -~' '\n' < "$f" \
        | grep -E '^lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*$' || :; done; \
      find /app/out -type f \( -name '*.rb' -o -name '*.py' \) -exec \
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
    find /app \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.rb' -o -name '*.erb' -o -name '*.rake' -o -name '*.py' -o -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' -o -name '*.php' -o -name '*.sh' -o -name '*.pl' -o -name '*.ex' -o -name '*.exs' -o -name '*.erl' \) -print 2>/dev/null > /tmp/dslim/sources || :; \
    find /app \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name '*.go' -o -name '*.rs' \) -print 2>/dev/null \
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
    find /app \( -name vendor -o -name node_modules -o -name deps -o -name _build -o -name .git -o -name site-packages -o -name dist-packages -o -name .husky -o -name .githooks -o -name githooks -o -name git-hooks -o -name 'pre-commit*' -o -name 'pre-push*' -o -name '*commit-hook*' \) -prune -o -type f \( -name Gemfile.lock -o -name package.json -o -name 'requirements*.txt' \) -print 2>/dev/null | while read -r f; do \
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
    sort -u -o /tmp/dslim/packages /tmp/dslim/packages

# Runtime: the .NET runtime image of the SDK's version, with the published output only.
FROM microsoft/dotnet:2.1-aspnetcore-runtime-stretch-slim
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
        apt-get install -y --no-install-recommends $missing \
      && rm -rf /var/lib/apt/lists/*; fi
RUN cp -R /tmp/dslim/libs/. / && rm -rf /tmp/dslim && (ldconfig 2>/dev/null || :)
WORKDIR /app/out
EXPOSE 80
COPY --from=builder /app/out /app/out
ENTRYPOINT ["dotnet", "Service.dll"]
