"""Client settings to :class:`dockerslim_refactor.options.Options`.

Settings come from ``initializationOptions`` and from ``workspace/configuration`` (section
``dockerslim-refactor``), either as that section's object or wrapped in it::

    {"runtime": "distroless", "runtimeImage": null, "stageName": "build",
     "nonRoot": false, "keepCommand": false, "javaModules": ["jdk.localedata"],
     "disabledRules": ["DSR002"]}

``keepRoot`` (the first release's opt-out of its non-root default) is still read.

A value of the wrong type or out of range is ignored (the default stays) and reported, so a
typo in an editor's settings never stops the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from dockerslim_refactor.document import STAGE_NAME
from dockerslim_refactor.options import JAVA_MODULE, RUNTIME_CHOICES, Options

SECTION = "dockerslim-refactor"
KEYS = (
    "runtime",
    "runtimeImage",
    "stageName",
    "nonRoot",
    "keepRoot",
    "keepCommand",
    "javaModules",
    "disabledRules",
)


def section_of(settings: Any) -> Mapping[str, Any] | None:
    """Our settings inside ``settings``: the ``dockerslim-refactor`` member when there is one,
    else ``settings`` itself when it holds one of our keys, else ``None``."""
    if not isinstance(settings, Mapping):
        return None
    inner = settings.get(SECTION)
    if isinstance(inner, Mapping):
        return inner
    if any(key in settings for key in KEYS):
        return settings
    return None


def apply_settings(options: Options, settings: Any) -> tuple[Options, list[str]]:
    """``options`` with the recognised values of ``settings`` applied, and a message for each
    value that was ignored."""
    section = section_of(settings)
    if section is None:
        return options, []
    problems: list[str] = []
    changes: dict[str, Any] = {}

    def bad(key: str, why: str) -> None:
        problems.append(f"{SECTION}.{key}: {why}; ignored")

    if "runtime" in section:
        value = section["runtime"]
        if value is None:
            changes["runtime"] = "auto"
        elif isinstance(value, str) and value in RUNTIME_CHOICES:
            changes["runtime"] = value
        else:
            bad("runtime", f"{value!r} is not one of {', '.join(RUNTIME_CHOICES)}")
    if "runtimeImage" in section:
        value = section["runtimeImage"]
        if value is None or value == "":
            changes["runtime_image"] = None
        elif isinstance(value, str) and not any(c.isspace() for c in value):
            changes["runtime_image"] = value
        else:
            bad("runtimeImage", f"{value!r} is not an image reference")
    if "stageName" in section:
        value = section["stageName"]
        if value is None or value == "":
            changes["stage_name"] = "builder"
        elif isinstance(value, str) and STAGE_NAME.fullmatch(value):
            changes["stage_name"] = value
        else:
            bad(
                "stageName",
                f"{value!r}: use lower-case letters, digits, '.', '_' or '-', starting with a "
                "letter",
            )
    for key in ("nonRoot", "keepRoot"):
        if key not in section:
            continue
        value = section[key]
        if value is None:
            changes["non_root"] = False
        elif isinstance(value, bool):
            # keepRoot is the first release's opt-out of its non-root default.
            changes["non_root"] = value if key == "nonRoot" else not value
        else:
            bad(key, f"{value!r} is not true or false")
    if "keepCommand" in section:
        value = section["keepCommand"]
        if value is None:
            changes["keep_command"] = False
        elif isinstance(value, bool):
            changes["keep_command"] = value
        else:
            bad("keepCommand", f"{value!r} is not true or false")
    if "javaModules" in section:
        value = section["javaModules"]
        if value is None or value == {}:  # {}: an empty Lua table, as Neovim encodes []
            changes["java_modules"] = ()
        elif isinstance(value, (list, tuple)) and all(
            isinstance(v, str) and JAVA_MODULE.fullmatch(v.strip()) for v in value
        ):
            changes["java_modules"] = tuple(dict.fromkeys(v.strip() for v in value))
        else:
            bad("javaModules", f"{value!r} is not a list of Java module names")
    if "disabledRules" in section:
        value = section["disabledRules"]
        if value is None or value == {}:  # {}: an empty Lua table, as Neovim encodes []
            changes["disabled_rules"] = frozenset()
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            changes["disabled_rules"] = frozenset(v.strip().upper() for v in value if v.strip())
        else:
            bad("disabledRules", f"{value!r} is not a list of rule codes")
    return replace(options, **changes), problems


def options_to_json(options: Options) -> dict[str, Any]:
    """``options`` as JSON values (tuples and frozensets become sorted lists)."""
    data: dict[str, Any] = {}
    for f in fields(options):
        value = getattr(options, f.name)
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


def options_from_json(data: Mapping[str, Any]) -> Options:
    """The inverse of :func:`options_to_json`; unknown names are ignored."""
    defaults = Options()
    values: dict[str, Any] = {}
    for f in fields(Options):
        if f.name not in data:
            continue
        value = data[f.name]
        default = getattr(defaults, f.name)
        if isinstance(default, frozenset):
            value = frozenset(value)
        elif isinstance(default, tuple):
            value = tuple(value)
        values[f.name] = value
    return Options(**values)
