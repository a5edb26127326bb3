"""Package-manager cache left in a layer of the final image.

## What it does
Reports a RUN of the final stage that installs packages and leaves the package manager's
cache or index in the layer:

- `apt-get install` in a RUN that does not also remove `/var/lib/apt/lists`;
- `apk add` without `--no-cache` and without removing `/var/cache/apk` (or `apk cache clean`);
- `pip install` without `--no-cache-dir`, unless `PIP_NO_CACHE_DIR` is set (ENV or prefix);
- `npm install` / `npm ci` without `npm cache clean` (or removing `~/.npm`);
- `yum` / `dnf` / `microdnf install` without `clean all` (or removing `/var/cache/yum|dnf`).

Only a cleanup that comes after the install in the same RUN counts, and a BuildKit cache or
tmpfs mount over the cache folder (`RUN --mount=type=cache,target=/root/.cache/pip`) keeps it
out of the layer too.

## Why is this bad?
Each RUN is a layer, and a file deleted in a later RUN still ships in the earlier layer. The
apt lists, apk index, pip wheels and npm tarballs are only needed while installing: they add
tens to hundreds of megabytes to every pull of the image.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN pip install -r requirements.txt
```

Use instead:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
```

## Fix safety
There is no automatic fix. Removing a cache is safe for the program, but a later RUN that
installs more packages without `apt-get update` first then fails: add the cleanup to the RUN
that installs, and update again where needed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping

from dockerslim_refactor.analysis.model import Analysis, Finding, RunStep
from dockerslim_refactor.analysis.packages import PackageInstall, cache_cleanups, package_installs
from dockerslim_refactor.shell import Command

CODE = "DSR003"
NAME = "package-cache"
SEVERITY = "warning"
FIX = None
FIX_SAFE = True

# What each manager leaves behind and how to avoid it, in the finding's words.
ADVICE = {
    "apt": "apt-get install leaves the package lists in /var/lib/apt/lists: end the same RUN "
    "with `rm -rf /var/lib/apt/lists/*`",
    "apk": "apk add keeps its package index in /var/cache/apk: use `apk add --no-cache`",
    "pip": "pip install keeps downloaded packages in ~/.cache/pip: add `--no-cache-dir` "
    "(or set ENV PIP_NO_CACHE_DIR=1)",
    "npm": "npm install keeps downloaded packages in ~/.npm: end the same RUN with "
    "`npm cache clean --force`",
    "yum": "yum install keeps metadata and packages in /var/cache/yum: end the same RUN with "
    "`yum clean all`",
    "dnf": "dnf install keeps metadata and packages in /var/cache/dnf: end the same RUN with "
    "`dnf clean all`",
    "microdnf": "microdnf install keeps metadata and packages in /var/cache: end the same RUN "
    "with `microdnf clean all`",
}
# Folders a cleanup may remove, per manager (``~`` is the home folder).
CACHE_DIRS = {
    "apt": ("/var/lib/apt/lists",),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "pip": ("~/.cache/pip",),
    "npm": ("~/.npm",),
    "yum": ("/var/cache/yum",),
    "dnf": ("/var/cache/dnf",),
    "microdnf": ("/var/cache/yum", "/var/cache/dnf"),
}
RPM_MANAGERS = frozenset({"yum", "dnf", "microdnf"})
RPM_TOOLS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf"})
PIP_TOOLS = frozenset({"pip", "pip3", "-mpip"})
# Values pip accepts for PIP_NO_CACHE_DIR; every one of them, even "false", turns the cache
# off (pip keeps this for backwards compatibility).
PIP_BOOLEANS = frozenset({"1", "0", "y", "n", "yes", "no", "t", "f", "true", "false", "on", "off"})


def check(analysis: Analysis) -> Iterable[Finding]:
    for step in analysis.facts.steps:
        managers: list[str] = []
        cleanups = cache_cleanups(step.script)
        for install in package_installs(step.script):
            manager = install.manager
            if manager not in ADVICE or manager in managers:
                continue
            if not _leaves_cache(install, step, cleanups):
                continue
            managers.append(manager)
        if not managers:
            continue
        ins = step.instruction
        yield Finding(
            code=CODE,
            severity=SEVERITY,
            line=ins.start_line,
            end_line=ins.end_line,
            message="package cache left in the image layer: "
            + "; ".join(ADVICE[m] for m in managers),
            fix=FIX,
            fix_safe=FIX_SAFE,
        )


def _leaves_cache(install: PackageInstall, step: RunStep, cleanups: tuple[Command, ...]) -> bool:
    manager = install.manager
    home = step.env.get("HOME", "/root")
    if _cache_mounted(step, [_home(d, home) for d in CACHE_DIRS[manager]]):
        return False
    if manager == "apk" and install.no_cache:
        return False
    if manager == "pip" and (install.no_cache or _pip_cache_off(step.env)):
        return False
    later = [c for c in cleanups if c.start > install.command.start]
    return not any(_cleans(c, manager, home) for c in later)


def _pip_cache_off(env: Mapping[str, str]) -> bool:
    value = env.get("PIP_NO_CACHE_DIR")
    return value is not None and value.strip().lower() in PIP_BOOLEANS


def _cleans(cleanup: Command, manager: str, home: str) -> bool:
    """Whether a cache cleanup (as found by ``cache_cleanups``) clears ``manager``'s cache."""
    words = cleanup.args
    tools = {w.rsplit("/", 1)[-1] for w in (cleanup.name, *words)}
    if manager == "npm" and "npm" in tools and "cache" in words:
        return True
    if manager == "pip" and tools & PIP_TOOLS and "cache" in words and "purge" in words:
        return True
    if manager == "apk" and "apk" in tools and "cache" in words:
        return True
    if manager in RPM_MANAGERS and tools & RPM_TOOLS and "clean" in words and "all" in words:
        return True
    dirs = [_home(d, home) for d in CACHE_DIRS[manager]]
    if manager == "pip":
        dirs.append(_home("~/.cache", home))
    return any(_under(_path(arg, cleanup.cwd, home), d) for arg in words for d in dirs)


def _cache_mounted(step: RunStep, dirs: list[str]) -> bool:
    for flag in step.instruction.flags:
        key, _, spec = flag[2:].partition("=")
        if key.lower() != "mount":
            continue
        fields = dict(part.partition("=")[::2] for part in spec.split(","))
        if fields.get("type") not in {"cache", "tmpfs"}:
            continue
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if target and any(_under(d, posixpath.normpath(target)) for d in dirs):
            return True
    return False


def _home(path: str, home: str) -> str:
    return home.rstrip("/") + path[1:] if path.startswith("~") else path


def _path(arg: str, cwd: str | None, home: str) -> str:
    for prefix in ("~", "$HOME", "${HOME}"):
        if arg == prefix or arg.startswith(prefix + "/"):
            arg = home + arg[len(prefix) :]
            break
    if not arg.startswith("/"):
        if cwd is None:
            return arg
        arg = posixpath.join(cwd, arg)
    return posixpath.normpath(arg)


def _under(path: str, folder: str) -> bool:
    """``path`` is ``folder``, inside it, or a glob of its contents (``/var/lib/apt/lists/*``)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")
