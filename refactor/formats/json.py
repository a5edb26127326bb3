"""``--format json``: for one named file, the object ``analyze`` has always printed (file,
stages, base, ecosystem, linkage, artifacts, leave_alone, findings), with ``size_estimate``: the
base images' published sizes before and after the rewrite, or null when the file is left alone.
When the command line names several paths or a folder, a list of those objects, one per file
analysed. Each finding carries ``help_uri``, the repository-relative path of its
documentation."""

from __future__ import annotations

import json
from collections.abc import Sequence

from dockerslim_refactor.docs import doc_path
from dockerslim_refactor.formats import FileResult, analysed


def report(result: FileResult) -> dict[str, object]:
    analysis = result.analysis
    assert analysis is not None and result.document is not None
    build = analysis.build
    return {
        "file": result.path,
        "stages": len(result.document.stages),
        "base": analysis.facts.image.text,
        "ecosystem": build.ecosystem if build else None,
        "linkage": build.linkage if build else None,
        "artifacts": [
            {"path": a.path, "dest": a.dest, "kind": a.kind, "certain": a.certain}
            for a in (build.artifacts if build else ())
        ],
        "leave_alone": result.leave_alone,
        "size_estimate": result.size_estimate.as_dict() if result.size_estimate else None,
        "findings": [{**f.as_dict(), "help_uri": doc_path(f.code)} for f in result.findings],
    }


def render(results: Sequence[FileResult], *, single: bool = False) -> str:
    reports = [report(r) for r in analysed(results)]
    if single:
        return json.dumps(reports[0], indent=2) + "\n" if reports else ""
    return json.dumps(reports, indent=2) + "\n"
