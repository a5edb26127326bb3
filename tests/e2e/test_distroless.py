"""``--runtime distroless`` for interpreted programs, built and run: every Node.js app (shared
and project) is rewritten onto the distroless Node.js image of its version, must print what
its smoke run expects, and the shared node-ts app must be at most 0.40 times its
hand-written reference. An app whose code runs another program stops in the builder."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from conftest import BuildFailed
from test_apps import PROJECT_APPS, SHARED_APPS, _copy_app, _rewrite

pytestmark = pytest.mark.e2e

# The target: the expert distroless rewrite of node-ts is 0.36 x the reference.
NODE_TS_RATIO = 0.40
# Apps whose code runs another program: distroless cannot have it, the builder says so.
STOPS = {"node-runs-git": "the app runs git, which the distroless runtime does not have"}
# Apps that distroless cannot run at all, and why the rewrite says so.
REFUSED = {"node-start-devdep": "npm"}


def _node_apps() -> list:
    found = []
    for source, root in (("shared", SHARED_APPS), ("project", PROJECT_APPS)):
        if root.is_dir():
            for app in sorted(root.glob("node-*")):
                found.append(pytest.param(app, id=f"{source}:{app.name}"))
    return found


@pytest.mark.parametrize("app_dir", _node_apps())
def test_node_app_on_distroless(app_dir: Path, tmp_path: Path, docker, record_figures) -> None:
    name = app_dir.name
    app = _copy_app(app_dir, tmp_path / "app")
    rewritten = tmp_path / "Dockerfile.distroless"
    if name in REFUSED:
        import subprocess
        import sys

        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "dockerslim_refactor",
                str(app / "Dockerfile"),
                "-o",
                str(rewritten),
                "--runtime",
                "distroless",
            ],
            capture_output=True,
            text=True,
        )
        assert not rewritten.exists()
        assert "--runtime distroless" in proc.stderr and REFUSED[name] in proc.stderr
        return
    _rewrite(app / "Dockerfile", rewritten, ["--runtime", "distroless"])
    text = rewritten.read_text()
    assert "\nFROM gcr.io/distroless/nodejs18-debian12\n" in text
    if name in STOPS:
        with pytest.raises(BuildFailed) as failed:
            docker.build(rewritten, app, docker.tag(name, "distroless"))
        assert STOPS[name] in str(failed.value) and "--runtime slim" in str(failed.value)
        return
    built = docker.build(rewritten, app, docker.tag(name, "distroless"))
    lines = (app_dir / "smoke").read_text(encoding="utf-8").splitlines()
    smoke = shlex.split(lines[0]) if lines else []
    # The program's own output: `npm start`'s banner ("> app@1.0.0 start") goes with npm,
    # which distroless does not have (the rewrite runs the start script's node command).
    expected = "\n".join(
        line
        for line in (app_dir / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("> ")
    )
    ran = docker.run(built.tag, smoke)
    assert (
        ran.returncode == 0 and ran.stdout.rstrip("\n") == expected
    ), f"{ran.stderr[-2000:]}\n{text}"
    reference = docker.build(app / "Dockerfile.reference", app, docker.tag(name, "reference"))
    ratio = round(built.size / reference.size, 4)
    record_figures(
        {
            "app": name,
            "runtime": "distroless",
            "size_rewrite_bytes": built.size,
            "size_reference_bytes": reference.size,
            "ratio_rewrite_reference": ratio,
        }
    )
    if name == "node-ts":
        assert ratio <= NODE_TS_RATIO, f"{built.size} / {reference.size} = {ratio}"
