"""The rules: one module per finding code, found automatically. Each module defines
``CODE``, ``NAME``, ``SEVERITY``, a docstring with the sections *What it does*, *Why is this
bad?*, *Example* and *Fix safety*, and ``check(analysis) -> Iterable[Finding]``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Analysis, Finding


@cache
def all_rules() -> tuple[ModuleType, ...]:
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "CODE") and hasattr(module, "check"):
            modules.append(module)
    return tuple(sorted(modules, key=lambda m: m.CODE))


def detector_notes(analysis: Analysis, code: str) -> tuple[Finding, ...]:
    """The findings an ecosystem detector made under ``code``: rules DSR100-DSR103 document
    them and pass them through, the detectors being the ones that know."""
    if analysis.build is None:
        return ()
    return tuple(f for f in analysis.build.findings if f.code == code)


def run_rules(analysis: Analysis) -> tuple[Finding, ...]:
    disabled = analysis.options.disabled_rules
    findings: list[Finding] = []
    for rule in all_rules():
        if rule.CODE in disabled:
            continue
        findings.extend(f for f in rule.check(analysis) if f.code not in disabled)
    return tuple(sorted(findings, key=lambda f: (f.line, f.code)))
