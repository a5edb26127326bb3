"""verify's report without an engine: the measured sizes beside the published sizes of both
final base images, in text and JSON. Building and running images is tests/e2e/test_verify.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockerslim_refactor.analysis.sizes import estimate
from dockerslim_refactor.frontends import verify

ORIGINAL = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n'
REWRITTEN = (
    "FROM golang:1.22 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\n"
    'FROM alpine:3.20\nCOPY --from=builder /app /app\nCMD ["/app"]\n'
)


def _report() -> verify.Report:
    report = verify.Report(
        run_id="r1",
        dockerfile="Dockerfile",
        rewritten="(in-process rewrite)",
        context=".",
        smoke_args=[],
        exit_code=verify.EXIT_SAME,
    )
    for role, size, layers in (("original", 1_134_000_000, 9), ("rewritten", 12_400_000, 4)):
        report.images[role] = verify.ImageResult(
            role=role,
            dockerfile=role,
            tag=f"t:{role}",
            built=True,
            build_seconds=30.0,
            size_bytes=size,
            layers=layers,
            smoke=verify.SmokeResult(exit_code=0),
            smoke_pass=True,
        )
    return report


def test_text_puts_the_estimate_beside_the_measured_sizes() -> None:
    report = _report()
    report.estimate = estimate("golang:1.22", "alpine:3.20")
    lines = verify.format_text(report).splitlines()
    size = next(line for line in lines if line.startswith("size "))
    base = next(line for line in lines if line.startswith("base estimate "))
    assert size.split() == ["size", "1.1", "GB", "12.4", "MB"]
    assert base.split() == ["base", "estimate", "≈", "299", "MB", "≈", "3.6", "MB"]
    assert lines.index(base) == lines.index(size) + 1
    assert (
        "base estimate: golang:1.22 ≈ 299 MB → alpine:3.20 ≈ 3.6 MB (published compressed "
        "sizes of the final base images); the measured size is the built image, uncompressed, "
        "with its layers"
    ) in lines


def test_text_says_size_unknown_for_an_image_the_table_does_not_know() -> None:
    report = _report()
    report.estimate = estimate("registry.example.com/go:1", "alpine:3.20")
    base = next(
        line for line in verify.format_text(report).splitlines() if "base estimate " in line
    )
    assert base.split()[2:] == ["size", "unknown", "≈", "3.6", "MB"]


def test_text_without_an_estimate_has_no_estimate_lines() -> None:
    assert "estimate" not in verify.format_text(_report())


def test_json_carries_the_estimate() -> None:
    report = _report()
    assert report.to_dict()["size_estimate"] is None
    report.estimate = estimate("golang:1.22", "alpine:3.20")
    found = report.to_dict()["size_estimate"]
    assert (found["before"]["megabytes"], found["after"]["megabytes"]) == (299.4, 3.6)
    json.dumps(report.to_dict())


def test_estimate_sizes_reads_both_dockerfiles(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(ORIGINAL)
    (tmp_path / "rewritten").write_text(REWRITTEN)
    found = verify.estimate_sizes(tmp_path / "Dockerfile", tmp_path / "rewritten")
    assert found is not None
    assert found.summary() == "golang:1.22 ≈ 299 MB → alpine:3.20 ≈ 3.6 MB"
    (tmp_path / "broken").write_text("FROM alpine\nFOO bar\n")
    assert verify.estimate_sizes(tmp_path / "Dockerfile", tmp_path / "broken") is None


def test_the_estimate_is_reported_when_no_engine_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(ORIGINAL)
    (tmp_path / "rewritten").write_text(REWRITTEN)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    argv = [str(tmp_path / "Dockerfile"), "--rewritten", str(tmp_path / "rewritten")]
    code = verify.main([*argv, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == verify.EXIT_ERROR and report["result"] == "error"
    assert report["size_estimate"]["after"]["image"] == "alpine:3.20"
