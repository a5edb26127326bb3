"""The import name does not clash: PyPI's `refactor` package installs a top-level `refactor`,
and both must import side by side in one environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(600)
def test_wheel_installs_next_to_a_package_named_refactor(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    # A copy of the source tree without build leftovers (an old build/ would be packed too).
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".*cache"),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("dockerslim_refactor-*.whl")
    env = tmp_path / "venv"
    venv.create(env, with_pip=False, system_site_packages=True)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # What PyPI's `refactor` installs: a top-level package of that name in site-packages.
    other = Path(site) / "refactor"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("STUB = 'the other refactor'\n")
    install = [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    assert (other / "__init__.py").read_text() == "STUB = 'the other refactor'\n"
    assert sorted(p.name for p in other.iterdir()) == ["__init__.py"], "nothing of ours in it"
    done = subprocess.run(
        [
            str(python),
            "-c",
            "import refactor, dockerslim_refactor, dockerslim_refactor.frontends.cli as cli; "
            "print(refactor.STUB, dockerslim_refactor.__file__, cli.main.__name__)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("the other refactor ")
    assert str(env) in done.stdout, "dockerslim_refactor comes from the fresh environment"
