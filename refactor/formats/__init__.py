"""Output formats of ``analyze``, one module each (text, json, sarif, github, gitlab), all with
``render(results, *, single=False) -> str``; and what they share: one file's result, the
finding fingerprints."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockerslim_refactor.ruleset import CURRENT, DEFAULT_FAIL_LEVEL, fails

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Analysis, Finding
    from dockerslim_refactor.analysis.sizes import SizeEstimate
    from dockerslim_refactor.document import Document

FORMATS = ("text", "json", "sarif", "github", "gitlab")


@dataclass(frozen=True)
class Problem:
    """Why a file could not be analysed: ``path[:line]: message``."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


@dataclass(frozen=True)
class FileResult:
    """One file of a run: its findings (pragmas and disabled rules already applied), or the
    problem that kept it from being analysed."""

    path: str
    """As shown to the user (``<stdin>`` for standard input)."""
    document: Document | None = None
    analysis: Analysis | None = None
    findings: tuple[Finding, ...] = ()
    leave_alone: str | None = None
    """Why the rewrite leaves the file alone (the analysis' reason, or an ignore pragma)."""
    fail_level: str = DEFAULT_FAIL_LEVEL
    rules_version: int = CURRENT
    problem: Problem | None = None
    size_estimate: SizeEstimate | None = None
    """The base images' published sizes before and after the rewrite, when it rewrites."""

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The findings that raise the exit code to 1."""
        return tuple(f for f in self.findings if fails(f, self.fail_level, self.rules_version))

    def source(self, finding: Finding) -> str:
        """The finding's lines as written, without line endings."""
        if self.document is None:
            return ""
        lines = self.document.lines[finding.line - 1 : finding.end_line]
        return "\n".join(line.rstrip("\r\n") for line in lines)


Renderer = Callable[..., str]


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return importlib.import_module(f"{__name__}.{name}").render


def fingerprints(result: FileResult) -> list[str]:
    """A stable identity for each finding of ``result``: a hash of the file, the code and the
    text of the finding's lines (not their number, so it survives edits elsewhere), with a
    counter for repeats of the same text in the same file."""
    seen: dict[str, int] = {}
    found = []
    for finding in result.findings:
        content = "\n".join(line.strip() for line in result.source(finding).splitlines())
        key = f"{result.path}\0{finding.code}\0{content}"
        count = seen.get(key, 0)
        seen[key] = count + 1
        import hashlib  # only the gitlab and sarif formats fingerprint findings

        found.append(hashlib.sha256(f"{key}\0{count}".encode()).hexdigest())
    return found


def analysed(results: Sequence[FileResult]) -> list[FileResult]:
    return [r for r in results if r.ok]
