"""One run over many files: --check, --in-place and --diff over files and folders, analyze with
an unreadable file among many, exit codes by --fail-level and --rules-version, and the
pre-commit hooks."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from dockerslim_refactor import ruleset
from dockerslim_refactor.frontends.cli import main

ROOT = Path(__file__).resolve().parent.parent

GO = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""
MULTI = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
USER 1000
ENTRYPOINT ["/app"]
"""
# Only an info finding (DSR002); nothing of warning severity.
INFO_ONLY = """\
FROM alpine:3.20
RUN apk add --no-cache curl && apk add --no-cache git && apk info
USER 1000
"""
BROKEN = "FROM alpine\nFOO bar\n"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--no-config"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def make(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def contents(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, error",
    [
        pytest.param(
            ["a.Dockerfile", "b.Dockerfile"], "dockerslim-refactor: several paths; ", id="stdout"
        ),
        pytest.param(
            ["a.Dockerfile", "b.Dockerfile", "-o", "out"],
            "dockerslim-refactor: several paths; -o writes one file",
            id="output",
        ),
        pytest.param(["svc"], "svc: is a folder; standard output takes one file", id="folder"),
        pytest.param(["svc", "-o", "out"], "svc: is a folder; -o writes one file", id="folder-o"),
        pytest.param(
            ["-", "a.Dockerfile", "--in-place"],
            "dockerslim-refactor: --in-place needs a file",
            id="stdin",
        ),
    ],
)
def test_refused(work: Path, run: Run, argv: list[str], error: str) -> None:
    make(work, {"a.Dockerfile": GO, "b.Dockerfile": GO, "svc/Dockerfile": GO})
    before = contents(work)
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(error), err
    assert contents(work) == before


# -- rewrite modes over many files -------------------------------------------------------------


def test_check_many_prints_one_line_per_changing_file(work: Path, run: Run) -> None:
    make(work, {"a.Dockerfile": GO, "multi.Dockerfile": MULTI, "svc/Dockerfile": GO})
    before = contents(work)
    code, out, err = run("--check", "a.Dockerfile", "multi.Dockerfile", "svc")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "a.Dockerfile: would rewrite into a multi-stage build",
        "svc/Dockerfile: would rewrite into a multi-stage build",
    ]
    assert contents(work) == before


def test_check_many_with_nothing_to_do(work: Path, run: Run) -> None:
    make(work, {"multi.Dockerfile": MULTI, "svc/Dockerfile": MULTI})
    code, out, err = run("--check", ".")
    assert (code, out, err) == (0, "", "")


def test_check_many_quiet(work: Path, run: Run) -> None:
    make(work, {"a.Dockerfile": GO, "b.Dockerfile": GO})
    assert run("--check", "-q", ".") == (1, "", "")


def test_check_many_goes_on_after_a_bad_file(work: Path, run: Run) -> None:
    make(work, {"a.Dockerfile": GO, "bad.Dockerfile": BROKEN, "c.Dockerfile": GO})
    code, out, err = run("--check", "a.Dockerfile", "bad.Dockerfile", "missing", "c.Dockerfile")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "a.Dockerfile: would rewrite into a multi-stage build",
        "bad.Dockerfile:2: unknown instruction: FOO",
        "missing: no such file",
        "c.Dockerfile: would rewrite into a multi-stage build",
    ]


def test_in_place_many(work: Path, run: Run) -> None:
    make(work, {"a/Dockerfile": GO, "b/Dockerfile": GO, "multi.Dockerfile": MULTI})
    code, out, err = run("--in-place", ".")
    assert (code, out) == (0, "")
    files = contents(work)
    assert files["multi.Dockerfile"] == MULTI
    for name in ("a/Dockerfile", "b/Dockerfile"):
        assert files[name].count("FROM ") == 2
        assert f"{name}: go build -> stage 'builder'" in err
    assert set(files) == {"a/Dockerfile", "b/Dockerfile", "multi.Dockerfile"}
    # a second run leaves everything alone, and --check agrees
    code, _, _ = run("--in-place", ".")
    assert code == 0 and contents(work) == files
    assert run("--check", ".")[0] == 0


def test_in_place_many_with_backup(work: Path, run: Run) -> None:
    make(work, {"a/Dockerfile": GO, "b.Dockerfile": GO})
    code, _, err = run("--in-place", "--backup", "a/Dockerfile", "b.Dockerfile")
    assert code == 0, err
    assert (work / "a" / "Dockerfile.orig").read_text() == GO
    assert (work / "b.Dockerfile.orig").read_text() == GO
    # the backups are not Dockerfiles to search
    assert run("--check", ".")[0] == 0


def test_diff_many(work: Path, run: Run) -> None:
    make(work, {"a.Dockerfile": GO, "b.Dockerfile": GO, "multi.Dockerfile": MULTI})
    code, out, _ = run("--diff", ".")
    assert code == 0
    headers = [line for line in out.splitlines() if line.startswith("--- ")]
    assert headers == ["--- a.Dockerfile", "--- b.Dockerfile"]


def test_single_file_check_keeps_its_notes(work: Path, run: Run) -> None:
    make(work, {"Dockerfile": GO})
    code, _, err = run("--check", "Dockerfile")
    assert code == 1
    lines = err.splitlines()
    assert lines[-1] == "Dockerfile: would rewrite into a multi-stage build"
    assert any(" DSR101 " in line for line in lines[:-1])


def test_empty_folder_is_a_warning(work: Path, run: Run) -> None:
    (work / "docs").mkdir()
    assert run("--check", "docs") == (0, "", "docs: no Dockerfile found\n")
    assert run("analyze", "docs") == (0, "", "docs: no Dockerfile found\n")


# -- analyze over many files -------------------------------------------------------------------


def test_analyze_goes_on_after_a_bad_file(work: Path, run: Run) -> None:
    make(
        work,
        {"a.Dockerfile": GO, "b/Dockerfile": BROKEN, "c.Dockerfile": MULTI, "d/Dockerfile": ""},
    )
    code, out, err = run("analyze", ".", "--fail-level", "warning")
    assert code == 2
    assert err.splitlines() == [
        "b/Dockerfile:2: unknown instruction: FOO",
        "d/Dockerfile:1: empty file",
    ]
    assert out.startswith("a.Dockerfile:1: warning DSR001 ")
    assert "c.Dockerfile: left alone: already a multi-stage build" in out


def test_analyze_stdin(work: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GO.encode()), encoding="utf-8"))
    code, out, _ = run("analyze", "-", "--format", "json")
    assert code == 0
    assert json.loads(out)["file"] == "<stdin>"


FAIL_CASES = [
    # (files, argv, exit code)
    pytest.param({"Dockerfile": GO}, [], 0, id="default-none"),
    pytest.param({"Dockerfile": GO}, ["--fail-level", "none"], 0, id="none"),
    pytest.param({"Dockerfile": GO}, ["--fail-level", "error"], 0, id="error-no-errors"),
    pytest.param({"Dockerfile": GO}, ["--fail-level", "warning"], 1, id="warning"),
    pytest.param(
        {"Dockerfile": INFO_ONLY}, ["--fail-level", "warning"], 0, id="info-below-warning"
    ),
    pytest.param({"Dockerfile": INFO_ONLY}, ["--fail-level", "info"], 1, id="info"),
    pytest.param({"Dockerfile": MULTI}, ["--fail-level", "info"], 0, id="clean"),
    pytest.param(
        {"a.Dockerfile": MULTI, "b.Dockerfile": GO},
        ["--fail-level", "warning"],
        1,
        id="one-of-many",
    ),
    pytest.param(
        {"Dockerfile": GO, "x.Dockerfile": BROKEN},
        ["--fail-level", "warning"],
        2,
        id="error-beats-findings",
    ),
    pytest.param(
        {"Dockerfile": GO}, ["--fail-level", "warning", "--rules-version", "1"], 1, id="pinned"
    ),
    pytest.param(
        {"Dockerfile": GO},
        ["--fail-level", "warning", "--disable", "DSR001", "--disable", "DSR005"],
        0,
        id="disabled",
    ),
]


@pytest.mark.parametrize("files, argv, expected", FAIL_CASES)
def test_fail_level(work: Path, run: Run, files: dict, argv: list[str], expected: int) -> None:
    make(work, files)
    code, _, _ = run("analyze", ".", *argv)
    assert code == expected


def test_notes_never_fail(work: Path, run: Run) -> None:
    """DSR100–DSR104 are the rewrite's notes: reported, never failing (DSR001 is turned off
    to leave only notes)."""
    make(work, {"Dockerfile": MULTI.split("\n\n")[0] + '\nUSER 1000\nCMD ["/out/app"]\n'})
    code, out, _ = run(
        "analyze", "Dockerfile", "--fail-level", "info", "--format", "json", "--disable", "DSR001"
    )
    found = {f["code"] for f in json.loads(out)["findings"]}
    assert found and found <= {"DSR100", "DSR101", "DSR102", "DSR103", "DSR104"}, found
    assert code == 0


def test_rules_version_pins_what_can_fail(
    work: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later set that adds DSR005 fails a build that the pinned set 1 (here without it)
    lets pass; the finding is reported either way."""
    monkeypatch.setitem(ruleset.RULE_SETS, 1, ruleset.RULE_SETS[1] - {"DSR001", "DSR005"})
    monkeypatch.setitem(ruleset.RULE_SETS, 2, ruleset.RULE_SETS[1] | {"DSR005"})
    monkeypatch.setattr(ruleset, "CURRENT", 2)
    make(work, {"Dockerfile": GO})
    pinned = run("analyze", "Dockerfile", "--fail-level", "warning", "--rules-version", "1")
    assert pinned[0] == 0
    assert "DSR005" in pinned[1]
    assert run("analyze", "Dockerfile", "--fail-level", "warning", "--rules-version", "2")[0] == 1
    assert run("analyze", "Dockerfile", "--fail-level", "warning")[0] == 1  # current set


def test_rules_version_from_config(work: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setitem(ruleset.RULE_SETS, 1, ruleset.RULE_SETS[1] - {"DSR001", "DSR005"})
    monkeypatch.setitem(ruleset.RULE_SETS, 2, ruleset.RULE_SETS[1] | {"DSR005"})
    monkeypatch.setattr(ruleset, "CURRENT", 2)
    make(work, {"Dockerfile": GO, ".dockerslim-refactor.toml": 'fail-level = "warning"\n'})
    assert main(["analyze", "Dockerfile"]) == 1
    (work / ".dockerslim-refactor.toml").write_text('fail-level = "warning"\nrules-version = 1\n')
    assert main(["analyze", "Dockerfile"]) == 0
    assert main(["analyze", "Dockerfile", "--rules-version", "2"]) == 1  # the flag wins


def test_unknown_rules_version(work: Path, run: Run) -> None:
    make(work, {"Dockerfile": GO})
    with pytest.raises(SystemExit) as info:
        run("analyze", "Dockerfile", "--rules-version", "9")
    assert info.value.code == 2


# -- pre-commit --------------------------------------------------------------------------------


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_pre_commit_hooks() -> None:
    found = hooks()
    assert found["dockerslim-refactor"]["entry"] == "dockerslim-refactor --check"
    assert found["dockerslim-refactor-rewrite"]["entry"] == "dockerslim-refactor --in-place"
    for hook in found.values():
        assert hook["language"] == "python"
        assert hook["files"] == r"(^|/)(Dockerfile|Containerfile)([.].*)?$|[.]Dockerfile$"
        assert hook["entry"].split()[0] == "dockerslim-refactor"


@pytest.mark.parametrize(
    "hook_id", ["dockerslim-refactor", "dockerslim-refactor-rewrite", "dockerslim-refactor-analyze"]
)
def test_pre_commit_entries_run(work: Path, capsys, hook_id: str) -> None:
    """pre-commit runs ``entry`` with the matching files appended; nonzero or changed files
    fail the hook."""
    make(work, {"Dockerfile": GO, "svc/api.Dockerfile": GO, "multi.Dockerfile": MULTI})
    entry = hooks()[hook_id]["entry"].split()[1:]
    code = main([*entry, "Dockerfile", "svc/api.Dockerfile", "multi.Dockerfile"])
    capsys.readouterr()
    if hook_id == "dockerslim-refactor-rewrite":
        assert code == 0
        assert (work / "Dockerfile").read_text() != GO
    else:
        assert code == 1


# -- a real process ----------------------------------------------------------------------------


def test_analyze_folder_in_one_process(tmp_path: Path) -> None:
    for index in range(5):
        make(tmp_path, {f"svc{index}/Dockerfile": GO, f"svc{index}/multi.Dockerfile": MULTI})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "dockerslim_refactor",
            "analyze",
            ".",
            "--format",
            "sarif",
        ],
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    log = json.loads(done.stdout)
    files = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert files == {f"svc{index}/Dockerfile" for index in range(5)}  # multi-stage ones are clean
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.decode().splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert not imported & {"jinja2", "pygls", "questionary", "pathspec", "asyncio"}
