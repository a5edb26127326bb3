"""``--format text``: one line per finding with the source line under it, then what the file
builds, the estimated size before and after a rewrite, and whether it is left alone. Problems
go to standard error, not here."""

from __future__ import annotations

from collections.abc import Sequence

from dockerslim_refactor.formats import FileResult, analysed


def render(results: Sequence[FileResult], *, single: bool = False) -> str:
    lines: list[str] = []
    for result in analysed(results):
        shown = result.path
        for finding in result.findings:
            lines.append(
                f"{shown}:{finding.line}: {finding.severity} {finding.code} {finding.message}"
            )
            source = result.source(finding).split("\n", 1)[0]
            if source.strip():
                lines.append(f"    {source}")
        build = result.analysis.build if result.analysis else None
        if build is not None:
            paths = ", ".join(a.path for a in build.artifacts) or "none found"
            lines.append(f"{shown}: {build.ecosystem} build ({build.linkage}); artifacts: {paths}")
        if result.size_estimate is not None:
            lines.append(f"{shown}: {result.size_estimate.line()}")
        if result.leave_alone:
            lines.append(f"{shown}: left alone: {result.leave_alone}")
    return "".join(f"{line}\n" for line in lines)
