"""Fixtures for the wizard: sample projects, keystrokes, and the wizard driven through
prompt_toolkit's pipe input (no terminal needed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from wizard_support import Drive, Outcome, c_project, go_project

from dockerslim_refactor.frontends import cli, wizard


@pytest.fixture
def go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Go project in the working folder; paths in messages stay short."""
    monkeypatch.chdir(tmp_path)
    go_project(tmp_path)
    return tmp_path


@pytest.fixture
def c(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    c_project(tmp_path)
    return tmp_path


@pytest.fixture
def drive(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Drive:
    """``drive(keys, *argv)``: run ``wizard.main(argv)`` with ``keys`` typed ahead into a pipe
    that stands in for the terminal."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    monkeypatch.setattr(wizard, "has_terminal", lambda: True)

    def _drive(keys: str, *argv: str) -> Outcome:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text(keys)
            pipe.close()  # keys run out: end of input, not a wait for more
            code = wizard.main(list(argv))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return _drive


@pytest.fixture
def cli_writes(capsys: pytest.CaptureFixture[str]) -> Callable[..., bytes]:
    """``cli_writes(*argv)``: the bytes ``dockerslim-refactor FILE -o OUT ...`` writes to its
    ``-o`` file; ``argv`` is what follows the program name."""

    def _cli_writes(*argv: str) -> bytes:
        words = list(argv)
        index = words.index("-o")
        target = Path(words[index + 1])
        assert not target.exists(), f"{target} exists already"
        code = cli.main(words)
        capsys.readouterr()
        assert code == 0
        data = target.read_bytes()
        target.unlink()
        return data

    return _cli_writes
