"""Ruby on the official images: bundler and gem installs, native extensions, asset builds.

The gems live in ``GEM_HOME`` (``/usr/local/bundle`` on the official images, which also keep
bundler's configuration there), or in a ``BUNDLE_PATH`` / ``bundle config path`` folder. The
runtime is the same Ruby's slim image, which tracks the same Debian release. It gets what
the build added, found at build time (the gems, and tools such as gosu that a step put in
place), with the app folder, and the builder's library probe installs what the native
extensions link. Ruby from the
distribution's packages is left to the installed-tree fallback, which keeps the OS image."""

from __future__ import annotations

from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.images import interpreter_runtime
from dockerslim_refactor.analysis.model import BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import (
    UNSURE,
    app_paths,
    artifacts_from_options,
    not_rewritten,
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
        return not_rewritten("ruby", lines, message, "--runtime-image")
    home = facts.env.get("GEM_HOME", GEM_HOME)
    bundle_path = facts.env.get("BUNDLE_PATH")
    if bundle_path:
        gem_folders.append(facts.resolve(bundle_path))
    findings: list[Finding] = []
    tree: dict = {}
    if options.artifacts:
        artifacts = artifacts_from_options(facts, options, last)
    else:
        # Everything the build added comes along: the gems (GEM_HOME, BUNDLE_PATH), and what
        # else it put in place (gosu or tini downloaded to /usr/local/bin, an entrypoint),
        # found at build time as for `make install`. The app folder is copied as it is.
        app = app_paths(facts)
        tree = installed.tree_and_app(facts, app, facts.executable or "ruby", last)
        artifacts = list(tree.pop("artifacts"))
        where = ", ".join([home, *[g for g in gem_folders if g != home]])
        findings.append(
            Finding(
                UNSURE,
                "info",
                last,
                last,
                f"the gems ({where}) and the other files the build added are found at build "
                f"time and go to the runtime stage whole, with {', '.join(app) or 'no app folder'}"
                "; --artifact names the files instead",
                flag="--artifact",
            )
        )
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
