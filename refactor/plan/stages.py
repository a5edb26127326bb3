"""Assembling the plan: the user's file as the builder stage (with its comments, split
chains and added steps), and the runtime stage's carried instructions."""

from __future__ import annotations

import json
import posixpath
import re
import shlex

from dockerslim_refactor import buildkit
from dockerslim_refactor.analysis import images as img
from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.facts import env_pairs
from dockerslim_refactor.analysis.model import Analysis, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import UNSURE
from dockerslim_refactor.document import Document, Instruction
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import probes
from dockerslim_refactor.plan.chains import split_chain
from dockerslim_refactor.plan.copies import runtime_copies, runtime_files
from dockerslim_refactor.plan.model import (
    CopyStep,
    PlanError,
    RuntimeBase,
    StagePlan,
    ensure_newline,
    escape_continuations,
)
from dockerslim_refactor.plan.runtime import choose_runtime
from dockerslim_refactor.plan.user import runtime_user

# Moved from the builder into the runtime stage: they describe the image, not the build.
MOVED = frozenset(
    {
        "CMD",
        "ENTRYPOINT",
        "EXPOSE",
        "LABEL",
        "MAINTAINER",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "VOLUME",
        "ONBUILD",
    }
)


# Kept in the builder and repeated in the runtime stage.
REPEATED = frozenset({"WORKDIR", "ENV", "SHELL"})


# After every copy and replayed step: the classic builder discards what a RUN writes under
# a VOLUME declared before it (a folder the build made and chown-ed).
LAST_IN_RUNTIME = ("VOLUME", "HEALTHCHECK", "ENTRYPOINT", "CMD")


# Environment that only steers a compiler; an ENV made only of these stays in the builder.
# Package-manager settings (NPM_CONFIG_*, PIP_*) are carried: `npm start` reads them at run time.
BUILD_ONLY_ENV = re.compile(
    r"^(CGO_ENABLED|CGO_[A-Z]+FLAGS|GO(OS|ARCH|ARM|AMD64|FLAGS|111MODULE|PROXY|PRIVATE|NOSUMDB|"
    r"CACHE|MODCACHE|TOOLCHAIN)|CC|CXX|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|CARGO_.*|"
    r"RUSTFLAGS|RUSTUP_.*|DEBIAN_FRONTEND)$"
)


def _chunks(document: Document, instructions: tuple[Instruction, ...], start_line: int):
    """Each instruction with the comment and blank lines between it and the one before."""
    previous_end = start_line
    for ins in instructions:
        leading = document.source(previous_end + 1, ins.start_line - 1)
        yield ins, leading, ins.raw
        previous_end = ins.end_line


def _close_continuation(raw: str, escape: str) -> str:
    """Drop an escape character left dangling at the end of the file (``RUN x \\`` as the
    last line, maybe followed by comment lines): in the rewrite, the line after it is no
    longer the end of the file."""
    lines = raw.splitlines(keepends=True)
    for index in range(len(lines) - 1, -1, -1):
        content = lines[index].strip()
        if not content or content.startswith("#"):
            continue
        body = lines[index].rstrip("\r\n")
        stripped = body.rstrip(" \t")
        if stripped.endswith(escape) and not stripped.endswith(escape * 2):
            ending = lines[index][len(body) :] or ("\n" if index < len(lines) - 1 else "")
            lines[index] = stripped[: -len(escape)].rstrip(" \t") + ending
        break
    return "".join(lines)


def build_plan(analysis: Analysis) -> StagePlan:
    document, facts, build, options = (
        analysis.document,
        analysis.facts,
        analysis.build,
        (analysis.options),
    )
    if build is None or analysis.leave_alone:
        raise PlanError(analysis.leave_alone or "nothing to rewrite")
    stage = facts.stage
    escape = document.escape
    name = stage.name or options.stage_name
    first = stage.from_instruction
    head = document.source(1, first.start_line - 1)
    builder_from = _named_from(first, name, stage.name is not None)

    body: list[str] = []
    carried: list[str] = []
    finale: list[str] = []
    workdirs: list[str] = []
    env_defs: list[tuple[str, set[str]]] = []
    changes: list[tuple[str, object]] = []
    last_user: Instruction | None = None
    steps_by_line = {s.instruction.start_line: s for s in facts.steps}
    instructions = list(stage.instructions)
    bind_next: list[str] = []
    uses_apt_cache = False
    after_line = max(build.lines) if build.lines else stage.end_line
    strip_steps = _strip_steps(facts, build, options, after_line)
    runtime, notes = choose_runtime(facts, build, options)
    received = runtime_files(facts, build, runtime, options, name)
    notes += received.notes
    if strip_steps and any(c.basename == "setcap" for s in facts.steps for c in s.script.commands):
        strip_steps = []  # strip drops file capabilities that setcap gave
    extra_steps = [escape_continuations(s, escape) for s in _wrapper_build(facts)]
    extra_steps += [escape_continuations(s, escape) for s in strip_steps]
    extra_steps += [escape_continuations(s, escape) for s in build.builder_steps]
    # The probes look at the finished builder: after every step, since a later COPY or cp
    # may still bring what the runtime stage copies (they need no root).
    probe_steps = [
        escape_continuations(s, escape) for s in (*build.final_steps, *received.builder_steps)
    ]
    carried_copies = runtime_copies(facts, build, after_line)
    for index, (ins, leading, raw) in enumerate(
        _chunks(document, stage.instructions, first.end_line)
    ):
        raw = ensure_newline(_close_continuation(raw, escape))
        if ins.start_line == build.marker_line:
            body.append(ensure_newline(escape_continuations(installed.marker_step(facts), escape)))
        if options.buildkit and ins.keyword == "COPY":
            following = instructions[index + 1] if index + 1 < len(instructions) else None
            files = buildkit.bindable_copy(ins, following, instructions[index + 2 :])
            if files:
                # The next RUN only reads these files and a later COPY brings them again.
                bind_next = buildkit.bind_flags(files)
                body.append(leading)
                continue
        if ins.keyword in MOVED:
            if facts.wrapper is not None and ins is facts.wrapper.instruction:
                raw = _wrapper_command(ins, facts.wrapper, document.newline)
                notes.append(
                    Finding(UNSURE, "info", ins.start_line, ins.end_line, facts.wrapper.note)
                )
                if facts.wrapper.shell_form:
                    changes.append((ins.keyword, " ".join(map(shlex.quote, facts.wrapper.argv))))
                else:
                    changes.append((ins.keyword, tuple(facts.wrapper.argv)))
            if runtime.program is not None and ins is _program_instruction(facts):
                own = (
                    facts.wrapper.argv
                    if facts.wrapper is not None and ins is facts.wrapper.instruction
                    else tuple(ins.json_args or ())
                )
                keyword, argv = _for_distroless(ins, own, runtime)
                if facts.wrapper is None or ins is not facts.wrapper.instruction:
                    raw = f"# Was: {ins.raw.splitlines()[0].strip()}{document.newline}"
                else:
                    raw = raw.split(document.newline, 1)[0] + document.newline
                raw += f"{keyword} {json.dumps(list(argv))}{document.newline}"
                changes = [c for c in changes if c[0] != ins.keyword]
                changes.append((ins.keyword, argv))
            kept = leading.lstrip("\r\n") + raw
            (finale if ins.keyword in LAST_IN_RUNTIME else carried).append(kept)
            continue
        if ins.keyword == "USER":
            last_user = ins
        if ins in carried_copies and not installed.emulator_copy(ins):
            # A file the program reads at run time (a config, assets): the same COPY again.
            carried.append(leading.lstrip("\r\n") + raw)
        text = raw
        if ins.keyword == "RUN" and options.split_chains:
            step = steps_by_line.get(ins.start_line)
            pieces = split_chain(ins, step.script if step else None)
            if pieces:
                text = "".join(ensure_newline(p) for p in pieces)
        if options.buildkit and ins.keyword == "RUN":
            step = steps_by_line.get(ins.start_line)
            kinds = buildkit.managers(step) if step else []
            uses_apt_cache = uses_apt_cache or "apt" in kinds
            text = buildkit.with_flags(text, buildkit.cache_flags(kinds) + bind_next)
            bind_next = []
        body.append(leading + text)
        if ins.start_line <= after_line <= ins.end_line and extra_steps:
            # Right after the build, before a later USER could take away root.
            body.append("".join(ensure_newline(s) for s in extra_steps))
            extra_steps = []
        if ins.keyword == "WORKDIR":
            if ins.value.strip().strip("\"'").startswith("/"):
                workdirs = []
            workdirs.append(raw)
        elif ins.keyword in REPEATED and _runtime_relevant(ins):
            carried.append(raw)
            if ins.keyword == "ENV":
                env_defs.append((raw, {k for k, _ in env_pairs(ins)}))
    if extra_steps:
        body.append("".join(ensure_newline(s) for s in extra_steps))
    if probe_steps:
        if facts.user is not None and facts.user.split(":")[0] not in {"root", "0"}:
            # What the builder finds out must see every file, whoever the build ran as.
            probe_steps.insert(0, "# The steps below read every file: they run as root.\nUSER root")
        body.append("".join(ensure_newline(s) for s in probe_steps))
    # Only the WORKDIRs from the last absolute one on decide the final folder.
    if not workdirs and facts.workdir != "/":
        # The builder image's own WORKDIR (golang's /go): the program ran there, and relative
        # paths in its command or its code mean that folder.
        workdirs = [f"WORKDIR {facts.workdir}{document.newline}"]
    # `WORKDIR $APP_ROOT` needs the ENV that defines APP_ROOT before it.
    used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", "".join(workdirs)))
    first = [raw for raw, keys in env_defs if keys & used]
    carried = first + workdirs + [c for c in carried if c not in first]
    carried = _with_used_args(stage.instructions, carried)
    tail = document.source(stage.end_line + 1, len(document.lines))

    setup, copies = received.setup, received.copies
    # The emulator of a multi-arch build first, before any RUN of the runtime stage too.
    emulators = [ins.raw for ins in stage.instructions if installed.emulator_copy(ins)]
    setup = [*(ensure_newline(e).rstrip("\r\n") for e in emulators), *setup]
    user_line, user_setup, user_copies, user_note = runtime_user(facts, runtime, last_user, options)
    if user_line is None and last_user is not None:
        user_line = last_user.raw.rstrip("\r\n")
    copies += user_copies
    setup += user_setup
    if user_note:
        notes.append(user_note)
    prelude = tuple(
        escape_continuations(p, escape) for p in (*build.builder_prelude, *received.builder_prelude)
    ) + tuple(f"ENV {k}={_quote_env(v)}" for k, v in build.builder_env)
    if options.buildkit:
        if document.directive("syntax") is None:
            head = buildkit.SYNTAX + document.newline + head
        if uses_apt_cache:
            prelude = (escape_continuations(buildkit.APT_KEEP, escape), *prelude)
    options.check_stage_name(name)
    return StagePlan(
        head=head,
        builder_from=builder_from,
        builder_name=name,
        builder_prelude=prelude,
        builder_body="".join(body),
        runtime=runtime,
        runtime_setup=tuple(
            escape_continuations(_linked(s) if options.buildkit else s, escape) for s in setup
        ),
        carried=tuple(carried),
        runtime_env=(
            *_build_env(build, runtime),
            *received.env,
            *_path_env(facts, build, runtime, copies),
        ),
        copies=tuple(copies),
        after_copies=tuple(escape_continuations(s, escape) for s in received.after_copies),
        user=user_line,
        finale=tuple(finale),
        tail=tail,
        build=build,
        escape=escape,
        notes=tuple(notes),
        command_changes=tuple(changes),
        copy_flags="--link " if options.buildkit else "",
        test_stage=options.test_stage,
        debug_stage=options.debug_stage,
    )


def _build_env(build: BuildInfo, runtime: RuntimeBase) -> tuple[tuple[str, str], ...]:
    """The build's environment for the runtime stage; on distroless Python, without the
    virtual environment's (its packages are where Debian's Python finds them)."""
    if runtime.family != "distroless-python":
        return build.runtime_env
    return tuple((k, v) for k, v in build.runtime_env if k not in {"VIRTUAL_ENV", "PATH"})


def _linked(step: str) -> str:
    """``COPY --from`` lines of a setup step with ``--link``, like the runtime's copies."""
    return re.sub(r"(?m)^COPY --from=", "COPY --link --from=", step)


def _program_instruction(facts: StageFacts) -> Instruction | None:
    """The CMD or ENTRYPOINT that holds the interpreter (checked by the runtime choice)."""
    if facts.wrapper is not None:
        return facts.wrapper.instruction
    return facts.entrypoint if facts.entrypoint is not None else facts.cmd


def _for_distroless(
    ins: Instruction, argv: tuple[str, ...], runtime: RuntimeBase
) -> tuple[str, tuple[str, ...]]:
    """The command with the interpreter named by its path in the runtime (distroless Node.js
    does not have ``node`` on its PATH); a CMD that runs what the image's ENTRYPOINT already
    runs keeps only its arguments: ``CMD ["node", "server.js"]`` becomes ``CMD
    ["server.js"]`` on distroless Node.js, ``CMD ["java", "-jar", "app.jar"]`` becomes
    ``CMD ["app.jar"]`` on distroless Java."""
    assert runtime.program is not None
    keyword = ins.raw.lstrip().split(None, 1)[0]
    own = (runtime.program, *(("-m", runtime.module) if runtime.module else ()), *argv[1:])
    start = runtime.entrypoint
    if ins.keyword == "CMD" and start and own[: len(start)] == start:
        return keyword, own[len(start) :]
    return keyword, own


def _wrapper_build(facts: StageFacts) -> list[str]:
    """The build that a ``cargo run`` command did when the container started, in the builder;
    none when the file already runs the same command."""
    wrapper = facts.wrapper
    if wrapper is None or wrapper.build is None:
        return []
    import shlex

    # `cargo build --release` already built every binary, the one `--bin` names too.
    name = shlex.quote(posixpath.basename(wrapper.argv[0]))
    same = {wrapper.build, wrapper.build.removesuffix(f" --bin {name}")}
    for step in facts.steps:
        for cmd in step.script.commands:
            if shlex.join([cmd.name, *cmd.args]) in same:
                return []
    return [
        f"# '{wrapper.was}' built the program at start-up; it is built here.\nRUN {wrapper.build}"
    ]


def _wrapper_command(ins: Instruction, wrapper, newline: str) -> str:
    """The CMD or ENTRYPOINT that runs the built program, in the original's form."""
    import json
    import shlex

    keyword = ins.raw.lstrip().split(None, 1)[0]
    if wrapper.shell_form:
        value = " ".join(shlex.quote(w) for w in wrapper.argv)
    else:
        value = json.dumps(list(wrapper.argv))
    return f"# Was: {keyword} {wrapper.was}{newline}{keyword} {value}{newline}"


def _strip_steps(
    facts: StageFacts, build: BuildInfo, options: Options, after_line: int
) -> list[str]:
    """Symbols and debug info are not needed to run a native program; the glibc toolchain
    images (golang, rust, gcc) ship binutils' strip. It runs right after the build, on the
    binaries that exist by then: a later `cp hello /` copies the stripped file."""
    if not options.strip or build.linkage == "interpreter" or options.artifacts:
        return []
    if facts.info.libc != "glibc" or not facts.info.is_toolchain:
        return []
    binaries = [
        a.path
        for a in build.artifacts
        # A staged copy (/tmp/dslim/...) is made by a final step, after this one.
        if a.kind == "binary"
        and a.line <= after_line
        and not a.path.startswith(probes.PROBE_DIR + "/")
    ]
    if not binaries:
        return []
    return ["# Symbols are not needed at run time.\nRUN strip " + " ".join(binaries)]


def _quote_env(value: str) -> str:
    return f'"{value}"' if re.search(r"\s", value) else value


def _named_from(ins: Instruction, name: str, named: bool) -> str:
    line = ins.raw.rstrip("\r\n")
    if named:
        return line  # FROM image AS name, as written (the name may sit on a continuation line)
    word = "as" if line.lstrip()[:4] == "from" else "AS"
    return f"{line.rstrip()} {word} {name}"


def _runtime_relevant(ins: Instruction) -> bool:
    if ins.keyword != "ENV":
        return True
    return any(not BUILD_ONLY_ENV.match(k) for k, _ in env_pairs(ins))


def _with_used_args(instructions: tuple[Instruction, ...], carried: list[str]) -> list[str]:
    """Repeat the ARGs that carried instructions refer to (``LABEL version=$VERSION``)."""
    text = "".join(carried)
    args = []
    for ins in instructions:
        if ins.keyword != "ARG":
            continue
        name = ins.value.split("=", 1)[0].strip()
        if re.search(r"\$\{?" + re.escape(name) + r"\b", text):
            args.append(ensure_newline(ins.raw))
    return args + carried


def _path_env(
    facts: StageFacts, build: BuildInfo, runtime: RuntimeBase, copies: list[CopyStep]
) -> tuple[tuple[str, str], ...]:
    """``PATH`` for a runtime on another image than the builder's, when a program is copied
    into a folder that only the builder's image has on its PATH (``/go/bin`` of the golang
    images): ``docker exec CONTAINER tool`` and scripts find it by name as before."""
    if runtime.family not in {"alpine", "busybox", "scratch", "distroless", "slim"}:
        return ()
    if any(key == "PATH" for key, _ in build.runtime_env):
        return ()
    builder_path = [d for d in facts.env.get("PATH", "").split(":") if d]
    default = img.DEFAULT_PATH.split(":")
    folders = {posixpath.dirname(c.dest) for c in copies if not c.dest.endswith("/")}
    extra = [d for d in builder_path if d in folders and d not in default]
    return (("PATH", ":".join([*extra, *default])),) if extra else ()
