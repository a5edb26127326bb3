"""What the language server asks the engine, and the fixes as line edits; runs in the
engine's process (:mod:`dockerslim_refactor.frontends.lsp.engine`). No pygls here, and no analysis
of its own: the text is parsed once and rewritten through :mod:`dockerslim_refactor.api`
(findings from its analysis), the conversion is the rewrite the CLI writes, and a split chain
is :func:`dockerslim_refactor.plan.split_chain`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.api import InputError, Refused, Result, Source, analyse, rewrite, source_of
from dockerslim_refactor.frontends.lsp.positions import LineEdit, apply_line_edit
from dockerslim_refactor.options import Options

CONVERT, SPLIT, NON_ROOT = "DSR001", "DSR002", "DSR005"
NON_ROOT_USER = "USER 65534:65534"
DOCUMENT = "<document>"
"""The name of the editor's text in the engine's errors (only their line and message are used)."""
# Instructions whose effect depends on the user they run as: a USER added for the container
# goes after the last of them, so the build itself still runs as it did.
_RUNS_AS_USER = frozenset({"RUN", "COPY", "ADD", "USER", "WORKDIR", "ONBUILD"})


@dataclass(frozen=True)
class Snapshot:
    """The engine's view of one version of a document."""

    text: str
    analysis: Analysis | None = None
    result: Result | None = None
    """The rewrite, when the engine could make one (its ``output`` may still be ``None``)."""
    syntax: InputError | None = None
    """Why the text is not a Dockerfile (its ``line`` and ``message``): one ``syntax``
    diagnostic."""
    problem: str | None = None
    """Why there is no conversion although the text parses (self-check), or an engine error
    with its traceback, for the server's log."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.analysis.findings if self.analysis is not None else ()

    @property
    def newline(self) -> str:
        return self.analysis.document.newline if self.analysis is not None else "\n"


def snapshot(
    text: str, options: Options, context_files: Mapping[str, str] | None = None
) -> Snapshot:
    """Run the engine once over ``text`` (parsed once); never raises for what a document
    holds. Like the CLI's rewrite, except that an ignore pragma does not hide the
    conversion."""
    if not text.lstrip("\ufeff").strip():
        return Snapshot(text)  # a new, empty file: nothing to say yet
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        return Snapshot(text, syntax=InputError(DOCUMENT, "binary file (NUL byte)", line))
    try:
        source = source_of(text, DOCUMENT)
    except InputError as err:
        return Snapshot(text, syntax=err)
    except Exception:
        return Snapshot(text, problem="parse failed:\n" + traceback.format_exc())
    try:
        result = rewrite(source, options, context_files, honour_pragmas=False)
    except Refused as err:
        return _analysis_only(source, options, context_files, f"no conversion: {err.reason}")
    except Exception:
        return _analysis_only(
            source, options, context_files, "rewrite failed:\n" + traceback.format_exc()
        )
    return Snapshot(text, analysis=result.analysis, result=result)


def _analysis_only(
    source: Source, options: Options, context_files: Mapping[str, str] | None, problem: str
) -> Snapshot:
    """The findings without the rewrite, from the same parse."""
    try:
        analysis = analyse(source, options, context_files)
    except Exception:
        return Snapshot(
            source.text, problem=problem + "\nanalysis failed:\n" + traceback.format_exc()
        )
    return Snapshot(source.text, analysis=analysis, problem=problem)


# -- fixes -------------------------------------------------------------------------------------


def convert_output(snap: Snapshot) -> str | None:
    """The CLI's output for the document, when it differs from the document."""
    result = snap.result
    if result is None or result.output is None or not result.changed:
        return None
    return result.output


def convert_size(snap: Snapshot) -> str | None:
    """The conversion's estimate for its title (``≈ 299 MB → 3.6 MB``), when there is one."""
    from dockerslim_refactor.api import size_estimate

    result = snap.result
    if convert_output(snap) is None or result is None:
        return None
    estimate = size_estimate(result.analysis, result.plan)
    return estimate.short() if estimate is not None else None


def split_edit(snap: Snapshot, finding: Finding) -> LineEdit | None:
    """One RUN per command for the chain ``finding`` is about, from
    :func:`dockerslim_refactor.plan.split_chain`, over exactly that RUN's lines."""
    from dockerslim_refactor.plan import split_chain

    if snap.analysis is None:
        return None
    step = next(
        (s for s in snap.analysis.facts.steps if s.instruction.start_line == finding.line), None
    )
    if step is None:
        return None
    pieces = split_chain(step.instruction, step.script)
    if not pieces:
        return None
    newline = snap.newline
    text = "".join(piece.rstrip("\r\n") + newline for piece in pieces)
    ins = step.instruction
    return _checked(snap, LineEdit(ins.start_line, ins.end_line, text))


def non_root_edit(snap: Snapshot, finding: Finding) -> LineEdit | None:
    """``USER 65534:65534`` before the final stage's command, after anything that runs as the
    current user while building (RUN, COPY, ADD, WORKDIR, an earlier USER)."""
    if snap.analysis is None:
        return None
    document = snap.analysis.document
    stage = document.stages[-1]
    commands = [i for i in (stage.last("CMD"), stage.last("ENTRYPOINT")) if i is not None]
    line = stage.end_line + 1
    if commands:
        first = min(commands, key=lambda i: i.start_line)
        comments = document.comment_lines_before(first.start_line)
        line = comments[0].line if comments else first.start_line
    after = [i.end_line for i in stage.instructions if i.keyword in _RUNS_AS_USER]
    if after and max(after) >= line:
        line = max(after) + 1
    return _checked(snap, LineEdit(line, line - 1, NON_ROOT_USER + snap.newline))


def _checked(snap: Snapshot, edit: LineEdit) -> LineEdit | None:
    """``edit`` when the edited text still parses."""
    try:
        source_of(apply_line_edit(snap.text, edit), DOCUMENT)
    except InputError:
        return None
    return edit


LINE_FIXES: dict[str, Callable[[Snapshot, Finding], LineEdit | None]] = {
    SPLIT: split_edit,
    NON_ROOT: non_root_edit,
}
"""Fixes that edit the lines of one finding, by rule code."""


def fix_titles() -> dict[str, tuple[str, bool]]:
    """``code -> (FIX title, FIX_SAFE)`` for the rules that declare a fix."""
    from dockerslim_refactor.rules import all_rules

    return {
        rule.CODE: (rule.FIX, bool(getattr(rule, "FIX_SAFE", False)))
        for rule in all_rules()
        if getattr(rule, "FIX", None)
    }
