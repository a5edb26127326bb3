"""Property 5, the command line in-process (``main([...])`` with capsys) on bytes written to a
file: the exit code is 0, 1 or 2; on 2, stderr is one line ``path:line: message`` or
``path: message`` and never a traceback; with ``-o OUT``, OUT exists only when there is a
rewrite, and then it parses; the input file is never modified and nothing else is left
behind."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from buildkit_oracle import OracleCannotTell, buildkit_error
from dockerfile_strategies import BEFORE, LONG_LINE, dockerfile_bytes
from hypothesis import example, given
from hypothesis import strategies as st

from dockerslim_refactor.document import DockerfileError, parse
from dockerslim_refactor.frontends.cli import main
from dockerslim_refactor.rewrite import SelfCheckError, rewrite

MODES = st.sampled_from([[], ["-q"], ["--check"], ["--diff"], ["-o", "OUT"], ["-q", "-o", "OUT"]])
ERROR_LINE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<message>\S.*)$")


def printable(line: str) -> bool:
    """No control characters (tab aside) and no Unicode line or paragraph separators: what a
    terminal shows as one plain line."""
    return all(ch == "\t" or not _CONTROL.match(ch) for ch in line)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def expected_output(data: bytes) -> str | None:
    """The rewrite the CLI should write for ``data``, or None (refused or left alone)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\0" in text or not text.lstrip("\ufeff").strip():
        return None
    try:
        return rewrite(text).output
    except (DockerfileError, SelfCheckError):
        return None


@given(dockerfile_bytes(), MODES)
@example(BEFORE["go-seed.before.Dockerfile"].encode(), ["-o", "OUT"])
@example(BEFORE["go-seed.before.Dockerfile"].encode(), ["--check"])
@example(b"\xef\xbb\xbf" + BEFORE["node-ts.before.Dockerfile"].encode(), ["-o", "OUT"])
@example(b"FROM alpine\nRUN echo \xff\n", [])
@example(b"\x00\x01\x02", ["-o", "OUT"])
@example(b"FROM alpine\nRUN <<EOF\necho\n", ["-o", "OUT"])
@example(b"FROM alpine\nRUN echo " + b"a" * LONG_LINE + b"\n", [])
@example(b"FROM alpine\n\\\n", [])
@example(b"FROM alpine\nFOO\x1b[2Jx\n", [])
@example("FROM golang:1.22\nRUN echo ${\U000e0067}\n".encode(), [])
def test_cli_exit_codes_errors_and_files(
    capsys: pytest.CaptureFixture[str], data: bytes, mode: list[str]
) -> None:
    capsys.readouterr()  # the fixture lives across examples: start from empty buffers
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "Dockerfile"
        source.write_bytes(data)
        out = folder / "OUT"
        argv = [str(source), *(str(out) if word == "OUT" else word for word in mode)]
        stat_before = source.stat()

        code = main(argv)
        captured = capsys.readouterr()

        assert code in (0, 1, 2), (code, captured.err)
        assert "Traceback" not in captured.err
        assert source.read_bytes() == data, "the input file was modified"
        assert source.stat().st_mode == stat_before.st_mode
        left = {p.name for p in folder.iterdir()}
        assert left <= {"Dockerfile", "OUT"}, f"left behind: {left}"

        if code == 2:
            assert captured.err.count("\n") == 1 and captured.err.endswith("\n"), captured.err
            line = captured.err[:-1]
            assert printable(line), f"control characters on stderr: {line!r}"
            match = ERROR_LINE.match(line)
            assert match, line
            assert match["path"] == str(source), line
            if match["line"] is not None:
                assert 1 <= int(match["line"]) <= max(1, data.count(b"\n") + 1), line
            assert captured.out == ""
            assert not out.exists()
            return

        expected = expected_output(data)
        if "--check" in mode:
            assert code == (1 if expected is not None else 0), captured.err
        else:
            assert code == 0, captured.err
        if "-o" in mode:
            if expected is None:
                assert not out.exists(), "left alone, yet OUT was written"
            else:
                written = out.read_bytes().decode("utf-8")
                assert written == expected
                parse(written)
                check_buildkit(written, data)
        elif not mode or mode == ["-q"]:
            text = data.decode("utf-8")
            assert captured.out == (expected if expected is not None else text)


def check_buildkit(output: str, data: bytes) -> None:
    try:
        error = buildkit_error(output)
    except OracleCannotTell:
        return
    assert error is None, f"BuildKit refuses OUT: {error}"
