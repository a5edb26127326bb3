"""C and C++ (make, cmake, meson, autotools, direct compiler calls) and the generic
``make install`` fallback: the installed or linked executable, static vs dynamic linking, and
the shared libraries the build installed next to it."""

from __future__ import annotations

import posixpath
import re

from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import (
    UNSURE,
    artifacts_from_options,
    installs_ca_certificates,
    pick_program,
    runtime_packages,
    uncertain_findings,
)
from dockerslim_refactor.options import Options

_CMAKE_PREFIX = re.compile(r"-DCMAKE_INSTALL_PREFIX(?::\w+)?=(.+)")
COMPILERS = frozenset({"gcc", "g++", "cc", "c++", "clang", "clang++", "tcc"})
SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".pl", ".rb")
BUILD_TOOLS = frozenset({"make", "gmake", "cmake", "meson", "ninja", "configure", "autoreconf"})


def _prefix(cmd, env, configured: str | None) -> str:
    """The install prefix: given to the install command, else set when the build was
    configured (``./configure --prefix``, ``-DCMAKE_INSTALL_PREFIX``, ``meson --prefix``)."""
    for arg in cmd.args:
        for key in ("PREFIX=", "prefix="):
            if arg.startswith(key):
                return arg[len(key) :]
    value = cmd.flag_value("--prefix") or configured or env.get("PREFIX")
    return value or "/usr/local"


def _configured_prefix(cmd) -> str | None:
    name = cmd.basename
    if name.endswith("configure") or (name == "meson" and cmd.subcommand in {"setup", None}):
        return cmd.flag_value("--prefix")
    if name == "cmake":
        for arg in cmd.args:
            match = _CMAKE_PREFIX.match(arg)
            if match:
                return match.group(1)
    return None


def _builds_in_tree(name: str, cmd) -> bool:
    return name in {"make", "gmake", "ninja"} or (name == "cmake" and cmd.has_flag("--build"))


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    candidates: list[Artifact] = []
    lines: list[int] = []
    install_prefixes: list[str] = []
    static_seen = False
    compiled = False
    exe = facts.executable
    exe_name = posixpath.basename(exe) if exe else None
    configured: str | None = None
    for step in facts.steps:
        if "-static" in step.env.get("LDFLAGS", ""):
            static_seen = True
        for cmd in step.script.commands:
            name = cmd.basename
            cwd = cmd.cwd or step.workdir or facts.workdir
            line = step.instruction.start_line
            words = set(cmd.args)
            if name in COMPILERS:
                compiled = True
                lines.append(line)
                if "-static" in words:
                    static_seen = True
                out = cmd.flag_value("-o")
                # Compilers take single-dash long options (-static): look for -c exactly.
                if out and "-c" not in cmd.args:
                    path = facts.resolve(out, cwd)
                    candidates.append(Artifact(path, "", "binary", line))
                continue
            if name not in BUILD_TOOLS and not name.endswith("configure"):
                continue
            configured = _configured_prefix(cmd) or configured
            if name != "make":
                compiled = True
            lines.append(line)
            if any("-static" in a for a in cmd.args if a.startswith("LDFLAGS")):
                static_seen = True
            installing = (
                (name in {"make", "gmake", "ninja"} and "install" in cmd.positional)
                or (name == "cmake" and cmd.has_flag("--install"))
                or (name == "meson" and cmd.subcommand == "install")
            )
            if installing:
                prefix = facts.resolve(_prefix(cmd, step.env, configured), cwd)
                destdir = next((a[8:] for a in cmd.args if a.startswith("DESTDIR=")), "")
                root = posixpath.normpath(destdir + prefix) if destdir else prefix
                install_prefixes.append(root)
                if exe_name and not exe_name.endswith(SCRIPT_SUFFIXES):
                    # make install puts programs in PREFIX/bin; a script the image starts
                    # is not one of them (it came with the sources).
                    path = posixpath.join(root, "bin", exe_name)
                    candidates.append(Artifact(path, "", "binary", line))
            elif exe and "/" in exe and _builds_in_tree(name, cmd):
                # A program started by path from the build tree (./build/app).
                candidates.append(Artifact(facts.resolve(exe), "", "binary", line))
    if not lines:
        return None
    findings: list[Finding] = []
    if options.artifacts:
        chosen = artifacts_from_options(facts, options, lines[-1])
    else:
        chosen, findings = pick_program(facts, candidates, "build")
    findings += uncertain_findings(chosen)
    builder_env: tuple[tuple[str, str], ...] = ()
    builder_steps: list[str] = []
    runtime_env: list[tuple[str, str]] = []
    extra: list[Artifact] = []
    if static_seen:
        linkage = "static"
    elif options.linkage == "static":
        linkage = "static"
        builder_env = (("LDFLAGS", "-static"),)
        findings.append(
            Finding(
                "DSR102",
                "warning",
                lines[-1],
                lines[-1],
                "--linkage static sets LDFLAGS=-static in the builder; make, cmake, meson and "
                "configure pick it up, a Makefile that sets LDFLAGS itself does not",
                fix_safe=False,
            )
        )
    else:
        linkage = "musl" if facts.info.libc == "musl" else "glibc"
        if install_prefixes and chosen:
            # Libraries the build installed next to the program (or a toolchain that lives in
            # /usr/local, like the gcc images' libstdc++) are not in any runtime image.
            program = chosen[0].path
            lib_dir = "/opt/runtime-libs"
            builder_steps.append(
                "# Collect the shared libraries the program loads from /usr/local.\n"
                f"RUN mkdir -p {lib_dir} \\\n"
                f"    && ldd {program} | awk '$3 ~ \"^/usr/local/\" {{print $3}}' \\\n"
                f"     | xargs -r cp -L -t {lib_dir}"
            )
            extra.append(Artifact(lib_dir + "/", "/usr/local/lib/", "directory", lines[-1]))
            runtime_env.append(("LD_LIBRARY_PATH", "/usr/local/lib"))
        findings.append(
            Finding(
                "DSR103",
                "info",
                lines[-1],
                lines[-1],
                f"the program links the C library dynamically ({linkage}); the runtime image "
                "keeps one. Pass --linkage static to link it statically for a smaller base",
                flag="--linkage",
            )
        )
    packages, unknown = runtime_packages(facts) if linkage != "static" else ([], [])
    is_c = compiled or facts.info.ecosystem == "c"
    if not chosen and not findings:
        findings.append(
            Finding(
                UNSURE, "warning", lines[-1], lines[-1], "no build output found", flag="--artifact"
            )
        )
    return BuildInfo(
        ecosystem="c" if is_c else "generic",
        template="c.Dockerfile.j2" if is_c else "generic.Dockerfile.j2",
        artifacts=tuple(chosen + extra),
        linkage=linkage,
        builder_env=builder_env,
        builder_steps=tuple(builder_steps),
        runtime_env=tuple(runtime_env),
        runtime_packages=tuple(packages),
        needs_ca_certificates=installs_ca_certificates(facts),
        findings=tuple(findings + unknown),
        lines=tuple(lines),
    )
