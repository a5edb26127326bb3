"""Every finding for a Dockerfile: the analysis of its final stage (facts, the ecosystem
detectors, whether a rewrite pays off), then every rule over it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from dockerslim_refactor.analysis.benefit import (
    builds_in_onbuild_triggers,
    leave_alone_reason,
    toolchain_evidence,
    toolchain_purpose,
)
from dockerslim_refactor.analysis.ecosystems import detect
from dockerslim_refactor.analysis.facts import stage_facts
from dockerslim_refactor.analysis.model import Analysis
from dockerslim_refactor.document import Document
from dockerslim_refactor.options import Options
from dockerslim_refactor.rules import run_rules


def analyze(
    document: Document,
    options: Options | None = None,
    context_files: Mapping[str, str] | None = None,
) -> Analysis:
    options = options or Options()
    facts = stage_facts(document, document.stages[-1], context_files)
    if len(document.stages) == 1 and not options.keep_command:
        from dockerslim_refactor.analysis import wrappers

        wrapper = wrappers.resolve(facts)
        if wrapper is not None:
            facts = replace(facts, wrapper=wrapper)
    build = detect(facts, options) if len(document.stages) == 1 else None
    toolchain = toolchain_evidence(facts)
    reason = leave_alone_reason(document, facts, build, toolchain, options)
    if reason and build is not None and (build.artifacts or toolchain_purpose(facts)):
        # Left alone for a reason of its own (a toolchain image…): the detector's notes about
        # how it would have rewritten the file would only mislead.
        build = replace(build, findings=())
    written_out = None
    if reason and builds_in_onbuild_triggers(facts):
        from dockerslim_refactor.analysis.onbuild import expand

        # The parent's steps written out make a file the rewrite may take on.
        expansion = expand(document)
        if expansion is not None:
            inner = analyze(expansion.document, options, context_files)
            if inner.leave_alone is None:
                written_out = replace(expansion, analysis=inner)
    partial = Analysis(document, facts, build, toolchain, reason, (), options, written_out)
    findings = run_rules(partial)
    return Analysis(document, facts, build, toolchain, reason, findings, options, written_out)
