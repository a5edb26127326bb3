"""Every rule module is registered, complete and documented; codes are unique."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from dockerslim_refactor.analysis.model import SEVERITIES
from dockerslim_refactor.rules import all_rules

RULES = all_rules()
HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Fix safety")
APPS = Path(__file__).resolve().parents[1] / "e2e" / "apps"
CORPUS = {
    **{f"app-{p.parent.name}": p.read_text() for p in sorted(APPS.glob("*/Dockerfile"))},
    "chain-and-caches": (
        "FROM python\n"
        "RUN apt-get update && apt-get install -y gcc && pip install flask && cd /tmp\n"
        "USER root\n"
        'CMD ["python", "-m", "flask"]\n'
    ),
    "multi-stage": (
        "FROM golang:1.22 AS builder\nRUN go build -o /app .\n"
        'FROM alpine:latest\nCOPY --from=builder /app /app\nCMD ["/app"]\n'
    ),
}


def _id(rule: ModuleType) -> str:
    return rule.__name__.rsplit(".", 1)[-1]


def test_the_documented_rules_are_registered() -> None:
    codes = {rule.CODE for rule in RULES}
    expected = {"DSR001", "DSR002", "DSR003", "DSR004", "DSR005", "DSR006"}
    expected |= {"DSR100", "DSR101", "DSR102", "DSR103"}
    assert expected <= codes


def test_codes_and_names_are_unique() -> None:
    codes = [rule.CODE for rule in RULES]
    names = [rule.NAME for rule in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_rule_constants(rule: ModuleType) -> None:
    assert re.fullmatch(r"DSR\d{3}", rule.CODE)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.NAME)
    assert rule.SEVERITY in SEVERITIES
    assert rule.FIX is None or (isinstance(rule.FIX, str) and rule.FIX and "\n" not in rule.FIX)
    assert isinstance(rule.FIX_SAFE, bool)
    assert callable(rule.check)


@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_module_is_named_after_its_code(rule: ModuleType) -> None:
    assert _id(rule).startswith(rule.CODE.lower() + "_")


@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_docstring_has_the_four_headings_in_order(rule: ModuleType) -> None:
    doc = rule.__doc__ or ""
    lines = [line.strip() for line in doc.splitlines()]
    missing = [h for h in HEADINGS if h not in lines]
    assert not missing, f"missing headings: {missing}"
    positions = [lines.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    example = doc.split("## Example", 1)[1].split("## Fix safety", 1)[0]
    assert "```dockerfile" in example


@pytest.mark.parametrize("name", sorted(CORPUS))
@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_findings_are_well_formed(analysis, rule: ModuleType, name: str) -> None:
    result = analysis(CORPUS[name])
    line_count = len(result.document.lines)
    for finding in rule.check(result):
        assert finding.code == rule.CODE
        assert finding.severity in SEVERITIES
        assert 1 <= finding.line <= finding.end_line <= line_count
        assert finding.message.strip()
