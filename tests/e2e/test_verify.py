"""The verify command end to end, on a tiny app made in a temporary folder.

The app is a shell script on debian:bookworm-slim; its candidate rewrites run on busybox.
Both base images come with the shared harness's engine, and nothing needs the network.
Verify runs as its own process (``python -m dockerslim_refactor.frontends.verify``) so that exit
statuses,
signals and the cleanup are the real ones.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LABEL = "dockerslim-refactor.frontends.verify"
ENGINE_HINT = "start Docker or set DOCKER_HOST=unix:///path/docker.sock"

SCRIPT = """#!/bin/sh
# greet: say hello to every name given
[ "$#" -gt 0 ] || set -- world
for name in "$@"; do printf 'hello %s\\n' "$name"; done
"""

ORIGINAL = """FROM debian:bookworm-slim
RUN mkdir -p /opt/greet
COPY greet.sh /opt/greet/greet.sh
ENTRYPOINT ["sh", "/opt/greet/greet.sh"]
"""

REFERENCE = """FROM busybox:1.35
COPY greet.sh /opt/greet/greet.sh
USER 65534:65534
ENTRYPOINT ["sh", "/opt/greet/greet.sh"]
"""

# Builds and runs, but prints something else.
DIFFERENT = """FROM busybox:1.35
COPY greet.sh /opt/greet/greet.sh
ENTRYPOINT ["echo", "goodbye"]
"""

BROKEN = """FROM busybox:1.35
COPY greet.sh /opt/greet/greet.sh
RUN echo preparing && exit 3
ENTRYPOINT ["sh", "/opt/greet/greet.sh"]
"""

SLEEPER = """FROM busybox:1.35
ENTRYPOINT ["sleep"]
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    app_dir = tmp_path / "greet-app"
    app_dir.mkdir()
    (app_dir / "greet.sh").write_text(SCRIPT)
    (app_dir / "Dockerfile").write_text(ORIGINAL)
    for name, text in (
        ("reference", REFERENCE),
        ("different", DIFFERENT),
        ("broken", BROKEN),
        ("sleeper", SLEEPER),
    ):
        (tmp_path / f"{name}.Dockerfile").write_text(text)
    return app_dir


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _verify_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "dockerslim_refactor.frontends.verify", *args]


def verify(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _verify_cmd(*args),
        cwd=REPO_ROOT,
        env=env or _env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


def _labelled(kind: str, run_id: str) -> list[str]:
    cmd = ["docker", kind, "-aq"] if kind == "ps" else ["docker", "image", "ls", "-q"]
    cmd += ["--filter", f"label={LABEL}={run_id}"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()


def _assert_cleaned(run_id: str) -> None:
    assert _labelled("ps", run_id) == [], "verify left containers behind"
    assert _labelled("image", run_id) == [], "verify left images behind"


# ------------------------------------------------------------------- no engine needed ----


def test_no_engine_exits_2_with_a_hint(app: Path) -> None:
    env = _env(DOCKER_HOST="unix:///nonexistent.sock")
    env.pop("DOCKER_CONTEXT", None)
    proc = verify(
        str(app / "Dockerfile"), "--rewritten", str(app.parent / "reference.Dockerfile"), env=env
    )
    assert proc.returncode == 2, proc.stderr
    assert ENGINE_HINT in proc.stderr
    assert "unix:///nonexistent.sock" in proc.stderr or "not on PATH" in proc.stderr


def test_no_engine_json_report(app: Path) -> None:
    env = _env(DOCKER_HOST="unix:///nonexistent.sock")
    env.pop("DOCKER_CONTEXT", None)
    proc = verify(
        str(app / "Dockerfile"),
        "--rewritten",
        str(app.parent / "reference.Dockerfile"),
        "--format",
        "json",
        env=env,
    )
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    assert report["result"] == "error" and report["exit_code"] == 2
    assert ENGINE_HINT in report["error"]
    assert report["images"] == {"original": None, "rewritten": None}


def test_missing_files_are_reported_as_file_message(app: Path) -> None:
    missing = app.parent / "nope.Dockerfile"
    proc = verify(str(app / "Dockerfile"), "--rewritten", str(missing))
    assert proc.returncode == 2
    assert f"{missing}: no such file" in proc.stderr

    proc = verify(str(app / "Nope"), "--rewritten", str(app.parent / "reference.Dockerfile"))
    assert proc.returncode == 2
    assert f"{app / 'Nope'}: no such file" in proc.stderr


def test_bad_arguments_exit_2(app: Path) -> None:
    assert verify(str(app / "Dockerfile"), "--format", "yaml").returncode == 2
    proc = verify(str(app / "Dockerfile"), "--smoke", "'unbalanced")
    assert proc.returncode == 2 and "--smoke" in proc.stderr


GO_APP = """FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""


def test_in_process_rewrite_is_what_the_cli_writes(tmp_path: Path) -> None:
    from dockerslim_refactor.frontends.cli import main as cli_main
    from dockerslim_refactor.frontends.verify import produce_rewrite

    (tmp_path / "Dockerfile").write_text(GO_APP)
    flags = ["--runtime", "busybox", "--no-config"]
    written = produce_rewrite(tmp_path / "Dockerfile", flags, tmp_path)
    assert (
        cli_main([str(tmp_path / "Dockerfile"), "-q", "-o", str(tmp_path / "cli.out"), *flags]) == 0
    )
    assert written.read_bytes() == (tmp_path / "cli.out").read_bytes()
    assert written.read_text() != GO_APP


def test_in_process_rewrite_of_a_file_left_alone_is_the_file(app: Path, tmp_path: Path) -> None:
    from dockerslim_refactor.frontends.verify import produce_rewrite

    assert produce_rewrite(app / "Dockerfile", [], tmp_path).read_text() == ORIGINAL


def test_in_process_rewrite_errors_name_the_file(tmp_path: Path) -> None:
    from dockerslim_refactor.frontends.verify import VerifyError, produce_rewrite

    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM busybox\nCOPPY greet.sh /\n")
    with pytest.raises(VerifyError) as caught:
        produce_rewrite(dockerfile, [], tmp_path)
    assert caught.value.message == f"{dockerfile}:2: unknown instruction: COPPY"
    dockerfile.write_text(GO_APP)
    with pytest.raises(VerifyError) as caught:
        produce_rewrite(dockerfile, ["--stage-name", "test", "--test-stage", "x"], tmp_path)
    assert caught.value.message == (
        f"{dockerfile}: dockerslim-refactor: stage-name 'test' is taken by the test stage; "
        "pick another"
    )


# --------------------------------------------------------------------- needs an engine ----


@pytest.mark.e2e
def test_passing_rewrite(app: Path) -> None:
    proc = verify(
        str(app / "Dockerfile"),
        "--rewritten",
        str(app.parent / "reference.Dockerfile"),
        "--smoke",
        "Ada 'Grace Hopper'",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["result"] == "same" and report["exit_code"] == 0 and report["error"] is None
    assert report["smoke_args"] == ["Ada", "Grace Hopper"]
    assert report["same_exit"] is True and report["same_stdout"] is True
    for role in ("original", "rewritten"):
        image = report["images"][role]
        assert image["built"] is True
        assert image["size_bytes"] > 0 and image["layers"] >= 1
        assert image["build_seconds"] >= 0
        assert image["smoke_exit"] == 0 and image["smoke_pass"] is True
        assert image["smoke_stdout"] == "hello Ada\nhello Grace Hopper\n"
    # busybox (2 MB) against debian:bookworm-slim (74 MB)
    assert 0 < report["size_ratio"] < 0.1
    _assert_cleaned(report["run_id"])


@pytest.mark.e2e
def test_passing_rewrite_text_report(app: Path) -> None:
    proc = verify(str(app / "Dockerfile"), "--rewritten", str(app.parent / "reference.Dockerfile"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("PASS")
    assert re.search(r"^size ratio \(rewritten/original\): 0\.\d{3}$", proc.stdout, re.M)
    assert re.search(r"^built\s+yes\s+yes$", proc.stdout, re.M)


@pytest.mark.e2e
def test_different_output_exits_1(app: Path) -> None:
    proc = verify(
        str(app / "Dockerfile"),
        "--rewritten",
        str(app.parent / "different.Dockerfile"),
        "--format",
        "json",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["result"] == "differs"
    assert report["same_exit"] is True and report["same_stdout"] is False
    assert report["images"]["rewritten"]["smoke_pass"] is False
    assert report["images"]["rewritten"]["smoke_stdout"] == "goodbye\n"
    _assert_cleaned(report["run_id"])


@pytest.mark.e2e
def test_build_failure_exits_2_and_shows_the_step(app: Path) -> None:
    proc = verify(str(app / "Dockerfile"), "--rewritten", str(app.parent / "broken.Dockerfile"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "the rewritten image failed to build" in proc.stdout
    assert re.search(
        r"^failing step: Step \d+/\d+ : RUN echo preparing && exit 3$", proc.stdout, re.M
    )
    assert "preparing" in proc.stdout.split("failing step:")[1]  # the log tail follows


@pytest.mark.e2e
def test_smoke_timeout_exits_2_and_removes_the_container(app: Path) -> None:
    proc = verify(
        str(app / "Dockerfile"),
        "--rewritten",
        str(app.parent / "sleeper.Dockerfile"),
        "--smoke",
        "600",
        "--timeout",
        "3",
        "--format",
        "json",
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert "timed out" in report["error"]
    assert report["images"]["rewritten"]["smoke_timed_out"] is True
    _assert_cleaned(report["run_id"])


@pytest.mark.e2e
def test_sigterm_cleans_up(app: Path) -> None:
    before = set(_all_verify_containers())
    proc = subprocess.Popen(
        _verify_cmd(
            str(app / "Dockerfile"),
            "--rewritten",
            str(app.parent / "sleeper.Dockerfile"),
            "--smoke",
            "600",
            "--format",
            "json",
        ),
        cwd=REPO_ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not set(_all_verify_containers()) - before:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the smoke container never started"
            time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    report = json.loads(stdout)
    assert report["result"] == "interrupted"
    _assert_cleaned(report["run_id"])


def _all_verify_containers() -> list[str]:
    cmd = ["docker", "ps", "-aq", "--filter", f"label={LABEL}"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()


def _has_in_process_rewriter() -> bool:
    try:
        from dockerslim_refactor import api, arguments
    except ImportError:
        return False
    return hasattr(api, "rewrite") and hasattr(arguments, "Batch")


@pytest.mark.e2e
@pytest.mark.skipif(
    not _has_in_process_rewriter(),
    reason="dockerslim_refactor.api.rewrite is not there yet",
)
def test_in_process_rewrite_of_a_project_app() -> None:
    app_dir = Path(__file__).resolve().parent / "apps" / "go-cgo-net"
    smoke = (app_dir / "smoke").read_text().strip()
    flags_file = app_dir / "flags"
    flags = flags_file.read_text().split() if flags_file.is_file() else []
    rewrite_args = [f"--rewrite-arg={flag}" for flag in flags]
    proc = verify(str(app_dir / "Dockerfile"), "--smoke", smoke, "--format", "json", *rewrite_args)
    report = json.loads(proc.stdout)
    assert report["rewritten"] == "(in-process rewrite)"
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["images"]["rewritten"]["smoke_stdout"].strip() == (
        (app_dir / "expected.txt").read_text().strip()
    )
    _assert_cleaned(report["run_id"])
