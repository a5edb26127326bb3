"""Output formats of analyze: text, json (one object or a list), SARIF 2.1.0 validated against
its schema, GitHub annotations and GitLab Code Quality; fingerprints stay put."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dockerslim_refactor.docs import DOCS_BASE, by_code, doc_path
from dockerslim_refactor.formats import FORMATS, FileResult, Problem, renderer
from dockerslim_refactor.formats.github import render as github
from dockerslim_refactor.frontends.cli import main

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = ROOT / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"

GO = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go mod download && go vet ./... && go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""
# Findings of three severities' worth of mapping: DSR002 (info) and DSR005/DSR006 (warning).
CHAINS = """\
FROM alpine
RUN apk add curl && apk add git && apk info
RUN apk add curl && apk add git && apk info
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    (tmp_path / "Dockerfile").write_text(GO)
    (tmp_path / "chains.Dockerfile").write_text(CHAINS)
    (tmp_path / "broken.Dockerfile").write_text("FROM alpine\nFOO bar\n")
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(["analyze", *argv, "--no-config"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def strict_schema() -> bool:
    return bool(os.environ.get("CI"))


# -- text and json -----------------------------------------------------------------------------


def test_text(work: Path, run: Run) -> None:
    code, out, err = run("Dockerfile", "chains.Dockerfile")
    assert code == 0, err
    lines = out.splitlines()
    assert "Dockerfile:1: warning DSR001 single-stage Go build" in lines[0]
    assert lines[1] == "    FROM golang:1.22"
    assert "chains.Dockerfile:2: info DSR002 3 commands chained with &&" in out
    assert "Dockerfile: go build (static); artifacts: /out/app" in lines


def test_json_one_file_is_an_object(work: Path, run: Run) -> None:
    code, out, _ = run("Dockerfile", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["file"] == "Dockerfile"
    assert {
        "file",
        "stages",
        "base",
        "ecosystem",
        "linkage",
        "artifacts",
        "leave_alone",
        "size_estimate",
        "findings",
    } == set(report)
    for finding in report["findings"]:
        assert finding["help_uri"] == f"docs/rules/{finding['code']}.md"
        assert (ROOT / finding["help_uri"]).is_file()


# -- the size estimate -------------------------------------------------------------------------


def test_text_shows_the_size_estimate_of_a_rewrite(work: Path, run: Run) -> None:
    _, out, _ = run("Dockerfile", "chains.Dockerfile")
    assert (
        "Dockerfile: estimated size golang:1.22 ≈ 299 MB → alpine:3.20 ≈ 3.6 MB "
        "(compressed base images, without your layers)"
    ) in out.splitlines()
    # A file the rewrite leaves alone has no estimate.
    assert not [line for line in out.splitlines() if "chains.Dockerfile: estimated" in line]


def test_json_size_estimate(work: Path, run: Run) -> None:
    _, out, _ = run("Dockerfile", "chains.Dockerfile", "--format", "json")
    go, chains = json.loads(out)
    estimate = go["size_estimate"]
    assert set(estimate) == {"before", "after", "basis"}
    assert "compressed" in estimate["basis"] and "linux/amd64" in estimate["basis"]
    before, after = estimate["before"], estimate["after"]
    assert (
        set(before)
        == set(after)
        == {
            "image",
            "megabytes",
            "matched",
            "exact",
            "approximate",
            "taken",
            "source",
        }
    )
    assert (before["image"], before["megabytes"], before["exact"]) == ("golang:1.22", 299.4, True)
    assert before["taken"] == "2024-09-05" and "repo-info" in before["source"]
    assert (after["image"], after["megabytes"], after["matched"]) == (
        "alpine:3.20",
        3.6,
        "alpine:3.20",
    )
    assert chains["leave_alone"] and chains["size_estimate"] is None


def test_json_size_estimate_unknown_image_is_null_not_a_number(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO.replace("golang:1.22", "registry.example.com/go:1"))
    _, out, _ = run("Dockerfile", "--format", "json")
    before = json.loads(out)["size_estimate"]["before"]
    assert before["image"] == "registry.example.com/go:1"
    assert (before["megabytes"], before["matched"], before["source"]) == (None, None, None)


def test_sarif_carries_the_estimate_on_the_conversion(work: Path, run: Run) -> None:
    _, out, _ = run("Dockerfile", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    (convert,) = [r for r in results if r["ruleId"] == "DSR001"]
    estimate = convert["properties"]["sizeEstimate"]
    assert (estimate["before"]["megabytes"], estimate["after"]["megabytes"]) == (299.4, 3.6)
    assert all("sizeEstimate" not in r.get("properties", {}) for r in results if r is not convert)


@pytest.mark.parametrize(
    "argv", [["Dockerfile", "chains.Dockerfile"], ["."]], ids=["two-files", "folder"]
)
def test_json_several_is_a_list(work: Path, run: Run, argv: list[str]) -> None:
    code, out, err = run(*argv, "--format", "json")
    reports = json.loads(out)
    assert isinstance(reports, list)
    assert [r["file"] for r in reports] == ["Dockerfile", "chains.Dockerfile"]
    if argv == ["."]:  # the broken file is reported on stderr, not in the list
        assert code == 2
        assert err == "broken.Dockerfile:2: unknown instruction: FOO\n"


def test_json_folder_with_one_file_is_still_a_list(work: Path, run: Run) -> None:
    (work / "one").mkdir()
    (work / "one" / "Dockerfile").write_text(GO)
    _, out, _ = run("one", "--format", "json")
    assert [r["file"] for r in json.loads(out)] == ["one/Dockerfile"]


# -- SARIF -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        if strict_schema():
            pytest.fail(f"the SARIF schema is missing at {SARIF_SCHEMA} (needed under CI)")
        pytest.skip("the SARIF 2.1.0 schema (../shared/schemas/) is not there to validate with")
    try:
        import jsonschema
    except ImportError:
        if strict_schema():
            raise
        pytest.skip("jsonschema is not installed (pip install -e '.[test]')")
    schema = json.loads(SARIF_SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_sarif_is_valid(work: Path, run: Run, sarif_validator) -> None:
    code, out, _ = run(".", "--format", "sarif")
    assert code == 2
    log = json.loads(out)
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_content(work: Path, run: Run) -> None:
    _, out, _ = run(".", "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "dockerslim-refactor"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == set(by_code())
    for index, rule in enumerate(driver["rules"]):
        assert rule["helpUri"] == f"{DOCS_BASE}{rule['id']}.md"
        assert rule["help"]["text"] and "## What it does" in rule["help"]["markdown"]
        assert rule["shortDescription"]["text"]
        assert driver["rules"][index]["id"] == rule["id"]
    results = sarif_run["results"]
    assert {r["ruleId"] for r in results} >= {"DSR001", "DSR002", "DSR005", "DSR006"}
    for result in results:
        assert result["ruleId"] in rules
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert 1 <= region["startLine"] <= region["endLine"]
        assert result["level"] in ("error", "warning", "note")
    levels = {r["ruleId"]: r["level"] for r in results}
    assert (levels["DSR002"], levels["DSR005"]) == ("note", "warning")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"Dockerfile", "chains.Dockerfile"}
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "broken.Dockerfile:2: unknown instruction: FOO"


def test_sarif_multi_line_region(work: Path, run: Run) -> None:
    (work / "long.Dockerfile").write_text(
        "FROM alpine:3.20\nUSER 1000\nRUN apk add curl \\\n  && apk add git \\\n  && apk info\n"
    )
    _, out, _ = run("long.Dockerfile", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    (result,) = [r for r in results if r["ruleId"] == "DSR002"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (3, 5)
    assert region["snippet"]["text"].count("\n") == 2


# -- GitHub ------------------------------------------------------------------------------------

ANNOTATION = re.compile(
    r"^::(?P<cmd>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+)"
    r"(?:,endLine=(?P<end>\d+),title=(?P<title>DSR\d{3}))?::(?P<message>.+)$"
)


def test_github(work: Path, run: Run) -> None:
    code, out, _ = run(".", "--format", "github")
    assert code == 2
    rows = [ANNOTATION.match(line) for line in out.splitlines()]
    assert all(rows), out
    by_title = {(m["file"], m["title"]): m for m in rows if m and m["title"]}
    assert by_title[("chains.Dockerfile", "DSR002")]["cmd"] == "notice"
    assert by_title[("Dockerfile", "DSR001")]["cmd"] == "warning"
    errors = [m for m in rows if m and m["cmd"] == "error"]
    assert [(m["file"], m["line"], m["message"]) for m in errors] == [
        ("broken.Dockerfile", "2", "unknown instruction: FOO")
    ]


def test_github_escapes() -> None:
    from dockerslim_refactor.analysis.model import Finding

    finding = Finding("DSR001", "error", 1, 2, "50% done\nnext: a, b")
    result = FileResult("dir,a:b/Dockerfile", findings=(finding,))
    assert github([result]) == (
        "::error file=dir%2Ca%3Ab/Dockerfile,line=1,endLine=2,title=DSR001::"
        "50%25 done%0Anext: a, b\n"
    )


# -- GitLab ------------------------------------------------------------------------------------


def gitlab_issues(run: Run, *argv: str) -> list[dict]:
    _, out, _ = run(*argv, "--format", "gitlab")
    return json.loads(out)


def test_gitlab(work: Path, run: Run) -> None:
    issues = gitlab_issues(run, "Dockerfile", "chains.Dockerfile")
    assert issues
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["path"] in ("Dockerfile", "chains.Dockerfile")
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert (severities["DSR002"], severities["DSR005"]) == ("info", "major")
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # also for the two identical RUN lines


def test_gitlab_fingerprint_survives_moving_lines(work: Path, run: Run) -> None:
    before = {(i["check_name"], i["fingerprint"]) for i in gitlab_issues(run, "chains.Dockerfile")}
    (work / "chains.Dockerfile").write_text("# a comment\n\n" + CHAINS)
    after = gitlab_issues(run, "chains.Dockerfile")
    assert {(i["check_name"], i["fingerprint"]) for i in after} == before
    assert min(i["location"]["lines"]["begin"] for i in after) == 3
    (work / "chains.Dockerfile").write_text(CHAINS.replace("FROM alpine", "FROM alpine:3.20"))
    changed = {(i["check_name"], i["fingerprint"]) for i in gitlab_issues(run, "chains.Dockerfile")}
    assert changed != before


# -- every format ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_renders_an_empty_run(name: str) -> None:
    text = renderer(name)([], single=False)
    if name in ("json", "gitlab"):
        assert json.loads(text) == []
    elif name == "sarif":
        assert json.loads(text)["runs"][0]["results"] == []
    else:
        assert text == ""


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_leaves_problems_to_stderr_or_marks_them(name: str) -> None:
    result = FileResult("x.Dockerfile", problem=Problem("x.Dockerfile", "empty file", 1))
    text = renderer(name)([result], single=True)
    if name == "github":
        assert text == "::error file=x.Dockerfile,line=1::empty file\n"
    elif name == "sarif":
        assert json.loads(text)["runs"][0]["invocations"][0]["executionSuccessful"] is False
    elif name == "gitlab":
        assert json.loads(text) == []
    else:
        assert text == ""


def test_unknown_format() -> None:
    with pytest.raises(ValueError):
        renderer("xml")


def test_doc_path() -> None:
    assert doc_path("DSR001") == "docs/rules/DSR001.md"
