"""Inline ignore pragmas: ``# dockerslim-refactor ignore=DSR001,DSR002``. In the comment block
directly above an instruction it ignores those codes for that instruction's lines; above the
first FROM it ignores them for the whole file. Also finds pragmas that ignore nothing
(DSR900) and whether a pragma stops the rewrite (an ignored DSR001)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for annotations: reading pragmas needs neither the analysis nor the shell parser
    # (docs.py imports this module for REWRITE_CODE alone).
    from dockerslim_refactor.analysis.model import Finding
    from dockerslim_refactor.document import Document

TOOL = "dockerslim-refactor"
REWRITE_CODE = "DSR001"
"""Ignoring this code for the final stage also stops the rewrite."""


@cache
def _pragma() -> re.Pattern[str]:
    return re.compile(
        r"^dockerslim-refactor\s+ignore\s*=\s*"
        r"(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)\s*(?:(?:--|#|:|\s).*)?$"
    )


class UnusedIgnore:
    """An ignore pragma that ignores nothing.

    ## What it does
    With `--warn-unused-ignores`, reports a `# dockerslim-refactor ignore=...` comment, or a
    code in one, that suppressed no finding: the rule has nothing to report on that
    instruction (any more), the code is unknown or disabled, the comment is not directly above
    an instruction (a blank line sits between them, or it is inside an instruction's
    continuation lines), or it cannot be read.

    ## Why is this bad?
    A pragma that hides nothing today silently hides the next real finding on that line
    tomorrow, and tells a reader that the instruction has a problem it no longer has. A
    misspelt pragma is worse: the finding it was meant to hide still shows, and the comment
    suggests it should not.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    # dockerslim-refactor ignore=DSR003
    RUN apk add --no-cache curl
    ```

    `apk add --no-cache` keeps no package index, so DSR003 has nothing to report and the
    pragma can go:
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    ## Fix safety
    There is no automatic fix. Removing the pragma, or the unused code from it, is safe: no
    finding it ignores today comes back.
    """

    CODE = "DSR900"
    NAME = "unused-ignore"
    SEVERITY = "warning"
    FIX = None
    FIX_SAFE = True
    IGNORABLE = False
    """A pragma cannot hide the finding that reports pragmas."""


@dataclass(frozen=True)
class Pragma:
    """One ignore comment and the lines it applies to."""

    line: int
    """The comment's line."""
    codes: tuple[str, ...]
    start_line: int
    end_line: int
    """The lines whose findings it ignores (the instruction's span, or the whole file);
    ``start_line == 0`` when it is above no instruction and ignores nothing."""
    file_level: bool = False

    def covers(self, finding: Finding) -> bool:
        return finding.code in self.codes and self.start_line <= finding.line <= self.end_line


@dataclass(frozen=True)
class Unreadable:
    """A comment that starts like a pragma but is not one
    (``# dockerslim-refactor ignore DSR001``)."""

    line: int
    text: str
    inside: bool = False
    """True when the comment sits inside an instruction's continuation lines."""


@dataclass(frozen=True)
class Filtered:
    findings: tuple[Finding, ...]
    """What is left to report, with the DSR900 findings when asked for, sorted by line."""
    ignored: tuple[Finding, ...]


def find_pragmas(document: Document) -> tuple[tuple[Pragma, ...], tuple[Unreadable, ...]]:
    """Every ignore pragma of ``document`` with its scope, and the comments that mention the
    tool but cannot be read as one."""
    pragmas: list[Pragma] = []
    unreadable: list[Unreadable] = []
    first_from = document.stages[0].start_line if document.stages else 0
    last_line = len(document.lines)
    below = _instruction_below(document)
    for comment in document.comments:
        text = comment.text
        if not text.startswith(TOOL):
            continue
        match = _pragma().match(text)
        if match is None or comment.inside:
            unreadable.append(Unreadable(comment.line, text, comment.inside))
            continue
        codes = tuple(dict.fromkeys(c.strip().upper() for c in match.group("codes").split(",")))
        if comment.line < first_from:
            pragmas.append(Pragma(comment.line, codes, 1, last_line, file_level=True))
            continue
        span = below.get(comment.line)
        start, end = span if span else (0, -1)
        pragmas.append(Pragma(comment.line, codes, start, end))
    return tuple(pragmas), tuple(unreadable)


def _instruction_below(document: Document) -> dict[int, tuple[int, int]]:
    """For each top-level comment line: the span of the instruction its comment block sits
    directly above (no blank line in between)."""
    comment_lines = {c.line for c in document.comments if not c.inside}
    spans: dict[int, tuple[int, int]] = {}
    for ins in document.instructions:
        line = ins.start_line - 1
        while line in comment_lines:
            spans[line] = (ins.start_line, ins.end_line)
            line -= 1
    return spans


def apply(
    document: Document,
    findings: Sequence[Finding],
    *,
    known_codes: Iterable[str] = (),
    disabled: Iterable[str] = (),
    report_unused: bool = False,
) -> Filtered:
    """Drop the findings a pragma ignores; with ``report_unused``, add a DSR900 finding for
    each pragma (or code in one) that ignored nothing."""
    pragmas, unreadable = find_pragmas(document)
    kept: list[Finding] = []
    ignored: list[Finding] = []
    used: set[tuple[int, str]] = set()
    for finding in findings:
        covering = [p for p in pragmas if p.covers(finding)]
        if not covering:
            kept.append(finding)
            continue
        ignored.append(finding)
        used.update((p.line, finding.code) for p in covering)
    if report_unused and UnusedIgnore.CODE not in set(disabled):
        known, off = set(known_codes), set(disabled)
        kept.extend(_unused(pragmas, unreadable, used, known, off))
        kept.sort(key=lambda f: (f.line, f.code))
    return Filtered(tuple(kept), tuple(ignored))


def _unused(
    pragmas: Sequence[Pragma],
    unreadable: Sequence[Unreadable],
    used: set[tuple[int, str]],
    known: set[str],
    disabled: set[str],
) -> Iterable[Finding]:
    for bad in unreadable:
        if bad.inside:
            why = "it is inside an instruction's continuation lines, where it applies to nothing"
        else:
            why = f"it is not a pragma: write `# {TOOL} ignore=CODE[,CODE...]`"
        yield _unused_finding(bad.line, f"`# {bad.text}` ignores nothing: {why}")
    for pragma in pragmas:
        if pragma.start_line == 0:
            yield _unused_finding(
                pragma.line,
                f"`# {TOOL} ignore={','.join(pragma.codes)}` ignores nothing: it is not directly "
                "above an instruction (or above the first FROM, for the whole file); remove "
                "the blank line below it or move it",
            )
            continue
        reasons = []
        for code in pragma.codes:
            if (pragma.line, code) in used:
                continue
            if known and code not in known:
                reasons.append(f"{code} is not a rule code")
            elif code in disabled:
                reasons.append(f"{code} is disabled")
            else:
                where = "in this file" if pragma.file_level else "on this instruction"
                reasons.append(f"{code} reports nothing {where}")
        if reasons:
            what = "it" if len(reasons) == len(pragma.codes) else "the unused codes"
            yield _unused_finding(
                pragma.line,
                f"`# {TOOL} ignore={','.join(pragma.codes)}` is unused: {'; '.join(reasons)}; "
                f"remove {what}",
            )


def _unused_finding(line: int, message: str) -> Finding:
    from dockerslim_refactor.analysis.model import Finding

    return Finding(
        code=UnusedIgnore.CODE,
        severity=UnusedIgnore.SEVERITY,
        line=line,
        end_line=line,
        message=message,
        fix=UnusedIgnore.FIX,
        fix_safe=UnusedIgnore.FIX_SAFE,
    )


def rewrite_blocker(document: Document) -> str | None:
    """Why the rewrite must leave ``document`` alone because of a pragma: DSR001 (reported on
    the final stage's FROM) is ignored there or for the whole file."""
    if not document.stages:
        return None
    line = document.stages[-1].start_line
    for pragma in find_pragmas(document)[0]:
        if REWRITE_CODE in pragma.codes and pragma.start_line <= line <= pragma.end_line:
            return f"{REWRITE_CODE} is ignored by an inline pragma on line {pragma.line}"
    return None
