"""The core API every front end uses: read a Dockerfile (parsed once), analyse it, rewrite it,
and write the result atomically. One family of errors, each with a file, a line and a message.

The CLI, the wizard, the language server, ``merge`` and ``verify`` reach the engine through
this module only; none of them imports another front end."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dockerslim_refactor.options import OptionError, Options

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Analysis, Finding
    from dockerslim_refactor.analysis.sizes import SizeEstimate
    from dockerslim_refactor.document import Document
    from dockerslim_refactor.plan import StagePlan

STDIN_NAME = "<stdin>"

# Build-context files detectors may read (cgo imports, crate name, TLS crates, scripts).
# Shell scripts too: a CMD that runs one from the context is followed to what it runs.
CONTEXT_SUFFIXES = (".go", ".sh", ".csproj", ".fsproj", ".vbproj", ".cabal")
CONTEXT_NAMES = frozenset({"Cargo.toml", "package.json", "go.mod", "package.yaml", ".godir"})
CONTEXT_SKIP = frozenset({".git", "node_modules", "vendor", "target", "dist", "build", ".venv"})
CONTEXT_MAX_FILES, CONTEXT_MAX_BYTES, CONTEXT_MAX_DEPTH = 400, 256 * 1024, 4

__all__ = [
    "STDIN_NAME",
    "Error",
    "InputError",
    "Refused",
    "UsageError",
    "Options",
    "OptionError",
    "Source",
    "Result",
    "read",
    "read_text",
    "shown_name",
    "source_of",
    "analyse",
    "rewrite",
    "size_estimate",
    "size_estimate_of",
    "smaller_runtime",
    "context_files",
    "context_root",
    "check_output_target",
    "same_file",
    "write_atomically",
]


class Error(Exception):
    """Everything the API refuses: printed as one line (``file:line: message``), exit 2."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        known = path is not None
        where = f"{path}:{line}: " if known and line else f"{path}: " if known else ""
        super().__init__(where + message)
        self.path = path
        self.message = message
        self.line = line


class UsageError(Error):
    """Arguments or an output target that cannot be used, whatever the file says."""


class InputError(Error):
    """One file (a Dockerfile, or the configuration that applies to it) that cannot be used. A
    run over many files reports it and goes on with the others."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(message, path, line)


class Refused(InputError):
    """The rewrite would lose part of the original image: nothing is written. ``reason`` is
    what the self-check found, without the file and the "refused" prefix."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, f"refused, nothing written: {reason}")
        self.reason = reason


def shown_name(path: str) -> str:
    """The name messages use for ``path`` (``-`` is standard input)."""
    return STDIN_NAME if path == "-" else path


# -- input -------------------------------------------------------------------------------------


def read_text(path: str) -> str:
    """Read and decode a Dockerfile (``-`` is standard input); raises :class:`InputError`."""
    if path == "-":
        data = sys.stdin.buffer.read()
        shown = STDIN_NAME
    else:
        shown = path
        target = Path(path)
        if target.is_dir():
            raise InputError(shown, "is a folder, not a Dockerfile")
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise InputError(shown, "no such file") from None
        except PermissionError:
            raise InputError(shown, "permission denied") from None
        except OSError as err:
            raise InputError(shown, f"cannot read: {err.strerror or err}") from None
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise InputError(shown, "binary file (NUL byte), not a Dockerfile", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(shown, f"not UTF-8 text (byte 0x{data[err.start]:02x})", line) from None
    if not text.lstrip("\ufeff").strip():
        raise InputError(shown, "empty file", 1)
    return text


@dataclass(frozen=True)
class Source:
    """A Dockerfile as read and parsed, once, for every later step."""

    path: str
    """The name shown in messages (``<stdin>`` for standard input)."""
    text: str
    document: Document


def source_of(text: str, path: str = STDIN_NAME) -> Source:
    """Parse ``text``; raises :class:`InputError` with the line BuildKit would refuse."""
    from dockerslim_refactor.document import DockerfileError, parse

    try:
        return Source(path, text, parse(text))
    except DockerfileError as err:
        raise InputError(path, err.message, err.line) from None


def read(path: str) -> Source:
    """Read and parse the Dockerfile at ``path`` (``-`` for standard input)."""
    return source_of(read_text(path), shown_name(path))


def context_root(context: str | None, path: str) -> Path | None:
    """The build context: ``--context`` when given, else the Dockerfile's folder."""
    if context:
        root = Path(context)
        if not root.is_dir():
            raise UsageError(f"{context}: --context is not a folder")
        return root
    return Path(path).resolve().parent if path != "-" else None


def context_files(root: Path | None) -> dict[str, str]:
    """Small source files of the build context that detectors read, bounded in count, size
    and depth so a Dockerfile at the top of a large repository stays fast."""
    if root is None or not root.is_dir():
        return {}
    found: dict[str, str] = {}
    stack = [(root, 0)]
    while stack and len(found) < CONTEXT_MAX_FILES:
        folder, depth = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if depth < CONTEXT_MAX_DEPTH and entry.name not in CONTEXT_SKIP:
                    stack.append((Path(entry.path), depth + 1))
                continue
            if not entry.is_file(follow_symlinks=False):
                # A link goes into the build as a link, and reading a pipe or device (a
                # link to /dev/stdin, a FIFO) would wait for ever.
                continue
            # Scripts without a suffix (`setup_prereqs`, `bin/build`) by their #! line.
            script = "." not in entry.name
            if not (script or entry.name in CONTEXT_NAMES or entry.name.endswith(CONTEXT_SUFFIXES)):
                continue
            try:
                if entry.stat().st_size > CONTEXT_MAX_BYTES:
                    continue
                text = Path(entry.path).read_text("utf-8", errors="replace")
            except OSError:
                continue
            if script and not text.startswith("#!"):
                continue
            found[Path(entry.path).relative_to(root).as_posix()] = text
    return found


# -- the engine --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What the engine made of one file: the analysis, and for a rewrite the plan and the new
    text, or the reason the file is left alone."""

    source: Source
    analysis: Analysis | None
    """``None`` only when an ignore pragma stops the rewrite before any analysis."""
    plan: StagePlan | None
    output: str | None
    """The new Dockerfile, or ``None`` when the file is left alone."""
    reason: str | None
    """Why the file is left alone."""

    @property
    def changed(self) -> bool:
        return self.output is not None and self.output != self.source.text

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.analysis.findings if self.analysis is not None else ()

    @property
    def notes(self) -> tuple[Finding, ...]:
        """The rewrite's own notes (DSR1xx) from the analysis and the plan."""
        found = [f for f in self.findings if f.code.startswith("DSR1")]
        if self.plan is not None:
            found += [f for f in self.plan.notes if f.code.startswith("DSR1")]
        return tuple(found)


def analyse(
    source: Source, options: Options | None = None, context: Mapping[str, str] | None = None
) -> Analysis:
    """Every finding for ``source``; no plan, no template."""
    from dockerslim_refactor.findings import analyze

    return analyze(source.document, options or Options(), context)


def rewrite(
    source: Source,
    options: Options | None = None,
    context: Mapping[str, str] | None = None,
    *,
    honour_pragmas: bool = True,
) -> Result:
    """Rewrite ``source``. Raises :class:`InputError` when the result would lose part of the
    original image (:class:`Refused`; nothing is written then), :class:`UsageError` for
    contradicting options. With ``honour_pragmas`` false, an ignore pragma does not stop it."""
    from dockerslim_refactor.rewrite import SelfCheckError, rewrite_document

    if honour_pragmas:
        from dockerslim_refactor.pragmas import rewrite_blocker

        blocker = rewrite_blocker(source.document)
        if blocker:
            return Result(source, None, None, None, blocker)
    try:
        done = rewrite_document(source.document, options or Options(), context)
    except OptionError as err:
        raise UsageError(str(err)) from None
    except SelfCheckError as err:
        raise Refused(source.path, str(err)) from None
    return Result(source, done.analysis, done.plan, done.output, done.reason)


def size_estimate(analysis: Analysis | None, plan: StagePlan | None = None) -> SizeEstimate | None:
    """The published size of the original's final base image and of the rewrite's runtime base,
    or ``None`` when the file is left alone. Without ``plan`` (``analyze``), the plan is made
    here, without rendering the Dockerfile."""
    if analysis is None or analysis.leave_alone:
        return None
    if plan is None:
        from dockerslim_refactor.plan import PlanError, build_plan

        try:
            plan = build_plan(analysis)
        except PlanError:
            return None
    from dockerslim_refactor.analysis.sizes import estimate

    return estimate(analysis.facts.image.text, plan.runtime.image)


def smaller_runtime(analysis: Analysis | None, plan: StagePlan | None) -> str | None:
    """For an interpreted program on its interpreter's slim image (``--runtime auto``), the
    distroless image ``--runtime distroless`` would run it on, with the published sizes of
    both; ``None`` when there is none or the program cannot run there."""
    if analysis is None or plan is None or plan.runtime.family != "interpreter":
        return None
    if analysis.options.runtime != "auto" or analysis.options.runtime_image:
        return None
    from dataclasses import replace

    from dockerslim_refactor.analysis.sizes import lookup
    from dockerslim_refactor.plan import PlanError, build_plan

    asked = replace(analysis, options=replace(analysis.options, runtime="distroless"))
    try:
        other = build_plan(asked)
    except PlanError:
        return None
    if not other.runtime.family.startswith("distroless"):
        return None
    now, then = lookup(plan.runtime.image), lookup(other.runtime.image)
    saving = ""
    if now.megabytes is not None and then.megabytes is not None and then.megabytes < now.megabytes:
        saving = f", {now.megabytes - then.megabytes:.0f} MB smaller"
    return (
        f"--runtime distroless would run it on {then.text()} instead of {now.text()}"
        f"{saving}, without a shell or package manager"
    )


def size_estimate_of(original: Source, rewritten: Source) -> SizeEstimate:
    """The published sizes of two Dockerfiles' final base images (``verify``, which may be given
    the rewrite as a file)."""
    from dockerslim_refactor.analysis.sizes import estimate, final_base

    return estimate(final_base(original.document), final_base(rewritten.document))


# -- output ------------------------------------------------------------------------------------


def check_output_target(path: Path) -> None:
    """Fail before any work when ``path`` cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"folder {folder} does not exist", str(path))
    if path.is_dir():
        raise UsageError("is a folder", str(path))


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` next to ``path`` in a temporary file, then rename it over ``path``, so a
    failure leaves the old file intact. An existing file's mode is kept. A symbolic link stays
    a link: the file it points to is the one replaced. A device or pipe (``-o /dev/stdout``)
    is written to directly: renaming over it would replace the device with a file."""
    check_output_target(path)
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            with open(path, "wb") as handle:
                handle.write(text.encode("utf-8"))
        except OSError as err:
            raise UsageError(f"cannot write: {err.strerror or err}", str(path)) from None
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    mode = stat.S_IMODE(info.st_mode) if info is not None else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except PermissionError:
        raise UsageError(f"permission denied (cannot write in {folder})", str(path)) from None
    except OSError as err:
        raise UsageError(f"cannot write: {err.strerror or err}", str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise UsageError(f"cannot write: {err.strerror or err}", str(path)) from None
        raise
