"""What the runtime stage receives: the artifacts, context files the program reads, and the
OS packages it installs."""

from __future__ import annotations

import posixpath

from dockerslim_refactor.analysis.model import Artifact, BuildInfo, StageFacts
from dockerslim_refactor.analysis.program import SYSTEM_FOLDERS
from dockerslim_refactor.document import Instruction
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan.model import CopyStep, RuntimeBase
from dockerslim_refactor.plan.runtime import _INSTALLABLE, runtime_needs, with_extra_packages


def runtime_copies(facts: StageFacts, build: BuildInfo, after_line: int) -> set[Instruction]:
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


def runtime_files(
    facts: StageFacts, build: BuildInfo, runtime: RuntimeBase, options: Options
) -> tuple[list[str], list[CopyStep]]:
    setup: list[str] = []
    copies: list[CopyStep] = []
    needs = with_extra_packages(runtime_needs(facts, build), options)
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


def artifact_summary(artifacts: tuple[Artifact, ...]) -> str:
    return ", ".join(a.path for a in artifacts)
