"""What the runtime stage receives: the artifacts, context files the program reads, and the
OS packages it installs."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dockerslim_refactor.analysis.images import DEFAULT_PATH
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import (
    BASE_FOLDERS,
    RUN_TOOL_PACKAGES,
    SYSTEM_FOLDERS,
    app_folder,
    context_destinations,
)
from dockerslim_refactor.document import Instruction
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import probes
from dockerslim_refactor.plan.model import CopyStep, PlanError, RuntimeBase, note
from dockerslim_refactor.plan.runtime import (
    _INSTALLABLE,
    DISTROLESS_PYTHON_PACKAGES,
    DISTROLESS_PYTHON_VERSION,
    JLINKED_JAVA,
    runtime_needs,
    with_extra_packages,
)

QUOTED_ARGS = '"$@"'
# Where glibc's compiled locales live (locale-gen, localedef).
LOCALE_ARCHIVE = "/usr/lib/locale"
_LOCALE_COMMANDS = frozenset({"locale-gen", "localedef"})


def generates_locales(facts: StageFacts) -> bool:
    """A RUN compiles locales (``locale-gen``, ``localedef -i en_US -f UTF-8 en_US.UTF-8``,
    ``dpkg-reconfigure locales``)."""
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename in _LOCALE_COMMANDS:
                return True
            if cmd.basename == "dpkg-reconfigure" and "locales" in cmd.args:
                return True
    return False


def runtime_copies(facts: StageFacts, build: BuildInfo, after_line: int) -> set[Instruction]:
    """COPY/ADD of build-context files the runtime needs besides the artifacts: those after
    the last build step (nothing builds from them), and those the command names by path
    (a config, an entrypoint script). Nothing that an artifact already brings."""
    # The installed tree lands on / but holds only what the build added: a COPY of a
    # context file is still repeated (its mtime may predate the marker).
    outputs = [a for a in build.artifacts if a.kind != "installed-tree"]
    built = {a.path for a in outputs} | {a.dest for a in outputs}
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


@dataclass(frozen=True)
class RuntimeFiles:
    """What the runtime stage gets besides its base, in the order it gets it."""

    setup: list[str]
    """Before the copies: packages (kept and found by the builder), accounts."""
    copies: list[CopyStep]
    after_copies: list[str]
    """State the build made (folders, owners, links, capabilities), once the files exist."""
    builder_steps: list[str]
    """Added to the builder after the build: the release check, the library probe."""
    notes: list[Finding]
    env: tuple[tuple[str, str], ...] = ()
    """ENV of the runtime stage for what it gets (``JAVA_HOME`` of a jlinked Java)."""
    builder_prelude: tuple[str, ...] = ()
    """Right after the builder's FROM: what the base image has, before the build."""


NATIVE = frozenset({"go", "rust", "c", "haskell", "erlang", "elixir", "generic"})
_SHELL_FAMILIES = frozenset({"slim", "same", "interpreter", "custom", "alpine"})


def runtime_files(
    facts: StageFacts, build: BuildInfo, runtime: RuntimeBase, options: Options, builder: str
) -> RuntimeFiles:
    setup: list[str] = []
    copies: list[CopyStep] = []
    after: list[str] = []
    builder_steps: list[str] = []
    prelude: list[str] = []
    notes: list[Finding] = []
    needs = with_extra_packages(runtime_needs(facts, build), options)
    family = runtime.family
    line = facts.stage.from_instruction.start_line
    installable = _INSTALLABLE.get(family, set())
    if family in {"interpreter", "same", "custom"}:
        # An interpreter's slim image, the builder's own or a named one: it installs with
        # its release's package manager what the command or HEALTHCHECK runs (curl).
        installable = _INSTALLABLE["alpine" if facts.info.libc == "musl" else "slim"]
    tools = [RUN_TOOL_PACKAGES.get(t, t) for t in needs.tools if t in installable]
    tools = list(dict.fromkeys(tools))
    for art in build.artifacts:
        copies.append(CopyStep(art.path, art.dest))
    folder = app_folder(facts) if build.ecosystem in NATIVE else None
    if folder and not any(c.dest == folder for c in copies):
        # A compiled program reads its configs and templates relative to its WORKDIR.
        outside = [
            a.path
            for a in build.artifacts
            if a.kind == "binary" and not a.path.startswith(folder.rstrip("/") + "/")
        ]
        shared = folder in BASE_FOLDERS
        if shared:
            # /opt, /srv: the base image may keep its own software there (the haskell
            # images' GHC in /opt/ghc); the app is what came after.
            prelude.append(probes.base_entries_step(folder))
        # What the runtime copies by name at its place in the folder (a binary built there)
        # is not staged with the folder too: the image would hold it twice.
        named = [
            posixpath.relpath(c.source, folder)
            for c in copies
            if c.source == c.dest and c.source.startswith(folder.rstrip("/") + "/")
        ]
        builder_steps.append(probes.app_stage_step(folder, outside, shared, build.ecosystem, named))
        copies.insert(0, CopyStep(probes.APP_STAGE, folder))
    script = _entrypoint_from_context(facts, build, copies)
    if script:
        copies.append(CopyStep(script, script))
    for text in options.keep:
        src, sep, dest = text.partition(":")
        copies.append(CopyStep(facts.resolve(src), facts.resolve(dest if sep else src)))

    if runtime.release_check:
        builder_steps.append(probes.release_check_step(runtime.release_check, facts.image.text))
    binaries = [a.path for a in build.artifacts if a.kind not in {"directory", "venv", "glob"}]
    if family == "distroless" and build.linkage == "glibc" and binaries:
        builder_steps.append(probes.distroless_check(binaries))
    if family in _SHELL_FAMILIES and runtime.has_shell:
        chosen_alpine = family == "alpine" and build.linkage != "musl"
        manager = "apk" if family == "alpine" else probes.package_family(facts)
        kept = [] if chosen_alpine else probes.kept_packages(facts, needs.tools)
        if build.ecosystem == "java":
            from dockerslim_refactor.analysis.ecosystems.java import is_java_package
            from dockerslim_refactor.analysis.packages import bare_package

            # The runtime's own JRE stands in for the distribution's JDK.
            kept = [p for p in kept if not is_java_package(bare_package(p))]
        elif jdk_swaps := _jre_for_jdk(facts, kept, options):
            # The JDK was there to compile (ant, javac): the program runs on its JRE.
            kept = [jdk_swaps.get(p, p) for p in kept]
            notes.append(
                note(
                    line,
                    "the build compiled Java with the distribution's JDK; the runtime gets its "
                    "JRE instead ("
                    + ", ".join(f"{a} → {b}" for a, b in jdk_swaps.items())
                    + "): the program runs java, not javac; --runtime-package "
                    + next(iter(jdk_swaps))
                    + " keeps the JDK",
                    flag="--runtime-package",
                )
            )
        dropped = [
            t
            for t in probes.dropped_fetch_tools(facts, needs.tools)
            if t not in options.runtime_packages
        ]
        if dropped and not chosen_alpine:
            notes.append(
                note(
                    line,
                    f"{', '.join(dropped)} left out of the runtime stage: the build used "
                    f"{'them' if len(dropped) > 1 else 'it'} to fetch sources and the image's "
                    "command does not run it; the builder keeps it when the app's sources run "
                    "it, and if the program runs it some other way (a hook, a setting), "
                    "--runtime-package NAME keeps it",
                    flag="--runtime-package",
                )
            )
        kept += [p for p in options.runtime_packages if p not in kept]
        kept += [t for t in tools if t not in kept]
        # locale-gen compiled the locales the image's LANG names into glibc's archive, which
        # a reinstalled locales package would not hold: same release, same glibc, so the
        # builder's archive serves, and the package (the compiler and its sources) stays
        # behind. The installed tree carries the archive by itself.
        locales = (
            manager == "apt"
            and family in {"same", "slim", "interpreter"}
            and not any(a.kind == "installed-tree" for a in build.artifacts)
            and generates_locales(facts)
        )
        if locales and "locales" not in options.runtime_packages:
            kept = [p for p in kept if p.split("=")[0] != "locales"]
        added_ca = (
            needs.ca
            and family in {"slim", "alpine", "interpreter"}
            and "ca-certificates" not in kept
        )
        # A static program has no libraries to find, but what its code runs is found the
        # same way when its sources were not read.
        probe = (
            (build.linkage != "static" or _native_sources_unknown(facts))
            and not chosen_alpine
            and bool(copies)
        )
        if probe:
            if manager is None:
                notes.append(
                    note(
                        line,
                        f"no package manager known for {facts.image.text}: the libraries the "
                        "program loads are copied as files instead of installed as packages",
                        flag="--runtime-package",
                    )
                )
            # The CA store the rewrite adds goes through the probe's list on apt: on an
            # archived release the builder's copy of it comes instead.
            added = ["ca-certificates"] if added_ca and manager == "apt" else []
            builder_steps.append(
                probes.library_probe(sorted({c.source for c in copies}), manager, added)
            )
            added_ca = added_ca and not added
            sources = _source_folders(facts)
            if sources and manager in {"apt", "apk"}:
                builder_steps.append(
                    probes.tool_probe(
                        sources, manager, "same", build_packages=_build_packages(facts)
                    )
                )
        native_probe = chosen_alpine and _native_sources_unknown(facts)
        sources = _source_folders(facts) if native_probe else []
        if sources:
            # What the program's code runs (exec.Command("git", …)), found in the builder.
            builder_steps.append(probes.tool_probe(sources, "apk", "alpine"))
            setup.append(f"COPY --from={builder} {probes.TOOLS_LIST} {probes.TOOLS_LIST}")
        if added_ca:
            kept.append("ca-certificates")
        if chosen_alpine and sources:
            words = " ".join([*kept, f"$(cat {probes.TOOLS_LIST})"])
            setup.append(
                f"RUN set -- {words}; rm -rf {probes.PROBE_DIR}; \\\n"
                f'    [ "$#" -eq 0 ] || {probes.apk_add(runtime.image, QUOTED_ARGS)}'
            )
        elif chosen_alpine and kept:
            setup.append(f"RUN {probes.apk_add(runtime.image, ' '.join(kept))}")
        else:
            if manager == "apk":
                # Packages the original took from another repository come from it again.
                repos = probes.apk_repositories(facts)
                by_flags: dict[str, list[str]] = {}
                for package in [p for p in kept if p in repos]:
                    by_flags.setdefault(repos[package], []).append(package)
                for flags, packages in by_flags.items():
                    setup.append(
                        f"RUN {probes.apk_add(runtime.image, flags + ' ' + ' '.join(packages))}"
                    )
                kept = [p for p in kept if p not in repos]
            same_release = family in {"same", "slim"} or (
                family == "interpreter"
                and (
                    build.ecosystem in {"python", "node", "ruby", "php"}
                    or facts.info.ecosystem in {"python", "node", "ruby"}
                )
            )
            if kept and manager == "apt" and same_release:
                # A kept package may come from a repository the build added (nodesource):
                # the runtime stage installs with the builder's sources and keys.
                builder_steps.append(probes.APT_SOURCES_STAGE)
                setup.append(f"COPY --from={builder} {probes.APT_STAGE}/ /")
            recommends = (bool(kept) or probe) and probes.installs_recommends(facts)
            steps = probes.runtime_install(manager, kept, probe, recommends, runtime.image)
            for step in steps:
                setup.append(step.replace("--from=BUILDER", f"--from={builder}"))
            upgrade = probes.package_upgrade(facts, manager, runtime.image)
            if upgrade:
                setup.append(upgrade)
        accounts, after, skipped = probes.replayed_state(facts, [c.dest for c in copies])
        if accounts:
            setup.append("# The accounts the build made.\nRUN " + " \\\n    && ".join(accounts))
        if after:
            after = ["# The folders, links and capabilities the build made.", *after]
        tree = any(a.kind == "installed-tree" for a in build.artifacts)
        if tree:
            copies.append(CopyStep(probes.TREE_LIST, probes.TREE_LIST))
            after.insert(0, probes.DANGLING_LINKS_STEP)
        elif locales:
            copies.append(CopyStep(LOCALE_ARCHIVE, LOCALE_ARCHIVE))
        for text in skipped:
            notes.append(
                note(
                    line,
                    f"not recreated in the runtime stage (paths not known until build time): "
                    f"{text}; add it with --keep if the program needs it",
                    flag="--keep",
                )
            )
    elif needs.ca and family in {"busybox", "scratch"}:
        copies.insert(
            0,
            CopyStep("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt"),
        )
    if family in {"busybox", "scratch", "distroless"} and _native_sources_unknown(facts):
        sources = _source_folders(facts)
        if sources:
            # No package manager there: a program whose code runs git stops the build.
            builder_steps.append(probes.tool_probe(sources, "", family))
    env: tuple[tuple[str, str], ...] = ()
    if family == "distroless-node":
        builder_steps += _distroless_node(facts, needs.tools, copies, line, notes)
    elif family in {"distroless-java", "distroless-jlink"}:
        steps, env = _distroless_java(facts, runtime, options, needs.tools, copies, line, notes)
        builder_steps += steps
    elif family == "distroless-python":
        builder_steps += _distroless_python(facts, build, runtime, needs.tools, copies, line, notes)
    return RuntimeFiles(setup, copies, after, builder_steps, notes, env, tuple(prelude))


def _distroless_interpreter(
    facts: StageFacts,
    run_tools: tuple[str, ...],
    copies: list[CopyStep],
    line: int,
    notes: list[Finding],
    lacks: str,
    checked: str,
) -> list[str]:
    """What an interpreter's distroless runtime allows, which has no shell to RUN anything:
    nothing to install and no state to recreate (else a PlanError names ``--runtime slim``),
    and a note of what it ``lacks``. Returns the packages the original installed, which the
    runtime leaves out once the builder has ``checked`` that the app needs none of them."""
    kept = [p for p in probes.kept_packages(facts, run_tools) if "$" not in p]
    if kept and probes.package_family(facts) != "apt":
        raise PlanError(
            f"--runtime distroless: the original installed {', '.join(kept)}, which "
            "distroless cannot install; --runtime slim keeps them"
        )
    if kept:
        notes.append(
            note(
                line,
                f"left out of the distroless runtime: {', '.join(kept)}, which the original "
                f"installed; the builder stops if {checked}",
                flag="--runtime",
            )
        )
    accounts, after, _ = probes.replayed_state(facts, [c.dest for c in copies])
    if accounts or after:
        made = (accounts + after)[0].splitlines()[0]
        raise PlanError(
            f"--runtime distroless: the build made state the runtime would recreate with a "
            f"shell ({made}); --runtime slim keeps it"
        )
    notes.append(note(line, lacks, flag="--runtime"))
    return kept


def _distroless_node(
    facts: StageFacts,
    run_tools: tuple[str, ...],
    copies: list[CopyStep],
    line: int,
    notes: list[Finding],
) -> list[str]:
    """What a distroless Node.js runtime needs: the installed tree copied as it is, and
    builder checks that the native modules and the programs the app runs need nothing it
    lacks."""
    kept = _distroless_interpreter(
        facts,
        run_tools,
        copies,
        line,
        notes,
        "distroless Node.js has no shell, no npm and no package manager: `docker exec` "
        "into it runs only node, and the program cannot start other programs",
        "a native module links them or the app's code runs one of their programs",
    )
    folders = [c.source for c in copies if c.source != probes.TREE_LIST]
    steps = [probes.native_modules_check(sorted(set(folders)))]
    sources = _source_folders(facts)
    if sources:
        steps.append(probes.tool_probe(sources, "", "distroless-node", tuple(kept)))
    return steps


def _distroless_python(
    facts: StageFacts,
    build: BuildInfo,
    runtime: RuntimeBase,
    run_tools: tuple[str, ...],
    copies: list[CopyStep],
    line: int,
    notes: list[Finding],
) -> list[str]:
    """What a Python program on the distroless Python image needs: the virtual environment's
    packages where Debian's Python finds them (the venv's own python links to the builder's
    interpreter, which distroless does not have), and builder checks that the compiled
    modules need nothing it lacks and that the app starts no program or shell."""
    venvs = [a.path for a in build.artifacts if a.kind == "venv"]
    for venv in venvs:
        index = next(i for i, c in enumerate(copies) if c.source == venv)
        copies[index] = CopyStep(
            f"{venv}/lib/python{DISTROLESS_PYTHON_VERSION}/site-packages",
            DISTROLESS_PYTHON_PACKAGES,
        )
    kept = _distroless_interpreter(
        facts,
        run_tools,
        copies,
        line,
        notes,
        "distroless Python has no shell, no pip and no package manager: `docker exec` into "
        "it runs only python, and the program cannot start other programs; the packages are "
        f"in {DISTROLESS_PYTHON_PACKAGES}, without pip, setuptools and wheel",
        "a compiled module links them or the app's code runs one of their programs",
    )
    folders = sorted({c.source for c in copies if c.source != probes.TREE_LIST})
    steps = [probes.python_modules_check(folders)]
    if runtime.module is not None:
        packages = [c.source for c in copies if c.dest == DISTROLESS_PYTHON_PACKAGES]
        steps.append(probes.python_module_check(runtime.module, packages))
        notes.append(
            note(
                line,
                f"{runtime.module} runs as `python -m {runtime.module}`: its console script's "
                "#! line names the builder's Python, which distroless does not have; the "
                "builder stops if the package has no such module",
                flag="--runtime",
            )
        )
    sources = _source_folders(facts)
    if sources:
        steps.append(probes.python_shell_check(sources))
        steps.append(probes.tool_probe(sources, "", "distroless-python", tuple(kept)))
    return steps


def _distroless_java(
    facts: StageFacts,
    runtime: RuntimeBase,
    options: Options,
    run_tools: tuple[str, ...],
    copies: list[CopyStep],
    line: int,
    notes: list[Finding],
) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """What a Java program on distroless needs: on distroless/cc, the Java runtime jlink
    makes in the builder of the modules the app uses (copied first, with ``JAVA_HOME`` and
    ``PATH`` naming it) and the check that it links nothing distroless/cc lacks; and the
    check that the app's code runs no other program. Returns the builder steps and the
    runtime's environment."""
    from dockerslim_refactor.analysis.ecosystems.java import runtime_modules

    jlinked = runtime.family == "distroless-jlink"
    lacks = (
        "distroless has no shell and no package manager: `docker exec` into it runs only "
        "java, and the program cannot start other programs"
    )
    steps: list[str] = []
    env: tuple[tuple[str, str], ...] = ()
    if jlinked:
        found = runtime_modules(facts)
        modules = tuple(dict.fromkeys([m for m, _ in found] + list(options.java_modules)))
        others = [f"{m} {why}" for m, why in _LOADED_BY_NAME if m not in modules]
        lacks += (
            "; its Java runtime has only the modules jdeps finds in the app and those it "
            "loads by name that the builder adds (TLS's jdk.crypto.ec, jdk.zipfs, "
            "jdk.naming.dns with JNDI"
            + "".join(f", {m} for {why}" for m, why in found)
            + ")"
            + (
                f"; a program that loads another one ({', '.join(others)}) needs --java-modules"
                if others
                else ""
            )
        )
        paths = sorted({c.source for c in copies})
        steps += [
            probes.java_runtime_step(paths, _java_major(facts), modules),
            probes.java_runtime_check(),
        ]
        copies.insert(0, CopyStep(probes.JAVA_STAGE, JLINKED_JAVA))
        env = (("JAVA_HOME", JLINKED_JAVA), ("PATH", f"{JLINKED_JAVA}/bin:{DEFAULT_PATH}"))
    elif options.java_modules:
        notes.append(
            note(
                line,
                f"--java-modules {','.join(options.java_modules)} has no effect: the "
                "distroless Java image has a whole JRE",
                flag="--java-modules",
            )
        )
    kept = _distroless_interpreter(
        facts, run_tools, copies, line, notes, lacks, "the app's code runs one of their programs"
    )
    sources = _source_folders(facts)
    if sources:
        steps.append(probes.tool_probe(sources, "", runtime.family, tuple(kept)))
    return steps, env


# Modules a Java program may load by name that the Dockerfile cannot tell of.
_LOADED_BY_NAME = (("jdk.localedata", "for other locales"), ("jdk.charsets", "for more charsets"))


def _java_major(facts: StageFacts) -> int:
    from dockerslim_refactor.analysis.images import java_major

    return int(java_major(facts.image) or 0)


def _native_sources_unknown(facts: StageFacts) -> bool:
    """The context's Go and Rust sources were not read (no context, or another folder than
    the one the build copies): what the program runs is found in the builder instead."""
    return not any(name.endswith((".go", ".rs")) for name in facts.context_files)


def _source_folders(facts: StageFacts) -> list[str]:
    """Where the app's own sources are in the builder: the build context's destinations and
    the app folder, less the system folders."""
    folders = set(context_destinations(facts))
    folder = app_folder(facts)
    if folder:
        folders.add(folder)
    return sorted(f for f in folders if f not in SYSTEM_FOLDERS and f != "/")


def artifact_summary(artifacts: tuple[Artifact, ...]) -> str:
    return ", ".join(a.path for a in artifacts)


def _build_packages(facts: StageFacts) -> tuple[str, ...]:
    """The build-only OS packages the original installed and kept (bare names)."""
    from dockerslim_refactor.analysis.packages import bare_package, kept_build_packages

    found: list[str] = []
    for step in facts.steps:
        for package in kept_build_packages(step.script):
            name = bare_package(package)
            if re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", name) and name not in found:
                found.append(name)
    return tuple(found)


def _jre_for_jdk(facts: StageFacts, kept: list[str], options: Options) -> dict[str, str]:
    """The distribution's JDK packages the runtime would keep, each with its JRE, when the
    build compiled Java with them (ant, javac, mvn) and the user did not name the JDK."""
    from dockerslim_refactor.analysis.ecosystems.java import JAVA_COMPILERS, jre_of

    compiled = any(
        cmd.basename in JAVA_COMPILERS for step in facts.steps for cmd in step.script.commands
    )
    if not compiled:
        return {}
    swaps: dict[str, str] = {}
    for package in kept:
        jre = jre_of(package)
        if jre and package not in options.runtime_packages:
            swaps[package] = jre
    return swaps
