"""What a Dockerfile builds and what its image needs: ``analyze`` runs the ecosystem detectors
over the final stage, decides whether a rewrite pays off, and collects every rule's findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from refactor.analysis.benefit import leave_alone_reason, toolchain_evidence
from refactor.analysis.ecosystems import detect
from refactor.analysis.facts import stage_facts
from refactor.analysis.model import BuildInfo, Finding, StageFacts
from refactor.document import Document
from refactor.options import Options


@dataclass(frozen=True)
class Analysis:
    document: Document
    facts: StageFacts
    """The final stage, resolved."""
    build: BuildInfo | None
    """What the final stage builds, when a detector recognised it."""
    toolchain: tuple[tuple[int, str], ...]
    """Evidence that the final image carries a toolchain: (line, what)."""
    leave_alone: str | None
    """Why the file is not rewritten, or ``None`` when a rewrite pays off."""
    findings: tuple[Finding, ...]
    options: Options


def analyze(
    document: Document,
    options: Options | None = None,
    context_files: Mapping[str, str] | None = None,
) -> Analysis:
    from refactor.rules import run_rules

    options = options or Options()
    facts = stage_facts(document, document.stages[-1], context_files)
    build = detect(facts, options) if len(document.stages) == 1 else None
    toolchain = toolchain_evidence(facts)
    reason = leave_alone_reason(document, facts, build, toolchain)
    if reason and build is not None and build.artifacts:
        # Left alone for a reason of its own (a toolchain image…): the detector's notes about
        # how it would have rewritten the file would only mislead.
        build = replace(build, findings=())
    partial = Analysis(document, facts, build, toolchain, reason, (), options)
    findings = run_rules(partial)
    return Analysis(document, facts, build, toolchain, reason, findings, options)
