"""Language server: the engine's findings as diagnostics and its fixes as code actions, for
any editor with an LSP client (``dockerslim-refactor lsp``, ``python -m
dockerslim_refactor.frontends.lsp``).

pygls is imported only when the server starts, so the CLI's other commands never load it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

PROG = "dockerslim-refactor lsp"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Start the language server: diagnostics for Dockerfiles and the code "
        "action 'Convert to multi-stage build'. Settings come from the editor (section "
        "'dockerslim-refactor': runtime, runtimeImage, stageName, nonRoot, keepCommand, "
        "javaModules, disabledRules).",
    )
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument(
        "--stdio", action="store_true", help="talk over standard input and output (default)"
    )
    transport.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on a TCP port instead (one client)"
    )
    parser.add_argument(
        "--log-level",
        choices=("error", "warning", "info", "debug"),
        default="warning",
        help="what the server logs on standard error (default: warning)",
    )
    return parser


def _address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--tcp {value!r}: use HOST:PORT, e.g. 127.0.0.1:2087")
    return host.strip("[]") or "127.0.0.1", int(port)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until the client says ``exit``; the exit code LSP prescribes (0 after
    ``shutdown``, 1 without it), 2 for bad arguments or a missing pygls."""
    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    address = None
    if args.tcp:
        try:
            address = _address(args.tcp)
        except ValueError as err:
            parser.error(str(err))
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        from dockerslim_refactor.frontends.lsp.server import create_server
    except ImportError as err:
        print(
            f"{PROG}: the language server needs pygls 2 ({err}); install it with "
            "pip install 'dockerslim-refactor[lsp]'",
            file=sys.stderr,
        )
        return 2
    server = create_server()
    if address is not None:
        server.start_tcp(*address)
    else:
        server.start_io()
    # pygls swallows the SystemExit of ``exit``: answer as LSP says from whether
    # ``shutdown`` came first.
    return 0 if getattr(server.protocol, "_shutdown", False) else 1
