"""Rewrite every sample app's Dockerfile with the tool, build it, run its smoke command.

Apps come from the shared harness (``../shared/e2e/apps/*`` from the repository root, when
it is there) and from ``tests/e2e/apps/*``. Each app folder holds a single-stage
``Dockerfile``, a hand-written multi-stage ``Dockerfile.reference``, ``smoke`` (one line of
``docker run`` arguments; empty runs the image's own command) and ``expected.txt`` (the line
the smoke run must print). A project app may add ``flags``: one line of extra rewrite options.

For each app the rewrite must build, print the expected line and nothing on stderr that the
reference does not, and be at most
``SIZE_TOLERANCE`` times the size of the reference image. The app folder is copied to a
temporary folder first, so nothing is ever written into the (read-only) shared folder.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_APPS = REPO_ROOT.parent / "shared" / "e2e" / "apps"
PROJECT_APPS = Path(__file__).resolve().parent / "apps"

SIZE_TOLERANCE = 1.10

# Rewrite options for the shared apps, which have no `flags` file of their own. The shared
# harness has no alpine image (the tool's automatic choice for static binaries), so the
# busybox runtime family is the default there; an entry in SHARED_APP_FLAGS replaces the
# default for that app, matching what its Dockerfile.reference does.
SHARED_DEFAULT_FLAGS = ["--runtime", "busybox"]
SHARED_APP_FLAGS: dict[str, list[str]] = {
    # The reference links crc32sum statically (glibc + zlib) to run it on busybox.
    "c-make": ["--runtime", "busybox", "--linkage", "static"],
    # The reference runs the static Go binary FROM scratch; busybox would add 2 MB (+40 %).
    "go-http": ["--runtime", "scratch"],
    # rust:1.63 does not name its Debian release; on the engine it is bookworm, which the
    # author knows and the tool cannot (its cc-debian12 base is bookworm's glibc).
    "rust-cli": ["--runtime-image", "gcr.io/distroless/cc-debian12"],
}


def _apps() -> list:
    params = []
    for source, root in (("shared", SHARED_APPS), ("project", PROJECT_APPS)):
        if not root.is_dir():
            continue
        for app_dir in sorted(p for p in root.iterdir() if (p / "Dockerfile").is_file()):
            params.append(pytest.param(source, app_dir, id=f"{source}:{app_dir.name}"))
    return params


def _flags(source: str, app_dir: Path) -> list[str]:
    if source == "shared":
        return list(SHARED_APP_FLAGS.get(app_dir.name, SHARED_DEFAULT_FLAGS))
    flags_file = app_dir / "flags"
    if not flags_file.is_file():
        return []
    lines = flags_file.read_text(encoding="utf-8").splitlines()
    return shlex.split(lines[0]) if lines else []


def _copy_app(app_dir: Path, dest: Path) -> Path:
    """Copy the app to ``dest`` and make the copy writable (shared files are read-only)."""
    shutil.copytree(app_dir, dest, symlinks=True)
    for path in [dest, *dest.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return dest


def _rewrite(dockerfile: Path, out: Path, flags: list[str]) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "dockerslim_refactor", str(dockerfile), "-o", str(out), *flags]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, (
        f"rewrite failed (exit {proc.returncode}): {shlex.join(cmd)}\n"
        f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert out.is_file(), f"the rewrite wrote no {out.name}"


def _ratio(a: int | None, b: int | None) -> float | None:
    return round(a / b, 4) if a is not None and b else None


@pytest.mark.parametrize(("source", "app_dir"), _apps())
def test_app_rewrite_builds_runs_and_is_small(
    source: str, app_dir: Path, tmp_path: Path, docker, record_figures
) -> None:
    name = app_dir.name
    flags = _flags(source, app_dir)
    lines = (app_dir / "smoke").read_text(encoding="utf-8").splitlines()
    smoke = shlex.split(lines[0]) if lines else []
    expected = (app_dir / "expected.txt").read_text(encoding="utf-8").rstrip("\n")
    figures: dict = {
        "app": name,
        "source": source,
        "flags": flags,
        "rewrite_built": False,
        "smoke_pass": False,
        "size_original_bytes": None,
        "size_reference_bytes": None,
        "size_rewrite_bytes": None,
        "layers_reference": None,
        "layers_rewrite": None,
        "build_seconds_rewrite": None,
        "ratio_rewrite_reference": None,
        "ratio_rewrite_original": None,
        "ratio_reference_original": None,
        "error": None,
    }
    try:
        app = _copy_app(app_dir, tmp_path / "app")
        rewritten = tmp_path / "Dockerfile.rewritten"
        _rewrite(app / "Dockerfile", rewritten, flags)

        reference = docker.build(app / "Dockerfile.reference", app, docker.tag(name, "reference"))
        figures["size_reference_bytes"] = reference.size
        figures["layers_reference"] = reference.layers

        if os.environ.get("E2E_ORIGINAL") == "1":
            original = docker.build(app / "Dockerfile", app, docker.tag(name, "original"))
            figures["size_original_bytes"] = original.size
            figures["ratio_reference_original"] = _ratio(reference.size, original.size)

        rewrite = docker.build(rewritten, app, docker.tag(name, "rewrite"))
        figures.update(
            rewrite_built=True,
            size_rewrite_bytes=rewrite.size,
            layers_rewrite=rewrite.layers,
            build_seconds_rewrite=rewrite.seconds,
            ratio_rewrite_reference=_ratio(rewrite.size, reference.size),
            ratio_rewrite_original=_ratio(rewrite.size, figures["size_original_bytes"]),
        )

        run = docker.run(rewrite.tag, smoke)
        output = run.stdout.rstrip("\n")
        figures["smoke_pass"] = run.returncode == 0 and output == expected
        assert run.returncode == 0 and output == expected, (
            f"smoke run of the rewrite (docker run IMAGE {shlex.join(smoke)}) exited "
            f"{run.returncode}\nexpected: {expected!r}\ngot:      {output!r}\n"
            f"stderr:\n{run.stderr[-2000:]}\nrewrite:\n{rewritten.read_text()}"
        )
        # Warnings count too: a PHP extension enabled without its library still prints the
        # right output, and complains on stderr where the reference does not.
        reference_run = docker.run(reference.tag, smoke)
        assert run.stderr.strip() == reference_run.stderr.strip(), (
            f"the rewrite's stderr differs from the reference's\nrewrite:\n{run.stderr[-2000:]}"
            f"\nreference:\n{reference_run.stderr[-2000:]}"
        )
        assert rewrite.size <= SIZE_TOLERANCE * reference.size, (
            f"the rewrite is {rewrite.size} bytes, more than {SIZE_TOLERANCE} x the reference's "
            f"{reference.size} (ratio {figures['ratio_rewrite_reference']})\n"
            f"rewrite:\n{rewritten.read_text()}"
        )
    except BaseException as exc:
        figures["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        raise
    finally:
        record_figures(figures)
