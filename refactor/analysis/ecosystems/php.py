"""PHP on the official images: composer installs and compiled extensions.

The official images have no slim variant: the runtime is the same image (the same PHP, and
the same inherited command when the file has none), without what the build added for
itself: composer, -dev packages, compilers, caches. Extensions built with
``docker-php-ext-install`` or ``pecl`` land in the image's extension and ``conf.d``
folders, so the builder finds what the build added (marker and collect step, as for
``make install``) and the runtime gets that tree whole, with the app and its ``vendor/``.
PHP from the distribution's packages is left to the installed-tree fallback."""

from __future__ import annotations

import shlex
from dataclasses import replace

from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.images import OS_IMAGES
from dockerslim_refactor.analysis.model import BuildInfo, StageFacts
from dockerslim_refactor.analysis.packages import package_installs
from dockerslim_refactor.analysis.program import (
    app_paths,
    artifacts_from_options,
    bare_package,
    build_packages_installed,
    unsure,
)
from dockerslim_refactor.options import Options

EXTENSION_TOOLS = frozenset(
    {"docker-php-ext-install", "docker-php-ext-configure", "docker-php-ext-enable", "pecl"}
)
# Where composer is put to run it once; the runtime stage leaves it out.
COMPOSER_PATHS = ("/usr/bin/composer", "/usr/local/bin/composer")


def _php_image_of_its_own(facts: StageFacts) -> bool:
    """A company's or a vendor's PHP image (``example/symfony-base:php8.2``): the file runs
    composer without installing PHP or composer, on an image the tool has no facts about.
    Its runtime is the same image, so nothing about it needs to be known."""
    if facts.info.ecosystem is not None or facts.info.is_toolchain:
        return False
    if facts.image.name.rstrip("0123456789.") in OS_IMAGES:
        return False
    installed = {bare_package(p) for p in build_packages_installed(facts)}
    if any(p.startswith(("php", "composer")) for p in installed):
        return False  # PHP from the distribution: the installed-tree fallback's
    return any(
        cmd.basename in {"composer", "composer.phar"} and cmd.subcommand in {"install", "i"}
        for step in facts.steps
        for cmd in step.script.commands
    )


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    if facts.image.name != "php" and not _php_image_of_its_own(facts):
        return None
    lines: list[int] = []
    for step in facts.steps:
        for cmd in step.script.commands:
            name = cmd.basename
            composer = name in {"composer", "composer.phar"} or (
                name == "php" and any(a.endswith("composer.phar") for a in cmd.args)
            )
            installs = any(a in {"install", "i", "require", "update"} for a in cmd.positional)
            if (composer and installs) or name in EXTENSION_TOOLS:
                lines.append(step.instruction.start_line)
    if not lines:
        return None
    last = lines[-1]
    exe = facts.executable or "php"
    if options.artifacts:
        return BuildInfo(
            ecosystem="php",
            template="php.Dockerfile.j2",
            artifacts=tuple(artifacts_from_options(facts, options, last)),
            linkage="interpreter",
            runtime_image=facts.image.text,
            lines=tuple(lines),
        )
    app = app_paths(facts)
    runs_composer = any("composer" in w for w in facts.program_words)
    dropped = () if runs_composer else COMPOSER_PATHS
    folders = ", ".join(app) or "no app folder"
    findings = [
        unsure(
            last,
            "the runtime is the same PHP image; the extensions and other files the build "
            f"added are found at build time and copied whole, with {folders}"
            + ("" if runs_composer else "; composer is left out")
            + "; --artifact names the files instead",
            "--artifact",
        )
    ]
    tree = installed.tree_and_app(facts, app, exe, last, dropped)
    if _builds_javascript(facts) and app:
        # node_modules of an asset build (Encore, Mix) are the build's when the finished
        # image has no node to run them: the builder stages the app folders without them.
        staged = {a.path: f"{APP_STAGE}{a.path}" for a in tree["artifacts"] if a.path in app}
        tree["artifacts"] = tuple(
            replace(a, path=staged[a.path]) if a.path in staged else a for a in tree["artifacts"]
        )
        tree["final_steps"] = (*tree["final_steps"], _stage_step(staged))
        findings.append(
            unsure(
                last,
                "node_modules of the asset build stay in the builder when the finished build "
                "has no node to run them (checked there); --keep PATH keeps one",
                "--keep",
            )
        )
    return BuildInfo(
        ecosystem="php",
        template="php.Dockerfile.j2",
        linkage="interpreter",
        runtime_image=facts.image.text,
        findings=tuple(findings),
        lines=tuple(sorted(set(lines))),
        **tree,
    )


APP_STAGE = "/tmp/dslim/apps"
"""Where the builder stages the app folders, at their paths below this folder."""


def _builds_javascript(facts: StageFacts) -> bool:
    """A RUN installs JavaScript packages (``npm ci``, ``yarn install``): an asset build."""
    return any(
        install.manager in {"npm", "yarn", "pnpm"}
        for step in facts.steps
        for install in package_installs(step.script)
    )


def _stage_step(staged: dict[str, str]) -> str:
    """The builder step that copies each app folder to its stage, without node_modules when
    no node is left to run them."""
    pairs = " ".join(f"{shlex.quote(src)}={shlex.quote(dst)}" for src, dst in staged.items())
    return "\n".join(
        [
            "# The app folders as the build left them; their node_modules only when node is",
            "# still there to run them (an asset build whose toolchain is gone left them unused).",
            f"RUN set -e; for p in {pairs}; do \\",
            '      d=${p%%=*}; s=${p#*=}; mkdir -p "$s"; cp -a "$d/." "$s/"; \\',
            '      if ! command -v node >/dev/null 2>&1; then rm -rf "$s/node_modules"; fi; \\',
            "    done",
        ]
    )
