"""Assembling the merged Dockerfile: directives, global ARGs, stage-name conflicts, the final
text, the self-check and findings, and what replaces the script (:func:`merge`).

The result is checked before anything is written: it parses, and its final stage keeps the
runtime Dockerfile's command, user, workdir, environment, ports and labels
(:func:`dockerslim_refactor.rewrite.self_check`). It is also run through the analyzer, whose
findings are returned with the result.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from dockerslim_refactor.analysis.model import Finding
from dockerslim_refactor.document import (
    STAGE_NAME,
    DockerfileError,
    Document,
    Instruction,
    Stage,
    parse,
)
from dockerslim_refactor.frontends.merge.copies import (
    _context_path,
    _nothing_matched,
    _produced,
    _rewrite_runtime,
    _Source,
    _sources_from_script,
)
from dockerslim_refactor.frontends.merge.script import (
    DOCKER_PROGRAMS,
    PROG,
    SCRIPT_DIR,
    BuilderScript,
    ImageBuild,
    MergeError,
    ScriptCommand,
    _at,
    _canonical_flag,
    _expand,
    _Names,
    _unquoted,
    read_script,
)

# Options of the build of the build Dockerfile that its stage still needs in the one build.
_CARRIED_OPTIONS = frozenset(
    {"--build-arg", "--network", "--add-host", "--secret", "--ssh", "--build-context", "--allow"}
)
# Options given once per build; a different value on the two builds cannot be kept for both.
_SINGLE_OPTIONS = frozenset({"--network"})


@dataclass(frozen=True)
class MergeResult:
    output: str
    """The merged Dockerfile."""
    assumptions: list[str]
    """What the merge assumed, each ``file:line: ...``; worth a look before building."""
    obsolete: list[str]
    """What the old script did that the merged file makes unnecessary, each ``file:line: ...``."""
    build_command: str
    """The one ``docker build`` that replaces the script."""
    findings: tuple[Finding, ...] = ()
    """The analyzer's findings on the merged file (lines are the merged file's)."""
    stage_name: str = "builder"
    """The stage the runtime stage copies from."""


def merge(
    build_text: str,
    runtime_text: str,
    script_text: str | None = None,
    artifacts: Mapping[str, str] | None = None,
    stage_name: str = "builder",
    *,
    build_name: str = "Dockerfile.build",
    runtime_name: str = "Dockerfile",
    script_name: str = "build.sh",
    output_name: str | None = None,
) -> MergeResult:
    """Merge a build Dockerfile, a runtime Dockerfile and (optionally) the script that joined
    them into one multi-stage Dockerfile.

    ``artifacts`` maps runtime ``COPY`` sources (as written in the runtime Dockerfile) to paths
    in the build image, overriding what the script or name matching found. The names are only
    used in messages and in the build command (``output_name`` is where the merged file will
    be; ``None`` means it replaces the runtime Dockerfile). Raises :class:`MergeError`."""
    names = _Names(build_name, runtime_name, script_name, output_name)
    if not STAGE_NAME.fullmatch(stage_name):
        raise MergeError(
            f"--stage-name {stage_name!r}: use lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter",
            PROG,
        )
    build = _parse(build_text, build_name)
    runtime = _parse(runtime_text, runtime_name)
    script = read_script(script_text) if script_text is not None else None
    assumptions: list[str] = []

    directives = _merge_directives(build, runtime, names, assumptions)
    arg_blocks = _merge_global_args(build, runtime, names, assumptions)

    builder_build, final_build = (
        _script_builds(script, names, assumptions) if script else (None, None)
    )
    stage, kept_stages, builder = _builder_stage(
        build, stage_name, builder_build, names, assumptions
    )
    _check_stage_names(kept_stages, stage, builder, runtime, names)

    context_dir = final_build.context_dir if final_build and final_build.context_dir else SCRIPT_DIR
    if builder_build and final_build and builder_build.context_dir not in (None, context_dir):
        assumptions.append(
            f"{_at(names.script, builder_build.command.line)}: {names.build} was built with "
            f"context {builder_build.context}, {names.runtime} with {final_build.context}; the "
            f"merged build uses {final_build.context}: check the COPY sources of the build stages"
        )

    explicit = {_context_path(local): path for local, path in (artifacts or {}).items()}
    for local, path in explicit.items():
        if not path.startswith("/"):
            raise MergeError(
                f"--artifact {local}={path}: PATH must be absolute (the path in the build image)",
                PROG,
            )
    sources: dict[str, _Source] = {}
    origin: dict[str, tuple[str, str | None]] = {}
    if script is not None:
        sources, origin = _sources_from_script(
            script, builder_build, context_dir, names, assumptions
        )
    produced = _produced(build, stage)
    replacements, used = _rewrite_runtime(
        runtime,
        sources,
        explicit,
        produced,
        script is None,
        builder,
        len(kept_stages),
        names,
        assumptions,
    )
    for local in explicit:
        if local not in used:
            raise MergeError(
                f"--artifact {local}=...: no COPY or ADD in {runtime_name} copies {local}",
                PROG,
                flag="--artifact",
            )
    if not used:
        raise MergeError(_nothing_matched(script, produced, names), runtime_name, flag="--artifact")
    if script is not None:
        for other in script.other_docker:
            assumptions.append(
                f"{_at(names.script, other.line)}: `{other.text}` is not part of the builder "
                "pattern; the merged file does not replace it"
            )
        for local, (where, archive) in origin.items():
            if local not in used and (archive is None or archive not in used):
                assumptions.append(
                    f"{where}: no COPY or ADD in {runtime_name} takes {local}; it is not copied"
                )

    output = _assemble(
        build, runtime, directives, arg_blocks, kept_stages, stage, builder, replacements
    )
    findings = _check(output, runtime, names)
    obsolete = _obsolete(script, builder_build, final_build, builder, names)
    command = _build_command(script, builder_build, final_build, names, assumptions)
    return MergeResult(output, assumptions, obsolete, command, findings, builder)


def _parse(text: str, name: str) -> Document:
    try:
        return parse(text)
    except DockerfileError as err:
        raise MergeError(err.message, name, err.line) from None


# -- directives and global ARGs ----------------------------------------------------------------


def _merge_directives(
    build: Document, runtime: Document, names: _Names, assumptions: list[str]
) -> list[str]:
    """Directive lines for the top: the build file's, then those only the runtime file has."""
    escape_b, escape_r = build.directive("escape"), runtime.directive("escape")
    if build.escape != runtime.escape:
        shown_b = (
            f"line {escape_b.line}: # escape={escape_b.value}" if escape_b else "the default \\"
        )
        shown_r = (
            f"line {escape_r.line}: # escape={escape_r.value}" if escape_r else "the default \\"
        )
        line = escape_r.line if escape_r else (escape_b.line if escape_b else None)
        raise MergeError(
            f"the files use different escape characters ({names.build}: {shown_b}; "
            f"{names.runtime}: {shown_r}); one file cannot use both: rewrite one of them with "
            "the other's escape character first",
            names.runtime if escape_r else names.build,
            line,
        )
    lines = [build.lines[d.line - 1].rstrip("\r\n") for d in build.directives]
    for directive in runtime.directives:
        mine = build.directive(directive.name)
        if mine is None:
            lines.append(runtime.lines[directive.line - 1].rstrip("\r\n"))
        elif mine.value.strip() != directive.value.strip():
            assumptions.append(
                f"{names.runtime}:{directive.line}: # {directive.name}={directive.value} dropped; "
                f"the merged file keeps {names.build}:{mine.line}: # {mine.name}={mine.value}"
            )
    return lines


def _arg_pairs(ins: Instruction) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for word in ins.words:
        key, sep, value = word.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs.append((key, value if sep else None))
    return pairs


def _merge_global_args(
    build: Document, runtime: Document, names: _Names, assumptions: list[str]
) -> list[tuple[int, str]]:
    """The runtime file's global ARG blocks (start line, text with the comments above) that
    the build file does not already declare the same way. Conflicting defaults fail."""
    declared: dict[str, tuple[str | None, int]] = {}
    for ins in build.global_args:
        for key, value in _arg_pairs(ins):
            declared[key] = (value, ins.start_line)
    blocks: list[tuple[int, str]] = []
    for ins in runtime.global_args:
        new = False
        for key, value in _arg_pairs(ins):
            if key not in declared:
                new = True
                declared[key] = (value, ins.start_line)
                continue
            mine, line = declared[key]
            if mine == value:
                continue
            if mine is not None and value is not None:
                raise MergeError(
                    f"ARG {key}={value} conflicts with {names.build}:{line}: ARG {key}={mine}; "
                    "the merged file has one set of global ARGs: make the defaults agree",
                    names.runtime,
                    ins.start_line,
                )
            if value is not None:
                new = True
                assumptions.append(
                    f"{names.runtime}:{ins.start_line}: ARG {key}={value} now also gives "
                    f"{names.build}'s ARG {key} (line {line}, no default) its default"
                )
            else:
                assumptions.append(
                    f"{names.runtime}:{ins.start_line}: ARG {key} has no default here, but "
                    f"{names.build}:{line} gives it one, which now applies to both"
                )
        if new:
            comments = runtime.comment_lines_before(ins.start_line)
            start = comments[0].line if comments else ins.start_line
            blocks.append((ins.start_line, runtime.source(start, ins.end_line)))
    return blocks


# -- stages ------------------------------------------------------------------------------------


def _script_builds(
    script: BuilderScript, names: _Names, assumptions: list[str]
) -> tuple[ImageBuild | None, ImageBuild | None]:
    """The build of the build Dockerfile (whose image the extract container is made from) and
    the final build of the runtime Dockerfile."""
    images = {c.image for c in script.creates}
    builder = next((b for b in script.builds if images & set(b.tags)), None)
    if builder is None:
        by_name = [
            b
            for b in script.builds
            if b.dockerfile and posixpath.basename(b.dockerfile) == posixpath.basename(names.build)
        ]
        if by_name:
            builder = by_name[0]
        elif len(script.builds) >= 2:
            builder = script.builds[0]
            assumptions.append(
                f"{_at(names.script, builder.command.line)}: assumed this build is the one of "
                f"{names.build} (no container is made from an image it tags)"
            )
    rest = [b for b in script.builds if b is not builder]
    final = rest[-1] if rest else None
    if final is None:
        assumptions.append(
            f"{names.script}: no docker build of {names.runtime} found; the build command has "
            "no tag: add yours"
        )
    return builder, final


def _builder_stage(
    build: Document,
    stage_name: str,
    builder_build: ImageBuild | None,
    names: _Names,
    assumptions: list[str],
) -> tuple[Stage, tuple[Stage, ...], str]:
    """The stage the runtime copies from, the build stages kept, and the builder's name."""
    stage = build.stages[-1]
    if builder_build is not None and builder_build.target:
        target = build.stage_by_name(builder_build.target)
        if target is None:
            raise MergeError(
                f"--target {builder_build.target}: {names.build} has no such stage",
                names.script,
                builder_build.command.line,
            )
        stage = target
    kept = build.stages[: stage.index + 1]
    if stage is not build.stages[-1]:
        dropped = ", ".join(str(s.name or s.index) for s in build.stages[stage.index + 1 :])
        assumptions.append(
            f"{_at(names.script, builder_build.command.line if builder_build else None)}: the "
            f"script built {names.build} with --target {stage.name}: that stage is the builder "
            f"and the stages after it ({dropped}) are left out"
        )
        return stage, kept, stage.name or str(stage.index)
    if stage.name and stage.name != stage_name:
        assumptions.append(
            f"{names.build}:{stage.start_line}: stage '{stage.name}' renamed to '{stage_name}'"
        )
    return stage, kept, stage_name


def _check_stage_names(
    kept: tuple[Stage, ...], stage: Stage, builder: str, runtime: Document, names: _Names
) -> None:
    taken: dict[str, int] = {}
    for kept_stage in kept:
        name = builder if kept_stage is stage else kept_stage.name
        if kept_stage is not stage and name == builder:
            raise MergeError(
                f"stage name '{builder}' is already used by stage {kept_stage.index} of "
                f"{names.build}; pick another with --stage-name",
                names.build,
                kept_stage.start_line,
                flag="--stage-name",
            )
        if name:
            taken[name] = kept_stage.start_line
    for stage in runtime.stages:
        if stage.name in taken:
            flag = " (--stage-name)" if stage.name == builder else ""
            raise MergeError(
                f"stage name '{stage.name}' is also used by {names.build}:{taken[stage.name]}; "
                f"rename one of them{flag}",
                names.runtime,
                stage.start_line,
                flag="--stage-name" if flag else None,
            )
        base = stage.base.lower()
        if base in taken:
            raise MergeError(
                f"FROM {stage.base} would mean the stage of {names.build} "
                f"(line {taken[base]}) in the merged file, not the image",
                names.runtime,
                stage.start_line,
            )
        for ins in stage.instructions:
            source = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
            if source and source.lower() in taken:
                raise MergeError(
                    f"--from={source} would mean the stage of {names.build} "
                    f"(line {taken[source.lower()]}) in the merged file, not the image",
                    names.runtime,
                    ins.start_line,
                )


# -- the merged text ---------------------------------------------------------------------------


def _header_start(document: Document, stage: Stage) -> int:
    comments = document.comment_lines_before(stage.start_line)
    return comments[0].line if comments else stage.start_line


def _named_from(ins: Instruction, name: str, newline: str) -> str:
    raw = ins.raw
    content = raw.rstrip("\r\n")
    ending = raw[len(content) :] or newline
    match = re.match(r"^(\s*\S+(?:\s+--\S+)*\s+\S+)(?:\s+as\s+\S+)?(\s*)$", content, re.I)
    as_word = "as" if ins.raw.lstrip()[:4].islower() else "AS"
    if "\n" in content or match is None:
        flags = " ".join(ins.flags)
        head = " ".join(w for w in ("FROM", flags, ins.value.split()[0]) if w)
        return f"{head} {as_word} {name}{ending}"
    return f"{match.group(1)} {as_word} {name}{match.group(2)}{ending}"


def _with_newline(text: str, newline: str) -> str:
    """``text`` with every line ending in ``newline`` (the build file's), the last one too."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + newline for line in lines)


def _assemble(
    build: Document,
    runtime: Document,
    directives: list[str],
    arg_blocks: list[tuple[int, str]],
    kept: tuple[Stage, ...],
    stage: Stage,
    builder: str,
    replacements: Mapping[int, str],
) -> str:
    nl = build.newline
    parts: list[str] = []
    if directives:
        parts.append("".join(d + nl for d in directives) + nl)
    # The build file's preamble (between the directives and the first stage), then the
    # runtime file's global ARGs that are new.
    first = _header_start(build, build.stages[0])
    preamble = build.source(len(build.directives) + 1, first - 1).strip()
    header = [preamble] if preamble else []
    header.extend(block.strip() for _, block in arg_blocks)
    moved_args = {line for line, _ in arg_blocks}
    if header:
        parts.append(_with_newline("\n".join(header), nl) + nl)

    # The build file's stages, the builder named.
    end = kept[-1].end_line
    body: list[str] = []
    line = first
    while line <= end:
        if line == stage.start_line and stage.name != builder:
            body.append(_named_from(stage.from_instruction, builder, nl))
            line = stage.from_instruction.end_line + 1
            continue
        body.append(build.lines[line - 1])
        line += 1
    if stage is build.stages[-1]:
        # Comments after the last instruction stay.
        body.extend(build.lines[end:])
    parts.append(_with_newline("".join(body).rstrip(), nl))
    parts.append(nl)

    # The runtime file: comments of its preamble that are not about an ARG, then its stages.
    r_first = _header_start(runtime, runtime.stages[0])
    arg_lines: set[int] = set()
    for ins in runtime.global_args:
        # A moved ARG takes its comments along; a dropped one leaves them here.
        comments = runtime.comment_lines_before(ins.start_line)
        moved = ins.start_line in moved_args
        start = comments[0].line if comments and moved else ins.start_line
        arg_lines.update(range(start, ins.end_line + 1))
    loose = [
        runtime.lines[n - 1]
        for n in range(len(runtime.directives) + 1, r_first)
        if n not in arg_lines and runtime.lines[n - 1].strip()
    ]
    text: list[str] = list(loose)
    line = r_first
    while line <= len(runtime.lines):
        replacement = replacements.get(line)
        if replacement is not None:
            ins = next(i for i in runtime.instructions if i.start_line == line)
            text.append(replacement)
            line = ins.end_line + 1
            continue
        text.append(runtime.lines[line - 1])
        line += 1
    parts.append(_with_newline("".join(text).rstrip(), nl))
    return ("\ufeff" if build.bom else "") + "".join(parts)


# -- checks and reports ------------------------------------------------------------------------


def _check(output: str, runtime: Document, names: _Names) -> tuple[Finding, ...]:
    from dockerslim_refactor.findings import analyze
    from dockerslim_refactor.rewrite import SelfCheckError, self_check

    try:
        self_check(runtime, output)
    except SelfCheckError as err:
        raise MergeError(f"refused, nothing written: {err}", names.runtime) from None
    return analyze(parse(output)).findings


def _obsolete(
    script: BuilderScript | None,
    builder_build: ImageBuild | None,
    final_build: ImageBuild | None,
    builder: str,
    names: _Names,
) -> list[str]:
    """What the old script did that the merged file makes unnecessary, in script order."""
    if script is None:
        return [
            f"the separate `docker build -f {names.build}`: it is stage '{builder}' of the one "
            "build now",
            "the container made from that image to `docker cp` the output out of: "
            f"COPY --from={builder} reads the stage",
            "the copy of the output in the build context, and deleting it afterwards",
            f"the second `docker build` (of {names.runtime})",
        ]
    items: list[tuple[int, str]] = []

    def add(cmd: ScriptCommand, why: str) -> None:
        items.append((cmd.line, f"{_at(names.script, cmd.line)}: `{cmd.text}`: {why}"))

    if builder_build is not None:
        add(
            builder_build.command,
            f"builds {names.build} on its own; it is stage '{builder}' of the one build now",
        )
    for create in script.creates:
        add(
            create.command,
            f"makes the container the output is copied out of; COPY --from={builder} reads "
            "the stage instead",
        )
    copied_locals: set[str] = set()
    for ext in script.extractions:
        copied_locals.add(ext.local)
        add(ext.command, f"copies {ext.path} into the build context; COPY --from={builder} now")
    archives = {a.archive for a in script.archives}
    for archive in script.archives:
        add(
            archive.command,
            "packs the copied files; the merged file copies them where ADD unpacked them",
        )
    containers = {c.name for c in script.creates}
    tags = set(builder_build.tags) if builder_build else set()
    for cleanup in script.cleanups:
        if cleanup.kind == "container" and set(cleanup.targets) <= containers | {""}:
            add(cleanup.command, "removes that container, which is not made any more")
        elif cleanup.kind == "image" and cleanup.targets and set(cleanup.targets) <= tags:
            add(cleanup.command, "removes the build image, which is not tagged any more")
        elif (
            cleanup.kind == "file"
            and cleanup.targets
            and all(
                any(t == p or p.startswith(t.rstrip("/") + "/") for p in copied_locals | archives)
                for t in cleanup.targets
            )
        ):
            add(cleanup.command, "deletes the copy in the build context; none is made now")
    if final_build is not None:
        why = "the second build; the command below replaces it"
        if any(f == "--no-cache" for f, _ in final_build.options):
            why += (
                " (its --no-cache made sure the fresh copy was taken; COPY --from follows the "
                "builder stage through the cache, so it is dropped)"
            )
        add(final_build.command, why)
    return [text for _, text in sorted(items, key=lambda item: item[0])]


def _shell_word(word: str, variables: Mapping[str, str] | None = None) -> str:
    """A word of the script for the printed command: the script's own variables expanded (the
    command runs without the script); words still holding expansions are kept as written, for
    the user's shell to expand."""
    resolved = _expand(_unquoted(word), variables or {})
    if "$" in resolved or "`" in resolved:
        return word
    return shlex.quote(resolved)


def _build_command(
    script: BuilderScript | None,
    builder_build: ImageBuild | None,
    final_build: ImageBuild | None,
    names: _Names,
    assumptions: list[str],
) -> str:
    words: list[str] = ["docker", "build"]
    dockerfile: str | None = None
    context = "."
    if final_build is not None:
        program = final_build.command.program
        words = [program if posixpath.basename(program) in DOCKER_PROGRAMS else "docker", "build"]
        options: list[tuple[str, str | None]] = []
        for flag, value in final_build.options:
            canonical = _canonical_flag(flag)
            if canonical == "--file":
                dockerfile = value
            elif flag != "--no-cache":
                options.append((flag, value))
        if builder_build is not None:
            options.extend(_carried(builder_build, final_build, names, assumptions))
        variables = script.variables if script else {}
        for flag, value in options:
            if value is None:
                words.append(flag)
            else:
                words.extend([flag, _shell_word(value, variables)])
        if final_build.context is not None:
            context = final_build.context
            if final_build.context_dir is not None:
                context = posixpath.relpath(final_build.context_dir, SCRIPT_DIR)
    if names.output is not None:
        dockerfile = names.output
        if posixpath.normpath(posixpath.join(context, "Dockerfile")) == posixpath.normpath(
            names.output
        ):
            dockerfile = None
    if dockerfile is not None:
        words.extend(["-f", _shell_word(dockerfile)])
    words.append(_shell_word(context))
    return " ".join(words)


def _carried(
    builder_build: ImageBuild, final_build: ImageBuild, names: _Names, assumptions: list[str]
) -> list[tuple[str, str | None]]:
    """Options of the build Dockerfile's build that its stage still needs."""

    def key(flag: str, value: str | None) -> tuple[str, str]:
        flag = _canonical_flag(flag)
        if flag in ("--build-arg", "--build-context", "--secret"):
            name = (value or "").split("=", 1)[0]
            if flag == "--secret":
                name = next(
                    (p.split("=", 1)[1] for p in (value or "").split(",") if p.startswith("id=")),
                    name,
                )
            return flag, name
        if flag in _SINGLE_OPTIONS:
            return flag, ""
        return flag, value or ""

    present = {key(f, v): v for f, v in final_build.options}
    carried: list[tuple[str, str | None]] = []
    for flag, value in builder_build.options:
        if _canonical_flag(flag) not in _CARRIED_OPTIONS:
            continue
        k = key(flag, value)
        if k in present:
            if present[k] != value:
                assumptions.append(
                    f"{_at(names.script, builder_build.command.line)}: {flag} {value} of the "
                    f"build of {names.build} differs from the final build's {flag} {present[k]}; "
                    "the one build keeps the final build's"
                )
            continue
        present[k] = value
        carried.append((flag, value))
    return carried
