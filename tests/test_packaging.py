"""The wheel a `pip install .` user gets holds every package and the templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel).namelist()


def test_every_package_of_the_source_tree_is_in_the_wheel(wheel_names: list[str]) -> None:
    packages = {
        ("dockerslim_refactor/" + p.parent.relative_to(ROOT / "refactor").as_posix()).rstrip("/.")
        for p in (ROOT / "refactor").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    shipped = {name.rsplit("/", 1)[0] for name in wheel_names if name.endswith("/__init__.py")}
    assert packages <= shipped, packages - shipped


def test_every_template_is_in_the_wheel(wheel_names: list[str]) -> None:
    templates = {p.name for p in (ROOT / "templates").glob("*.j2")}
    shipped = {
        name.rsplit("/", 1)[1]
        for name in wheel_names
        if name.startswith("dockerslim_refactor/templates/")
    }
    assert templates and templates == shipped


def test_the_tools_own_dockerfile_is_left_alone_with_no_warning() -> None:
    from dockerslim_refactor.rewrite import rewrite

    root = Path(__file__).resolve().parents[1]
    result = rewrite((root / "Dockerfile").read_text(encoding="utf-8"))
    assert result.output is None and "already a multi-stage build" in result.reason
    assert [f for f in result.analysis.findings if f.severity != "info"] == []
    # The image context holds what the build copies, and nothing else.
    ignored = (root / ".dockerignore").read_text(encoding="utf-8").split()
    assert ignored[ignored.index("*") + 1 :][:4] == [
        "!pyproject.toml",
        "!README.md",
        "!refactor/",
        "!templates/",
    ]
