"""The stage plan: the builder stage (the user's build steps, in order, with their comments),
the runtime base that can run the program, what to copy into it and what to carry over."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from refactor import buildkit
from refactor.analysis import Analysis
from refactor.analysis import images as img
from refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from refactor.analysis.packages import cache_cleanups, index_updates
from refactor.analysis.program import SYSTEM_FOLDERS
from refactor.document import Document, Instruction
from refactor.options import Options
from refactor.shell import ShellScript, parse_shell

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
LAST_IN_RUNTIME = ("HEALTHCHECK", "ENTRYPOINT", "CMD")

# Environment that only steers a compiler; an ENV made only of these stays in the builder.
# Package-manager settings (NPM_CONFIG_*, PIP_*) are carried: `npm start` reads them at run time.
BUILD_ONLY_ENV = re.compile(
    r"^(CGO_ENABLED|CGO_[A-Z]+FLAGS|GO(OS|ARCH|ARM|AMD64|FLAGS|111MODULE|PROXY|PRIVATE|NOSUMDB|"
    r"CACHE|MODCACHE|TOOLCHAIN)|CC|CXX|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|CARGO_.*|"
    r"RUSTFLAGS|RUSTUP_.*|DEBIAN_FRONTEND)$"
)
# Commands that change the shell state seen by the commands after them.
STATEFUL = frozenset(
    {"cd", "export", "set", "source", ".", "umask", "ulimit", "pushd", "popd", "shopt", "alias"}
)
SHELL_BUILTINS = frozenset(
    {
        "exec",
        "echo",
        "test",
        "[",
        "true",
        "false",
        "cd",
        "export",
        "set",
        "trap",
        "sleep",
        "kill",
        "printf",
        "exit",
        "wait",
        "read",
        "eval",
        "env",
        "sh",
        "cat",
    }
)
NON_ROOT = "65534:65534"


@dataclass(frozen=True)
class RuntimeBase:
    image: str
    family: str
    """``alpine``, ``busybox``, ``scratch``, ``distroless``, ``slim``, ``interpreter`` or
    ``custom``."""
    has_shell: bool
    reason: str


@dataclass(frozen=True)
class CopyStep:
    source: str
    dest: str


@dataclass(frozen=True)
class StagePlan:
    head: str
    """Parser directives, global ARGs and comments before the first FROM, as written."""
    builder_from: str
    builder_name: str
    builder_prelude: tuple[str, ...]
    builder_body: str
    runtime: RuntimeBase
    runtime_setup: tuple[str, ...]
    carried: tuple[str, ...]
    runtime_env: tuple[tuple[str, str], ...]
    copies: tuple[CopyStep, ...]
    user: str | None
    """The runtime stage's USER line: the original's last non-root USER, or an added
    non-root one (unless --keep-root)."""
    finale: tuple[str, ...]
    """HEALTHCHECK / ENTRYPOINT / CMD, as written, in their original order."""
    copy_flags: str
    """Flags for the runtime stage's ``COPY --from`` lines (``--link `` with --buildkit)."""
    test_stage: str | None
    debug_stage: bool
    tail: str
    build: BuildInfo
    escape: str
    notes: tuple[Finding, ...]


class PlanError(Exception):
    """The rewrite would not give a working image; the message says why."""


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


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


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
    last_user: Instruction | None = None
    steps_by_line = {s.instruction.start_line: s for s in facts.steps}
    instructions = list(stage.instructions)
    bind_next: list[str] = []
    uses_apt_cache = False
    extra_steps = [_escape(s, escape) for s in _strip_steps(facts, build, options)]
    extra_steps += [_escape(s, escape) for s in build.builder_steps]
    after_line = max(build.lines) if build.lines else stage.end_line
    runtime_copies = _runtime_copies(facts, build, after_line)
    for index, (ins, leading, raw) in enumerate(
        _chunks(document, stage.instructions, first.end_line)
    ):
        raw = _ensure_newline(_close_continuation(raw, escape))
        if options.buildkit and ins.keyword == "COPY":
            following = instructions[index + 1] if index + 1 < len(instructions) else None
            files = buildkit.bindable_copy(ins, following, instructions[index + 2 :])
            if files:
                # The next RUN only reads these files and a later COPY brings them again.
                bind_next = buildkit.bind_flags(files)
                body.append(leading)
                continue
        if ins.keyword in MOVED:
            kept = leading.lstrip("\r\n") + raw
            (finale if ins.keyword in LAST_IN_RUNTIME else carried).append(kept)
            continue
        if ins.keyword == "USER":
            last_user = ins
        if ins in runtime_copies:
            # A file the program reads at run time (a config, assets): the same COPY again.
            carried.append(leading.lstrip("\r\n") + raw)
        text = raw
        if ins.keyword == "RUN" and options.split_chains:
            step = steps_by_line.get(ins.start_line)
            pieces = split_chain(ins, step.script if step else None)
            if pieces:
                text = "".join(_ensure_newline(p) for p in pieces)
        if options.buildkit and ins.keyword == "RUN":
            step = steps_by_line.get(ins.start_line)
            kinds = buildkit.managers(step) if step else []
            uses_apt_cache = uses_apt_cache or "apt" in kinds
            text = buildkit.with_flags(text, buildkit.cache_flags(kinds) + bind_next)
            bind_next = []
        body.append(leading + text)
        if ins.start_line <= after_line <= ins.end_line and extra_steps:
            # Right after the build, before a later USER could take away root.
            body.append("".join(_ensure_newline(s) for s in extra_steps))
            extra_steps = []
        if ins.keyword == "WORKDIR":
            if ins.value.strip().strip("\"'").startswith("/"):
                workdirs = []
            workdirs.append(raw)
        elif ins.keyword in REPEATED and _runtime_relevant(ins):
            carried.append(raw)
    if extra_steps:
        body.append("".join(_ensure_newline(s) for s in extra_steps))
    # Only the WORKDIRs from the last absolute one on decide the final folder.
    carried = workdirs + carried
    carried = _with_used_args(stage.instructions, carried)
    tail = document.source(stage.end_line + 1, len(document.lines))

    runtime, notes = choose_runtime(facts, build, options)
    setup, copies = _runtime_files(facts, build, runtime, options)
    user_line, user_setup, user_copies, user_note = _user(facts, runtime, last_user, options)
    if user_line is None and last_user is not None:
        user_line = last_user.raw.rstrip("\r\n")
    copies += user_copies
    setup += user_setup
    if user_note:
        notes.append(user_note)
    prelude = build.builder_prelude + tuple(
        f"ENV {k}={_quote_env(v)}" for k, v in build.builder_env
    )
    if options.buildkit:
        if document.directive("syntax") is None:
            head = buildkit.SYNTAX + document.newline + head
        if uses_apt_cache:
            prelude = (_escape(buildkit.APT_KEEP, escape), *prelude)
    options.check_stage_name(name)
    return StagePlan(
        head=head,
        builder_from=builder_from,
        builder_name=name,
        builder_prelude=prelude,
        builder_body="".join(body),
        runtime=runtime,
        runtime_setup=tuple(_escape(s, escape) for s in setup),
        carried=tuple(carried),
        runtime_env=build.runtime_env,
        copies=tuple(copies),
        user=user_line,
        finale=tuple(finale),
        tail=tail,
        build=build,
        escape=escape,
        notes=tuple(notes),
        copy_flags="--link " if options.buildkit else "",
        test_stage=options.test_stage,
        debug_stage=options.debug_stage,
    )


def _runtime_copies(facts: StageFacts, build: BuildInfo, after_line: int) -> set[Instruction]:
    """COPY/ADD of build-context files the runtime needs besides the artifacts: those after
    the last build step (nothing builds from them), and those the command names by path
    (a config, an entrypoint script). Nothing that an artifact already brings."""
    built = {a.path for a in build.artifacts} | {a.dest for a in build.artifacts}
    named = {facts.resolve(a) for a in facts.program if a.startswith(("/", "./"))} - built
    whole_app = build.ecosystem in {"node", "python"}
    found: set[Instruction] = set()
    workdir = "/"
    for ins in facts.stage.instructions:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value.strip().strip("\"'")))
        if ins.keyword not in {"COPY", "ADD"} or ins.flag("from") is not None:
            continue
        words = list(ins.json_args) if ins.json_args is not None else ins.words
        if not words:
            continue
        dest = facts.resolve(words[-1], workdir)
        remote = any("://" in w for w in words[:-1])
        if remote:
            continue  # never ADD from the network in the runtime stage
        if whole_app and not ins.heredocs and dest not in SYSTEM_FOLDERS:
            continue  # inside the application folder the runtime stage copies whole
        if any(dest == a or dest.startswith(a.rstrip("/") + "/") for a in built):
            continue
        into_folder = words[-1].endswith("/") and dest != workdir
        if (
            ins.start_line > after_line
            or whole_app
            or any(
                n == dest or (into_folder and n.startswith(dest.rstrip("/") + "/")) for n in named
            )
        ):
            found.add(ins)
    return found


def _strip_steps(facts: StageFacts, build: BuildInfo, options: Options) -> list[str]:
    """Symbols and debug info are not needed to run a native program; the glibc toolchain
    images (golang, rust, gcc) ship binutils' strip."""
    if not options.strip or build.linkage == "interpreter" or options.artifacts:
        return []
    if facts.info.libc != "glibc" or not facts.info.is_toolchain:
        return []
    binaries = [a.path for a in build.artifacts if a.kind == "binary"]
    if not binaries:
        return []
    return ["# Symbols are not needed at run time.\nRUN strip " + " ".join(binaries)]


def _escape(text: str, escape: str) -> str:
    return text.replace(" \\\n", f" {escape}\n") if escape != "\\" else text


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
    from refactor.analysis.facts import env_pairs

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
            args.append(_ensure_newline(ins.raw))
    return args + carried


# -- && chains ------------------------------------------------------------------------------


def split_chain(ins: Instruction, script: ShellScript | None) -> list[str] | None:
    """Split a shell-form ``a && b && c`` RUN into one RUN per command. Commands that change
    the shell's state (``cd``, ``export``, package index updates) stay joined to the command
    after them; cleanups that only served layer size are dropped. ``None`` when the RUN is
    not a plain chain (``||``, ``;``, comments, heredocs, exec form, broken shell)."""
    if script is None or ins.is_json or ins.heredocs or ins.comments or script.has_errors:
        return None
    if not script.is_and_chain:
        return None
    text = ins.value
    if script.text != text:
        script = parse_shell(text, None)
        if not script.is_and_chain or script.has_errors:
            return None
    updates = {c.start for c in index_updates(script)}
    cleanups = {c.start for c in cache_cleanups(script)}
    groups: list[list[str]] = []
    pending: list[str] = []
    stateful = False
    only_state = True  # the pending group changes state and does nothing else
    for segment in script.segments:
        commands = [c for c in script.commands if segment.start <= c.start < segment.end]
        if commands and all(c.start in cleanups for c in commands):
            continue
        pending.append(_collapse(segment.text))
        first = commands[0] if commands else None
        # cd, export or an assignment change what every later command sees: from there on
        # the chain stays one RUN. An index update only needs the install right after it.
        changes_state = first is not None and (first.basename in STATEFUL or first.name == "")
        stateful = stateful or changes_state
        only_state = only_state and changes_state
        if not stateful and not (first is not None and first.start in updates):
            groups.append(pending)
            pending, only_state = [], True
    if pending and groups and only_state:
        groups[-1].extend(pending)  # a trailing cd or export has no command to serve
    elif pending:
        groups.append(pending)
    if len(groups) < 2:
        return None
    keyword = ins.raw.lstrip()[:3]
    flags = "".join(f + " " for f in ins.flags)
    return [f"{keyword} {flags}{' && '.join(group)}" for group in groups]


def _collapse(text: str) -> str:
    """Fold runs of blanks outside quotes (left by joined continuation lines)."""
    out: list[str] = []
    quote = ""
    previous_space = False
    escaped = False
    for ch in text:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\" and quote != "'":
            out.append(ch)
            escaped = True
            continue
        if quote:
            out.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        if ch in " \t":
            if previous_space:
                continue
            previous_space = True
            out.append(" ")
            continue
        previous_space = False
        out.append(ch)
    return "".join(out).strip()


# -- the runtime base -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeNeeds:
    shell: bool
    tools: tuple[str, ...]
    packages: tuple[str, ...]
    ca: bool


def runtime_needs(facts: StageFacts, build: BuildInfo) -> RuntimeNeeds:
    shell = False
    tools: list[str] = []
    programs = {posixpath.basename(a.dest) for a in build.artifacts}
    for keyword in ("ENTRYPOINT", "CMD", "HEALTHCHECK"):
        ins = facts.stage.last(keyword)
        if ins is None:
            continue
        if keyword == "ENTRYPOINT" and ins is not facts.entrypoint:
            continue
        if keyword == "HEALTHCHECK":
            words = ins.value.split(None, 1)
            if not words or words[0].upper() == "NONE":
                continue
            rest = words[1] if len(words) > 1 else ""
            inner = rest.strip()
            if inner.startswith("["):
                import json

                try:
                    argv = json.loads(inner)
                except ValueError:
                    argv = []
                if argv and isinstance(argv, list):
                    tools.append(posixpath.basename(str(argv[0])))
                continue
            shell = True
            script = parse_shell(inner, None)
        elif ins.is_json:
            argv = ins.json_args or ()
            if argv and posixpath.basename(argv[0]) in {"sh", "bash", "ash"}:
                shell = True
                tools.append(posixpath.basename(argv[0]))
                if len(argv) > 2 and argv[1] == "-c":
                    script = parse_shell(argv[2], None)
                    tools.extend(c.basename for c in script.commands)
            continue
        else:
            shell = True
            script = parse_shell(ins.value, None)
        tools.extend(c.basename for c in script.commands)
    exe = facts.executable or ""
    if exe.endswith(".sh"):
        shell = True
    wanted = tuple(
        dict.fromkeys(
            t
            for t in tools
            if t and t not in SHELL_BUILTINS and t not in programs and t != posixpath.basename(exe)
        )
    )
    return RuntimeNeeds(shell, wanted, build.runtime_packages, build.needs_ca_certificates)


def _with_extra_packages(needs: RuntimeNeeds, options: Options) -> RuntimeNeeds:
    packages = tuple(dict.fromkeys(needs.packages + options.runtime_packages))
    return RuntimeNeeds(needs.shell, needs.tools, packages, needs.ca)


# What each family offers: a shell, tools it has or can install, OS packages.
_FAMILY_TOOLS = {
    "alpine": {"sh", "ash", "wget", "nc", "curl", "bash"},
    "busybox": {"sh", "ash", "wget", "nc"},
    "scratch": set(),
    "distroless": set(),
    "slim": {"sh", "bash", "curl", "wget"},
}
_INSTALLABLE = {"alpine": {"curl", "bash"}, "slim": {"curl", "wget"}}


def _note(line: int, message: str, *, flag: str) -> Finding:
    """A DSR100 note: what the planner decided on its own, and the flag that overrides it."""
    return Finding("DSR100", "info", line, line, message, flag=flag)


def _fits(family: str, needs: RuntimeNeeds, linkage: str) -> str | None:
    """Why ``family`` cannot run the program, or ``None`` when it can."""
    if linkage == "glibc" and family in {"alpine", "busybox", "scratch"}:
        return f"the program links glibc, which {family} does not have"
    if linkage == "musl" and family != "alpine":
        return "the program links musl dynamically; only alpine has it"
    if needs.shell and family in {"scratch", "distroless"}:
        return f"the image's command needs /bin/sh, which {family} does not have"
    missing = [t for t in needs.tools if t not in _FAMILY_TOOLS[family]]
    if missing:
        return f"the image's command uses {', '.join(missing)}, which {family} does not have"
    if needs.packages and family != "slim":
        return f"the program needs {', '.join(needs.packages)}, installable only on Debian"
    return None


_FALLBACKS = {
    "auto": ("alpine", "distroless", "slim"),
    "alpine": ("alpine", "slim"),
    "busybox": ("busybox", "alpine", "slim"),
    "scratch": ("scratch", "busybox", "alpine", "slim"),
    "distroless": ("distroless", "busybox", "alpine", "slim"),
    "slim": ("slim",),
}
_GLIBC_FALLBACKS = {
    "auto": ("distroless", "slim"),
    "slim": ("slim",),
}


def choose_runtime(
    facts: StageFacts, build: BuildInfo, options: Options
) -> tuple[RuntimeBase, list[Finding]]:
    needs = _with_extra_packages(runtime_needs(facts, build), options)
    line = facts.stage.from_instruction.start_line
    notes: list[Finding] = []
    if options.runtime_image:
        ref = img.parse_image(options.runtime_image)
        info = img.base_image_info(ref)
        family = "custom"
        return (
            RuntimeBase(
                options.runtime_image, family, info.has_shell, "named with --runtime-image"
            ),
            notes,
        )
    if build.linkage == "interpreter":
        assert build.runtime_image is not None
        reason = f"the same interpreter as {facts.image.text}, without its build tools"
        if options.runtime not in {"auto", "slim"}:
            notes.append(
                _note(
                    line,
                    f"--runtime {options.runtime} applies to native programs; an interpreted "
                    f"program keeps its interpreter image ({build.runtime_image})",
                    flag="--runtime-image",
                )
            )
        return RuntimeBase(build.runtime_image, "interpreter", True, reason), notes
    if build.linkage == "musl":
        version = next((w[6:] for w in facts.image.variant_words if w.startswith("alpine")), "")
        image = f"alpine:{version}" if re.fullmatch(r"\d+\.\d+", version) else img.ALPINE
        if options.runtime not in {"auto", "alpine"}:
            notes.append(
                _note(
                    line,
                    f"runtime {image} instead of {options.runtime}: the program links musl "
                    "dynamically, which only alpine has",
                    flag="--runtime",
                )
            )
        return RuntimeBase(image, "alpine", True, "the program links musl, like its builder"), notes
    if build.linkage == "glibc":
        order = _GLIBC_FALLBACKS.get(options.runtime, ("distroless", "slim"))
        if facts.image.repository == "ubuntu":
            order = ("slim",)  # the builder's own release: its glibc is what the program needs
        codename, named = img.builder_codename(facts.image)
        if not named and facts.image.repository != "ubuntu":
            notes.append(
                _note(
                    line,
                    f"assumed {facts.image.text} is built on Debian {codename}: the runtime "
                    "keeps the same glibc. If the builder is on a newer release, pass "
                    "--runtime-image (e.g. debian:trixie-slim)",
                    flag="--runtime-image",
                )
            )
    else:
        order = _FALLBACKS[options.runtime]
    refused: list[str] = []
    if options.runtime not in order and options.runtime != "auto":
        refused.append(f"{options.runtime}: {_fits(options.runtime, needs, build.linkage)}")
    for family in order:
        why = _fits(family, needs, build.linkage)
        if why is None:
            image = _image_for(family, facts, build)
            reason = f"{'static' if build.linkage == 'static' else 'glibc-linked'} program"
            if refused:
                first_refusal = refused[0].split(": ", 1)[1]
                notes.append(
                    _note(
                        line,
                        f"runtime {image} instead of {options.runtime}: {first_refusal}",
                        flag="--runtime",
                    )
                )
            return (
                RuntimeBase(image, family, family not in {"scratch", "distroless"}, reason),
                notes,
            )
        refused.append(f"{family}: {why}")
    raise PlanError("no runtime base can run the program: " + "; ".join(refused))


def _image_for(family: str, facts: StageFacts, build: BuildInfo) -> str:
    codename, _ = img.builder_codename(facts.image)
    if facts.image.repository == "ubuntu" and family == "slim":
        return facts.image.text  # the same release: its glibc is what the program needs
    release = {"bullseye": "11", "bookworm": "12", "trixie": "13"}.get(codename, "12")
    if family == "alpine":
        return img.ALPINE
    if family == "busybox":
        return img.BUSYBOX
    if family == "scratch":
        return img.SCRATCH
    if family == "distroless":
        kind = "static" if build.linkage == "static" else "cc"
        return f"gcr.io/distroless/{kind}-debian{release}"
    return img.debian_slim(codename)


def _entrypoint_from_context(
    facts: StageFacts, build: BuildInfo, copies: list[CopyStep]
) -> str | None:
    """The script a JVM or .NET image starts (``ENTRYPOINT ["/src/entrypoint.sh"]``) when it
    came in with the build context (``COPY . .``) and nothing else brings it: the original
    image ran it, so it exists in the builder."""
    exe = facts.executable
    if build.ecosystem not in {"java", "dotnet"} or not exe or "/" not in exe:
        return None
    path = facts.resolve(exe)
    if any(path == c.dest or path.startswith(c.dest.rstrip("/") + "/") for c in copies):
        return None
    workdir = "/"
    for ins in facts.stage.instructions:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value.strip().strip("\"'")))
        if ins.keyword in {"COPY", "ADD"} and ins.flag("from") is None and ins.words:
            dest = facts.resolve(ins.words[-1], workdir)
            if path == dest or path.startswith(dest.rstrip("/") + "/"):
                return path
    return None


def _runtime_files(
    facts: StageFacts, build: BuildInfo, runtime: RuntimeBase, options: Options
) -> tuple[list[str], list[CopyStep]]:
    setup: list[str] = []
    copies: list[CopyStep] = []
    needs = _with_extra_packages(runtime_needs(facts, build), options)
    family = runtime.family
    tools = [t for t in needs.tools if t in _INSTALLABLE.get(family, set())]
    if family == "alpine":
        packages = (["ca-certificates"] if needs.ca else []) + tools
        if packages:
            setup.append(f"RUN apk --no-cache add {' '.join(packages)}")
    elif family in {"slim", "interpreter", "custom"} and runtime.has_shell:
        packages = list(needs.packages) + (tools if family == "slim" else [])
        if needs.ca and family == "slim":
            packages.append("ca-certificates")
        if packages:
            setup.append(
                "RUN apt-get update \\\n"
                f"    && apt-get install -y --no-install-recommends {' '.join(packages)} \\\n"
                "    && rm -rf /var/lib/apt/lists/*"
            )
    elif needs.ca and family in {"busybox", "scratch"}:
        copies.append(
            CopyStep("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt")
        )
    for art in build.artifacts:
        copies.append(CopyStep(art.path, art.dest))
    script = _entrypoint_from_context(facts, build, copies)
    if script:
        copies.append(CopyStep(script, script))
    for text in options.keep:
        src, sep, dest = text.partition(":")
        copies.append(CopyStep(facts.resolve(src), facts.resolve(dest if sep else src)))
    return setup, copies


def _user(
    facts: StageFacts, runtime: RuntimeBase, last_user: Instruction | None, options: Options
) -> tuple[str | None, list[str], list[CopyStep], Finding | None]:
    """The USER of the runtime stage: the original's when it set a non-root one (recreating it
    where the runtime base lacks it), else a non-root one unless --keep-root."""
    user = facts.user
    root = user is None or user.split(":")[0] in {"root", "0"}
    line = last_user.start_line if last_user else facts.stage.from_instruction.start_line
    if root and last_user is not None:
        return None, [], [], None  # the original asked for root: its USER is carried as is
    if root:
        if options.keep_root:
            return None, [], [], None
        if runtime.family == "interpreter" and facts.image.name == "node":
            who, note = "node", "the node images' unprivileged user"
        else:
            who, note = NON_ROOT, "nobody"
        finding = Finding(
            "DSR104",
            "info",
            line,
            line,
            f"the runtime stage runs as {who} ({note}) instead of root; if the program writes "
            "into its folders, give it a writable one or pass --keep-root",
            flag="--keep-root",
        )
        return f"USER {who}", [], [], finding
    name = user.split(":")[0]
    if name.isdigit():
        return None, [], [], None
    created = _user_creation(facts, name)
    if not created:
        return None, [], [], None  # a user of the base image (node, nobody): same family
    if runtime.family in {"slim", "interpreter", "custom"} and runtime.has_shell:
        return None, [f"RUN {' && '.join(created)}"], [], None
    return (
        None,
        [],
        [CopyStep("/etc/passwd", "/etc/passwd"), CopyStep("/etc/group", "/etc/group")],
        None,
    )


def _user_creation(facts: StageFacts, name: str) -> list[str]:
    commands = []
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename in {"useradd", "adduser", "groupadd", "addgroup"}:
                commands.append(cmd.text)
    return commands if any(name in c for c in commands) else []


def artifact_summary(artifacts: tuple[Artifact, ...]) -> str:
    return ", ".join(a.path for a in artifacts)
