"""Command line of the rewrite and ``analyze``: arguments, exit codes, runs over many files
with configuration files, inline pragmas and output formats applied. Reading, rewriting and
writing go through :mod:`dockerslim_refactor.api`; the flags are
:mod:`dockerslim_refactor.arguments`. No analysis logic lives here. The other subcommands
(``verify``, ``merge``, ``wizard``, ``lsp``, ``--interactive``) are other front ends':
:mod:`dockerslim_refactor.commands` routes a command line to the one it names."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dockerslim_refactor import api
from dockerslim_refactor.arguments import (
    EXIT_CHANGED,
    EXIT_ERROR,
    EXIT_OK,
    PROG,
    SUBCOMMANDS,
    Batch,
    add_config_options,
    add_rewrite_options,
    checked_stage_name,
    rewrite_parser,
    run_reporting_errors,
)

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Finding
    from dockerslim_refactor.config import Settings
    from dockerslim_refactor.formats import FileResult

STDIN_NAME = api.STDIN_NAME


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
    add_rewrite_options(parser)
    add_config_options(parser)
    return parser


def _eprint(*parts: object) -> None:
    print(*parts, file=sys.stderr)


def _finding_line(shown: str, finding) -> str:
    return f"{shown}:{finding.line}: {finding.code} {finding.message}"


# -- commands ----------------------------------------------------------------------------------


def _shown(path: str) -> str:
    return api.shown_name(path)


def _read(batch: Batch, path: str) -> tuple[api.Source, api.Options, Settings]:
    """Read and parse one file (once) with the options the flags and its configuration give.
    Raises :class:`api.InputError`; a broken configuration is reported before the file's
    syntax."""
    text = api.read_text(path)
    options, settings = batch.options(path)
    return api.source_of(text, _shown(path)), options, settings


def _rewrite(batch: Batch, path: str) -> api.Result:
    """Read, parse and rewrite one file. Raises :class:`api.Error`."""
    source, options, _ = _read(batch, path)
    context = batch.context(path)
    try:
        return api.rewrite(source, options, context)
    except api.UsageError as err:  # options that contradict the file
        raise api.UsageError(f"{PROG}: {err}") from None


def _notes(result: api.Result) -> list[Finding]:
    """The rewrite's notes (DSR1xx) that no ignore pragma hides."""
    from dockerslim_refactor.pragmas import apply

    return list(apply(result.source.document, result.notes).findings)


def run_rewrite(argv: Sequence[str]) -> int:
    from dockerslim_refactor.discovery import discover

    args = rewrite_parser(many=True).parse_intermixed_args(argv)
    paths: list[str] = args.paths
    if args.in_place and "-" in paths:
        raise api.UsageError(f"{PROG}: --in-place needs a file, not standard input")
    if args.backup and not args.in_place:
        raise api.UsageError(f"{PROG}: --backup goes with --in-place")
    _check_flags(args)
    found = discover(paths)
    single = len(paths) == 1 and not found.folders
    to_stdout = not (args.check or args.diff or args.in_place or args.output)
    if not single and (args.output or to_stdout):
        what = "-o writes one file" if args.output else "standard output takes one file"
        if len(paths) == 1:
            raise api.UsageError(
                f"{paths[0]}: is a folder; {what}: use --check, --diff or --in-place"
            )
        raise api.UsageError(f"{PROG}: several paths; {what}: use --check, --diff or --in-place")
    if args.output and paths[0] != "-" and api.same_file(args.output, paths[0]):
        raise api.UsageError(f"{args.output}: -o is the input file; use --in-place to replace it")
    if args.output:
        api.check_output_target(Path(args.output))
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
        except api.Error as err:
            _report(str(err), reported)
            failed = True
    if failed:
        return EXIT_ERROR
    return EXIT_CHANGED if changed else EXIT_OK


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that are wrong for every file fail the run before any file is read."""
    if args.stage_name:
        checked_stage_name(args.stage_name)
    if args.context:
        api.context_root(args.context, "-")


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
    result = _rewrite(batch, path)
    text = result.source.text
    talk = not args.quiet and (single or not args.check)
    if talk:
        for note in _notes(result):
            _eprint(_finding_line(shown, note))
    if result.output is None:
        if talk:
            _eprint(f"{shown}: left alone: {result.reason}")
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
            api.write_atomically(target.with_name(target.name + ".orig"), text)
        api.write_atomically(target, output)
        written = path
    elif args.output:
        api.write_atomically(Path(args.output), output)
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
        estimate = api.size_estimate(result.analysis, plan)
        if estimate is not None:
            _eprint(f"{shown}: {estimate.line()}")
        smaller = api.smaller_runtime(result.analysis, plan)
        if smaller is not None:
            _eprint(f"{shown}: {smaller}")
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
        except api.InputError as err:
            problem = Problem(err.path, err.message, err.line)
            _report(str(problem), reported)
            results.append(FileResult(_shown(path), problem=problem))
    sys.stdout.write(renderer(args.format)(results, single=single))
    if any(not r.ok for r in results):
        return EXIT_ERROR
    return EXIT_CHANGED if any(r.failing for r in results) else EXIT_OK


def _analyze_one(batch: Batch, path: str) -> FileResult:
    from dockerslim_refactor.formats import FileResult
    from dockerslim_refactor.pragmas import UnusedIgnore, apply, rewrite_blocker
    from dockerslim_refactor.rules import all_rules
    from dockerslim_refactor.ruleset import CURRENT, DEFAULT_FAIL_LEVEL

    args = batch.args
    source, options, settings = _read(batch, path)
    document = source.document
    analysis = api.analyse(source, options, batch.context(path))
    kept = apply(
        document,
        analysis.findings,
        # The codes themselves, not their documentation: no docstring parsing per file.
        known_codes={rule.CODE for rule in all_rules()} | {UnusedIgnore.CODE},
        disabled=options.disabled_rules,
        report_unused=args.warn_unused_ignores,
    )
    leave_alone = (
        None if analysis.written_out is not None else analysis.leave_alone
    ) or rewrite_blocker(document)
    return FileResult(
        path=source.path,
        document=document,
        analysis=analysis,
        findings=kept.findings,
        leave_alone=leave_alone,
        fail_level=args.fail_level or settings.fail_level or DEFAULT_FAIL_LEVEL,
        rules_version=args.rules_version or settings.rules_version or CURRENT,
        size_estimate=None if leave_alone else api.size_estimate(analysis),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``dockerslim-refactor [analyze] ...``: rewrite, or with ``analyze`` report findings;
    returns the exit code. The other subcommands go to their own front ends through
    :func:`dockerslim_refactor.commands.main`, which the console script runs."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_reporting_errors(lambda: _run(argv))


def _run(argv: list[str]) -> int:
    other = argv[0] if argv and argv[0] in SUBCOMMANDS and argv[0] != "analyze" else None
    if other or "--interactive" in argv:
        what = other or "--interactive"
        raise api.UsageError(
            f"{PROG}: {what} belongs to another front end; run it through "
            "dockerslim_refactor.commands.main"
        )
    if argv and argv[0] == "analyze":
        return run_analyze(argv[1:])
    return run_rewrite(argv)
