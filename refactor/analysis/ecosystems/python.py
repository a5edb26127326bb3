"""Python: pip / poetry / pipenv installs, compiled extensions, virtual environments."""

from __future__ import annotations

import posixpath
import re
import shlex

from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.images import interpreter_runtime
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.packages import package_installs
from dockerslim_refactor.analysis.program import (
    app_paths,
    artifacts_from_options,
    bare_package,
    build_packages_installed,
    not_rewritten,
    runtime_packages,
    unsure,
)
from dockerslim_refactor.options import Options

VENV = "/opt/venv"
INSTALLERS = {"poetry", "pipenv", "uv", "pdm"}


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    lines: list[int] = []
    venvs: list[str] = []
    user_installs = False
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager == "pip":
                lines.append(step.instruction.start_line)
                if install.command.has_flag("--user"):
                    user_installs = True
        for cmd in step.script.commands:
            cwd = cmd.cwd or step.workdir or facts.workdir
            if cmd.basename in INSTALLERS and cmd.subcommand in {"install", "sync", "add"}:
                lines.append(step.instruction.start_line)
            if cmd.basename.startswith("python") and cmd.args[:2] == ("-m", "venv"):
                target = [a for a in cmd.args[2:] if not a.startswith("-")]
                if target:
                    venvs.append(facts.resolve(target[0], cwd))
            if cmd.basename in {"virtualenv"} and cmd.positional:
                venvs.append(facts.resolve(cmd.positional[-1], cwd))
            if cmd.basename == "uv" and cmd.subcommand == "venv":
                target = [a for a in cmd.positional[1:]]
                venvs.append(facts.resolve(target[0] if target else ".venv", cwd))
    if not lines:
        return None
    if facts.image.name not in {"python", "pypy"} and not options.runtime_image:
        # Python from the distribution's packages: no slim image has that interpreter, so
        # the installed-tree fallback keeps the OS image and carries what pip installed.
        return None
    last = lines[-1]
    findings: list[Finding] = []
    apt_python = [
        p
        for p in map(bare_package, build_packages_installed(facts))
        if p.startswith("python3-") and p not in {"python3-dev", "python3-pip", "python3-venv"}
    ]
    runtime = options.runtime_image or interpreter_runtime(facts.image, "python")
    if runtime is not None and apt_python and not venvs:
        # A virtual environment would not see them: the build stays as written, and the
        # runtime installs the same OS packages again.
        why = (
            f"Python modules come as OS packages ({', '.join(apt_python)}), which a virtual "
            "environment would not see"
        )
        return _installed_in_place(facts, options, lines, runtime, last, why)
    if runtime is None or apt_python:
        why = (
            f"Python modules installed as OS packages ({', '.join(apt_python)}) cannot be "
            "carried into a slim Python image"
            if apt_python
            else f"no slim Python image is known for {facts.image.text}; pass --runtime-image IMAGE"
        )
        return not_rewritten("python", lines, why, "--runtime-image", last)
    builder_env: tuple[tuple[str, str], ...] = ()
    builder_prelude: tuple[str, ...] = ()
    builder_steps: tuple[str, ...] = ()
    runtime_env: list[tuple[str, str]] = []
    artifacts: list[Artifact] = []
    if venvs:
        venv = venvs[-1]
        if not facts.env.get("PATH", "").startswith(venv):
            runtime_env.append(("PATH", f"{venv}/bin:$PATH"))
    else:
        venv = VENV
        builder_prelude = (
            "# Install into a virtual environment so the runtime stage can copy it whole. It\n"
            "# gets the image's own setuptools and wheel, so pip builds as it did outside it.",
            venv_step(VENV),
        )
        builder_env = (("VIRTUAL_ENV", VENV), ("PATH", f"{VENV}/bin:$PATH"))
        runtime_env += [("VIRTUAL_ENV", VENV), ("PATH", f"{VENV}/bin:$PATH")]
    onbuild = facts.stage.last("ONBUILD") is not None  # images built on it install
    if not onbuild and not any("pip" in w or "setup" in w for w in facts.program_words):
        builder_steps = (installers_dropped(venv, app_paths(facts)),)
    without_venv = None if venvs else _no_venv_reason(facts, user_installs)
    if without_venv is not None:
        # The build cannot move into a virtual environment: it stays as written, and what
        # it installed is found at build time, as for a build script.
        line, why = without_venv
        return _installed_in_place(facts, options, lines, runtime, line, why)
    app = [] if options.artifacts else app_paths(facts)
    if not any(venv == p or venv.startswith(p.rstrip("/") + "/") for p in app):
        artifacts.append(Artifact(venv, venv, "venv", last))
    tree: dict = {}
    if options.artifacts:
        artifacts += artifacts_from_options(facts, options, last)
    else:
        folders = [p for p in app if not (p == venv or p.startswith(venv + "/"))]
        # What the build put outside the virtual environment and the app comes along too:
        # a database moved to /etc, a tool downloaded to /usr/local/bin, found at build
        # time as for `make install`.
        tree = installed.tree_and_app(
            facts, [a.path for a in artifacts] + folders, facts.executable or "python", last
        )
        artifacts += [a for a in tree.pop("artifacts") if a.path not in {venv}]
    packages, unknown = runtime_packages(facts)
    return BuildInfo(
        ecosystem="python",
        template="python.Dockerfile.j2",
        artifacts=tuple(artifacts),
        linkage="interpreter",
        runtime_image=runtime,
        builder_env=builder_env,
        builder_prelude=builder_prelude,
        builder_steps=builder_steps,
        final_steps=tree.pop("final_steps", ()),
        marker_line=tree.pop("marker_line", None),
        runtime_env=tuple(runtime_env),
        runtime_packages=tuple(packages),
        findings=tuple(findings + unknown),
        lines=tuple(sorted(set(lines))),
    )


# Where a Python installs packages (its site-packages), printed by that Python.
_PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def venv_step(venv: str) -> str:
    """The builder step that makes the virtual environment, with the setuptools and wheel of
    the image's own Python in place of the ones venv brings: pip decides how to build (a
    legacy ``setup.py develop``, ``bdist_wheel`` with ``--no-build-isolation``) by what it
    finds, and without wheel it would build otherwise than the original did."""
    where = "import os, $m; print(os.path.dirname(os.path.dirname($m.__file__)))"
    return "\n".join(
        [
            f"RUN python -m venv {venv} \\",
            f'    && v=$({venv}/bin/python -c "{_PURELIB}") \\',
            "    && for m in setuptools wheel; do \\",
            f'      s=$(python -c "{where}" 2>/dev/null) || continue; \\',
            '      if [ "$m" = setuptools ]; then set -- pkg_resources _distutils_hack \\',
            "        distutils-precedence.pth; else set --; fi; \\",
            '      for n in "$m" "$@"; do rm -rf "${v:?}/$n"; done; rm -rf "$v/$m"-*; \\',
            '      for n in "$m" "$@"; do [ ! -e "$s/$n" ] || cp -a "$s/$n" "$v/"; done; \\',
            '      for d in "$s/$m"-*; do [ ! -e "$d" ] || cp -a "$d" "$v/"; done; \\',
            "    done",
        ]
    )


def installers_dropped(venv: str, app: list[str]) -> str:
    """The builder step that removes pip, setuptools and wheel from the virtual environment:
    they install packages, and the program does not run them. setuptools stays when an
    installed package requires it or the app's code imports it or pkg_resources."""
    py = f"{venv}/bin/python"
    folders = " ".join(shlex.quote(p) for p in app if p != venv)
    required = "'^Requires-Dist: *setuptools([^-_.a-z0-9]|$)'"
    imported = "'^[[:space:]]*(import|from)[[:space:]]+(pkg_resources|setuptools)'"
    lines = [
        "# pip, setuptools and wheel install packages; the program does not run them.",
        "# setuptools stays when a package requires it or the code imports pkg_resources.",
        f'RUN set -e; sp=$({py} -c "{_PURELIB}"); \\',
        '    drop="wheel pip"; \\',
        f'    if ! grep -qsiE {required} "$sp"/*.dist-info/METADATA \\',
        "      && ! grep -qsiE '^setuptools([^-_.a-z0-9]|$)' \"$sp\"/*.egg-info/requires.txt \\",
        f"      && ! grep -rqsE {imported} \\",
        "        --include='*.py' --exclude-dir=setuptools --exclude-dir=pkg_resources \\",
        "        --exclude-dir=_distutils_hack --exclude-dir=pip --exclude-dir=wheel \\",
        f'        "$sp" {folders}; then \\',
        '      drop="setuptools $drop"; fi; \\',
        f"    if {py} -m pip --version >/dev/null 2>&1; then for p in $drop; do \\",
        f'      {py} -m pip uninstall --yes --quiet "$p" \\',
        '        || echo "dockerslim: pip cannot remove $p, which stays" >&2; done; fi; \\',
        # A .pth that loads the removed setuptools' hook would print an error at each start.
        '    [ -e "$sp/_distutils_hack" ] || rm -f "$sp/distutils-precedence.pth"',
    ]
    return "\n".join(lines)


def venv_python(venv: str) -> str:
    return posixpath.join(venv, "bin", "python")


_SYSTEM_PACKAGES = re.compile(r"(?:site-packages|dist-packages|/usr/(?:local/)?lib/python\d)")


def _system_package_paths(facts: StageFacts) -> list[tuple[int, str]]:
    """(line, path) of instructions that name the interpreter's own package folders."""
    found = []
    for ins in facts.stage.instructions:
        if ins.keyword in {"FROM", "ARG"}:
            continue
        match = _SYSTEM_PACKAGES.search(ins.value)
        if match:
            found.append((ins.start_line, match.group(0)))
    return found


def _no_venv_reason(facts: StageFacts, user_installs: bool) -> tuple[int, str] | None:
    """``(line, why)`` when the build cannot be moved into a virtual environment, else
    ``None``: Python 2 (no venv module), a step through sudo or su (which reset PATH), a step
    that names the system's package folder, or ``pip install --user`` (refused in a venv)."""
    last = facts.steps[-1].instruction.start_line if facts.steps else 1
    if _python_2(facts):
        return last, "Python 2 has no venv module"
    switched = _user_switches(facts)
    if switched:
        return switched[0], (
            f"line {switched[0]} runs a command through sudo or su, which resets PATH, so it "
            "would not see a virtual environment"
        )
    old_paths = _system_package_paths(facts)
    if old_paths:
        line, path = old_paths[0]
        return line, f"line {line} uses {path}, where pip installs without a virtual environment"
    if user_installs:
        return last, "pip install --user puts packages in ~/.local, which a venv refuses"
    return None


def _installed_in_place(
    facts: StageFacts,
    options: Options,
    lines: list[int],
    runtime: str,
    line: int,
    why: str,
) -> BuildInfo:
    """The build as written, onto the interpreter's slim image: the runtime stage gets what
    the build installed (site-packages, scripts in ``bin``, ``~/.local``), found at build time
    as the files added since a marker, and the app's folders."""
    last = lines[-1]
    if options.runtime == "distroless":
        # distroless's Python reads packages from a venv the rewrite moves into its
        # dist-packages; what pip put in the official image's site-packages it never reads.
        return not_rewritten(
            "python",
            lines,
            f"--runtime distroless: {why}, and distroless's Python runs packages only from "
            "a virtual environment the rewrite moves into it; --runtime slim keeps the build "
            "as written",
            "--runtime",
            line,
        )
    findings = [
        unsure(
            line,
            f"{why}: the build stays as written, and what it installed (site-packages, "
            "scripts) is found at build time and copied onto the slim image with the app; "
            "--artifact names the folders instead",
            "--artifact",
        )
    ]
    packages, unknown = runtime_packages(facts)
    if options.artifacts:
        tree: dict = {"artifacts": tuple(artifacts_from_options(facts, options, last))}
    else:
        tree = installed.tree_and_app(facts, app_paths(facts), facts.executable or "python", last)
    return BuildInfo(
        ecosystem="python",
        template="python.Dockerfile.j2",
        artifacts=tuple(tree["artifacts"]),
        linkage="interpreter",
        runtime_image=runtime,
        final_steps=tree.get("final_steps", ()),
        marker_line=tree.get("marker_line"),
        runtime_packages=tuple(packages),
        findings=tuple(findings + unknown),
        lines=tuple(sorted(set(lines))),
    )


def _python_2(facts: StageFacts) -> bool:
    """The build runs Python 2: a ``python:2*`` image, or ``python2``/``pip2`` in a RUN."""
    if facts.image.name in {"python", "pypy"} and (facts.image.version or "").startswith("2"):
        return True
    return any(
        cmd.basename in {"python2", "pip2"} or cmd.basename.startswith(("python2.", "pip2."))
        for step in facts.steps
        for cmd in step.script.commands
    )


def _user_switches(facts: StageFacts) -> list[int]:
    """Lines of RUN steps that run commands through ``sudo`` or ``su``."""
    return [
        step.instruction.start_line
        for step in facts.steps
        if any(cmd.basename in {"sudo", "su", "gosu", "su-exec"} for cmd in step.script.commands)
    ]
