"""The stage plan's values: the runtime base, the copies into it, the whole plan, and the
error for a rewrite that would not give a working image."""

from __future__ import annotations

from dataclasses import dataclass

from dockerslim_refactor.analysis.model import BuildInfo, Finding

NON_ROOT = "65534:65534"


@dataclass(frozen=True)
class RuntimeBase:
    image: str
    family: str
    """``alpine``, ``busybox``, ``scratch``, ``distroless``, ``slim``, ``interpreter``,
    ``custom``, or for an interpreter on distroless ``distroless-node``, ``distroless-java``
    (the distroless Java image) and ``distroless-jlink`` (distroless/cc with a Java runtime
    jlink made for the app)."""
    has_shell: bool
    reason: str
    release_check: str | None = None
    """A Debian codename the builder must be on: the runtime was chosen for that release
    because the builder's tag does not name it."""
    program: str | None = None
    """Where the runtime has the interpreter the image's command runs (``/nodejs/bin/node``,
    which is not on distroless Node.js's PATH): the command names it so."""
    module: str | None = None
    """A console script the command names (``gunicorn``), which the runtime runs as
    ``python -m gunicorn``: the script's ``#!`` line names the builder's interpreter."""
    entrypoint: tuple[str, ...] = ()
    """What the base image's own ENTRYPOINT runs (``/usr/bin/java -jar``): a CMD that ran
    the same gives only its arguments."""


@dataclass(frozen=True)
class CopyStep:
    source: str
    dest: str


@dataclass(frozen=True)
class StagePlan:
    head: str
    """Parser directives, global ARGs and comments before the first FROM, as written."""
    builder_from: str
    builder_name: str
    builder_prelude: tuple[str, ...]
    builder_body: str
    runtime: RuntimeBase
    runtime_setup: tuple[str, ...]
    carried: tuple[str, ...]
    runtime_env: tuple[tuple[str, str], ...]
    copies: tuple[CopyStep, ...]
    after_copies: tuple[str, ...]
    """Steps after the copies: the folders, owners, links and capabilities the build made."""
    user: str | None
    """The runtime stage's USER line: the original's last non-root USER, or an added
    unprivileged one with --non-root."""
    finale: tuple[str, ...]
    """HEALTHCHECK / ENTRYPOINT / CMD, as written, in their original order."""
    copy_flags: str
    """Flags for the runtime stage's ``COPY --from`` lines (``--link `` with --buildkit)."""
    test_stage: str | None
    debug_stage: bool
    tail: str
    build: BuildInfo
    escape: str
    notes: tuple[Finding, ...]
    command_changes: tuple[tuple[str, object], ...] = ()
    """``(keyword, value)`` of each CMD or ENTRYPOINT the rewrite changed on purpose (a
    ``cargo run`` that became the binary, ``node`` that distroless's ENTRYPOINT runs): the
    value as the parser reads it (a tuple for exec form)."""


class PlanError(Exception):
    """The rewrite would not give a working image; the message says why."""


def note(line: int, message: str, *, flag: str) -> Finding:
    """A DSR100 note: what the planner decided on its own, and the flag that overrides it."""
    return Finding("DSR100", "info", line, line, message, flag=flag)


def escape_continuations(text: str, escape: str) -> str:
    return text.replace(" \\\n", f" {escape}\n") if escape != "\\" else text


def ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"
