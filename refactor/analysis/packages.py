"""Package managers seen in RUN commands: installs, index updates and cache cleanups."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockerslim_refactor.shell import Command, ShellScript


@dataclass(frozen=True)
class PackageInstall:
    """One package-manager install command."""

    manager: str
    """``apt``, ``apk``, ``dnf``, ``yum``, ``microdnf``, ``zypper``, ``pip``, ``npm``, ``yarn``,
    ``pnpm``, ``gem``, ``composer``, ``cargo`` or ``go``."""
    packages: tuple[str, ...]
    """Package names as written, version pins kept (``curl=7.88*``, ``flask==3.0``). Empty for a
    project install (``npm ci``, ``yarn``, ``composer install``, ``pip install -r x.txt``)."""
    command: Command
    """The command as found in the script (wrappers such as ``sudo`` included)."""
    requirement_files: tuple[str, ...] = ()
    """``pip install -r FILE`` / ``--requirement FILE`` files."""
    no_cache: bool = False
    """The install itself leaves no download cache (``apk --no-cache``, ``pip --no-cache-dir``,
    ``PIP_NO_CACHE_DIR=1``, ``composer --no-cache``)."""
    global_install: bool = False
    """A tool installed system-wide rather than into a project: ``npm -g``, ``yarn global add``,
    ``pnpm -g``, ``composer global``, ``gem install``, ``cargo install``, ``go install``."""
    dev: bool = False
    """A project install that brings dev/build dependencies: ``npm install``/``npm ci`` without
    ``--omit=dev``/``--production``, ``yarn`` without ``--production``, ``pnpm install`` without
    ``--prod``, ``composer install`` without ``--no-dev`` (``NODE_ENV=production`` counts)."""


OS_MANAGERS = frozenset({"apt", "apk", "dnf", "yum", "microdnf", "zypper"})

BUILD_PACKAGES: frozenset[str] = frozenset(
    {
        # compilers and C toolchains
        "gcc",
        "g++",
        "gcc-c++",
        "cpp",
        "c++",
        "gfortran",
        "clang",
        "llvm",
        "lld",
        "binutils",
        "build-essential",
        "build-base",
        "alpine-sdk",
        "musl-dev",
        "libc6-dev",
        "libc-dev",
        "glibc-devel",
        "linux-headers",
        "linux-libc-dev",
        "kernel-headers",
        "kernel-devel",
        "python3-dev",
        "python-dev",
        "python3-devel",
        "gdb",
        "ccache",
        # build systems and generators
        "make",
        "cmake",
        "ninja-build",
        "ninja",
        "meson",
        "scons",
        "autoconf",
        "automake",
        "autoconf-archive",
        "libtool",
        "libtool-bin",
        "m4",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "bison",
        "flex",
        "swig",
        "nasm",
        "yasm",
        "patch",
        "file",
        "dpkg-dev",
        "fakeroot",
        "debhelper",
        # language toolchains and build tools used only to compile
        "maven",
        "gradle",
        "ant",
        "apache-ant",
        "sbt",
        "leiningen",
        "golang",
        "golang-go",
        "go",
        "rust",
        "rustc",
        "cargo",
        # version control used to fetch sources
        "git",
        "mercurial",
        "subversion",
    }
)


@cache
def _pin() -> re.Pattern[str]:
    return re.compile(r"[=<>~!:@]")


@cache
def _version_suffix() -> re.Pattern[str]:
    return re.compile(r"-\d+(?:\.\d+)*$")


_DEV_SUFFIXES = ("-dev", "-devel", "-headers")


# Tools that fetch sources. They are build-only when a build step uses them and nothing the
# image runs names them; installed but never used by the build, the program may need them.
FETCH_TOOLS = frozenset(
    {"git", "mercurial", "hg", "subversion", "svn", "bzr", "curl", "wget", "unzip", "composer"}
)
# Dependency installers and the fetch tools they run for the build: composer clones with
# git and unpacks with unzip, bundler and npm clone git dependencies, go get clones.
FETCHED_THROUGH = {
    "composer": ("git", "unzip", "hg", "svn"),
    "composer.phar": ("git", "unzip", "hg", "svn"),
    "bundle": ("git",),
    "bundler": ("git",),
    "npm": ("git",),
    "yarn": ("git",),
    "pnpm": ("git",),
    "pip": ("git", "hg", "svn", "bzr"),
    "pip3": ("git", "hg", "svn", "bzr"),
    "go": ("git", "hg", "svn", "bzr"),
}


def bare_package(name: str) -> str:
    """A package name without its version pin or architecture (``gcc=12.*`` -> ``gcc``)."""
    return _pin().split(name.strip(), maxsplit=1)[0]


def is_build_package(name: str) -> bool:
    """True for an OS package that exists only to build (compilers, ``-dev`` headers, build
    tools). Version pins (``gcc=12.*``, ``gcc~12``, ``gcc>=1``) and architecture qualifiers
    (``libc6-dev:amd64``) are ignored; ``gcc-12`` counts as ``gcc``."""
    base = _pin().split(name.strip(), maxsplit=1)[0].lower()
    if not base or "$" in base:
        return False
    if base in BUILD_PACKAGES or base.endswith(_DEV_SUFFIXES):
        return True
    if base.startswith(("linux-headers", "kernel-headers")):
        return True
    unversioned = _version_suffix().sub("", base)
    return unversioned != base and unversioned in BUILD_PACKAGES


# --------------------------------------------------------------------------------------------
# Command lines


@dataclass(frozen=True)
class _Call:
    """A command with wrappers (``sudo``, ``env X=1`` …) removed."""

    name: str
    args: tuple[str, ...]
    env: dict[str, str]
    command: Command


@dataclass(frozen=True)
class _Line:
    """Arguments split into positionals and ``(flag, value)`` options."""

    positional: tuple[str, ...]
    options: tuple[tuple[str, str | None], ...]

    def has(self, *flags: str) -> bool:
        return any(flag in flags for flag, _ in self.options)

    def values(self, *flags: str) -> list[str]:
        return [value for flag, value in self.options if flag in flags and value is not None]


def _split(args: tuple[str, ...] | list[str], value_flags: frozenset[str]) -> _Line:
    positional: list[str] = []
    options: list[tuple[str, str | None]] = []
    i = 0
    count = len(args)
    while i < count:
        arg = args[i]
        if arg == "--":
            positional.extend(args[i + 1 :])
            break
        if len(arg) > 1 and arg[0] == "-":
            key = arg.split("=", 1)[0]
            if arg in value_flags:
                options.append((arg, args[i + 1] if i + 1 < count else None))
                i += 2
                continue
            if "=" in arg and (arg.startswith("--") or key in value_flags):
                options.append((key, arg[len(key) + 1 :]))
            elif not arg.startswith("--") and arg[:2] in value_flags and len(arg) > 2:
                options.append((arg[:2], arg[2:]))
            else:
                options.append((arg, None))
            i += 1
            continue
        positional.append(arg)
        i += 1
    return _Line(tuple(positional), tuple(options))


def _skip_options(args: tuple[str, ...], value_flags: frozenset[str]) -> int:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return i + 1
        if len(arg) > 1 and arg[0] == "-":
            i += 2 if arg in value_flags else 1
            continue
        return i
    return i


@cache
def _assignment() -> re.Pattern[str]:
    return re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "time": frozenset({"-f", "--format", "-o", "--output"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(),
    "eatmydata": frozenset(),
    "exec": frozenset({"-a"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "timeout": frozenset({"-s", "--signal", "-k", "--kill-after"}),
    "xargs": frozenset(
        {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter"}
        | {"--max-args", "--max-procs", "--max-lines", "--max-chars", "--eof", "--replace"}
    ),
}


@cache
def _python() -> re.Pattern[str]:
    return re.compile(r"python(?:\d+(?:\.\d+)*)?")


@cache
def _pip() -> re.Pattern[str]:
    return re.compile(r"pip(?:\d+(?:\.\d+)*)?")


_PYTHON_VALUE_FLAGS = frozenset({"-W", "-X", "-c"})


def _unwrap(command: Command) -> _Call | None:
    name = command.basename
    args = command.args
    env = dict(command.env)
    for _ in range(8):
        if name not in _WRAPPERS:
            break
        i = _skip_options(args, _WRAPPERS[name])
        if name == "env":
            while i < len(args) and _assignment().match(args[i]):
                key, value = args[i].split("=", 1)
                env[key] = value
                i += 1
        elif name == "timeout":
            i += 1  # the duration
        if i >= len(args):
            return None
        name = args[i].rsplit("/", 1)[-1]
        args = args[i + 1 :]
    if not name:
        return None
    if _python().fullmatch(name):  # python -m pip …
        i = _skip_options(args, _PYTHON_VALUE_FLAGS)
        if i > 0 and args[i - 1] == "-m" and i < len(args):
            name, args = args[i], args[i + 1 :]
        elif i > 0 and args[i - 1].startswith("-m") and len(args[i - 1]) > 2:
            name = args[i - 1][2:]
            args = args[i:]
        else:
            return None
    elif name == "uv" and args[:1] == ("pip",):
        name, args = "pip", args[1:]
    if _pip().fullmatch(name):
        name = "pip"
    return _Call(name, tuple(args), env, command)


def _calls(script: ShellScript) -> Iterator[_Call]:
    for command in script.commands:
        call = _unwrap(command)
        if call is not None:
            yield call


# --------------------------------------------------------------------------------------------
# Managers

_APT = frozenset({"apt-get", "apt", "aptitude"})
_APT_VALUES = frozenset(
    {"-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release"}
    | {"--default-release", "--host-architecture"}
)
_APK_VALUES = frozenset(
    {"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir"}
    | {"--keys-dir", "--repositories-file", "--cache-max-age", "--timeout"}
)
_RPM = frozenset({"dnf", "yum", "microdnf", "dnf5", "tdnf"})
_RPM_VALUES = frozenset(
    {"-c", "--config", "--installroot", "--releasever", "--enablerepo", "--disablerepo"}
    | {"--repo", "--repoid", "-x", "--exclude", "--setopt", "-d", "--debuglevel", "-e"}
    | {"--errorlevel", "--forcearch", "--downloaddir", "--destdir", "--comment"}
)
_ZYPPER_VALUES = frozenset(
    {"-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir", "--raw-cache-dir"}
    | {"--solv-cache-dir", "--pkg-cache-dir", "-c", "--config", "--userdata", "-r"}
    | {"--repo", "--from", "-t", "--type"}
)
_PIP_VALUES = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url"}
    | {"--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root"}
    | {"--platform", "--python-version", "--implementation", "--abi", "--only-binary"}
    | {"--no-binary", "--trusted-host", "--src", "--upgrade-strategy", "--progress-bar"}
    | {"--cache-dir", "--log", "--proxy", "--retries", "--timeout", "-C", "--config-settings"}
    | {"--global-option", "--install-option", "--report", "--python", "--exists-action"}
)
_NPM_INSTALL = frozenset(
    {"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal"}
    | {"isntall", "add", "ci", "clean-install", "ic", "install-clean", "isntall-clean"}
)
_NPM_VALUES = frozenset(
    {"--prefix", "--registry", "--cache", "--omit", "--include", "--only", "--loglevel"}
    | {"--userconfig", "-w", "--workspace", "--location", "--tag"}
)
_YARN_VALUES = frozenset(
    {"--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--registry"}
    | {"--mutex", "--global-folder", "--link-folder", "--network-concurrency"}
    | {"--use-yarnrc"}
)
_PNPM_VALUES = frozenset(
    {"--filter", "-F", "--dir", "-C", "--store-dir", "--registry", "--reporter", "--config"}
)
_GEM_VALUES = frozenset(
    {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-p"}
    | {"--http-proxy", "--platform", "-P", "--trust-policy", "--build-root", "-g", "--file"}
)
_COMPOSER_VALUES = frozenset({"-d", "--working-dir"})
_CARGO_VALUES = frozenset(
    {"--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root"}
    | {"--index", "--registry", "--features", "-F", "-j", "--jobs", "--target"}
    | {"--target-dir", "--profile", "--bin", "--example", "--config", "-Z", "--color"}
)
_GO_FLAGS = (
    "C",
    "p",
    "ldflags",
    "gcflags",
    "asmflags",
    "tags",
    "mod",
    "modfile",
    "overlay",
    "pkgdir",
    "toolexec",
    "buildmode",
    "compiler",
    "gccgoflags",
    "installsuffix",
    "pgo",
    "coverpkg",
    "covermode",
    "o",
)
_GO_VALUES = frozenset({"-" + f for f in _GO_FLAGS} | {"--" + f for f in _GO_FLAGS})


def _truthy(value: str | None) -> bool:
    return value is None or value.lower() not in ("false", "0", "no", "off")


def _production(line: _Line, env: dict[str, str]) -> bool:
    """npm/yarn/pnpm flags and environment that leave dev dependencies out."""
    for flag, value in line.options:
        if flag in ("--production", "--prod", "-P") and _truthy(value):
            return True
        if flag == "--omit" and value == "dev":
            return True
        if flag == "--only" and value in ("prod", "production"):
            return True
    if env.get("NODE_ENV") == "production":
        return True
    return env.get("NPM_CONFIG_PRODUCTION", "").lower() == "true"


def _install(call: _Call) -> PackageInstall | None:
    name, args, env, command = call.name, call.args, call.env, call.command
    if name in _APT:
        line = _split(args, _APT_VALUES)
        if line.positional[:1] == ("install",):
            return PackageInstall("apt", line.positional[1:], command)
        return None
    if name == "apk":
        line = _split(args, _APK_VALUES)
        if line.positional[:1] == ("add",):
            return PackageInstall(
                "apk", line.positional[1:], command, no_cache=line.has("--no-cache")
            )
        return None
    if name == "apk-install":
        # gliderlabs/alpine's helper: `apk add --update "$@"`, then it deletes the cache.
        line = _split(args, _APK_VALUES)
        return PackageInstall("apk", line.positional, command, no_cache=True)
    if name in _RPM:
        line = _split(args, _RPM_VALUES)
        if line.positional[:1] in (("install",), ("localinstall",)):
            manager = name if name in ("dnf", "yum", "microdnf") else "dnf"
            return PackageInstall(manager, line.positional[1:], command)
        return None
    if name == "zypper":
        line = _split(args, _ZYPPER_VALUES)
        if line.positional[:1] in (("install",), ("in",)):
            return PackageInstall("zypper", line.positional[1:], command)
        return None
    if name == "pip":
        line = _split(args, _PIP_VALUES)
        if line.positional[:1] != ("install",):
            return None
        packages = tuple(line.values("-e", "--editable")) + line.positional[1:]
        no_cache = line.has("--no-cache-dir") or bool(env.get("PIP_NO_CACHE_DIR"))
        return PackageInstall(
            "pip",
            packages,
            command,
            requirement_files=tuple(line.values("-r", "--requirement")),
            no_cache=no_cache,
        )
    if name == "npm":
        line = _split(args, _NPM_VALUES)
        if not line.positional or line.positional[0] not in _NPM_INSTALL:
            return None
        global_install = line.has("-g", "--global") or "global" in line.values("--location")
        return PackageInstall(
            "npm",
            line.positional[1:],
            command,
            global_install=global_install,
            dev=not global_install and not _production(line, env),
        )
    if name == "yarn":
        line = _split(args, _YARN_VALUES)
        pos = line.positional
        if pos[:2] == ("global", "add"):
            return PackageInstall("yarn", pos[2:], command, global_install=True)
        if not pos and line.has("-v", "--version", "-h", "--help"):
            return None
        if pos and pos[0] not in ("install", "add"):
            return None
        return PackageInstall("yarn", pos[1:], command, dev=not _production(line, env))
    if name == "pnpm":
        line = _split(args, _PNPM_VALUES)
        if line.positional[:1] not in (("install",), ("i",), ("add",)):
            return None
        global_install = line.has("-g", "--global")
        return PackageInstall(
            "pnpm",
            line.positional[1:],
            command,
            global_install=global_install,
            dev=not global_install and not _production(line, env),
        )
    if name == "gem":
        line = _split(args, _GEM_VALUES)
        if line.positional[:1] == ("install",):
            return PackageInstall("gem", line.positional[1:], command, global_install=True)
        return None
    if name == "composer":
        line = _split(args, _COMPOSER_VALUES)
        pos = line.positional
        global_install = pos[:1] == ("global",)
        if global_install:
            pos = pos[1:]
        if pos[:1] not in (("install",), ("require",)):
            return None
        no_cache = line.has("--no-cache") or env.get("COMPOSER_CACHE_DIR") == "/dev/null"
        return PackageInstall(
            "composer",
            pos[1:],
            command,
            no_cache=no_cache,
            global_install=global_install,
            dev=not global_install and not line.has("--no-dev", "--update-no-dev"),
        )
    if name == "cargo":
        line = _split(args, _CARGO_VALUES)
        if line.positional[:1] != ("install",):
            return None
        packages = line.positional[1:] or tuple(line.values("--path", "--git"))
        return PackageInstall("cargo", packages, command, global_install=True)
    if name == "go":
        line = _split(args, _GO_VALUES)
        if line.positional[:1] == ("install",):
            return PackageInstall("go", line.positional[1:], command, global_install=True)
        return None
    return None


def package_installs(script: ShellScript) -> tuple[PackageInstall, ...]:
    """Every package install in ``script``, in source order. A package list held in a
    variable the same script sets (``buildDeps="gcc rsync"; apt-get install $buildDeps``)
    is read as its words."""
    variables = _script_variables(script)
    found = []
    for call in _calls(script):
        install = _install(call)
        if install is not None:
            packages = _expanded(install.packages, variables)
            if packages != install.packages:
                install = replace(install, packages=packages)
            found.append(install)
    return tuple(found)


_VARIABLE_WORD = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _script_variables(script: ShellScript) -> dict[str, str]:
    """The values of plain assignments in ``script`` (``buildDeps=" gcc rsync "``)."""
    found: dict[str, str] = {}
    for cmd in script.commands:
        if cmd.name == "":
            for key, value in cmd.env:
                if "$" not in value and "`" not in value:
                    found[key] = value
    return found


def _expanded(words: tuple[str, ...], variables: dict[str, str]) -> tuple[str, ...]:
    """``words`` with each word that is only ``$NAME`` or ``${NAME}`` of a known variable
    replaced by that variable's words."""
    out: list[str] = []
    for word in words:
        match = _VARIABLE_WORD.fullmatch(word)
        name = match and (match.group(1) or match.group(2))
        if name and name in variables:
            out += variables[name].split()
        else:
            out.append(word)
    return tuple(out)


def _is_index_update(call: _Call) -> bool:
    name = call.name
    if name in _APT:
        return _split(call.args, _APT_VALUES).positional[:1] == ("update",)
    if name == "apk":
        return _split(call.args, _APK_VALUES).positional[:1] == ("update",)
    if name in _RPM:
        return _split(call.args, _RPM_VALUES).positional[:1] in (
            ("makecache",),
            ("check-update",),
        )
    if name == "zypper":
        return _split(call.args, _ZYPPER_VALUES).positional[:1] in (("refresh",), ("ref",))
    return False


def index_updates(script: ShellScript) -> tuple[Command, ...]:
    """``apt-get update`` / ``apt update``, ``apk update``, ``yum``/``dnf makecache`` (and
    ``check-update``), ``zypper refresh``, in source order."""
    return tuple(call.command for call in _calls(script) if _is_index_update(call))


# Directories holding package-manager caches or downloads; ``rm`` of anything under them is a
# cache cleanup.
_CACHE_DIRS = (
    "/var/lib/apt/lists",
    "/var/cache/apt",
    "/var/cache/apk",
    "/etc/apk/cache",
    "/var/cache/yum",
    "/var/cache/dnf",
    "/var/cache/zypp",
    "/tmp",
    "/var/tmp",
    "/usr/local/share/.cache/yarn",
    "/usr/local/cargo/registry",
    "/usr/local/bundle/cache",
    "/go/pkg/mod",
    "$GOPATH/pkg/mod",
)
# The same, relative to a home directory (``/root``, ``/home/USER``, ``~``, ``$HOME``).
_HOME_CACHE_DIRS = (
    ".cache",
    ".npm",
    ".yarn/cache",
    ".composer/cache",
    ".cargo/registry",
    ".local/share/pnpm/store",
    "go/pkg/mod",
)


@cache
def _home() -> re.Pattern[str]:
    return re.compile(r"(?:~|\$HOME|\$\{HOME\}|/root|/home/[^/]+)(?=/|$)")


@cache
def _gopath() -> re.Pattern[str]:
    return re.compile(r"^(?:\$GOPATH|\$\{GOPATH\}|\$\(go env GOPATH\))(?=/|$)")


_RM_VALUES = frozenset({"--interactive"})


def _cache_path(arg: str, cwd: str | None) -> bool:
    path = arg.replace('"', "").replace("'", "")
    if not path:
        return False
    path = _gopath().sub("$GOPATH", path)
    home = _home().match(path)
    if home is not None:
        path = "/root" + path[home.end() :]
    elif not path.startswith(("/", "$")):
        if cwd is None:
            return False
        path = posixpath.join(cwd, path)
    if path.startswith("/"):
        path = posixpath.normpath(path)
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
    prefixes = _CACHE_DIRS + tuple("/root/" + d for d in _HOME_CACHE_DIRS)
    for prefix in prefixes:
        if path.startswith(prefix + "/") or (path == prefix and prefix != "/tmp"):
            return True
    return False


def _is_cleanup(call: _Call, only: bool = False) -> bool:
    """``call`` removes a cache; with ``only``, an ``rm`` removes nothing but caches."""
    name = call.name
    args = call.args
    if name == "rm":
        paths = [_cache_path(p, call.command.cwd) for p in _split(args, _RM_VALUES).positional]
        return bool(paths) and (all(paths) if only else any(paths))
    if name in _APT:
        return _split(args, _APT_VALUES).positional[:1] in (
            ("clean",),
            ("distclean",),
            ("dist-clean",),
        )
    if name == "apk":
        pos = _split(args, _APK_VALUES).positional
        return pos[:1] == ("cache",) and pos[1:2] in (("clean",), ("purge",))
    if name in _RPM:
        return _split(args, _RPM_VALUES).positional[:1] == ("clean",)
    if name == "zypper":
        return _split(args, _ZYPPER_VALUES).positional[:1] in (("clean",), ("cc",))
    if name in ("npm", "yarn"):
        pos = _split(args, _NPM_VALUES if name == "npm" else _YARN_VALUES).positional
        return pos[:1] == ("cache",) and pos[1:2] in (("clean",), ("clear",))
    if name == "pnpm":
        return _split(args, _PNPM_VALUES).positional[:2] == ("store", "prune")
    if name == "pip":
        return _split(args, _PIP_VALUES).positional[:2] == ("cache", "purge")
    if name == "composer":
        return _split(args, _COMPOSER_VALUES).positional[:1] in (
            ("clear-cache",),
            ("clearcache",),
            ("cc",),
        )
    if name == "go":
        line = _split(args, _GO_VALUES)
        return line.positional[:1] == ("clean",) and line.has(
            "-cache", "--cache", "-modcache", "--modcache"
        )
    return False


def cache_cleanups(script: ShellScript) -> tuple[Command, ...]:
    """Commands that remove package-manager caches or index files, in source order: ``rm`` of
    a path under a cache directory (``/var/lib/apt/lists/*``, ``/var/cache/apk``, ``~/.cache``,
    ``/tmp/*``, ``$GOPATH/pkg/mod`` …), ``apt-get clean``, ``apk cache clean``, ``yum``/``dnf
    clean all``, ``npm``/``yarn cache clean``, ``pip cache purge``, ``go clean -cache``…"""
    return tuple(call.command for call in _calls(script) if _is_cleanup(call))


def only_cache_cleanups(script: ShellScript) -> tuple[Command, ...]:
    """The :func:`cache_cleanups` that remove nothing else: ``rm -rf /src /var/cache/apk/*``
    also deletes the sources, so it is not among them."""
    return tuple(call.command for call in _calls(script) if _is_cleanup(call, only=True))


# How each OS package manager removes packages: tool names and subcommands.
_REMOVERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "apt": (frozenset({"apt-get", "apt", "aptitude"}), frozenset({"remove", "purge"})),
    "apk": (frozenset({"apk"}), frozenset({"del"})),
    "dnf": (frozenset({"dnf", "dnf5", "yum", "microdnf"}), frozenset({"remove", "erase"})),
    "yum": (frozenset({"yum", "dnf"}), frozenset({"remove", "erase"})),
    "microdnf": (frozenset({"microdnf"}), frozenset({"remove"})),
    "zypper": (frozenset({"zypper"}), frozenset({"remove", "rm"})),
}


def kept_build_packages(script: ShellScript) -> list[str]:
    """Build-only OS packages a RUN installs and does not remove again in the same RUN (a
    removal in a later RUN does not shrink the earlier layer)."""
    kept: list[str] = []
    for install in package_installs(script):
        if install.manager not in OS_MANAGERS:
            continue
        removed = _removed_later(install, script)
        for package in install.packages:
            if (
                is_build_package(package)
                and bare_package(package) not in removed
                and package not in kept
            ):
                kept.append(package)
    return kept


def _removed_later(install: PackageInstall, script: ShellScript) -> set[str]:
    """Packages of ``install`` (bare names) that a later command of the same RUN removes."""
    return removed_packages(install, script)


def removed_packages(
    install: PackageInstall, script: ShellScript, *, anywhere: bool = False
) -> set[str]:
    """Packages of ``install`` (bare names) that ``script`` removes: after the install when
    it is the same RUN, anywhere in it (``anywhere``) when it is a later RUN."""
    tools, subcommands = _REMOVERS.get(install.manager, (frozenset(), frozenset()))
    group = install.command.flag_value("--virtual", "-t") if install.manager == "apk" else None
    removed: set[str] = set()
    variables = _script_variables(script)
    for cmd in script.commands:
        if not anywhere and cmd.start <= install.command.start:
            continue
        targets = _expanded(_removal_targets(cmd, tools, subcommands), variables)
        names = {bare_package(n) for n in targets}
        if group is not None and group in names:
            return {bare_package(p) for p in install.packages}
        removed |= names
    return removed


def _removal_targets(
    cmd: Command, tools: frozenset[str], subcommands: frozenset[str]
) -> tuple[str, ...]:
    """The packages ``cmd`` removes (``sudo apt-get purge -y gcc`` gives ``("gcc",)``)."""
    words = (cmd.name, *cmd.args)
    for i, word in enumerate(words):
        if word.rsplit("/", 1)[-1] in tools:
            rest = [w for w in words[i + 1 :] if not w.startswith("-")]
            if rest and rest[0] in subcommands:
                return tuple(rest[1:])
            return ()
    return ()
