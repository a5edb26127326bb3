"""Settings from configuration files: ``.dockerslim-refactor.toml`` or the
``[tool.dockerslim-refactor]`` table of ``pyproject.toml``, found upward from each Dockerfile
(the nearest wins, the .toml over a pyproject.toml in the same folder), with ``overrides``
for the files their ``paths`` globs match. Command-line flags win over all of it."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dockerslim_refactor.discovery import GlobSet

# Looking for a configuration file costs a few stat calls and imports nothing: the TOML reader,
# the glob matcher and the tables that values are checked against come in when a file is read.

CONFIG_NAME = ".dockerslim-refactor.toml"
PYPROJECT = "pyproject.toml"
TABLE = "dockerslim-refactor"
KEYS = (
    "runtime",
    "stage-name",
    "disable",
    "fail-level",
    "rules-version",
    "non-root",
    "keep-root",
    "keep-command",
    "java-modules",
)


@cache
def code_pattern() -> re.Pattern[str]:
    """A rule code (``DSR002``); also ``CODE``."""
    return re.compile(r"[A-Za-z]+[0-9]+")


def __getattr__(name: str) -> Any:
    # ``CODE`` stays importable, compiled when first asked for.
    if name == "CODE":
        return code_pattern()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ConfigError(Exception):
    """A configuration file that cannot be used: ``path[:line]: message``."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Settings:
    """What one file's configuration sets; ``None`` leaves the choice to the default."""

    runtime: str | None = None
    stage_name: str | None = None
    disable: tuple[str, ...] | None = None
    fail_level: str | None = None
    rules_version: int | None = None
    non_root: bool | None = None
    keep_command: bool | None = None
    java_modules: tuple[str, ...] | None = None

    def updated(self, other: Settings) -> Settings:
        """These settings with every key ``other`` sets replaced."""
        changes = {f.name: getattr(other, f.name) for f in fields(other)}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@dataclass(frozen=True)
class Override:
    paths: GlobSet
    settings: Settings


@dataclass(frozen=True)
class Config:
    path: Path
    settings: Settings
    overrides: tuple[Override, ...] = ()

    @property
    def folder(self) -> Path:
        return self.path.parent

    def settings_for(self, file: str | Path) -> Settings:
        """The settings for ``file``: the top-level keys, then every override whose ``paths``
        match it (relative to the config file's folder), later ones winning."""
        settings = self.settings
        if not self.overrides:
            return settings
        rel = Path(os.path.relpath(Path(file).resolve(), self.folder.resolve())).as_posix()
        for override in self.overrides:
            if override.paths.matches_file(rel):
                settings = settings.updated(override.settings)
        return settings


@cache
def _mentions_table() -> re.Pattern[str]:
    """`[tool.dockerslim-refactor]`, `[tool."dockerslim-refactor".overrides]` or a bare
    `[tool]`."""
    return re.compile(r'^\s*\[+\s*tool\s*(\]|\.\s*"?' + re.escape(TABLE) + ")", re.M)


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


def load(path: str | Path, shown: str | None = None) -> Config:
    """Read a ``.dockerslim-refactor.toml`` (top-level keys) or a ``pyproject.toml`` (its
    ``[tool.dockerslim-refactor]`` table, empty when there is none); errors name the file as
    ``shown``."""
    path = Path(path)
    shown = shown or str(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(shown, "no such file") from None
    except IsADirectoryError:
        raise ConfigError(shown, "is a folder, not a configuration file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(shown, f"cannot read: {getattr(err, 'strerror', None) or err}") from None
    try:
        data = _toml_loads(text)
    except ValueError as err:  # tomllib.TOMLDecodeError
        message = str(err)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ConfigError(shown, f"invalid TOML: {message}", line) from None
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get(TABLE, {})
        where = f"[tool.{TABLE}]"
    else:
        table, where = data, ""
    if not isinstance(table, dict):
        raise ConfigError(shown, f"{where or 'the file'} must be a table")
    return _config(path, shown, table, where)


def _config(path: Path, shown: str, table: Mapping[str, Any], where: str) -> Config:
    from dockerslim_refactor.discovery import GlobSet

    known = (*KEYS, "overrides")
    for key in table:
        if key not in known:
            raise ConfigError(
                shown, f"{_key(where, key)}: unknown key (known: {', '.join(known)})", None
            )
    overrides = []
    raw_overrides = table.get("overrides", [])
    if not isinstance(raw_overrides, list) or not all(isinstance(o, dict) for o in raw_overrides):
        raise ConfigError(shown, f"{_key(where, 'overrides')}: use [[overrides]] tables")
    for index, entry in enumerate(raw_overrides, 1):
        label = _key(where, f"overrides #{index}")
        for key in entry:
            if key not in (*KEYS, "paths"):
                raise ConfigError(
                    shown, f"{label}: unknown key {key!r} (known: paths, {', '.join(KEYS)})"
                )
        paths = entry.get("paths")
        if (
            not isinstance(paths, list)
            or not paths
            or not all(isinstance(p, str) and p.strip() for p in paths)
        ):
            raise ConfigError(shown, f"{label}: paths must be a list of globs")
        settings = _settings(shown, label, entry)
        overrides.append(Override(GlobSet(paths), settings))
    return Config(path, _settings(shown, where, table), tuple(overrides))


def _key(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _settings(shown: str, where: str, table: Mapping[str, Any]) -> Settings:
    from dockerslim_refactor.document import stage_name_pattern
    from dockerslim_refactor.options import JAVA_MODULE, RUNTIME_CHOICES
    from dockerslim_refactor.ruleset import FAIL_LEVELS, RULE_SETS

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(shown, f"{_key(where, key)}: {message}")

    values: dict[str, Any] = {}
    if "runtime" in table:
        value = table["runtime"]
        if value not in RUNTIME_CHOICES:
            raise fail("runtime", f"{value!r}: choose one of {', '.join(RUNTIME_CHOICES)}")
        values["runtime"] = value
    if "stage-name" in table:
        value = table["stage-name"]
        if not isinstance(value, str) or not stage_name_pattern().fullmatch(value):
            raise fail(
                "stage-name",
                f"{value!r}: use lower-case letters, digits, '.', '_' or '-', starting with a "
                "letter",
            )
        values["stage_name"] = value
    if "disable" in table:
        value = table["disable"]
        if not isinstance(value, list) or not all(
            isinstance(c, str) and code_pattern().fullmatch(c) for c in value
        ):
            raise fail("disable", 'use a list of rule codes, like ["DSR002", "DSR005"]')
        values["disable"] = tuple(c.upper() for c in value)
    if "fail-level" in table:
        value = table["fail-level"]
        if value not in FAIL_LEVELS:
            raise fail("fail-level", f"{value!r}: choose one of {', '.join(FAIL_LEVELS)}")
        values["fail_level"] = value
    if "rules-version" in table:
        value = table["rules-version"]
        if isinstance(value, bool) or value not in RULE_SETS:
            versions = ", ".join(str(v) for v in sorted(RULE_SETS))
            raise fail("rules-version", f"{value!r}: known versions are {versions}")
        values["rules_version"] = value
    for key in ("non-root", "keep-root"):
        if key in table:
            value = table[key]
            if not isinstance(value, bool):
                raise fail(key, f"{value!r}: use true or false")
            # keep-root is the first release's opt-out of its non-root default.
            values["non_root"] = value if key == "non-root" else not value
    if "keep-command" in table:
        value = table["keep-command"]
        if not isinstance(value, bool):
            raise fail("keep-command", f"{value!r}: use true or false")
        values["keep_command"] = value
    if "java-modules" in table:
        value = table["java-modules"]
        if not isinstance(value, list) or not all(
            isinstance(m, str) and JAVA_MODULE.fullmatch(m) for m in value
        ):
            raise fail("java-modules", 'use a list of Java module names, like ["jdk.localedata"]')
        values["java_modules"] = tuple(value)
    return Settings(**values)


class ConfigFinder:
    """Finds and caches the configuration for each folder of a run."""

    def __init__(self) -> None:
        self._by_folder: dict[Path, Config | ConfigError | None] = {}

    def find(self, file: str | Path) -> Config | None:
        """The nearest configuration above ``file`` (``-`` looks from the working folder), or
        ``None``. Raises :class:`ConfigError` for one that cannot be used."""
        start = Path.cwd() if str(file) == "-" else Path(file).resolve().parent
        found = self._lookup(start)
        if isinstance(found, ConfigError):
            raise found
        return found

    def _lookup(self, folder: Path) -> Config | ConfigError | None:
        walked: list[Path] = []
        found: Config | ConfigError | None = None
        for candidate in (folder, *folder.parents):
            if candidate in self._by_folder:
                found = self._by_folder[candidate]
                break
            walked.append(candidate)
            found = _config_in(candidate)
            if found is not None:
                break
        for path in walked:
            self._by_folder[path] = found
        return found


def _config_in(folder: Path) -> Config | ConfigError | None:
    own = folder / CONFIG_NAME
    try:
        if own.is_file():
            return load(own, _shown(own))
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return load(pyproject, _shown(pyproject))
    except ConfigError as err:
        return err
    return None


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, for shorter messages."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _has_table(pyproject: Path) -> bool:
    """Whether ``pyproject`` configures this tool; a cheap text test first, so that folders
    with a pyproject.toml for other tools cost no TOML parse."""
    try:
        text = pyproject.read_text("utf-8", errors="replace")
    except OSError:
        return False
    if not _mentions_table().search(text):
        return False  # the project's own name may be "dockerslim-refactor": look for a table
    try:
        data = _toml_loads(text)
    except ValueError:
        return True  # ours, broken: load() reports where
    tool = data.get("tool")
    return isinstance(tool, dict) and TABLE in tool
