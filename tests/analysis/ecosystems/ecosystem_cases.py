"""Shared by the detector tests: run one detector on Dockerfile text."""

from __future__ import annotations

from collections.abc import Callable
from textwrap import dedent

from dockerslim_refactor.analysis.facts import stage_facts
from dockerslim_refactor.analysis.model import BuildInfo, StageFacts
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options


def run_detector(
    detector: Callable[[StageFacts, Options], BuildInfo | None],
    text: str,
    options: Options | None = None,
    context_files: dict[str, str] | None = None,
) -> BuildInfo | None:
    document = parse(dedent(text).lstrip("\n"))
    facts = stage_facts(document, document.stages[-1], context_files)
    return detector(facts, options or Options())
