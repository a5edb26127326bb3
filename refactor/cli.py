"""Command line: arguments, exit codes, reading and atomically writing files, output formats.
No analysis logic lives here."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from refactor import __version__
from refactor.options import LINKAGE_CHOICES, RUNTIME_CHOICES, Options

EXIT_OK, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2
PROG = "dockerslim-refactor"
SUBCOMMANDS = ("analyze", "verify")

# Build-context files detectors may read (cgo imports, crate name, TLS crates).
CONTEXT_SUFFIXES = (".go",)
CONTEXT_NAMES = frozenset({"Cargo.toml", "package.json", "go.mod"})
CONTEXT_SKIP = frozenset({".git", "node_modules", "vendor", "target", "dist", "build", ".venv"})
CONTEXT_MAX_FILES, CONTEXT_MAX_BYTES, CONTEXT_MAX_DEPTH = 400, 256 * 1024, 4


class UsageError(Exception):
    """Bad input or arguments: printed as one line, exit 2."""


def _add_rewrite_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rewrite choices")
    group.add_argument(
        "--runtime",
        choices=RUNTIME_CHOICES,
        default="auto",
        help="preferred runtime base; a base that cannot run the program is never chosen "
        "(default: auto, alpine for static binaries)",
    )
    group.add_argument(
        "--runtime-image", metavar="IMAGE", help="use exactly this runtime image (you vouch for it)"
    )
    group.add_argument(
        "--stage-name", default="builder", metavar="NAME", help="builder stage name (builder)"
    )
    group.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="PATH[:DEST]",
        help="also copy this builder path into the runtime stage (repeatable)",
    )
    group.add_argument(
        "--artifact",
        action="append",
        default=[],
        metavar="PATH[:DEST]",
        help="the build output(s) to copy, instead of what the analysis found (repeatable)",
    )
    group.add_argument(
        "--runtime-package",
        action="append",
        default=[],
        metavar="NAME",
        help="an OS package the program needs at run time (repeatable)",
    )
    group.add_argument(
        "--linkage",
        choices=LINKAGE_CHOICES,
        default="auto",
        help="static: link native programs statically; dynamic: keep the build as written",
    )
    group.add_argument(
        "--keep-root", action="store_true", help="do not add a non-root USER to the runtime stage"
    )
    group.add_argument(
        "--no-strip",
        action="store_true",
        help="keep symbols in native binaries (by default the builder strips them)",
    )
    group.add_argument(
        "--no-split",
        action="store_true",
        help="keep && chains in the builder stage as they are",
    )
    group.add_argument(
        "--context",
        metavar="DIR",
        help="build context to read sources from (default: the Dockerfile's folder)",
    )
    group.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="CODE",
        help="do not report this rule (repeatable, e.g. DSR002)",
    )


def rewrite_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Rewrite a single-stage Dockerfile into a builder stage and a minimal "
        "runtime stage. Subcommands: analyze FILE (findings), verify FILE (build and compare "
        "on a Docker engine).",
    )
    parser.add_argument("file", metavar="FILE", help="the Dockerfile, or - for standard input")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the rewrite here")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff, write nothing")
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if the file would be rewritten, write nothing"
    )
    mode.add_argument("--in-place", action="store_true", help="replace FILE (atomically)")
    parser.add_argument(
        "--backup", action="store_true", help="with --in-place: keep the original as FILE.orig"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_rewrite_options(parser)
    return parser


def analyze_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} analyze", description="Report findings for a Dockerfile."
    )
    parser.add_argument("file", metavar="FILE", help="the Dockerfile, or - for standard input")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    _add_rewrite_options(parser)
    return parser


def options_from(args: argparse.Namespace) -> Options:
    return Options(
        runtime=args.runtime,
        runtime_image=args.runtime_image,
        stage_name=_stage_name(args.stage_name),
        keep=tuple(args.keep),
        artifacts=tuple(args.artifact),
        runtime_packages=tuple(args.runtime_package),
        keep_root=args.keep_root,
        linkage=args.linkage,
        split_chains=not args.no_split,
        strip=not args.no_strip,
        disabled_rules=frozenset(code.upper() for code in args.disable),
    )


def _stage_name(name: str) -> str:
    import re

    if not re.fullmatch(r"[a-z][a-z0-9._-]*", name):
        raise UsageError(
            f"{PROG}: --stage-name {name!r}: use lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    return name


# -- input -------------------------------------------------------------------------------------


def read_dockerfile(path: str) -> str:
    """Read and decode a Dockerfile; raises :class:`UsageError` with ``path[:line]: message``."""
    if path == "-":
        data = sys.stdin.buffer.read()
        shown = "<stdin>"
    else:
        shown = path
        target = Path(path)
        if target.is_dir():
            raise UsageError(f"{shown}: is a folder, not a Dockerfile")
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"{shown}: no such file") from None
        except PermissionError:
            raise UsageError(f"{shown}: permission denied") from None
        except OSError as err:
            raise UsageError(f"{shown}: cannot read: {err.strerror or err}") from None
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise UsageError(f"{shown}:{line}: binary file (NUL byte), not a Dockerfile")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UsageError(f"{shown}:{line}: not UTF-8 text (byte 0x{data[err.start]:02x})") from None
    if not text.lstrip("\ufeff").strip():
        raise UsageError(f"{shown}:1: empty file")
    return text


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
            if not (entry.name in CONTEXT_NAMES or entry.name.endswith(CONTEXT_SUFFIXES)):
                continue
            try:
                if entry.stat().st_size > CONTEXT_MAX_BYTES:
                    continue
                text = Path(entry.path).read_text("utf-8", errors="replace")
            except OSError:
                continue
            found[Path(entry.path).relative_to(root).as_posix()] = text
    return found


def _context_root(args: argparse.Namespace) -> Path | None:
    if args.context:
        root = Path(args.context)
        if not root.is_dir():
            raise UsageError(f"{args.context}: --context is not a folder")
        return root
    return Path(args.file).resolve().parent if args.file != "-" else None


# -- output ------------------------------------------------------------------------------------


def write_atomically(path: Path, text: str, newline_bytes: bytes | None = None) -> None:
    """Write ``text`` next to ``path`` in a temporary file, then rename it over ``path``, so a
    failure leaves the old file intact. An existing file's mode is kept."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    mode = None
    if path.exists():
        if path.is_dir():
            raise UsageError(f"{path}: is a folder")
        mode = stat.S_IMODE(path.stat().st_mode)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except PermissionError:
        raise UsageError(f"{path}: permission denied (cannot write in {folder})") from None
    except OSError as err:
        raise UsageError(f"{path}: cannot write: {err.strerror or err}") from None
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
            raise UsageError(f"{path}: cannot write: {err.strerror or err}") from None
        raise


def _check_output_target(path: Path) -> None:
    """Fail before any work when ``-o`` cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _eprint(*parts: object) -> None:
    print(*parts, file=sys.stderr)


def _finding_line(shown: str, finding) -> str:
    return f"{shown}:{finding.line}: {finding.code} {finding.message}"


# -- commands ----------------------------------------------------------------------------------


def rewrite_file(path: str, options_argv: Sequence[str] = ()) -> str:
    """The rewrite of ``path`` as text (the original when it is left alone); used by verify.
    Raises :class:`UsageError` for bad input."""
    from refactor.document import DockerfileError
    from refactor.rewrite import SelfCheckError, rewrite

    args = rewrite_parser().parse_args([path, *options_argv])
    text = read_dockerfile(path)
    try:
        result = rewrite(text, options_from(args), context_files(_context_root(args)))
    except DockerfileError as err:
        raise UsageError(f"{path}:{err.line}: {err.message}") from None
    except SelfCheckError as err:
        raise UsageError(f"{path}: {err}") from None
    return result.output if result.output is not None else text


def run_rewrite(argv: Sequence[str]) -> int:
    from refactor.document import DockerfileError
    from refactor.rewrite import SelfCheckError, rewrite

    args = rewrite_parser().parse_args(argv)
    shown = "<stdin>" if args.file == "-" else args.file
    if args.in_place and args.file == "-":
        raise UsageError(f"{PROG}: --in-place needs a file, not standard input")
    if args.backup and not args.in_place:
        raise UsageError(f"{PROG}: --backup goes with --in-place")
    if args.output and args.file != "-" and _same_file(args.output, args.file):
        raise UsageError(f"{args.output}: -o is the input file; use --in-place to replace it")
    if args.output:
        _check_output_target(Path(args.output))
    text = read_dockerfile(args.file)
    options = options_from(args)
    try:
        result = rewrite(text, options, context_files(_context_root(args)))
    except DockerfileError as err:
        raise UsageError(f"{shown}:{err.line}: {err.message}") from None
    except SelfCheckError as err:
        raise UsageError(f"{shown}: refused, nothing written: {err}") from None

    if not args.quiet:
        for finding in result.analysis.findings:
            if finding.code.startswith("DSR1"):
                _eprint(_finding_line(shown, finding))
        if result.plan is not None:
            for note in result.plan.notes:
                _eprint(_finding_line(shown, note))
    if result.output is None:
        if args.check or args.diff:
            if not args.quiet:
                _eprint(f"{shown}: left alone: {result.reason}")
            return EXIT_OK
        if not args.quiet:
            _eprint(f"{shown}: left alone: {result.reason}")
        if not args.output and not args.in_place:
            sys.stdout.write(text)
        return EXIT_OK

    output = result.output
    if args.check:
        if not args.quiet:
            _eprint(f"{shown}: would rewrite into a multi-stage build")
        return EXIT_CHANGED
    if args.diff:
        import difflib

        sys.stdout.writelines(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                output.splitlines(keepends=True),
                fromfile=shown,
                tofile=f"{shown} (rewritten)",
            )
        )
        return EXIT_OK
    if args.in_place:
        target = Path(args.file)
        if args.backup:
            write_atomically(target.with_name(target.name + ".orig"), text)
        write_atomically(target, output)
        written = args.file
    elif args.output:
        write_atomically(Path(args.output), output)
        written = args.output
    else:
        sys.stdout.write(output)
        written = None
    if not args.quiet:
        plan = result.plan
        assert plan is not None
        where = f"; wrote {written}" if written else ""
        _eprint(
            f"{shown}: {plan.build.ecosystem} build -> stage '{plan.builder_name}' + runtime "
            f"{plan.runtime.image}{where}"
        )
    return EXIT_OK


def run_analyze(argv: Sequence[str]) -> int:
    from refactor.analysis import analyze
    from refactor.document import DockerfileError, parse

    args = analyze_parser().parse_args(argv)
    shown = "<stdin>" if args.file == "-" else args.file
    text = read_dockerfile(args.file)
    try:
        document = parse(text)
    except DockerfileError as err:
        raise UsageError(f"{shown}:{err.line}: {err.message}") from None
    analysis = analyze(document, options_from(args), context_files(_context_root(args)))
    build = analysis.build
    if args.format == "json":
        report = {
            "file": shown,
            "stages": len(document.stages),
            "base": analysis.facts.image.text,
            "ecosystem": build.ecosystem if build else None,
            "linkage": build.linkage if build else None,
            "artifacts": [
                {"path": a.path, "dest": a.dest, "kind": a.kind, "certain": a.certain}
                for a in (build.artifacts if build else ())
            ],
            "leave_alone": analysis.leave_alone,
            "findings": [f.as_dict() for f in analysis.findings],
        }
        print(json.dumps(report, indent=2))
        return EXIT_OK
    lines = document.lines
    for finding in analysis.findings:
        print(f"{shown}:{finding.line}: {finding.severity} {finding.code} {finding.message}")
        source = lines[finding.line - 1].rstrip("\r\n") if finding.line <= len(lines) else ""
        if source:
            print(f"    {source}")
    if build is not None:
        paths = ", ".join(a.path for a in build.artifacts) or "none found"
        print(f"{shown}: {build.ecosystem} build ({build.linkage}); artifacts: {paths}")
    if analysis.leave_alone:
        print(f"{shown}: left alone: {analysis.leave_alone}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "verify":
            from refactor import verify

            return verify.main(argv[1:])
        if argv and argv[0] == "analyze":
            return run_analyze(argv[1:])
        return run_rewrite(argv)
    except UsageError as err:
        _eprint(str(err))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _eprint(f"{PROG}: interrupted, nothing written")
        return 130
    except BrokenPipeError:
        return EXIT_OK
