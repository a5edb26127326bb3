"""Golden tests over samples/: each <name>.after.Dockerfile is the exact rewrite of
<name>.before.Dockerfile (or the same bytes when the file is left alone); every after-file
parses with BuildKit's parser, and rewriting it again changes nothing."""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest

from dockerslim_refactor.rewrite import rewrite

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BEFORE = sorted(SAMPLES.glob("*.before.Dockerfile"))


def _after(before: Path) -> Path:
    return before.with_name(before.name.replace(".before.", ".after."))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_there_are_enough_samples():
    assert len(BEFORE) >= 14
    assert all(_after(b).is_file() for b in BEFORE)


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: p.name.split(".")[0])
def test_after_is_the_exact_rewrite(before: Path):
    result = rewrite(_read(before))
    expected = _read(_after(before))
    produced = result.output if result.output is not None else _read(before)
    assert produced == expected


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: p.name.split(".")[0])
def test_after_parses_with_buildkit(before: Path):
    commands = dockerfile.parse_string(_read(_after(before)))
    assert [c.cmd for c in commands].count("FROM") >= 1


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: p.name.split(".")[0])
def test_rewriting_the_after_file_changes_nothing(before: Path):
    after = _read(_after(before))
    again = rewrite(after)
    assert again.output is None or again.output == after


@pytest.mark.parametrize(
    "name",
    [
        "leave-multistage",
        "leave-nginx-static",
        "leave-go-devtools",
        "leave-scratch",
        "leave-cleans-up-in-one-run",
        "leave-python-setup-script",
        "leave-elixir-mix",
        "leave-dev-image-build-script",
        "leave-rpm-file",
    ],
)
def test_left_alone_samples_are_unchanged(name: str):
    before = SAMPLES / f"{name}.before.Dockerfile"
    result = rewrite(_read(before))
    assert result.output is None
    assert result.reason
    assert _read(_after(before)) == _read(before)


def test_an_uncovered_build_is_reported_though_it_is_left_alone():
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = _read(SAMPLES / "leave-elixir-mix.before.Dockerfile")
    (finding,) = [f for f in analyze(parse(text)).findings if f.code == "DSR001"]
    assert finding.fix is None and "builds that run mix" in finding.message
