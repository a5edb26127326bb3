"""Mapping the files the script copied out of the build container to ``COPY --from=builder``:
tarball members, name matching without a script, and the errors when a source is ambiguous.

Without a script, a runtime ``COPY``/``ADD`` source is matched by file name against what the
build Dockerfile produces (the ecosystem detectors' artifacts, ``-o`` outputs of compilers,
``cp``/``mv``/``install`` targets and ``COPY --from`` targets of its builder stage); every such
match is reported as an assumption, and a source that matches several outputs is an error that
``--artifact LOCAL=PATH`` settles (the same flag settles "nothing matched").

Tarballs. Some scripts pack the copied files (``tar -czf app.tar.gz app``) and the runtime
Dockerfile unpacks them with ``ADD app.tar.gz /``. ``COPY --from`` cannot unpack, and a
builder-stage step that recreates the archive would only be unpacked again, so the merge
drops the archive: every archive member that came out of the build container becomes
``COPY --from=builder <path in the image> <ADD dest>/<member>``, which is exactly the tree
``ADD`` would have extracted (``tar -C dir`` and members given as folders are followed). A
member the script did not copy out of the container is a file of the build context and is
copied from there with a plain ``COPY``; that is reported as an assumption. Owners differ in
one way: ``ADD`` gave the files the owner recorded in the archive (whoever ran the script),
``COPY --from`` keeps the builder stage's owner unless the ``ADD`` had ``--chown``, which is
kept.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dockerslim_refactor.document import Document, Instruction, Stage
from dockerslim_refactor.frontends.merge.script import (
    ARTIFACT_FLAG,
    SCRIPT_DIR,
    BuilderScript,
    ImageBuild,
    MergeError,
    _absolute,
    _at,
    _Names,
    _split_options,
)

_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz|zst|lz|lzma))$", re.I)
_GLOB = re.compile(r"[*?\[]")
# Programs whose ``-o``/``--output`` names the file they produce.
_PRODUCERS = frozenset(
    {"go", "gcc", "cc", "g++", "c++", "clang", "clang++", "rustc", "tinygo", "gccgo", "upx"}
    | {"musl-gcc", "garble", "ldc2", "zig", "curl"}
)
_ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")


@dataclass(frozen=True)
class _Source:
    """What one runtime COPY/ADD source is in the merged file."""

    builder_path: str | None = None
    """Copy this from the builder stage."""
    members: tuple[tuple[str, str | None, str | None], ...] = ()
    """For an archive the script made: (name in the archive, builder path or ``None``,
    context path or ``None``), one COPY each."""
    made_at: int | None = None
    """The build Dockerfile's line that makes it, when found by name."""
    notes: tuple[str, ...] = ()
    """Assumptions to report when the source is used."""


def _context_path(path: str) -> str:
    """A COPY source or ``--artifact`` LOCAL as a path relative to the build context."""
    path = path.strip()
    if len(path) >= 2 and path[0] == path[-1] and path[0] in "'\"":
        path = path[1:-1]
    return _absolute(path).lstrip("/") or "."


def _sources_from_script(
    script: BuilderScript,
    builder_build: ImageBuild | None,
    context_dir: str,
    names: _Names,
    assumptions: list[str],
) -> tuple[dict[str, _Source], dict[str, tuple[str, str | None]]]:
    """Context paths the script filled from the build container, and archives it packed."""
    if not script.extractions:
        raise MergeError(
            "no `docker cp CONTAINER:PATH LOCAL` found, so nothing says which file the "
            f"runtime Dockerfile takes from the build; pass {ARTIFACT_FLAG}",
            names.script,
            flag="--artifact",
        )
    created = {c.name: c for c in script.creates}
    images = set()
    for ext in script.extractions:
        create = created.get(ext.container)
        if create is None and len(script.creates) == 1:
            create = script.creates[0]
        if create is not None:
            images.add(create.image)
    if len(images) > 1:
        raise MergeError(
            f"the script copies files out of more than one image ({', '.join(sorted(images))}); "
            f"merge takes one build Dockerfile: pass {ARTIFACT_FLAG} for the files of "
            f"{names.build}",
            names.script,
            flag="--artifact",
        )
    sources: dict[str, _Source] = {}
    origin: dict[str, tuple[str, str | None]] = {}
    for ext in script.extractions:
        where = _at(names.script, ext.command.line)
        create = created.get(ext.container)
        if create is None and len(script.creates) == 1:
            create = script.creates[0]
        if create is None:
            assumptions.append(
                f"{where}: container {ext.container} is not made in the script; assumed it is "
                f"made from the image of {names.build}"
            )
        elif builder_build is not None and create.image not in builder_build.tags:
            assumptions.append(
                f"{where}: container {ext.container} is made from {create.image}, which the "
                f"build of {names.build} does not tag; assumed it is that image"
            )
        local = posixpath.relpath(ext.local, context_dir)
        if local.startswith(".."):
            assumptions.append(f"{where}: {ext.local} is outside the build context; not used")
            continue
        sources[local] = _Source(builder_path=ext.path)
        origin[local] = (where, None)
    for archive in script.archives:
        members: list[tuple[str, str | None, str | None]] = []
        notes: list[str] = []
        packed: list[str] = []
        where = _at(names.script, archive.command.line)
        for member, member_local in archive.members:
            inside = [
                e
                for e in script.extractions
                if e.local == member_local or e.local.startswith(member_local.rstrip("/") + "/")
            ]
            for ext in inside:
                rel = posixpath.relpath(ext.local, member_local)
                name = posixpath.normpath(posixpath.join(member, rel))
                members.append((name, ext.path, None))
                packed.append(posixpath.relpath(ext.local, context_dir))
            if inside and not any(e.local == member_local for e in inside):
                notes.append(f"{where}: assumed {member} held only what docker cp put there")
            if not inside:
                rel = posixpath.relpath(member_local, context_dir)
                if rel.startswith(".."):
                    raise MergeError(
                        f"archive member {member} is neither copied out of the build container "
                        "nor in the build context; the merged file cannot make it: pass "
                        f"{ARTIFACT_FLAG} for the archive",
                        names.script,
                        archive.command.line,
                        flag="--artifact",
                    )
                members.append((member, None, rel))
                notes.append(
                    f"{where}: archive member {member} is not copied out of the build container; "
                    "assumed it is a file of the build context"
                )
        local = posixpath.relpath(archive.archive, context_dir)
        if not local.startswith(".."):
            sources[local] = _Source(members=tuple(members), notes=tuple(notes))
            origin[local] = (where, None)
            for packed_local in packed:
                if packed_local in origin:
                    origin[packed_local] = (origin[packed_local][0], local)
    return sources, origin


@dataclass(frozen=True)
class _Produced:
    path: str
    line: int
    kind: str
    """``file``, ``directory`` or ``unknown``."""


_INSTALL_VALUES = frozenset({"-m", "--mode", "-o", "--owner", "-g", "--group", "-S"})


def _produced(build: Document, stage: Stage) -> list[_Produced]:
    """Paths the builder stage makes: detector artifacts, compiler ``-o`` outputs, ``cp``/
    ``mv``/``install`` targets, ``COPY --from`` targets."""
    from dockerslim_refactor.analysis.ecosystems import detect
    from dockerslim_refactor.analysis.facts import stage_facts
    from dockerslim_refactor.options import Options

    facts = stage_facts(build, stage)
    found: dict[str, _Produced] = {}

    def add(path: str, line: int, kind: str) -> None:
        if path and "$" not in path and not _GLOB.search(path):
            path = _absolute(path)
            found.setdefault(path, _Produced(path, line, kind))

    info = detect(facts, Options())
    for artifact in info.artifacts if info else ():
        kind = {"directory": "directory", "dll-folder": "directory", "venv": "directory"}
        add(artifact.path, artifact.line, kind.get(artifact.kind, "file"))
    for step in facts.steps:
        line = step.instruction.start_line
        for cmd in step.script.commands:
            cwd = cmd.cwd or step.workdir or facts.workdir
            base = cmd.basename
            if base in _PRODUCERS:
                out = cmd.flag_value("-o", "--output")
                if out and out != "-":
                    add(facts.resolve(out, cwd), line, "file")
            elif base in ("cp", "mv", "install"):
                if base == "install" and cmd.has_flag("-d"):
                    continue
                _, words = _split_options(
                    cmd.args, _INSTALL_VALUES if base == "install" else frozenset()
                )
                if len(words) < 2:
                    continue
                recursive = base == "cp" and cmd.has_flag("-r", "-R", "-a", "--recursive")
                kind = (
                    "file" if base == "install" or (base == "cp" and not recursive) else "unknown"
                )
                *sources, dest = words
                for source in sources:
                    target = facts.resolve(dest, cwd)
                    if dest.endswith("/") or len(sources) > 1:
                        target = posixpath.join(target, posixpath.basename(source.rstrip("/")))
                    add(target, line, kind)
    for ins in stage.instructions:
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is not None:
            words = _copy_words(ins)
            if words is None or len(words) < 2:
                continue
            *sources, dest = words
            for source in sources:
                target = facts.resolve(dest)
                if dest.endswith("/") or len(sources) > 1:
                    target = posixpath.join(target, posixpath.basename(source.rstrip("/")))
                add(target, ins.start_line, "unknown")
    return list(found.values())


def _copy_words(ins: Instruction) -> list[str] | None:
    """Sources and destination of a COPY/ADD (quotes removed), ``None`` for heredocs."""
    if ins.heredocs:
        return None
    if ins.json_args is not None:
        return list(ins.json_args)
    words = []
    for word in ins.words:
        if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
            word = word[1:-1]
        words.append(word)
    return words


def _nothing_matched(script: BuilderScript | None, produced: list[_Produced], names: _Names) -> str:
    if script is not None:
        copied = ", ".join(posixpath.relpath(e.local, SCRIPT_DIR) for e in script.extractions)
        return (
            f"no COPY or ADD takes what {names.script} copies out of the build container "
            f"({copied}); pass {ARTIFACT_FLAG} to say which source is which build output"
        )
    made = ", ".join(p.path for p in produced) or "nothing recognised"
    return (
        f"no COPY or ADD source matches a file {names.build} produces (it makes: {made}); "
        f"pass --script SCRIPT (the script that copied it out) or {ARTIFACT_FLAG}"
    )


def _rewrite_runtime(
    runtime: Document,
    sources: Mapping[str, _Source],
    explicit: Mapping[str, str],
    produced: list[_Produced],
    by_name: bool,
    builder: str,
    offset: int,
    names: _Names,
    assumptions: list[str],
) -> tuple[dict[int, str], set[str]]:
    """Replacement text per runtime instruction start line, and the sources taken over.
    ``by_name``: match sources against ``produced`` by file name (there is no script)."""
    kinds = {p.path: p.kind for p in produced}
    replacements: dict[int, str] = {}
    used: set[str] = set()
    newline = runtime.newline
    for stage in runtime.stages:
        for ins in stage.instructions:
            shifted = _shift_stage_refs(ins, offset)
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None:
                if shifted is not None:
                    replacements[ins.start_line] = shifted
                continue
            words = _copy_words(ins)
            if words is None or len(words) < 2:
                continue
            *srcs, dest = words
            keep: list[str] = []
            mapped: list[tuple[str, str]] = []
            members: list[tuple[str, str | None, str | None]] = []
            for src in srcs:
                local = _context_path(src)
                if "://" in src or _GLOB.search(src) or "$" in src or local == ".":
                    keep.append(src)
                    continue
                found = _source_for(
                    local, src, ins, sources, explicit, produced if by_name else None, names
                )
                if found is None:
                    keep.append(src)
                    continue
                used.add(local)
                assumptions.extend(found.notes)
                if explicit.get(local) is None and by_name:
                    assumptions.append(
                        f"{names.runtime}:{ins.start_line}: assumed {src} is "
                        f"{found.builder_path}, made by {_at(names.build, found.made_at)} "
                        f"(matched by name, no --script); --artifact {local}=PATH says otherwise"
                    )
                if found.builder_path is not None:
                    target = _place(
                        ins,
                        src,
                        local,
                        found.builder_path,
                        dest,
                        len(srcs) > 1,
                        kinds,
                        local in explicit,
                        names,
                        assumptions,
                    )
                    mapped.append((found.builder_path, target))
                elif ins.keyword == "ADD":
                    members.extend(found.members)
                else:
                    raise MergeError(
                        f"COPY {src} copies the archive the script packs (not unpacked, as ADD "
                        "would); the merged file cannot make that archive: pass "
                        f"--artifact {local}=PATH for an archive the build image holds",
                        names.runtime,
                        ins.start_line,
                        flag="--artifact",
                    )
            if not mapped and not members:
                if shifted is not None:
                    replacements[ins.start_line] = shifted
                continue
            keep_first = bool(keep) and keep[0] == srcs[0]
            replacements[ins.start_line] = _replacement(
                ins, keep, mapped, members, dest, builder, newline, assumptions, names, keep_first
            )
    return replacements, used


def _source_for(
    local: str,
    src: str,
    ins: Instruction,
    sources: Mapping[str, _Source],
    explicit: Mapping[str, str],
    produced: list[_Produced] | None,
    names: _Names,
) -> _Source | None:
    if local in explicit:
        return _Source(builder_path=posixpath.normpath(explicit[local]))
    if produced is None:
        return sources.get(local)
    base = posixpath.basename(local)
    candidates = sorted({p.path for p in produced if posixpath.basename(p.path) == base})
    if len(candidates) > 1:
        raise MergeError(
            f"{ins.keyword} {src}: {names.build} produces more than one {base} "
            f"({', '.join(candidates)}); pass --artifact {local}=PATH to choose",
            names.runtime,
            ins.start_line,
            flag="--artifact",
        )
    if not candidates:
        return None
    line = min(p.line for p in produced if p.path == candidates[0])
    return _Source(builder_path=candidates[0], made_at=line)


def _place(
    ins: Instruction,
    src: str,
    local: str,
    path: str,
    dest: str,
    several: bool,
    kinds: Mapping[str, str],
    explicit: bool,
    names: _Names,
    assumptions: list[str],
) -> str:
    """The target of ``COPY --from=builder path`` standing in for context file ``local``."""
    where = f"{names.runtime}:{ins.start_line}"
    unpacks = ins.keyword == "ADD" and bool(_ARCHIVE.search(local))
    if unpacks and not explicit:
        raise MergeError(
            f"ADD {src} unpacks {path}, an archive the build image holds; COPY --from cannot "
            f"unpack: unpack it in the build Dockerfile and pass --artifact {local}=FOLDER",
            names.runtime,
            ins.start_line,
            flag="--artifact",
        )
    # With --artifact, an unpacked archive is the folder it unpacks to.
    kind = "directory" if unpacks else kinds.get(path, "unknown")
    target = _target(local, path, dest, several, kind)
    if target != dest and kind == "unknown":
        assumptions.append(
            f"{where}: assumed {path} is a file, so it lands at {target} as {src} did (a "
            f"folder's contents would go to {dest})"
        )
    elif target == dest and kind != "directory" and not _same_name(local, path):
        assumptions.append(
            f"{where}: assumed {dest} is not a folder of the image (the file is called "
            f"{posixpath.basename(path)} in the builder)"
        )
    return target


def _same_name(local: str, path: str) -> bool:
    return posixpath.basename(local) == posixpath.basename(path)


def _target(local: str, path: str, dest: str, several: bool, kind: str) -> str:
    """Where builder ``path`` goes so that it lands where context file ``local`` did."""
    if _same_name(local, path) or kind == "directory":
        return dest  # a folder's contents go into dest, whatever the folder is called
    if dest.endswith("/") or dest in (".", "./") or dest.endswith("/.") or several:
        return posixpath.join(dest, posixpath.basename(local))
    return dest


def _replacement(
    ins: Instruction,
    keep: list[str],
    mapped: list[tuple[str, str]],
    members: list[tuple[str, str | None, str | None]],
    dest: str,
    builder: str,
    newline: str,
    assumptions: list[str],
    names: _Names,
    keep_first: bool = False,
) -> str:
    """The COPY lines that replace ``ins``: sources from the context (in the order the first
    source had), from the builder stage, and an archive's members."""
    keyword = ins.raw.lstrip().split(None, 1)[0]
    copy_word = keyword if keyword.upper() == "COPY" else ("copy" if keyword.islower() else "COPY")
    flags = list(ins.flags)
    copy_flags = flags
    if ins.keyword == "ADD":
        copy_flags = [f for f in flags if f[2:].partition("=")[0].lower() not in _ADD_ONLY_FLAGS]
        if len(copy_flags) != len(flags):
            dropped = " ".join(f for f in flags if f not in copy_flags)
            assumptions.append(
                f"{names.runtime}:{ins.start_line}: {dropped} dropped: COPY --from has no such flag"
            )
    from_flag = f"--from={builder}"
    lines = [f"#{c.text and ' ' + c.text}" for c in ins.comments]
    copies = [_instruction(keyword, flags, [*keep, dest], ins.is_json)] if keep else []
    into_dest = [path for path, target in mapped if target == dest]
    if into_dest:
        line = _instruction(copy_word, [from_flag, *copy_flags], [*into_dest, dest], ins.is_json)
        copies.insert(len(copies) if keep_first else 0, line)
    lines.extend(copies)
    for path, target in mapped:
        if target != dest:
            words = [path, target]
            lines.append(_instruction(copy_word, [from_flag, *copy_flags], words, ins.is_json))
    for name, builder_path, context_path in members:
        target = posixpath.join(dest, name) if name != "." else dest
        if builder_path is not None:
            words = [builder_path, target]
            lines.append(_instruction(copy_word, [from_flag, *copy_flags], words, ins.is_json))
        else:
            assert context_path is not None
            lines.append(_instruction(copy_word, copy_flags, [context_path, target], ins.is_json))
    return newline.join(lines) + newline


def _instruction(keyword: str, flags: list[str], words: list[str], json_form: bool) -> str:
    head = " ".join([keyword, *flags])
    if json_form or any(ch.isspace() or ch in "'\"" for w in words for ch in w):
        return f"{head} {json.dumps(words)}"
    return f"{head} {' '.join(words)}"


_FROM_INDEX = re.compile(r"^(--from=)(\d+)$", re.I)
_MOUNT_FROM_INDEX = re.compile(r"((?:^|,)from=)(\d+)(?=,|$)", re.I)


def _shift_stage_refs(ins: Instruction, offset: int) -> str | None:
    """Text of ``ins`` with stage numbers in ``--from=N`` / ``--mount=...,from=N`` moved past the
    build file's stages; ``None`` when there are none."""
    if not offset or not ins.flags:
        return None
    changed = False
    flags = []
    for flag in ins.flags:
        new = flag
        match = _FROM_INDEX.match(flag)
        if match and ins.keyword in ("COPY", "ADD"):
            new = f"{match.group(1)}{int(match.group(2)) + offset}"
        elif flag.lower().startswith("--mount=") and ins.keyword == "RUN":
            new = "--mount=" + _MOUNT_FROM_INDEX.sub(
                lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", flag[len("--mount=") :]
            )
        changed |= new != flag
        flags.append(new)
    if not changed:
        return None
    raw = ins.raw
    for old, new in zip(ins.flags, flags, strict=True):
        if old != new:
            raw = raw.replace(old, new, 1)
    return raw
