"""The benefit gate: whether splitting a Dockerfile into builder and runtime stages pays off,
and the one-line reason when it does not."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from dockerslim_refactor.analysis.images import named_development_image
from dockerslim_refactor.analysis.packages import (
    cache_cleanups,
    kept_build_packages,
    package_installs,
)
from dockerslim_refactor.analysis.program import deleted_copies
from dockerslim_refactor.options import Options

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import BuildInfo, StageFacts
    from dockerslim_refactor.document import Document

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
        "gradlew",
        "mvnw",
        "dotnet",
        "tsc",
        "node-gyp",
        "meson",
        "ninja",
        # Dependency managers and extension builders that compile native code.
        "bundle",
        "gem",
        "composer",
        "docker-php-ext-install",
        "pecl",
        "phpize",
        "mix",
        "rebar3",
        "stack",
        "cabal",
        "lein",
        "sbt",
        "ant",
        "ghc",
        "swiftc",
        # Build only with a build verb: `dart app.dart` runs a program (below).
        "dart",
        "swift",
        "crystal",
        "zig",
    }
)
# The verbs with which a command that also runs programs builds (`dotnet publish`, `dart
# compile exe`, `dart pub get`, `swift build`); without one it runs a program.
_BUILD_VERBS = {
    "dotnet": frozenset({"build", "publish", "restore", "pack", "msbuild"}),
    "dart": frozenset({"compile", "pub", "build"}),
    "swift": frozenset({"build"}),
    "crystal": frozenset({"build"}),
    "zig": frozenset({"build", "build-exe", "cc", "c++"}),
}
# Commands that install dependencies rather than compile the app's own sources.
_DEPENDENCY_INSTALLERS = frozenset(
    {"bundle", "gem", "composer", "pecl", "docker-php-ext-install", "phpize"}
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
        "cabal",
        "stack",
        "ghc",
        "ghci",
        "runghc",
        "runhaskell",
        "rebar3",
        "ash",
        "zsh",
    }
)


def toolchain_evidence(facts: StageFacts) -> tuple[tuple[int, str], ...]:
    evidence: list[tuple[int, str]] = []
    line = facts.stage.from_instruction.start_line
    if builds_in_onbuild_triggers(facts):
        evidence.append(
            (line, f"base image {facts.image.text} builds the context in its ONBUILD triggers")
        )
    elif facts.info.is_toolchain:
        evidence.append((line, f"base image {facts.image.text} is a toolchain image"))
    elif named_development_image(facts.image):
        evidence.append((line, f"base image {facts.image.text} is named as a development image"))
    kept = [(s, kept_build_packages(s.script)) for s in facts.steps]
    deleted = deleted_copies(facts)
    removals = build_package_removals(facts)
    # A compiler run counts only while the image keeps a toolchain, or the sources it
    # compiled: a build whose packages are installed and removed in the same RUN, and
    # whose sources went with them, leaves nothing behind (the benefit gate).
    keeps_toolchain = (
        facts.info.is_toolchain
        or named_development_image(facts.image)
        or any(packages for _, packages in kept)
        or bool(deleted)
    )
    for step, packages in kept:
        line = step.instruction.start_line
        if packages:
            evidence.append((line, "installs build packages: " + ", ".join(packages)))
        if not keeps_toolchain and _removes_its_own_build_packages(step):
            continue
        builds_here = line in removals
        for cmd in step.script.commands:
            script = build_script(cmd, builds_here) if keeps_toolchain else None
            if script is not None:
                evidence.append((line, f"runs the build script {script}"))
                break
            if not _builds(cmd):
                continue  # `dotnet app.dll` runs a program
            if cmd.basename in COMPILERS:
                evidence.append((line, f"runs {cmd.basename}"))
                break
    for copied, dest, line in deleted:
        evidence.append(
            (copied, f"copies {dest}, which line {line} deletes, so its files still ship")
        )
    return tuple(evidence)


_BUILD_SCRIPT = re.compile(r"^(build|compile|make)([-_.]|$)", re.IGNORECASE)


def build_script(cmd, builds_here: bool = False) -> str | None:
    """The build script a command runs (``./build.sh``, ``bash scripts/build-image.sh``,
    ``sh ./compile``): a shell script by path whose name says it builds, or any script by
    path when ``builds_here`` (its RUN removes the build packages: the build ran there), or
    ``None``."""
    from dockerslim_refactor.analysis.program import shell_script_word

    script = shell_script_word(cmd)
    if script is None:
        return None
    return script if builds_here or _BUILD_SCRIPT.match(posixpath.basename(script)) else None


def build_package_removals(facts: StageFacts) -> frozenset[int]:
    """The lines of the RUNs that remove build packages (a compiler, headers) an earlier RUN
    installed (``apk add build-base`` and later ``./do && apk del build-base``): the author
    says the build ran there, and the packages still ship in the earlier layer."""
    from dockerslim_refactor.analysis.packages import (
        OS_MANAGERS,
        bare_package,
        is_build_package,
        removed_packages,
    )

    installed: list = []
    found: set[int] = set()
    for step in facts.steps:
        for install in installed:
            removed = removed_packages(install, step.script, anywhere=True)
            if any(is_build_package(p) and bare_package(p) in removed for p in install.packages):
                found.add(step.instruction.start_line)
                break
        installed += [
            i
            for i in package_installs(step.script)
            if i.manager in OS_MANAGERS and any(is_build_package(p) for p in i.packages)
        ]
    return frozenset(found)


def _builds(cmd) -> bool:
    """A command of COMPILERS that compiles here: with a build verb where one is needed."""
    verbs = _BUILD_VERBS.get(cmd.basename)
    return cmd.basename in COMPILERS and (verbs is None or cmd.subcommand in verbs)


def compiles_copied_context(facts: StageFacts) -> bool:
    """The whole build context is copied in (``COPY . .``) and a later RUN compiles
    (``mix compile``, ``make``), rather than only installing dependencies: the image builds
    an app of its own, also when it set up a toolchain installer (rustup) for it."""
    from dockerslim_refactor.analysis.program import context_copies

    copied = [
        ins.start_line
        for ins, _ in context_copies(facts)
        if any(w.strip("\"'") in {".", "./"} for w in ins.words[:-1])
    ]
    if not copied:
        return False
    return any(
        step.instruction.start_line > copied[0]
        and any(
            _builds(c) and c.basename not in _DEPENDENCY_INSTALLERS for c in step.script.commands
        )
        for step in facts.steps
    )


# Installers of language toolchains: an image that sets one up is an environment for building
# or developing, whatever else it compiles on the way.
TOOLCHAIN_MANAGERS = frozenset(
    {"rustup", "rustup-init", "rbenv", "nodenv", "pyenv", "goenv", "nvm", "asdf", "sdkman"}
)


def installs_toolchain_manager(facts: StageFacts) -> bool:
    """A RUN runs ``rustup``, ``rbenv install`` and the like, or pipes ``sh.rustup.rs``."""
    for step in facts.steps:
        for cmd in step.script.commands:
            words = (cmd.basename, *cmd.args)
            if cmd.basename in TOOLCHAIN_MANAGERS or any("rustup.rs" in w for w in words):
                return True
    return False


ONBUILD_REASON = (
    "the build runs in the ONBUILD triggers of {image}, which this file does not show; "
    "write those steps out after a FROM of the plain toolchain image and run again"
)


def builds_in_onbuild_triggers(facts: StageFacts) -> bool:
    """``FROM golang:1.6-onbuild``: the official ``-onbuild`` variants copy the build context
    and build it in ONBUILD triggers, steps that run here but are written in the base image."""
    return "onbuild" in facts.image.variant_words and facts.info.is_toolchain


def _removes_its_own_build_packages(step) -> bool:
    """The RUN installs build packages and removes them again before it ends."""
    from dockerslim_refactor.analysis.packages import (
        OS_MANAGERS,
        is_build_package,
        package_installs,
        removed_packages,
    )

    for install in package_installs(step.script):
        if install.manager not in OS_MANAGERS:
            continue
        removed = removed_packages(install, step.script)
        if install.manager == "apt" and not _autoremoves(step):
            continue  # apt-get purge of build-essential leaves gcc and make installed
        if any(is_build_package(p) for p in install.packages) and removed:
            return True
    return False


def _autoremoves(step) -> bool:
    return any(
        "autoremove" in cmd.args or "--auto-remove" in cmd.args or "--autoremove" in cmd.args
        for cmd in step.script.commands
    )


# Makefile targets that start the app rather than build or test it.
_LAUNCH_TARGETS = frozenset({"serve", "server", "run", "start", "up", "web", "prod", "production"})


def make_launch_target(facts: StageFacts) -> str | None:
    """``ENTRYPOINT ["make"] CMD ["serve"]``: the target through which make launches the
    app, or ``None``. make is then the launcher, not the image's purpose."""
    words = [w for w in facts.program_words if not w.startswith("-")]
    if len(words) != 2 or posixpath.basename(words[0]) not in {"make", "gmake"}:
        return None
    return words[1] if words[1] in _LAUNCH_TARGETS else None


def toolchain_purpose(facts: StageFacts) -> str | None:
    """Why the image needs its toolchain at run time (a builder, CI or development image, or
    a command that runs sources), or ``None``: then a toolchain in it is dead weight."""
    exe = facts.executable
    program = posixpath.basename(exe) if exe else None
    argv = facts.program
    target = make_launch_target(facts)
    if target:
        return (
            f"the image runs 'make {target}': make starts the app with a recipe of the "
            "Makefile, which this file does not show; write the command that target runs "
            "as the CMD and run again"
        )
    if program in TOOLCHAIN_PROGRAMS and not _runs_built_program(argv):
        return (
            f"the image runs {program}: it is a builder, CI or development image whose purpose "
            "is the toolchain"
        )
    dev = _development_command(argv)
    if dev:
        return f"the image runs '{dev}': the toolchain is needed at run time"
    return None


def leave_alone_reason(
    document: Document,
    facts: StageFacts,
    build: BuildInfo | None,
    toolchain: tuple[tuple[int, str], ...],
    options: Options | None = None,
) -> str | None:
    if len(document.stages) > 1:
        return f"already a multi-stage build ({len(document.stages)} stages)"
    if facts.image.repository == "scratch":
        return "FROM scratch: the image holds only what it copies"
    options = options or Options()
    purpose = toolchain_purpose(facts)
    if purpose:
        from dockerslim_refactor.analysis import wrappers

        if wrappers.wrapped_command(facts) is not None:
            problem = wrappers.unresolved_reason(facts)
            if options.keep_command:
                purpose += " (--keep-command keeps that command)"
            elif problem:
                purpose += f"; it cannot run the built program directly: {problem}"
        return purpose
    if builds_in_onbuild_triggers(facts):
        return ONBUILD_REASON.format(image=facts.image.text)
    if build is None:
        if not [e for _, e in toolchain if not e.startswith("copies ")]:
            # Deleted copies alone (an archive ADDed and removed) are no build.
            return "nothing is built here: the image only copies or installs prebuilt files"
        scripts = [(n, e) for n, e in toolchain if e.startswith("runs the build script ")]
        if scripts:
            line, evidence = scripts[0]
            script = evidence.removeprefix("runs the build script ")
            reason = (
                f"line {line} runs the build script {script}, whose outputs this file does "
                "not show; --artifact names them"
            )
            exe = facts.executable
            if exe and posixpath.isabs(exe) and not facts.info.is_toolchain:
                reason += f", and --runtime-image an image that has {exe}"
            return reason
        return "no build step this tool recognises (see the findings); nothing was changed"
    tree = any(a.kind == "installed-tree" for a in build.artifacts)
    if not facts.program and not build.runtime_image and not options.artifacts and not tree:
        # No CMD or ENTRYPOINT: a base or utility image whose command comes at run time.
        # Nothing tells which outputs (or which tools around them) it must keep.
        return (
            "the image names no program to run (no CMD or ENTRYPOINT), so what its runtime "
            "stage must keep cannot be told; --artifact names it"
        )
    if not build.artifacts:
        unsure = [f for f in build.findings if f.severity == "warning"]
        detail = unsure[0].message if unsure else "the build output could not be located"
        return f"not rewritten, to keep the image working: {detail}"
    leaves_files = build.linkage == "interpreter" and leaves_build_only_files(facts)
    if not toolchain and build.linkage == "interpreter" and not leaves_files:
        return f"already on a runtime image ({facts.image.text}) with no build tools"
    if not toolchain and not leaves_files:
        if any(_removes_its_own_build_packages(step) for step in facts.steps):
            return (
                "the build removes its own toolchain in the RUN that uses it, so nothing "
                "build-only is left for a builder stage to keep"
            )
        return "the final image keeps no toolchain or build packages: nothing to move out"
    return None


# Commands that run sources through the toolchain rather than a built program.
_DEV_VERBS = {
    "go": {"run", "test"},
    "cargo": {"run", "test", "watch"},
    "dotnet": {"run", "watch", "test"},
    "npm": {"test", "t"},
    "yarn": {"dev", "test", "watch", "start:dev"},
    "pnpm": {"dev", "test", "watch"},
    "mvn": {"spring-boot:run", "test", "quarkus:dev"},
    "gradle": {"bootRun", "run", "test"},
    "gradlew": {"bootRun", "run", "test"},
}
_DEV_SCRIPTS = {"dev", "watch", "test", "start:dev", "serve:dev"}


def _development_command(argv: tuple[str, ...]) -> str | None:
    """``npm run dev``, ``go run .``, ``dotnet watch``: the image runs sources, not a build."""
    words = list(argv)
    if len(words) >= 3 and posixpath.basename(words[0]) in {"sh", "bash"} and words[1] == "-c":
        words = words[2].split()
    if len(words) < 2:
        return None
    program, verb = posixpath.basename(words[0]), words[1]
    if verb in _DEV_VERBS.get(program, set()):
        return f"{program} {verb}"
    script = words[2] if len(words) > 2 else None
    if program in {"npm", "yarn", "pnpm"} and verb == "run" and script in _DEV_SCRIPTS:
        return f"{program} run {script}"
    return None


def _runs_built_program(argv: tuple[str, ...]) -> bool:
    """``sh -c "./app"`` and ``sh ./start.sh`` run a program, ``sh`` alone is a shell."""
    if len(argv) >= 3 and argv[1] == "-c":
        return True
    shell = posixpath.basename(argv[0]) if argv else ""
    return shell in {"sh", "bash", "ash", "dash"} and len(argv) >= 2 and not argv[1].startswith("-")


def leaves_build_only_files(facts: StageFacts) -> bool:
    """A build on a runtime image that still leaves what only the build needed: an npm, yarn
    or pnpm install with devDependencies, or an npm, yarn or pip download cache that the
    same RUN does not clean. The builder stage keeps those; the runtime does not."""
    from dockerslim_refactor.analysis.caches import leaves_cache

    for step in facts.steps:
        cleanups = cache_cleanups(step.script)
        for install in package_installs(step.script):
            if install.manager in {"npm", "yarn", "pnpm"} and install.dev:
                return True
            if install.manager in {"npm", "pip"} and leaves_cache(install, step, cleanups):
                # Only a cleanup of that manager's own cache counts: `apt-get clean` in
                # the same RUN leaves ~/.cache/pip as it is.
                return True
            if install.manager == "yarn" and not (install.no_cache or cleanups):
                return True
    return False
