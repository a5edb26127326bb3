"""Ruby on the official images: bundler and gem installs, native extensions, asset builds.

The gems live in ``GEM_HOME`` (``/usr/local/bundle`` on the official images, which also keep
bundler's configuration there), or in a ``BUNDLE_PATH`` / ``bundle config path`` folder. The
runtime is the same Ruby's slim image, which tracks the same Debian release, and the
builder's library probe installs what the native extensions link. Ruby from the
distribution's packages is left to the installed-tree fallback, which keeps the OS image."""

from __future__ import annotations

import posixpath

from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.images import interpreter_runtime
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import (
    UNSURE,
    app_paths,
    artifacts_from_options,
    runtime_packages,
)
from dockerslim_refactor.options import Options
from dockerslim_refactor.shell.queries import Command

GEM_HOME = "/usr/local/bundle"
RUBY_PROGRAMS = frozenset({"ruby", "bundle", "bundler", "rails", "rake", "puma", "rackup"})
ASSET_TASKS = frozenset({"assets:precompile", "webpacker:compile", "javascript:build"})


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    if facts.info.ecosystem != "ruby":
        return None
    lines: list[int] = []
    gem_folders: list[str] = []
    for step in facts.steps:
        for cmd in step.script.commands:
            cwd = cmd.cwd or step.workdir or facts.workdir
            line = step.instruction.start_line
            name = cmd.basename
            if name in {"bundle", "bundler"} and cmd.subcommand in {"install", "i"}:
                lines.append(line)
                path = cmd.flag_value("--path")
                if path:
                    gem_folders.append(facts.resolve(path, cwd))
            elif name in {"bundle", "bundler"} and cmd.subcommand == "config":
                words = [a for a in cmd.positional[1:] if a not in {"set"}]
                if len(words) >= 2 and words[0] == "path":
                    gem_folders.append(facts.resolve(words[1], cwd))
            elif (name == "gem" and cmd.subcommand == "install") or _builds_assets(cmd):
                lines.append(line)
    if not lines:
        return None
    last = lines[-1]
    runtime = options.runtime_image or interpreter_runtime(facts.image, "ruby")
    if runtime is None:
        message = (
            f"no slim Ruby image is known for {facts.image.text}; pass --runtime-image IMAGE "
            "(a Ruby image of the same version and release)"
        )
        return BuildInfo(
            "ruby",
            "ruby.Dockerfile.j2",
            (),
            "interpreter",
            findings=(Finding(UNSURE, "warning", last, last, message, flag="--runtime-image"),),
            lines=tuple(lines),
        )
    home = facts.env.get("GEM_HOME", GEM_HOME)
    bundle_path = facts.env.get("BUNDLE_PATH")
    if bundle_path:
        gem_folders.append(facts.resolve(bundle_path))
    if options.artifacts:
        app: list[str] = []
        artifacts = artifacts_from_options(facts, options, last)
    else:
        app = app_paths(facts)
        artifacts = [Artifact(p, p, "directory", last) for p in app]
    findings: list[Finding] = []
    tree: dict = {}
    if not options.artifacts and not app:
        # The app went to / (COPY . . without a WORKDIR): the builder finds out which files
        # the build added there and elsewhere, and the runtime stage gets them whole.
        start = installed.first_step(facts)
        artifacts = [Artifact(installed.INSTALLED_TREE + "/", "/", "installed-tree", start)]
        tree = {
            "marker_line": start,
            "final_steps": (installed.collect_step(facts, [], facts.executable or "ruby"),),
        }
        findings.append(
            Finding(
                UNSURE,
                "info",
                last,
                last,
                "the app has no folder of its own (it is copied to /): the files the build "
                "added are found at build time and go to the runtime stage whole; --artifact "
                "names the app's files instead",
                flag="--artifact",
            )
        )
    for folder in dict.fromkeys([home, *gem_folders]):
        inside = [p for p in app if folder == p or folder.startswith(p.rstrip("/") + "/")]
        if not inside and posixpath.isabs(folder) and not tree:
            artifacts.insert(0, Artifact(folder, folder, "directory", last))
    # The .gem archives bundler and gem downloaded: installed gems never read them again.
    builder_steps = (
        "# Downloaded .gem archives: the installed gems do not read them.\n"
        f"RUN rm -rf {home}/cache",
    )
    packages, unknown = runtime_packages(facts)
    return BuildInfo(
        ecosystem="ruby",
        template="ruby.Dockerfile.j2",
        artifacts=tuple(artifacts),
        linkage="interpreter",
        runtime_image=runtime,
        builder_steps=builder_steps,
        runtime_packages=tuple(packages),
        findings=tuple(findings + unknown),
        lines=tuple(sorted(set(lines))),
        **tree,
    )


def _builds_assets(cmd: Command) -> bool:
    """``rake assets:precompile``, ``rails assets:precompile``, ``bundle exec rake …``."""
    runner = cmd.basename in {"rake", "rails"} or (
        cmd.basename == "bundle" and cmd.subcommand == "exec"
    )
    return runner and any(a in ASSET_TASKS for a in cmd.args)
