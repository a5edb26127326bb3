"""The analyzer's vocabulary: findings, artifacts, runtime needs, what one ecosystem builds,
and the facts of a stage that detectors and rules read."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # The vocabulary names these types but needs none of their modules to exist: a rule or a
    # report that imports a Finding does not load the Dockerfile or shell parsers.
    from dockerslim_refactor.analysis.images import BaseImageInfo, ImageRef
    from dockerslim_refactor.document import Document, Instruction, Stage
    from dockerslim_refactor.options import Options
    from dockerslim_refactor.shell import ShellScript

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One thing the analyzer reports, with a stable code and the lines it is about."""

    code: str
    severity: str
    line: int
    end_line: int
    message: str
    fix: str | None = None
    """What the fix does, when the tool has one."""
    fix_safe: bool = True
    """False when the fix may change meaning (it is then not applied by default)."""
    flag: str | None = None
    """The command-line flag that settles an open question, when the finding is about one."""

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "line": self.line,
            "end_line": self.end_line,
            "message": self.message,
            "fix": self.fix,
            "fix_safe": self.fix_safe,
            "flag": self.flag,
        }


@dataclass(frozen=True)
class Artifact:
    """A file or folder the build produces and the runtime stage needs."""

    path: str
    """Absolute path in the builder stage."""
    dest: str
    """Absolute path in the runtime stage."""
    kind: str
    """``binary``, ``directory``, ``jar``, ``dll-folder``, ``venv``, ``file``, ``glob``."""
    line: int
    """The line of the instruction that produced it (or named it)."""
    certain: bool = True
    note: str | None = None


@dataclass(frozen=True)
class BuildInfo:
    """What one ecosystem detector found in the final stage."""

    ecosystem: str
    """``go``, ``rust``, ``c``, ``node``, ``python``, ``java``, ``dotnet`` or ``generic``."""
    template: str
    """Template file name under templates/ (``go.Dockerfile.j2``)."""
    artifacts: tuple[Artifact, ...]
    linkage: str
    """``static``, ``glibc``, ``musl`` or ``interpreter`` (runs on the runtime image's
    interpreter or VM)."""
    runtime_image: str | None = None
    """For interpreters and VMs: the runtime image that keeps the builder's version."""
    builder_env: tuple[tuple[str, str], ...] = ()
    """ENV to add at the top of the builder stage (``CGO_ENABLED=0`` to link statically)."""
    builder_prelude: tuple[str, ...] = ()
    """Instructions placed right after the builder's FROM, before the ENV (a venv to create)."""
    builder_steps: tuple[str, ...] = ()
    """Instructions appended at the end of the builder stage (``RUN npm prune --omit=dev``)."""
    runtime_env: tuple[tuple[str, str], ...] = ()
    """ENV the runtime stage needs for the copied artifacts (``PATH`` of a venv)."""
    runtime_packages: tuple[str, ...] = ()
    """OS packages the program needs at run time (Debian names)."""
    needs_ca_certificates: bool = False
    findings: tuple[Finding, ...] = ()
    """Notes from the detector, in particular where it is unsure."""
    lines: tuple[int, ...] = ()
    """Lines of the build commands it recognised."""
    marker_line: int | None = None
    """A marker file is made right before this line's instruction, so that a final step can
    find what the build added."""
    final_steps: tuple[str, ...] = ()
    """Instructions at the very end of the builder stage, after every original step."""


@dataclass(frozen=True)
class Wrapper:
    """A command that builds or runs the program through its toolchain (``cargo run
    --release``, ``npm start``), resolved to the program it ends up running."""

    instruction: Instruction
    """The CMD or ENTRYPOINT that holds it."""
    was: str
    """The command as written (``cargo run --release``)."""
    argv: tuple[str, ...]
    """What the image runs instead."""
    shell_form: bool
    """The replacement is in shell form: the original was, and a shell does more than split
    its words (globs, quotes, ``~``). Plain words become exec form."""
    build: str | None
    """The build command that makes ``argv[0]`` in the builder (``cargo build --release``)."""
    note: str


@dataclass(frozen=True)
class RunStep:
    """A RUN of the stage with its shell view and what is in effect when it runs."""

    instruction: Instruction
    script: ShellScript
    workdir: str | None
    env: Mapping[str, str]


@dataclass(frozen=True)
class StageFacts:
    """Everything detectors and rules read about one stage, resolved once."""

    document: Document
    stage: Stage
    image: ImageRef
    info: BaseImageInfo
    steps: tuple[RunStep, ...]
    workdir: str
    """The WORKDIR in effect at the end of the stage (``/`` by default)."""
    env: Mapping[str, str]
    """Base-image environment, ARG defaults and ENV at the end of the stage."""
    user: str | None
    entrypoint: Instruction | None
    cmd: Instruction | None
    context_files: Mapping[str, str] = field(default_factory=dict)
    """Small text files of the build context (relative path -> text) when the context is
    known, for detectors that need a look at sources (go files, Cargo.toml, package.json)."""
    wrapper: Wrapper | None = None
    """The image's command when it builds or runs through the toolchain (``cargo run``),
    resolved: :attr:`program` is then what it runs."""

    @property
    def program(self) -> tuple[str, ...]:
        """The argv the container runs (ENTRYPOINT + CMD in exec form; ``("/bin/sh", "-c",
        text)`` for shell form), empty when unknown."""
        if self.wrapper is not None:
            return self.wrapper.argv
        argv: list[str] = []
        entry = self.entrypoint
        if entry is not None:
            argv.extend(_argv(entry))
            if not entry.is_json:
                return tuple(argv)
        if self.cmd is not None:
            argv.extend(_argv(self.cmd))
        return tuple(argv)

    @property
    def program_words(self) -> tuple[str, ...]:
        """:attr:`program` with a shell form's ``sh -c "..."`` split into its words."""
        argv = self.program
        if len(argv) >= 3 and posixpath.basename(argv[0]) in {"sh", "bash"} and argv[1] == "-c":
            import shlex

            try:
                return tuple(shlex.split(argv[2]))
            except ValueError:
                return tuple(argv[2].split())
        return argv

    @property
    def executable(self) -> str | None:
        """The program's executable as written (``./app``, ``go-http``, ``java``), following
        ``sh -c "exec x"`` one level."""
        argv = self.program
        if not argv:
            return None
        if len(argv) >= 3 and posixpath.basename(argv[0]) in {"sh", "bash"} and argv[1] == "-c":
            words = argv[2].split()
            while words and (words[0] == "exec" or "=" in words[0]):
                words.pop(0)
            return _past_wrappers(words)
        return _past_wrappers(list(argv))

    @property
    def path_dirs(self) -> tuple[str, ...]:
        return tuple(p for p in self.env.get("PATH", "").split(":") if p)

    def resolve(self, path: str, cwd: str | None = None) -> str:
        """An absolute path for ``path`` as seen from ``cwd`` (default: the final WORKDIR)."""
        path = expand(path, self.env)
        if path.startswith("~"):
            path = "/root" + path[1:]
        base = cwd if cwd is not None else self.workdir
        return posixpath.normpath(posixpath.join(base, path))

    def which(self, name: str) -> tuple[str, ...]:
        """Where ``name`` would be found: itself when it has a slash, else each PATH entry."""
        if "/" in name:
            return (self.resolve(name),)
        return tuple(posixpath.join(d, name) for d in self.path_dirs)

    def instructions(self, keyword: str) -> tuple[Instruction, ...]:
        return self.stage.all(keyword)


def _argv(ins: Instruction) -> list[str]:
    if ins.json_args is not None:
        return list(ins.json_args)
    return ["/bin/sh", "-c", ins.value]


@cache
def _var() -> re.Pattern[str]:
    return re.compile(
        r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
    )


def expand(text: str, env: Mapping[str, str]) -> str:
    """Expand ``$X``, ``${X}``, ``${X:-default}`` and ``${X:+alt}`` from ``env``; unknown
    variables are left as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3)
        value = env.get(name)
        if op == ":-":
            return value if value else (word or "")
        if op == "-":
            return value if value is not None else (word or "")
        if op == ":+":
            return (word or "") if value else ""
        if op == "+":
            return (word or "") if value is not None else ""
        return value if value is not None else match.group(0)

    return _var().sub(replace, text)


@dataclass(frozen=True)
class Analysis:
    document: Document
    facts: StageFacts
    """The final stage, resolved."""
    build: BuildInfo | None
    """What the final stage builds, when a detector recognised it."""
    toolchain: tuple[tuple[int, str], ...]
    """Evidence that the final image carries a toolchain: (line, what)."""
    leave_alone: str | None
    """Why the file is not rewritten, or ``None`` when a rewrite pays off."""
    findings: tuple[Finding, ...]
    options: Options
    written_out: Any = None
    """For a file on an official ``-onbuild`` image: the file with that image's steps
    written out (:class:`dockerslim_refactor.analysis.onbuild.Expansion`), when the rewrite
    takes that on; ``leave_alone`` still says why this file as written is not rewritten."""


# Programs that run another program: an init, a user switch. What they start is the program.
_INITS = frozenset({"tini", "dumb-init", "catatonit"})
_USER_SWITCHES = frozenset({"gosu", "su-exec"})


def _past_wrappers(words: list[str]) -> str | None:
    """The first word that is not an init (``tini --``), ``sudo [-u USER]``, ``gosu USER``,
    ``su-exec USER`` or ``env [NAME=value]...``."""
    words = list(words)
    while words:
        name = posixpath.basename(words[0])
        if name in _INITS:
            words = [w for w in words[1:]]
            while words and words[0].startswith("-"):
                words.pop(0)
        elif name == "sudo":
            words.pop(0)
            while words and words[0].startswith("-"):
                flag = words.pop(0)
                if flag in {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"} and words:
                    words.pop(0)
        elif name in _USER_SWITCHES and len(words) > 2:
            words = words[2:]
        elif name == "env" and len(words) > 1:
            # `env [-i] [NAME=value]... program`: env only sets the environment.
            words.pop(0)
            while words and (words[0].startswith("-") or "=" in words[0]):
                flag = words.pop(0)
                if flag in {"-u", "--unset", "-C", "--chdir", "-S"} and words:
                    words.pop(0)
        else:
            return words[0]
    return None
