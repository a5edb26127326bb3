"""The README's GitHub Actions and GitLab CI snippets, run for real: their commands, extracted
from the README as written, run in a small repository with one Dockerfile to rewrite and one
to leave. The exit codes must decide the job as the README says, and the annotations must be
in the format each CI reads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# ::warning file=PATH,line=N[,endLine=N][,title=T]::MESSAGE (GitHub workflow commands)
GITHUB_ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=[^,:]+,line=\d+(,endLine=\d+)?(,title=[^:]*)?::\S.*$"
)


def _snippets() -> dict[str, dict]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### GitHub Actions and GitLab CI", 1)[1].split("\n### ", 1)[0]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    github = next(b for b in blocks if "jobs" in b)
    gitlab = next(b for b in blocks if "jobs" not in b)
    return {"github": github, "gitlab": gitlab}


def _github_commands(workflow: dict) -> list[str]:
    (job,) = workflow["jobs"].values()
    return [step["run"] for step in job["steps"] if "run" in step]


def _gitlab_job(pipeline: dict) -> dict:
    (job,) = [v for k, v in pipeline.items() if isinstance(v, dict) and "script" in v]
    return job


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A project with a single-stage Go Dockerfile and a multi-stage one, in git."""
    repo = tmp_path / "repo"
    (repo / "services" / "api").mkdir(parents=True)
    (repo / "Dockerfile").write_text(
        (SAMPLES / "go-seed.before.Dockerfile").read_text(encoding="utf-8")
    )
    (repo / "services" / "api" / "Dockerfile").write_text(
        (SAMPLES / "leave-multistage.before.Dockerfile").read_text(encoding="utf-8")
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` as the CI runner's shell runs it, with ``python`` and
    ``dockerslim-refactor`` being this interpreter's (the install step is not run)."""
    shim = cwd.parent / "bin"
    shim.mkdir(exist_ok=True)
    if not (shim / "python").exists():
        (shim / "python").symlink_to(sys.executable)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(shim), str(Path(sys.executable).parent), env["PATH"]])
    return subprocess.run(
        ["sh", "-ec", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _not_install(command: str) -> bool:
    return "pip install" not in command


def test_the_github_actions_snippet(repository: Path) -> None:
    commands = _github_commands(_snippets()["github"])
    assert commands[0] == "python -m pip install dockerslim-refactor"
    annotate, check = [c for c in commands if _not_install(c)]
    assert "--format github" in annotate and check.endswith("--check .")

    annotated = _run(annotate, repository)
    assert annotated.returncode == 0, annotated.stderr
    lines = annotated.stdout.splitlines()
    assert lines and all(GITHUB_ANNOTATION.match(line) for line in lines), lines
    assert any("file=Dockerfile," in line and "DSR001" in line for line in lines)

    checked = _run(check, repository)
    assert checked.returncode == 1
    out = checked.stdout + checked.stderr
    assert re.search(r"(^|\s|/)Dockerfile: would rewrite", out)
    assert "services/api/Dockerfile" not in out

    (repository / "Dockerfile").unlink()
    assert _run(check, repository).returncode == 0


def test_the_gitlab_ci_snippet(repository: Path) -> None:
    job = _gitlab_job(_snippets()["gitlab"])
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality.json"
    assert job["artifacts"]["when"] == "always"
    commands = job["script"]
    assert commands[0] == "python -m pip install dockerslim-refactor"
    report_cmd, check = [c for c in commands if _not_install(c)]

    reported = _run(report_cmd, repository)
    assert reported.returncode == 0, reported.stderr
    report = json.loads((repository / "gl-code-quality.json").read_text(encoding="utf-8"))
    assert isinstance(report, list) and report
    for issue in report:
        # What GitLab's Code Quality widget reads.
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert {i["location"]["path"] for i in report} <= {"Dockerfile", "services/api/Dockerfile"}
    assert any(
        i["location"]["path"] == "Dockerfile" and "DSR001" in i["check_name"] for i in report
    )
    assert len({i["fingerprint"] for i in report}) == len(report)

    checked = _run(check, repository)
    assert checked.returncode == 1
    (repository / "Dockerfile").unlink()
    assert _run(check, repository).returncode == 0
