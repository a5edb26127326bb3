"""The wizard in a real pseudo-terminal: the command is started under pexpect, answered by
keystrokes, and the written file and the printed equivalent command are checked against the
plain command line."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from wizard_support import CTRL_C, DOWN, ENTER, ESC, go_project

from dockerslim_refactor.frontends import cli

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[2]
PROG = "dockerslim-refactor"
ENTRY = (
    "import sys; from dockerslim_refactor.frontends.wizard import main; "
    "sys.exit(main(sys.argv[1:]))"
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def wizard_command() -> list[str]:
    """The installed ``dockerslim-refactor wizard`` once refactor/cli.py routes the subcommand
    to the wizard; the wizard's entry point through the interpreter until then."""
    script = Path(sys.executable).with_name(PROG)
    if script.is_file() and "wizard" in cli.SUBCOMMANDS:
        return [str(script), "wizard"]
    return [sys.executable, "-c", ENTRY]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["TERM"] = "xterm-256color"
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # pexpect is no terminal emulator: nothing answers CPR
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


class Session:
    def __init__(self, folder: Path, *argv: str, command: list[str] | None = None) -> None:
        command = command or wizard_command()
        self.child = pexpect.spawn(
            command[0],
            [*command[1:], *argv],
            cwd=str(folder),
            env=environment(),
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 220),
        )
        self.transcript: list[str] = []

    def answer(self, question: str, keys: str) -> None:
        """Wait until ``question`` is on screen, then type ``keys``."""
        self.child.expect_exact(question)
        self.transcript.append(self.child.before + question)
        self.child.send(keys)

    def finish(self) -> tuple[int, str]:
        """The exit status and everything printed since the last answer, without colours."""
        self.child.expect(pexpect.EOF)
        self.transcript.append(self.child.before)
        self.child.close()
        status = self.child.exitstatus
        if status is None:  # killed by a signal
            status = 128 + (self.child.signalstatus or 0)
        return status, ANSI.sub("", self.transcript[-1]).replace("\r\n", "\n")


def equivalent(printed: str) -> str:
    lines = printed.splitlines()
    return lines[lines.index("Equivalent command:") + 1].strip()


def cli_output(folder: Path, *flags: str) -> bytes:
    """What ``dockerslim-refactor Dockerfile -o OUT FLAGS`` writes."""
    target = folder / "cli.out"
    assert cli.main([str(folder / "Dockerfile"), "-o", str(target), "-q", *flags]) == 0
    data = target.read_bytes()
    target.unlink()
    return data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    go_project(tmp_path)
    return tmp_path


def go_through(session: Session, runtime: str = ENTER, non_root: str = ENTER) -> None:
    session.answer("build output to copy into the runtime stage", ENTER)
    session.answer("Runtime base:", runtime)
    session.answer("Run the program as the non-root user 65534:65534?", non_root)
    session.answer("Ports from EXPOSE, kept as written: 8080. Right?", ENTER)
    session.answer("Another file or folder to copy from the builder", ENTER)


def test_all_defaults(project: Path) -> None:
    session = Session(project, "Dockerfile", "-o", "Dockerfile.new")
    go_through(session)
    session.answer("Write Dockerfile.new?", ENTER)
    status, printed = session.finish()
    assert status == 0, printed
    assert "Wrote Dockerfile.new" in printed
    assert equivalent(printed) == f"{PROG} Dockerfile -o Dockerfile.new"
    assert (project / "Dockerfile.new").read_bytes() == cli_output(project)


def test_another_base_and_root(project: Path) -> None:
    session = Session(project, "Dockerfile", "-o", "Dockerfile.new")
    go_through(session, runtime=DOWN + ENTER, non_root="n")
    session.answer("Write Dockerfile.new?", ENTER)
    status, printed = session.finish()
    assert status == 0, printed
    command = equivalent(printed)
    assert command == f"{PROG} Dockerfile -o Dockerfile.new --runtime busybox"
    written = (project / "Dockerfile.new").read_bytes()
    assert b"\nFROM busybox:1.36.1\n" in written and b"USER" not in written
    assert written == cli_output(project, *shlex.split(command)[4:])


def test_output_path_is_asked_without_o(project: Path) -> None:
    session = Session(project, "Dockerfile")
    go_through(session)
    session.answer("Write the rewrite to:", ENTER)
    session.answer("Write Dockerfile.new?", ENTER)
    status, printed = session.finish()
    assert status == 0, printed
    assert equivalent(printed) == f"{PROG} Dockerfile -o Dockerfile.new"
    assert (project / "Dockerfile.new").read_bytes() == cli_output(project)


def test_ctrl_c_writes_nothing(project: Path) -> None:
    before = sorted(p.name for p in project.iterdir())
    session = Session(project, "Dockerfile", "-o", "Dockerfile.new")
    session.answer("build output to copy into the runtime stage", ENTER)
    session.answer("Runtime base:", CTRL_C)
    status, printed = session.finish()
    assert status == 130
    assert printed.strip().splitlines()[-1] == f"{PROG}: cancelled, nothing written"
    assert sorted(p.name for p in project.iterdir()) == before


@pytest.mark.parametrize("at", ["text", "select", "confirm"])
def test_esc_writes_nothing(project: Path, at: str) -> None:
    before = sorted(p.name for p in project.iterdir())
    session = Session(project, "Dockerfile", "-o", "Dockerfile.new")
    if at == "text":
        session.answer("build output to copy into the runtime stage", ESC)
    elif at == "select":
        session.answer("build output to copy into the runtime stage", ENTER)
        session.answer("Runtime base:", DOWN + ESC)
    else:
        go_through(session)
        session.answer("Write Dockerfile.new?", ESC)
    status, printed = session.finish()
    assert status == 130
    assert printed.strip().splitlines()[-1] == f"{PROG}: cancelled, nothing written"
    assert sorted(p.name for p in project.iterdir()) == before


def test_interactive_flag_of_the_installed_command(project: Path) -> None:
    if wizard_command()[-1] != "wizard":
        pytest.skip("refactor/cli.py does not route the wizard yet")
    command = [wizard_command()[0], "--interactive"]
    session = Session(project, "Dockerfile", "-o", "Dockerfile.new", command=command)
    go_through(session)
    session.answer("Write Dockerfile.new?", ENTER)
    status, printed = session.finish()
    assert status == 0, printed
    assert (project / "Dockerfile.new").read_bytes() == cli_output(project)


def test_stdin_not_a_terminal_is_refused(project: Path) -> None:
    done = subprocess.run(
        [*wizard_command(), "Dockerfile", "-o", "Dockerfile.new"],
        cwd=project,
        env=environment(),
        input=b"\r" * 8,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    message = done.stderr.decode()
    assert message.count("\n") == 1
    assert "standard input is not a terminal" in message
    assert "--runtime" in message and "--non-root" in message
    assert not (project / "Dockerfile.new").exists()
