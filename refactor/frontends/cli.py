"""Command line: arguments, exit codes, reading and atomically writing files, runs over many
files with configuration files, inline pragmas and output formats applied. No analysis logic
lives here."""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dockerslim_refactor import __version__
from dockerslim_refactor.options import LINKAGE_CHOICES, RUNTIME_CHOICES, Options

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Finding
    from dockerslim_refactor.config import Config, ConfigFinder, Settings
    from dockerslim_refactor.document import Document
    from dockerslim_refactor.formats import FileResult
    from dockerslim_refactor.rewrite import Rewrite

EXIT_OK, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2
PROG = "dockerslim-refactor"
SUBCOMMANDS = ("analyze", "verify", "merge", "wizard", "lsp")
STDIN_NAME = "<stdin>"

# Build-context files detectors may read (cgo imports, crate name, TLS crates).
CONTEXT_SUFFIXES = (".go",)
CONTEXT_NAMES = frozenset({"Cargo.toml", "package.json", "go.mod"})
CONTEXT_SKIP = frozenset({".git", "node_modules", "vendor", "target", "dist", "build", ".venv"})
CONTEXT_MAX_FILES, CONTEXT_MAX_BYTES, CONTEXT_MAX_DEPTH = 400, 256 * 1024, 4


class UsageError(Exception):
    """Bad input or arguments: printed as one line, exit 2."""


class InputError(UsageError):
    """One file (a Dockerfile, or the configuration that applies to it) that cannot be used:
    ``path[:line]: message``. A run over many files reports it and goes on with the others."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.message = message
        self.line = line


def _add_rewrite_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rewrite choices")
    group.add_argument(
        "--runtime",
        choices=RUNTIME_CHOICES,
        default=None,
        help="preferred runtime base; a base that cannot run the program is never chosen "
        "(default: auto, alpine for static binaries)",
    )
    group.add_argument(
        "--runtime-image", metavar="IMAGE", help="use exactly this runtime image (you vouch for it)"
    )
    group.add_argument(
        "--stage-name", default=None, metavar="NAME", help="builder stage name (builder)"
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
        "--keep-root",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="accepted for old scripts: the runtime stage keeps the original's user by default",
    )
    group.add_argument(
        "--non-root",
        action="store_true",
        help="run the runtime stage as an unprivileged user where the original ran as root "
        "(programs that write to $HOME, their folder or /run may then fail)",
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
    recipes = parser.add_argument_group("stage recipes and BuildKit")
    recipes.add_argument(
        "--test-stage",
        metavar="CMD",
        help="add a 'test' stage FROM the builder that runs CMD (docker build --target test)",
    )
    recipes.add_argument(
        "--debug-stage",
        action="store_true",
        help="add a 'debug' stage: the runtime image plus a busybox shell (--target debug)",
    )
    recipes.add_argument(
        "--buildkit",
        action="store_true",
        help="use BuildKit-only syntax: cache and bind mounts, COPY --link, # syntax=",
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
        help="do not report this rule (repeatable, e.g. DSR002; added to the configuration's)",
    )


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "configuration",
        "Settings are read from .dockerslim-refactor.toml or [tool.dockerslim-refactor] in "
        "pyproject.toml, the nearest above each Dockerfile; flags win over them.",
    )
    choice = group.add_mutually_exclusive_group()
    choice.add_argument(
        "--config", metavar="FILE", help="read settings from this file only, for every input"
    )
    choice.add_argument("--no-config", action="store_true", help="read no configuration file")


def rewrite_parser(many: bool = False) -> argparse.ArgumentParser:
    """The rewrite command's arguments; ``many`` takes PATH... (files and folders) and the
    configuration flags instead of one FILE."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Rewrite a single-stage Dockerfile into a builder stage and a minimal "
        "runtime stage. Subcommands: analyze PATH... (findings), verify FILE (build and compare "
        "on a Docker engine), merge BUILD RUNTIME (one file from a legacy builder pattern), "
        "wizard FILE (answer questions instead of passing flags; also --interactive), lsp "
        "(language server on stdio).",
    )
    if many:
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="the Dockerfile, or - for standard input; with --check, --diff or --in-place "
            "also several files and folders (searched for Dockerfile, Containerfile, "
            "*.Dockerfile, Dockerfile.*, skipping what git ignores)",
        )
    else:
        parser.add_argument("file", metavar="FILE", help="the Dockerfile, or - for standard input")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the rewrite here")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff, write nothing")
    mode.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a file would be rewritten, write nothing (one line per such file)",
    )
    mode.add_argument(
        "--in-place", action="store_true", help="replace each file with its rewrite (atomically)"
    )
    parser.add_argument(
        "--backup", action="store_true", help="with --in-place: keep the original as FILE.orig"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_rewrite_options(parser)
    if many:
        _add_config_options(parser)
    return parser


def analyze_parser() -> argparse.ArgumentParser:
    from dockerslim_refactor.formats import FORMATS
    from dockerslim_refactor.ruleset import CURRENT, FAIL_LEVELS, RULE_SETS

    parser = argparse.ArgumentParser(
        prog=f"{PROG} analyze",
        description="Report findings for Dockerfiles. Exit 0 when no finding fails (see "
        "--fail-level), 1 when one does, 2 when a file or the configuration cannot be read "
        "(the other files are still reported).",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="Dockerfiles, folders to search for them (Dockerfile, Containerfile, "
        "*.Dockerfile, Dockerfile.*, skipping what git ignores), or - for standard input",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), json (one object for one FILE, else a list), sarif (2.1.0), "
        "github (workflow annotations), gitlab (Code Quality)",
    )
    parser.add_argument(
        "--fail-level",
        choices=FAIL_LEVELS,
        default=None,
        help="exit 1 when a finding of this severity or higher is reported (default: none, "
        "always 0)",
    )
    parser.add_argument(
        "--rules-version",
        type=int,
        choices=sorted(RULE_SETS),
        default=None,
        metavar="N",
        help=f"only rules of set N can fail (default: the current set, {CURRENT}); others are "
        "still reported",
    )
    parser.add_argument(
        "--warn-unused-ignores",
        action="store_true",
        help="report ignore pragmas that ignore nothing (DSR900)",
    )
    _add_rewrite_options(parser)
    _add_config_options(parser)
    return parser


def options_from(args: argparse.Namespace, settings: Settings | None = None) -> Options:
    """The rewrite choices of ``args``; a choice left unset there comes from ``settings`` (a
    configuration file), then the default. Disabled rules add up."""
    runtime = args.runtime or (settings.runtime if settings else None) or "auto"
    stage_name = args.stage_name or (settings.stage_name if settings else None) or "builder"
    keep_root = args.keep_root
    if keep_root is None:
        keep_root = bool(settings.keep_root) if settings else False
    disabled = {code.upper() for code in args.disable}
    if settings and settings.disable:
        disabled.update(settings.disable)
    return Options(
        runtime=runtime,
        runtime_image=args.runtime_image,
        stage_name=_stage_name(stage_name),
        keep=tuple(args.keep),
        artifacts=tuple(args.artifact),
        runtime_packages=tuple(args.runtime_package),
        keep_root=keep_root,
        non_root=bool(getattr(args, "non_root", False)),
        linkage=args.linkage,
        split_chains=not args.no_split,
        strip=not args.no_strip,
        disabled_rules=frozenset(disabled),
        test_stage=args.test_stage,
        debug_stage=args.debug_stage,
        buildkit=args.buildkit,
    )


def _stage_name(name: str) -> str:
    from dockerslim_refactor.options import OptionError, Options

    try:
        Options().check_stage_name(name)
    except OptionError as err:
        raise UsageError(f"{PROG}: --{err}") from None
    return name


# -- input -------------------------------------------------------------------------------------


def read_dockerfile(path: str) -> str:
    """Read and decode a Dockerfile; raises :class:`InputError` with ``path[:line]: message``."""
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
    return _context_root_for(args.context, args.file)


def _context_root_for(context: str | None, path: str) -> Path | None:
    if context:
        root = Path(context)
        if not root.is_dir():
            raise UsageError(f"{context}: --context is not a folder")
        return root
    return Path(path).resolve().parent if path != "-" else None


class Batch:
    """One run over many files: the arguments, and the configuration files and build contexts
    that files in the same folders share."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._explicit: Config | None = None
        self._finder: ConfigFinder | None = None
        self._contexts: dict[Path | None, dict[str, str]] = {}
        if getattr(args, "no_config", False):
            return
        from dockerslim_refactor.config import ConfigError, ConfigFinder, load

        if getattr(args, "config", None):
            try:
                self._explicit = load(args.config)
            except ConfigError as err:
                raise UsageError(str(err)) from None
        else:
            self._finder = ConfigFinder()

    def settings(self, path: str) -> Settings:
        """The configuration's settings for ``path``; raises :class:`InputError` for a
        configuration file that cannot be used."""
        from dockerslim_refactor.config import ConfigError, Settings

        config = self._explicit
        if self._finder is not None:
            try:
                config = self._finder.find(path)
            except ConfigError as err:
                raise InputError(err.path, err.message, err.line) from None
        if config is None:
            return Settings()
        return config.settings if path == "-" else config.settings_for(path)

    def options(self, path: str) -> tuple[Options, Settings]:
        settings = self.settings(path)
        return options_from(self.args, settings), settings

    def context(self, path: str) -> dict[str, str]:
        root = _context_root_for(self.args.context, path)
        key = root.resolve() if root is not None else None
        if key not in self._contexts:
            self._contexts[key] = context_files(root)
        return self._contexts[key]


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


def _shown(path: str) -> str:
    return STDIN_NAME if path == "-" else path


def _rewrite_text(
    batch: Batch, path: str, text: str
) -> tuple[Document, Rewrite | None, str | None]:
    """Parse and rewrite one file: (document, the rewrite or ``None`` when an ignore pragma
    stops it, that pragma's reason). Raises :class:`InputError`."""
    from dockerslim_refactor.document import DockerfileError, parse
    from dockerslim_refactor.options import OptionError
    from dockerslim_refactor.pragmas import rewrite_blocker
    from dockerslim_refactor.rewrite import SelfCheckError, rewrite

    shown = _shown(path)
    options, _ = batch.options(path)
    try:
        document = parse(text)
    except DockerfileError as err:
        raise InputError(shown, err.message, err.line) from None
    blocker = rewrite_blocker(document)
    if blocker:
        return document, None, blocker
    try:
        result = rewrite(text, options, batch.context(path))
    except OptionError as err:
        raise UsageError(f"{PROG}: {err}") from None
    except DockerfileError as err:
        raise InputError(shown, err.message, err.line) from None
    except SelfCheckError as err:
        raise InputError(shown, f"refused, nothing written: {err}") from None
    return document, result, None


def rewrite_file(path: str, options_argv: Sequence[str] = ()) -> str:
    """The rewrite of ``path`` as text (the original when it is left alone); used by verify.
    Raises :class:`UsageError` for bad input."""
    args = rewrite_parser(many=True).parse_intermixed_args([path, *options_argv])
    batch = Batch(args)
    text = read_dockerfile(path)
    _, result, _ = _rewrite_text(batch, path, text)
    if result is None or result.output is None:
        return text
    return result.output


def _notes(document: Document, findings: Sequence[Finding]) -> list[Finding]:
    """The rewrite's notes (DSR1xx) that no ignore pragma hides."""
    from dockerslim_refactor.pragmas import apply

    return list(apply(document, [f for f in findings if f.code.startswith("DSR1")]).findings)


def run_rewrite(argv: Sequence[str]) -> int:
    from dockerslim_refactor.discovery import discover

    args = rewrite_parser(many=True).parse_intermixed_args(argv)
    paths: list[str] = args.paths
    if args.in_place and "-" in paths:
        raise UsageError(f"{PROG}: --in-place needs a file, not standard input")
    if args.backup and not args.in_place:
        raise UsageError(f"{PROG}: --backup goes with --in-place")
    _check_flags(args)
    found = discover(paths)
    single = len(paths) == 1 and not found.folders
    to_stdout = not (args.check or args.diff or args.in_place or args.output)
    if not single and (args.output or to_stdout):
        what = "-o writes one file" if args.output else "standard output takes one file"
        if len(paths) == 1:
            raise UsageError(f"{paths[0]}: is a folder; {what}: use --check, --diff or --in-place")
        raise UsageError(f"{PROG}: several paths; {what}: use --check, --diff or --in-place")
    if args.output and paths[0] != "-" and _same_file(args.output, paths[0]):
        raise UsageError(f"{args.output}: -o is the input file; use --in-place to replace it")
    if args.output:
        _check_output_target(Path(args.output))
    batch = Batch(args)
    if not args.quiet:
        for folder in found.empty:
            _eprint(f"{folder}: no Dockerfile found")
    if single:
        return _rewrite_one(batch, paths[0], single=True)
    changed = failed = False
    reported: set[str] = set()
    for path in found.files:
        try:
            changed |= _rewrite_one(batch, path, single=False) == EXIT_CHANGED
        except UsageError as err:
            _report(str(err), reported)
            failed = True
    if failed:
        return EXIT_ERROR
    return EXIT_CHANGED if changed else EXIT_OK


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that are wrong for every file fail the run before any file is read."""
    if args.stage_name:
        _stage_name(args.stage_name)
    if args.context:
        _context_root_for(args.context, "-")


def _report(message: str, reported: set[str]) -> None:
    """Print a file's problem once: a broken configuration file is the problem of every
    Dockerfile below it."""
    if message not in reported:
        reported.add(message)
        _eprint(message)


def _rewrite_one(batch: Batch, path: str, *, single: bool) -> int:
    """Rewrite one file as the mode asks. A run over many files prints, under --check, only
    the files that would change."""
    args = batch.args
    shown = _shown(path)
    text = read_dockerfile(path)
    document, result, blocker = _rewrite_text(batch, path, text)
    talk = not args.quiet and (single or not args.check)
    if talk and result is not None:
        for finding in _notes(document, result.analysis.findings):
            _eprint(_finding_line(shown, finding))
        if result.plan is not None:
            for note in _notes(document, result.plan.notes):
                _eprint(_finding_line(shown, note))
    if result is None or result.output is None:
        reason = blocker if result is None else result.reason
        if talk:
            _eprint(f"{shown}: left alone: {reason}")
        if not (args.check or args.diff or args.output or args.in_place):
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
        target = Path(path)
        if args.backup:
            write_atomically(target.with_name(target.name + ".orig"), text)
        write_atomically(target, output)
        written = path
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
    from dockerslim_refactor.discovery import discover
    from dockerslim_refactor.formats import FileResult, Problem, renderer

    args = analyze_parser().parse_intermixed_args(argv)
    _check_flags(args)
    found = discover(args.paths)
    single = len(args.paths) == 1 and not found.folders
    batch = Batch(args)
    for folder in found.empty:
        _eprint(f"{folder}: no Dockerfile found")
    results: list[FileResult] = []
    reported: set[str] = set()
    for path in found.files:
        try:
            results.append(_analyze_one(batch, path))
        except InputError as err:
            problem = Problem(err.path, err.message, err.line)
            _report(str(problem), reported)
            results.append(FileResult(_shown(path), problem=problem))
    sys.stdout.write(renderer(args.format)(results, single=single))
    if any(not r.ok for r in results):
        return EXIT_ERROR
    return EXIT_CHANGED if any(r.failing for r in results) else EXIT_OK


def _analyze_one(batch: Batch, path: str) -> FileResult:
    from dockerslim_refactor.document import DockerfileError, parse
    from dockerslim_refactor.findings import analyze
    from dockerslim_refactor.formats import FileResult
    from dockerslim_refactor.pragmas import UnusedIgnore, apply, rewrite_blocker
    from dockerslim_refactor.rules import all_rules
    from dockerslim_refactor.ruleset import CURRENT, DEFAULT_FAIL_LEVEL

    args = batch.args
    shown = _shown(path)
    text = read_dockerfile(path)
    options, settings = batch.options(path)
    try:
        document = parse(text)
    except DockerfileError as err:
        raise InputError(shown, err.message, err.line) from None
    analysis = analyze(document, options, batch.context(path))
    kept = apply(
        document,
        analysis.findings,
        # The codes themselves, not their documentation: no docstring parsing per file.
        known_codes={rule.CODE for rule in all_rules()} | {UnusedIgnore.CODE},
        disabled=options.disabled_rules,
        report_unused=args.warn_unused_ignores,
    )
    return FileResult(
        path=shown,
        document=document,
        analysis=analysis,
        findings=kept.findings,
        leave_alone=analysis.leave_alone or rewrite_blocker(document),
        fail_level=args.fail_level or settings.fail_level or DEFAULT_FAIL_LEVEL,
        rules_version=args.rules_version or settings.rules_version or CURRENT,
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        # Subcommands with heavy libraries import them only when asked for.
        if argv and argv[0] == "verify":
            from dockerslim_refactor.frontends import verify

            return verify.main(argv[1:])
        if argv and argv[0] == "lsp":
            from dockerslim_refactor.frontends import lsp

            return lsp.main(argv[1:])
        if argv and argv[0] == "merge":
            from dockerslim_refactor.frontends import merge

            return merge.main(argv[1:])
        if argv and argv[0] == "wizard":
            from dockerslim_refactor.frontends import wizard

            return wizard.main(argv[1:])
        if "--interactive" in argv:
            from dockerslim_refactor.frontends import wizard

            return wizard.main([a for a in argv if a != "--interactive"])
        if argv and argv[0] == "analyze":
            return run_analyze(argv[1:])
        return run_rewrite(argv)
    except UsageError as err:
        _eprint(str(err))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _eprint(f"{PROG}: interrupted; the file being written was left as it was")
        return 130
    except BrokenPipeError:
        return EXIT_OK
