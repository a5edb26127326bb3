"""Haskell: programs built with cabal or stack. GHC links the program against glibc, GMP and
libffi dynamically, so it runs on the builder's Debian release with the libraries the builder
finds. Where the program lands is the build tool's business (a hash-named folder under
``dist-newstyle``, a link in ``~/.cabal/bin`` into cabal's store, stack's install root), so
the builder asks it and copies the file, following links, to where the image runs it."""

from __future__ import annotations

import posixpath
import shlex

from dockerslim_refactor.analysis.model import Artifact, BuildInfo, StageFacts
from dockerslim_refactor.analysis.program import (
    artifacts_from_options,
    installs_ca_certificates,
    runtime_packages,
    unsure,
)
from dockerslim_refactor.options import Options

_CABAL_BUILDS = frozenset(
    {"build", "v2-build", "new-build", "install", "v2-install", "new-install", "v1-install"}
)
_STACK_BUILDS = frozenset({"build", "install"})
# Programs of the toolchain itself: an image that runs one needs GHC at run time.
TOOLS = frozenset({"cabal", "stack", "ghc", "ghci", "runghc", "runhaskell"})
# Where the runtime stage gets the program the builder found by name.
STAGE = "/tmp/dslim/haskell"


def builds(cmd) -> bool:
    """``cabal build``, ``cabal install``, ``stack build``, ``stack install`` (v2- and new-
    forms too)."""
    if cmd.basename == "cabal":
        return cmd.subcommand in _CABAL_BUILDS
    return cmd.basename == "stack" and cmd.subcommand in _STACK_BUILDS


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    lines = [
        step.instruction.start_line
        for step in facts.steps
        if any(builds(cmd) for cmd in step.script.commands)
    ]
    wrapper = facts.wrapper
    wrapped = (
        wrapper is not None
        and wrapper.build is not None
        and posixpath.basename(wrapper.was.split()[0]) in {"cabal", "stack"}
    )
    if wrapped:
        lines.append(wrapper.instruction.start_line)
    elif not lines:
        return None
    line = lines[-1]
    packages, unmapped = runtime_packages(facts)
    # The haskell images set LANG=C.UTF-8: without it a GHC program's text I/O is ASCII and
    # fails on the first other character (`<stdout>: commitBuffer: invalid argument`).
    own_lang = "LANG" in facts.env
    locale = (("LANG", "C.UTF-8"),) if facts.image.name == "haskell" and not own_lang else ()
    common = {
        "ecosystem": "haskell",
        "template": "haskell.Dockerfile.j2",
        "linkage": "glibc",
        "runtime_env": locale,
        "runtime_packages": tuple(packages),
        "needs_ca_certificates": installs_ca_certificates(facts),
        "lines": tuple(lines),
    }
    if options.artifacts:
        return BuildInfo(
            artifacts=tuple(artifacts_from_options(facts, options, line)),
            findings=tuple(unmapped),
            **common,
        )
    exe = facts.executable
    if wrapped:
        # `cabal run app`: the builder copies the program to argv[0] (analysis/wrappers.py).
        binary = wrapper.argv[0]
        return BuildInfo(
            artifacts=(Artifact(binary, binary, "binary", line),),
            findings=tuple(unmapped),
            **common,
        )
    if not exe or "$" in exe:
        return BuildInfo(
            artifacts=(),
            findings=(
                unsure(
                    line,
                    "the image names no program to run, so which of the built programs the "
                    "runtime stage needs cannot be told; --artifact names it",
                    "--artifact",
                ),
            ),
            **common,
        )
    name = posixpath.basename(exe)
    if name in TOOLS:
        return None  # the toolchain is the program (benefit.toolchain_purpose says why)
    if "/" in exe:
        # `./server` after `make`, `/opt/app/bin/app` after `cabal install --installdir`.
        path = facts.resolve(exe)
        find = f'p={shlex.quote(path)}; [ -e "$p" ] || p='
        dest = path
    else:
        # `app` on PATH: `cabal install` links it into ~/.cabal/bin, `stack install` copies
        # it to ~/.local/bin.
        find = f"p=$(command -v {shlex.quote(name)}) || p="
        dest = f"/usr/local/bin/{name}"
    staged = f"{STAGE}/{name}"
    # Symbols are not needed at run time (binutils comes with GHC).
    strip = f"; strip {staged}" if options.strip else ""
    step = (
        f"# The program the image runs, as a file: cabal and stack install it as a link into\n"
        f"# their store or leave it in a build folder, neither of which the runtime gets.\n"
        f"RUN set -e; {find}; "
        f'[ -n "$p" ] || {{ echo "dockerslim: {name} was not built" >&2; exit 1; }}; '
        f'mkdir -p {STAGE}; cp -L "$p" {staged}{strip}'
    )
    return BuildInfo(
        artifacts=(Artifact(staged, dest, "binary", line),),
        findings=tuple(unmapped),
        final_steps=(step,),
        **common,
    )
