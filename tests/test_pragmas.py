"""Inline ignore pragmas: which findings they hide (the cases that must stay reported first),
the whole-file form, DSR001 stopping the rewrite, and unused pragmas (DSR900)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from dockerslim_refactor.docs import by_code
from dockerslim_refactor.document import parse
from dockerslim_refactor.findings import analyze
from dockerslim_refactor.frontends.cli import main
from dockerslim_refactor.options import Options
from dockerslim_refactor.pragmas import UnusedIgnore, apply, find_pragmas, rewrite_blocker

CHAIN = "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
GO = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""


def codes_by_line(text: str, **kwargs: object) -> list[tuple[int, str]]:
    """``(line, code)`` of what is reported once pragmas are applied."""
    document = parse(dedent(text))
    findings = analyze(document, Options()).findings
    kept = apply(document, findings, known_codes=by_code(), **kwargs)  # type: ignore[arg-type]
    return [(f.line, f.code) for f in kept.findings]


# Each case: a pragma that must not hide the && chain below it.
KEPT = [
    pytest.param(
        "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002\n\n" + CHAIN + CHAIN,
        id="blank-line-between-pragma-and-instruction",
    ),
    pytest.param(
        "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR003\n" + CHAIN + CHAIN,
        id="other-code",
    ),
    pytest.param(
        "FROM alpine:3.20\n# dockerslim-refactor ignore DSR002\n" + CHAIN + CHAIN,
        id="no-equals-sign",
    ),
    pytest.param(
        "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002;DSR005\n" + CHAIN + CHAIN,
        id="semicolon-separated",
    ),
    pytest.param(
        "FROM alpine:3.20\n# hadolint ignore=DSR002\n" + CHAIN + CHAIN,
        id="another-tool",
    ),
    pytest.param(
        "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002\nRUN true\n" + CHAIN,
        id="pragma-above-the-instruction-before",
    ),
]


@pytest.mark.parametrize("text", KEPT)
def test_not_ignored(text: str) -> None:
    chains = [line for line, code in codes_by_line(text) if code == "DSR002"]
    assert len(chains) == text.count("apt-get update")


IGNORED = [
    pytest.param("# dockerslim-refactor ignore=DSR002\n", id="plain"),
    pytest.param("# dockerslim-refactor ignore=dsr002\n", id="lower-case-code"),
    pytest.param("#dockerslim-refactor ignore = DSR005, DSR002\n", id="spaces-and-two-codes"),
    pytest.param("# dockerslim-refactor ignore=DSR002 -- one layer on purpose\n", id="reason"),
    pytest.param(
        "# dockerslim-refactor ignore=DSR002\n# keep the chain: one layer\n",
        id="in-a-comment-block",
    ),
]


@pytest.mark.parametrize("pragma", IGNORED)
def test_instruction_level(pragma: str) -> None:
    text = "FROM alpine:3.20\n" + pragma + CHAIN + CHAIN
    chain_lines = [line for line, code in codes_by_line(text) if code == "DSR002"]
    second = 2 + pragma.count("\n") + 1
    assert chain_lines == [second]  # the first chain is ignored, the second still reported


def test_instruction_level_covers_continuation_lines() -> None:
    text = (
        "FROM debian:12\n"
        "# dockerslim-refactor ignore=DSR003\n"
        "RUN apt-get update \\\n"
        "  && apt-get install -y curl\n"
        "RUN apt-get install -y git\n"
    )
    found = codes_by_line(text)
    assert (3, "DSR003") not in found
    assert (5, "DSR003") in found


def test_file_level_before_first_from() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "# Build image for the tools.\n"
        "# dockerslim-refactor ignore=DSR002,DSR005\n"
        "\n"
        "ARG BASE=alpine:3.20\n"
        "FROM ${BASE}\n" + CHAIN + CHAIN
    )
    found = {code for _, code in codes_by_line(text)}
    assert not found & {"DSR002", "DSR005"}
    pragmas, _ = find_pragmas(parse(text))
    assert [(p.line, p.file_level) for p in pragmas] == [(3, True)]


def test_file_level_pragma_leaves_other_codes() -> None:
    text = "# dockerslim-refactor ignore=DSR002\nFROM alpine\n" + CHAIN
    assert {code for _, code in codes_by_line(text)} >= {"DSR005", "DSR006"}


def test_pragma_inside_continuation_is_not_applied() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN apk update \\\n"
        "  # dockerslim-refactor ignore=DSR002\n"
        "  && apk add curl \\\n"
        "  && apk info\n"
    )
    assert (2, "DSR002") in codes_by_line(text)


# -- unused pragmas ----------------------------------------------------------------------------


def unused(text: str, disabled: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    document = parse(dedent(text))
    findings = analyze(document, Options(disabled_rules=disabled)).findings
    kept = apply(document, findings, known_codes=by_code(), disabled=disabled, report_unused=True)
    return [(f.line, f.message) for f in kept.findings if f.code == UnusedIgnore.CODE]


def test_used_pragma_is_not_reported() -> None:
    assert unused("FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002\n" + CHAIN) == []


@pytest.mark.parametrize(
    "text, line, words",
    [
        pytest.param(
            "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR003\nRUN apk add --no-cache curl\n",
            2,
            "DSR003 reports nothing on this instruction",
            id="nothing-to-ignore",
        ),
        pytest.param(
            "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002,DSR777\n" + CHAIN,
            2,
            "DSR777 is not a rule code; remove the unused codes",
            id="unknown-code",
        ),
        pytest.param(
            "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002\n\n" + CHAIN,
            2,
            "not directly above an instruction",
            id="blank-line-below",
        ),
        pytest.param(
            "# dockerslim-refactor ignore=DSR003\nFROM alpine:3.20\n",
            1,
            "DSR003 reports nothing in this file",
            id="file-level",
        ),
        pytest.param(
            "FROM alpine:3.20\n# dockerslim-refactor ignore DSR002\n" + CHAIN,
            2,
            "it is not a pragma",
            id="unreadable",
        ),
        pytest.param(
            "FROM alpine:3.20\nRUN apk update \\\n  # dockerslim-refactor ignore=DSR002\n"
            "  && apk add curl\n",
            3,
            "inside an instruction's continuation lines",
            id="inside-continuation",
        ),
    ],
)
def test_unused(text: str, line: int, words: str) -> None:
    found = unused(text)
    assert [n for n, _ in found] == [line], found
    assert words in found[0][1]


def test_unused_because_disabled() -> None:
    text = "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR002\n" + CHAIN
    found = unused(text, frozenset({"DSR002"}))
    assert len(found) == 1 and "DSR002 is disabled" in found[0][1]


def test_unused_check_can_be_disabled() -> None:
    text = "FROM alpine:3.20\n# dockerslim-refactor ignore=DSR003\nRUN true\n"
    assert unused(text, frozenset({"DSR900"})) == []


def test_a_pragma_cannot_hide_dsr900() -> None:
    text = (
        "# dockerslim-refactor ignore=DSR900\nFROM alpine:3.20\n"
        "# dockerslim-refactor ignore=DSR003\nRUN true\n"
    )
    lines = [line for line, _ in unused(text)]
    assert lines == [1, 3]


# -- the rewrite -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, blocked",
    [
        pytest.param(GO, None, id="no-pragma"),
        pytest.param("# dockerslim-refactor ignore=DSR005\n" + GO, None, id="other-code"),
        pytest.param(
            GO.replace("RUN go build", "# dockerslim-refactor ignore=DSR001\nRUN go build"),
            None,
            id="dsr001-above-a-run",
        ),
        pytest.param("# dockerslim-refactor ignore=DSR001\n" + GO, 1, id="whole-file"),
        pytest.param(
            "ARG V=1.22\n\n# dockerslim-refactor ignore=DSR005,DSR001\n"
            + GO.replace("1.22", "${V}"),
            3,
            id="above-from-after-arg",
        ),
        pytest.param(
            "FROM alpine:3.20 AS tools\nRUN true\n\n# dockerslim-refactor ignore=DSR001\n"
            + GO.replace("golang:1.22", "golang:1.22 AS app"),
            4,
            id="final-stage-from",
        ),
    ],
)
def test_rewrite_blocker(text: str, blocked: int | None) -> None:
    reason = rewrite_blocker(parse(text))
    if blocked is None:
        assert reason is None
    else:
        assert reason == f"DSR001 is ignored by an inline pragma on line {blocked}"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    return tmp_path


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(["--no-config", *argv] if argv[0] != "analyze" else [*argv, "--no-config"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


IGNORED_GO = "# dockerslim-refactor ignore=DSR001\n" + GO
LEFT_ALONE = "Dockerfile: left alone: DSR001 is ignored by an inline pragma on line 1"


def test_ignored_dsr001_stops_the_rewrite_to_stdout(folder: Path, run: Run) -> None:
    (folder / "Dockerfile").write_text(IGNORED_GO)
    code, out, err = run("Dockerfile")
    assert (code, out) == (0, IGNORED_GO)
    assert err.splitlines() == [LEFT_ALONE]


@pytest.mark.parametrize("mode", [["-o", "out"], ["--in-place"], ["--check"], ["--diff"]])
def test_ignored_dsr001_stops_every_mode(folder: Path, run: Run, mode: list[str]) -> None:
    (folder / "Dockerfile").write_text(IGNORED_GO)
    code, out, err = run("Dockerfile", *mode)
    assert (code, out) == (0, "")
    assert err.splitlines() == [LEFT_ALONE]
    assert sorted(p.name for p in folder.iterdir()) == ["Dockerfile"]
    assert (folder / "Dockerfile").read_text() == IGNORED_GO


def test_ignored_dsr001_in_a_batch_check(folder: Path, run: Run) -> None:
    (folder / "a.Dockerfile").write_text(IGNORED_GO)
    (folder / "b.Dockerfile").write_text(GO)
    code, out, err = run("--check", ".")
    assert (code, out) == (1, "")
    assert err.splitlines() == ["b.Dockerfile: would rewrite into a multi-stage build"]


def test_analyze_reports_the_pragma_as_the_reason(folder: Path, run: Run) -> None:
    (folder / "Dockerfile").write_text(IGNORED_GO)
    code, out, _ = run("analyze", "Dockerfile", "--fail-level", "info")
    assert "DSR001" not in out.replace(LEFT_ALONE, "")
    assert out.splitlines()[-1] == LEFT_ALONE
    assert code == 1  # DSR005 and DSR006 are still reported


def test_rewrite_notes_honour_pragmas(folder: Path, run: Run) -> None:
    (folder / "Dockerfile").write_text(GO)
    _, _, err = run("Dockerfile", "-o", "out")
    assert "DSR101" in err
    (folder / "Dockerfile").write_text(
        GO.replace("RUN go build", "# dockerslim-refactor ignore=DSR101\nRUN go build")
    )
    code, _, err = run("Dockerfile", "-o", "out")
    assert code == 0
    assert "DSR101" not in err


def test_warn_unused_ignores_flag(folder: Path, run: Run) -> None:
    text = "FROM alpine:3.20\nUSER 1000\n# dockerslim-refactor ignore=DSR003\nRUN true\n"
    (folder / "Dockerfile").write_text(text)
    code, out, _ = run("analyze", "Dockerfile", "--fail-level", "warning")
    assert code == 0
    assert "DSR" not in out
    code, out, _ = run("analyze", "Dockerfile", "--fail-level", "warning", "--warn-unused-ignores")
    assert code == 1
    assert out.startswith("Dockerfile:3: warning DSR900 `# dockerslim-refactor ignore=DSR003`")
