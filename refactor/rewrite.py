"""The pure core: Dockerfile text in, rewritten text (or the reason to leave it alone) out,
checked before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dockerslim_refactor.analysis.facts import env_pairs
from dockerslim_refactor.analysis.model import Analysis
from dockerslim_refactor.document import DockerfileError, Document, Instruction, parse
from dockerslim_refactor.findings import analyze
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import BUILD_ONLY_ENV, PlanError, StagePlan, build_plan
from dockerslim_refactor.render import render


class SelfCheckError(Exception):
    """The rewrite lost something the original image had; nothing is written."""


@dataclass(frozen=True)
class Rewrite:
    analysis: Analysis
    plan: StagePlan | None
    output: str | None
    """The new Dockerfile, or ``None`` when the file is left alone."""
    reason: str | None
    """Why the file is left alone."""

    @property
    def changed(self) -> bool:
        return self.output is not None and self.output != self.analysis.document.text()


def rewrite(
    text: str, options: Options | None = None, context_files: Mapping[str, str] | None = None
) -> Rewrite:
    """Rewrite Dockerfile ``text``. Raises :class:`DockerfileError` for unreadable input and
    :class:`SelfCheckError` when the result would drop part of the original image."""
    return rewrite_document(parse(text), options, context_files)


def rewrite_document(
    document: Document,
    options: Options | None = None,
    context_files: Mapping[str, str] | None = None,
) -> Rewrite:
    """:func:`rewrite` for a document already parsed (every front end parses once)."""
    options = options or Options()
    return _rewrite_analysed(document, analyze(document, options, context_files))


def _rewrite_analysed(document: Document, analysis: Analysis) -> Rewrite:
    """The rewrite of ``document`` from its analysis."""
    if analysis.written_out is not None:
        return _written_out(analysis)
    if analysis.leave_alone:
        return Rewrite(analysis, None, None, analysis.leave_alone)
    try:
        plan = build_plan(analysis)
    except PlanError as err:
        return Rewrite(analysis, None, None, str(err))
    output = render(plan, document.newline, document.bom)
    self_check(document, output, plan.command_changes)
    return Rewrite(analysis, plan, output, None)


def _written_out(analysis: Analysis) -> Rewrite:
    """The rewrite of a file on an official ``-onbuild`` image, made from the file with the
    image's steps and triggers written out after a FROM of the plain image. The analysis is
    this file's; the notes keep its lines (the inserted steps count as its FROM)."""
    from dataclasses import replace

    from dockerslim_refactor.analysis.model import Finding
    from dockerslim_refactor.analysis.program import unsure

    expansion = analysis.written_out
    # The expanded file's analysis was made when this file's was (it decided the rewrite).
    inner = _rewrite_analysed(expansion.document, expansion.analysis)
    if inner.output is None or inner.plan is None:
        reason = f"with the steps of {expansion.image} written out, {inner.reason}"
        return Rewrite(analysis, None, None, reason)

    def mapped(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
        line = expansion.original_line
        return tuple(replace(f, line=line(f.line), end_line=line(f.end_line)) for f in findings)

    written = unsure(
        expansion.from_line,
        f"{expansion.image} builds in ONBUILD triggers: the builder writes out that image's "
        f"steps and triggers after FROM {expansion.plain}, the plain image of the same tag",
        None,
    )
    # The findings stay this file's (what `analyze` and the editor report, on its lines);
    # the rewrite's own notes about the expanded file join the plan's.
    notes = [f for f in inner.analysis.findings if f.code.startswith("DSR1")]
    plan = replace(inner.plan, notes=(written, *mapped((*notes, *inner.plan.notes))))
    # What it builds is the expansion's: the same program, found in the written-out steps.
    found = replace(analysis, leave_alone=None, build=inner.analysis.build)
    return Rewrite(found, plan, inner.output, None)


def _lineage(document: Document) -> list[Instruction]:
    """The final stage's instructions, after those of the stages it is built ``FROM``."""
    chain = [document.stages[-1]]
    while chain[-1].parent is not None:
        chain.append(document.stages[chain[-1].parent])
    return [ins for stage in reversed(chain) for ins in stage.instructions]


def _image_config(document: Document) -> dict[str, object]:
    """What the final stage gives the image: command, ports, user, workdir, env, labels."""
    instructions = _lineage(document)

    def every(keyword: str) -> list[Instruction]:
        return [i for i in instructions if i.keyword == keyword]

    def last(keyword: str) -> Instruction | None:
        found = every(keyword)
        return found[-1] if found else None

    config: dict[str, object] = {}
    for keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL"):
        ins = last(keyword)
        config[keyword] = (ins.json_args or ins.value) if ins else None
    config["EXPOSE"] = sorted(w for i in every("EXPOSE") for w in i.value.split())
    config["LABEL"] = sorted(p for i in every("LABEL") for p in env_pairs(i))
    config["VOLUME"] = sorted(i.value for i in every("VOLUME"))
    config["ENV"] = sorted(
        p for i in every("ENV") for p in env_pairs(i) if not BUILD_ONLY_ENV.match(p[0])
    )
    config["WORKDIR"] = [w.value for w in every("WORKDIR")]
    user = last("USER")
    config["USER"] = user.value if user else None
    return config


def self_check(
    original: Document, output: str, changes: tuple[tuple[str, object], ...] = ()
) -> None:
    """Guard before writing: the output parses and its final stage keeps the original's CMD,
    ENTRYPOINT, EXPOSE, WORKDIR, ENV, LABEL, HEALTHCHECK and a non-root or the same USER.
    ``changes`` are the commands the plan changed on purpose (``cargo run`` to the binary it
    built), with their new values."""
    try:
        rewritten = parse(output)
    except DockerfileError as err:
        raise SelfCheckError(
            f"the rewrite does not parse (line {err.line}: {err.message})"
        ) from err
    before, after = _image_config(original), _image_config(rewritten)
    for keyword, value in changes:
        before[keyword] = value
    lost = []
    for key, value in before.items():
        if key == "USER":
            if value not in (None, "root", "0", "0:0", "root:root") and after[key] != value:
                lost.append(f"USER {value}")
            continue
        if key == "ENV":
            missing = [f"{k}={v}" for k, v in value if (k, v) not in after[key]]  # type: ignore[union-attr]
            if missing:
                lost.append("ENV " + " ".join(missing))
            continue
        if key == "WORKDIR":
            if value and (not after[key] or after[key][-1] != value[-1]):  # type: ignore[index]
                lost.append(f"WORKDIR {value[-1]}")  # type: ignore[index]
            continue
        if value != after[key]:
            lost.append(f"{key} {value}")
    if lost:
        raise SelfCheckError("the rewrite would change the image's " + "; ".join(lost))
