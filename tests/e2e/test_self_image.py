"""The tool's own container image: the repository's Dockerfile builds on the local engine, runs
as an unprivileged user, and the two commands the README shows for CI work as documented:
``docker run --rm -i IMAGE - < Dockerfile`` prints the rewrite, and ``docker run --rm -v
"$PWD":/src -w /src IMAGE --check .`` fails when a Dockerfile would be rewritten."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from dockerslim_refactor.rewrite import rewrite

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "samples" / "go-seed.before.Dockerfile"


def _readme_commands() -> list[str]:
    """The ``docker run`` lines of the README's container image section, as written."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Container image", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("docker")]


def _sh(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_tools_image_builds_and_runs_the_readme_commands(tmp_path: Path, docker) -> None:
    tag = docker.tag("dockerslim-refactor", "self")
    built = docker.build(REPO_ROOT / "Dockerfile", REPO_ROOT, tag)
    user = subprocess.run(
        ["docker", "image", "inspect", "-f", "{{.Config.User}}", tag],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert user and user.split(":")[0] not in {"root", "0"}
    # The size the README states is this image's, to the megabyte shown there.
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"The image is about\s+(\d+)\s+MB", readme)
    assert stated, "the README states the image size"
    assert abs(int(stated.group(1)) - built.size / 1e6) <= 15, built.size

    commands = _readme_commands()
    rewrite_cmd = next(c for c in commands if " - < Dockerfile" in c)
    check_cmd = next(c for c in commands if c.endswith("--check ."))
    for command in (rewrite_cmd, check_cmd):
        assert command.startswith("docker run --rm "), command

    # A project with one Dockerfile to rewrite and one already multi-stage.
    project = tmp_path / "project"
    (project / "api").mkdir(parents=True)
    project.chmod(0o755)
    (project / "api").chmod(0o755)
    source = SAMPLE.read_text(encoding="utf-8")
    (project / "Dockerfile").write_text(source, encoding="utf-8")
    (project / "api" / "Dockerfile").write_text(
        (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8"), encoding="utf-8"
    )

    image = shlex.quote(tag)
    printed = _sh(rewrite_cmd.replace("dockerslim-refactor", image, 1), project)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == rewrite(source).output

    checked = _sh(check_cmd.replace("dockerslim-refactor", image, 1), project)
    assert checked.returncode == 1, checked.stderr
    assert "Dockerfile: would rewrite" in checked.stdout + checked.stderr
    assert "api/Dockerfile: would rewrite" not in checked.stdout + checked.stderr

    (project / "Dockerfile").unlink()
    clean = _sh(check_cmd.replace("dockerslim-refactor", image, 1), project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
