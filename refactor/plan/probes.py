"""What the builder finds out at build time, where no table can know: which packages own the
shared libraries the program loads (``ldd``, then the package database of the exact release
in use), the packages the original installed that are not build-only, and the build steps
that made state the program may rely on (users, folders, links, file capabilities).

Every step is short, commented, deterministic POSIX sh, and fails the build loudly rather
than produce an image that builds but cannot run."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator

from dockerslim_refactor.analysis.model import StageFacts
from dockerslim_refactor.analysis.packages import (
    FETCH_TOOLS,
    FETCHED_THROUGH,
    OS_MANAGERS,
    bare_package,
    is_build_package,
    package_installs,
    removed_packages,
)
from dockerslim_refactor.analysis.program import RUN_TOOL_PACKAGES, context_destinations

PROBE_DIR = "/tmp/dslim"
"""Where the builder leaves what it found; the runtime stage copies it, uses it, deletes it."""

# The package of each fetch tool, where the command name differs.
_TOOL_COMMANDS = {"mercurial": "hg", "subversion": "svn"}

_MANAGER_FAMILY = {
    "apt": "apt",
    "apk": "apk",
    "dnf": "rpm",
    "yum": "rpm",
    "microdnf": "rpm",
    "zypper": "rpm",
}

# State-making commands replayed in the runtime stage: accounts before the copies, the rest
# after them (a chown or setcap needs the copied files).
ACCOUNT_COMMANDS = frozenset(
    {"useradd", "adduser", "groupadd", "addgroup", "usermod", "gpasswd", "chpasswd"}
)
STATE_COMMANDS = frozenset({"mkdir", "chown", "chmod", "ln", "setcap", "chgrp"})


def package_family(facts: StageFacts) -> str | None:
    """``apt``, ``apk`` or ``rpm``: the package manager the original used, else the one its
    base image is known to have; ``None`` when neither the file nor the image says."""
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager in OS_MANAGERS:
                return _MANAGER_FAMILY[install.manager]
    if facts.image.is_alpine:
        return "apk"
    if facts.image.repository in {"debian", "ubuntu"} or facts.image.debian_codename:
        return "apt"
    official = facts.info.is_toolchain or facts.info.ecosystem in {"python", "node", "ruby"}
    if (official or facts.image.name == "php") and facts.info.libc == "glibc":
        return "apt"  # the official toolchain and interpreter images are Debian-based
    return None


def used_by_build(facts: StageFacts) -> set[str]:
    """Commands that the build's RUN steps call, and the fetch tools that the dependency
    installers among them run (composer's git and unzip)."""
    called = {cmd.basename for step in facts.steps for cmd in step.script.commands}
    for name in list(called):
        called.update(FETCHED_THROUGH.get(name, ()))
    return called


def _installed_packages(facts: StageFacts) -> Iterator[tuple[str, str, set[str], set[str]]]:
    """Each OS package the stage installs, as written and bare, with the packages its own RUN
    removes and those later RUNs remove."""
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager not in OS_MANAGERS:
                continue
            here = removed_packages(install, step.script)
            later: set[str] = set()
            for later_step in facts.steps:
                if later_step.instruction.start_line > step.instruction.end_line:
                    later |= removed_packages(install, later_step.script, anywhere=True)
            for package in install.packages:
                yield package, bare_package(package), here, later


def _fetched_by_build(name: str, build_calls: set[str], run_tools: tuple[str, ...]) -> bool:
    """A fetch tool the build ran and the image's command does not: build-only."""
    command = _TOOL_COMMANDS.get(name, name)
    return name in FETCH_TOOLS and command in build_calls and command not in run_tools


def _declared_runtime_packages(facts: StageFacts) -> set[str]:
    """Packages of apk ``--virtual`` groups that stay, in a file that deletes another group:
    the author split build-only from run-time packages (``.build-deps`` and
    ``.certbot-deps``), so a build tool in the kept group (binutils) is one the program uses."""
    groups: list[tuple[set[str], bool]] = []
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager != "apk" or not install.command.flag_value("--virtual", "-t"):
                continue
            removed = removed_packages(install, step.script)
            for later in facts.steps:
                if later.instruction.start_line > step.instruction.end_line:
                    removed |= removed_packages(install, later.script, anywhere=True)
            names = {bare_package(p) for p in install.packages}
            groups.append((names, bool(names) and names <= removed))
    if not any(deleted for _, deleted in groups):
        return set()
    return {name for names, deleted in groups if not deleted for name in names}


def kept_packages(facts: StageFacts, run_tools: tuple[str, ...]) -> list[str]:
    """OS packages the original installed and still had in its final image, minus those that
    are build-only (compilers, ``-dev`` headers, build tools; fetch tools only when the build
    used them and the image's command does not). Unknown packages are kept: the program may
    use them (ffmpeg, gosu, tzdata…)."""
    build_calls = used_by_build(facts)
    declared = _declared_runtime_packages(facts)
    kept: list[str] = []
    for package, name, here, later in _installed_packages(facts):
        if not name or "$" in name or name in here | later or package in kept:
            continue
        if "/" in name or name.endswith((".deb", ".rpm", ".apk")):
            continue  # a package file (apt-get install ./x.deb): its files come with the tree
        if name in declared:
            kept.append(package)  # the author's own run-time group (binutils for ctypes)
            continue
        if name in FETCH_TOOLS:
            if _fetched_by_build(name, build_calls, run_tools):
                continue
        elif is_build_package(package):
            continue
        kept.append(package)
    return kept


def apk_repositories(facts: StageFacts) -> dict[str, str]:
    """The ``--repository URL`` (``-X``) and ``--allow-untrusted`` flags each apk package was
    installed with (``apk add gnu-libiconv --repository .../edge/community``): reinstalled
    from the default repositories it would be another build."""
    found: dict[str, str] = {}
    for step in facts.steps:
        for install in package_installs(step.script):
            cmd = install.command
            if install.manager != "apk":
                continue
            repos = []
            args = list(cmd.args)
            for i, arg in enumerate(args):
                if arg in {"--repository", "-X"} and i + 1 < len(args):
                    repos += ["--repository", args[i + 1]]
                elif arg.startswith("--repository="):
                    repos += ["--repository", arg.split("=", 1)[1]]
            if not repos:
                continue
            if "--allow-untrusted" in args:
                repos.append("--allow-untrusted")
            flags = " ".join(shlex.quote(r) for r in repos)
            for package in install.packages:
                found[package] = flags
    return found


# Upgrade commands whose effect a reinstall from the default sources would not repeat.
_UPGRADES = {
    "apk": ("upgrade",),
    "apt-get": ("upgrade", "dist-upgrade", "full-upgrade"),
    "apt": ("upgrade", "dist-upgrade", "full-upgrade"),
}


_OLD_ALPINE = re.compile(r"(?:2\.\d+|3\.[0-2])(?:\.\d+)*")


def old_apk(image: str | None) -> bool:
    """An alpine release before 3.3 (``alpine:3.2``, ``gliderlabs/alpine:3.1``,
    ``node:0.12-alpine3.2``), whose apk has no ``--no-cache``."""
    if not image:
        return False
    from dockerslim_refactor.analysis.images import alpine_version, parse_image

    version = alpine_version(parse_image(image))
    return version is not None and _OLD_ALPINE.fullmatch(version) is not None


def apk_add(image: str | None, words: str, verb: str = "add") -> str:
    """``apk add --no-cache WORDS`` (or ``upgrade``), or on an alpine before 3.3 the same
    with ``--update`` and the cache deleted after it."""
    if old_apk(image):
        return f"apk {verb} --update {words} && rm -rf /var/cache/apk/*".replace("  ", " ")
    return f"apk {verb} --no-cache {words}".rstrip()


def package_upgrade(facts: StageFacts, manager: str | None, image: str | None = None) -> str | None:
    """The runtime stage's step that repeats the original's package upgrade, or ``None``.
    ``apk upgrade --available`` after an install from edge replaces that package with the
    release's own build; ``apt-get upgrade`` brings the libraries the program was built
    against. A reinstall from the default sources does neither by itself."""
    flags: set[str] = set()
    found = False
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.subcommand in _UPGRADES.get(cmd.basename, ()):
                if (cmd.basename == "apk") != (manager == "apk"):
                    continue
                found = True
                if cmd.basename == "apk" and cmd.has_flag("--available", "-a"):
                    flags.add("--available")
                if cmd.subcommand in {"dist-upgrade", "full-upgrade"}:
                    flags.add("dist-upgrade")
    if not found:
        return None
    if manager == "apk":
        available = "--available" if "--available" in flags else ""
        return (
            "# The original upgraded its packages after installing them.\n"
            f"RUN {apk_add(image, available, 'upgrade')}"
        )
    if manager == "apt":
        verb = "dist-upgrade" if "dist-upgrade" in flags else "upgrade"
        return (
            "# The original upgraded its packages after installing them.\n"
            "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get "
            f"{verb} -y \\\n    && rm -rf /var/lib/apt/lists/*"
        )
    return None


def dropped_fetch_tools(facts: StageFacts, run_tools: tuple[str, ...]) -> list[str]:
    """Fetch tools the original kept but the runtime leaves out because the build used them
    (git for go get, bundler or composer): a note names them, since a program may run them
    as well (an SCM feature, a deploy hook)."""
    build_calls = used_by_build(facts)
    dropped: list[str] = []
    for _, name, here, later in _installed_packages(facts):
        if (
            name not in here | later  # the original removed it: nothing is left out
            and name not in dropped
            and _fetched_by_build(name, build_calls, run_tools)
        ):
            dropped.append(name)
    return dropped


# The package that owns the file named by "$1", by the release's own package database.
_OWNERS = {
    # A diverted file's first lines name the diversion (trixie's libc6 diverts the dynamic
    # loader), not the owner.
    "apt": 'dpkg -S "$1" 2>/dev/null | grep -v "^diversion" | head -n1 | cut -d: -f1',
    "apk": "apk info --who-owns \"$1\" 2>/dev/null | sed -n 's/.* is owned by //p'"
    " | sed -E 's/-[^-]+-r[0-9]+$//'",
    "rpm": "rpm -qf --qf '%{NAME}\\n' \"$1\" 2>/dev/null",
}


def _owner(family: str | None, var: str) -> str:
    """The command that prints the package owning the file in shell variable ``var`` (empty
    when ``family`` has no package database)."""
    return _OWNERS.get(family or "", "").replace('"$1"', f'"${var}"')


def library_probe(paths: list[str], family: str | None, added: list[str] = ()) -> str:
    """The builder step that lists the packages owning the shared libraries under ``paths``
    (files or folders), and copies the libraries that no package owns. On apt, ``added``
    packages (the CA store the rewrite adds) start the list, so that on an archived release
    the builder's copy of their files comes instead."""
    owner = _owner(family, "l")
    real_owner = _owner(family, "r")
    quoted = " ".join(_shell_path(p) for p in paths)
    lines = [
        "# Find out what the program loads at run time: the shared libraries (ldd) and, from",
        "# this release's package database, the packages that own them. Libraries that no",
        "# package owns (a `make install` into /usr/local) are kept as files.",
        f"RUN set -e; mkdir -p {PROBE_DIR}/libs; : > {PROBE_DIR}/packages; \\",
        *(
            [
                f"    printf '%s\\n' {' '.join(shlex.quote(k) for k in added)} \\",
                f"      > {PROBE_DIR}/packages; \\",
            ]
            if added and family == "apt"
            else []
        ),
        f"    : > {PROBE_DIR}/owners; \\",
        # A kept library goes under its folder's real path: /lib is a link on merged /usr.
        '    keep() { d=$(cd "$(dirname "$1")" && pwd -P); mkdir -p "' + PROBE_DIR + '/libs$d"; '
        'cp -L "$1" "' + PROBE_DIR + '/libs$d/${1##*/}"; }; \\',
        f"    for p in {quoted}; do \\",
        '      [ -e "$p" ] || { echo "dockerslim: $p was not built" >&2; exit 1; }; \\',
        "    done; \\",
        f"    find {quoted} -type f \\( -name '*.so*' -o -perm -u+x \\) 2>/dev/null \\",
        '      | while read -r f; do ldd "$f" 2>/dev/null || :; done \\',
        "      | sed -n -e 's/.*=> \\(\\/[^ ]*\\) .*/\\1/p' \\",
        "        -e 's/^[[:space:]]*\\(\\/[^ ]*\\) (0x.*/\\1/p' \\",
        f"      | sort -u > {PROBE_DIR}/libraries; \\",
        # dlopen("libx.so.1") is invisible to ldd: a library named by a string of its own in
        # the program, or in a Ruby or Python source (ffi_lib, ctypes), and present in the
        # builder, is loaded at run time too.
        f"    {{ find {quoted} -type f \\( -name '*.so*' -o -perm -u+x \\) 2>/dev/null \\",
        "      | while read -r f; do LC_ALL=C tr -c ' -~' '\\n' < \"$f\" \\",
        "        | grep -E '^lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*$' || :; done; \\",
        f"      find {quoted} -type f \\( -name '*.rb' -o -name '*.py' \\) -exec \\",
        "        grep -ohE 'lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*' {} + 2>/dev/null || :; } \\",
        "      | sort -u \\",
        # Where the dynamic loader finds the name: its cache (glibc), else the usual folders.
        "      | while read -r n; do \\",
        "        l=$(ldconfig -p 2>/dev/null | awk -v n=\"$n\" '$1 == n {print $NF; exit}'); \\",
        '        [ -n "$l" ] || for d in /usr/local/lib /lib/*-linux-gnu /usr/lib/*-linux-gnu \\',
        "          /lib /usr/lib /lib64 /usr/lib64; do \\",
        '          if [ -e "$d/$n" ]; then l="$d/$n"; break; fi; done; \\',
        '        [ -z "$l" ] || echo "$l"; done | sort -u > ' f"{PROBE_DIR}/dlopened; \\",
        "    while read -r l; do \\",
        '      r=$(readlink -f "$l"); \\',
    ]
    if owner:
        # The library's own package goes in: the real file's owner when the database knows
        # it, else the name's (on merged /usr only one of /lib and /usr/lib is recorded).
        # A name only a -dev package has (libx.so) also comes along as a copy.
        lines += [
            f"      a=$({owner}); b=$({real_owner}); \\",
            f'      if [ -n "$b" ]; then echo "$r" >> {PROBE_DIR}/libraries; '
            '[ -z "$a" ] || [ "$a" = "$b" ] || keep "$l"; \\',
            f'      else echo "$l" >> {PROBE_DIR}/libraries; fi; \\',
        ]
    else:
        lines += [f'      echo "$l" >> {PROBE_DIR}/libraries; \\']
    lines += [
        f"    done < {PROBE_DIR}/dlopened; \\",
        f"    sort -u -o {PROBE_DIR}/libraries {PROBE_DIR}/libraries; \\",
        "    while read -r l; do \\",
    ]
    if owner:
        lines += [
            f"      p=$({owner}); \\",
            f'      [ -n "$p" ] || {{ r=$(readlink -f "$l"); p=$({real_owner}); }}; \\',
            f'      if [ -n "$p" ]; then echo "$p" >> {PROBE_DIR}/packages; '
            f'echo "$p $l" >> {PROBE_DIR}/owners; continue; fi; \\',
        ]
    lines += [
        '      keep "$l"; \\',
        f"    done < {PROBE_DIR}/libraries; \\",
        f"    sort -u -o {PROBE_DIR}/packages {PROBE_DIR}/packages",
    ]
    if family == "apt":
        # An archived release (buster has left deb.debian.org): the runtime stage could not
        # install the packages, so it gets the builder's copies of their libraries instead,
        # except the C library and the compiler runtime, which every Debian image has.
        lines[-1] += "; \\"
        lines += [
            # apt-get update succeeds when a mirror does not answer: ask for the packages.
            f"    [ ! -s {PROBE_DIR}/packages ] || apt-get update >/dev/null 2>&1 || :; \\",
            f"    gone=; for p in $(cat {PROBE_DIR}/packages); do \\",
            '      [ -n "$(apt-cache madison "$p" 2>/dev/null)" ] || gone="$gone $p"; done; \\',
            '    if [ -n "$gone" ]; then \\',
            '      echo "dockerslim: the package sources do not have$gone; the runtime gets the '
            "builder's copies of the libraries\" >&2; \\",
            "      while read -r p l; do \\",
            '        case "${l##*/}" in libc.so*|ld-linux*|libm.so*|libpthread.so*|libdl.so*| \\',
            '          librt.so*|libgcc_s.so*|libstdc++.so*) ;; *) keep "$l" ;; esac; \\',
            f"      done < {PROBE_DIR}/owners; : > {PROBE_DIR}/packages; \\",
            # The CA store the runtime would have installed: the builder's copy instead.
            '      case " $gone " in *" ca-certificates "*) \\',
            '        c=/etc/ssl/certs/ca-certificates.crt; [ ! -e "$c" ] || keep "$c" ;; esac; \\',
            "    fi",
        ]
    return "\n".join(lines)


# Dependencies that run a program of RUN_TOOL_PACKAGES, by the manifest that lists them
# (Gemfile.lock, package.json, requirements files): the mini_magick gem runs convert. Each
# manifest is read with its own syntax, so the gem named git is not the "git" of a
# package.json's "repository" entry.
TOOL_DEPENDENCIES = {
    "gem": {
        "mini_magick": ("convert", "identify"),
        "paperclip": ("convert", "identify", "file"),
        "dragonfly": ("convert", "identify"),
        "image_processing": ("convert", "identify"),
        "streamio-ffmpeg": ("ffmpeg", "ffprobe"),
        "git": ("git",),
    },
    "npm": {
        "gm": ("convert", "identify"),
        "imagemagick": ("convert", "identify"),
        "fluent-ffmpeg": ("ffmpeg", "ffprobe"),
        "simple-git": ("git",),
        # Node-RED's palette manager installs nodes with npm while it runs.
        "node-red": ("npm",),
    },
    "pypi": {
        "ffmpeg-python": ("ffmpeg",),
        "pydub": ("ffmpeg",),
        "GitPython": ("git",),
    },
}
# How each manifest lists a dependency ($n): a gem's line in Gemfile.lock's specs, a key of
# package.json, a requirement at the start of a line (Python names ignore case).
_MANIFESTS = (
    ("gem", "Gemfile.lock", "^    ", " [(]"),
    ("npm", "package.json", '"', '"[[:space:]]*:'),
    ("pypi", "requirements*.txt", "^", "([[:space:]=<>~!;,[]|$)"),
)
# A package manager the app runs installs packages while it runs (an app store, plugins,
# a client build at start): native packages compile then, so the compilers, make, python
# (node-gyp) and git the original image had stay in the runtime.
INSTALLERS = ("npm", "yarn", "pnpm", "pip", "pip3")
INSTALL_TOOLS = ("make", "cc", "gcc", "c++", "g++", "pkg-config", "python3", "python", "git")
# Words too common in sources to mean a command: found through dependencies only.
_BY_DEPENDENCY_ONLY = frozenset({"convert", "identify", "file"})
_SOURCE_NAMES = (
    *("rb", "erb", "rake", "py", "js", "mjs", "cjs", "ts", "php", "sh", "pl"),
    *("ex", "exs", "erl"),  # System.cmd("git", …), os:cmd("git …")
)
# Dependencies and git hooks (developer tools that run git, not the program).
_DEPENDENCY_FOLDERS = (
    "vendor",
    "node_modules",
    "deps",  # mix's dependency sources
    "_build",  # rebar3's and mix's build trees, dependencies included
    ".git",
    "site-packages",
    "dist-packages",
    ".husky",
    ".githooks",
    "githooks",
    "git-hooks",
    "pre-commit*",
    "pre-push*",
    "*commit-hook*",
)


def tool_probe(
    folders: list[str],
    family: str,
    runtime: str = "same",
    packages: tuple[str, ...] = (),
    build_packages: tuple[str, ...] = (),
) -> str:
    """The builder step that finds the programs the app's own code runs (a quoted command
    name in its sources, ``exec.Command("git", …)`` in Go) or that a dependency of it runs
    (mini_magick runs convert), of those the builder has. ``runtime`` says what becomes of
    them: ``same`` adds the packages that have them here (by this release's names) to the
    runtime's packages; ``alpine`` lists their alpine packages for the runtime stage to add;
    any other family (busybox, scratch, distroless) cannot install them, so the build stops
    and says so. The programs of ``packages`` (left out of that runtime) count too: their
    commands are listed from the package database. ``build_packages``, the build-only
    packages the original installed (headers, build tools), stay too when the app runs a
    package manager: what it installs compiles against them."""
    tools = " ".join(t for t in RUN_TOOL_PACKAGES if t not in _BY_DEPENDENCY_ONLY)
    if runtime == "same" or runtime in _DISTROLESS_CALLS:
        tools += " " + " ".join(INSTALLERS)
    if packages:
        # The commands of the packages the runtime leaves out (python3 gives python3.11).
        tools += " $(for p in " + " ".join(shlex.quote(p) for p in packages) + "; do "
        tools += "dpkg -L \"$p\" 2>/dev/null | sed -n 's,^.*/s*bin/\\([^/]*\\)$,\\1,p'; done)"
    quoted = " ".join(_shell_path(f) for f in folders)
    prune = " -o ".join(f"-name {shlex.quote(d)}" for d in _DEPENDENCY_FOLDERS)
    names = " -o ".join(f"-name '*.{s}'" for s in _SOURCE_NAMES)
    manifests = " -o ".join(f"-name {shlex.quote(name)}" for _, name, _, _ in _MANIFESTS)
    kinds = " ".join(
        f"{name}) i={'-i' if kind == 'pypi' else ''}; a={shlex.quote(before)}; "
        f"z={shlex.quote(after)}; deps='"
        + " ".join(f"{n}={','.join(r)}" for n, r in sorted(TOOL_DEPENDENCIES[kind].items()))
        + "' ;;"
        for kind, name, before, after in _MANIFESTS
    )
    find = f"find {quoted} \\( {prune} \\) -prune -o -type f"
    # A compiled program on a minimal base runs only what its code runs (exec.Command,
    # Command::new); scripts and manifests beside its sources are not part of it.
    native = runtime != "same"
    # An interpreter on distroless: the calls that start programs name what it runs.
    suffixes, calls = _DISTROLESS_CALLS.get(runtime, ((), ""))
    interpreted = bool(suffixes)
    call_names = "".join(f" -o -name '*.{s}'" for s in suffixes)
    lines = [
        "# Find out which programs the app's own code runs (a quoted command name in its",
        "# sources, exec.Command in Go, or a dependency that runs one, like mini_magick):",
        _TOOL_PROBE_OUTCOME.get(runtime, _TOOL_PROBE_OUTCOME["other"]),
        f"RUN set -e; mkdir -p {PROBE_DIR}; : > {PROBE_DIR}/runs; : > {PROBE_DIR}/sources; \\",
    ]
    if not native or interpreted:
        # A backtick (the escape character of `# escape=` files) made with printf.
        lines += ["    b=$(printf '\\140'); \\"]
    if not native:
        lines += [
            f"    {find} \\( {names} \\) -print 2>/dev/null > {PROBE_DIR}/sources || :; \\",
        ]
    lines += [
        f"    {find} \\( -name '*.go' -o -name '*.rs'{call_names} \\) -print 2>/dev/null \\",
        f"      > {PROBE_DIR}/compiled || :; \\",
        # One line per file: a call whose arguments start on the next line still counts.
        "    while read -r f; do { tr '\\n\\r\\t' '   ' < \"$f\"; echo; } 2>/dev/null || :; \\",
        f"      done < {PROBE_DIR}/compiled > {PROBE_DIR}/calls; \\",
        f"    for t in {tools}; do \\",
        # A package manager counts as its own quoted word (spawn('npm', …)) or with an
        # install verb (`npm ci`), not in a comment's `npm start`.
        f"      case $t in {'|'.join(INSTALLERS)}) "
        'z="([\\"\'$b]|[[:space:]]+(install|ci|i|add|rebuild|update)([[:space:]\\"\'$b]|\\$))" ;; '
        '*) z="([\\"\' $b]|\\$)" ;; esac; \\',
        "      if { "
        + (
            ""
            if native
            # A quoted command, or one later in a quoted command line (`cd x && git pull`).
            else 'xargs -r grep -lE "([\\"\'$b]|%x[(]|(&&|;)[[:space:]]*)$t$z" \\\n'
            f"          < {PROBE_DIR}/sources 2>/dev/null; \\\n        "
        )
        + 'grep -E "(exec[.]Command(Context)?[(]([^,()]*,[[:space:]]*)?|'
        'Command::new[(][[:space:]]*)\\"$t\\"' + (f"|{calls}" if calls else "") + '" \\',
        f"          {PROBE_DIR}/calls 2>/dev/null; }} | head -n1 | grep -q .; \\",
        f'      then echo "$t" >> {PROBE_DIR}/runs; fi; \\',
        "    done; \\",
    ]
    if not native:
        lines += [
            f"    {find} \\( {manifests} \\) -print 2>/dev/null | while read -r f; do \\",
            f'      case "${{f##*/}}" in {kinds} esac; \\',
            "      for d in $deps; do \\",
            '        if grep -q $i -E "$a${d%%=*}$z" "$f"; then echo "${d#*=}" | tr , \'\\n\' \\',
            f"          >> {PROBE_DIR}/runs; fi; \\",
            "      done; \\",
            "    done; \\",
        ]
    if runtime == "same":
        # An app that runs a package manager builds native packages while it runs.
        lines += [
            f"    if grep -qxE '{'|'.join(INSTALLERS)}' {PROBE_DIR}/runs; then \\",
            '      echo "dockerslim: the app runs a package manager: the compilers and headers '
            'it builds native packages with stay" >&2; \\',
            f"      printf '%s\\n' {' '.join(INSTALL_TOOLS)} >> {PROBE_DIR}/runs; \\",
            "    fi; \\",
        ]
    lines += [
        # Only what the original image had: a program it lacked never ran there either.
        f"    for t in $(sort -u {PROBE_DIR}/runs); do \\",
        '      c=$(command -v "$t" 2>/dev/null) || continue; \\',
    ]
    if runtime == "same" and family == "apt":
        # Whether the mirror still has a package needs fresh lists (the build may have
        # deleted them); an update that fails leaves none, and nothing is added.
        lines.insert(
            -2,
            f"    [ ! -s {PROBE_DIR}/runs ] || apt-get update >/dev/null 2>&1 || :; \\",
        )
    if runtime == "same":
        owner = _owner(family, "r")
        lines += [
            # The command's own path first: /usr/bin/g++ is the g++ package's, the file
            # it leads to the versioned compiler's.
            f"      r=$c; p=$({owner}); \\",
            '      [ -n "$p" ] || { r=$(readlink -f "$c"); p=$(' + owner + "); }; \\",
            '      [ -n "$p" ] || { r=${r#/usr}; p=$(' + owner + "); }; \\",
            '      [ -n "$p" ] || continue; \\',
            # python3-minimal has no standard library to speak of: the full package.
            '      case "$p" in python*-minimal) p=${p%-minimal} ;; esac; \\',
            *(
                # A release the mirror no longer has (the library probe then copies files
                # instead): the package cannot be installed, and the runtime does without.
                [
                    '      if [ -z "$(apt-cache madison "$p" 2>/dev/null)" ]; then '
                    'echo "dockerslim: the app may run $t, but the package sources no longer '
                    'have $p" >&2; continue; fi; \\',
                ]
                if family == "apt"
                else []
            ),
            '      echo "$p" >> ' + PROBE_DIR + "/packages; "
            'echo "dockerslim: the app runs $t: $p stays in the runtime" >&2; \\',
            f"    done; touch {PROBE_DIR}/packages; \\",
        ]
        if build_packages:
            check = '[ -z "$(apt-cache madison "$p" 2>/dev/null)" ] || ' if family == "apt" else ""
            lines += [
                f"    if grep -qxE '{'|'.join(INSTALLERS)}' {PROBE_DIR}/runs; then \\",
                "      for p in "
                + " ".join(shlex.quote(b) for b in build_packages)
                + "; do "
                + check
                + f'echo "$p" >> {PROBE_DIR}/packages; done; \\',
                "    fi; \\",
            ]
        lines += [f"    sort -u -o {PROBE_DIR}/packages {PROBE_DIR}/packages"]
    elif runtime == "alpine":
        cases = " ".join(f"{t}) p={p} ;;" for t, p in RUN_TOOL_PACKAGES.items())
        lines += [
            f'      case "$t" in {cases} *) continue ;; esac; \\',
            f'      echo "$p" >> {PROBE_DIR}/tools; \\',
            '      echo "dockerslim: the app runs $t: alpine\'s $p goes in the runtime" >&2; \\',
            f"    done; touch {PROBE_DIR}/tools; sort -u -o {PROBE_DIR}/tools {PROBE_DIR}/tools",
        ]
    else:
        shown = "distroless" if interpreted else runtime
        fix = "--runtime slim" if interpreted else "--runtime alpine or --runtime slim"
        lines += [
            '      echo "dockerslim: the app runs $t, which the ' + shown + " runtime does not "
            f'have; rewrite with {fix}" >&2; exit 1; \\',
            "    done",
        ]
    return "\n".join(lines)


# The sources of an interpreted program on distroless, and the calls in them that start a
# program ($t): child_process in Node.js, ProcessBuilder and Runtime.exec on the JVM.
_JVM_CALLS = (
    ("java", "kt", "scala", "groovy"),
    "(ProcessBuilder|[.]exec|[.]command)[(][[:space:]]*(List[.]of[(]|Arrays[.]asList[(]|"
    'new String[[][]][[:space:]]*[{])?[[:space:]]*\\"$t[\\" ]',
)
_DISTROLESS_CALLS = {
    "distroless-python": (
        ("py",),
        "(subprocess[.](run|call|check_call|check_output|Popen)|os[.]exec[a-z]*|os[.]spawn[a-z]*)"
        "[(][[:space:]]*[[(]?[[:space:]]*[\\\"'$b]$t[\\\"' $b]",
    ),
    "distroless-node": (
        ("js", "mjs", "cjs"),
        "(spawn|spawnSync|execFile|execFileSync|exec|execSync)[(][[:space:]]*[\\\"'$b]$t"
        "[\\\"' $b]",
    ),
    "distroless-java": _JVM_CALLS,
    "distroless-jlink": _JVM_CALLS,
}
_TOOL_PROBE_OUTCOME = {
    "same": "# the packages that have them here stay in the runtime, by this release's names.",
    "alpine": "# alpine's packages of them go in the runtime stage.",
    "other": "# the runtime base cannot install them, so the build stops if there are any.",
}
TOOLS_LIST = f"{PROBE_DIR}/tools"
"""The alpine packages of the programs the app runs, found by :func:`tool_probe`."""


def release_check_step(codename: str, image: str) -> str:
    """The builder step that stops the build when the builder is not on ``codename``, the
    Debian release the runtime stage was chosen for."""
    found = '$(. /etc/os-release; echo "${PRETTY_NAME:-unknown}")'
    return (
        f"# {image} does not name its Debian release; the runtime stage is {codename}'s.\n"
        "# Stop here if this builder is another release: its libraries would not match.\n"
        f"RUN grep -qs '^VERSION_CODENAME={codename}$' /etc/os-release \\\n"
        f"    || grep -qs '({codename})' /etc/os-release \\\n"
        f'    || {{ echo "dockerslim: the builder is {found}, not Debian {codename}; rewrite '
        "with --runtime-image and that release's image\" >&2; exit 1; }"
    )


APT_STAGE = f"{PROBE_DIR}/apt"
APT_SOURCES_STAGE = (
    "# The package sources and keys, for the runtime stage's install (same release), and\n"
    "# the CA store that an https source (nodesource, pgdg) needs to be read there.\n"
    f"RUN mkdir -p {APT_STAGE}/etc {APT_STAGE}/usr/share && cp -a /etc/apt {APT_STAGE}/etc/ \\\n"
    "    && if [ -d /usr/share/keyrings ]; then \\\n"
    f"      cp -a /usr/share/keyrings {APT_STAGE}/usr/share/; fi \\\n"
    "    && if [ -e /etc/ssl/certs/ca-certificates.crt ]; then \\\n"
    f"      mkdir -p {APT_STAGE}/etc/ssl/certs \\\n"
    f"      && cp -L /etc/ssl/certs/ca-certificates.crt {APT_STAGE}/etc/ssl/certs/; fi"
)


def installs_recommends(facts: StageFacts) -> bool:
    """Whether the original's apt installs brought recommended packages (no
    ``--no-install-recommends``, and no apt setting that turns them off): the runtime's
    reinstall does the same, so matplotlib keeps its python-tk and curl its CA store."""
    if any("Install-Recommends" in ins.value for ins in facts.stage.instructions):
        return False
    return any(
        not install.command.has_flag("--no-install-recommends")
        for step in facts.steps
        for install in package_installs(step.script)
        if install.manager == "apt" and install.packages
    )


def runtime_install(
    family: str | None,
    kept: list[str],
    probed: bool,
    recommends: bool = False,
    image: str | None = None,
) -> list[str]:
    """The runtime stage's steps that install the kept packages and those the probe found
    (only the ones missing), and put back the libraries no package owns."""
    steps: list[str] = []
    no_recommends = "" if recommends else " --no-install-recommends"
    packages = " ".join(kept)
    listed = f"$(cat {PROBE_DIR}/packages)" if probed else ""
    wanted = " ".join(w for w in (packages, listed) if w)
    if probed:
        # Only the findings: the builder may stage other things under the same folder.
        steps.append(f"COPY --from=BUILDER {PROBE_DIR}/packages {PROBE_DIR}/packages")
        steps.append(f"COPY --from=BUILDER {PROBE_DIR}/libs {PROBE_DIR}/libs")
    if wanted and family == "apt":
        steps.append(
            "# The packages the program had at run time, by their names on this release.\n"
            f"RUN set -e; missing=; for p in {wanted}; do \\\n"
            '      dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done; \\\n'
            '    if [ -n "$missing" ]; then \\\n'
            # An https source on a release whose apt cannot read https by itself (stretch):
            # apt-transport-https first, from the release's own sources.
            "      if [ ! -e /usr/lib/apt/methods/https ] \\\n"
            "        && grep -rqsE '^(deb( [[][^]]*[]])? https|URIs: *https)' \\\n"
            "          /etc/apt/sources.list.d; then \\\n"
            "        apt-get update -o Dir::Etc::sourceparts=/nonexistent \\\n"
            "        && DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n"
            "          --no-install-recommends apt-transport-https ca-certificates; fi; \\\n"
            # The slim images leave out man pages, and a JRE's postinst links java.1.gz into
            # /usr/share/man/man1: without the folder it fails (Debian bug 863199).
            '      case "$missing" in *jre*|*jdk*) mkdir -p /usr/share/man/man1 ;; esac; \\\n'
            "      apt-get update \\\n"
            "      && DEBIAN_FRONTEND=noninteractive \\\n"
            f"        apt-get install -y{no_recommends} $missing \\\n"
            "      && rm -rf /var/lib/apt/lists/*; fi"
        )
    elif wanted and family == "apk":
        steps.append(
            "# The packages the program had at run time, by their names on this release.\n"
            f"RUN {apk_add(image, wanted)}"
        )
    elif wanted and family == "rpm":
        steps.append(
            "# The packages the program had at run time, by their names on this release.\n"
            f"RUN (command -v dnf >/dev/null && dnf install -y {wanted} || yum install -y "
            f"{wanted}) && (dnf clean all || yum clean all)"
        )
    if probed:
        steps.append(
            f"RUN cp -R {PROBE_DIR}/libs/. / && rm -rf {PROBE_DIR} && (ldconfig 2>/dev/null || :)"
        )
    return steps


TREE_LIST = f"{PROBE_DIR}/installed"
"""The collect step's list of the files in the installed tree."""
DANGLING_LINKS_STEP = (
    "# A link the build's packages made to a file of a package the runtime does not have\n"
    "# (an extension that a build tool's dependency enabled) would point nowhere: remove it.\n"
    'RUN while read -r f; do if [ -L "$f" ] && [ ! -e "$f" ]; then rm -f "$f"; fi; '
    f"done < {TREE_LIST} \\\n    && rm -rf {PROBE_DIR}"
)

# Folders for files a build uses once; nothing in them is copied to the runtime stage.
SCRATCH_FOLDERS = ["/tmp", "/var/tmp"]


def replayed_state(facts: StageFacts, copied: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Build-step commands that made state the program may rely on: (accounts, to run before
    the copies; folders, links and capabilities, to run after them; commands not replayed
    because they name paths the runtime stage does not have)."""
    accounts: list[str] = []
    after: list[tuple[str | None, str]] = []
    skipped: list[str] = []
    context_dests = context_destinations(facts)
    users = _users_by_line(facts)
    made: list[str] = []  # folders and links the replayed commands make
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename in ACCOUNT_COMMANDS:
                accounts.append(cmd.text)
                continue
            if cmd.basename not in STATE_COMMANDS:
                continue
            if cmd.basename == "ln" and not any(a.startswith("-") and "s" in a for a in cmd.args):
                continue
            paths = [
                _absolute(a, step.workdir)
                for a in cmd.args
                if a.startswith(("/", "./")) or "/" in a
            ]
            paths = [p for p in paths if p is not None]
            if not paths or any("$" in p or "*" in p for p in paths):
                skipped.append(cmd.text)
                continue
            if any(_under(p, context_dests) and not _under(p, copied) for p in paths):
                continue  # about the sources or the build tree: not in the runtime stage
            if cmd.basename != "mkdir" and any(_under(p, SCRATCH_FOLDERS) for p in paths):
                continue  # a temporary file (an installer in /tmp): never copied

            relative = any(not a.startswith(("/", "-")) and "/" in a for a in cmd.args)
            text = cmd.text
            if cmd.basename == "mkdir" and not any(
                a == "-p" or (a.startswith("-") and not a.startswith("--") and "p" in a)
                for a in cmd.args
            ):
                # A WORKDIR or a copy may already have made the folder: replay idempotently.
                text = text.replace("mkdir", "mkdir -p", 1)
            if cmd.basename == "ln" and not any(
                a.startswith("-") and not a.startswith("--") and "f" in a for a in cmd.args
            ):
                # The installed tree may already hold the link: replace it with itself.
                text = text.replace("ln ", "ln -fn ", 1)
            if cmd.basename in {"chown", "chmod", "chgrp", "setcap"}:
                # A file the runtime stage may not have (a tool downloaded to /usr/local/bin
                # that no copy brings): change it where it exists, rather than fail the build.
                missing = [p for p in dict.fromkeys(paths) if not _under(p, copied + made)]
                if missing:
                    test = " && ".join(f"[ -e {shlex.quote(p)} ]" for p in missing)
                    text = f"if {test}; then {text}; fi"
            if cmd.basename in {"mkdir", "ln"}:
                made += paths if cmd.basename == "mkdir" else paths[-1:]
            text = _with_cd(text, step.workdir) if relative else text
            after.append((users.get(step.instruction.start_line), text))
    return accounts, _as_users(after), skipped


def _users_by_line(facts: StageFacts) -> dict[int, str | None]:
    """The USER in effect at each RUN of the stage (``None``: the image's default, root)."""
    user: str | None = None
    found: dict[int, str | None] = {}
    for ins in facts.stage.instructions:
        if ins.keyword == "USER":
            user = ins.value.strip() or None
            if user is not None and user.split(":")[0] in {"root", "0"}:
                user = None
        elif ins.keyword == "RUN":
            found[ins.start_line] = user
    return found


def _as_users(commands: list[tuple[str | None, str]]) -> list[str]:
    """Commands grouped by the user that ran them in the build: one RUN per group, each
    under that USER, and back to root at the end, where the runtime stage's own USER line
    (if any) follows."""
    groups: list[tuple[str | None, list[str]]] = []
    for user, text in commands:
        if groups and groups[-1][0] == user:
            groups[-1][1].append(text)
        else:
            groups.append((user, [text]))
    lines: list[str] = []
    for user, texts in groups:
        if user is not None:
            lines.append(f"USER {user}")
        lines.append("RUN " + " \\\n    && ".join(texts))
        if user is not None:
            lines.append("USER root")
    return lines


def _with_cd(text: str, workdir: str | None) -> str:
    return text if not workdir or workdir == "/" else f"cd {shlex.quote(workdir)} && {text}"


def _absolute(arg: str, workdir: str | None) -> str | None:
    if arg.startswith("-") or "=" in arg.split("/", 1)[0]:
        return None
    return posixpath.normpath(posixpath.join(workdir or "/", arg))


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots if r)


APP_STAGE = f"{PROBE_DIR}/app"
# Build trees and version control inside an app folder: large, and not read at run time.
APP_EXCLUDED = (".git", "target", "node_modules", ".cache")
# An ecosystem's own build trees in the app folder.
BUILD_TREES = {
    "haskell": ("dist-newstyle", ".stack-work"),
    "erlang": ("_build",),
    # mix keeps the dependencies' sources in deps/; the release holds what they compiled to.
    "elixir": ("_build", "deps"),
}


# Beside the build marker, out of /tmp, which builds clean.
BASE_ENTRIES = "/.dslim-base-entries"


def base_entries_step(folder: str) -> str:
    """The builder's first step when the app lives in a folder base images use too (/opt):
    the names the base image has there, which are not the app's."""
    return (
        f"# What {folder} holds before the build is the base image's, not the app's.\n"
        f"RUN ls -A {shlex.quote(folder)} > {BASE_ENTRIES} 2>/dev/null || :"
    )


def app_stage_step(
    folder: str,
    installed: list[str] = (),
    shared: bool = False,
    ecosystem: str = "",
    named: list[str] = (),
) -> str:
    """The builder step that stages the app folder without build trees and version control,
    nor the in-tree copies of programs the runtime stage gets installed elsewhere, nor the
    files it copies by name (``named``, relative to the folder), nor (in a ``shared`` folder
    such as /opt) what the base image had there."""
    names = [*APP_EXCLUDED, *BUILD_TREES.get(ecosystem, ())]
    names += sorted({posixpath.basename(p) for p in installed} | set(named))
    dropped = " ".join(f"{APP_STAGE}/{shlex.quote(name)}" for name in names)
    base = (
        f" \\\n    && {{ [ ! -f {BASE_ENTRIES} ] || while read -r n; do "
        f'rm -rf "{APP_STAGE}/$n"; done < {BASE_ENTRIES}; }}'
        if shared
        else ""
    )
    return (
        "# The app folder as the program saw it (configs, templates, assets it reads by\n"
        "# relative path), without build trees and version control.\n"
        f"RUN mkdir -p {APP_STAGE} && cp -a {shlex.quote(folder)}/. {APP_STAGE}/ "
        f"&& rm -rf {dropped}{base} \\\n"
        f"    && find {APP_STAGE} \\( -name '*.o' -o -name '*.a' -o -name '*.obj' \\) -delete"
    )


# What distroless/cc ships (glibc, libgcc, libstdc++, OpenSSL): a program linking anything
# else cannot run there.
DISTROLESS_CC_LIBRARIES = (
    "linux-vdso",
    "ld-linux",
    "libc.so",
    "libm.so",
    "libpthread.so",
    "libdl.so",
    "librt.so",
    "libresolv.so",
    "libutil.so",
    "libgcc_s.so",
    "libstdc++.so",
    "libgomp.so",
    "libssl.so",
    "libcrypto.so",
)


def _links_only(comment: str, listing: str, allowed: tuple[str, ...], lacking: str) -> str:
    """The builder step that fails the build, naming ``--runtime slim``, when a line of
    ``listing`` (a pipeline of ``ldd`` output) names a library none of ``allowed`` matches;
    ``lacking`` says what links them."""
    grep = " ".join(f"-e {shlex.quote(name)}" for name in allowed)
    return (
        f"# {comment}\n"
        f"RUN extra=$({listing} | grep -v {grep} || :); \\\n"
        f'    [ -z "$extra" ] || {{ echo "dockerslim: {lacking}: $extra; pass --runtime slim" '
        ">&2; exit 1; }"
    )


def distroless_check(binaries: list[str]) -> str:
    """The builder step that fails the build when a binary links a library distroless/cc
    does not ship (the choice was made from the file; the binary has the last word)."""
    quoted = " ".join(shlex.quote(b) for b in binaries)
    return _links_only(
        "The runtime is distroless/cc: check that the program links nothing else.",
        f"ldd {quoted} 2>/dev/null | grep '=>'",
        DISTROLESS_CC_LIBRARIES,
        "the program links libraries distroless/cc lacks",
    )


def native_modules_check(folders: list[str]) -> str:
    """The builder step that fails the build when a native Node.js module (``*.node``) of the
    app links a library that distroless Node.js lacks (it has glibc, the C++ runtime, zlib
    and what node itself loads)."""
    quoted = " ".join(_shell_path(f) for f in folders)
    return _links_only(
        "The runtime is distroless Node.js: check that native modules link nothing else.",
        f"find {quoted} -name '*.node' -type f 2>/dev/null \\\n"
        "      | while read -r f; do ldd \"$f\" 2>/dev/null || :; done | grep '=>'",
        (*DISTROLESS_CC_LIBRARIES, "libz.so", "libnode.so"),
        "native modules link libraries distroless Node.js lacks",
    )


# What Debian 12's Python in the distroless image loads besides distroless/cc's libraries:
# a compiled module that links anything else cannot load there.
DISTROLESS_PYTHON_LIBRARIES = (
    "libz.so",
    "libbz2.so",
    "liblzma.so",
    "libexpat.so",
    "libffi.so",
    "libsqlite3.so",
    "libssl.so",
    "libcrypto.so",
    "libuuid.so",
    "libcrypt.so",
    "libnsl.so",
    "libtirpc.so",
    "libreadline.so",
    "libncursesw.so",
    "libpanelw.so",
    "libtinfo.so",
    "libdb-5.3.so",
    "libgssapi_krb5.so",
    "libkrb5.so",
    "libk5crypto.so",
    "libkrb5support.so",
    "libcom_err.so",
    "libkeyutils.so",
)


def python_modules_check(folders: list[str]) -> str:
    """The builder step that fails the build when a compiled module (``*.so``) of the copied
    folders links a library the distroless Python image lacks (the libraries a wheel brings
    in its own folder come along), or needs a newer glibc than its Debian 12 one."""
    quoted = " ".join(_shell_path(f) for f in folders)
    allowed = " ".join(
        f"-e {shlex.quote(n)}" for n in (*DISTROLESS_CC_LIBRARIES, *DISTROLESS_PYTHON_LIBRARIES)
    )
    inside = " ".join(f"{_shell_path(f)}/*) ;;" for f in folders)
    slim = 'pass --runtime slim" >&2; exit 1; }'
    return "\n".join(
        [
            "# The runtime is distroless Python: check that compiled modules link nothing it",
            f"# lacks and need no newer glibc than Debian 12's 2.{DISTROLESS_GLIBC_MINOR}.",
            f"RUN mkdir -p {PROBE_DIR}; \\",
            f"    find {quoted} -name '*.so*' -type f 2>/dev/null > {PROBE_DIR}/modules || :; \\",
            '    extra=$(while read -r f; do ldd "$f" 2>/dev/null || :; done \\',
            f"      < {PROBE_DIR}/modules \\",
            "      | grep '=>' | while read -r n _ l _; do case \"$l\" in \\",
            f'        {inside} *) echo "$n" ;; esac; done \\',
            f"      | grep -v {allowed} | sort -u | xargs); \\",
            '    [ -z "$extra" ] || { echo "dockerslim: compiled modules link libraries '
            f"distroless Python lacks: $extra; {slim}; \\",
            f"    v=$(xargs -r cat < {PROBE_DIR}/modules | grep -ao 'GLIBC_2[.][0-9]*' \\",
            f"      | cut -d. -f2 | sort -n | tail -n1); rm -f {PROBE_DIR}/modules; \\",
            f'    [ "${{v:-0}}" -le {DISTROLESS_GLIBC_MINOR} ] || {{ echo "dockerslim: compiled '
            f"modules need glibc 2.$v, newer than distroless Python's 2.{DISTROLESS_GLIBC_MINOR}; "
            f"{slim}",
        ]
    )


def python_module_check(module: str, folders: list[str]) -> str:
    """The builder step that fails the build when none of ``folders`` (site-packages) has
    ``module`` as a package with ``__main__`` or as a file: ``python -m module`` would not
    start the console script's program."""
    checks = " || ".join(
        f"[ -f {_shell_path(f)}/{module}/__main__.py ] || [ -f {_shell_path(f)}/{module}.py ]"
        for f in folders
    )
    return (
        f"# The runtime runs {module} as `python -m {module}`: check that the module exists.\n"
        f"RUN {checks or 'false'} \\\n"
        f'    || {{ echo "dockerslim: no module {module} to run with python -m {module} in '
        'distroless Python; pass --runtime slim" >&2; exit 1; }'
    )


def python_shell_check(folders: list[str]) -> str:
    """The builder step that fails the build when the app's own Python code runs commands
    through a shell (``os.system``, ``os.popen``, ``shell=True``): distroless has none."""
    quoted = " ".join(_shell_path(f) for f in folders)
    prune = " -o ".join(f"-name {shlex.quote(d)}" for d in _DEPENDENCY_FOLDERS)
    return (
        "# The runtime is distroless Python, which has no shell: stop if the app's code\n"
        "# runs commands through one.\n"
        f"RUN f=$(find {quoted} \\( {prune} \\) -prune -o -type f -name '*.py' -print \\\n"
        "      2>/dev/null | xargs -r grep -lE "
        "'(os[.](system|popen)[(]|shell[[:space:]]*=[[:space:]]*True)' | head -n1); \\\n"
        '    [ -z "$f" ] || { echo "dockerslim: $f runs commands through a shell, which '
        'distroless Python does not have; pass --runtime slim" >&2; exit 1; }'
    )


JAVA_STAGE = f"{PROBE_DIR}/java"
"""Where the builder leaves the Java runtime jlink made; the runtime stage copies it."""
# Modules a program loads by name (service providers), which jdeps cannot see: the elliptic
# curves of TLS and the zip file system. Added when the JDK has them (newer JDKs moved the
# curves into java.base).
JAVA_BY_NAME = ("jdk.crypto.ec", "jdk.zipfs")
# When jdeps cannot tell (a fat jar's nested jars): the whole Java SE, and sun.misc.Unsafe,
# which libraries such as Netty and Spring's use.
JAVA_WHOLE = ("java.se", "jdk.unsupported")
# Debian 12's glibc, which distroless/cc ships: a runtime that needs a newer one cannot run.
DISTROLESS_GLIBC_MINOR = 36


def java_runtime_step(paths: list[str], major: int, modules: tuple[str, ...] = ()) -> str:
    """The builder step that makes the Java runtime of a distroless/cc image: the modules
    jdeps finds in the app's jars and classes at ``paths`` (all of Java SE when it cannot
    tell), those loaded by name that the JDK has, ``modules``, linked by jlink into
    :data:`JAVA_STAGE` without debug attributes, headers or man pages."""
    quoted = " ".join(_shell_path(p) for p in paths)
    # --strip-debug also strips native symbols since JDK 13, with objcopy, which Debian's
    # JDK images lack; --strip-java-debug-attributes (13+) strips what --strip-debug did
    # before. zip-6 is --compress=2's name from JDK 21 on, which warns about the old one.
    strip = "--strip-java-debug-attributes" if major >= 13 else "--strip-debug"
    compress = "zip-6" if major >= 21 else "2"
    added = "".join(f",{m}" for m in modules)
    named = ", ".join(JAVA_BY_NAME)
    more = f", and {', '.join(modules)}." if modules else "; --java-modules adds more."
    stop = "exit 1; }; \\"
    lines = [
        "# The runtime is distroless/cc with a Java runtime made for the app: jdeps lists",
        "# the modules its classes use and jlink links only those. A fat jar (Spring Boot's)",
        "# holds jars jdeps does not read: it gets all of Java SE. Modules loaded by name,",
        f"# which jdeps cannot see, come along: {named}, jdk.naming.dns",
        f"# with JNDI{more}",
        f"RUN set -e; mkdir -p {PROBE_DIR}; \\",
        "    l=$(command -v jlink) \\",
        '      || { echo "dockerslim: the builder has no jlink; pass --runtime slim" >&2; ' + stop,
        '    jdk=$(dirname "$(dirname "$(readlink -f "$l")")"); \\',
        f"    set --; for p in {quoted}; do \\",
        '      [ -e "$p" ] || { echo "dockerslim: $p was not built" >&2; ' + stop,
        '      set -- "$@" "$p"; [ ! -d "$p" ] || for j in \\',
        '        $(find "$p" -type f -name \'*.jar\'); do set -- "$@" "$j"; done; \\',
        "    done; \\",
        '    mods=; nested=; for f in "$@"; do [ ! -f "$f" ] \\',
        '      || ! "$jdk/bin/jar" tf "$f" | grep -q \'[.]jar$\' || nested=$f; done; \\',
        '    [ -n "$nested" ] || mods=$("$jdk/bin/jdeps" --ignore-missing-deps \\',
        f'      --print-module-deps --multi-release {major} -q "$@") || mods=; \\',
        f'    if [ -z "$mods" ]; then mods={",".join(JAVA_WHOLE)}; \\',
        '      echo "dockerslim: jdeps could not list the modules the app uses'
        "${nested:+ ($nested holds jars)}; the runtime gets "
        + " and ".join(JAVA_WHOLE)
        + '; --java-modules adds more" >&2; fi; \\',
        '    case ",$mods," in *,java.naming,*|*,java.se,*) \\',
        '      mods="$mods,jdk.naming.dns" ;; esac; \\',
        f"    for m in {' '.join(JAVA_BY_NAME)}; do \\",
        '      if "$jdk/bin/java" --list-modules | grep -q "^$m@"; then \\',
        '        mods="$mods,$m"; fi; \\',
        "    done; \\",
        *([f'    mods="$mods{added}"; \\'] if added else []),
        '    echo "dockerslim: the Java runtime has $mods" >&2; \\',
        f'    "$jdk/bin/jlink" --add-modules "$mods" {strip} --no-header-files \\',
        f"      --no-man-pages --compress={compress} --output {JAVA_STAGE}",
    ]
    return "\n".join(lines)


# java.desktop's libraries that load only when the program draws, renders text, reads
# images or plays sound; they link freetype, libjpeg, lcms2, alsa or X11 on most JDKs.
JAVA_DESKTOP_LIBRARIES = (
    "libawt*",
    "libjawt.so",
    "libsplashscreen.so",
    "libfontmanager.so",
    "libjavajpeg.so",
    "liblcms.so",
    "libmlib_image.so",
    "libjsound.so",
)


def java_runtime_check() -> str:
    """The builder step that fails the build when the Java runtime jlink made links a library
    distroless/cc lacks, or needs a newer glibc than its Debian 12 one. java.desktop's media
    libraries only say what they lack: a JVM loads them when the program draws or reads
    images, and distroless's own Java images lack the same."""
    allowed = " ".join(f"-e {shlex.quote(n)}" for n in (*DISTROLESS_CC_LIBRARIES, "libz.so"))
    glibc = f"2.{DISTROLESS_GLIBC_MINOR}"
    slim = 'pass --runtime slim" >&2; exit 1; }'
    lines = [
        "# The runtime is distroless/cc: check that the Java runtime links nothing else and",
        f"# needs no newer glibc than Debian 12's {glibc}. What java.desktop's font, image and",
        "# sound libraries lack is only reported: they load when the program draws or reads",
        "# images, and distroless's own Java images lack the same.",
        f'RUN j={JAVA_STAGE}; lacking() {{ for f in "$@"; do ldd "$f" 2>/dev/null || :; done \\',
        "      | grep '=>' | while read -r n _; do \\",
        '        [ -e "$j/lib/$n" ] || [ -e "$j/lib/server/$n" ] || echo "$n"; done \\',
        f"      | grep -v {allowed} \\",
        "      | sort -u | xargs; }; \\",
        '    set --; media=; for f in "$j"/lib/*.so "$j/lib/server/libjvm.so"; do \\',
        f"      case ${{f##*/}} in {'|'.join(JAVA_DESKTOP_LIBRARIES)}) \\",
        '        media="$media $f" ;; *) set -- "$@" "$f" ;; esac; done; \\',
        '    extra=$(lacking "$@"); [ -z "$extra" ] || { echo "dockerslim: the Java runtime '
        f"links libraries distroless/cc lacks: $extra; {slim}; \\",
        '    extra=$(lacking $media); [ -z "$extra" ] || echo "dockerslim: java.desktop links '
        "$extra, which distroless/cc lacks: the program fails if it renders fonts, reads images "
        'or plays sound; pass --runtime slim if it does" >&2; \\',
        '    v=$(cat "$j/bin/java" "$@" | grep -ao \'GLIBC_2[.][0-9]*\' | cut -d. -f2 \\',
        "      | sort -n | tail -n1); \\",
        f'    [ "${{v:-0}}" -le {DISTROLESS_GLIBC_MINOR} ] || {{ echo "dockerslim: the Java '
        f"runtime needs glibc 2.$v, newer than distroless/cc's {glibc}; {slim}",
    ]
    return "\n".join(lines)


def _shell_path(path: str) -> str:
    """``path`` for the shell: quoted, except a glob made of plain characters (``*.jar``),
    which the shell must expand."""
    if "*" in path and re.fullmatch(r"[\w./*+@-]+", path):
        return path
    return shlex.quote(path)
