"""PHP on the official images: composer installs and compiled extensions.

The official images have no slim variant: the runtime is the same image (the same PHP, and
the same inherited command when the file has none), without what the build added for
itself: composer, -dev packages, compilers, caches. Extensions built with
``docker-php-ext-install`` or ``pecl`` land in the image's extension and ``conf.d``
folders, so the builder finds what the build added (marker and collect step, as for
``make install``) and the runtime gets that tree whole, with the app and its ``vendor/``.
PHP from the distribution's packages is left to the installed-tree fallback."""

from __future__ import annotations

from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.model import BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import UNSURE, app_paths, artifacts_from_options
from dockerslim_refactor.options import Options

EXTENSION_TOOLS = frozenset(
    {"docker-php-ext-install", "docker-php-ext-configure", "docker-php-ext-enable", "pecl"}
)
# Where composer is put to run it once; the runtime stage leaves it out.
COMPOSER_PATHS = ("/usr/bin/composer", "/usr/local/bin/composer")


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    if facts.image.name != "php":
        return None
    lines: list[int] = []
    for step in facts.steps:
        for cmd in step.script.commands:
            name = cmd.basename
            composer = name in {"composer", "composer.phar"} or (
                name == "php" and any(a.endswith("composer.phar") for a in cmd.args)
            )
            installs = any(a in {"install", "require", "update"} for a in cmd.positional)
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
        Finding(
            UNSURE,
            "info",
            last,
            last,
            "the runtime is the same PHP image; the extensions and other files the build "
            f"added are found at build time and copied whole, with {folders}"
            + ("" if runs_composer else "; composer is left out")
            + "; --artifact names the files instead",
            flag="--artifact",
        )
    ]
    return BuildInfo(
        ecosystem="php",
        template="php.Dockerfile.j2",
        linkage="interpreter",
        runtime_image=facts.image.text,
        findings=tuple(findings),
        lines=tuple(sorted(set(lines))),
        **installed.tree_and_app(facts, app, exe, last, dropped),
    )
