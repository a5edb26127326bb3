"""The language-server tests need pytest-lsp (a real LSP client); helpers live in
lsp_support.py."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

try:
    import pytest_lsp  # noqa: F401
except ImportError:  # outside CI only: there a missing test dependency must fail
    if os.environ.get("CI"):
        raise
    pytest.skip("pytest-lsp is not installed (pip install pytest-lsp)", allow_module_level=True)


@pytest.fixture
def file_uri(tmp_path: Path) -> Callable[[str], str]:
    """``file_uri(name)``: a URI in an empty build context folder."""

    def make(name: str = "Dockerfile") -> str:
        return (tmp_path / name).as_uri()

    return make
