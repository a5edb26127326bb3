"""Configuration files: where they are found, which one wins (flag > nearest file > parent
file), overrides by glob, --config and --no-config, and the errors a broken file gets."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dockerslim_refactor.config import (
    CONFIG_NAME,
    ConfigError,
    ConfigFinder,
    Settings,
    load,
)
from dockerslim_refactor.frontends.cli import main

GO = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def stage_name(rewrite: str) -> str:
    """The builder stage's name in a rewrite (``FROM image AS name``)."""
    first = next(line for line in rewrite.splitlines() if line.startswith("FROM "))
    return first.split(" AS ")[1]


def codes(run: Run, *argv: str) -> list[str]:
    code, out, err = run("analyze", *argv, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    return [f["code"] for f in report["findings"]]


# -- loading -----------------------------------------------------------------------------------


def test_load_toml(work: Path) -> None:
    path = write(
        work / CONFIG_NAME,
        'runtime = "distroless"\nstage-name = "build"\ndisable = ["dsr002"]\n'
        'fail-level = "warning"\nrules-version = 1\nnon-root = true\nkeep-command = true\n'
        'java-modules = ["jdk.localedata"]\n',
    )
    config = load(path)
    assert config.settings == Settings(
        runtime="distroless",
        stage_name="build",
        disable=("DSR002",),
        fail_level="warning",
        rules_version=1,
        non_root=True,
        keep_command=True,
        java_modules=("jdk.localedata",),
    )


def test_load_pyproject_table(work: Path) -> None:
    path = write(
        work / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.dockerslim-refactor]\nstage-name = "compile"\n\n'
        '[[tool.dockerslim-refactor.overrides]]\npaths = ["legacy/**"]\nnon-root = true\n',
    )
    config = load(path)
    assert config.settings.stage_name == "compile"
    assert config.settings_for(work / "legacy" / "a" / "Dockerfile").non_root is True
    assert config.settings_for(work / "Dockerfile").non_root is None


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("runtimes = 'alpine'\n", "runtimes: unknown key", id="unknown-key"),
        pytest.param("runtime = 'ubuntu'\n", "runtime: 'ubuntu': choose one of", id="runtime"),
        pytest.param("stage-name = 'Build'\n", "stage-name: 'Build': use lower-case", id="stage"),
        pytest.param("disable = 'DSR002'\n", "disable: use a list of rule codes", id="disable"),
        pytest.param("fail-level = 'high'\n", "fail-level: 'high': choose one of", id="fail"),
        pytest.param("rules-version = 99\n", "rules-version: 99: known versions are 1", id="ver"),
        pytest.param("rules-version = true\n", "rules-version: True: known versions", id="bool"),
        pytest.param("non-root = 'yes'\n", "non-root: 'yes': use true or false", id="non-root"),
        pytest.param("keep-root = 'yes'\n", "keep-root: 'yes': use true or false", id="keep"),
        pytest.param("keep-command = 1\n", "keep-command: 1: use true or false", id="keep-command"),
        pytest.param(
            "java-modules = 'jdk.localedata'\n", "java-modules: use a list", id="java-modules"
        ),
        pytest.param("java-modules = ['a b']\n", "java-modules: use a list", id="module-name"),
        pytest.param("[[overrides]]\nruntime = 'alpine'\n", "paths must be a list", id="paths"),
        pytest.param(
            "[[overrides]]\npaths = ['a']\nfoo = 1\n", "unknown key 'foo'", id="override-key"
        ),
        pytest.param("overrides = 3\n", "overrides: use [[overrides]] tables", id="overrides"),
    ],
)
def test_invalid_values(work: Path, text: str, message: str) -> None:
    path = write(work / CONFIG_NAME, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_invalid_toml_names_the_line(work: Path) -> None:
    path = write(work / CONFIG_NAME, 'runtime = "alpine"\nstage-name\n')
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}:2: invalid TOML: ")


def test_settings_updated_keeps_unset_keys() -> None:
    base = Settings(runtime="alpine", disable=("DSR002",))
    assert base.updated(Settings(stage_name="x")) == Settings(
        runtime="alpine", stage_name="x", disable=("DSR002",)
    )
    assert base.updated(Settings(disable=())).disable == ()


# -- finding the file --------------------------------------------------------------------------


def test_nearest_wins_without_merging(work: Path) -> None:
    write(work / CONFIG_NAME, 'runtime = "distroless"\nstage-name = "parent"\n')
    write(work / "svc" / CONFIG_NAME, 'stage-name = "child"\n')
    config = ConfigFinder().find(write(work / "svc" / "api" / "Dockerfile", GO))
    assert config is not None
    assert config.path == work / "svc" / CONFIG_NAME
    assert config.settings == Settings(stage_name="child")


def test_toml_wins_over_pyproject_in_the_same_folder(work: Path) -> None:
    write(work / "pyproject.toml", '[tool.dockerslim-refactor]\nstage-name = "py"\n')
    write(work / CONFIG_NAME, 'stage-name = "toml"\n')
    config = ConfigFinder().find(write(work / "Dockerfile", GO))
    assert config is not None and config.settings.stage_name == "toml"


def test_pyproject_without_the_table_is_passed_over(work: Path) -> None:
    write(work / CONFIG_NAME, 'stage-name = "top"\n')
    write(work / "svc" / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    config = ConfigFinder().find(write(work / "svc" / "Dockerfile", GO))
    assert config is not None and config.path == work / CONFIG_NAME


def test_no_config_anywhere(work: Path) -> None:
    assert ConfigFinder().find(write(work / "Dockerfile", GO)) is None


# -- precedence through the command line -------------------------------------------------------


@pytest.fixture
def layered(work: Path) -> Path:
    """A parent config and a nearer one; ``svc/Dockerfile`` sits under both."""
    write(work / CONFIG_NAME, 'stage-name = "parent"\ndisable = ["DSR005"]\n')
    write(work / "svc" / CONFIG_NAME, 'stage-name = "nearest"\n')
    write(work / "svc" / "Dockerfile", GO)
    write(work / "top.Dockerfile", GO)
    return work


def test_parent_file_applies_when_nothing_nearer(layered: Path, run: Run) -> None:
    code, out, err = run("top.Dockerfile", "-q")
    assert code == 0, err
    assert stage_name(out) == "parent"


def test_nearest_file_wins_over_parent(layered: Path, run: Run) -> None:
    code, out, err = run("svc/Dockerfile", "-q")
    assert code == 0, err
    assert stage_name(out) == "nearest"
    assert "DSR005" in codes(run, "svc/Dockerfile")  # the parent's disable does not apply
    assert "DSR005" not in codes(run, "top.Dockerfile")


def test_flag_wins_over_files(layered: Path, run: Run) -> None:
    code, out, err = run("svc/Dockerfile", "-q", "--stage-name", "flag")
    assert code == 0, err
    assert stage_name(out) == "flag"


def test_disable_adds_up(layered: Path, run: Run) -> None:
    found = codes(run, "top.Dockerfile", "--disable", "DSR006")
    assert "DSR005" not in found and "DSR006" not in found


def test_no_config(layered: Path, run: Run) -> None:
    code, out, _ = run("svc/Dockerfile", "-q", "--no-config")
    assert code == 0
    assert stage_name(out) == "builder"
    assert "DSR005" in codes(run, "top.Dockerfile", "--no-config")


def test_explicit_config_replaces_discovery(layered: Path, run: Run) -> None:
    other = write(layered / "elsewhere" / "ci.toml", 'stage-name = "explicit"\n')
    code, out, err = run("svc/Dockerfile", "-q", "--config", str(other))
    assert code == 0, err
    assert stage_name(out) == "explicit"


def test_explicit_pyproject(layered: Path, run: Run) -> None:
    other = write(
        layered / "elsewhere" / "pyproject.toml",
        '[tool.dockerslim-refactor]\nstage-name = "frompyproject"\n',
    )
    code, out, _ = run("svc/Dockerfile", "-q", "--config", str(other))
    assert (code, stage_name(out)) == (0, "frompyproject")


def test_missing_explicit_config(layered: Path, run: Run) -> None:
    code, out, err = run("analyze", "svc/Dockerfile", "--config", "missing.toml")
    assert (code, out) == (2, "")
    assert err == "missing.toml: no such file\n"


def test_config_and_no_config_conflict(layered: Path, run: Run) -> None:
    with pytest.raises(SystemExit) as info:
        run("analyze", "svc/Dockerfile", "--config", "x.toml", "--no-config")
    assert info.value.code == 2


def test_non_root_from_config_and_flag(work: Path, run: Run) -> None:
    write(work / CONFIG_NAME, "non-root = true\n")
    write(work / "Dockerfile", GO)
    _, out, _ = run("Dockerfile", "-q")
    assert "USER 65534:65534" in out
    _, out, _ = run("Dockerfile", "-q", "--no-non-root")
    assert "USER" not in out
    _, out, _ = run("Dockerfile", "-q", "--keep-root")  # the first release's flag
    assert "USER" not in out


CARGO_RUN = (
    "FROM rust:1.79-bookworm\nWORKDIR /src\nCOPY . .\n"
    'CMD ["cargo", "run", "--release", "--bin", "app"]\n'
)


def test_keep_command_from_config_and_flag(work: Path, run: Run) -> None:
    write(work / "Dockerfile", CARGO_RUN)
    _, out, _ = run("Dockerfile", "-q")
    assert 'CMD ["/src/target/release/app"]' in out
    write(work / CONFIG_NAME, "keep-command = true\n")
    _, out, _ = run("Dockerfile", "-q")
    assert out == CARGO_RUN  # left alone: cargo run needs the toolchain
    _, out, _ = run("Dockerfile", "-q", "--no-keep-command")
    assert 'CMD ["/src/target/release/app"]' in out


JAVA_JAR = (
    "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\n"
    "RUN javac -d out Main.java && jar --create --file app.jar -C out .\n"
    'ENTRYPOINT ["java", "-jar", "app.jar"]\n'
)


def test_java_modules_from_config_and_flags_add_up(work: Path, run: Run) -> None:
    write(work / "Dockerfile", JAVA_JAR)
    write(work / CONFIG_NAME, 'runtime = "distroless"\njava-modules = ["jdk.localedata"]\n')
    _, out, _ = run("Dockerfile", "-q", "--java-modules", "jdk.charsets,java.naming")
    assert 'mods="$mods,jdk.localedata,jdk.charsets,java.naming"' in out
    code, _, err = run("Dockerfile", "-q", "--java-modules", "not,a module!")
    assert code == 2 and "--java-modules 'not,a module!'" in err


def test_the_first_releases_keep_root_setting_still_reads(work: Path, run: Run) -> None:
    write(work / CONFIG_NAME, "keep-root = false\n")
    write(work / "Dockerfile", GO)
    _, out, _ = run("Dockerfile", "-q")
    assert "USER 65534:65534" in out


def test_runtime_from_config(work: Path, run: Run) -> None:
    write(work / CONFIG_NAME, 'runtime = "distroless"\n')
    write(work / "Dockerfile", GO)
    _, out, _ = run("Dockerfile", "-q")
    assert "FROM gcr.io/distroless/" in out
    _, out, _ = run("Dockerfile", "-q", "--runtime", "alpine")
    assert "FROM alpine:" in out


def test_fail_level_from_config_and_flag(work: Path, run: Run) -> None:
    write(work / CONFIG_NAME, 'fail-level = "warning"\n')
    write(work / "Dockerfile", GO)
    code, _, _ = run("analyze", "Dockerfile")
    assert code == 1
    code, _, _ = run("analyze", "Dockerfile", "--fail-level", "none")
    assert code == 0


def test_stdin_reads_the_working_folders_config(
    work: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(work / CONFIG_NAME, 'stage-name = "fromcwd"\n')
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GO.encode()), encoding="utf-8"))
    code, out, _ = run("-", "-q")
    assert (code, stage_name(out)) == (0, "fromcwd")


# -- overrides ---------------------------------------------------------------------------------


@pytest.fixture
def overridden(work: Path) -> Path:
    write(
        work / CONFIG_NAME,
        'disable = ["DSR006"]\n'
        "\n[[overrides]]\n"
        'paths = ["legacy/**", "*.dev.Dockerfile"]\n'
        'disable = ["DSR005"]\n'
        "\n[[overrides]]\n"
        'paths = ["legacy/keep/"]\n'
        "disable = []\n"
        'stage-name = "late"\n',
    )
    for name in (
        "Dockerfile",
        "legacy/Dockerfile",
        "legacy/keep/Dockerfile",
        "svc/app.dev.Dockerfile",
    ):
        write(work / name, GO.replace("golang:1.22", "golang"))
    return work


@pytest.mark.parametrize(
    "path, absent, present",
    [
        pytest.param("Dockerfile", {"DSR006"}, {"DSR005"}, id="top-level-keys"),
        pytest.param("legacy/Dockerfile", {"DSR005"}, {"DSR006"}, id="folder-glob"),
        pytest.param("svc/app.dev.Dockerfile", {"DSR005"}, {"DSR006"}, id="name-at-any-depth"),
        pytest.param("legacy/keep/Dockerfile", set(), {"DSR005", "DSR006"}, id="later-wins"),
    ],
)
def test_overrides(overridden: Path, run: Run, path: str, absent: set, present: set) -> None:
    found = set(codes(run, path))
    assert not found & absent
    assert present <= found


def test_override_keys_replace_only_what_they_set(overridden: Path, run: Run) -> None:
    code, out, _ = run("legacy/keep/Dockerfile", "-q")
    assert (code, stage_name(out)) == (0, "late")
    code, out, _ = run("legacy/Dockerfile", "-q")
    assert (code, stage_name(out)) == (0, "builder")


# -- broken files ------------------------------------------------------------------------------


def test_broken_config_is_reported_once_and_others_go_on(work: Path, run: Run) -> None:
    write(work / "bad" / CONFIG_NAME, "runtime = 'ubuntu'\n")
    write(work / "bad" / "a.Dockerfile", GO)
    write(work / "bad" / "b.Dockerfile", GO)
    write(work / "good" / "Dockerfile", GO)
    code, out, err = run("analyze", ".", "--format", "json")
    assert code == 2
    assert err.splitlines() == [
        f"{Path('bad') / CONFIG_NAME}: runtime: 'ubuntu': choose one of "
        "auto, alpine, busybox, scratch, distroless, slim"
    ]
    assert [r["file"] for r in json.loads(out)] == ["good/Dockerfile"]


def test_broken_pyproject_of_ours_is_an_error(work: Path, run: Run) -> None:
    write(work / "pyproject.toml", "[tool.dockerslim-refactor\nruntime = 1\n")
    write(work / "Dockerfile", GO)
    code, out, err = run("analyze", "Dockerfile")
    assert (code, out) == (2, "")
    assert err.startswith("pyproject.toml:1: invalid TOML: ")
