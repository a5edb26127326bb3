"""Tie build outputs to the program the image runs: which candidate artifact the command
names, where it lands in the runtime stage, the application files of interpreted programs, and
the run-time libraries that build-time ``-dev`` packages stand for."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from dockerslim_refactor.analysis.images import DEFAULT_PATH
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding
from dockerslim_refactor.analysis.packages import bare_package, package_installs

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import StageFacts
    from dockerslim_refactor.document import Instruction
    from dockerslim_refactor.options import Options
    from dockerslim_refactor.shell.queries import Command, ShellScript

DEFAULT_PATH_DIRS = tuple(DEFAULT_PATH.split(":"))
UNSURE = "DSR100"


def unsure(line: int, message: str, flag: str | None) -> Finding:
    """A DSR100 note of a detector: what it decided without proof, and the flag that
    settles it."""
    return Finding(UNSURE, "info", line, line, message, flag=flag)


def not_rewritten(
    ecosystem: str, lines: list[int], message: str, flag: str, line: int | None = None
) -> BuildInfo:
    """A build an interpreter's detector recognised but would break: no artifacts, and the
    warning (at ``line``, by default the last build line) that says why and names the flag
    that settles it."""
    at = lines[-1] if line is None else line
    return BuildInfo(
        ecosystem,
        f"{ecosystem}.Dockerfile.j2",
        (),
        "interpreter",
        findings=(Finding(UNSURE, "warning", at, at, message, flag=flag),),
        lines=tuple(lines),
    )


# Debian -dev packages whose run-time library the program needs; packages in every Debian
# base (zlib1g, libc6) are left out.
DEV_TO_RUNTIME = {
    "libssl-dev": "libssl3",
    "libpq-dev": "libpq5",
    "libcurl4-openssl-dev": "libcurl4",
    "libcurl4-gnutls-dev": "libcurl3-gnutls",
    "libsqlite3-dev": "libsqlite3-0",
    "libpng-dev": "libpng16-16",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libffi-dev": "libffi8",
    "libyaml-dev": "libyaml-0-2",
    "libpcre3-dev": "libpcre3",
    "libpcre2-dev": "libpcre2-8-0",
    "libmariadb-dev": "libmariadb3",
    "libmariadb-dev-compat": "libmariadb3",
    "default-libmysqlclient-dev": "libmariadb3",
    "libgmp-dev": "libgmp10",
    "libbz2-dev": "libbz2-1.0",
    "liblzma-dev": "liblzma5",
    "libzstd-dev": "libzstd1",
    "libreadline-dev": "libreadline8",
    "libncurses-dev": "libncursesw6",
    "libncurses5-dev": "libncurses6",
    "libuv1-dev": "libuv1",
    "libevent-dev": "libevent-2.1-7",
    "libsodium-dev": "libsodium23",
    "libmagic-dev": "libmagic1",
    "libgeos-dev": "libgeos-c1v5",
    "libwebp-dev": "libwebp7",
    "libtiff-dev": "libtiff6",
    "libfreetype6-dev": "libfreetype6",
    "libfreetype-dev": "libfreetype6",
    "libldap2-dev": "libldap-2.5-0",
    "libsasl2-dev": "libsasl2-2",
    "libkrb5-dev": "libkrb5-3",
    "libgdbm-dev": "libgdbm6",
    "libexpat1-dev": "libexpat1",
    "libonig-dev": "libonig5",
    "libzip-dev": "libzip4",
    "libicu-dev": "libicu72",
    "libprotobuf-dev": "libprotobuf32",
    "libboost-all-dev": "libboost-all-dev",
}
# Present in every Debian image already.
BASE_PROVIDES = frozenset(
    {"zlib1g-dev", "libc6-dev", "libc-dev", "linux-libc-dev", "libstdc++-12-dev", "libgcc-12-dev"}
)
# -dev packages that are headers or tools only: nothing to carry.
HEADER_ONLY = frozenset({"python3-dev", "python-dev", "python3-all-dev", "libpython3-dev"})


def dest_for(facts: StageFacts, builder_path: str, named: str | None) -> str:
    """Where an artifact goes in the runtime stage: the same absolute path, except a program
    started by bare name from a folder outside the default PATH, which goes to
    ``/usr/local/bin`` so the unchanged command still finds it."""
    if named and "/" not in named and posixpath.dirname(builder_path) not in DEFAULT_PATH_DIRS:
        return posixpath.join("/usr/local/bin", posixpath.basename(builder_path))
    return builder_path


def pick_program(
    facts: StageFacts, candidates: list[Artifact], what: str
) -> tuple[list[Artifact], list[Finding]]:
    """Choose the candidates that the image's command runs. Returns the chosen artifacts (with
    their runtime destination) and findings where the choice is a guess."""
    # A folder of the base system is never a program (`./run` run from `/` is `/run`).
    candidates = [c for c in candidates if c.path not in SYSTEM_FOLDERS | BASE_FOLDERS]
    if not candidates:
        return [], []
    candidates = candidates + _copies_of(facts, candidates)
    exe = facts.executable
    line = candidates[-1].line
    if exe:
        wanted = set(facts.which(exe))
        name = posixpath.basename(exe)
        for cand in candidates:
            if cand.path in wanted and "/" in exe:
                # The command names the file exactly: the guess is confirmed.
                named = Artifact(cand.path, cand.dest, cand.kind, cand.line, True)
                return _with_siblings(facts, _placed(facts, named, exe, certain=True), candidates)
            if cand.path in wanted:
                # PATH finds the guessed file: the command confirms the guess.
                named = Artifact(cand.path, cand.dest, cand.kind, cand.line, True)
                return _with_siblings(facts, _placed(facts, named, exe, certain=True), candidates)
            if "/" not in exe and posixpath.basename(cand.path) == name and cand.certain:
                return _with_siblings(facts, _placed(facts, cand, exe, certain=True), candidates)
        for cand in candidates:
            # By name only when the command gives no path: /usr/local/bin/app is not /out/app.
            if "/" not in exe and posixpath.basename(cand.path) == name:
                return _with_siblings(facts, _placed(facts, cand, exe, certain=True), candidates)
        for cand in candidates:
            # A guessed name in the right folder: the command names the file exactly, or by
            # a name that PATH finds in that folder (cargo install's bin).
            if not cand.certain:
                found = [
                    p
                    for p in facts.which(exe)
                    if posixpath.dirname(p) == posixpath.dirname(cand.path)
                ]
                path = found[0] if found else facts.resolve(exe)
                if posixpath.dirname(path) == posixpath.dirname(cand.path):
                    named = Artifact(path, path, cand.kind, cand.line)
                    return _with_siblings(
                        facts, _placed(facts, named, exe, certain=True), candidates
                    )
        followed = _through_script(facts, candidates)
        if followed is not None:
            return followed
        message = (
            f"the image runs '{exe}', which is not one of the {what} outputs this tool found "
            f"({', '.join(c.path for c in candidates)}); pass --artifact PATH to name it"
        )
        return [], [Finding(UNSURE, "warning", line, line, message, flag="--artifact")]
    chosen = [_placed(facts, c, None, certain=c.certain) for c in candidates]
    findings = [
        Finding(
            UNSURE,
            "info",
            line,
            line,
            "the image sets no CMD or ENTRYPOINT; every "
            f"{what} output is copied to the runtime stage; pass --artifact PATH to choose",
            flag="--artifact",
        )
    ]
    return chosen, findings


SHELLS = frozenset({"sh", "bash", "ash", "dash"})

# Programs an application runs that a runtime base may lack, with the package that has them
# (the same name on Debian and Alpine): version control, transfer tools, media converters.
RUN_TOOL_PACKAGES = {
    "git": "git",
    "hg": "mercurial",
    "svn": "subversion",
    "curl": "curl",
    "wget": "wget",
    "ssh": "openssh-client",
    "scp": "openssh-client",
    "rsync": "rsync",
    "unzip": "unzip",
    "convert": "imagemagick",
    "identify": "imagemagick",
    "ffmpeg": "ffmpeg",
    "ffprobe": "ffmpeg",
    "file": "file",
}

# exec.Command("git", …) and exec.CommandContext(ctx, "git", …) in Go sources.
_GO_EXEC = re.compile(r'exec\.Command(?:Context)?\(\s*(?:[A-Za-z_][\w.]*\s*,\s*)?"([\w.+-]+)"')


def tools_run_by_sources(facts: StageFacts) -> list[str]:
    """Programs of :data:`RUN_TOOL_PACKAGES` that the app's own Go sources in the build
    context run (``exec.Command("git", …)``): the runtime must have them."""
    found: list[str] = []
    for name, text in sorted(facts.context_files.items()):
        if not name.endswith(".go") or name.endswith("_test.go") or "/vendor/" in f"/{name}":
            continue
        for match in _GO_EXEC.finditer(text):
            tool = match.group(1)
            if tool in RUN_TOOL_PACKAGES and tool not in found:
                found.append(tool)
    return found


def command_script(facts: StageFacts) -> str | None:
    """The script the image's command runs (``./start.sh``, ``sh /app/run.sh``), as an
    absolute path, or ``None``."""
    words = list(facts.program_words)
    if words and words[0] == "exec":
        words = words[1:]
    exe = facts.executable
    if not words or not exe:
        return None
    if posixpath.basename(exe) in SHELLS:
        index = next(
            (i for i, w in enumerate(words) if posixpath.basename(w) == posixpath.basename(exe)),
            None,
        )
        rest = words[index + 1 :] if index is not None else []
        if not rest or rest[0].startswith("-"):
            return None  # `sh -c …` or an interactive shell
        return facts.resolve(rest[0])
    return facts.resolve(exe) if "/" in exe else None


def context_file_for(facts: StageFacts, path: str, read_only: bool = True) -> str | None:
    """The build context's path of the file at ``path`` in the image, when a COPY or ADD of the
    context put it there and the context files read hold it (any file a COPY names by
    itself, with ``read_only`` false)."""
    for ins, workdir in context_copies(facts):
        if ins.json_args is not None:
            words = list(ins.json_args)
        else:
            words = [w for w in ins.words if not w.startswith("--")]
        if len(words) < 2 or ins.heredocs:
            continue
        dest = facts.resolve(words[-1], workdir)
        into_folder = words[-1].endswith("/") or len(words) > 2
        for src in words[:-1]:
            source = posixpath.normpath(src.lstrip("/"))
            target = posixpath.join(dest, posixpath.basename(src)) if into_folder else dest
            if target == path and (source in facts.context_files or not read_only):
                return source
            if path.startswith(dest.rstrip("/") + "/"):
                inner = posixpath.relpath(path, dest)
                relative = inner if source == "." else posixpath.join(source, inner)
                if relative in facts.context_files:
                    return relative
    return None


def followed_script(facts: StageFacts) -> tuple[str, ShellScript] | None:
    """The script from the build context that the image's command runs, parsed."""
    path = command_script(facts)
    if path is None:
        return None
    source = context_file_for(facts, path)
    if source is None:
        return None
    from dockerslim_refactor.shell.syntax import parse_shell

    return path, parse_shell(facts.context_files[source], facts.workdir)


# Commands that install outside the app's folders: a runtime stage that copies those folders
# onto a clean interpreter image would not have what they installed.
_SYSTEM_INSTALLS = {
    "apt-get": ("install",),
    "apt": ("install",),
    "aptitude": ("install",),
    "apk": ("add",),
    "yum": ("install", "localinstall"),
    "dnf": ("install",),
    "microdnf": ("install",),
    "zypper": ("install", "in"),
    "make": ("install",),
    "gmake": ("install",),
    "ninja": ("install",),
}


# Suffix-less scripts whose name says they set up the system (`setup_docker_prereqs`).
_INSTALLER_NAME = re.compile(r"install|setup|prereq|depend|deps|bootstrap|provision", re.I)


def _system_install(cmd: Command) -> str | None:
    """What ``cmd`` installs outside the app, as the reason shown, or ``None``."""
    name = cmd.basename
    if cmd.subcommand in _SYSTEM_INSTALLS.get(name, ()):
        return f"{name} {cmd.subcommand}"
    if name == "apk-install":
        return name
    if name == "dpkg" and cmd.has_flag("-i", "--install"):
        return "dpkg -i"
    if name in {"cmake"} and cmd.has_flag("--install"):
        return "cmake --install"
    if name == "python" and cmd.args[:1] == ("setup.py",) and "install" in cmd.args:
        return "setup.py install"
    return None


def shell_script_word(cmd: Command) -> str | None:
    """The shell script ``cmd`` runs, as written (``./setup.sh``, ``scripts/prereqs`` of
    ``bash scripts/prereqs``), or ``None``: a program on PATH, ``sh -c``, a Python or Ruby
    program, or a path only known at build time."""
    words = [cmd.name, *cmd.args]
    if cmd.basename in SHELLS:
        rest = [w for w in cmd.args if not w.startswith("-")]
        if not rest or cmd.has_flag("-c"):
            return None
        words = rest
    elif "/" not in cmd.name:
        return None
    script = words[0]
    name = posixpath.basename(script)
    if "$" in script or ("." in name and not name.endswith((".sh", ".bash"))):
        return None
    return script


def _script_run_by(facts: StageFacts, cmd: Command, workdir: str | None) -> str | None:
    """The absolute path of the shell script from the build context that ``cmd`` runs
    (``./setup.sh``, ``bash scripts/prereqs``), or ``None``."""
    script = shell_script_word(cmd)
    if script is None:
        return None
    path = facts.resolve(script, cmd.cwd or workdir)
    if context_file_for(facts, path, read_only=False) is not None:
        return path
    folders = [d.rstrip("/") for d in context_destinations(facts) if d != "/"]
    return path if any(path.startswith(d + "/") for d in folders) else None


def context_script_installs(facts: StageFacts) -> tuple[int, str, str] | None:
    """The first RUN that runs a shell script from the build context which installs outside
    the app's folders (``apt-get install``, ``make install``), or whose text was not read:
    its line, the script's path and what it does. A runtime stage that receives the app's
    folders only would lack what the script installed."""
    for step in facts.steps:
        for cmd in step.script.commands:
            path = _script_run_by(facts, cmd, step.workdir)
            if path is not None:
                what = _installs_outside(facts, path, cmd.cwd or step.workdir, 3)
                if what is not None:
                    return step.instruction.start_line, path, what
    return None


def _installs_outside(facts: StageFacts, path: str, cwd: str | None, depth: int) -> str | None:
    """Why the context script at ``path``, run in ``cwd``, and the scripts it runs may
    install outside the app, or ``None``."""
    from dockerslim_refactor.shell.syntax import parse_shell

    source = context_file_for(facts, path)
    name = posixpath.basename(path)
    if source is None or depth == 0:
        if "." in name or _INSTALLER_NAME.search(name):
            return f"what {path} does is not known (its text was not read)"
        return None  # `bin/rails`: most such files are the app's own programs, not shell
    text = facts.context_files[source]
    first = text.split("\n", 1)[0]
    if first.startswith("#!") and not re.search(r"\b(sh|bash|ash|dash|zsh)\b", first):
        return None  # a Ruby or Python program
    for cmd in parse_shell(text, cwd or facts.workdir).commands:
        what = _system_install(cmd)
        if what is not None:
            return f"{path} runs {what}"
        inner = _script_run_by(facts, cmd, cwd)
        if inner is not None and inner != path:
            what = _installs_outside(facts, inner, cmd.cwd or cwd, depth - 1)
            if what is not None:
                return what
    return None


# What a start script runs that builds or installs: the toolchain the rewrite leaves in the
# builder is needed when the container starts.
_START_BUILDS = {
    "npm": ("install", "i", "ci", "rebuild"),
    "yarn": ("install", ""),
    "pnpm": ("install", "i"),
    "pip": ("install",),
    "pip3": ("install",),
    "bundle": ("install",),
    "gem": ("install",),
    "composer": ("install", "update", "require"),
    "make": None,
    "gcc": None,
    "cc": None,
    "g++": None,
    "go": ("build", "install", "get"),
    "cargo": ("build", "install"),
    "mvn": None,
    "gradle": None,
}


def start_script_builds(facts: StageFacts) -> tuple[str, str] | None:
    """The script from the build context that the image's command runs, and what in it
    builds or installs when the container starts (``npm install``, ``bundle install``,
    ``make``); ``None`` when there is no such script or it builds nothing."""
    found = followed_script(facts)
    if found is None:
        return None
    path, script = found
    for cmd in script.commands:
        subcommands = _START_BUILDS.get(cmd.basename, ())
        if subcommands is None or (cmd.subcommand or "") in subcommands:
            shown = " ".join([cmd.basename, *cmd.positional[:1]])
            return path, shown
    return None


def _through_script(
    facts: StageFacts, candidates: list[Artifact]
) -> tuple[list[Artifact], list[Finding]] | None:
    """The image runs a script from the build context that runs a build output: the output,
    with the script beside it (the runtime then needs a shell and what the script runs)."""
    found = followed_script(facts)
    if found is None:
        return None
    path, script = found
    line = candidates[-1].line
    for cmd in script.commands:
        words = [cmd.name, *cmd.args]
        if cmd.basename == "exec":
            words = words[1:]
        if not words or "$" in words[0]:
            continue
        name = words[0]
        wanted = {facts.resolve(name, cmd.cwd)} if "/" in name else set(facts.which(name))
        for cand in candidates:
            by_name = "/" not in name and posixpath.basename(cand.path) == name
            if cand.path in wanted or (by_name and cand.certain):
                program = _placed(facts, cand, name, certain=True)
                chosen, findings = _with_siblings(facts, program, candidates)
                script_artifact = Artifact(path, path, "script", line, True)
                return [*chosen, script_artifact], findings
    return None


def _copies_of(facts: StageFacts, candidates: list[Artifact]) -> list[Artifact]:
    """Where later ``cp``/``mv``/``install`` commands put a build output (``go build -o
    /bin/app . && cp /bin/app /out/app``): the copy is a candidate too."""
    found: list[Artifact] = []
    known = {c.path: c for c in candidates}
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename not in {"cp", "mv", "install"}:
                continue
            paths = [a for a in cmd.args if not a.startswith("-")]
            if len(paths) != 2:
                continue
            cwd = cmd.cwd or step.workdir or facts.workdir
            source, target = (facts.resolve(p, cwd) for p in paths)
            if source not in known:
                continue
            if paths[1].endswith("/"):
                target = posixpath.join(target, posixpath.basename(source))
            origin = known[source]
            copy = Artifact(target, "", origin.kind, step.instruction.start_line, origin.certain)
            found.append(copy)
            known[target] = copy
    return found


def _with_siblings(
    facts: StageFacts, program: Artifact, candidates: list[Artifact]
) -> tuple[list[Artifact], list[Finding]]:
    """The program, plus the other outputs the build names exactly (``go build -o
    /go/bin/app-cli``): a second deliverable is as much the image's as the one CMD runs."""
    chosen = [program]
    seen = {program.path}
    for cand in candidates:
        named = cand.certain and cand.note is None  # an output the command names (-o PATH)
        if named and cand.kind == program.kind and cand.path not in seen:
            seen.add(cand.path)
            chosen.append(_placed(facts, cand, None, certain=True))
    return chosen, []


def _placed(facts: StageFacts, cand: Artifact, exe: str | None, certain: bool) -> Artifact:
    return Artifact(
        path=cand.path,
        dest=dest_for(facts, cand.path, exe),
        kind=cand.kind,
        line=cand.line,
        certain=certain and cand.certain,
        note=cand.note,
    )


def uncertain_findings(artifacts: Iterable[Artifact]) -> list[Finding]:
    return [
        Finding(
            UNSURE,
            "info",
            a.line,
            a.line,
            f"artifact path {a.path} is inferred ({a.note or 'not named in the build command'}); "
            "pass --artifact PATH if it is elsewhere",
            flag="--artifact",
        )
        for a in artifacts
        if not a.certain
    ]


# Folders a COPY may drop a file into that belong to the base image: copying them whole from
# the builder would put the builder's system files over the runtime's.
SYSTEM_FOLDERS = frozenset(
    {
        "/",
        "/etc",
        "/tmp",
        "/usr",
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/lib",
        "/usr/bin",
        "/bin",
        "/sbin",
        "/usr/sbin",
        "/lib",
        "/usr/lib",
        "/var",
        "/var/lib",
        "/root",
        "/home",
    }
)


# Other top-level folders every Linux image has.
BASE_FOLDERS = frozenset(
    {"/run", "/proc", "/sys", "/dev", "/boot", "/mnt", "/media", "/opt", "/srv"}
)


def app_paths(facts: StageFacts) -> list[str]:
    """The folders and files an interpreted program lives in: the final WORKDIR, plus where
    COPY/ADD put files from the build context outside it, unless that is a system folder
    (those COPYs are repeated in the runtime stage instead)."""
    paths: list[str] = []
    if facts.workdir != "/":
        paths.append(facts.workdir)
    workdir = "/"
    for ins in facts.stage.instructions:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value.strip().strip("\"'")))
        if ins.keyword not in {"COPY", "ADD"} or ins.flag("from") is not None:
            continue
        words = list(ins.json_args) if ins.json_args is not None else ins.value.split()
        if len(words) < 2 or ins.heredocs:
            continue
        dest = facts.resolve(words[-1], workdir)
        if dest in SYSTEM_FOLDERS or any(
            dest == p or dest.startswith(p.rstrip("/") + "/") for p in paths
        ):
            continue
        if dest.startswith(("/tmp/", "/var/tmp/")):
            continue  # a build input the build unpacks or moves; what it made is found then
        paths.append(dest)
    return paths


def build_packages_installed(facts: StageFacts) -> list[str]:
    """OS packages the stage installs (apt, apk, dnf…), as written."""
    names: list[str] = []
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager in {"apt", "apk", "dnf", "yum", "microdnf", "zypper"}:
                names.extend(install.packages)
    return names


def runtime_packages(facts: StageFacts) -> tuple[list[str], list[Finding]]:
    """Debian run-time libraries for the ``-dev`` packages the build installed, and findings
    for the ones this tool cannot map."""
    packages: list[str] = []
    findings: list[Finding] = []
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager != "apt":
                continue
            for raw in install.packages:
                name = bare_package(raw)
                if name in BASE_PROVIDES or name in HEADER_ONLY:
                    continue
                if name in DEV_TO_RUNTIME:
                    if DEV_TO_RUNTIME[name] not in packages:
                        packages.append(DEV_TO_RUNTIME[name])
                elif name.endswith("-dev"):
                    line = step.instruction.start_line
                    # Not a blocker: the builder finds the library's package by asking the
                    # release's package database (plan/probes.py); it rules out distroless.
                    findings.append(
                        Finding(
                            UNSURE,
                            "info",
                            line,
                            step.instruction.end_line,
                            f"the run-time library of {name} is found in the builder (ldd, then "
                            "the package database), so the runtime is the builder's slim "
                            "release; --runtime-package NAME names it instead",
                            flag="--runtime-package",
                        )
                    )
    return packages, findings


def installs_ca_certificates(facts: StageFacts) -> bool:
    return any(bare_package(p) == "ca-certificates" for p in build_packages_installed(facts))


def parse_path_pair(text: str) -> tuple[str, str]:
    """``SRC:DEST`` or ``PATH`` (copied to the same place)."""
    src, sep, dest = text.partition(":")
    return src, (dest if sep else src)


def artifacts_from_options(facts: StageFacts, options: Options, line: int) -> list[Artifact]:
    result = []
    for text in options.artifacts:
        src, dest = parse_path_pair(text)
        src = facts.resolve(src)
        dest = facts.resolve(dest)
        result.append(Artifact(src, dest, "file", line, True, "named with --artifact"))
    return result


def context_copies(facts: StageFacts) -> Iterator[tuple[Instruction, str]]:
    """Each COPY or ADD from the build context (no ``--from``), with the WORKDIR it runs in."""
    workdir = "/"
    for ins in facts.stage.instructions:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value.strip().strip("\"'")))
        if ins.keyword in {"COPY", "ADD"} and ins.flag("from") is None:
            yield ins, workdir


def context_destinations(facts: StageFacts) -> list[str]:
    """Where the build context went (``COPY . /src``): the sources and the build tree."""
    found = [facts.resolve(ins.words[-1], wd) for ins, wd in context_copies(facts) if ins.words]
    return [f for f in found if f != "/"]


def removed_folders(facts: StageFacts, step) -> list[str]:
    """The absolute paths the RUN ``step`` deletes with ``rm -r`` (``rm -rf /src``), a
    ``/*`` glob (``rm -rf /src/*``) read as the folder it empties."""
    found = []
    for cmd in step.script.commands:
        if cmd.basename != "rm" or not any(
            (a.startswith("-") and not a.startswith("--") and ("r" in a or "R" in a))
            or a == "--recursive"
            for a in cmd.args
        ):
            continue
        cwd = cmd.cwd or step.workdir or facts.workdir
        for arg in cmd.positional:
            if "$" in arg:
                continue
            if arg.endswith("/*"):
                arg = arg[:-2] or "/"
            found.append(facts.resolve(arg, cwd))
    return found


def deleted_copies(facts: StageFacts) -> tuple[tuple[int, str, int], ...]:
    """Each COPY or ADD from the build context whose destination a later RUN deletes
    (``COPY . /src`` and then ``rm -rf /src``): its line, the destination and the line of
    the RUN. A layer keeps what it added, so the files still ship in the image; only a
    builder stage leaves them behind."""
    copies = [
        (ins.start_line, facts.resolve(ins.words[-1], workdir))
        for ins, workdir in context_copies(facts)
        if ins.words
    ]
    copies = [(line, dest) for line, dest in copies if dest != "/"]
    if not copies:
        return ()
    # Each RUN's deletions once, not once per copy (the editor analyses at every change).
    removals = [
        (step.instruction.start_line, [r for r in removed_folders(facts, step) if r != "/"])
        for step in facts.steps
    ]
    found = []
    for copied, dest in copies:
        for line, removed in removals:
            if line > copied and any(dest == r or dest.startswith(r + "/") for r in removed):
                found.append((copied, dest, line))
                break
    return tuple(found)


def app_folder(facts: StageFacts) -> str | None:
    """The folder the program runs in, whose files it may read by relative path (configs,
    templates, assets): the build-context folder its WORKDIR lies in, else the WORKDIR the
    file set itself (sources cloned or built there), unless that is a system folder."""
    workdir = facts.workdir
    for dest in sorted(context_destinations(facts), key=len):
        if dest in SYSTEM_FOLDERS:
            continue
        if workdir == dest or workdir.startswith(dest.rstrip("/") + "/"):
            return dest
    if workdir in SYSTEM_FOLDERS or facts.stage.last("WORKDIR") is None:
        return None  # the base image's own WORKDIR (golang's /go) is not the app's
    return workdir
