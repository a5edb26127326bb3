"""Reading the legacy build script: its docker build/create/cp/rm, ``rm`` and ``tar`` steps,
through the shell view; also the error and the file names every phase of the merge reports with.

Which runtime ``COPY`` takes which build output is read from the script, with the shell view
(:func:`dockerslim_refactor.shell.parse_shell`): ``docker [image] build``, ``docker [container]
create`` (also ``id=$(docker create IMAGE)`` and ``docker run --name X`` without ``--rm``),
``docker [container] cp X:/path local``, ``docker [container] rm``, ``rm`` of the copies, ``tar``
and the final ``docker build``. Paths are compared after following the script's ``cd``\\ s and
resolving ``$(pwd)``/``$PWD`` and the script's own variables, relative to the final build's
context, so ``./app``, ``app``, ``"$(pwd)/app"`` and ``app/`` are the same file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from dockerslim_refactor.analysis.model import expand
from dockerslim_refactor.shell import Command, parse_shell

PROG = "dockerslim-refactor merge"
ARTIFACT_FLAG = "--artifact LOCAL=PATH"

# The folder the script starts in. Any absolute stand-in works: paths are only compared with
# each other and shown relative to it.
SCRIPT_DIR = "/.script"

_VARIABLE_REF = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_PWD = re.compile(r"\$\(\s*pwd\s*\)|`\s*pwd\s*`|\$\{PWD\}|\$PWD\b")

DOCKER_PROGRAMS = frozenset({"docker", "podman", "nerdctl"})
_DOCKER_GLOBAL_VALUES = frozenset(
    {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level"}
    | {"--tlscacert", "--tlscert", "--tlskey"}
)
_BUILD_VALUES = frozenset(
    {"-t", "--tag", "-f", "--file", "--build-arg", "--target", "--network", "--platform"}
    | {"--label", "--cache-from", "--cache-to", "--add-host", "--iidfile", "--progress"}
    | {"--secret", "--ssh", "-o", "--output", "--shm-size", "-m", "--memory", "--memory-swap"}
    | {"--cpu-shares", "-c", "--cpuset-cpus", "--cpuset-mems", "--cpu-period", "--cpu-quota"}
    | {"--isolation", "--ulimit", "--cgroup-parent", "--build-context", "--allow", "--builder"}
    | {"--metadata-file", "--annotation", "--attest", "--security-opt", "--sbom", "--provenance"}
)
_CONTAINER_VALUES = frozenset(
    {"--name", "-e", "--env", "--env-file", "-v", "--volume", "--entrypoint", "-w", "--workdir"}
    | {"-u", "--user", "--platform", "-l", "--label", "--label-file", "--network", "--net"}
    | {"--mount", "-p", "--publish", "--hostname", "-h", "--cidfile", "--pull", "--restart"}
    | {"-m", "--memory", "--add-host", "--log-driver", "--log-opt", "--volumes-from"}
    | {"--device", "--dns", "--cap-add", "--cap-drop", "--security-opt", "--tmpfs", "--ulimit"}
    | {"--shm-size", "--ipc", "--pid", "--userns", "--expose", "--link", "--stop-signal"}
    | {"--stop-timeout", "--gpus", "--runtime", "--group-add", "--cpus", "--cpu-shares", "-c"}
    | {"-a", "--attach"}
)

WordValue = Callable[[str], str]
"""A script word's value where the command runs (see :func:`_script_word`)."""


# -- shared by every phase ---------------------------------------------------------------------


class MergeError(Exception):
    """The files cannot be merged as asked: one line, ``where:line: message``."""

    def __init__(
        self,
        message: str,
        where: str | None = None,
        line: int | None = None,
        flag: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.line = line
        self.flag = flag
        """The command-line flag that settles it, when one does."""

    def __str__(self) -> str:
        if self.where and self.line:
            return f"{self.where}:{self.line}: {self.message}"
        if self.where:
            return f"{self.where}: {self.message}"
        return self.message


@dataclass(frozen=True)
class _Names:
    """The files as named in messages, and where the merged file goes (``None``: it replaces
    the runtime Dockerfile)."""

    build: str
    runtime: str
    script: str
    output: str | None


def _at(name: str, line: int | None) -> str:
    return f"{name}:{line}" if line else name


# -- the script --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptCommand:
    """One command of the script, with where it is."""

    line: int
    text: str
    """The command on one line (continuations joined)."""
    program: str
    """``docker``, ``podman``, ``rm``, ``tar``… as written."""


@dataclass(frozen=True)
class ImageBuild:
    """``docker build`` / ``docker image build`` / ``docker buildx build``."""

    command: ScriptCommand
    dockerfile: str | None
    """The ``-f`` value as written (variables of the script expanded), ``None`` when absent."""
    context: str | None
    """The context argument as written, ``None`` when absent."""
    context_dir: str | None
    """The context folder, absolute from :data:`SCRIPT_DIR`, when known."""
    cwd: str | None
    tags: tuple[str, ...]
    target: str | None
    options: tuple[tuple[str, str | None], ...]
    """Every option in order: (flag as written, value or ``None`` for a switch)."""


@dataclass(frozen=True)
class ContainerCreate:
    """``docker create`` / ``docker container create`` / ``docker run --name X`` (no --rm)."""

    command: ScriptCommand
    name: str
    """The container name, or ``$var`` for ``var=$(docker create IMAGE)``."""
    image: str


@dataclass(frozen=True)
class Extraction:
    """``docker [container] cp CONTAINER:PATH LOCAL``."""

    command: ScriptCommand
    container: str
    path: str
    """Absolute path in the container, normalised (``/go/src/app/app``)."""
    local: str
    """Where the copy lands, absolute from :data:`SCRIPT_DIR` (a file or folder)."""


@dataclass(frozen=True)
class Archive:
    """``tar -c`` of local files: the archive and its members."""

    command: ScriptCommand
    archive: str
    """The archive, absolute from :data:`SCRIPT_DIR`."""
    members: tuple[tuple[str, str], ...]
    """(name in the archive, absolute local path) per member as given, ``.`` for a folder's
    contents."""


@dataclass(frozen=True)
class Cleanup:
    """``docker rm`` of containers, ``docker rmi`` of images, ``rm`` of files."""

    command: ScriptCommand
    kind: str
    """``container``, ``image`` or ``file``."""
    targets: tuple[str, ...]
    """Container names (``$var`` for variables), image references or absolute local paths."""


@dataclass(frozen=True)
class BuilderScript:
    """What a builder-pattern script does, in order of appearance within each kind."""

    builds: tuple[ImageBuild, ...] = ()
    creates: tuple[ContainerCreate, ...] = ()
    extractions: tuple[Extraction, ...] = ()
    archives: tuple[Archive, ...] = ()
    cleanups: tuple[Cleanup, ...] = ()
    other_docker: tuple[ScriptCommand, ...] = ()
    """Docker commands that are not part of the pattern (``docker push``, ``docker tag``…)."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """Top-level assignments with a static value (``IMAGE=me/app:build``)."""
    set_e: bool = False


def read_script(text: str) -> BuilderScript:
    """Read a builder-pattern script (sh or bash). Never raises: commands it does not know are
    ignored (docker ones are listed in ``other_docker``)."""
    script = parse_shell(text, SCRIPT_DIR)
    variables: dict[str, str] = {}
    substitutions: list[tuple[int, int, str]] = []  # (start, end, variable) of var=$(...)
    builds: list[ImageBuild] = []
    creates: list[ContainerCreate] = []
    extractions: list[Extraction] = []
    archives: list[Archive] = []
    cleanups: list[Cleanup] = []
    other: list[ScriptCommand] = []
    for cmd in script.commands:
        if not cmd.name:
            for key, value in cmd.env:
                if "$(" in value or "`" in value:
                    substitutions.append((cmd.start, cmd.end, key))
                elif cmd.top_level:
                    variables[key] = _expand(_dequote(value), variables)
            continue
        program, args = _unwrap(cmd)
        where = ScriptCommand(_line_of(text, cmd.start), _one_line(cmd.text), program)
        cwd = cmd.cwd or SCRIPT_DIR

        def value(word: str, cwd: str = cwd) -> str:
            return _script_word(word, variables, cwd)

        base = posixpath.basename(program)
        if base in DOCKER_PROGRAMS:
            verb, rest = _docker_verb(args)
            if verb == "build":
                builds.append(_image_build(where, rest, value, cmd.cwd))
            elif verb in ("create", "run"):
                options, positional = _split_options(rest, _CONTAINER_VALUES)
                flags = {flag for flag, _ in options}
                if not positional or (verb == "run" and ("--rm" in flags or "--name" not in flags)):
                    other.append(where)
                    continue
                name = next((value(v or "") for f, v in options if f == "--name"), None)
                if name is None:
                    name = next(
                        (f"${var}" for s, e, var in substitutions if s <= cmd.start < e), ""
                    )
                creates.append(ContainerCreate(where, _container_ref(name), value(positional[0])))
            elif verb == "cp":
                _, positional = _split_options(rest, frozenset())
                found = _extraction(where, positional, value, cwd)
                if found is None:
                    other.append(where)
                else:
                    extractions.append(found)
            elif verb == "rm":
                _, positional = _split_options(rest, frozenset())
                targets = tuple(_container_ref(value(p)) for p in positional)
                cleanups.append(Cleanup(where, "container", targets))
            elif verb == "rmi":
                _, positional = _split_options(rest, frozenset())
                cleanups.append(Cleanup(where, "image", tuple(value(p) for p in positional)))
            else:
                other.append(where)
        elif base == "rm":
            paths = [a for a in args if not a.startswith("-") or a == "-"]
            targets = tuple(_local(value(p), cwd) for p in paths)
            cleanups.append(Cleanup(where, "file", targets))
        elif base == "tar":
            found_archive = _archive(where, args, value, cwd)
            if found_archive is not None:
                archives.append(found_archive)
    return BuilderScript(
        tuple(builds),
        tuple(creates),
        tuple(extractions),
        tuple(archives),
        tuple(cleanups),
        tuple(other),
        variables,
        script.set_e,
    )


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _one_line(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


def _unwrap(cmd: Command) -> tuple[str, list[str]]:
    """The program and its arguments, looking through ``sudo``/``command``/``exec``."""
    program, args = cmd.name, list(cmd.args)
    while posixpath.basename(program) in ("sudo", "command", "exec") and args:
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += 2 if args[i] in ("-u", "-g") else 1
        if i >= len(args):
            break
        program, args = args[i], args[i + 1 :]
    return program, args


def _docker_verb(args: list[str]) -> tuple[str | None, list[str]]:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        flag = args[i]
        i += 2 if flag in _DOCKER_GLOBAL_VALUES else 1
    if i >= len(args):
        return None, []
    first, rest = args[i], args[i + 1 :]
    if first in ("image", "container", "buildx", "builder") and rest:
        second, rest = rest[0], rest[1:]
        verbs = {
            ("image", "build"): "build",
            ("image", "rm"): "rmi",
            ("image", "remove"): "rmi",
            ("buildx", "build"): "build",
            ("builder", "build"): "build",
            ("container", "create"): "create",
            ("container", "run"): "run",
            ("container", "cp"): "cp",
            ("container", "rm"): "rm",
            ("container", "remove"): "rm",
        }
        return verbs.get((first, second), f"{first} {second}"), rest
    return first, rest


def _split_options(
    args: Sequence[str], takes_value: frozenset[str]
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Options (flag, value) and positional words of a docker subcommand."""
    options: list[tuple[str, str | None]] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional.extend(args[i + 1 :])
            break
        if arg.startswith("--") and "=" in arg:
            flag, _, val = arg.partition("=")
            options.append((flag, val))
        elif arg in takes_value:
            options.append((arg, args[i + 1] if i + 1 < len(args) else ""))
            i += 1
        elif len(arg) > 2 and arg[0] == "-" and arg[1] != "-" and arg[:2] in takes_value:
            options.append((arg[:2], arg[2:]))
        elif arg.startswith("-") and arg != "-":
            options.append((arg, None))
        else:
            positional.append(arg)
        i += 1
    return options, positional


def _canonical_flag(flag: str) -> str:
    return {"-t": "--tag", "-f": "--file", "-o": "--output", "-m": "--memory"}.get(flag, flag)


def _image_build(
    where: ScriptCommand, args: list[str], value: WordValue, cwd: str | None
) -> ImageBuild:
    options, positional = _split_options(args, _BUILD_VALUES)
    tags = tuple(value(v or "") for f, v in options if _canonical_flag(f) == "--tag")
    files = [value(v or "") for f, v in options if _canonical_flag(f) == "--file"]
    targets = [value(v or "") for f, v in options if f == "--target"]
    context = value(positional[0]) if positional else None
    context_dir = None
    if context is not None and context != "-" and "://" not in context and "$" not in context:
        context_dir = posixpath.normpath(posixpath.join(cwd or SCRIPT_DIR, context))
    return ImageBuild(
        command=where,
        dockerfile=files[-1] if files else None,
        context=context,
        context_dir=context_dir,
        cwd=cwd,
        tags=tags,
        target=targets[-1].lower() if targets else None,
        options=tuple(options),
    )


def _extraction(
    where: ScriptCommand, positional: list[str], value: WordValue, cwd: str
) -> Extraction | None:
    if len(positional) != 2:
        return None
    source, dest = positional
    container, sep, path = _unquoted(source).partition(":")
    if not sep or not container or "/" in container:
        return None  # a copy into a container, or local to local
    container = _container_ref(value(container))
    path = _absolute(value(path))
    local = _local(value(dest), cwd)
    raw_dest = _unquoted(dest)
    if raw_dest in (".", "./") or raw_dest.endswith(("/", "/.")):
        local = posixpath.join(local, posixpath.basename(path))
    return Extraction(where, container, path, local)


def _archive(where: ScriptCommand, args: list[str], value: WordValue, cwd: str) -> Archive | None:
    """``tar -czf NAME members`` / ``tar czf NAME -C dir .`` / ``tar --create --file=NAME``."""
    creating = False
    archive: str | None = None
    directory = cwd
    members: list[tuple[str, str]] = []
    i = 0
    words = list(args)
    if words and not words[0].startswith("-"):
        words[0] = "-" + words[0]  # old-style bundled letters: ``tar czf x.tgz ...``
    while i < len(words):
        word = words[i]
        if word in ("--create", "-c"):
            creating = True
        elif word.startswith("--file="):
            archive = value(word.split("=", 1)[1])
        elif word == "--file" and i + 1 < len(words):
            archive = value(words[i + 1])
            i += 1
        elif word.startswith("--directory="):
            directory = _local(value(word.split("=", 1)[1]), directory)
        elif word in ("--directory", "-C") and i + 1 < len(words):
            directory = _local(value(words[i + 1]), directory)
            i += 1
        elif word.startswith("--"):
            pass
        elif word.startswith("-") and len(word) > 1:
            letters = word[1:]
            takes = [letter for letter in letters if letter in "fCbT"]
            creating = creating or "c" in letters
            for letter in takes:
                if i + 1 >= len(words):
                    break
                i += 1
                if letter == "f":
                    archive = value(words[i])
                elif letter == "C":
                    directory = _local(value(words[i]), directory)
        else:
            name = value(word)
            member = posixpath.normpath(name)
            members.append((member, _local(name, directory)))
        i += 1
    if not creating or not archive or archive == "-" or not members:
        return None
    return Archive(where, _local(archive, cwd), tuple(members))


def _dequote(word: str) -> str:
    """Drop shell quotes from a word the shell view kept as written (it had expansions)."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(word):
        ch = word[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < len(word) and word[i + 1] in '"\\$`':
                out.append(word[i + 1])
                i += 1
            else:
                out.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == "\\" and i + 1 < len(word):
            out.append(word[i + 1])
            i += 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _expand(text: str, variables: Mapping[str, str]) -> str:
    return expand(text, variables) if "$" in text else text


def _unquoted(word: str) -> str:
    """A word without its shell quotes (static words come unquoted from the shell view)."""
    return _dequote(word) if ("'" in word or '"' in word) else word


def _script_word(word: str, variables: Mapping[str, str], cwd: str) -> str:
    """A word's value: quotes dropped, ``$(pwd)``/``$PWD`` resolved to ``cwd`` and the
    script's own variables expanded; other expansions are kept as written."""
    text = _PWD.sub(lambda _: cwd, _unquoted(word))
    return _expand(text, variables)


def _container_ref(name: str) -> str:
    match = _VARIABLE_REF.match(name)
    if match:
        return "$" + (match.group(1) or match.group(2))
    return name


def _local(path: str, cwd: str) -> str:
    return _absolute(posixpath.join(cwd, path))


def _absolute(path: str) -> str:
    """``path`` normalised and absolute (POSIX keeps a leading ``//``; Docker does not)."""
    return "/" + posixpath.normpath("/" + path).lstrip("/")
