""".NET: ``dotnet publish`` output onto the ASP.NET Core or .NET runtime image of the same
version."""

from __future__ import annotations

import posixpath
import re

from dockerslim_refactor.analysis.images import interpreter_runtime
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import (
    SYSTEM_FOLDERS,
    artifacts_from_options,
    not_rewritten,
    unsure,
)
from dockerslim_refactor.options import Options


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    lines: list[int] = []
    outputs: list[Artifact] = []
    self_contained = False
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename != "dotnet" or cmd.subcommand != "publish":
                continue
            cwd = cmd.cwd or step.workdir or facts.workdir
            line = step.instruction.start_line
            lines.append(line)
            explicit = cmd.flag_value("--self-contained")
            if cmd.has_flag("--self-contained", "--sc"):
                self_contained = explicit not in {"false"}
            elif cmd.has_flag("-r", "--runtime") and _sdk_major(facts) < 8:
                self_contained = True  # before .NET 8 a runtime identifier implied it
            out = cmd.flag_value("-o", "--output")
            if out:
                path = facts.resolve(out, cwd)
                outputs.append(Artifact(path, path, "dll-folder", line))
            else:
                config = cmd.flag_value("-c", "--configuration") or "Release"
                path = posixpath.join(cwd, "bin", config)
                outputs.append(
                    Artifact(path, path, "dll-folder", line, False, "dotnet publish without -o")
                )
    if not lines:
        return None
    last = lines[-1]
    findings: list[Finding] = []
    kind = _app_kind(facts)
    flavour = "runtime-deps" if self_contained else ("runtime" if kind == "console" else "aspnet")
    same_version = interpreter_runtime(facts.image, "dotnet", flavour)  # None when untagged
    runtime = options.runtime_image or same_version
    if runtime is None:
        return not_rewritten(
            "dotnet",
            lines,
            f"no .NET runtime image is known for {facts.image.text}; pass --runtime-image",
            "--runtime-image",
        )
    if runtime == same_version and not facts.image.pinned:
        findings.append(
            unsure(
                last,
                f"{facts.image.text} names no version, so the runtime image {runtime} follows "
                "the newest release as well; pin both (a tag on FROM, --runtime-image) for "
                "builds that repeat",
                "--runtime-image",
            )
        )
    findings.append(
        unsure(
            last,
            f"runs on the {flavour} image "
            + {
                "aspnet": {
                    "web": "(the image exposes a port or sets ASPNETCORE_*: a web app)",
                    "web-project": "(its project file uses the web SDK: a web app)",
                    "unknown": "(no project file was read: ASP.NET Core's image runs console "
                    "apps as well, the runtime image only those)",
                }.get(kind, ""),
                "runtime": "(its project files use the plain SDK, no port or ASPNETCORE_* "
                "setting: a console app)",
                "runtime-deps": "(a self-contained publish brings its own runtime)",
            }[flavour]
            + "; pass --runtime-image to choose another",
            "--runtime-image",
        )
    )
    artifacts = artifacts_from_options(facts, options, last) if options.artifacts else outputs[-1:]
    dll = _program_dll(facts)
    if dll is not None and not options.artifacts:
        inside = [a.path for a in artifacts if dll == a.path or dll.startswith(a.path + "/")]
        if not inside:
            # `dotnet Web.dll` from another folder than the publish output: what the
            # original runs came with the sources, or not at all.
            return not_rewritten(
                "dotnet",
                lines,
                f"the image runs {dll}, which is not in the publish folder "
                f"{', '.join(a.path for a in artifacts)}; pass --artifact PATH to name it",
                "--artifact",
            )
    cwd = facts.workdir
    if (
        not options.artifacts
        and cwd != "/"
        and not any(cwd == a.path or cwd.startswith(a.path.rstrip("/") + "/") for a in artifacts)
    ):
        # ASP.NET Core's content root is the folder the program starts in: appsettings.json,
        # wwwroot and the files it opens by relative path are read there, not next to the
        # assembly. That folder comes whole, with the publish folder if it is inside.
        if cwd in SYSTEM_FOLDERS:
            return not_rewritten(
                "dotnet",
                lines,
                f"the program starts in {cwd}, its content root, a system folder that cannot "
                "be copied without the SDK; pass --artifact PATH with what it reads there",
                "--artifact",
            )
        artifacts = [a for a in artifacts if not a.path.startswith(cwd.rstrip("/") + "/")]
        artifacts.append(Artifact(cwd, cwd, "directory", last))
        findings.append(
            unsure(
                last,
                f"the program starts in {cwd}, not in the publish folder: that folder is its "
                "content root (appsettings.json, wwwroot, files opened by relative path), so "
                f"{cwd} is copied whole; a WORKDIR of the publish folder copies only that",
                "--artifact",
            )
        )
    for art in artifacts:
        if not art.certain:
            findings.append(
                unsure(
                    art.line,
                    f"publish folder {art.path} is inferred ({art.note}); pass --artifact PATH",
                    "--artifact",
                )
            )
    return BuildInfo(
        ecosystem="dotnet",
        template="dotnet.Dockerfile.j2",
        artifacts=tuple(artifacts),
        linkage="interpreter",
        runtime_image=runtime,
        findings=tuple(findings),
        lines=tuple(lines),
    )


# Project SDKs and framework references that need ASP.NET Core's shared framework.
_WEB_PROJECT = re.compile(
    r'Sdk\s*=\s*"Microsoft\.NET\.Sdk\.(?:Web|Razor|BlazorWebAssembly)|'
    r'FrameworkReference\s+Include\s*=\s*"Microsoft\.AspNetCore\.App'
)


def _app_kind(facts: StageFacts) -> str:
    """``web`` (a port or ASPNETCORE_* setting), ``web-project`` (a project file on the web
    SDK), ``console`` (project files read, none of them web) or ``unknown``."""
    if facts.instructions("EXPOSE") or any(k.startswith("ASPNETCORE_") for k in facts.env):
        return "web"
    projects = [
        text
        for name, text in facts.context_files.items()
        if name.endswith((".csproj", ".fsproj", ".vbproj"))
    ]
    if any(_WEB_PROJECT.search(text) for text in projects):
        return "web-project"
    return "console" if projects else "unknown"


def _sdk_major(facts: StageFacts) -> int:
    match = re.match(r"(\d+)", facts.image.tag or "")
    return int(match.group(1)) if match else 99


def _program_dll(facts: StageFacts) -> str | None:
    """The assembly ``dotnet X.dll`` runs, as an absolute path, or ``None``."""
    words = list(facts.program_words)
    while words and (words[0] == "exec" or "=" in words[0]):
        words.pop(0)
    if len(words) < 2 or posixpath.basename(words[0]) != "dotnet":
        return None
    arg = words[1]
    if not arg.endswith(".dll") or "$" in arg:
        return None
    return facts.resolve(arg, facts.workdir)
