"""The command line: exit codes, one-line errors, output modes, atomic writes, start-up cost."""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import dockerfile
import pytest

from dockerslim_refactor import __version__, api
from dockerslim_refactor.document import parse
from dockerslim_refactor.frontends.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROG = "dockerslim-refactor"

GO = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""

MULTI = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
"""

# A note the rewrite prints before its result: `path:line: DSRnnn message`.
NOTE = re.compile(r"^\S+:\d+: DSR\d{3} ")


# -- helpers -----------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, mode and content digest (or link target)."""
    found: dict[str, tuple] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        info = path.lstat()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[name] = ("dir", oct(info.st_mode))
        else:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except PermissionError:
                digest = "unreadable"
            found[name] = ("file", oct(info.st_mode), digest)
    return found


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, so that paths in messages are short and exact."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    return tmp_path


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv) -> (exit code, stdout, stderr)`` through
    ``dockerslim_refactor.frontends.cli.main``."""

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def python_m(*argv: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *argv],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def expected(work: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """``expected(text)``: the rewrite of ``text`` as printed on stdout, read from stdin so that
    the working folder stays as the test left it."""

    def _expected(text: str) -> str:
        feed_stdin(monkeypatch, text.encode("utf-8"))
        code, out, _ = run("-", "-q")
        assert code == 0
        return out

    return _expected


def assert_multi_stage(text: str) -> None:
    doc = parse(text)
    assert len(doc.stages) == 2
    assert doc.stages[0].name == "builder"
    dockerfile.parse_string(text)  # BuildKit reads it too


# -- inputs that are refused -------------------------------------------------------------------

DIR = object()


class Link(str):
    """A symbolic link to this target."""


GO_FILE = {"Dockerfile": GO.encode()}


def make(folder: Path, files: dict[str, object]) -> None:
    for name, content in files.items():
        path = folder / name
        if content is DIR:
            path.mkdir()
        elif isinstance(content, Link):
            path.symlink_to(str(content))
        else:
            assert isinstance(content, bytes)
            path.write_bytes(content)


BAD = [
    pytest.param({}, ["missing.Dockerfile"], "missing.Dockerfile: no such file", id="missing"),
    pytest.param({"folder": DIR}, ["folder"], "folder: is a folder", id="folder"),
    pytest.param({"loop": Link("loop")}, ["loop"], "loop: cannot read: ", id="symlink-loop"),
    pytest.param(
        GO_FILE, ["Dockerfile/inner"], "Dockerfile/inner: cannot read: ", id="path-through-a-file"
    ),
    pytest.param({"Dockerfile": b""}, ["Dockerfile"], "Dockerfile:1: empty file", id="empty"),
    pytest.param(
        {"Dockerfile": b"  \n\n"}, ["Dockerfile"], "Dockerfile:1: empty file", id="blank-lines"
    ),
    pytest.param(
        {"Dockerfile": b"# one\n# two\n"},
        ["Dockerfile"],
        "Dockerfile:2: no instructions",
        id="only-comments",
    ),
    pytest.param(
        {"Dockerfile": b"FROM alpine\n\0\n"},
        ["Dockerfile"],
        "Dockerfile:2: binary file",
        id="binary-nul",
    ),
    pytest.param(
        {"Dockerfile": b"FROM alpine\nRUN echo \xff\n"},
        ["Dockerfile"],
        "Dockerfile:2: not UTF-8",
        id="invalid-utf8",
    ),
    pytest.param(
        {"Dockerfile": b"FROM alpine\nFOO bar\n"},
        ["Dockerfile"],
        "Dockerfile:2: unknown instruction: FOO",
        id="unknown-instruction",
    ),
    pytest.param(
        {"Dockerfile": b"ARG X=1\n"}, ["Dockerfile"], "Dockerfile:1: no FROM", id="no-from"
    ),
    pytest.param(
        {"Dockerfile": b"FROM alpine\nRUN <<EOF\necho hi\n"},
        ["Dockerfile"],
        "Dockerfile:2: unterminated heredoc",
        id="unterminated-heredoc",
    ),
    pytest.param(
        {"Dockerfile": b"FROM alpine\nFOO bar\n"},
        ["analyze", "Dockerfile"],
        "Dockerfile:2: unknown instruction: FOO",
        id="analyze-unknown-instruction",
    ),
    pytest.param({}, ["analyze", "missing"], "missing: no such file", id="analyze-missing"),
    pytest.param(
        GO_FILE,
        ["Dockerfile", "-o", "missing/out"],
        "missing/out: folder missing does not exist",
        id="output-in-missing-folder",
    ),
    pytest.param(
        GO_FILE,
        ["Dockerfile", "-o", "Dockerfile"],
        "Dockerfile: -o is the input file",
        id="output-is-input",
    ),
    pytest.param(
        GO_FILE,
        ["Dockerfile", "-o", "./Dockerfile"],
        "./Dockerfile: -o is the input file",
        id="output-is-input-spelled-differently",
    ),
    pytest.param({}, ["-", "--in-place"], f"{PROG}: --in-place needs a file", id="in-place-stdin"),
    pytest.param(
        GO_FILE,
        ["Dockerfile", "--backup"],
        f"{PROG}: --backup goes with --in-place",
        id="backup-without-in-place",
    ),
    pytest.param(
        GO_FILE,
        ["Dockerfile", "--stage-name", "Builder"],
        f"{PROG}: --stage-name 'Builder': ",
        id="stage-name-upper-case",
    ),
    pytest.param(
        GO_FILE,
        ["Dockerfile", "--stage-name", "1st"],
        f"{PROG}: --stage-name '1st': ",
        id="stage-name-starts-with-digit",
    ),
]


@pytest.mark.parametrize("files, argv, error", BAD)
def test_refused(work: Path, run: Run, files: dict, argv: list[str], error: str) -> None:
    make(work, files)
    before = snapshot(work)
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    # The error is the last line; only the rewrite's notes may come before it.
    assert lines and lines[-1].startswith(error), err
    assert all(NOTE.match(line) for line in lines[:-1]), err
    assert "Traceback" not in err
    assert snapshot(work) == before


def test_unreadable_file(work: Path, run: Run) -> None:
    path = work / "Dockerfile"
    path.write_text(GO)
    path.chmod(0)
    before = snapshot(work)
    code, out, err = run("Dockerfile")
    if os.geteuid() == 0:
        # Root reads a mode-000 file all the same, so the rewrite goes through; the
        # "cannot read" path is covered by the symlink-loop and path-through-a-file cases.
        assert code == 0, err
        assert_multi_stage(out)
    else:
        assert code == 2
        assert out == ""
        assert err.splitlines() == ["Dockerfile: permission denied"]
    assert snapshot(work) == before


# -- accepted inputs ---------------------------------------------------------------------------


def test_bom_file(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_bytes(b"\xef\xbb\xbf" + GO.encode())
    code, out, err = run("Dockerfile", "-o", "out")
    assert code == 0, err
    data = (work / "out").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert_multi_stage(data.decode("utf-8"))


def test_crlf_file_keeps_crlf(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_bytes(GO.replace("\n", "\r\n").encode())
    code, out, err = run("Dockerfile", "-o", "out")
    assert code == 0, err
    data = (work / "out").read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 5
    assert_multi_stage(data.decode("utf-8"))


def test_escape_backtick_file(work: Path, run: Run) -> None:
    source = GO.replace("RUN go build -o /out/app .", "RUN go build `\n    -o /out/app .")
    (work / "Dockerfile").write_text("# escape=`\n" + source)
    code, out, err = run("Dockerfile", "-o", "out")
    assert code == 0, err
    text = (work / "out").read_text()
    assert text.startswith("# escape=`\n")
    assert parse(text).escape == "`"
    assert "RUN go build `\n    -o /out/app .\n" in text
    assert_multi_stage(text)


# -- modes -------------------------------------------------------------------------------------


def test_default_writes_to_stdout(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    before = snapshot(work)
    code, out, err = run("Dockerfile")
    assert code == 0
    assert_multi_stage(out)
    assert err.splitlines() and all(line.startswith("Dockerfile") for line in err.splitlines())
    assert snapshot(work) == before


def test_output_file(work: Path, run: Run, expected: Callable[[str], str]) -> None:
    (work / "Dockerfile").write_text(GO)
    code, out, err = run("Dockerfile", "-o", "out.Dockerfile")
    assert code == 0, err
    assert out == ""
    assert (work / "out.Dockerfile").read_text() == expected(GO)
    assert (work / "Dockerfile").read_text() == GO
    assert listing(work) == {"Dockerfile", "out.Dockerfile"}  # no temporary file left


def test_output_file_new_mode_follows_umask(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    old = os.umask(0o027)
    try:
        code, _, err = run("Dockerfile", "-o", "out")
    finally:
        os.umask(old)
    assert code == 0, err
    assert (work / "out").stat().st_mode & 0o777 == 0o640


def test_output_file_keeps_existing_mode(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    target = work / "out"
    target.write_text("old\n")
    target.chmod(0o604)
    code, _, err = run("Dockerfile", "-o", "out")
    assert code == 0, err
    assert target.stat().st_mode & 0o777 == 0o604
    assert_multi_stage(target.read_text())
    assert listing(work) == {"Dockerfile", "out"}


def test_check(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    (work / "multi.Dockerfile").write_text(MULTI)
    before = snapshot(work)
    code, out, err = run("Dockerfile", "--check")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1].startswith("Dockerfile: ")
    code, out, err = run("multi.Dockerfile", "--check")
    assert (code, out) == (0, "")
    assert err.splitlines()[-1].startswith("multi.Dockerfile: left alone: ")
    assert snapshot(work) == before


def test_diff(work: Path, run: Run, expected: Callable[[str], str]) -> None:
    (work / "Dockerfile").write_text(GO)
    before = snapshot(work)
    code, out, err = run("Dockerfile", "--diff")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "--- Dockerfile"
    assert lines[1].startswith("+++ Dockerfile")
    assert lines[2].startswith("@@ ")
    new = expected(GO)
    assert out == "".join(
        difflib.unified_diff(
            GO.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile="Dockerfile",
            tofile=lines[1][4:],
        )
    )
    assert snapshot(work) == before


def test_diff_of_left_alone_file_is_empty(work: Path, run: Run) -> None:
    (work / "multi.Dockerfile").write_text(MULTI)
    code, out, err = run("multi.Dockerfile", "--diff")
    assert (code, out) == (0, "")
    assert "left alone: " in err


def test_in_place(work: Path, run: Run, expected: Callable[[str], str]) -> None:
    path = work / "Dockerfile"
    path.write_text(GO)
    path.chmod(0o600)
    code, out, err = run("Dockerfile", "--in-place")
    assert code == 0, err
    assert out == ""
    assert path.read_text() == expected(GO)
    assert path.stat().st_mode & 0o777 == 0o600
    assert listing(work) == {"Dockerfile"}


def test_in_place_with_backup(work: Path, run: Run) -> None:
    path = work / "Dockerfile"
    path.write_bytes(GO.replace("\n", "\r\n").encode())
    code, _, err = run("Dockerfile", "--in-place", "--backup")
    assert code == 0, err
    assert (work / "Dockerfile.orig").read_bytes() == GO.replace("\n", "\r\n").encode()
    assert_multi_stage(path.read_bytes().decode())
    assert listing(work) == {"Dockerfile", "Dockerfile.orig"}


def test_summary_shows_the_estimated_size_before_and_after(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    code, _, err = run("Dockerfile", "-o", "out")
    assert code == 0, err
    summary = [line for line in err.splitlines() if not NOTE.match(line)]
    assert summary == [
        "Dockerfile: go build -> stage 'builder' + runtime alpine:3.20; wrote out",
        "Dockerfile: estimated size golang:1.22 ≈ 299 MB → alpine:3.20 ≈ 3.6 MB "
        "(compressed base images, without your layers)",
    ]


def test_summary_names_the_distroless_option_of_an_interpreted_program(
    work: Path, run: Run
) -> None:
    app = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]\n'
    )
    (work / "Dockerfile").write_text(app)
    code, _, err = run("Dockerfile", "-o", "out")
    assert code == 0, err
    assert err.splitlines()[-1].startswith(
        "Dockerfile: --runtime distroless would run it on gcr.io/distroless/python3-debian12"
    )
    assert "without a shell or package manager" in err.splitlines()[-1]
    # Asked for distroless, or a Python distroless does not have: no such line.
    code, _, err = run("Dockerfile", "-o", "out2", "--runtime", "distroless")
    assert code == 0 and "would run it on" not in err
    (work / "Dockerfile").write_text(app.replace("python:3.11", "python:3.12"))
    code, _, err = run("Dockerfile", "-o", "out3")
    assert code == 0 and "would run it on" not in err


def test_summary_says_size_unknown_rather_than_guess(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO.replace("golang:1.22", "registry.example.com/golang:1.22"))
    code, _, err = run("Dockerfile", "-o", "out", "--runtime-image", "registry.example.com/run:1")
    assert code == 0, err
    assert err.splitlines()[-1] == (
        "Dockerfile: estimated size registry.example.com/golang:1.22 size unknown → "
        "registry.example.com/run:1 size unknown (compressed base images, without your layers)"
    )


def test_left_alone(work: Path, run: Run) -> None:
    (work / "multi.Dockerfile").write_text(MULTI)
    before = snapshot(work)
    code, out, err = run("multi.Dockerfile", "-o", "out")
    assert (code, out) == (0, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("multi.Dockerfile: left alone: ")
    assert snapshot(work) == before  # no OUT


def test_left_alone_in_place(work: Path, run: Run) -> None:
    (work / "multi.Dockerfile").write_text(MULTI)
    before = snapshot(work)
    code, out, err = run("multi.Dockerfile", "--in-place", "--backup")
    assert (code, out) == (0, "")
    assert "left alone: " in err
    assert snapshot(work) == before


def test_left_alone_on_stdout_passes_the_input_through(work: Path, run: Run) -> None:
    (work / "multi.Dockerfile").write_text(MULTI)
    code, out, err = run("multi.Dockerfile")
    assert (code, out) == (0, MULTI)
    assert err.startswith("multi.Dockerfile: left alone: ")


def test_stdin(work: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, GO.encode())
    code, out, err = run("-")
    assert code == 0, err
    assert_multi_stage(out)
    assert all(line.startswith("<stdin>") for line in err.splitlines())
    assert listing(work) == set()


def test_stdin_error_names_stdin(work: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    feed_stdin(monkeypatch, b"FROM alpine\nFOO bar\n")
    code, out, err = run("-")
    assert (code, out) == (2, "")
    assert err == "<stdin>:2: unknown instruction: FOO\n"


@pytest.mark.parametrize("argv", [["-q"], ["--quiet", "-o", "out"], ["-q", "--in-place"]])
def test_quiet(work: Path, run: Run, argv: list[str]) -> None:
    (work / "Dockerfile").write_text(GO)
    code, out, err = run("Dockerfile", *argv)
    assert code == 0
    assert err == ""
    assert bool(out) == (argv == ["-q"])


def test_quiet_still_prints_errors(work: Path, run: Run) -> None:
    code, out, err = run("missing", "-q")
    assert (code, out, err) == (2, "", "missing: no such file\n")


def test_version_in_process(run: Run) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0


# -- atomic writes -----------------------------------------------------------------------------


def _failing_replace(src: str, dst: str) -> None:
    raise OSError(errno.EIO, "simulated failure")


def test_failed_replace_keeps_existing_output(
    work: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "Dockerfile").write_text(GO)
    (work / "out").write_text("old\n")
    monkeypatch.setattr(os, "replace", _failing_replace)
    with contextlib.suppress(OSError):
        run("Dockerfile", "-o", "out")
    assert (work / "out").read_text() == "old\n"
    assert listing(work) == {"Dockerfile", "out"}


def test_failed_replace_is_one_error_line(
    work: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "Dockerfile").write_text(GO)
    (work / "out").write_text("old\n")
    monkeypatch.setattr(os, "replace", _failing_replace)
    code, out, err = run("Dockerfile", "-o", "out")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].startswith("out: ")
    assert "Traceback" not in err


def test_failed_in_place_keeps_file(work: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    (work / "Dockerfile").write_text(GO)
    monkeypatch.setattr(os, "replace", _failing_replace)
    with contextlib.suppress(OSError):
        run("Dockerfile", "--in-place")
    assert (work / "Dockerfile").read_text() == GO
    assert listing(work) == {"Dockerfile"}


# -- idempotence -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [GO, GO.replace("\n", "\r\n")], ids=["lf", "crlf"])
def test_rewriting_the_output_leaves_it_alone(work: Path, run: Run, source: str) -> None:
    (work / "Dockerfile").write_bytes(source.encode())
    code, _, err = run("Dockerfile", "-o", "once")
    assert code == 0, err
    once = (work / "once").read_bytes()
    code, out, err = run("once", "-o", "twice")
    assert (code, out) == (0, "")
    assert err.startswith("once: left alone: ")
    assert not (work / "twice").exists()
    code, out, _ = run("once", "--check")
    assert code == 0
    code, out, _ = run("once")
    assert code == 0
    assert out.encode() == once


# -- analyze -----------------------------------------------------------------------------------


def test_analyze_text(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    code, out, err = run("analyze", "Dockerfile")
    assert code == 0, err
    rows = [line for line in out.splitlines() if re.match(r"^Dockerfile:\d+: ", line)]
    assert rows
    for row in rows:
        line = int(row.split(":")[1])
        assert 1 <= line <= GO.count("\n")
    assert listing(work) == {"Dockerfile"}


def test_analyze_json(work: Path, run: Run) -> None:
    (work / "Dockerfile").write_text(GO)
    code, out, err = run("analyze", "Dockerfile", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert {"file", "ecosystem", "artifacts", "findings"} <= set(report)
    assert report["file"] == "Dockerfile"
    assert report["ecosystem"] == "go"
    assert "/out/app" in [a["path"] for a in report["artifacts"]]
    assert report["findings"]
    assert all({"code", "line"} <= set(f) for f in report["findings"])


def test_analyze_json_of_left_alone_file(work: Path, run: Run) -> None:
    (work / "multi.Dockerfile").write_text(MULTI)
    code, out, _ = run("analyze", "multi.Dockerfile", "--format", "json")
    assert code == 0
    assert json.loads(out)["file"] == "multi.Dockerfile"


# -- real processes ----------------------------------------------------------------------------


def test_version_subprocess(tmp_path: Path) -> None:
    done = python_m("-m", "dockerslim_refactor", "--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.decode() == f"{PROG} {__version__}\n"


def test_error_subprocess_has_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\nRUN <<EOF\necho hi\n")
    done = python_m("-m", "dockerslim_refactor", "Dockerfile", "-o", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == b""
    err = done.stderr.decode()
    assert err.splitlines() == [err.strip()]
    assert err.startswith("Dockerfile:2: unterminated heredoc")
    assert listing(tmp_path) == {"Dockerfile"}


def test_stdin_subprocess(tmp_path: Path) -> None:
    done = python_m(
        "-m", "dockerslim_refactor", "-", cwd=tmp_path, stdin=GO.replace("\n", "\r\n").encode()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(b"\n") == done.stdout.count(b"\r\n")
    assert_multi_stage(done.stdout.decode())


def imported_modules(stderr: bytes) -> set[str]:
    """Top-level names of the modules ``-X importtime`` reports."""
    names = set()
    for line in stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    return names


def test_rewrite_start_up_skips_wizard_and_server(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GO)
    done = python_m(
        "-X", "importtime", "-m", "dockerslim_refactor", "Dockerfile", "-o", "out", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = imported_modules(done.stderr)
    assert "dockerslim_refactor" in modules
    assert not modules & {"pygls", "questionary", "prompt_toolkit", "lsprotocol"}


def test_analyze_start_up_skips_templates(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GO)
    done = python_m(
        "-X", "importtime", "-m", "dockerslim_refactor", "analyze", "Dockerfile", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = imported_modules(done.stderr)
    assert "dockerslim_refactor" in modules
    assert "jinja2" not in modules
    assert not modules & {"pygls", "questionary", "prompt_toolkit", "lsprotocol"}


def test_non_root_is_opt_in(tmp_path: Path) -> None:
    from dockerslim_refactor.frontends.cli import main

    source = tmp_path / "Dockerfile"
    source.write_text(GO)
    assert main([str(source), "-q", "-o", str(tmp_path / "a")]) == 0
    assert "\nUSER " not in (tmp_path / "a").read_text()
    assert main([str(source), "-q", "--non-root", "-o", str(tmp_path / "b")]) == 0
    assert "\nUSER 65534:65534\n" in (tmp_path / "b").read_text()


# -- the router: which front end a command line goes to ----------------------------------------


@pytest.mark.parametrize(
    ("argv", "front_end", "rest"),
    [
        (["verify", "Dockerfile", "--json"], "verify", ["Dockerfile", "--json"]),
        (["lsp", "--tcp", "1:2"], "lsp", ["--tcp", "1:2"]),
        (["merge", "a", "b"], "merge", ["a", "b"]),
        (["wizard", "Dockerfile", "-o", "x"], "wizard", ["Dockerfile", "-o", "x"]),
        (["Dockerfile", "--interactive", "-o", "x"], "wizard", ["Dockerfile", "-o", "x"]),
        (["analyze", "Dockerfile", "--interactive"], "wizard", ["analyze", "Dockerfile"]),
        (["analyze", "Dockerfile"], "cli", ["analyze", "Dockerfile"]),
        (["Dockerfile", "-o", "x"], "cli", ["Dockerfile", "-o", "x"]),
        ([], "cli", []),
    ],
)
def test_router_sends_each_command_line_to_its_front_end(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], front_end: str, rest: list[str]
) -> None:
    import importlib

    from dockerslim_refactor import commands

    calls: list[tuple[str, list[str]]] = []
    for name in ("cli", "verify", "lsp", "merge", "wizard"):
        module = importlib.import_module(f"dockerslim_refactor.frontends.{name}")
        monkeypatch.setattr(
            module, "main", lambda words, name=name: calls.append((name, list(words))) or 7
        )
    assert commands.main(argv) == 7
    assert calls == [(front_end, rest)]


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            lambda: api.InputError("f", "bad", 3),
            2,
            "f:3: bad\n",
        ),
        (
            KeyboardInterrupt,
            130,
            f"{PROG}: interrupted; the file being written was left as it was\n",
        ),
        (BrokenPipeError, 0, ""),
    ],
    ids=["api-error", "interrupt", "broken-pipe"],
)
def test_router_ends_a_front_end_error_as_the_cli_does(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Callable[[], BaseException],
    code: int,
    message: str,
) -> None:
    from dockerslim_refactor import commands
    from dockerslim_refactor.frontends import merge

    def fail(words: list[str]) -> int:
        raise error()

    monkeypatch.setattr(merge, "main", fail)
    assert commands.main(["merge", "a", "b"]) == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)


@pytest.mark.parametrize(
    "argv", [["verify", "x"], ["lsp"], ["merge", "a", "b"], ["wizard", "x"], ["x", "--interactive"]]
)
def test_cli_main_leaves_other_front_ends_to_the_router(run: Run, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"{PROG}: ") and "dockerslim_refactor.commands" in err


def test_python_m_routes_subcommands(tmp_path: Path) -> None:
    done = python_m("-m", "dockerslim_refactor", "merge", "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith(f"usage: {PROG} merge")
