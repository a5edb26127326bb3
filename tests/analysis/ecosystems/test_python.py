"""The Python detector: pip / poetry installs into a virtual environment the runtime stage
copies whole, the slim image of the same Python, and what it cannot carry."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import dockerfile
import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import python
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(text: str, options: Options | None = None) -> BuildInfo | None:
    return run_detector(python.detect, text, options)


def summary(build: BuildInfo) -> dict[str, object]:
    return {
        "ecosystem": build.ecosystem,
        "artifacts": [(a.path, a.dest) for a in build.artifacts if a.kind != "installed-tree"],
        "linkage": build.linkage,
        "runtime_image": build.runtime_image,
        "builder_env": build.builder_env,
        "builder_prelude": [line for line in build.builder_prelude if not line.startswith("#")],
        "builder_steps": [s.splitlines()[-1] for s in build.builder_steps],
        "runtime_env": build.runtime_env,
        "runtime_packages": build.runtime_packages,
        "findings": sorted((f.code, f.flag) for f in build.findings),
    }


def py_file(run: str, image: str = "python:3.12", cmd: str = '["python", "app.py"]') -> str:
    return f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN {run}\nCMD {cmd}\n"


VENV_ENV = (("VIRTUAL_ENV", "/opt/venv"), ("PATH", "/opt/venv/bin:$PATH"))
VENV_PRELUDE = [python.venv_step("/opt/venv")]
UNINSTALL_PIP = ['    [ -e "$sp/_distutils_hack" ] || rm -f "$sp/distutils-precedence.pth"']
VENV_AND_APP = [("/opt/venv", "/opt/venv"), ("/app", "/app")]


# --------------------------------------------------------------------------------------------
# Must not detect / must not change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
            id="no-install",
        ),
        pytest.param(py_file("pip list && pip freeze"), id="pip-without-install"),
        pytest.param(py_file("python -m compileall ."), id="compileall"),
        pytest.param(
            'FROM node:20\nRUN npm ci\nCMD ["node", "a.js"]\n',
            id="node",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        pytest.param(py_file("pip install -r r.txt", "pypy:3.10"), "pypy:3.10", id="no-slim"),
        pytest.param(
            py_file("pip install --no-cache-dir -r r.txt", "python:3.12-slim"),
            "runtime image",
            id="already-slim-without-compilers",
        ),
    ],
)
def test_left_alone(text: str, why: str) -> None:
    result = rewrite(text)
    assert result.output is None
    assert result.reason is not None and why in result.reason


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(py_file("pip install -r r.txt", "pypy:3.10"), id="unknown-slim-image"),
    ],
)
def test_what_cannot_be_carried_has_no_artifacts_and_asks_for_runtime_image(text: str) -> None:
    build = detect(text)
    assert build is not None
    assert build.artifacts == ()
    assert summary(build)["findings"] == [("DSR100", "--runtime-image")]


# --------------------------------------------------------------------------------------------
# Detects


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            py_file("pip install -r requirements.txt"),
            {
                "artifacts": VENV_AND_APP,
                "runtime_image": "python:3.12-slim",
                "builder_prelude": VENV_PRELUDE,
                "builder_env": VENV_ENV,
                "builder_steps": UNINSTALL_PIP,
                "runtime_env": VENV_ENV,
                "findings": [],
            },
            id="venv-injected",
        ),
        pytest.param(
            py_file("pip install poetry && poetry install --no-root"),
            {"artifacts": VENV_AND_APP, "builder_prelude": VENV_PRELUDE},
            id="poetry-into-injected-venv",
        ),
        pytest.param(
            py_file("python -m venv /opt/env && /opt/env/bin/pip install -r requirements.txt"),
            {
                "artifacts": [("/opt/env", "/opt/env"), ("/app", "/app")],
                "builder_prelude": [],
                "builder_env": (),
                # The venv the file made loses its installers too.
                "builder_steps": UNINSTALL_PIP,
                "runtime_env": (("PATH", "/opt/env/bin:$PATH"),),
            },
            id="existing-venv-reused",
        ),
        pytest.param(
            """
            FROM python:3.12
            ENV VIRTUAL_ENV=/opt/venv
            RUN python -m venv $VIRTUAL_ENV
            ENV PATH="$VIRTUAL_ENV/bin:$PATH"
            WORKDIR /app
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["python", "app.py"]
            """,
            {
                "artifacts": VENV_AND_APP,
                "builder_prelude": [],
                "builder_env": (),
                "runtime_env": (),
            },
            id="existing-venv-already-on-path",
        ),
        pytest.param(
            py_file("pip install --user -r requirements.txt"),
            {
                # With the installed tree (not listed here): ~/.local is in it.
                "artifacts": [("/app", "/app")],
                "builder_prelude": [],
                "builder_env": (),
                "findings": [("DSR100", "--artifact")],
            },
            id="pip-user-install-stays-as-written",
        ),
        pytest.param(
            py_file("apt-get update && apt-get install -y gcc libpq-dev && pip install -r r.txt"),
            {"runtime_packages": ("libpq5",), "findings": []},
            id="dev-package-to-runtime-library",
        ),
        pytest.param(
            py_file("apt-get update && apt-get install -y python3-dev && pip install -r r.txt"),
            {"runtime_packages": (), "findings": []},
            id="header-only-dev-package",
        ),
        pytest.param(
            py_file("pip install -r requirements.txt"),
            {"runtime_image": "python:3.12-slim"},
            id="tag-3.12",
        ),
        pytest.param(
            py_file("pip install -r requirements.txt", "python:3.11-bookworm"),
            {"runtime_image": "python:3.11-slim-bookworm"},
            id="tag-3.11-bookworm",
        ),
        pytest.param(
            py_file("pip install -r requirements.txt", "python:3.12-alpine"),
            {"runtime_image": "python:3.12-alpine"},
            id="tag-alpine-kept",
        ),
        pytest.param(
            py_file("pip install -r requirements.txt", "python:3.12-alpine3.19"),
            {"runtime_image": "python:3.12-alpine3.19"},
            id="tag-alpine-release-kept",
        ),
        pytest.param(
            py_file(
                "apt-get update && apt-get install -y gcc && pip install -r r.txt",
                "python:3.12-slim-bookworm",
            ),
            {"runtime_image": "python:3.12-slim-bookworm"},
            id="tag-slim-with-compiler-kept",
        ),
    ],
)
def test_detects(text: str, expected: dict[str, object]) -> None:
    build = detect(dedent(text).lstrip("\n"))
    assert build is not None
    got = summary(build)
    assert (got["ecosystem"], got["linkage"]) == ("python", "interpreter")
    assert {key: got[key] for key in expected} == expected


def test_runtime_image_option_wins() -> None:
    build = detect(
        py_file("pip install -r r.txt", "pypy:3.10"), Options(runtime_image="python:3.13-slim")
    )
    assert build is not None
    assert build.runtime_image == "python:3.13-slim"
    assert summary(build)["artifacts"] == VENV_AND_APP


def test_artifact_option_adds_to_the_venv() -> None:
    build = detect(py_file("pip install -r r.txt"), Options(artifacts=("/app/src",)))
    assert build is not None
    assert summary(build)["artifacts"] == [("/opt/venv", "/opt/venv"), ("/app/src", "/app/src")]


def test_injected_venv_comes_with_a_comment() -> None:
    build = detect(py_file("pip install -r r.txt"))
    assert build is not None
    assert build.builder_prelude[0].startswith("# ")
    assert build.builder_steps[0].startswith("# ")


def test_venv_inside_the_app_folder_is_copied_once() -> None:
    build = detect(
        py_file(
            "python -m venv .venv && .venv/bin/pip install -r requirements.txt",
            cmd='["/app/.venv/bin/python", "app.py"]',
        )
    )
    assert build is not None
    paths = [a.path for a in build.artifacts]
    assert "/app" in paths
    nested = [(p, q) for p in paths for q in paths if p != q and p.startswith(q + "/")]
    assert nested == []


NO_VENV = [
    pytest.param(
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "RUN cp extra.pth /usr/local/lib/python3.11/site-packages/\n"
        'CMD ["python", "app.py"]\n',
        "python:3.11-slim",
        "site-packages",
        id="a-step-names-site-packages",
    ),
    pytest.param(
        "FROM python:2.7\nWORKDIR /app\nCOPY . .\nRUN pip install -r req.txt\n"
        'CMD ["python", "a.py"]\n',
        "python:2.7-slim",
        "Python 2",
        id="python-2",
    ),
    pytest.param(
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'RUN sudo -u app make production\nCMD ["python", "app.py"]\n',
        "python:3.11-slim",
        "sudo",
        id="a-step-through-sudo",
    ),
]


NO_VENV.append(
    pytest.param(
        "FROM python:3.11\nRUN apt-get update && apt-get install -y python3-yaml\n"
        "WORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]\n',
        "python:3.11-slim",
        "OS packages (python3-yaml)",
        id="python-modules-as-os-packages",
    )
)


@pytest.mark.parametrize(("text", "runtime", "why"), NO_VENV)
def test_a_build_that_cannot_use_a_venv_stays_as_written(text: str, runtime: str, why: str) -> None:
    """In a virtual environment the later step would break (an empty site-packages, a PATH
    sudo resets) or there is none (Python 2): the build stays as it is, and what it
    installed is found at build time and copied onto the slim image."""
    from dockerslim_refactor.rewrite import rewrite

    result = rewrite(text)
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)
    builder, runtime_stage = result.output.split(f"\nFROM {runtime}\n", 1)
    assert "python -m venv" not in builder and "VIRTUAL_ENV" not in result.output
    assert "comm -23 /tmp/dslim/added /tmp/dslim/unchanged" in builder
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime_stage
    assert "COPY --from=builder /app /app" in runtime_stage
    assert any(f.flag == "--artifact" and why in f.message for f in result.analysis.findings)
    assert rewrite(result.output).output is None


def test_pip_stays_when_the_command_runs_it() -> None:
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'CMD ["sh", "-c", "pip install -r plugins.txt && python app.py"]\n'
    )
    result = rewrite(text)
    assert result.output is not None and "pip uninstall" not in result.output


def test_an_onbuild_image_keeps_pip_for_the_images_built_on_it() -> None:
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        'ONBUILD COPY . /app\nCMD ["python", "app.py"]\n'
    )
    result = rewrite(text)
    assert result.output is not None and "pip uninstall" not in result.output


def test_os_python_packages_on_debian_keep_the_release_and_the_packages() -> None:
    # The distribution's Python with modules from apt: not a slim Python image (it has
    # neither), but the same release with the packages reinstalled and pip's files copied.
    text = py_file(
        "apt-get update && apt-get install -y python3 python3-pip python3-numpy python3-dev "
        "gcc && pip3 install --break-system-packages flask",
        "debian:bookworm",
        '["python3", "app.py"]',
    )
    assert detect(text) is None  # the installed-tree fallback takes it
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert runtime.startswith("debian:bookworm-slim\n") and " python3-numpy " in runtime
    assert " gcc " not in runtime and " python3-dev " not in runtime


def test_what_the_build_put_outside_the_venv_and_the_app_comes_along() -> None:
    # A database moved to /etc, a tool downloaded to /usr/local/bin: found at build time,
    # as for `make install`, and copied whole; an input copied to /tmp is not the app.
    text = dedent("""\
        FROM python:3.12
        WORKDIR /app
        COPY r.txt .
        RUN pip install -r r.txt
        COPY data/words.gz /tmp/words.gz
        RUN gunzip /tmp/words.gz && mv /tmp/words /etc/words
        COPY . .
        CMD ["python", "app.py"]
        """)
    build = detect(text)
    assert build is not None
    assert [(a.path, a.kind) for a in build.artifacts] == [
        ("/opt/venv", "venv"),
        ("/tmp/dslim/root/", "installed-tree"),
        ("/app", "directory"),
    ]
    assert build.marker_line == 2
    collect = build.final_steps[-1]
    assert "-path /opt/venv -prune -o -path /app -prune -o" in collect
    assert "p=$(command -v python)" in collect
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert "COPY --from=builder /tmp/dslim/root/ /\n" in runtime
    assert "/tmp/words.gz" not in runtime


def test_the_venv_gets_the_images_own_setuptools_and_wheel(tmp_path) -> None:
    # pip builds otherwise without wheel (no bdist_wheel with --no-build-isolation, a
    # PEP 660 editable install instead of `setup.py develop`): the venv gets the image's.
    import os
    import subprocess
    import sys

    site = tmp_path / "system"
    for name in ("setuptools", "wheel", "pkg_resources", "_distutils_hack"):
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text("__version__ = 'image'\n")
    (site / "setuptools-1.0.dist-info").mkdir()
    (site / "wheel-0.1.egg-info").mkdir()
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python").symlink_to(sys.executable)
    venv = tmp_path / "venv"
    step = python.venv_step(str(venv)).removeprefix("RUN ").replace("\\\n", "")
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}", "PYTHONPATH": str(site)}
    proc = subprocess.run(["sh", "-ec", step], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    purelib = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    found = {p.name for p in Path(purelib).iterdir()}
    assert {"setuptools", "wheel", "pkg_resources", "_distutils_hack"} <= found
    assert "setuptools-1.0.dist-info" in found and "wheel-0.1.egg-info" in found
    # The venv's own setuptools gave way to the image's.
    assert not any(n.startswith("setuptools-") and n != "setuptools-1.0.dist-info" for n in found)
    assert (Path(purelib) / "wheel" / "__init__.py").read_text() == "__version__ = 'image'\n"


@pytest.mark.parametrize(
    ("files", "dropped"),
    [
        # wheel imports setuptools, but wheel goes too: setuptools goes.
        ({"wheel/bdist_wheel.py": "from setuptools import Command\n"}, "setuptools wheel pip"),
        # A package that requires it, or the app importing pkg_resources, keeps it.
        (
            {"foo-1.0.dist-info/METADATA": "Name: foo\nRequires-Dist: setuptools>=40\n"},
            "wheel pip",
        ),
        ({"bar-1.0.egg-info/requires.txt": "setuptools\n"}, "wheel pip"),
        ({"app/main.py": "import pkg_resources\n"}, "wheel pip"),
    ],
)
def test_the_installers_go_unless_something_needs_setuptools(tmp_path, files, dropped) -> None:
    import subprocess

    site = tmp_path / "site"
    app = tmp_path / "app"
    for name, text in files.items():
        path = (tmp_path if name.startswith("app/") else site) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    app.mkdir(exist_ok=True)
    (site / "_distutils_hack").mkdir(parents=True, exist_ok=True)
    log = tmp_path / "uninstalled"
    stub = tmp_path / "venv" / "bin" / "python"
    stub.parent.mkdir(parents=True)
    # A stand-in for the venv's python: the site folder, pip's version, and what pip removes.
    stub.write_text(
        "#!/bin/sh\n"
        f'case "$1" in -c) echo {site} ;; -m) [ "$3" != uninstall ] || echo "$6" >> {log} ;; esac\n'
    )
    stub.chmod(0o755)
    step = python.installers_dropped(str(tmp_path / "venv"), [str(app)])
    body = step.split("\nRUN ", 1)[1].replace("\\\n", "")
    proc = subprocess.run(["sh", "-c", body], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert log.read_text().split() == dropped.split()
