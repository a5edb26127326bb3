"""Merging the legacy builder pattern into one multi-stage Dockerfile.

Before multi-stage builds, a project kept two Dockerfiles and a script: ``Dockerfile.build``
compiled the program, the script built that image, made a container from it, ``docker cp``-ed
the output into the build context, removed the container, built the runtime ``Dockerfile``
(which ``COPY``-ed the output from the context) and deleted the copy. ``merge`` writes the one
file that does the same in a single ``docker build``:

* the build Dockerfile comes first, its last stage named ``builder`` (``--stage-name``); when
  it is multi-stage itself, its earlier stages keep their names, and when the script built it
  with ``--target X``, stage X is the builder and the stages after it (never built) are left
  out;
* the runtime Dockerfile follows unchanged, except that every ``COPY``/``ADD`` of a file the
  script copied out of the build container becomes ``COPY --from=builder <path in the image>
  <dest>`` (its other flags, such as ``--chown``, are kept);
* parser directives of the build file go first (one ``# syntax=``, the first); the global
  ``ARG``\\ s of both files go before the first ``FROM``, identical ones once.

Which runtime ``COPY`` takes which build output is read from the script, with the shell view
(:func:`dockerslim_refactor.shell.parse_shell`): ``docker [image] build``, ``docker [container]
create``
(also ``id=$(docker create IMAGE)`` and ``docker run --name X`` without ``--rm``), ``docker
[container] cp X:/path local``, ``docker [container] rm``, ``rm`` of the copies, ``tar`` and
the final ``docker build``. Paths are compared after following the script's ``cd``\\ s and
resolving ``$(pwd)``/``$PWD`` and the script's own variables, relative to the final build's
context, so ``./app``, ``app``, ``"$(pwd)/app"`` and ``app/`` are the same file. Without a
script, a runtime ``COPY``/``ADD`` source is matched by file name against what the build
Dockerfile produces (the ecosystem detectors' artifacts, ``-o`` outputs of compilers, ``cp``/
``mv``/``install`` targets and ``COPY --from`` targets of its builder stage); every such match
is reported as an assumption, and a source that matches several outputs is an error that
``--artifact LOCAL=PATH`` settles (the same flag settles "nothing matched").

Tarballs. Some scripts pack the copied files (``tar -czf app.tar.gz app``) and the runtime
Dockerfile unpacks them with ``ADD app.tar.gz /``. ``COPY --from`` cannot unpack, and a
builder-stage step that recreates the archive would only be unpacked again, so the merge
drops the archive: every archive member that came out of the build container becomes
``COPY --from=builder <path in the image> <ADD dest>/<member>``, which is exactly the tree
``ADD`` would have extracted (``tar -C dir`` and members given as folders are followed). A
member the script did not copy out of the container is a file of the build context and is
copied from there with a plain ``COPY``; that is reported as an assumption. Owners differ in
one way: ``ADD`` gave the files the owner recorded in the archive (whoever ran the script),
``COPY --from`` keeps the builder stage's owner unless the ``ADD`` had ``--chown``, which is
kept.

The result is checked before anything is written: it parses, and its final stage keeps the
runtime Dockerfile's command, user, workdir, environment, ports and labels
(:func:`dockerslim_refactor.rewrite.self_check`). It is also run through the analyzer, whose
findings
are returned with the result.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dockerslim_refactor.analysis.model import Finding, expand
from dockerslim_refactor.document import (
    STAGE_NAME,
    DockerfileError,
    Document,
    Instruction,
    Stage,
    parse,
)
from dockerslim_refactor.shell import Command, parse_shell

PROG = "dockerslim-refactor merge"
EXIT_OK, EXIT_ERROR = 0, 2
ARTIFACT_FLAG = "--artifact LOCAL=PATH"

# The folder the script starts in. Any absolute stand-in works: paths are only compared with
# each other and shown relative to it.
SCRIPT_DIR = "/.script"

_VARIABLE_REF = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_PWD = re.compile(r"\$\(\s*pwd\s*\)|`\s*pwd\s*`|\$\{PWD\}|\$PWD\b")
_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz|zst|lz|lzma))$", re.I)
_GLOB = re.compile(r"[*?\[]")

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
# Options of the build of the build Dockerfile that its stage still needs in the one build.
_CARRIED_OPTIONS = frozenset(
    {"--build-arg", "--network", "--add-host", "--secret", "--ssh", "--build-context", "--allow"}
)
# Options given once per build; a different value on the two builds cannot be kept for both.
_SINGLE_OPTIONS = frozenset({"--network"})
# Programs whose ``-o``/``--output`` names the file they produce.
_PRODUCERS = frozenset(
    {"go", "gcc", "cc", "g++", "c++", "clang", "clang++", "rustc", "tinygo", "gccgo", "upx"}
    | {"musl-gcc", "garble", "ldc2", "zig", "curl"}
)
_ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")

WordValue = Callable[[str], str]
"""A script word's value where the command runs (see :func:`_script_word`)."""


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
class MergeResult:
    output: str
    """The merged Dockerfile."""
    assumptions: list[str]
    """What the merge assumed, each ``file:line: ...``; worth a look before building."""
    obsolete: list[str]
    """What the old script did that the merged file makes unnecessary, each ``file:line: ...``."""
    build_command: str
    """The one ``docker build`` that replaces the script."""
    findings: tuple[Finding, ...] = ()
    """The analyzer's findings on the merged file (lines are the merged file's)."""
    stage_name: str = "builder"
    """The stage the runtime stage copies from."""


# --------------------------------------------------------------------------------------------
# The script


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


# --------------------------------------------------------------------------------------------
# The merge


@dataclass(frozen=True)
class _Names:
    build: str
    runtime: str
    script: str
    output: str | None


@dataclass(frozen=True)
class _Source:
    """What one runtime COPY/ADD source is in the merged file."""

    builder_path: str | None = None
    """Copy this from the builder stage."""
    members: tuple[tuple[str, str | None, str | None], ...] = ()
    """For an archive the script made: (name in the archive, builder path or ``None``,
    context path or ``None``), one COPY each."""
    made_at: int | None = None
    """The build Dockerfile's line that makes it, when found by name."""
    notes: tuple[str, ...] = ()
    """Assumptions to report when the source is used."""


def merge(
    build_text: str,
    runtime_text: str,
    script_text: str | None = None,
    artifacts: Mapping[str, str] | None = None,
    stage_name: str = "builder",
    *,
    build_name: str = "Dockerfile.build",
    runtime_name: str = "Dockerfile",
    script_name: str = "build.sh",
    output_name: str | None = None,
) -> MergeResult:
    """Merge a build Dockerfile, a runtime Dockerfile and (optionally) the script that joined
    them into one multi-stage Dockerfile.

    ``artifacts`` maps runtime ``COPY`` sources (as written in the runtime Dockerfile) to paths
    in the build image, overriding what the script or name matching found. The names are only
    used in messages and in the build command (``output_name`` is where the merged file will
    be; ``None`` means it replaces the runtime Dockerfile). Raises :class:`MergeError`."""
    names = _Names(build_name, runtime_name, script_name, output_name)
    if not STAGE_NAME.fullmatch(stage_name):
        raise MergeError(
            f"--stage-name {stage_name!r}: use lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter",
            PROG,
        )
    build = _parse(build_text, build_name)
    runtime = _parse(runtime_text, runtime_name)
    script = read_script(script_text) if script_text is not None else None
    assumptions: list[str] = []

    directives = _merge_directives(build, runtime, names, assumptions)
    arg_blocks = _merge_global_args(build, runtime, names, assumptions)

    builder_build, final_build = (
        _script_builds(script, names, assumptions) if script else (None, None)
    )
    stage, kept_stages, builder = _builder_stage(
        build, stage_name, builder_build, names, assumptions
    )
    _check_stage_names(kept_stages, stage, builder, runtime, names)

    context_dir = final_build.context_dir if final_build and final_build.context_dir else SCRIPT_DIR
    if builder_build and final_build and builder_build.context_dir not in (None, context_dir):
        assumptions.append(
            f"{_at(names.script, builder_build.command.line)}: {names.build} was built with "
            f"context {builder_build.context}, {names.runtime} with {final_build.context}; the "
            f"merged build uses {final_build.context}: check the COPY sources of the build stages"
        )

    explicit = {_context_path(local): path for local, path in (artifacts or {}).items()}
    for local, path in explicit.items():
        if not path.startswith("/"):
            raise MergeError(
                f"--artifact {local}={path}: PATH must be absolute (the path in the build image)",
                PROG,
            )
    sources: dict[str, _Source] = {}
    origin: dict[str, tuple[str, str | None]] = {}
    if script is not None:
        sources, origin = _sources_from_script(
            script, builder_build, context_dir, names, assumptions
        )
    produced = _produced(build, stage)
    replacements, used = _rewrite_runtime(
        runtime,
        sources,
        explicit,
        produced,
        script is None,
        builder,
        len(kept_stages),
        names,
        assumptions,
    )
    for local in explicit:
        if local not in used:
            raise MergeError(
                f"--artifact {local}=...: no COPY or ADD in {runtime_name} copies {local}",
                PROG,
                flag="--artifact",
            )
    if not used:
        raise MergeError(_nothing_matched(script, produced, names), runtime_name, flag="--artifact")
    if script is not None:
        for other in script.other_docker:
            assumptions.append(
                f"{_at(names.script, other.line)}: `{other.text}` is not part of the builder "
                "pattern; the merged file does not replace it"
            )
        for local, (where, archive) in origin.items():
            if local not in used and (archive is None or archive not in used):
                assumptions.append(
                    f"{where}: no COPY or ADD in {runtime_name} takes {local}; it is not copied"
                )

    output = _assemble(
        build, runtime, directives, arg_blocks, kept_stages, stage, builder, replacements
    )
    findings = _check(output, runtime, names)
    obsolete = _obsolete(script, builder_build, final_build, builder, names)
    command = _build_command(script, builder_build, final_build, names, assumptions)
    return MergeResult(output, assumptions, obsolete, command, findings, builder)


def _at(name: str, line: int | None) -> str:
    return f"{name}:{line}" if line else name


def _parse(text: str, name: str) -> Document:
    try:
        return parse(text)
    except DockerfileError as err:
        raise MergeError(err.message, name, err.line) from None


# -- directives and global ARGs ----------------------------------------------------------------


def _merge_directives(
    build: Document, runtime: Document, names: _Names, assumptions: list[str]
) -> list[str]:
    """Directive lines for the top: the build file's, then those only the runtime file has."""
    escape_b, escape_r = build.directive("escape"), runtime.directive("escape")
    if build.escape != runtime.escape:
        shown_b = (
            f"line {escape_b.line}: # escape={escape_b.value}" if escape_b else "the default \\"
        )
        shown_r = (
            f"line {escape_r.line}: # escape={escape_r.value}" if escape_r else "the default \\"
        )
        line = escape_r.line if escape_r else (escape_b.line if escape_b else None)
        raise MergeError(
            f"the files use different escape characters ({names.build}: {shown_b}; "
            f"{names.runtime}: {shown_r}); one file cannot use both: rewrite one of them with "
            "the other's escape character first",
            names.runtime if escape_r else names.build,
            line,
        )
    lines = [build.lines[d.line - 1].rstrip("\r\n") for d in build.directives]
    for directive in runtime.directives:
        mine = build.directive(directive.name)
        if mine is None:
            lines.append(runtime.lines[directive.line - 1].rstrip("\r\n"))
        elif mine.value.strip() != directive.value.strip():
            assumptions.append(
                f"{names.runtime}:{directive.line}: # {directive.name}={directive.value} dropped; "
                f"the merged file keeps {names.build}:{mine.line}: # {mine.name}={mine.value}"
            )
    return lines


def _arg_pairs(ins: Instruction) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for word in ins.words:
        key, sep, value = word.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs.append((key, value if sep else None))
    return pairs


def _merge_global_args(
    build: Document, runtime: Document, names: _Names, assumptions: list[str]
) -> list[tuple[int, str]]:
    """The runtime file's global ARG blocks (start line, text with the comments above) that
    the build file does not already declare the same way. Conflicting defaults fail."""
    declared: dict[str, tuple[str | None, int]] = {}
    for ins in build.global_args:
        for key, value in _arg_pairs(ins):
            declared[key] = (value, ins.start_line)
    blocks: list[tuple[int, str]] = []
    for ins in runtime.global_args:
        new = False
        for key, value in _arg_pairs(ins):
            if key not in declared:
                new = True
                declared[key] = (value, ins.start_line)
                continue
            mine, line = declared[key]
            if mine == value:
                continue
            if mine is not None and value is not None:
                raise MergeError(
                    f"ARG {key}={value} conflicts with {names.build}:{line}: ARG {key}={mine}; "
                    "the merged file has one set of global ARGs: make the defaults agree",
                    names.runtime,
                    ins.start_line,
                )
            if value is not None:
                new = True
                assumptions.append(
                    f"{names.runtime}:{ins.start_line}: ARG {key}={value} now also gives "
                    f"{names.build}'s ARG {key} (line {line}, no default) its default"
                )
            else:
                assumptions.append(
                    f"{names.runtime}:{ins.start_line}: ARG {key} has no default here, but "
                    f"{names.build}:{line} gives it one, which now applies to both"
                )
        if new:
            comments = runtime.comment_lines_before(ins.start_line)
            start = comments[0].line if comments else ins.start_line
            blocks.append((ins.start_line, runtime.source(start, ins.end_line)))
    return blocks


# -- stages ------------------------------------------------------------------------------------


def _script_builds(
    script: BuilderScript, names: _Names, assumptions: list[str]
) -> tuple[ImageBuild | None, ImageBuild | None]:
    """The build of the build Dockerfile (whose image the extract container is made from) and
    the final build of the runtime Dockerfile."""
    images = {c.image for c in script.creates}
    builder = next((b for b in script.builds if images & set(b.tags)), None)
    if builder is None:
        by_name = [
            b
            for b in script.builds
            if b.dockerfile and posixpath.basename(b.dockerfile) == posixpath.basename(names.build)
        ]
        if by_name:
            builder = by_name[0]
        elif len(script.builds) >= 2:
            builder = script.builds[0]
            assumptions.append(
                f"{_at(names.script, builder.command.line)}: assumed this build is the one of "
                f"{names.build} (no container is made from an image it tags)"
            )
    rest = [b for b in script.builds if b is not builder]
    final = rest[-1] if rest else None
    if final is None:
        assumptions.append(
            f"{names.script}: no docker build of {names.runtime} found; the build command has "
            "no tag: add yours"
        )
    return builder, final


def _builder_stage(
    build: Document,
    stage_name: str,
    builder_build: ImageBuild | None,
    names: _Names,
    assumptions: list[str],
) -> tuple[Stage, tuple[Stage, ...], str]:
    """The stage the runtime copies from, the build stages kept, and the builder's name."""
    stage = build.stages[-1]
    if builder_build is not None and builder_build.target:
        target = build.stage_by_name(builder_build.target)
        if target is None:
            raise MergeError(
                f"--target {builder_build.target}: {names.build} has no such stage",
                names.script,
                builder_build.command.line,
            )
        stage = target
    kept = build.stages[: stage.index + 1]
    if stage is not build.stages[-1]:
        dropped = ", ".join(str(s.name or s.index) for s in build.stages[stage.index + 1 :])
        assumptions.append(
            f"{_at(names.script, builder_build.command.line if builder_build else None)}: the "
            f"script built {names.build} with --target {stage.name}: that stage is the builder "
            f"and the stages after it ({dropped}) are left out"
        )
        return stage, kept, stage.name or str(stage.index)
    if stage.name and stage.name != stage_name:
        assumptions.append(
            f"{names.build}:{stage.start_line}: stage '{stage.name}' renamed to '{stage_name}'"
        )
    return stage, kept, stage_name


def _check_stage_names(
    kept: tuple[Stage, ...], stage: Stage, builder: str, runtime: Document, names: _Names
) -> None:
    taken: dict[str, int] = {}
    for kept_stage in kept:
        name = builder if kept_stage is stage else kept_stage.name
        if kept_stage is not stage and name == builder:
            raise MergeError(
                f"stage name '{builder}' is already used by stage {kept_stage.index} of "
                f"{names.build}; pick another with --stage-name",
                names.build,
                kept_stage.start_line,
                flag="--stage-name",
            )
        if name:
            taken[name] = kept_stage.start_line
    for stage in runtime.stages:
        if stage.name in taken:
            flag = " (--stage-name)" if stage.name == builder else ""
            raise MergeError(
                f"stage name '{stage.name}' is also used by {names.build}:{taken[stage.name]}; "
                f"rename one of them{flag}",
                names.runtime,
                stage.start_line,
                flag="--stage-name" if flag else None,
            )
        base = stage.base.lower()
        if base in taken:
            raise MergeError(
                f"FROM {stage.base} would mean the stage of {names.build} "
                f"(line {taken[base]}) in the merged file, not the image",
                names.runtime,
                stage.start_line,
            )
        for ins in stage.instructions:
            source = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
            if source and source.lower() in taken:
                raise MergeError(
                    f"--from={source} would mean the stage of {names.build} "
                    f"(line {taken[source.lower()]}) in the merged file, not the image",
                    names.runtime,
                    ins.start_line,
                )


# -- which runtime sources come from the builder -----------------------------------------------


def _context_path(path: str) -> str:
    """A COPY source or ``--artifact`` LOCAL as a path relative to the build context."""
    path = path.strip()
    if len(path) >= 2 and path[0] == path[-1] and path[0] in "'\"":
        path = path[1:-1]
    return _absolute(path).lstrip("/") or "."


def _sources_from_script(
    script: BuilderScript,
    builder_build: ImageBuild | None,
    context_dir: str,
    names: _Names,
    assumptions: list[str],
) -> tuple[dict[str, _Source], dict[str, tuple[str, str | None]]]:
    """Context paths the script filled from the build container, and archives it packed."""
    if not script.extractions:
        raise MergeError(
            "no `docker cp CONTAINER:PATH LOCAL` found, so nothing says which file the "
            f"runtime Dockerfile takes from the build; pass {ARTIFACT_FLAG}",
            names.script,
            flag="--artifact",
        )
    created = {c.name: c for c in script.creates}
    images = set()
    for ext in script.extractions:
        create = created.get(ext.container)
        if create is None and len(script.creates) == 1:
            create = script.creates[0]
        if create is not None:
            images.add(create.image)
    if len(images) > 1:
        raise MergeError(
            f"the script copies files out of more than one image ({', '.join(sorted(images))}); "
            f"merge takes one build Dockerfile: pass {ARTIFACT_FLAG} for the files of "
            f"{names.build}",
            names.script,
            flag="--artifact",
        )
    sources: dict[str, _Source] = {}
    origin: dict[str, tuple[str, str | None]] = {}
    for ext in script.extractions:
        where = _at(names.script, ext.command.line)
        create = created.get(ext.container)
        if create is None and len(script.creates) == 1:
            create = script.creates[0]
        if create is None:
            assumptions.append(
                f"{where}: container {ext.container} is not made in the script; assumed it is "
                f"made from the image of {names.build}"
            )
        elif builder_build is not None and create.image not in builder_build.tags:
            assumptions.append(
                f"{where}: container {ext.container} is made from {create.image}, which the "
                f"build of {names.build} does not tag; assumed it is that image"
            )
        local = posixpath.relpath(ext.local, context_dir)
        if local.startswith(".."):
            assumptions.append(f"{where}: {ext.local} is outside the build context; not used")
            continue
        sources[local] = _Source(builder_path=ext.path)
        origin[local] = (where, None)
    for archive in script.archives:
        members: list[tuple[str, str | None, str | None]] = []
        notes: list[str] = []
        packed: list[str] = []
        where = _at(names.script, archive.command.line)
        for member, member_local in archive.members:
            inside = [
                e
                for e in script.extractions
                if e.local == member_local or e.local.startswith(member_local.rstrip("/") + "/")
            ]
            for ext in inside:
                rel = posixpath.relpath(ext.local, member_local)
                name = posixpath.normpath(posixpath.join(member, rel))
                members.append((name, ext.path, None))
                packed.append(posixpath.relpath(ext.local, context_dir))
            if inside and not any(e.local == member_local for e in inside):
                notes.append(f"{where}: assumed {member} held only what docker cp put there")
            if not inside:
                rel = posixpath.relpath(member_local, context_dir)
                if rel.startswith(".."):
                    raise MergeError(
                        f"archive member {member} is neither copied out of the build container "
                        "nor in the build context; the merged file cannot make it: pass "
                        f"{ARTIFACT_FLAG} for the archive",
                        names.script,
                        archive.command.line,
                        flag="--artifact",
                    )
                members.append((member, None, rel))
                notes.append(
                    f"{where}: archive member {member} is not copied out of the build container; "
                    "assumed it is a file of the build context"
                )
        local = posixpath.relpath(archive.archive, context_dir)
        if not local.startswith(".."):
            sources[local] = _Source(members=tuple(members), notes=tuple(notes))
            origin[local] = (where, None)
            for packed_local in packed:
                if packed_local in origin:
                    origin[packed_local] = (origin[packed_local][0], local)
    return sources, origin


@dataclass(frozen=True)
class _Produced:
    path: str
    line: int
    kind: str
    """``file``, ``directory`` or ``unknown``."""


_INSTALL_VALUES = frozenset({"-m", "--mode", "-o", "--owner", "-g", "--group", "-S"})


def _produced(build: Document, stage: Stage) -> list[_Produced]:
    """Paths the builder stage makes: detector artifacts, compiler ``-o`` outputs, ``cp``/
    ``mv``/``install`` targets, ``COPY --from`` targets."""
    from dockerslim_refactor.analysis.ecosystems import detect
    from dockerslim_refactor.analysis.facts import stage_facts
    from dockerslim_refactor.options import Options

    facts = stage_facts(build, stage)
    found: dict[str, _Produced] = {}

    def add(path: str, line: int, kind: str) -> None:
        if path and "$" not in path and not _GLOB.search(path):
            path = _absolute(path)
            found.setdefault(path, _Produced(path, line, kind))

    info = detect(facts, Options())
    for artifact in info.artifacts if info else ():
        kind = {"directory": "directory", "dll-folder": "directory", "venv": "directory"}
        add(artifact.path, artifact.line, kind.get(artifact.kind, "file"))
    for step in facts.steps:
        line = step.instruction.start_line
        for cmd in step.script.commands:
            cwd = cmd.cwd or step.workdir or facts.workdir
            base = cmd.basename
            if base in _PRODUCERS:
                out = cmd.flag_value("-o", "--output")
                if out and out != "-":
                    add(facts.resolve(out, cwd), line, "file")
            elif base in ("cp", "mv", "install"):
                if base == "install" and cmd.has_flag("-d"):
                    continue
                _, words = _split_options(
                    cmd.args, _INSTALL_VALUES if base == "install" else frozenset()
                )
                if len(words) < 2:
                    continue
                recursive = base == "cp" and cmd.has_flag("-r", "-R", "-a", "--recursive")
                kind = (
                    "file" if base == "install" or (base == "cp" and not recursive) else "unknown"
                )
                *sources, dest = words
                for source in sources:
                    target = facts.resolve(dest, cwd)
                    if dest.endswith("/") or len(sources) > 1:
                        target = posixpath.join(target, posixpath.basename(source.rstrip("/")))
                    add(target, line, kind)
    for ins in stage.instructions:
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is not None:
            words = _copy_words(ins)
            if words is None or len(words) < 2:
                continue
            *sources, dest = words
            for source in sources:
                target = facts.resolve(dest)
                if dest.endswith("/") or len(sources) > 1:
                    target = posixpath.join(target, posixpath.basename(source.rstrip("/")))
                add(target, ins.start_line, "unknown")
    return list(found.values())


def _copy_words(ins: Instruction) -> list[str] | None:
    """Sources and destination of a COPY/ADD (quotes removed), ``None`` for heredocs."""
    if ins.heredocs:
        return None
    if ins.json_args is not None:
        return list(ins.json_args)
    words = []
    for word in ins.words:
        if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
            word = word[1:-1]
        words.append(word)
    return words


def _nothing_matched(script: BuilderScript | None, produced: list[_Produced], names: _Names) -> str:
    if script is not None:
        copied = ", ".join(posixpath.relpath(e.local, SCRIPT_DIR) for e in script.extractions)
        return (
            f"no COPY or ADD takes what {names.script} copies out of the build container "
            f"({copied}); pass {ARTIFACT_FLAG} to say which source is which build output"
        )
    made = ", ".join(p.path for p in produced) or "nothing recognised"
    return (
        f"no COPY or ADD source matches a file {names.build} produces (it makes: {made}); "
        f"pass --script SCRIPT (the script that copied it out) or {ARTIFACT_FLAG}"
    )


def _rewrite_runtime(
    runtime: Document,
    sources: Mapping[str, _Source],
    explicit: Mapping[str, str],
    produced: list[_Produced],
    by_name: bool,
    builder: str,
    offset: int,
    names: _Names,
    assumptions: list[str],
) -> tuple[dict[int, str], set[str]]:
    """Replacement text per runtime instruction start line, and the sources taken over.
    ``by_name``: match sources against ``produced`` by file name (there is no script)."""
    kinds = {p.path: p.kind for p in produced}
    replacements: dict[int, str] = {}
    used: set[str] = set()
    newline = runtime.newline
    for stage in runtime.stages:
        for ins in stage.instructions:
            shifted = _shift_stage_refs(ins, offset)
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None:
                if shifted is not None:
                    replacements[ins.start_line] = shifted
                continue
            words = _copy_words(ins)
            if words is None or len(words) < 2:
                continue
            *srcs, dest = words
            keep: list[str] = []
            mapped: list[tuple[str, str]] = []
            members: list[tuple[str, str | None, str | None]] = []
            for src in srcs:
                local = _context_path(src)
                if "://" in src or _GLOB.search(src) or "$" in src or local == ".":
                    keep.append(src)
                    continue
                found = _source_for(
                    local, src, ins, sources, explicit, produced if by_name else None, names
                )
                if found is None:
                    keep.append(src)
                    continue
                used.add(local)
                assumptions.extend(found.notes)
                if explicit.get(local) is None and by_name:
                    assumptions.append(
                        f"{names.runtime}:{ins.start_line}: assumed {src} is "
                        f"{found.builder_path}, made by {_at(names.build, found.made_at)} "
                        f"(matched by name, no --script); --artifact {local}=PATH says otherwise"
                    )
                if found.builder_path is not None:
                    target = _place(
                        ins,
                        src,
                        local,
                        found.builder_path,
                        dest,
                        len(srcs) > 1,
                        kinds,
                        local in explicit,
                        names,
                        assumptions,
                    )
                    mapped.append((found.builder_path, target))
                elif ins.keyword == "ADD":
                    members.extend(found.members)
                else:
                    raise MergeError(
                        f"COPY {src} copies the archive the script packs (not unpacked, as ADD "
                        "would); the merged file cannot make that archive: pass "
                        f"--artifact {local}=PATH for an archive the build image holds",
                        names.runtime,
                        ins.start_line,
                        flag="--artifact",
                    )
            if not mapped and not members:
                if shifted is not None:
                    replacements[ins.start_line] = shifted
                continue
            keep_first = bool(keep) and keep[0] == srcs[0]
            replacements[ins.start_line] = _replacement(
                ins, keep, mapped, members, dest, builder, newline, assumptions, names, keep_first
            )
    return replacements, used


def _source_for(
    local: str,
    src: str,
    ins: Instruction,
    sources: Mapping[str, _Source],
    explicit: Mapping[str, str],
    produced: list[_Produced] | None,
    names: _Names,
) -> _Source | None:
    if local in explicit:
        return _Source(builder_path=posixpath.normpath(explicit[local]))
    if produced is None:
        return sources.get(local)
    base = posixpath.basename(local)
    candidates = sorted({p.path for p in produced if posixpath.basename(p.path) == base})
    if len(candidates) > 1:
        raise MergeError(
            f"{ins.keyword} {src}: {names.build} produces more than one {base} "
            f"({', '.join(candidates)}); pass --artifact {local}=PATH to choose",
            names.runtime,
            ins.start_line,
            flag="--artifact",
        )
    if not candidates:
        return None
    line = min(p.line for p in produced if p.path == candidates[0])
    return _Source(builder_path=candidates[0], made_at=line)


def _place(
    ins: Instruction,
    src: str,
    local: str,
    path: str,
    dest: str,
    several: bool,
    kinds: Mapping[str, str],
    explicit: bool,
    names: _Names,
    assumptions: list[str],
) -> str:
    """The target of ``COPY --from=builder path`` standing in for context file ``local``."""
    where = f"{names.runtime}:{ins.start_line}"
    unpacks = ins.keyword == "ADD" and bool(_ARCHIVE.search(local))
    if unpacks and not explicit:
        raise MergeError(
            f"ADD {src} unpacks {path}, an archive the build image holds; COPY --from cannot "
            f"unpack: unpack it in the build Dockerfile and pass --artifact {local}=FOLDER",
            names.runtime,
            ins.start_line,
            flag="--artifact",
        )
    # With --artifact, an unpacked archive is the folder it unpacks to.
    kind = "directory" if unpacks else kinds.get(path, "unknown")
    target = _target(local, path, dest, several, kind)
    if target != dest and kind == "unknown":
        assumptions.append(
            f"{where}: assumed {path} is a file, so it lands at {target} as {src} did (a "
            f"folder's contents would go to {dest})"
        )
    elif target == dest and kind != "directory" and not _same_name(local, path):
        assumptions.append(
            f"{where}: assumed {dest} is not a folder of the image (the file is called "
            f"{posixpath.basename(path)} in the builder)"
        )
    return target


def _same_name(local: str, path: str) -> bool:
    return posixpath.basename(local) == posixpath.basename(path)


def _target(local: str, path: str, dest: str, several: bool, kind: str) -> str:
    """Where builder ``path`` goes so that it lands where context file ``local`` did."""
    if _same_name(local, path) or kind == "directory":
        return dest  # a folder's contents go into dest, whatever the folder is called
    if dest.endswith("/") or dest in (".", "./") or dest.endswith("/.") or several:
        return posixpath.join(dest, posixpath.basename(local))
    return dest


def _replacement(
    ins: Instruction,
    keep: list[str],
    mapped: list[tuple[str, str]],
    members: list[tuple[str, str | None, str | None]],
    dest: str,
    builder: str,
    newline: str,
    assumptions: list[str],
    names: _Names,
    keep_first: bool = False,
) -> str:
    """The COPY lines that replace ``ins``: sources from the context (in the order the first
    source had), from the builder stage, and an archive's members."""
    keyword = ins.raw.lstrip().split(None, 1)[0]
    copy_word = keyword if keyword.upper() == "COPY" else ("copy" if keyword.islower() else "COPY")
    flags = list(ins.flags)
    copy_flags = flags
    if ins.keyword == "ADD":
        copy_flags = [f for f in flags if f[2:].partition("=")[0].lower() not in _ADD_ONLY_FLAGS]
        if len(copy_flags) != len(flags):
            dropped = " ".join(f for f in flags if f not in copy_flags)
            assumptions.append(
                f"{names.runtime}:{ins.start_line}: {dropped} dropped: COPY --from has no such flag"
            )
    from_flag = f"--from={builder}"
    lines = [f"#{c.text and ' ' + c.text}" for c in ins.comments]
    copies = [_instruction(keyword, flags, [*keep, dest], ins.is_json)] if keep else []
    into_dest = [path for path, target in mapped if target == dest]
    if into_dest:
        line = _instruction(copy_word, [from_flag, *copy_flags], [*into_dest, dest], ins.is_json)
        copies.insert(len(copies) if keep_first else 0, line)
    lines.extend(copies)
    for path, target in mapped:
        if target != dest:
            words = [path, target]
            lines.append(_instruction(copy_word, [from_flag, *copy_flags], words, ins.is_json))
    for name, builder_path, context_path in members:
        target = posixpath.join(dest, name) if name != "." else dest
        if builder_path is not None:
            words = [builder_path, target]
            lines.append(_instruction(copy_word, [from_flag, *copy_flags], words, ins.is_json))
        else:
            assert context_path is not None
            lines.append(_instruction(copy_word, copy_flags, [context_path, target], ins.is_json))
    return newline.join(lines) + newline


def _instruction(keyword: str, flags: list[str], words: list[str], json_form: bool) -> str:
    head = " ".join([keyword, *flags])
    if json_form or any(ch.isspace() or ch in "'\"" for w in words for ch in w):
        return f"{head} {json.dumps(words)}"
    return f"{head} {' '.join(words)}"


_FROM_INDEX = re.compile(r"^(--from=)(\d+)$", re.I)
_MOUNT_FROM_INDEX = re.compile(r"((?:^|,)from=)(\d+)(?=,|$)", re.I)


def _shift_stage_refs(ins: Instruction, offset: int) -> str | None:
    """Text of ``ins`` with stage numbers in ``--from=N`` / ``--mount=...,from=N`` moved past the
    build file's stages; ``None`` when there are none."""
    if not offset or not ins.flags:
        return None
    changed = False
    flags = []
    for flag in ins.flags:
        new = flag
        match = _FROM_INDEX.match(flag)
        if match and ins.keyword in ("COPY", "ADD"):
            new = f"{match.group(1)}{int(match.group(2)) + offset}"
        elif flag.lower().startswith("--mount=") and ins.keyword == "RUN":
            new = "--mount=" + _MOUNT_FROM_INDEX.sub(
                lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", flag[len("--mount=") :]
            )
        changed |= new != flag
        flags.append(new)
    if not changed:
        return None
    raw = ins.raw
    for old, new in zip(ins.flags, flags, strict=True):
        if old != new:
            raw = raw.replace(old, new, 1)
    return raw


# -- the merged text ---------------------------------------------------------------------------


def _header_start(document: Document, stage: Stage) -> int:
    comments = document.comment_lines_before(stage.start_line)
    return comments[0].line if comments else stage.start_line


def _named_from(ins: Instruction, name: str, newline: str) -> str:
    raw = ins.raw
    content = raw.rstrip("\r\n")
    ending = raw[len(content) :] or newline
    match = re.match(r"^(\s*\S+(?:\s+--\S+)*\s+\S+)(?:\s+as\s+\S+)?(\s*)$", content, re.I)
    as_word = "as" if ins.raw.lstrip()[:4].islower() else "AS"
    if "\n" in content or match is None:
        flags = " ".join(ins.flags)
        head = " ".join(w for w in ("FROM", flags, ins.value.split()[0]) if w)
        return f"{head} {as_word} {name}{ending}"
    return f"{match.group(1)} {as_word} {name}{match.group(2)}{ending}"


def _with_newline(text: str, newline: str) -> str:
    """``text`` with every line ending in ``newline`` (the build file's), the last one too."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + newline for line in lines)


def _assemble(
    build: Document,
    runtime: Document,
    directives: list[str],
    arg_blocks: list[tuple[int, str]],
    kept: tuple[Stage, ...],
    stage: Stage,
    builder: str,
    replacements: Mapping[int, str],
) -> str:
    nl = build.newline
    parts: list[str] = []
    if directives:
        parts.append("".join(d + nl for d in directives) + nl)
    # The build file's preamble (between the directives and the first stage), then the
    # runtime file's global ARGs that are new.
    first = _header_start(build, build.stages[0])
    preamble = build.source(len(build.directives) + 1, first - 1).strip()
    header = [preamble] if preamble else []
    header.extend(block.strip() for _, block in arg_blocks)
    moved_args = {line for line, _ in arg_blocks}
    if header:
        parts.append(_with_newline("\n".join(header), nl) + nl)

    # The build file's stages, the builder named.
    end = kept[-1].end_line
    body: list[str] = []
    line = first
    while line <= end:
        if line == stage.start_line and stage.name != builder:
            body.append(_named_from(stage.from_instruction, builder, nl))
            line = stage.from_instruction.end_line + 1
            continue
        body.append(build.lines[line - 1])
        line += 1
    if stage is build.stages[-1]:
        # Comments after the last instruction stay.
        body.extend(build.lines[end:])
    parts.append(_with_newline("".join(body).rstrip(), nl))
    parts.append(nl)

    # The runtime file: comments of its preamble that are not about an ARG, then its stages.
    r_first = _header_start(runtime, runtime.stages[0])
    arg_lines: set[int] = set()
    for ins in runtime.global_args:
        # A moved ARG takes its comments along; a dropped one leaves them here.
        comments = runtime.comment_lines_before(ins.start_line)
        moved = ins.start_line in moved_args
        start = comments[0].line if comments and moved else ins.start_line
        arg_lines.update(range(start, ins.end_line + 1))
    loose = [
        runtime.lines[n - 1]
        for n in range(len(runtime.directives) + 1, r_first)
        if n not in arg_lines and runtime.lines[n - 1].strip()
    ]
    text: list[str] = list(loose)
    line = r_first
    while line <= len(runtime.lines):
        replacement = replacements.get(line)
        if replacement is not None:
            ins = next(i for i in runtime.instructions if i.start_line == line)
            text.append(replacement)
            line = ins.end_line + 1
            continue
        text.append(runtime.lines[line - 1])
        line += 1
    parts.append(_with_newline("".join(text).rstrip(), nl))
    return ("\ufeff" if build.bom else "") + "".join(parts)


# -- checks and reports ------------------------------------------------------------------------


def _check(output: str, runtime: Document, names: _Names) -> tuple[Finding, ...]:
    from dockerslim_refactor.findings import analyze
    from dockerslim_refactor.rewrite import SelfCheckError, self_check

    try:
        self_check(runtime, output)
    except SelfCheckError as err:
        raise MergeError(f"refused, nothing written: {err}", names.runtime) from None
    return analyze(parse(output)).findings


def _obsolete(
    script: BuilderScript | None,
    builder_build: ImageBuild | None,
    final_build: ImageBuild | None,
    builder: str,
    names: _Names,
) -> list[str]:
    """What the old script did that the merged file makes unnecessary, in script order."""
    if script is None:
        return [
            f"the separate `docker build -f {names.build}`: it is stage '{builder}' of the one "
            "build now",
            "the container made from that image to `docker cp` the output out of: "
            f"COPY --from={builder} reads the stage",
            "the copy of the output in the build context, and deleting it afterwards",
            f"the second `docker build` (of {names.runtime})",
        ]
    items: list[tuple[int, str]] = []

    def add(cmd: ScriptCommand, why: str) -> None:
        items.append((cmd.line, f"{_at(names.script, cmd.line)}: `{cmd.text}`: {why}"))

    if builder_build is not None:
        add(
            builder_build.command,
            f"builds {names.build} on its own; it is stage '{builder}' of the one build now",
        )
    for create in script.creates:
        add(
            create.command,
            f"makes the container the output is copied out of; COPY --from={builder} reads "
            "the stage instead",
        )
    copied_locals: set[str] = set()
    for ext in script.extractions:
        copied_locals.add(ext.local)
        add(ext.command, f"copies {ext.path} into the build context; COPY --from={builder} now")
    archives = {a.archive for a in script.archives}
    for archive in script.archives:
        add(
            archive.command,
            "packs the copied files; the merged file copies them where ADD unpacked them",
        )
    containers = {c.name for c in script.creates}
    tags = set(builder_build.tags) if builder_build else set()
    for cleanup in script.cleanups:
        if cleanup.kind == "container" and set(cleanup.targets) <= containers | {""}:
            add(cleanup.command, "removes that container, which is not made any more")
        elif cleanup.kind == "image" and cleanup.targets and set(cleanup.targets) <= tags:
            add(cleanup.command, "removes the build image, which is not tagged any more")
        elif (
            cleanup.kind == "file"
            and cleanup.targets
            and all(
                any(t == p or p.startswith(t.rstrip("/") + "/") for p in copied_locals | archives)
                for t in cleanup.targets
            )
        ):
            add(cleanup.command, "deletes the copy in the build context; none is made now")
    if final_build is not None:
        why = "the second build; the command below replaces it"
        if any(f == "--no-cache" for f, _ in final_build.options):
            why += (
                " (its --no-cache made sure the fresh copy was taken; COPY --from follows the "
                "builder stage through the cache, so it is dropped)"
            )
        add(final_build.command, why)
    return [text for _, text in sorted(items, key=lambda item: item[0])]


def _shell_word(word: str, variables: Mapping[str, str] | None = None) -> str:
    """A word of the script for the printed command: the script's own variables expanded (the
    command runs without the script); words still holding expansions are kept as written, for
    the user's shell to expand."""
    resolved = _expand(_unquoted(word), variables or {})
    if "$" in resolved or "`" in resolved:
        return word
    return shlex.quote(resolved)


def _build_command(
    script: BuilderScript | None,
    builder_build: ImageBuild | None,
    final_build: ImageBuild | None,
    names: _Names,
    assumptions: list[str],
) -> str:
    words: list[str] = ["docker", "build"]
    dockerfile: str | None = None
    context = "."
    if final_build is not None:
        program = final_build.command.program
        words = [program if posixpath.basename(program) in DOCKER_PROGRAMS else "docker", "build"]
        options: list[tuple[str, str | None]] = []
        for flag, value in final_build.options:
            canonical = _canonical_flag(flag)
            if canonical == "--file":
                dockerfile = value
            elif flag != "--no-cache":
                options.append((flag, value))
        if builder_build is not None:
            options.extend(_carried(builder_build, final_build, names, assumptions))
        variables = script.variables if script else {}
        for flag, value in options:
            if value is None:
                words.append(flag)
            else:
                words.extend([flag, _shell_word(value, variables)])
        if final_build.context is not None:
            context = final_build.context
            if final_build.context_dir is not None:
                context = posixpath.relpath(final_build.context_dir, SCRIPT_DIR)
    if names.output is not None:
        dockerfile = names.output
        if posixpath.normpath(posixpath.join(context, "Dockerfile")) == posixpath.normpath(
            names.output
        ):
            dockerfile = None
    if dockerfile is not None:
        words.extend(["-f", _shell_word(dockerfile)])
    words.append(_shell_word(context))
    return " ".join(words)


def _carried(
    builder_build: ImageBuild, final_build: ImageBuild, names: _Names, assumptions: list[str]
) -> list[tuple[str, str | None]]:
    """Options of the build Dockerfile's build that its stage still needs."""

    def key(flag: str, value: str | None) -> tuple[str, str]:
        flag = _canonical_flag(flag)
        if flag in ("--build-arg", "--build-context", "--secret"):
            name = (value or "").split("=", 1)[0]
            if flag == "--secret":
                name = next(
                    (p.split("=", 1)[1] for p in (value or "").split(",") if p.startswith("id=")),
                    name,
                )
            return flag, name
        if flag in _SINGLE_OPTIONS:
            return flag, ""
        return flag, value or ""

    present = {key(f, v): v for f, v in final_build.options}
    carried: list[tuple[str, str | None]] = []
    for flag, value in builder_build.options:
        if _canonical_flag(flag) not in _CARRIED_OPTIONS:
            continue
        k = key(flag, value)
        if k in present:
            if present[k] != value:
                assumptions.append(
                    f"{_at(names.script, builder_build.command.line)}: {flag} {value} of the "
                    f"build of {names.build} differs from the final build's {flag} {present[k]}; "
                    "the one build keeps the final build's"
                )
            continue
        present[k] = value
        carried.append((flag, value))
    return carried


# --------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Merge the legacy builder pattern (a build Dockerfile, a script that copies "
        "the output out of a container, and a runtime Dockerfile) into one multi-stage "
        "Dockerfile.",
    )
    parser.add_argument("build", metavar="BUILD_DOCKERFILE", help="the build Dockerfile")
    parser.add_argument("runtime", metavar="DOCKERFILE", help="the runtime Dockerfile")
    parser.add_argument(
        "--script",
        metavar="SCRIPT",
        help="the script that builds both and copies the output across (sh or bash)",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write the merged Dockerfile here (default: stdout)"
    )
    parser.add_argument(
        "--artifact",
        action="append",
        default=[],
        metavar="LOCAL=PATH",
        help="the runtime COPY source LOCAL is PATH in the build image (repeatable)",
    )
    parser.add_argument(
        "--stage-name", default="builder", metavar="NAME", help="builder stage name (builder)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    return parser


def main(argv: Sequence[str]) -> int:
    """``dockerslim-refactor merge ...``: exit 0 when the merged file is written, 2 on error."""
    from dockerslim_refactor.frontends.cli import UsageError

    try:
        return _run(_parser().parse_args(list(argv)))
    except (UsageError, MergeError) as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    from dockerslim_refactor.frontends.cli import UsageError, read_dockerfile, write_atomically

    artifacts: dict[str, str] = {}
    for item in args.artifact:
        local, sep, path = item.partition("=")
        if not sep or not local or not path:
            raise UsageError(f"{PROG}: --artifact {item!r}: use LOCAL=PATH (app=/go/bin/app)")
        artifacts[local] = path
    inputs = [args.build, args.runtime] + ([args.script] if args.script else [])
    if args.output:
        out = Path(args.output)
        for name in inputs:
            if _same_file(args.output, name):
                raise UsageError(f"{args.output}: -o is an input file; merge never overwrites one")
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"{out}: folder {folder} does not exist")
        if out.is_dir():
            raise UsageError(f"{out}: is a folder")
    build_text = read_dockerfile(args.build)
    runtime_text = read_dockerfile(args.runtime)
    script_text = read_dockerfile(args.script) if args.script else None
    result = merge(
        build_text,
        runtime_text,
        script_text,
        artifacts,
        args.stage_name,
        build_name=args.build,
        runtime_name=args.runtime,
        script_name=args.script or "build.sh",
        output_name=args.output,
    )
    if args.output:
        write_atomically(Path(args.output), result.output)
    else:
        sys.stdout.write(result.output)
    if args.quiet:
        return EXIT_OK
    shown = args.output or "<stdout>"

    def say(text: str) -> None:
        print(text, file=sys.stderr)

    for assumption in result.assumptions:
        say(f"{assumption}")
    for finding in result.findings:
        say(f"{shown}:{finding.line}: {finding.code} {finding.message}")
    if result.obsolete:
        say("no longer needed:")
        for item in result.obsolete:
            say(f"  {item}")
    if args.script:
        say(f"instead of {args.script}, run: {result.build_command}")
    else:
        say(f"build with: {result.build_command}")
    where = f"; wrote {args.output}" if args.output else ""
    say(f"{args.build} + {args.runtime} -> stage '{result.stage_name}' + runtime stage{where}")
    return EXIT_OK


def _same_file(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
