"""Every choice a rewrite depends on, in one frozen value shared by the CLI, wizard and server."""

from __future__ import annotations

import re
from dataclasses import dataclass

RUNTIME_CHOICES = ("auto", "alpine", "busybox", "scratch", "distroless", "slim")
LINKAGE_CHOICES = ("auto", "static", "dynamic")
RESERVED_STAGE_NAMES = frozenset({"scratch", "context"})
JAVA_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
"""A Java module name (``jdk.localedata``)."""


class OptionError(ValueError):
    """Options that contradict each other or the file; a usage error, not a rewrite reason."""


def java_module_list(text: str) -> tuple[str, ...]:
    """``a,b`` (or ``a b``) as module names; raises :class:`OptionError` for anything else."""
    names = tuple(n for n in re.split(r"[,\s]+", text) if n)
    bad = [n for n in names if not JAVA_MODULE.fullmatch(n)]
    if bad or not names:
        raise OptionError(
            f"java-modules {text!r}: give Java module names separated by commas, like "
            "jdk.localedata,java.naming"
        )
    return names


@dataclass(frozen=True)
class Options:
    runtime: str = "auto"
    """Preferred runtime base family; a base that cannot run the program is never chosen."""
    runtime_image: str | None = None
    """An exact runtime image, overriding the choice (the user vouches that it can run it)."""
    stage_name: str = "builder"
    keep: tuple[str, ...] = ()
    """Extra builder paths to copy into the runtime stage (``PATH`` or ``SRC:DEST``)."""
    artifacts: tuple[str, ...] = ()
    """Artifact paths that replace what the detector found (``PATH`` or ``SRC:DEST``)."""
    runtime_packages: tuple[str, ...] = ()
    """Extra OS packages for the runtime stage (Debian names)."""
    non_root: bool = False
    """Run the runtime stage as an unprivileged user when the original ran as root. Opt-in:
    programs that write to ``$HOME``, their own folder or ``/run`` break without root."""
    keep_command: bool = False
    """Keep a command that builds or runs through the toolchain (``cargo run``, ``npm start``)
    as written, instead of running the built program directly."""
    java_modules: tuple[str, ...] = ()
    """Java modules the runtime jlink makes with ``--runtime distroless`` gets besides those
    jdeps finds (``jdk.localedata``: modules a program loads by name)."""
    linkage: str = "auto"
    """``static`` links native programs statically, ``dynamic`` keeps the build as written."""
    strip: bool = True
    """Strip symbols from native binaries in the builder (they are not needed at run time)."""
    split_chains: bool = True
    """Split ``&&`` chains into separate RUN lines in the builder stage."""
    disabled_rules: frozenset[str] = frozenset()
    test_stage: str | None = None
    """A command for a ``test`` stage built FROM the builder (``docker build --target test``)."""
    debug_stage: bool = False
    """Add a ``debug`` stage: the runtime image plus a static busybox shell and tools."""
    buildkit: bool = False
    """Use BuildKit-only syntax: cache and bind mounts, ``COPY --link``, a ``# syntax=`` line."""

    def check_stage_name(self, name: str) -> None:
        """Stage names are lower case, unique and not reserved words (``name`` may come from
        the file's own ``AS`` instead of ``stage_name``)."""
        from dockerslim_refactor.document import STAGE_NAME

        if not STAGE_NAME.fullmatch(name) or name in RESERVED_STAGE_NAMES:
            raise OptionError(
                f"stage-name {name!r}: use lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter, and not 'scratch' or 'context'"
            )
        recipes = (["test"] if self.test_stage else []) + (
            ["runtime", "debug"] if self.debug_stage else []
        )
        if name in recipes:
            raise OptionError(f"stage-name {name!r} is taken by the {name} stage; pick another")
