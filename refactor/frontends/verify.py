"""Build the original and the rewritten image on a real Docker engine, run both, compare.

``dockerslim-refactor verify Dockerfile`` rewrites the Dockerfile in-process (or takes the
rewrite given with ``--rewritten``), builds both images, runs the same smoke command in each
(``docker run --rm --network none IMAGE ARGS...``) and reports, per image, whether it built,
how long the build took, its size and layer count (beside the published compressed size of its
final base image, the estimate the rewrite shows), and the smoke run's exit status; the
rewrite passes when its smoke run exits like the original's and prints the same stdout.

It drives the ``docker`` CLI through :mod:`subprocess` rather than the Docker SDK for Python:
that adds no dependency, honours ``DOCKER_HOST`` and docker contexts exactly as the user's
shell does, and the classic builder (``DOCKER_BUILDKIT=0``) is reached through the CLI.
``DOCKER_BUILDKIT`` is left as the user has it.

Exit status: 0 when the rewrite builds and behaves the same as the original; 1 when it builds
but its smoke run differs from the original's (exit status or stdout); 2 on errors: bad
arguments or missing files, no reachable engine, a failed build, a smoke run that timed out,
a rewrite that could not be produced; 130 when interrupted (SIGINT/SIGTERM).

Everything it makes is labelled ``dockerslim-refactor.frontends.verify=<run id>``; the images and
containers with that label are removed at the end (also when interrupted) unless
``--keep-images`` is given.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.sizes import SizeEstimate

PROG = "dockerslim-refactor verify"
LABEL = "dockerslim-refactor.frontends.verify"
TAG_REPO = "dockerslim-refactor-verify"
ROLES = ("original", "rewritten")
REPORT_VERSION = 1

ENGINE_HINT = "start Docker or set DOCKER_HOST=unix:///path/docker.sock"
INFO_TIMEOUT = 30.0
CLEANUP_TIMEOUT = 120.0
CLEANUP_ATTEMPTS = 5
LOG_TAIL_LINES = 20
ESTIMATE_NOTE = "published compressed sizes of the final base images"
OUTPUT_LIMIT = 64 * 1024

EXIT_SAME = 0
EXIT_DIFFERS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

# The step a build was on: the classic builder prints "Step 3/7 : RUN make", BuildKit's
# plain progress prints "#7 [builder 3/5] RUN make" or "ERROR [builder 3/5] RUN make".
_CLASSIC_STEP = re.compile(r"^Step \d+/\d+ :")
_BUILDKIT_STEP = re.compile(r"^(?:#\d+ |ERROR:? |> )?\[[^\]]*\d+/\d+\] ")


class VerifyError(Exception):
    """An error that ends the run with exit status 2; ``details`` are extra lines to show."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so that ``finally`` blocks run the cleanup."""


@dataclass
class SmokeResult:
    exit_code: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""


@dataclass
class ImageResult:
    role: str
    dockerfile: str
    tag: str
    built: bool = False
    build_seconds: float | None = None
    image_id: str | None = None
    size_bytes: int | None = None
    layers: int | None = None
    failed_step: str | None = None
    log_tail: list[str] = field(default_factory=list)
    smoke: SmokeResult | None = None
    smoke_pass: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        smoke = self.smoke
        return {
            "dockerfile": self.dockerfile,
            "tag": self.tag,
            "built": self.built,
            "build_seconds": self.build_seconds,
            "image_id": self.image_id,
            "size_bytes": self.size_bytes,
            "layers": self.layers,
            "failed_step": self.failed_step,
            "build_log_tail": self.log_tail if not self.built else [],
            "smoke_exit": smoke.exit_code if smoke else None,
            "smoke_timed_out": smoke.timed_out if smoke else False,
            "smoke_seconds": smoke.seconds if smoke else None,
            "smoke_stdout": smoke.stdout if smoke else None,
            "smoke_stderr": smoke.stderr if smoke else None,
            "smoke_pass": self.smoke_pass,
        }


@dataclass
class Report:
    run_id: str
    dockerfile: str
    rewritten: str | None
    context: str
    smoke_args: list[str]
    images: dict[str, ImageResult] = field(default_factory=dict)
    same_exit: bool | None = None
    same_stdout: bool | None = None
    error: str | None = None
    error_details: list[str] = field(default_factory=list)
    kept_images: bool = False
    exit_code: int = EXIT_ERROR
    engine: str | None = None
    """The engine's server version once ``docker info`` answered (cleanup needs an engine)."""
    estimate: SizeEstimate | None = None
    """The published compressed sizes of both final base images, to show beside the measured
    sizes."""

    @property
    def size_ratio(self) -> float | None:
        original, rewritten = self.images.get("original"), self.images.get("rewritten")
        if not (original and rewritten and original.size_bytes and rewritten.size_bytes):
            return None
        return round(rewritten.size_bytes / original.size_bytes, 4)

    @property
    def result(self) -> str:
        results = {EXIT_SAME: "same", EXIT_DIFFERS: "differs", EXIT_INTERRUPTED: "interrupted"}
        return results.get(self.exit_code, "error")

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "run_id": self.run_id,
            "result": self.result,
            "exit_code": self.exit_code,
            "error": self.error,
            "error_details": self.error_details,
            "dockerfile": self.dockerfile,
            "rewritten": self.rewritten,
            "context": self.context,
            "smoke_args": self.smoke_args,
            "images": {
                role: self.images[role].to_dict() if role in self.images else None for role in ROLES
            },
            "size_ratio": self.size_ratio,
            "size_estimate": self.estimate.as_dict() if self.estimate is not None else None,
            "same_exit": self.same_exit,
            "same_stdout": self.same_stdout,
            "kept_images": self.kept_images,
            "engine": self.engine,
        }


# --------------------------------------------------------------------------- arguments ----


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Build the original and the rewritten image on a real Docker engine, run the same "
            "smoke command in both and compare exit status, stdout, size and layers."
        ),
        epilog=(
            "Exit status: 0 the rewrite builds and behaves the same; 1 it builds but its smoke "
            "run differs; 2 an error (bad arguments, no engine, a failed build, a smoke "
            "timeout). Needs a Docker engine: the docker CLI is used as your shell would use "
            "it (DOCKER_HOST, docker contexts)."
        ),
    )
    parser.add_argument("dockerfile", help="the original (single-stage) Dockerfile")
    parser.add_argument(
        "--rewritten",
        metavar="FILE",
        help="a rewritten Dockerfile to check (default: rewrite DOCKERFILE with this tool)",
    )
    parser.add_argument(
        "--context",
        metavar="DIR",
        help="build context for both images (default: the Dockerfile's folder)",
    )
    parser.add_argument(
        "--smoke",
        metavar="ARGS",
        default="",
        help="arguments for `docker run IMAGE ARGS`, split like a shell would "
        "(default: empty, the image's own command)",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=120.0,
        help="seconds allowed for each smoke run (default: 120)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="report format on stdout (default: text)",
    )
    parser.add_argument(
        "--keep-images",
        action="store_true",
        help="keep the two images (their tags are reported) instead of removing them",
    )
    parser.add_argument(
        "--rewrite-arg",
        metavar="ARG",
        action="append",
        default=[],
        help="extra option for the rewrite, e.g. --rewrite-arg=--runtime=busybox; each value "
        "is split like a shell would; may be repeated; not used with --rewritten",
    )
    return parser


def _check_file(path: Path, what: str) -> None:
    if not path.exists():
        raise VerifyError(f"{path}: no such file ({what})")
    if not path.is_file():
        raise VerifyError(f"{path}: not a file ({what})")
    if not os.access(path, os.R_OK):
        raise VerifyError(f"{path}: cannot read it ({what})")


# ------------------------------------------------------------------------------ docker ----


def _docker(
    args: list[str], timeout: float | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``docker ARGS`` and capture its output as text."""
    proc = subprocess.run(
        ["docker", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().splitlines()
        raise VerifyError(
            f"docker {args[0]} failed (exit {proc.returncode})"
            + (f": {message[-1]}" if message else "")
        )
    return proc


def _engine_name() -> str:
    host = os.environ.get("DOCKER_HOST")
    if host:
        return f"DOCKER_HOST={host}"
    context = os.environ.get("DOCKER_CONTEXT")
    if context:
        return f"docker context {context!r}"
    return "the default docker context"


def check_engine() -> str:
    """Return the engine's server version, or raise :class:`VerifyError` with the hint."""
    if shutil.which("docker") is None:
        raise VerifyError(f"the docker CLI is not on PATH: install it, then {ENGINE_HINT}")
    try:
        proc = _docker(["info", "--format", "{{.ServerVersion}}"], timeout=INFO_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise VerifyError(
            f"no Docker engine answered on {_engine_name()} within {INFO_TIMEOUT:.0f} s: "
            f"{ENGINE_HINT}"
        ) from None
    version = proc.stdout.strip()
    if proc.returncode != 0 or not version:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        detail = f" ({lines[-1].strip()})" if lines else ""
        raise VerifyError(f"no Docker engine answers on {_engine_name()}{detail}: {ENGINE_HINT}")
    return version


def _failed_step(lines: list[str]) -> str | None:
    for line in reversed(lines):
        text = line.strip()
        if _CLASSIC_STEP.match(text) or _BUILDKIT_STEP.match(text):
            return text
    return None


def build_image(
    image: ImageResult, context: Path, run_id: str, workdir: Path, status: StatusPrinter
) -> None:
    """``docker build`` one image; fills ``built``, timings, id, size and layers."""
    iidfile = workdir / f"{image.role}.iid"
    cmd = [
        "build",
        "--network",
        "host",
        "--force-rm",
        "-f",
        image.dockerfile,
        "-t",
        image.tag,
        "--label",
        f"{LABEL}={run_id}",
        "--iidfile",
        str(iidfile),
        str(context),
    ]
    status.say(f"building {image.role} image from {image.dockerfile} ...")
    started = time.monotonic()
    proc = subprocess.run(
        ["docker", *cmd],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    image.build_seconds = round(time.monotonic() - started, 1)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or not iidfile.is_file() or not iidfile.read_text().strip():
        image.built = False
        image.failed_step = _failed_step(lines)
        image.log_tail = lines[-LOG_TAIL_LINES:]
        status.say(f"{image.role} image FAILED to build after {image.build_seconds} s")
        return
    image.built = True
    image.image_id = iidfile.read_text().strip()
    inspect = _docker(
        ["image", "inspect", "-f", "{{.Size}} {{len .RootFS.Layers}}", image.image_id],
        timeout=INFO_TIMEOUT,
        check=True,
    )
    size, layers = inspect.stdout.split()
    image.size_bytes, image.layers = int(size), int(layers)
    status.say(
        f"{image.role} image built in {image.build_seconds} s: "
        f"{_human_size(image.size_bytes)}, {image.layers} layers"
    )


def _limit(text: str) -> str:
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT] + f"\n[... {len(text) - OUTPUT_LIMIT} more characters]"


def run_smoke(
    image: ImageResult, args: list[str], timeout: float, run_id: str, status: StatusPrinter
) -> SmokeResult:
    """``docker run --rm --network none`` the image with the smoke arguments, under a timeout."""
    assert image.image_id is not None
    name = f"dslim-verify-{run_id}-{image.role}"
    cmd = [
        "docker",
        "run",
        "--rm",
        "--network",
        "none",
        "--label",
        f"{LABEL}={run_id}",
        "--name",
        name,
        image.image_id,
        *args,
    ]
    status.say(f"running {image.role} image: {shlex.join(['docker', 'run', image.tag, *args])}")
    result = SmokeResult()
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        result.timed_out = True
        # Killing the CLI does not stop the container: remove it by name.
        _docker(["rm", "-f", name], timeout=CLEANUP_TIMEOUT)
        proc.kill()
        stdout, stderr = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    result.seconds = round(time.monotonic() - started, 2)
    result.stdout, result.stderr = _limit(stdout), _limit(stderr)
    result.exit_code = None if result.timed_out else proc.returncode
    return result


def cleanup(run_id: str, tags: list[str]) -> list[str]:
    """Remove the containers and images of this run (by label, and the tags). Returns problems."""
    problems: list[str] = []
    label = f"label={LABEL}={run_id}"
    try:
        # A killed `docker run --rm` client leaves its container running, and the daemon's own
        # auto-remove can race `rm -f`; an image still used by a running container cannot be
        # removed. So: remove containers until none is left, then the images, a few times.
        left: list[str] = []
        for attempt in range(CLEANUP_ATTEMPTS):
            containers = _docker(["ps", "-aq", "--filter", label], timeout=CLEANUP_TIMEOUT)
            ids = containers.stdout.split()
            if ids:
                _docker(["rm", "-f", *ids], timeout=CLEANUP_TIMEOUT)
            images = _docker(["image", "ls", "-q", "--filter", label], timeout=CLEANUP_TIMEOUT)
            targets = list(dict.fromkeys([*(tags if attempt == 0 else []), *images.stdout.split()]))
            if targets:
                _docker(["image", "rm", "-f", *targets], timeout=CLEANUP_TIMEOUT)
            left = _docker(["image", "ls", "-q", "--filter", label], timeout=CLEANUP_TIMEOUT)
            left = left.stdout.split()
            if not left:
                break
            time.sleep(1)
        if left:
            problems.append(f"images left with label {LABEL}={run_id}: {left}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        problems.append(f"cleanup failed: {exc}")
    return problems


# ----------------------------------------------------------------------------- rewrite ----


def produce_rewrite(dockerfile: Path, rewrite_args: list[str], workdir: Path) -> Path:
    """Rewrite ``dockerfile`` with this tool, in-process, into a file under ``workdir``: what
    ``dockerslim-refactor DOCKERFILE REWRITE_ARGS...`` writes (configuration files included),
    or the original when the file is left alone."""
    try:
        from dockerslim_refactor import api
        from dockerslim_refactor.arguments import PROG as REWRITE_PROG
        from dockerslim_refactor.arguments import Batch, rewrite_parser
    except ImportError as exc:
        raise VerifyError(
            f"the rewriter is not available ({exc}); pass --rewritten FILE instead"
        ) from None
    path = str(dockerfile)
    try:
        batch = Batch(rewrite_parser(many=True).parse_intermixed_args([path, *rewrite_args]))
        text = api.read_text(path)
        options, _ = batch.options(path)
        source = api.source_of(text, api.shown_name(path))
        context = batch.context(path)
        try:
            result = api.rewrite(source, options, context)
        except api.UsageError as exc:  # options that contradict the file
            raise api.UsageError(f"{REWRITE_PROG}: {exc}") from None
    except api.Error as exc:
        message = str(exc)
        if not message.startswith(path):
            message = f"{dockerfile}: {message}"
        raise VerifyError(message) from None
    except OSError as exc:
        raise VerifyError(f"{exc.filename or dockerfile}: {exc.strerror or exc}") from None
    out = workdir / "Dockerfile.rewritten"
    out.write_text(result.output if result.output is not None else text, encoding="utf-8")
    return out


def estimate_sizes(original: Path, rewritten: Path) -> SizeEstimate | None:
    """The published sizes of both Dockerfiles' final base images, or ``None`` when a file does
    not parse or the rewriter is not available."""
    try:
        from dockerslim_refactor import api
    except ImportError:
        return None
    try:
        return api.size_estimate_of(
            api.source_of(api.read_text(str(original)), str(original)),
            api.source_of(api.read_text(str(rewritten)), str(rewritten)),
        )
    except api.Error:
        return None


# ----------------------------------------------------------------------------- output -----


class StatusPrinter:
    """Progress lines on stderr, so that stdout carries only the report."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[verify] {message}", file=sys.stderr, flush=True)


def _human_size(size: int | None) -> str:
    if size is None:
        return "-"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def format_text(report: Report) -> str:
    lines: list[str] = []
    verdict = {
        "same": "PASS: the rewrite builds and behaves the same as the original",
        "differs": "FAIL: the rewrite builds but its smoke run differs from the original's",
        "error": f"ERROR: {report.error}",
        "interrupted": f"INTERRUPTED: {report.error}"
        + ("" if report.kept_images else "; its images and containers were removed"),
    }[report.result]
    lines.append(verdict)
    lines.append(f"dockerfile: {report.dockerfile}")
    lines.append(f"rewritten:  {report.rewritten or '(not produced)'}")
    lines.append(f"context:    {report.context}")
    lines.append(f"smoke:      {shlex.join(report.smoke_args) or '(the image command)'}")
    if report.images:
        rows: list[tuple[str, ...]] = [("", *ROLES)]

        def row(title: str, fn: Any) -> None:
            rows.append(
                (title, *(fn(report.images[r]) if r in report.images else "-" for r in ROLES))
            )

        row("built", lambda i: _yes_no(i.built))
        row("build seconds", lambda i: "-" if i.build_seconds is None else f"{i.build_seconds}")
        row("size", lambda i: _human_size(i.size_bytes))
        estimate = report.estimate
        if estimate is not None:
            sides = {"original": estimate.before, "rewritten": estimate.after}
            row("base estimate", lambda i: sides[i.role].detail())
        row("size bytes", lambda i: "-" if i.size_bytes is None else str(i.size_bytes))
        row("layers", lambda i: "-" if i.layers is None else str(i.layers))
        row(
            "smoke exit",
            lambda i: (
                "-"
                if i.smoke is None
                else ("timeout" if i.smoke.timed_out else str(i.smoke.exit_code))
            ),
        )
        row("smoke", lambda i: {None: "-", True: "pass", False: "FAIL"}[i.smoke_pass])
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        lines.append("")
        for r in rows:
            lines.append("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(r)).rstrip())
    ratio = report.size_ratio
    if ratio is not None:
        lines.append(f"size ratio (rewritten/original): {ratio:.3f}")
    if report.estimate is not None:
        lines.append(
            f"base estimate: {report.estimate.summary()} ({ESTIMATE_NOTE}); the measured size "
            "is the built image, uncompressed, with its layers"
        )
    original, rewritten = report.images.get("original"), report.images.get("rewritten")
    if original and original.smoke and original.smoke.exit_code not in (0, None):
        lines.append(f"note: the original's smoke run exits with {original.smoke.exit_code}")
    if report.same_stdout is False and original and rewritten:
        assert original.smoke and rewritten.smoke
        diff = list(
            difflib.unified_diff(
                original.smoke.stdout.splitlines(),
                rewritten.smoke.stdout.splitlines(),
                "original stdout",
                "rewritten stdout",
                lineterm="",
            )
        )
        lines.append("stdout differs:")
        lines.extend(f"  {d}" for d in diff[:40])
        if len(diff) > 40:
            lines.append(f"  [... {len(diff) - 40} more diff lines]")
    if report.same_exit is False and original and rewritten:
        assert original.smoke and rewritten.smoke
        lines.append(
            f"exit status differs: original {original.smoke.exit_code}, "
            f"rewritten {rewritten.smoke.exit_code}"
        )
    if rewritten and rewritten.smoke and rewritten.smoke_pass is False and rewritten.smoke.stderr:
        lines.append("rewritten stderr (last lines):")
        lines.extend(f"  {s}" for s in rewritten.smoke.stderr.splitlines()[-10:])
    if report.error_details:
        lines.append("")
        lines.extend(report.error_details)
    if report.kept_images:
        tags = [
            report.images[r].tag for r in ROLES if r in report.images and report.images[r].built
        ]
        if tags:
            lines.append("kept images: " + " ".join(tags))
    return "\n".join(lines)


# ------------------------------------------------------------------------------- main -----


def _sanitize(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip(".-_")
    return cleaned[:60] or "app"


def _verify(report: Report, opts: argparse.Namespace, workdir: Path, status: StatusPrinter) -> int:
    dockerfile = Path(opts.dockerfile)
    context = Path(report.context)
    rewritten = Path(opts.rewritten) if opts.rewritten else None
    if rewritten is None:
        rewrite_args = [word for value in opts.rewrite_arg for word in shlex.split(value)]
        if opts.context and not any(a.split("=")[0] == "--context" for a in rewrite_args):
            rewrite_args += ["--context", opts.context]  # the rewrite reads the same sources
        status.say(f"rewriting {dockerfile} {shlex.join(rewrite_args)}".rstrip())
        rewritten = produce_rewrite(dockerfile, rewrite_args, workdir)
        report.rewritten = "(in-process rewrite)"
        if opts.keep_images:  # keep the rewrite next to the images it made
            kept = Path(tempfile.mkdtemp(prefix="dslim-verify-")) / "Dockerfile.rewritten"
            shutil.copyfile(rewritten, kept)
            report.rewritten = str(kept)

    report.estimate = estimate_sizes(dockerfile, rewritten)
    report.engine = check_engine()
    status.say(f"docker engine {report.engine} on {_engine_name()}; run id {report.run_id}")

    name = _sanitize(context.resolve().name)
    for role, path in (("original", dockerfile), ("rewritten", rewritten)):
        tag = f"{TAG_REPO}/{name}:{role}-{report.run_id}"
        report.images[role] = ImageResult(role=role, dockerfile=str(path), tag=tag)

    for role in ROLES:
        image = report.images[role]
        build_image(image, context, report.run_id, workdir, status)
        if not image.built:
            details = []
            if image.failed_step:
                details.append(f"failing step: {image.failed_step}")
            details.append(f"last {len(image.log_tail)} lines of the build log:")
            details.extend(f"  {line}" for line in image.log_tail)
            raise VerifyError(f"the {role} image failed to build ({image.dockerfile})", details)

    for role in ROLES:
        image = report.images[role]
        image.smoke = run_smoke(image, report.smoke_args, opts.timeout, report.run_id, status)
        if role == "original":
            image.smoke_pass = image.smoke.exit_code == 0
        if image.smoke.timed_out:
            image.smoke_pass = False
            raise VerifyError(
                f"the {role} image's smoke run timed out after {opts.timeout:g} s "
                "(use --timeout, or a --smoke command that exits)"
            )
    original, candidate = report.images["original"], report.images["rewritten"]
    assert original.smoke and candidate.smoke
    report.same_exit = original.smoke.exit_code == candidate.smoke.exit_code
    report.same_stdout = original.smoke.stdout == candidate.smoke.stdout
    candidate.smoke_pass = report.same_exit and report.same_stdout
    return EXIT_SAME if candidate.smoke_pass else EXIT_DIFFERS


def main(argv: list[str]) -> int:
    """The ``verify`` subcommand; returns the exit status."""
    parser = _parser()
    try:
        opts = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2): argparse has printed it
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR

    status = StatusPrinter()
    dockerfile = Path(opts.dockerfile)
    report = Report(
        run_id=uuid.uuid4().hex[:12],
        dockerfile=str(dockerfile),
        rewritten=opts.rewritten,
        context=opts.context or str(dockerfile.parent),
        smoke_args=[],
        kept_images=opts.keep_images,
    )

    def emit() -> None:
        if opts.format == "json":
            print(json.dumps(report.to_dict(), indent=2), flush=True)
        elif report.error is None or report.images:
            print(format_text(report), flush=True)
            return
        if report.error:  # nothing was built: the message alone, on stderr
            print(f"{PROG}: error: {report.error}", file=sys.stderr)
            for detail in report.error_details:
                print(f"  {detail}", file=sys.stderr)

    try:
        if opts.timeout <= 0:
            raise VerifyError(f"--timeout must be positive, got {opts.timeout:g}")
        if opts.rewritten and opts.rewrite_arg:
            raise VerifyError("--rewrite-arg has no effect with --rewritten")
        try:
            report.smoke_args = shlex.split(opts.smoke)
        except ValueError as exc:
            raise VerifyError(f"--smoke: cannot split {opts.smoke!r}: {exc}") from None
        _check_file(dockerfile, "the original Dockerfile")
        if opts.rewritten:
            _check_file(Path(opts.rewritten), "--rewritten")
        if not Path(report.context).is_dir():
            raise VerifyError(f"{report.context}: no such directory (build context)")
    except VerifyError as exc:
        report.error, report.error_details = exc.message, exc.details
        emit()
        return EXIT_ERROR

    # SIGTERM raises like Ctrl-C does, so that the cleanup in ``finally`` runs.
    previous_term = _set_handler(signal.SIGTERM, _raise_terminated)
    workdir = Path(tempfile.mkdtemp(prefix="dslim-verify-"))
    try:
        try:
            report.exit_code = _verify(report, opts, workdir, status)
        except VerifyError as exc:
            report.exit_code = EXIT_ERROR
            report.error, report.error_details = exc.message, exc.details
        except (KeyboardInterrupt, _Terminated) as exc:
            report.exit_code = EXIT_INTERRUPTED
            why = "SIGTERM" if isinstance(exc, _Terminated) else "SIGINT"
            report.error = f"interrupted by {why}"
            status.say(f"{report.error}; cleaning up")
    finally:
        # No second interruption while cleaning up (each docker call has a timeout).
        old_int = _set_handler(signal.SIGINT, signal.SIG_IGN)
        old_term = _set_handler(signal.SIGTERM, signal.SIG_IGN)
        try:
            if report.engine is not None and not opts.keep_images:
                images = report.images.values()
                tags = [image.tag for image in images if image.built]
                problems = cleanup(report.run_id, tags)
                for problem in problems:
                    status.say(problem)
            shutil.rmtree(workdir, ignore_errors=True)
        finally:
            _set_handler(signal.SIGINT, old_int)
            _set_handler(signal.SIGTERM, previous_term or old_term)
    emit()
    return report.exit_code


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated()


def _set_handler(signum: int, handler: Any) -> Any:
    """Install a signal handler; returns the previous one, or None where that is impossible
    (not the main thread: no handler then, the ``finally`` cleanup still runs)."""
    if handler is None:
        return None
    try:
        return signal.signal(signum, handler)
    except ValueError:
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
