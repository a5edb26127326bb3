"""BuildKit extras for ``--buildkit``: cache mounts for the package managers and compilers a
builder RUN uses, bind mounts for files a RUN only reads, and ``COPY --link``. The classic
builder understands none of these, so they are only written when asked for."""

from __future__ import annotations

import posixpath
import re

from dockerslim_refactor.analysis.model import RunStep
from dockerslim_refactor.analysis.packages import package_installs
from dockerslim_refactor.document import Instruction

SYNTAX = "# syntax=docker/dockerfile:1"

# Cache folders per package manager or compiler, as the official images lay them out.
CACHES: dict[str, tuple[str, ...]] = {
    "apt": ("/var/cache/apt", "/var/lib/apt"),
    "apk": ("/var/cache/apk",),
    "dnf": ("/var/cache/dnf",),
    "yum": ("/var/cache/yum",),
    "pip": ("/root/.cache/pip",),
    "npm": ("/root/.npm",),
    "yarn": ("/usr/local/share/.cache/yarn",),
    "pnpm": ("/root/.local/share/pnpm/store",),
    "go": ("/go/pkg/mod", "/root/.cache/go-build"),
    "cargo": ("/usr/local/cargo/registry", "/usr/local/cargo/git"),
    "maven": ("/root/.m2",),
    "gradle": ("/root/.gradle",),
    "nuget": ("/root/.nuget/packages",),
}
# Debian's images delete downloaded packages after each install; a cache mount needs them kept.
APT_KEEP = (
    "RUN rm -f /etc/apt/apt.conf.d/docker-clean \\\n"
    "    && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' "
    "> /etc/apt/apt.conf.d/keep-cache"
)
# Commands that only read their manifests (the files a bind mount can stand in for).
DEPENDENCY_FETCH = {
    ("go", "mod"),
    ("npm", "ci"),
    ("npm", "install"),
    ("yarn", "install"),
    ("pnpm", "install"),
    ("pip", "install"),
    ("pip3", "install"),
    ("cargo", "fetch"),
    ("dotnet", "restore"),
    ("mvn", "dependency:go-offline"),
}
_PLAIN_FILE = re.compile(r"^[A-Za-z0-9._-]+$")


def managers(step: RunStep) -> list[str]:
    """The cache kinds a RUN would use, in a stable order."""
    found: list[str] = []
    for install in package_installs(step.script):
        kind = {"microdnf": "dnf"}.get(install.manager, install.manager)
        if kind in CACHES and install.manager not in {"gem", "composer"}:
            found.append(kind)
    for cmd in step.script.commands:
        name = cmd.basename
        if name == "go" and cmd.subcommand in {"build", "install", "mod", "test", "vet"}:
            found.append("go")
        elif name == "cargo" and cmd.subcommand in {"build", "install", "fetch", "test"}:
            found.append("cargo")
        elif name in {"mvn", "mvnw"}:
            found.append("maven")
        elif name in {"gradle", "gradlew"}:
            found.append("gradle")
        elif name == "dotnet" and cmd.subcommand in {"restore", "publish", "build"}:
            found.append("nuget")
    return [k for k in CACHES if k in found]


def cache_flags(kinds: list[str]) -> list[str]:
    flags = []
    for kind in kinds:
        sharing = ",sharing=locked" if kind in {"apt", "apk", "dnf", "yum"} else ""
        flags.extend(f"--mount=type=cache,target={path}{sharing}" for path in CACHES[kind])
    return flags


def with_flags(raw: str, flags: list[str]) -> str:
    """``raw`` (one or more RUN lines as written) with ``flags`` after each RUN keyword."""
    if not flags:
        return raw
    joined = " ".join(flags)
    return re.sub(r"(?im)^(\s*run)(\s+)", lambda m: f"{m.group(1)} {joined}{m.group(2)}", raw)


def bindable_copy(
    copy: Instruction, following: Instruction | None, later: list[Instruction]
) -> list[str] | None:
    """The files of ``COPY f1 f2 ./`` when they are only read by the next RUN (a dependency
    fetch) and a later ``COPY . .`` brings them again: bind mounts can replace the COPY."""
    if copy.keyword != "COPY" or copy.flags or copy.heredocs or copy.is_json:
        return None
    words = copy.value.split()
    if len(words) < 2 or words[-1] not in {".", "./"}:
        return None
    files = words[:-1]
    if not all(_PLAIN_FILE.match(f) for f in files):
        return None
    if following is None or following.keyword != "RUN" or following.heredocs:
        return None
    first = following.value.split()[:2]
    if tuple(posixpath.basename(w) for w in first) not in DEPENDENCY_FETCH:
        return None
    again = any(
        ins.keyword == "COPY" and not ins.flags and ins.value.split() in (["."] * 2, [".", "./"])
        for ins in later
    )
    return files if again else None


def bind_flags(files: list[str]) -> list[str]:
    return [f"--mount=type=bind,source={f},target={f}" for f in files]
