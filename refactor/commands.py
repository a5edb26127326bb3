"""Which front end a command line goes to. ``dockerslim-refactor`` (the console script) and
``python -m dockerslim_refactor`` start here:

* ``verify ...``, ``lsp ...``, ``merge ...``, ``wizard ...``: that front end, without the word;
* any other command line with ``--interactive``: the wizard, without the flag;
* the rest (a rewrite, ``analyze ...``): the command line, :mod:`.frontends.cli`.

Each front end is imported only when its command is asked for, so that a rewrite never loads
the wizard's or the language server's libraries. Front ends never import one another; this
module is the only one that imports them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from dockerslim_refactor.arguments import run_reporting_errors

FrontEnd = Callable[[list[str]], int]


def front_end(argv: list[str]) -> tuple[FrontEnd, list[str]]:
    """The ``main`` of the front end that ``argv`` goes to, and the arguments it gets."""
    command = argv[0] if argv else None
    if command == "verify":
        from dockerslim_refactor.frontends import verify

        return verify.main, argv[1:]
    if command == "lsp":
        from dockerslim_refactor.frontends import lsp

        return lsp.main, argv[1:]
    if command == "merge":
        from dockerslim_refactor.frontends import merge

        return merge.main, argv[1:]
    if command == "wizard":
        from dockerslim_refactor.frontends import wizard

        return wizard.main, argv[1:]
    if "--interactive" in argv:
        from dockerslim_refactor.frontends import wizard

        return wizard.main, [a for a in argv if a != "--interactive"]
    from dockerslim_refactor.frontends import cli

    return cli.main, argv


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: this process's) and return its exit code. An
    error that escapes a front end ends the run as the CLI's do: one line on standard error
    and exit 2, 130 after Ctrl-C, 0 when standard output's reader went away."""
    words = list(sys.argv[1:] if argv is None else argv)

    def run() -> int:
        handler, rest = front_end(words)
        return handler(rest)

    return run_reporting_errors(run)
