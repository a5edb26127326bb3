"""Fixtures for the rule specs: analyse Dockerfile text and run one rule on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from textwrap import dedent
from types import ModuleType

import pytest

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.document import parse
from dockerslim_refactor.findings import analyze
from dockerslim_refactor.options import Options

Span = tuple[str, int, int]


def _analysis(
    text: str, options: Options | None = None, context_files: Mapping[str, str] | None = None
) -> Analysis:
    return analyze(parse(dedent(text).lstrip("\n")), options or Options(), context_files)


def _check(
    rule: ModuleType,
    text: str,
    options: Options | None = None,
    context_files: Mapping[str, str] | None = None,
) -> list[Finding]:
    return list(rule.check(_analysis(text, options, context_files)))


def _spans(
    rule: ModuleType,
    text: str,
    options: Options | None = None,
    context_files: Mapping[str, str] | None = None,
) -> list[Span]:
    return sorted((f.code, f.line, f.end_line) for f in _check(rule, text, options, context_files))


@pytest.fixture
def analysis() -> Callable[..., Analysis]:
    """``analysis(text, options=None, context_files=None)``: the text is dedented."""
    return _analysis


@pytest.fixture
def check() -> Callable[..., list[Finding]]:
    """``check(rule, text, options=None, context_files=None)``: the rule's findings."""
    return _check


@pytest.fixture
def spans() -> Callable[..., list[Span]]:
    """``spans(rule, text, options=None, context_files=None)``: sorted (code, line, end_line)."""
    return _spans
