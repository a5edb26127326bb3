"""The benefit gate: whether splitting a Dockerfile into builder and runtime stages pays off,
and the one-line reason when it does not."""

from __future__ import annotations

import posixpath

from refactor.analysis.model import BuildInfo, StageFacts
from refactor.analysis.packages import kept_build_packages
from refactor.document import Document

COMPILERS = frozenset(
    {
        "gcc",
        "g++",
        "cc",
        "c++",
        "clang",
        "clang++",
        "make",
        "cmake",
        "go",
        "cargo",
        "rustc",
        "javac",
        "mvn",
        "gradle",
        "dotnet",
        "tsc",
        "node-gyp",
        "meson",
        "ninja",
    }
)
# Commands whose presence as the image's program means the image exists for its toolchain.
TOOLCHAIN_PROGRAMS = frozenset(
    {
        "go",
        "cargo",
        "rustc",
        "gcc",
        "g++",
        "make",
        "cmake",
        "mvn",
        "mvnw",
        "gradle",
        "gradlew",
        "javac",
        "bash",
        "sh",
        "pytest",
        "tox",
        "nox",
        "golangci-lint",
        "rustup",
        "ash",
        "zsh",
    }
)


def toolchain_evidence(facts: StageFacts) -> tuple[tuple[int, str], ...]:
    evidence: list[tuple[int, str]] = []
    if facts.info.is_toolchain:
        line = facts.stage.from_instruction.start_line
        evidence.append((line, f"base image {facts.image.text} is a toolchain image"))
    for step in facts.steps:
        line = step.instruction.start_line
        build = kept_build_packages(step.script)
        if build:
            evidence.append((line, "installs build packages: " + ", ".join(build)))
        for cmd in step.script.commands:
            if cmd.basename in COMPILERS and cmd.basename not in {"dotnet"}:
                evidence.append((line, f"runs {cmd.basename}"))
                break
    return tuple(evidence)


def leave_alone_reason(
    document: Document,
    facts: StageFacts,
    build: BuildInfo | None,
    toolchain: tuple[tuple[int, str], ...],
) -> str | None:
    if len(document.stages) > 1:
        return f"already a multi-stage build ({len(document.stages)} stages)"
    if facts.image.repository == "scratch":
        return "FROM scratch: the image holds only what it copies"
    exe = facts.executable
    program = posixpath.basename(exe) if exe else None
    argv = facts.program
    if program in TOOLCHAIN_PROGRAMS and not _runs_built_program(argv):
        return (
            f"the image runs {program}: it is a builder, CI or development image whose purpose "
            "is the toolchain"
        )
    if build is None:
        if not toolchain:
            return "nothing is built here: the image only copies or installs prebuilt files"
        if program and len(argv) > 1 and argv[1] in {"run", "test", "watch", "dev"}:
            return f"the image runs '{program} {argv[1]}': the toolchain is needed at run time"
        return "no build step this tool recognises (see the findings); nothing was changed"
    if not build.artifacts:
        unsure = [f for f in build.findings if f.severity == "warning"]
        detail = unsure[0].message if unsure else "the build output could not be located"
        return f"not rewritten, to keep the image working: {detail}"
    if not toolchain and build.linkage == "interpreter":
        return f"already on a runtime image ({facts.image.text}) with no build tools"
    return None


def _runs_built_program(argv: tuple[str, ...]) -> bool:
    """``sh -c "./app"`` runs a program, ``sh`` alone is a shell."""
    return len(argv) >= 3 and argv[1] == "-c"
