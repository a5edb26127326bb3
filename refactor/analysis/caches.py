"""Package-manager caches: where each manager keeps them and whether a RUN leaves them in its
layer (DSR003 reports that; the benefit gate counts it as build-only files)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from dockerslim_refactor.analysis.model import RunStep
from dockerslim_refactor.analysis.packages import PackageInstall, cache_cleanups
from dockerslim_refactor.shell import Command

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


def leaves_cache(
    install: PackageInstall, step: RunStep, cleanups: tuple[Command, ...] | None = None
) -> bool:
    """Whether ``install`` leaves its manager's download cache or index in the layer of
    ``step``: no no-cache flag or setting, no cache mount, and no cleanup of that manager's
    cache after it in the same RUN (``cleanups``: :func:`cache_cleanups` of the step)."""
    if cleanups is None:
        cleanups = cache_cleanups(step.script)
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
