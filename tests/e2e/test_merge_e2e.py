"""`merge` end to end: a tiny Go app in the legacy builder pattern (Dockerfile.build, build.sh,
Dockerfile) is merged, the printed build command is run on the engine, and the image prints
the app's line; the legacy script itself builds an image that prints the same.

The app is made in a temporary folder; it needs golang:1.19 and busybox:1.35, which the shared
harness's engine has, and no network (the Go program uses the standard library only). The
engine has the classic builder only, so every build runs with DOCKER_BUILDKIT=0.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
LINE = "hello from a merged build"

MAIN_GO = f"""package main

import "fmt"

func main() {{
\tfmt.Println("{LINE}")
}}
"""

GO_MOD = "module app\n\ngo 1.19\n"

BUILD = """FROM golang:1.19
WORKDIR /go/src/app
COPY go.mod main.go ./
RUN CGO_ENABLED=0 go build -o app .
"""

RUNTIME = """FROM busybox:1.35
COPY app /usr/local/bin/app
CMD ["app"]
"""

SCRIPT = """#!/bin/sh
set -e
echo "Building {image}:build"
docker build --network host -t {image}:build . -f Dockerfile.build

docker container create --name {container} {image}:build
docker container cp {container}:/go/src/app/app ./app
docker container rm -f {container}

echo "Building {image}:latest"
docker build --network host --no-cache -t {image}:latest .
rm ./app
"""

BUILD_TIMEOUT = float(os.environ.get("E2E_BUILD_TIMEOUT", "1800"))


@pytest.fixture
def app(tmp_path: Path) -> tuple[Path, str]:
    """The legacy app in a folder, and the image name its script tags."""
    image = f"dslim-test/merge-{os.getpid()}"
    container = f"dslim-test-merge-extract-{os.getpid()}"
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "main.go").write_text(MAIN_GO)
    (folder / "go.mod").write_text(GO_MOD)
    (folder / "Dockerfile.build").write_text(BUILD)
    (folder / "Dockerfile").write_text(RUNTIME)
    (folder / "build.sh").write_text(SCRIPT.format(image=image, container=container))
    return folder, image


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["DOCKER_BUILDKIT"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=BUILD_TIMEOUT,
    )
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
    assert proc.returncode == 0, f"{shlex.join(cmd)} failed (exit {proc.returncode}):\n{tail}"
    return proc


def _merge(folder: Path) -> str:
    """Merge the app and return the build command printed instead of the script."""
    proc = _run(
        [
            sys.executable,
            "-m",
            "dockerslim_refactor.frontends.merge",
            "Dockerfile.build",
            "Dockerfile",
            "--script",
            "build.sh",
            "-o",
            "Dockerfile.merged",
        ],
        folder,
    )
    prefix = "instead of build.sh, run: "
    commands = [line[len(prefix) :] for line in proc.stderr.splitlines() if line.startswith(prefix)]
    assert len(commands) == 1, proc.stderr
    return commands[0]


def test_merged_file_builds_and_runs(app, docker):
    folder, image = app
    command = _merge(folder)
    assert command == f"docker build --network host -t {image}:latest -f Dockerfile.merged ."
    assert (folder / "Dockerfile.merged").read_text() == (
        "FROM golang:1.19 AS builder\n"
        "WORKDIR /go/src/app\n"
        "COPY go.mod main.go ./\n"
        "RUN CGO_ENABLED=0 go build -o app .\n"
        "\n"
        "FROM busybox:1.35\n"
        "COPY --from=builder /go/src/app/app /usr/local/bin/app\n"
        'CMD ["app"]\n'
    )
    docker.tags.append(f"{image}:latest")
    _run(shlex.split(command), folder)
    assert not (folder / "app").exists()  # nothing is copied into the build context any more
    proc = docker.run(f"{image}:latest", [])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == LINE


def test_merged_image_runs_like_the_legacy_one(app, docker):
    folder, image = app
    docker.tags += [f"{image}:build", f"{image}:latest", f"{image}:legacy"]
    _run(["sh", "build.sh"], folder)
    _run(["docker", "tag", f"{image}:latest", f"{image}:legacy"], folder)
    assert not (folder / "app").exists()
    legacy = docker.run(f"{image}:legacy", [])

    _run(shlex.split(_merge(folder)), folder)
    merged = docker.run(f"{image}:latest", [])
    assert (merged.returncode, merged.stdout) == (legacy.returncode, legacy.stdout)
    assert merged.stdout.strip() == LINE
    # the same files on the same base: one layer on top of busybox either way
    assert docker.inspect(f"{image}:latest")[1] == docker.inspect(f"{image}:legacy")[1]
