"""Ecosystem detectors: each module exposes ``detect(facts, options) -> BuildInfo | None`` and
the registry below tries them in order. A new ecosystem is one module here, one template and
its samples."""

from __future__ import annotations

from collections.abc import Callable

from dockerslim_refactor.analysis.ecosystems import (
    dotnet,
    erlang,
    go,
    haskell,
    installed,
    java,
    native,
    node,
    php,
    python,
    ruby,
    rust,
)
from dockerslim_refactor.analysis.model import BuildInfo, StageFacts
from dockerslim_refactor.analysis.program import (
    context_script_installs,
    not_rewritten,
    start_script_builds,
)
from dockerslim_refactor.options import Options

Detector = Callable[[StageFacts, Options], "BuildInfo | None"]

# Specific toolchains first; the native (C/C++, make install) detector is the fallback.
DETECTORS: tuple[Detector, ...] = (
    go.detect,
    rust.detect,
    java.detect,
    dotnet.detect,
    node.detect,
    python.detect,
    ruby.detect,
    php.detect,
    haskell.detect,
    erlang.detect,
    native.detect,
)


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    found = None
    for detector in DETECTORS:
        found = detector(facts, options)
        if found is not None:
            break
    starts = start_script_builds(facts) if found is not None else None
    if starts is not None and not options.runtime_image:
        path, what = starts
        return not_rewritten(
            found.ecosystem,
            list(found.lines),
            f"the image's command runs {path}, which runs `{what}` when the container "
            "starts: it needs the build tools a runtime stage would leave in the builder; "
            "--runtime-image names an image that has them",
            "--runtime-image",
            found.lines[-1] if found.lines else facts.stage.from_instruction.start_line,
        )
    if (
        found is not None
        and found.linkage == "interpreter"
        and found.artifacts
        and not options.runtime_image
    ):
        # The runtime gets the interpreter's image and the app's folders: what a setup
        # script from the context installed elsewhere (apt packages, a make install) is lost.
        script = context_script_installs(facts)
        if script is not None:
            line, path, what = script
            return not_rewritten(
                found.ecosystem,
                list(found.lines),
                f"line {line} runs {path} from the build context, and {what}: the runtime "
                "stage, which receives the interpreter's image and the app's folders only, "
                "would not have what it installs; --runtime-image names an image that has it",
                "--runtime-image",
                line,
            )
    # A build whose output no detector could name: the builder finds out what it installed.
    discovered = installed.detect(facts, options, found)
    if discovered is not None:
        return discovered
    # One it could: the rest of what the build installed comes along.
    return installed.with_installed_tree(facts, options, found) if found else None
