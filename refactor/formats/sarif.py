"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning and other tools read it. The
driver lists every rule with its documentation (help text, Markdown and link); each result
names its rule, level and lines; files that could not be read are tool notifications."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from dockerslim_refactor import __version__
from dockerslim_refactor.docs import RuleDoc, catalog
from dockerslim_refactor.formats import FileResult, analysed, fingerprints

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "dockerslim-refactor"
INFORMATION_URI = "https://github.com/dockerslim-refactor/dockerslim-refactor"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "dockerslimRefactor/v1"
CONVERT = "DSR001"
"""The finding the rewrite fixes: its result carries the size estimate of the rewrite."""


def _rule(doc: RuleDoc) -> dict[str, object]:
    return {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.title},
        "fullDescription": {"text": doc.section.get("What it does", doc.title)},
        "help": {"text": doc.text(), "markdown": doc.markdown()},
        "helpUri": doc.url,
        "defaultConfiguration": {"level": LEVELS.get(doc.severity, "warning")},
        "properties": {"fix": doc.fix, "fixSafe": doc.fix_safe},
    }


def _uri(path: str) -> str:
    """A URI reference for a path as shown: relative paths stay relative (to the folder the
    tool ran in, usually the repository's top)."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(posix)
    return quote(posix)


def _location(path: str, start: int | None, end: int | None, snippet: str | None = None):
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(path)}}
    if start:
        region: dict[str, object] = {"startLine": start, "endLine": max(end or start, start)}
        if snippet:
            region["snippet"] = {"text": snippet}
        physical["region"] = region
    return {"physicalLocation": physical}


def render(results: Sequence[FileResult], *, single: bool = False) -> str:
    docs = catalog()
    index = {doc.code: i for i, doc in enumerate(docs)}
    sarif_results = []
    for result in analysed(results):
        for finding, fingerprint in zip(result.findings, fingerprints(result), strict=True):
            entry: dict[str, object] = {
                "ruleId": finding.code,
                "level": LEVELS.get(finding.severity, "warning"),
                "message": {"text": finding.message},
                "locations": [
                    _location(result.path, finding.line, finding.end_line, result.source(finding))
                ],
                "partialFingerprints": {FINGERPRINT: fingerprint},
            }
            if finding.code in index:
                entry["ruleIndex"] = index[finding.code]
            properties: dict[str, object] = {}
            if finding.fix:
                properties = {"fix": finding.fix, "fixSafe": finding.fix_safe}
            if finding.code == CONVERT and result.size_estimate is not None:
                properties["sizeEstimate"] = result.size_estimate.as_dict()
            if properties:
                entry["properties"] = properties
            sarif_results.append(entry)
    problems = [r.problem for r in results if r.problem is not None]
    invocation = {
        "executionSuccessful": not problems,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": str(p)},
                "locations": [_location(p.path, p.line, p.line)],
            }
            for p in problems
        ],
    }
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(doc) for doc in docs],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
