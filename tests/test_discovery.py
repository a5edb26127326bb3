"""Finding Dockerfiles in folders: which names count (in step with the pre-commit hook), which
folders are skipped, .gitignore with git and without it, and .gitignore-style globs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dockerslim_refactor import discovery
from dockerslim_refactor.discovery import GlobSet, discover, is_dockerfile_name, search_folder

ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())

NOT_DOCKERFILES = [
    "dockerfile",
    "Dockerfilex",
    "MyDockerfile",
    "Dockerfile.dockerignore",
    "api.Dockerfile.dockerignore",
    "Dockerfile.orig",
    "Dockerfile.bak",
    "Dockerfile~",
    "go.Dockerfile.j2",
    "Dockerfile.j2",
    "Dockerfile.template",
    "docker-compose.yml",
    "README.md",
]
DOCKERFILES = [
    "Dockerfile",
    "Containerfile",
    "Dockerfile.dev",
    "Dockerfile.prod.arm64",
    "Containerfile.ubi",
    "api.Dockerfile",
    "web.prod.Dockerfile",
]


def hook_takes(name: str) -> bool:
    """Whether pre-commit would pass ``name`` to the check hook."""
    hook = next(h for h in HOOKS if h["id"] == "dockerslim-refactor")
    return bool(re.search(hook["files"], name)) and not re.search(hook["exclude"], name)


@pytest.mark.parametrize("name", NOT_DOCKERFILES)
def test_not_a_dockerfile_name(name: str) -> None:
    assert not is_dockerfile_name(name)
    assert not hook_takes(name)
    assert not hook_takes(f"sub/dir/{name}")


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_name(name: str) -> None:
    assert is_dockerfile_name(name)
    assert hook_takes(name)
    assert hook_takes(f"sub/dir/{name}")


def make(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("FROM alpine:3.20\n")


TREE = [
    "Dockerfile",
    "svc/api/Dockerfile",
    "svc/api/Dockerfile.dev",
    "svc/web.Dockerfile",
    "svc/notes.md",
    "node_modules/pkg/Dockerfile",
    ".venv/lib/Dockerfile",
    "ops/Containerfile",
    "ops/Dockerfile.dockerignore",
]
FOUND = [
    "Dockerfile",
    "ops/Containerfile",
    "svc/api/Dockerfile",
    "svc/api/Dockerfile.dev",
    "svc/web.Dockerfile",
]


def test_search_folder_outside_git(tmp_path: Path) -> None:
    make(tmp_path, TREE)
    assert search_folder(str(tmp_path)) == FOUND


def test_discover_keeps_named_files_and_drops_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, [*TREE, "notes.txt"])
    found = discover(["notes.txt", "svc", "svc/web.Dockerfile", "missing", "-", "./svc"])
    assert found.files == [
        "notes.txt",  # named explicitly: read whatever its name
        "svc/api/Dockerfile",
        "svc/api/Dockerfile.dev",
        "svc/web.Dockerfile",
        "missing",  # reported when it is read
        "-",
    ]
    assert found.folders and found.empty == []


def test_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, ["docs/README.md"])
    found = discover(["docs"])
    assert (found.files, found.empty, found.folders) == ([], ["docs"], True)


def test_dangling_link_and_linked_folder_are_skipped(tmp_path: Path) -> None:
    make(tmp_path, ["real/Dockerfile"])
    (tmp_path / "Dockerfile").symlink_to("nowhere")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "api.Dockerfile").symlink_to(tmp_path / "real" / "Dockerfile")
    assert search_folder(str(tmp_path)) == ["api.Dockerfile", "real/Dockerfile"]


# -- .gitignore without git --------------------------------------------------------------------

IGNORED_TREE = [
    "Dockerfile",
    "build/Dockerfile",
    "keep/Dockerfile",
    "keep/old.Dockerfile",
    "keep/gen/Dockerfile",
    "deep/a/b/tmp.Dockerfile",
    "deep/a/b/Dockerfile",
    "anchored/Dockerfile",
    "x/anchored/Dockerfile",
]


def test_gitignore_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, IGNORED_TREE)
    (tmp_path / ".gitignore").write_text(
        "# generated\nbuild/\n*.Dockerfile\n!keep/old.Dockerfile\n/anchored\n"
    )
    (tmp_path / "keep" / ".gitignore").write_text("gen/\n")
    monkeypatch.setattr(discovery, "_git", lambda *a, **k: None)
    assert search_folder(str(tmp_path)) == [
        "Dockerfile",
        "deep/a/b/Dockerfile",
        "keep/Dockerfile",
        "keep/old.Dockerfile",
        "x/anchored/Dockerfile",
    ]


def test_gitignore_above_the_searched_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without git, the .gitignore files from the work tree's top down still apply."""
    make(tmp_path, ["svc/Dockerfile", "svc/gen/Dockerfile", "svc/api.Dockerfile"])
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("svc/gen/\n")
    (tmp_path / ".git" / "info").mkdir()
    (tmp_path / ".git" / "info" / "exclude").write_text("api.Dockerfile\n")
    monkeypatch.setattr(discovery, "_git", lambda *a, **k: None)
    assert search_folder(str(tmp_path / "svc")) == ["Dockerfile"]


# -- .gitignore with git -----------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@needs_git
def test_git_decides_inside_a_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    make(tmp_path, ["Dockerfile", "gen/Dockerfile", "gen/tracked.Dockerfile", "svc/Dockerfile"])
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "gen/tracked.Dockerfile")
    (tmp_path / ".gitignore").write_text("gen/\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("svc/\n")
    assert search_folder(str(tmp_path)) == [
        "Dockerfile",
        "gen/tracked.Dockerfile",  # tracked files are never ignored
    ]
    assert search_folder(str(tmp_path / "gen")) == ["tracked.Dockerfile"]


@needs_git
def test_an_ignored_folder_named_on_purpose_is_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    make(tmp_path, ["Dockerfile", "build/Dockerfile", "build/tmp/Dockerfile"])
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "build" / ".gitignore").write_text("tmp/\n")
    assert search_folder(str(tmp_path)) == ["Dockerfile"]
    assert search_folder(str(tmp_path / "build")) == ["Dockerfile"]


@needs_git
def test_nested_repository_answers_for_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    make(tmp_path, ["Dockerfile", "vendored/Dockerfile", "vendored/out/Dockerfile"])
    git(tmp_path, "init", "-q")
    git(tmp_path / "vendored", "init", "-q")
    (tmp_path / "vendored" / ".gitignore").write_text("out/\n")
    assert search_folder(str(tmp_path)) == ["Dockerfile", "vendored/Dockerfile"]


# -- globs -------------------------------------------------------------------------------------

GLOBS = [
    # (pattern, path, is a folder, matched)
    ("*.Dockerfile", "a/b/api.Dockerfile", False, True),
    ("*.Dockerfile", "api.Dockerfile/x", False, None),
    ("build/", "build", True, True),
    ("build/", "build", False, None),
    ("/top", "top", False, True),
    ("/top", "a/top", False, None),
    ("a/*/c", "a/b/c", False, True),
    ("a/*/c", "a/b/x/c", False, None),
    ("a/**/c", "a/c", False, True),
    ("a/**/c", "a/b/x/c", False, True),
    ("**/c", "x/y/c", False, True),
    ("legacy/**", "legacy/x/y", False, True),
    ("legacy/**", "legacy", True, None),
    ("file?.txt", "file1.txt", False, True),
    ("file?.txt", "file/.txt", False, None),
    ("[ab].txt", "b.txt", False, True),
    ("[!ab].txt", "c.txt", False, True),
    ("[!ab].txt", "a.txt", False, None),
    (r"\#hash", "#hash", False, True),
    ("# comment", "# comment", False, None),
]


@pytest.mark.parametrize("pattern, path, is_dir, matched", GLOBS)
def test_globs(pattern: str, path: str, is_dir: bool, matched: bool | None) -> None:
    assert GlobSet([pattern]).match(path, is_dir) is matched


def test_last_pattern_wins() -> None:
    globs = GlobSet(["*.Dockerfile", "!keep.Dockerfile"])
    assert globs.match("keep.Dockerfile") is False
    assert globs.match("x.Dockerfile") is True


def test_matches_file_through_its_folders() -> None:
    assert GlobSet(["legacy/"]).matches_file("legacy/api/Dockerfile")
    assert GlobSet(["services/*/Dockerfile"]).matches_file("services/a/Dockerfile")
    assert not GlobSet(["services/*/Dockerfile"]).matches_file("services/a/b/Dockerfile")
