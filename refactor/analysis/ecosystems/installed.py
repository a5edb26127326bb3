"""The fallback for builds whose output no detector can name (a build script, ``make install``
into system folders, ``cargo install``, ``go get``): the builder finds out at build time
which files the build added, and the runtime stage receives that tree whole, with the app
folder the program runs in. Nothing is guessed: the builder fails the build when the image's
program is in neither."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import replace

from dockerslim_refactor.analysis.images import OS_IMAGES
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, StageFacts
from dockerslim_refactor.analysis.program import (
    app_folder,
    artifacts_from_options,
    context_destinations,
    context_file_for,
    not_rewritten,
    unsure,
)
from dockerslim_refactor.options import Options
from dockerslim_refactor.shell.queries import Command

INSTALLED_TREE = "/tmp/dslim/root"
"""Where the builder stages the files the build added, at their paths below this folder."""
TREE_PLACEHOLDER_DIR = "/tmp/dslim"
"""Below the tree: where it always holds one file, under the folder the runtime deletes."""
MARKER = "/.dslim-marker"
BEFORE = "/.dslim-before"
PACKAGES_BEFORE = "/.dslim-packages"
"""The dpkg packages the image had when the marker was made."""
"""The files the image had when the marker was made."""
"""Outside /tmp: builds clean /tmp (``rm -rf /tmp/*``) and would take the marker with it."""

# Build commands that mark where the build starts.
BUILDERS = frozenset(
    {
        "make",
        "gmake",
        "cmake",
        "meson",
        "ninja",
        "gcc",
        "g++",
        "cc",
        "c++",
        "clang",
        "go",
        "cargo",
        "rustc",
        "scons",
        "autoreconf",
        "ant",
        "sbt",
        "lein",
    }
)
# Language package managers: on an image whose interpreter came from the distribution,
# what they install is the build's output.
DEPENDENCY_INSTALLERS = frozenset({"pip", "gem", "bundle", "bundler", "composer"})
# The interpreters that run what they installed.
INTERPRETERS = frozenset({"python", "python2", "python3", "ruby", "php", "perl", "node"})
# Programs a build does not make: shells, basic tools, interpreters.
NOT_BUILT = frozenset(
    {
        "sh",
        "bash",
        "ash",
        "dash",
        "zsh",
        "echo",
        "cat",
        "sleep",
        "true",
        "tail",
        "env",
        "tini",
        "dumb-init",
        "python",
        "python2",
        "python3",
        "node",
        "java",
        "ruby",
        "php",
        "perl",
        "dotnet",
        "mono",
        "nginx",
        "httpd",
        "supervisord",
    }
)
# What a build leaves that the program does not need: caches, sources, headers, static
# libraries, package-manager state, documentation.
STDLIB_BYTECODE = (
    "!/^\\/usr\\/local\\/lib\\/python[0-9.]*\\/.*[.]pyc$/ || /\\/(site|dist)-packages\\//"
)
CARGO_INTERMEDIATES = "/target/([^/]+/)?(debug|release)/(deps|build|incremental|[.]fingerprint)/"

PRUNED = (
    "/proc",
    "/sys",
    "/dev",
    "/tmp",
    "/var/tmp",
    "/run",
    "/var/cache",
    "/var/log",
    "/var/lib/apt",
    "/var/lib/dpkg",
    "/var/lib/rpm",
    "/lib/apk",
    "/etc/apk",
    "/usr/share/doc",
    "/usr/share/man",
    "/usr/share/info",
    "/usr/include",
    "/usr/local/include",
    "/root/.cache",
    "/root/.cargo/registry",
    "/root/.cargo/git",
    "/usr/local/cargo/registry",
    # The Rust toolchain itself (rustup's), which a built program does not run.
    "/root/.rustup",
    "/usr/local/rustup",
    "/usr/local/cargo/git",
    "/go/pkg",
    "/go/src",
    "/root/go/pkg",
    "/root/go/src",
    "/root/.npm",
    "/root/.composer/cache",
    "/usr/local/share/.cache",
    "/root/.yarn",
    "/root/.node-gyp",
    "/root/.pnpm-store",
    "/usr/local/bundle/cache",
    "/root/.m2",
    "/root/.gradle",
    # The same caches of a build that ran as another user (node-gyp's copy of node's
    # headers, which the header filter would leave without its .h files).
    "/home/*/.cache",
    "/home/*/.npm",
    "/home/*/.node-gyp",
    "/home/*/.yarn",
    "/home/*/.m2",
    "/home/*/.gradle",
)


def detect(facts: StageFacts, options: Options, found: BuildInfo | None) -> BuildInfo | None:
    """A build of the final stage whose output ``found`` (another detector's answer) does not
    name; ``None`` when there is no build step or no program to run."""
    if found is not None and found.artifacts:
        return None
    if found is not None and found.linkage == "interpreter":
        return None  # interpreters have their own recipes; their notes say what is missing
    if found is not None and any(f.severity == "warning" for f in found.findings):
        return None  # the detector knows the outputs and why they do not fit: it says so
    exe = facts.executable
    if found is not None and found.ecosystem in {"go", "rust"} and exe and "/" in exe:
        # go and cargo name their outputs: a program path that is none of them is something
        # the build does not make, unless it came with the sources (a start script).
        path = facts.resolve(exe)
        sources = [d for d in context_destinations(facts) if d != "/"]
        if "/target/" in path or not any(path.startswith(d.rstrip("/") + "/") for d in sources):
            return None
    start = _build_start(facts)
    if start is None:
        return None
    if not options.artifacts and (refusal := _rpm_file_refusal(facts, found, start)):
        return refusal
    if not exe:
        return _tool_image(facts, options, found, start)
    name = posixpath.basename(exe)
    interpreted = name.rstrip("0123456789.") in INTERPRETERS and any(
        _installs_dependencies(cmd) for step in facts.steps for cmd in step.script.commands
    )
    if name in NOT_BUILT and not interpreted and not (options.artifacts and options.runtime_image):
        # A program of the base image (mono, java) runs the output: only an image the user
        # names is known to have it.
        return None
    if options.artifacts:
        # The user named the output: copy that, no discovery.
        return BuildInfo(
            ecosystem=found.ecosystem if found is not None else "generic",
            template="installed.Dockerfile.j2",
            artifacts=tuple(artifacts_from_options(facts, options, start)),
            linkage="musl" if facts.info.libc == "musl" else "glibc",
            lines=(start,),
        )
    app = _program_folders(facts, exe)
    message = (
        "the build's output is found at build time: the files the build steps added "
        "(less caches, sources and package files) go to the runtime stage, with "
        f"{', '.join(app) or 'no app folder'}; --artifact names the output instead"
    )
    return _tree_build(facts, found, start, app, exe, message)


def _tree_build(
    facts: StageFacts,
    found: BuildInfo | None,
    start: int,
    app: list[str],
    exe: str,
    message: str,
) -> BuildInfo:
    """The build whose runtime gets the installed tree and ``app`` on the builder's OS, with
    ``message`` as its note; ``exe`` is the program the builder checks for (none: "")."""
    libc = facts.info.libc if facts.info.libc != "none" else "glibc"
    return BuildInfo(
        ecosystem=found.ecosystem if found is not None else "generic",
        template="installed.Dockerfile.j2",
        linkage="musl" if libc == "musl" else "glibc",
        findings=(unsure(start, message, "--artifact"),),
        lines=(start,),
        # From the first step on: what earlier steps added (a pip install, a locale, tools
        # compiled before the main build) is as much the program's as the build's output.
        **tree_and_app(facts, app, exe, start),
    )


# Images whose own command is a shell: an OS, or a compiled language's toolchain. A file on
# one of them with no command of its own leaves the command to docker run.
_SHELL_IMAGES = OS_IMAGES | {"buildpack-deps", "gcc", "clang", "golang", "rust"}


def _tool_image(
    facts: StageFacts, options: Options, found: BuildInfo | None, start: int
) -> BuildInfo | None:
    """A native build on an OS or toolchain image with no CMD or ENTRYPOINT: a tool image,
    whose command comes with ``docker run``. Which program that names is not known, so the
    runtime keeps everything the build installed and the app folder, and no command."""
    name = facts.image.name.rstrip("0123456789.")  # marketplace's debian9, centos7
    if options.artifacts or facts.stage.last("ONBUILD") is not None:
        return None
    if name not in _SHELL_IMAGES or not facts.info.has_shell:
        return None  # the base image's own command (nginx, a server) may be the program
    if found is not None and found.linkage == "interpreter":
        return None
    from dockerslim_refactor.analysis.benefit import (
        compiles_copied_context,
        installs_toolchain_manager,
        toolchain_evidence,
    )

    if installs_toolchain_manager(facts) and not compiles_copied_context(facts):
        return None  # rbenv, rustup: an environment to build or develop in
    evidence = [e for _, e in toolchain_evidence(facts)]
    # A compiler runs, or a build step (a build script, pip) runs with build packages the
    # image kept at hand.
    compiles = any(e.startswith(("runs ", "installs build packages")) for e in evidence)
    if not compiles:
        return None  # nothing compiled here: a development or CI image
    app = sorted({f for f in (app_folder(facts),) if f and f != "/"})
    message = (
        "the image names no program to run (no CMD or ENTRYPOINT): its command comes "
        "with docker run, so everything the build installed (found at build time, less "
        f"caches, sources and package files) goes to the runtime stage, with "
        f"{', '.join(app) or 'no app folder'}; --artifact names what runs instead"
    )
    return _tree_build(facts, found, start, app, "", message)


def tree_and_app(
    facts: StageFacts, app: list[str], exe: str, line: int, dropped: tuple[str, ...] = ()
) -> dict:
    """The :class:`BuildInfo` fields for a runtime that gets what the build added: the
    installed tree and the app folders as artifacts, the marker at the stage's first step,
    and the collect step (which checks for ``exe``) at its end."""
    start = first_step(facts)
    artifacts = [Artifact(INSTALLED_TREE + "/", "/", "installed-tree", start)]
    artifacts += [Artifact(p, p, "directory", line) for p in app]
    return {
        "artifacts": tuple(artifacts),
        "marker_line": start,
        "final_steps": (collect_step(facts, app, exe, dropped),),
    }


def _program_folders(facts: StageFacts, exe: str) -> list[str]:
    """The folders the program runs in or from: its WORKDIR's and its own, from the sources."""
    found = {app_folder(facts), _folder_of(facts, exe)}
    return sorted(f for f in found if f is not None and f != "/")


def _from_context(facts: StageFacts, exe: str) -> bool:
    """The program is a file the build context provided (``ADD installer /installer``,
    ``COPY start.sh /usr/local/bin/``, a script in a ``COPY . .`` the context files hold),
    not one the build made in a copied folder."""
    if "/" not in exe:
        return False
    return context_file_for(facts, facts.resolve(exe), read_only=False) is not None


def _folder_of(facts: StageFacts, exe: str) -> str | None:
    """The folder from the build context that holds the program, when it came from there."""
    if "/" not in exe:
        return None
    path = facts.resolve(exe)
    for dest in sorted(context_destinations(facts), key=len):
        if dest != "/" and path.startswith(dest.rstrip("/") + "/"):
            return dest
    return None


def first_step(facts: StageFacts) -> int:
    """The line of the stage's first instruction after FROM (the FROM's when it has none),
    after a COPY of a qemu emulator: on another architecture no RUN works before it."""
    instructions = [i for i in facts.stage.instructions if not emulator_copy(i)]
    return instructions[0].start_line if instructions else facts.stage.end_line


def emulator_copy(ins) -> bool:
    """``COPY qemu-arm-static /usr/bin/``: the emulator a multi-arch build needs before any
    RUN of a foreign-architecture base image."""
    if ins.keyword not in {"COPY", "ADD"}:
        return False
    words = list(ins.json_args) if ins.json_args is not None else ins.words
    return any("qemu-" in posixpath.basename(w) for w in words[:-1])


def _build_start(facts: StageFacts) -> int | None:
    """The first RUN that builds (runs a compiler, a build tool or a build script) or
    installs the program's dependencies with a language package manager."""
    from dockerslim_refactor.analysis.benefit import build_package_removals, build_script

    removals = build_package_removals(facts)
    for step in facts.steps:
        # `./do && apk del build-base`: a script run where the build packages go is the build.
        builds_here = step.instruction.start_line in removals
        for cmd in step.script.commands:
            name = cmd.basename
            script = name.endswith(".sh") or name in {"build", "install"} or "build" in name
            if name in BUILDERS or (script and "/" in cmd.name) or _installs_dependencies(cmd):
                return step.instruction.start_line
            if build_script(cmd, builds_here) is not None:  # `bash ./build-image.sh`
                return step.instruction.start_line
    return None


def installs_dependencies(facts: StageFacts) -> bool:
    """A RUN of the stage installs the program's dependencies with a language package
    manager (``pip install``, ``bundle install``, ``composer install``)."""
    return any(_installs_dependencies(cmd) for step in facts.steps for cmd in step.script.commands)


def _installs_dependencies(cmd: Command) -> bool:
    """``pip install``, ``gem install``, ``bundle install``, ``composer install`` (also
    through ``python -m pip`` or ``php composer.phar``), ``easy_install``, ``virtualenv``."""
    words = [posixpath.basename(cmd.name), *cmd.positional[:3]]
    if words[0].startswith("python") and cmd.args[:2] == ("-m", "pip"):
        words = ["pip", *cmd.args[2:3]]
    if words[0] == "php" and len(words) > 1 and words[1].endswith("composer.phar"):
        words = words[1:]
    name = words[0].removesuffix(".phar")
    if name in {"easy_install", "virtualenv"} or name.startswith("easy_install"):
        return True
    return name.rstrip("0123456789.") in DEPENDENCY_INSTALLERS and (
        len(words) > 1 and words[1] in {"install", "i", "require"}
    )


_DPKG_PACKAGES = "dpkg-query -W -f='${Package}\\n'"


def _local_package_files() -> tuple[str, ...]:
    """Lines of the collect step that list the files of the packages the build installed
    from a package file (dpkg -i x.deb, apt-get install ./x.deb): no package source has
    them, so the runtime could not install them again; their files are the build's."""
    return (
        f"    {{ {_DPKG_PACKAGES} 2>/dev/null || :; }} | LC_ALL=C sort "
        f"| LC_ALL=C comm -13 {PACKAGES_BEFORE} - > /tmp/dslim/new-packages; \\",
        "    : > /tmp/dslim/local-files; if [ -s /tmp/dslim/new-packages ]; then \\",
        "      ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 "
        "|| apt-get update >/dev/null 2>&1 || :; \\",
        '      while read -r p; do [ -n "$(apt-cache madison "$p" 2>/dev/null)" ] '
        '|| dpkg -L "$p" 2>/dev/null; \\',
        "      done < /tmp/dslim/new-packages > /tmp/dslim/local-files; fi; \\",
    )


def _package_db_files() -> str:
    """Every path the package database owns, for dpkg, apk and rpm (whichever exists), and
    the configuration files Debian packages generate with ucf (PHP's extension .ini files)."""
    return (
        "(cat /var/lib/dpkg/info/*.list 2>/dev/null; "
        "awk '{print $2}' /var/lib/ucf/registry 2>/dev/null; "
        'awk -F: \'/^F:/{d=$2} /^R:/{print "/" d "/" $2}\' /lib/apk/db/installed 2>/dev/null; '
        "rpm -qal 2>/dev/null; :) "
        # With a merged /usr, a package's /lib/x.so is found as /usr/lib/x.so.
        """| awk '{print} /^\\/(lib|lib64|bin|sbin)\\//{print "/usr" $0}'"""
    )


def _modified_package_files() -> str:
    """Package files whose content no longer matches the package database's checksum
    (dpkg, ucf, apk, rpm, whichever exists)."""
    return (
        "(dpkg --verify 2>/dev/null | awk '$2 == \"c\" {print $3; next} {print $2}'; "
        "md5sum -c /var/lib/ucf/hashfile 2>/dev/null | sed -n 's/: FAILED$//p'; "
        "apk audit 2>/dev/null | awk '{print \"/\" $2}'; "
        "rpm -Va 2>/dev/null | awk '$1 ~ /5/ {print $NF}'; :)"
    )


def collect_step(
    facts: StageFacts,
    app: list[str],
    exe: str,
    dropped: tuple[str, ...] = (),
    copied: tuple[str, ...] = (),
) -> str:
    """The builder step that stages what the build added under :data:`INSTALLED_TREE` and
    fails when the image's program is in neither that tree nor the app folder. ``dropped``
    names files the build added for itself (a package manager it ran once); ``copied``
    the files the runtime stage copies by name (a detector's binary), which the tree leaves
    out so that the image does not hold them twice."""
    prune = " ".join(f"-path {shlex.quote(p)} -prune -o" for p in (*PRUNED, *app))
    dropped = (*dropped, *copied)
    app = [*app, *copied]
    program = exe if exe.startswith("/") else posixpath.join(facts.workdir, exe)
    missing = f'{{ echo "dockerslim: {exe} is not on PATH" >&2; exit 1; }}'
    lookup = (
        f"p={shlex.quote(program)}"
        if "/" in exe
        else f"p=$(command -v {shlex.quote(exe)}) || {missing}"
    )
    # An app path is a folder or a file of its own (COPY entrypoint.sh /entrypoint.sh).
    in_app = " | ".join(f'"{a}" | "{a}"/*' for a in app)
    check = [
        f'    {lookup}; p=$(readlink -f "$p"); \\',
        # The program is in the app folder, the tree, an OS package (reinstalled) or the
        # base image (there before the build).
        f'    case "$p" in {in_app + " | " if in_app else ""}"") ;; *) '
        f'[ -e "{INSTALLED_TREE}$p" ] || grep -qx "$p" /tmp/dslim/owned || '
        f'grep -qx "$p" {BEFORE} || '
        '{ echo "dockerslim: the build did not install $p" >&2; exit 1; } ;; esac',
    ]
    if not exe:
        # No program to look for (a tool image): the tree is all there is to stage.
        check = ["    :"]
    return "\n".join(
        [
            "# Find out what the build installed: the files added since the marker, less the",
            "# package database's own files, caches, sources and headers; the runtime stage",
            "# copies that tree whole."
            + (" It fails when the image's program is not in it." if exe else ""),
            # A file the runtime stage's cleanup removes keeps the tree from being empty:
            # the classic builder can fail to export an image with an empty COPY layer.
            f"RUN set -e; mkdir -p {INSTALLED_TREE}{TREE_PLACEHOLDER_DIR}; "
            f"touch {INSTALLED_TREE}{TREE_PLACEHOLDER_DIR}/tree; \\",
            f'    [ -e {MARKER} ] || {{ echo "dockerslim: a build step removed {MARKER}" >&2; '
            "exit 1; }; \\",
            f"    if find {MARKER} -cnewer {MARKER} >/dev/null 2>&1; then n=-cnewer; "
            "else n=-newer; fi; \\",
            f"    {{ find / -xdev {prune} \\( -type f -o -type l \\) $n {MARKER} -print; \\",
            f"      find / -xdev {prune} \\( -type f -o -type l \\) -print | LC_ALL=C sort \\",
            f"        | LC_ALL=C comm -13 {BEFORE} -; }} \\",
            "      | grep -v -e '\\.a$' -e '\\.o$' -e '\\.h$' -e '^/etc/ld.so.cache$' \\",
            # Byte code the distribution's Python packages compiled when installed: the
            # runtime's own install compiles it again.
            "        -e '^/usr/lib/python[0-9.]*/.*[.]pyc$' \\",
            # What the container runtime gives every container, not the build.
            "        -e '^/.dockerenv$' -e '^/etc/hostname$' -e '^/etc/hosts$' \\",
            "        -e '^/etc/resolv.conf$' -e '^/etc/mtab$' -e '^/.dslim-marker$' \\",
            "        -e '^/.dslim-before$' -e '^/.dslim-packages$' \\",
            *[f"        -e {shlex.quote('^' + _bre(p) + '$')} \\" for p in dropped],
            # Cargo's intermediates beside the binary it built (target/release/deps, …):
            # in the tree when the sources sat in a folder the tree takes whole, such as /.
            f"      | grep -v -E {shlex.quote(CARGO_INTERMEDIATES)} \\",
            # And the interpreter's own standard library, compiled when the build ran it;
            # not what pip installed (site-packages), which a non-root user could not
            # compile again at each start.
            f"      | awk {shlex.quote(STDLIB_BYTECODE)} \\",
            "      | sort -u > /tmp/dslim/added; \\",
            f"    {_package_db_files()} | sort -u > /tmp/dslim/owned; \\",
            # A package's file that the build edited (sed -i on php.ini, a line appended to
            # apache's envvars) is the build's: the reinstalled package would not have it.
            *(_local_package_files() if installs_package_files(facts) else ()),
            f"    {{ {_modified_package_files()}; cat /tmp/dslim/local-files 2>/dev/null; }} "
            "| sort -u > /tmp/dslim/modified; \\",
            "    comm -23 /tmp/dslim/owned /tmp/dslim/modified > /tmp/dslim/unchanged; \\",
            "    comm -23 /tmp/dslim/added /tmp/dslim/unchanged > /tmp/dslim/installed; \\",
            f"    if [ -s /tmp/dslim/installed ]; then tar -cf - -T /tmp/dslim/installed "
            f"| tar -xf - -C {INSTALLED_TREE}; fi; \\",
            # tar made the folders above the files with its own owner and mode: give them
            # the builder's (a home folder its user writes to).
            f"    find {INSTALLED_TREE} -mindepth 1 -type d | while read -r d; do "
            f's="${{d#{INSTALLED_TREE}}}"; \\',
            '      chown "$(stat -c %u:%g "$s")" "$d"; chmod "$(stat -c %a "$s")" "$d"; '
            "done; \\",
            *check,
        ]
    )


def _bre(path: str) -> str:
    """``path`` as a basic regular expression that matches only itself."""
    return "".join("\\" + c if c in ".[]*^$\\" else c for c in path)


def marker_step(facts: StageFacts) -> str:
    packages = (
        f" \\\n    && {{ {_DPKG_PACKAGES} 2>/dev/null || :; }} | LC_ALL=C sort > {PACKAGES_BEFORE}"
        if installs_package_files(facts)
        else ""
    )
    return (
        "# Marks the start of the build: what is newer than it, or not listed here, the\n"
        "# build installed (a COPY keeps old times, and busybox find has no -cnewer).\n"
        f"RUN mkdir -p /tmp/dslim && chmod 1777 /tmp/dslim && touch {MARKER} \\\n"
        "    && find / -xdev \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o \\\n"
        f"      \\( -type f -o -type l \\) -print | LC_ALL=C sort > {BEFORE}" + packages
    )


def installs_package_files(facts: StageFacts) -> bool:
    """A RUN installs a package from a file (``dpkg -i x.deb``, ``apt-get install ./x.deb``,
    ``gdebi x.deb``): a package no package source has."""
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename == "dpkg" and any(a in {"-i", "--install"} for a in cmd.args):
                return True
            if cmd.basename == "gdebi":
                return True
            apt = cmd.basename in {"apt-get", "apt"} and cmd.subcommand in {"install", "reinstall"}
            if apt and any(a.endswith(".deb") for a in cmd.positional[1:]):
                return True
    return False


def installs_rpm_file(facts: StageFacts) -> tuple[int, str] | None:
    """The first RUN that installs an RPM from a file (``rpm -i x.rpm``, ``yum localinstall
    x.rpm``, ``dnf install ./x.rpm``) and the command, or ``None``. rpm keeps no copy of
    such a package and no package source has it, while the tree leaves out every file the
    package database owns: its files would be lost."""
    for step in facts.steps:
        for cmd in step.script.commands:
            name = cmd.basename
            files = [a for a in cmd.positional[1:] if a.endswith(".rpm")]
            if name == "rpm" and any(
                a in {"-i", "-U", "-F", "--install", "--upgrade"} or re.fullmatch(r"-[iUF]\w*", a)
                for a in cmd.args
            ):
                return step.instruction.start_line, "rpm " + (cmd.args[0] if cmd.args else "")
            if name in {"yum", "dnf", "microdnf"} and (
                cmd.subcommand == "localinstall"
                or (cmd.subcommand in {"install", "reinstall", "upgrade"} and files)
            ):
                return step.instruction.start_line, f"{name} {cmd.subcommand}"
    return None


def _rpm_file_refusal(facts: StageFacts, found: BuildInfo | None, start: int) -> BuildInfo | None:
    """The build left alone, with the reason, when it installs an RPM from a file."""
    rpm = installs_rpm_file(facts)
    if rpm is None:
        return None
    line, what = rpm
    return not_rewritten(
        found.ecosystem if found is not None else "generic",
        [start],
        f"line {line} installs a package from an RPM file ({what}): no package source has "
        "it and the files of installed packages are not copied, so the runtime stage would "
        "lack it; --runtime-image names an image that has it, --artifact the output",
        "--runtime-image",
        line,
    )


def with_installed_tree(facts: StageFacts, options: Options, build: BuildInfo) -> BuildInfo:
    """A native build whose output a detector named, plus everything else the build
    installed: a second binary moved next to it, a plugin it loads, a config written to
    /etc. A static program bound for a minimal base keeps only what the detector named."""
    exe = facts.executable
    linkage = build.linkage
    from_context = bool(exe) and _from_context(facts, exe)
    followed = any(a.kind == "script" for a in build.artifacts)
    if linkage == "static" and from_context and not followed:
        # The image runs a script from the build context (an installer that copies the
        # built binary somewhere): what it uses is not known, so everything the build
        # installed comes along, on the builder's own release.
        linkage = "musl" if facts.info.libc == "musl" else "glibc"
    if (
        options.artifacts
        # The detector found no output and says why; a script from the context that runs
        # what the build installed is the exception the tree is for.
        or (not build.artifacts and not from_context)
        or build.ecosystem not in {"c", "generic", "go", "rust"}
        or linkage not in {"glibc", "musl"}
        or any(a.kind == "installed-tree" for a in build.artifacts)
        or not exe
    ):
        return build
    start = first_step(facts)
    refusal = _rpm_file_refusal(facts, build, start)
    if refusal is not None:
        return refusal
    app = _program_folders(facts, exe)
    tree = Artifact(INSTALLED_TREE + "/", "/", "installed-tree", start)
    # The detector's binaries are copied by name, at their own paths: not in the tree too.
    copied = tuple(
        a.path
        for a in build.artifacts
        if a.kind == "binary" and a.path == a.dest and posixpath.isabs(a.path)
    )
    return replace(
        build,
        linkage=linkage,
        artifacts=(tree, *build.artifacts),
        marker_line=start,
        final_steps=(*build.final_steps, collect_step(facts, app, exe, copied=copied)),
    )
