"""``--runtime distroless`` for interpreted programs, built and run: every Node.js app (shared
and project) is rewritten onto the distroless Node.js image of its version, every Java app
onto distroless/cc with a Java runtime jlink made for it, every Python app onto the distroless
Python image (python-wheels at most 0.40 times its reference); each must print what its smoke run
expects, the shared node-ts app must be at most 0.40 times its hand-written reference and the
shared java-jar app at most 0.20 times. An app whose code runs another program stops in the
builder; one that needs a shell is refused. The shared native apps land on distroless/static
or distroless/cc, or stop in the builder when the release it was chosen for is not this one."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BuildFailed
from test_apps import PROJECT_APPS, SHARED_APPS, _copy_app, _rewrite

pytestmark = pytest.mark.e2e

# The target: the expert distroless rewrite of node-ts is 0.36 x the reference.
NODE_TS_RATIO = 0.40
# Apps whose code runs another program: distroless cannot have it, the builder says so.
STOPS = {
    "node-runs-git": "the app runs git, which the distroless runtime does not have",
    "node-plugin-install": "the app runs npm, which the distroless runtime does not have",
}
# Apps that distroless cannot run at all, and why the rewrite says so.
REFUSED = {
    "node-start-devdep": "npm",
    # The parent's `RUN mkdir -p /usr/src/app`, written out, is state a shell recreates.
    "node-onbuild": "RUN mkdir -p /usr/src/app",
}

# The target: an expert jlink rewrite of java-jar is 48.2 MB, 0.16 x the reference.
JAVA_JAR_RATIO = 0.20
# Java apps distroless cannot run, and why: run.sh needs a shell; a company image may lack jlink.
JAVA_REFUSED = {
    "java-dist-script": "the image runs './run.sh world', and distroless runs only java",
    "java-vendor-image": "is not known to be a JDK with jlink on Debian",
    "java-distro-jdk": "Java comes from the distribution's openjdk-17-jdk-headless",
    "java-lein-uberjar": "is not known to be a JDK with jlink on Debian",
}

# The target: the expert distroless rewrite of python-wheels is 0.34 x the reference.
PYTHON_WHEELS_RATIO = 0.40
PYTHON_REFUSED: dict[str, str] = {
    "python-patched-site-packages": "runs packages only from a virtual environment",
    "python-entrypoint-file": "runs packages only from a virtual environment",
}
# Python apps whose rewrite keeps another runtime, and the image it names.
PYTHON_OTHER_RUNTIME = {"python-distro-pip": "\nFROM debian:bookworm-slim\n"}
# (the rewrite's note says why: test_distroless_python.py checks it)


def _apps(pattern: str) -> list:
    found = []
    for source, root in (("shared", SHARED_APPS), ("project", PROJECT_APPS)):
        if root.is_dir():
            for app in sorted(root.glob(pattern)):
                found.append(pytest.param(app, id=f"{source}:{app.name}"))
    return found


def _refused(dockerfile: Path, rewritten: Path, why: str) -> None:
    """The rewrite writes nothing and says why, naming --runtime slim."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dockerslim_refactor",
            str(dockerfile),
            "-o",
            str(rewritten),
            "--runtime",
            "distroless",
        ],
        capture_output=True,
        text=True,
    )
    assert not rewritten.exists()
    assert "--runtime distroless" in proc.stderr and why in proc.stderr, proc.stderr
    assert "--runtime slim" in proc.stderr


def _smoke(app_dir: Path) -> tuple[list[str], str]:
    """The smoke run's arguments and the program's own expected output: `npm start`'s banner
    ("> app@1.0.0 start") goes with npm, which distroless does not have (the rewrite runs the
    start script's node command)."""
    lines = (app_dir / "smoke").read_text(encoding="utf-8").splitlines()
    smoke = shlex.split(lines[0]) if lines else []
    expected = "\n".join(
        line
        for line in (app_dir / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("> ")
    )
    return smoke, expected


@pytest.mark.parametrize("app_dir", _apps("node-*"))
def test_node_app_on_distroless(app_dir: Path, tmp_path: Path, docker, record_figures) -> None:
    rewritten = _rewritten(app_dir, tmp_path, REFUSED)
    if rewritten is None:
        return
    assert "\nFROM gcr.io/distroless/nodejs18-debian12\n" in rewritten.read_text()
    name, app = app_dir.name, rewritten.parent / "app"
    if name in STOPS:
        with pytest.raises(BuildFailed) as failed:
            docker.build(rewritten, app, docker.tag(name, "distroless"))
        assert STOPS[name] in str(failed.value) and "--runtime slim" in str(failed.value)
        return
    ratio = _built_and_run(app_dir, app, rewritten, docker, record_figures)
    if name == "node-ts":
        assert ratio <= NODE_TS_RATIO, ratio


@pytest.mark.parametrize("app_dir", _apps("java-*"))
def test_java_app_on_distroless(app_dir: Path, tmp_path: Path, docker, record_figures) -> None:
    rewritten = _rewritten(app_dir, tmp_path, JAVA_REFUSED)
    if rewritten is None:
        return
    text = rewritten.read_text()
    assert "\nFROM gcr.io/distroless/cc-debian12\n" in text and "jlink" in text
    ratio = _built_and_run(app_dir, rewritten.parent / "app", rewritten, docker, record_figures)
    if app_dir.name == "java-jar":
        assert ratio <= JAVA_JAR_RATIO, ratio


@pytest.mark.parametrize("app_dir", _apps("python-*"))
def test_python_app_on_distroless(app_dir: Path, tmp_path: Path, docker, record_figures) -> None:
    rewritten = _rewritten(app_dir, tmp_path, PYTHON_REFUSED)
    if rewritten is None:
        return
    text = rewritten.read_text()
    if app_dir.name in PYTHON_OTHER_RUNTIME:
        # Python from the distribution's packages: its own release, which the note names.
        assert PYTHON_OTHER_RUNTIME[app_dir.name] in text
        return
    assert "\nFROM gcr.io/distroless/python3-debian12\n" in text
    runtime = text.rsplit("\nFROM ", 1)[1]
    assert "/usr/local/lib/python3.11/dist-packages" in runtime and "VIRTUAL_ENV" not in runtime
    ratio = _built_and_run(app_dir, rewritten.parent / "app", rewritten, docker, record_figures)
    if app_dir.name == "python-wheels":
        assert ratio <= PYTHON_WHEELS_RATIO, ratio


# The shared native apps with --runtime distroless: the extra flags each needs, the base it
# must land on, or the builder's message when it stops.
NATIVE = {
    "go-http": ([], "gcr.io/distroless/static-debian12", None),
    # gcc:12 names no Debian release: a static link is what lands it on distroless.
    "c-make": (["--linkage", "static"], "gcr.io/distroless/static-debian12", None),
    # rust:1.63 was built on bullseye upstream; this engine's is bookworm, and the builder
    # says so instead of shipping a program for another release's libraries.
    "rust-cli": ([], "gcr.io/distroless/cc-debian11", "not Debian bullseye"),
}


@pytest.mark.parametrize("name", sorted(NATIVE))
def test_shared_native_app_on_distroless(name: str, tmp_path: Path, docker, record_figures):
    app_dir = SHARED_APPS / name
    if not app_dir.is_dir():
        pytest.fail(f"no shared app {name}")
    flags, base, stops = NATIVE[name]
    app = _copy_app(app_dir, tmp_path / "app")
    rewritten = tmp_path / "Dockerfile.distroless"
    _rewrite(app / "Dockerfile", rewritten, ["--runtime", "distroless", *flags])
    assert f"\nFROM {base}\n" in rewritten.read_text()
    if stops is not None:
        with pytest.raises(BuildFailed) as failed:
            docker.build(rewritten, app, docker.tag(name, "distroless"))
        assert stops in str(failed.value)
        return
    _built_and_run(app_dir, app, rewritten, docker, record_figures)


def _other_project_apps() -> list:
    """The project apps the Node.js, Java and Python tests above do not run."""
    prefixes = ("c-", "cmake-", "go-", "rust-", "script-", "ruby-", "php-")
    return [
        pytest.param(app, id=f"project:{app.name}")
        for app in sorted(PROJECT_APPS.glob("*"))
        if app.name.startswith(prefixes) and (app / "Dockerfile").is_file()
    ]


@pytest.mark.parametrize("runtime", ["distroless", "busybox", "slim"])
@pytest.mark.parametrize("app_dir", _other_project_apps())
def test_other_project_app_with_each_runtime(
    app_dir: Path, runtime: str, tmp_path: Path, docker, record_figures
) -> None:
    # Its own flags, with the runtime asked for in place of its --runtime: the rewrite lands
    # on that base where the program can run there, else says which base it took and why
    # (Ruby and PHP have no distroless image: they keep their slim one), and the image
    # builds and passes its smoke run either way.
    flags_file = app_dir / "flags"
    words = shlex.split(flags_file.read_text()) if flags_file.is_file() else []
    flags = []
    while words:
        word = words.pop(0)
        if word == "--runtime":
            words.pop(0)
            continue
        flags.append(word)
    app = _copy_app(app_dir, tmp_path / "app")
    rewritten = tmp_path / f"Dockerfile.{runtime}"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dockerslim_refactor",
            str(app / "Dockerfile"),
            "-o",
            str(rewritten),
            "--runtime",
            runtime,
            *flags,
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and rewritten.is_file(), proc.stderr
    base = rewritten.read_text().rsplit("\nFROM ", 1)[1].split("\n", 1)[0]
    # (slim is an interpreter's own small image too: php:8.2-cli has no -slim.)
    if runtime not in base and runtime != "slim" and "--runtime-image" not in flags:
        said = (f" instead of {runtime}", "keeps its interpreter image")
        assert any(s in proc.stderr for s in said), proc.stderr
    _built_and_run(app_dir, app, rewritten, docker, record_figures, runtime)


def _rewritten(app_dir: Path, tmp_path: Path, refused: dict[str, str]) -> Path | None:
    """The app copied to ``tmp_path/app`` and rewritten with --runtime distroless beside it;
    ``None`` for an app in ``refused``, once the rewrite has refused it with its reason."""
    app = _copy_app(app_dir, tmp_path / "app")
    rewritten = tmp_path / "Dockerfile.distroless"
    if app_dir.name in refused:
        _refused(app / "Dockerfile", rewritten, refused[app_dir.name])
        return None
    _rewrite(app / "Dockerfile", rewritten, ["--runtime", "distroless"])
    return rewritten


def _built_and_run(
    app_dir: Path, app: Path, rewritten: Path, docker, record_figures, runtime="distroless"
) -> float:
    """Build the rewrite and its reference, check the smoke run's output and record the
    figures; the size ratio of the rewrite to the reference."""
    name = app_dir.name
    built = docker.build(rewritten, app, docker.tag(name, runtime))
    smoke, expected = _smoke(app_dir)
    ran = docker.run(built.tag, smoke)
    text = rewritten.read_text()
    assert (
        ran.returncode == 0 and ran.stdout.rstrip("\n") == expected
    ), f"{ran.stderr[-2000:]}\n{text}"
    reference = docker.build(app / "Dockerfile.reference", app, docker.tag(name, "reference"))
    ratio = round(built.size / reference.size, 4)
    record_figures(
        {
            "app": name,
            "runtime": runtime,
            "size_rewrite_bytes": built.size,
            "size_reference_bytes": reference.size,
            "ratio_rewrite_reference": ratio,
        }
    )
    return ratio
