"""The ``merge`` command: its arguments, reading the three files, writing the merged
Dockerfile and printing what the merge assumed.

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

The work is done in phases, one module each: :mod:`.script` reads the script, :mod:`.copies`
maps the files it copied out to ``COPY --from``, and :mod:`.assemble` assembles and checks the
merged file (:func:`merge`). The command reaches files through :mod:`dockerslim_refactor.api`
only; it imports no other front end.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dockerslim_refactor import api
from dockerslim_refactor.frontends.merge.assemble import MergeResult, merge
from dockerslim_refactor.frontends.merge.script import PROG, BuilderScript, MergeError, read_script

__all__ = ["BuilderScript", "MergeError", "MergeResult", "main", "merge", "read_script"]

EXIT_OK, EXIT_ERROR = 0, 2


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
    try:
        return _run(_parser().parse_args(list(argv)))
    except (api.Error, MergeError) as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    artifacts: dict[str, str] = {}
    for item in args.artifact:
        local, sep, path = item.partition("=")
        if not sep or not local or not path:
            raise api.UsageError(f"--artifact {item!r}: use LOCAL=PATH (app=/go/bin/app)", PROG)
        artifacts[local] = path
    inputs = [args.build, args.runtime] + ([args.script] if args.script else [])
    if args.output:
        for name in inputs:
            if api.same_file(args.output, name):
                raise api.UsageError("-o is an input file; merge never overwrites one", args.output)
        api.check_output_target(Path(args.output))
    build_text = api.read_text(args.build)
    runtime_text = api.read_text(args.runtime)
    script_text = api.read_text(args.script) if args.script else None
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
        api.write_atomically(Path(args.output), result.output)
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
