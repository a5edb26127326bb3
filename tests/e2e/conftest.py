"""End-to-end fixtures: a Docker engine to build and run images on.

Tests marked ``e2e`` need an engine. It is found with ``docker info``, which honours
``DOCKER_HOST`` and docker contexts. The tests never start one: the shared harness
(``../shared/e2e/engine.sh`` from the repository root) does that, and CI runs it before the
tests. Without an engine the e2e tests are skipped, except when ``CI`` is set: there a missing
engine fails them, so that a broken CI setup cannot pass silently.

Environment:
  E2E_REPORT      append one JSON line of figures per app test to this file
  E2E_ORIGINAL=1  also build each app's original Dockerfile (slow) for its size figure
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_E2E = REPO_ROOT.parent / "shared" / "e2e"
SHARED_E2E_DISPLAY = "../shared/e2e"
PROJECT_APPS = Path(__file__).resolve().parent / "apps"

BUILD_TIMEOUT = float(os.environ.get("E2E_BUILD_TIMEOUT", "1800"))
RUN_TIMEOUT = float(os.environ.get("E2E_RUN_TIMEOUT", "120"))


def _engine_problem() -> str | None:
    """None when ``docker info`` answers, else why not."""
    where = f"DOCKER_HOST={os.environ['DOCKER_HOST']}" if "DOCKER_HOST" in os.environ else None
    where = where or "the default docker context (DOCKER_HOST is not set)"
    if shutil.which("docker") is None:
        return "the docker CLI is not on PATH"
    try:
        proc = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        return f"no Docker engine answered on {where} within 30 s"
    if proc.returncode == 0 and proc.stdout.strip():
        return None
    last = (proc.stderr.strip().splitlines() or [""])[-1]
    return f"no Docker engine answers on {where}" + (f" ({last})" if last else "")


@pytest.fixture(scope="session")
def docker_engine_problem() -> str | None:
    problem = _engine_problem()
    if problem is None:
        return None
    if (SHARED_E2E / "engine.sh").is_file():
        return (
            f"{problem}; the tests do not start one: run "
            f'`eval "$(sudo {SHARED_E2E_DISPLAY}/engine.sh)"` from the repository root first'
        )
    return f"{problem}, and there is no {SHARED_E2E_DISPLAY}/engine.sh to start one with"


@pytest.fixture(autouse=True)
def _require_engine_for_e2e(request: pytest.FixtureRequest) -> None:
    """Skip e2e-marked tests when no engine answers; with CI set, mark them to fail instead."""
    if request.node.get_closest_marker("e2e") is None:
        return
    problem = request.getfixturevalue("docker_engine_problem")
    if problem is None:
        return
    if os.environ.get("CI"):
        # Failed in the call phase (pytest_pyfunc_call below), so it counts as a failed test.
        request.node.e2e_engine_problem = problem
        return
    pytest.skip(problem)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> None:
    problem = getattr(pyfuncitem, "e2e_engine_problem", None)
    if problem:
        pytest.fail(f"CI is set and the e2e tests need a Docker engine: {problem}", pytrace=False)


# ------------------------------------------------------------------------ docker helper ----


@dataclass
class Built:
    tag: str
    seconds: float
    size: int
    layers: int


class BuildFailed(AssertionError):
    pass


class Docker:
    """The docker CLI, with every tag it made removed at teardown."""

    def __init__(self) -> None:
        self.tags: list[str] = []

    @staticmethod
    def tag(app: str, role: str) -> str:
        return f"dslim-test/{app.lower()}:{role}-{os.getpid()}"

    def build(self, dockerfile: Path, context: Path, tag: str) -> Built:
        bases = sorted(context.glob("base*.Dockerfile"))
        if not dockerfile.name.startswith("base"):
            # A company's base image the app builds on, which no registry has: made first,
            # under the name its first line gives (`# tag: example/build-openjdk17:1`);
            # several in name order (`base.Dockerfile`, then `base.onbuild.Dockerfile` on it).
            for base in bases:
                first = base.read_text(encoding="utf-8").splitlines()[0]
                assert first.startswith("# tag: "), f"{base} must start with '# tag: NAME'"
                self.build(base, context, first.removeprefix("# tag: ").strip())
        self.tags.append(tag)
        cmd = ["docker", "build", "--network", "host", "--force-rm", "-f", str(dockerfile)]
        cmd += ["-t", tag, str(context)]
        started = time.monotonic()
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=BUILD_TIMEOUT,
        )
        seconds = round(time.monotonic() - started, 1)
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-25:])
            raise BuildFailed(f"{shlex.join(cmd)} failed (exit {proc.returncode}):\n{tail}")
        size, layers = self.inspect(tag)
        return Built(tag=tag, seconds=seconds, size=size, layers=layers)

    @staticmethod
    def inspect(image: str) -> tuple[int, int]:
        out = subprocess.run(
            ["docker", "image", "inspect", "-f", "{{.Size}} {{len .RootFS.Layers}}", image],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        return int(out[0]), int(out[1])

    @staticmethod
    def run(image: str, args: list[str]) -> subprocess.CompletedProcess[str]:
        name = f"dslim-test-{os.getpid()}-{time.monotonic_ns()}"
        cmd = ["docker", "run", "--rm", "--network", "none", "--name", name, image, *args]
        try:
            return subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            subprocess.run(["docker", "rm", "-f", name], capture_output=True)
            raise

    def remove_all(self) -> None:
        if self.tags:
            subprocess.run(["docker", "image", "rm", "-f", *self.tags], capture_output=True)
            self.tags.clear()


@pytest.fixture
def docker():
    """The docker CLI helper; the images it built are removed after the test."""
    helper = Docker()
    yield helper
    helper.remove_all()


@pytest.fixture
def record_figures():
    """A function that appends one JSON line of figures to $E2E_REPORT (when it is set)."""

    def record(figures: dict) -> None:
        path = os.environ.get("E2E_REPORT")
        if not path:
            return
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(figures, sort_keys=True) + "\n")

    return record
