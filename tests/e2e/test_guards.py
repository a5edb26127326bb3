"""Builder guards: where the rewrite cannot know a fact before the build, the builder checks
it and stops with a message that names the flag, instead of producing an image that breaks
when it starts. Each guard app in ``guards/`` is a Dockerfile that must trip its guard."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BuildFailed

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
GUARDS = Path(__file__).resolve().parent / "guards"


def _rewrite(dockerfile: Path, out: Path, *flags: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "dockerslim_refactor", str(dockerfile), "-o", str(out), *flags]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_static_go_build_stops_when_a_dependency_needs_cgo(tmp_path: Path, docker) -> None:
    app = Path(shutil.copytree(GUARDS / "go-cgo-dependency", tmp_path / "app"))
    rewritten = tmp_path / "Dockerfile.rewritten"
    # No Go file in the context imports "C": the rewrite goes static and says so.
    assert "CGO_ENABLED=0" in _rewrite(app / "Dockerfile", rewritten)
    with pytest.raises(BuildFailed) as failed:
        docker.build(rewritten, app, docker.tag("go-cgo-dependency", "static"))
    assert "example.com/answer/cbits need cgo" in str(failed.value)
    assert "--linkage dynamic" in str(failed.value)

    # The flag the message names gives a build that runs.
    dynamic = tmp_path / "Dockerfile.dynamic"
    _rewrite(
        app / "Dockerfile",
        dynamic,
        "--linkage",
        "dynamic",
        "--runtime-image",
        "debian:bookworm-slim",
    )
    built = docker.build(dynamic, app, docker.tag("go-cgo-dependency", "dynamic"))
    ran = docker.run(built.tag, [])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "answer 42"


def test_a_guessed_release_is_checked_in_the_builder(tmp_path: Path, docker) -> None:
    # Upstream rust:1.63 was built on bullseye, so that is the rewrite's runtime; this
    # engine's rust:1.63 is bookworm, and the builder must say so rather than ship a binary
    # onto another release's libraries.
    shared = REPO_ROOT.parent / "shared" / "e2e" / "apps" / "rust-cli"
    app = Path(shutil.copytree(shared, tmp_path / "app"))
    for path in [app, *app.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    rewritten = tmp_path / "Dockerfile.rewritten"
    notes = _rewrite(app / "Dockerfile", rewritten)
    assert "does not name its Debian release" in notes and "bullseye" in notes
    with pytest.raises(BuildFailed) as failed:
        docker.build(rewritten, app, docker.tag("rust-cli", "release-check"))
    assert "not Debian bullseye" in str(failed.value) and "bookworm" in str(failed.value)


def test_a_static_program_that_runs_git_stops_a_base_without_it(tmp_path: Path, docker) -> None:
    # The sources come in a tarball, so only the builder can see exec.Command("git", …).
    app = Path(shutil.copytree(GUARDS / "go-runs-git", tmp_path / "app"))
    rewritten = tmp_path / "Dockerfile.rewritten"
    _rewrite(app / "Dockerfile", rewritten, "--runtime", "distroless")
    with pytest.raises(BuildFailed) as failed:
        docker.build(rewritten, app, docker.tag("go-runs-git", "distroless"))
    assert "the app runs git, which the distroless runtime does not have" in str(failed.value)
    assert "--runtime slim" in str(failed.value)

    # The flag the message names gives a build whose program finds git.
    slim = tmp_path / "Dockerfile.slim"
    _rewrite(app / "Dockerfile", slim, "--runtime", "slim")
    built = docker.build(slim, app, docker.tag("go-runs-git", "slim"))
    ran = docker.run(built.tag, [])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "gitinfo: git ok"


def test_a_java_version_guessed_from_the_tag_is_checked_in_the_builder(
    tmp_path: Path, docker
) -> None:
    # clojure:lein-2.8.1 was built on Java 8, so that JRE is the rewrite's runtime; this
    # engine's stand-in has Java 17, and the builder must say so rather than ship classes
    # an older JRE cannot load.
    app = Path(shutil.copytree(GUARDS / "java-lein-old-tag", tmp_path / "app"))
    rewritten = tmp_path / "Dockerfile.rewritten"
    notes = _rewrite(app / "Dockerfile", rewritten)
    assert "does not name its Java" in notes and "eclipse-temurin:8-jre" in notes
    with pytest.raises(BuildFailed) as failed:
        docker.build(rewritten, app, docker.tag("java-lein-old-tag", "guess"))
    assert "the builder's Java is 17" in str(failed.value)
    assert "--runtime-image eclipse-temurin:17-jre" in str(failed.value)

    # The flag the message names gives a build that runs.
    named = tmp_path / "Dockerfile.named"
    _rewrite(app / "Dockerfile", named, "--runtime-image", "eclipse-temurin:17-jre")
    built = docker.build(named, app, docker.tag("java-lein-old-tag", "named"))
    ran = docker.run(built.tag, [])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "hello, world (built with lein, Clojure 1.11.1)"
