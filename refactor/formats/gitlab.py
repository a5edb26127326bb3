"""``--format gitlab``: GitLab Code Quality (a Code Climate subset), a JSON list with one issue
per finding: description, check_name, fingerprint, severity and location (path, lines)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from dockerslim_refactor.formats import FileResult, analysed, fingerprints

# As hadolint's Code Climate output: an error blocks, a warning is major, info stays info.
SEVERITIES = {"error": "blocker", "warning": "major", "info": "info"}


def render(results: Sequence[FileResult], *, single: bool = False) -> str:
    issues = []
    for result in analysed(results):
        for finding, fingerprint in zip(result.findings, fingerprints(result), strict=True):
            issues.append(
                {
                    "description": f"{finding.code} {finding.message}",
                    "check_name": finding.code,
                    "fingerprint": fingerprint,
                    "severity": SEVERITIES.get(finding.severity, "minor"),
                    "location": {
                        "path": result.path,
                        "lines": {"begin": finding.line, "end": finding.end_line},
                    },
                }
            )
    return json.dumps(issues, indent=2) + "\n"
