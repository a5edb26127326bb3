"""Which findings fail a build: the rule sets pinned by ``--rules-version`` and the
``--fail-level`` threshold. A finding outside the pinned set is still reported, but never
raises the exit code, so an upgrade that adds a rule does not break a pinned build."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Finding

# Only rules about the Dockerfile as written can fail a build. DSR100–DSR104 are the tool's
# notes about its own rewrite (what it is unsure of, how it links, which user it adds): they
# inform, never fail. DSR105 (a secret in ENV/ARG) is a real finding despite its number.
# DSR900 (an unused ignore pragma) is reported only with --warn-unused-ignores.
# A new rule joins a new set, never an existing one: add RULE_SETS[n + 1] and bump CURRENT.
RULE_SETS: dict[int, frozenset[str]] = {
    1: frozenset({"DSR001", "DSR002", "DSR003", "DSR004", "DSR005", "DSR006", "DSR105", "DSR900"}),
}
CURRENT = 1
"""The set used when no version is pinned."""

FAIL_LEVELS = ("error", "warning", "info", "none")
DEFAULT_FAIL_LEVEL = "none"
"""``analyze`` reports and exits 0 unless asked to fail: it stays a report by default."""
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def can_fail(code: str, rules_version: int = CURRENT) -> bool:
    return code in RULE_SETS[rules_version]


def fails(finding: Finding, fail_level: str, rules_version: int = CURRENT) -> bool:
    """Whether ``finding`` raises the exit code under ``fail_level`` and the pinned set."""
    if fail_level == "none" or not can_fail(finding.code, rules_version):
        return False
    return SEVERITY_RANK.get(finding.severity, 0) >= SEVERITY_RANK[fail_level]


def first_version(code: str) -> int | None:
    """The first rules version whose set holds ``code``, or ``None`` for a note that never
    fails."""
    for version in sorted(RULE_SETS):
        if code in RULE_SETS[version]:
            return version
    return None
