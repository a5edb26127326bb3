"""The command-line flags of the rewrite, shared by the CLI and the wizard (and verify's
``--rewrite-arg``): the argparse parsers, the exit codes, and the choices the flags and the
configuration files make for each file. Argument handling only: the engine is reached through
:mod:`dockerslim_refactor.api`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dockerslim_refactor import __version__, api
from dockerslim_refactor.options import (
    LINKAGE_CHOICES,
    RUNTIME_CHOICES,
    OptionError,
    Options,
    java_module_list,
)

if TYPE_CHECKING:
    from dockerslim_refactor.config import Config, ConfigFinder, Settings

EXIT_OK, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130
PROG = "dockerslim-refactor"
# The first words of a command line that name a command other than the rewrite; all but
# ``analyze`` belong to front ends of their own (dockerslim_refactor.commands routes them).
SUBCOMMANDS = ("analyze", "verify", "merge", "wizard", "lsp")


def run_reporting_errors(command: Callable[[], int]) -> int:
    """Run ``command`` and return its exit code; what it raises ends the command line the one
    way every command shares: an :class:`api.Error` is one line on standard error and exit 2,
    Ctrl-C exit 130, a reader that closed standard output (``| head``) exit 0."""
    try:
        return command()
    except api.Error as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the file being written was left as it was", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def add_rewrite_options(parser: argparse.ArgumentParser) -> None:
    """The rewrite choices (``--runtime``, ``--artifact``, ``--context``, ...)."""
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
        "--non-root",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the runtime stage as an unprivileged user where the original ran as root "
        "(programs that write to $HOME, their folder or /run may then fail); by default it "
        "keeps the original's user",
    )
    group.add_argument(
        # The first release's opt-out of its non-root default; now the default itself.
        "--keep-root",
        dest="non_root",
        action="store_false",
        help=argparse.SUPPRESS,
    )
    group.add_argument(
        "--keep-command",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep a command that runs through the toolchain ('cargo run --release', "
        "'npm start') as written; by default the built program runs directly",
    )
    group.add_argument(
        "--java-modules",
        action="append",
        default=[],
        metavar="MODULE[,MODULE]",
        help="with --runtime distroless: Java modules the runtime made with jlink also gets "
        "(modules loaded by name, which jdeps cannot see, like jdk.localedata; repeatable, "
        "added to the configuration's)",
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


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``--config FILE`` and ``--no-config``."""
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
    add_rewrite_options(parser)
    if many:
        add_config_options(parser)
    return parser


def options_from(args: argparse.Namespace, settings: Settings | None = None) -> Options:
    """The rewrite choices of ``args``; a choice left unset there comes from ``settings`` (a
    configuration file), then the default. Disabled rules add up."""
    runtime = args.runtime or (settings.runtime if settings else None) or "auto"
    stage_name = args.stage_name or (settings.stage_name if settings else None) or "builder"
    non_root = args.non_root
    if non_root is None:
        non_root = bool(settings.non_root) if settings else False
    keep_command = args.keep_command
    if keep_command is None:
        keep_command = bool(settings.keep_command) if settings else False
    disabled = {code.upper() for code in args.disable}
    if settings and settings.disable:
        disabled.update(settings.disable)
    modules = list(settings.java_modules or ()) if settings else []
    for text in args.java_modules:
        try:
            modules += java_module_list(text)
        except OptionError as err:
            raise api.UsageError(f"{PROG}: --{err}") from None
    return Options(
        runtime=runtime,
        runtime_image=args.runtime_image,
        stage_name=checked_stage_name(stage_name),
        keep=tuple(args.keep),
        artifacts=tuple(args.artifact),
        runtime_packages=tuple(args.runtime_package),
        non_root=non_root,
        keep_command=keep_command,
        java_modules=tuple(dict.fromkeys(modules)),
        linkage=args.linkage,
        split_chains=not args.no_split,
        strip=not args.no_strip,
        disabled_rules=frozenset(disabled),
        test_stage=args.test_stage,
        debug_stage=args.debug_stage,
        buildkit=args.buildkit,
    )


def checked_stage_name(name: str) -> str:
    """``name`` when it can name the builder stage; raises :class:`api.UsageError`."""
    try:
        Options().check_stage_name(name)
    except OptionError as err:
        raise api.UsageError(f"{PROG}: --{err}") from None
    return name


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
                raise api.UsageError(str(err)) from None
        else:
            self._finder = ConfigFinder()

    def settings(self, path: str) -> Settings:
        """The configuration's settings for ``path``; raises :class:`api.InputError` for a
        configuration file that cannot be used."""
        from dockerslim_refactor.config import ConfigError, Settings

        config = self._explicit
        if self._finder is not None:
            try:
                config = self._finder.find(path)
            except ConfigError as err:
                raise api.InputError(err.path, err.message, err.line) from None
        if config is None:
            return Settings()
        return config.settings if path == "-" else config.settings_for(path)

    def options(self, path: str) -> tuple[Options, Settings]:
        settings = self.settings(path)
        return options_from(self.args, settings), settings

    def context(self, path: str) -> dict[str, str]:
        root = api.context_root(self.args.context, path)
        key = root.resolve() if root is not None else None
        if key not in self._contexts:
            self._contexts[key] = api.context_files(root)
        return self._contexts[key]
