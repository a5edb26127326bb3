"""Which files a run reads: paths named on the command line as they are, and the Dockerfiles
found in named folders (``Dockerfile``, ``Containerfile``, ``*.Dockerfile``, ``Dockerfile.*``)
that git does not ignore. Also the .gitignore-style patterns that config overrides use."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


@cache
def dockerfile_name_pattern() -> re.Pattern[str]:
    """Names searched for in folders; also ``DOCKERFILE_NAME``. Kept in step with the
    `files` pattern of .pre-commit-hooks.yaml."""
    return re.compile(r"^(?:(?:Dockerfile|Containerfile)(?:\..*)?|.*\.Dockerfile)$")


def __getattr__(name: str) -> Any:
    # ``DOCKERFILE_NAME`` stays importable, compiled when first asked for: a run over named
    # files never searches a folder.
    if name == "DOCKERFILE_NAME":
        return dockerfile_name_pattern()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Names the pattern catches that are not Dockerfiles: BuildKit's per-Dockerfile ignore files,
# backups (--backup writes Dockerfile.orig), editor leftovers and templates.
NOT_DOCKERFILE_SUFFIXES = (
    ".dockerignore",
    ".orig",
    ".bak",
    ".rej",
    ".swp",
    ".tmp",
    "~",
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".template",
)
# Folders never searched: version control and dependency or tool caches.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
)
GIT_TIMEOUT = 30


def is_dockerfile_name(name: str) -> bool:
    return bool(dockerfile_name_pattern().match(name)) and not name.endswith(
        NOT_DOCKERFILE_SUFFIXES
    )


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    """Paths to read, in order, without duplicates: named files (also ``-``) as given, found
    files as ``folder/relative/path``."""
    empty: list[str] = field(default_factory=list)
    """Named folders in which no Dockerfile was found."""
    folders: bool = False
    """Whether any path named a folder."""


def discover(paths: Sequence[str]) -> Discovery:
    """Expand ``paths``: a folder is searched recursively, anything else is kept as given (a
    missing file is reported when it is read)."""
    found = Discovery()
    seen: set[str] = set()

    def add(path: str) -> None:
        key = path if path == "-" else os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for path in paths:
        if path != "-" and os.path.isdir(path):
            found.folders = True
            inside = search_folder(path)
            if not inside:
                found.empty.append(path)
            for name in inside:
                add(os.path.normpath(os.path.join(path, name)))
        else:
            add(path)
    return found


def search_folder(folder: str) -> list[str]:
    """Dockerfiles under ``folder`` that are not ignored, as sorted relative POSIX paths.
    Inside a git work tree git decides (``git check-ignore``: .gitignore files, the global
    excludes file, tracked files never ignored); elsewhere .gitignore files are read."""
    root = Path(folder)
    if _git_toplevel(root) is not None:
        kept = _git_filter(root, _walk(root, prune=None))
        if kept is not None:
            return sorted(kept)
        # The folder itself is ignored, yet named on purpose: search it, minding only the
        # .gitignore files inside it.
        return sorted(_walk(root, prune=_IgnoreFiles()))
    return sorted(_walk(root, prune=_IgnoreFiles.above(root)))


# -- walking -----------------------------------------------------------------------------------


def _walk(root: Path, prune: _IgnoreFiles | None) -> list[str]:
    """Relative POSIX paths of Dockerfile-named files under ``root``; with ``prune``, .gitignore
    files found on the way are read and what they ignore is skipped."""
    found: list[str] = []
    stack: list[tuple[Path, str, _IgnoreFiles | None]] = [(root, "", prune)]
    while stack:
        folder, rel, ignores = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if ignores is not None:
            ignores = ignores.entering(folder, rel, entries)
        for entry in entries:
            name = entry.name
            path = f"{rel}{name}"
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name in SKIP_DIRS or (ignores is not None and ignores.ignored(path, True)):
                    continue
                stack.append((Path(entry.path), path + "/", ignores))
            elif is_dockerfile_name(name):
                if ignores is not None and ignores.ignored(path, False):
                    continue
                if entry.is_file():  # a link to a file counts, a dangling link does not
                    found.append(path)
    return found


# -- git ---------------------------------------------------------------------------------------


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> tuple[int, bytes] | None:
    import subprocess  # only folders need git: a single file stays off this import

    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.returncode, done.stdout


def _git_toplevel(folder: Path) -> Path | None:
    result = _git(["rev-parse", "--show-toplevel"], folder)
    if result is None or result[0] != 0:
        return None
    return Path(os.fsdecode(result[1]).strip())


def _git_filter(root: Path, candidates: list[str]) -> list[str] | None:
    """``candidates`` less those git ignores, asking once per work tree (a nested repository
    or submodule answers for its own files); ``None`` when git ignores ``root`` itself."""
    groups: dict[str, list[str]] = {}
    for path in candidates:
        groups.setdefault(_nested_root(root, path), []).append(path)
    kept: list[str] = []
    for base, paths in groups.items():
        cwd = root / base if base else root
        inner = [p[len(base) :] if base else p for p in paths]
        asked = inner if base else [".", *inner]
        result = _git(["check-ignore", "--stdin", "-z"], cwd, "\0".join(asked).encode() + b"\0")
        if result is None or result[0] not in (0, 1):
            # git could not answer (a bare folder named .git, an odd ownership check): read
            # the .gitignore files instead.
            ignores = _IgnoreFiles.above(cwd)
            kept.extend(base + p for p in inner if not ignores.ignored_path(cwd, p))
            continue
        ignored = {os.fsdecode(p) for p in result[1].split(b"\0") if p}
        if not base and "." in ignored:
            return None
        kept.extend(base + p for p in inner if p not in ignored)
    return kept


def _nested_root(root: Path, path: str) -> str:
    """The deepest folder of ``path`` (relative to ``root``) that holds its own ``.git``, as a
    ``"a/b/"`` prefix, or ``""``."""
    parts = path.split("/")[:-1]
    for depth in range(len(parts), 0, -1):
        prefix = "/".join(parts[:depth])
        if (root / prefix / ".git").exists():
            return prefix + "/"
    return ""


# -- .gitignore patterns -----------------------------------------------------------------------


class GlobSet:
    """Patterns with .gitignore meaning, relative to one folder: ``*`` and ``?`` stay within a
    path segment, ``**`` crosses them, a pattern with a slash is anchored to the folder, one
    without matches a name at any depth, a trailing ``/`` matches folders only, ``!``
    re-includes, and the last matching pattern wins."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._rules: list[tuple[re.Pattern[str], bool, bool]] = []
        for line in lines:
            rule = _compile(line)
            if rule is not None:
                self._rules.append(rule)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def match(self, path: str, is_dir: bool = False) -> bool | None:
        """``True`` matched, ``False`` re-included by a ``!`` pattern, ``None`` no pattern
        says anything about ``path`` itself."""
        for regex, negate, dir_only in reversed(self._rules):
            if dir_only and not is_dir:
                continue
            if regex.match(path):
                return not negate
        return None

    def matches_file(self, path: str) -> bool:
        """Whether a file at relative POSIX ``path`` is matched, also through a matched
        parent folder (``legacy/`` matches ``legacy/api/Dockerfile``)."""
        parts = path.split("/")
        for depth in range(1, len(parts)):
            if self.match("/".join(parts[:depth]), is_dir=True):
                return True
        return bool(self.match(path))


def _compile(line: str) -> tuple[re.Pattern[str], bool, bool] | None:
    line = line.rstrip("\r\n")
    if not line or line.startswith("#"):
        return None
    # Trailing spaces are dropped unless escaped with a backslash.
    line = re.sub(r"(?<!\\)\s+$", "", line)
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    regex = _translate(line.lstrip("/"))
    return re.compile(("" if anchored else "(?:.*/)?") + regex + r"\Z", re.S), negate, dir_only


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            at_start = i == 0 or pattern[i - 1] == "/"
            if j - i == 2 and at_start and j < n and pattern[j] == "/":
                out.append("(?:[^/]*/)*")  # "**/": no or any folders
                i = j + 1
            elif j - i == 2 and at_start and j == n:
                out.append(".*")  # trailing "/**": everything inside
                i = j
            else:
                out.append("[^/]*")
                i = j
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(r"\[")
                i += 1
                continue
            body = pattern[i + 1 : j]
            negated = body[:1] in ("!", "^")
            if negated:
                body = body[1:]
            body = body.replace("\\", "\\\\")
            out.append(f"[{'^/' if negated else ''}{body}]")
            i = j + 1
        elif char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Layer:
    """One .gitignore (or info/exclude) file, placed relative to the search root."""

    globs: GlobSet
    below: str = ""
    """Its folder relative to the search root (``"a/b/"``), for a file found while walking."""
    above: str = ""
    """The search root relative to its folder (``"x/y/"``), for a file above the root."""

    def local(self, path: str) -> str | None:
        """``path`` (relative to the search root) as this file's patterns see it, or ``None``
        when it is not under the file's folder."""
        if self.below:
            return path[len(self.below) :] if path.startswith(self.below) else None
        return self.above + path


class _IgnoreFiles:
    """The .gitignore files in effect in one folder, for searches outside a git work tree (or
    when git cannot answer), deepest last."""

    def __init__(self, layers: tuple[_Layer, ...] = ()) -> None:
        self._layers = layers

    @classmethod
    def above(cls, folder: Path) -> _IgnoreFiles:
        """The files from the work tree's top (the nearest folder above ``folder`` with a
        ``.git``, plus its ``.git/info/exclude``) down to ``folder``'s parent; none when no
        work tree holds ``folder`` (its own .gitignore files are read while walking)."""
        folder = folder.resolve()
        chain = [folder, *folder.parents]
        top = next((p for p in chain if (p / ".git").exists()), None)
        if top is None:
            return cls()
        layers: list[_Layer] = []
        exclude = _read_globs(top / ".git" / "info" / "exclude")
        if exclude:
            layers.append(_Layer(exclude, above=_prefix(folder, top)))
        for parent in reversed(chain[1 : chain.index(top) + 1]):
            globs = _read_globs(parent / ".gitignore")
            if globs:
                layers.append(_Layer(globs, above=_prefix(folder, parent)))
        return cls(tuple(layers))

    def entering(self, folder: Path, rel: str, entries: list[os.DirEntry[str]]) -> _IgnoreFiles:
        """These files plus ``folder``'s own .gitignore (``rel`` from the search root)."""
        if not any(e.name == ".gitignore" for e in entries):
            return self
        globs = _read_globs(folder / ".gitignore")
        return _IgnoreFiles((*self._layers, _Layer(globs, below=rel))) if globs else self

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (relative to the search root) is ignored; the folders on its way
        are assumed to be searched, so not ignored themselves."""
        for layer in reversed(self._layers):
            local = layer.local(path)
            if local is None:
                continue
            verdict = layer.globs.match(local, is_dir)
            if verdict is not None:
                return verdict
        return False

    def ignored_path(self, root: Path, path: str) -> bool:
        """Whether a file, or a folder on its way from ``root``, is ignored, reading the
        .gitignore files below ``root`` on the way."""
        ignores = self
        parts = path.split("/")
        for depth in range(len(parts)):
            rel = "".join(f"{part}/" for part in parts[:depth])
            try:
                entries = list(os.scandir(root / rel))
            except OSError:
                entries = []
            ignores = ignores.entering(root / rel, rel, entries)
            if depth + 1 < len(parts) and ignores.ignored(rel + parts[depth], True):
                return True
        return ignores.ignored(path, False)


def _prefix(folder: Path, ancestor: Path) -> str:
    rel = folder.relative_to(ancestor).as_posix()
    return "" if rel == "." else f"{rel}/"


def _read_globs(path: Path) -> GlobSet:
    try:
        return GlobSet(path.read_text("utf-8", errors="replace").splitlines())
    except OSError:
        return GlobSet(())
