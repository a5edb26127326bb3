"""The core API the front ends use: reading (errors with file and line), one parse per file on
every path, the result of a rewrite, and atomic writes."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockerslim_refactor import api, arguments
from dockerslim_refactor.frontends import cli
from dockerslim_refactor.options import Options

GO = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
"""

# Links glibc: an analysis note (DSR103) and a plan note (DSR100).
C = """\
FROM gcc:13-bookworm
RUN apt-get update
RUN apt-get install -y zlib1g-dev
WORKDIR /usr/src/crc32sum
COPY . .
RUN make && make install
ENTRYPOINT ["crc32sum"]
"""


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- one parse per file --------------------------------------------------------------------------


@pytest.fixture
def parsed(work: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text ``dockerslim_refactor.document.parse`` is given from now on, wherever it is
    looked up: the module's own name and each module's binding of it are replaced by a
    counting wrapper. One CLI run first, so the modules that bind it at import are loaded."""
    import dockerslim_refactor.document as document

    (work / "warm-up").write_text(GO)
    assert cli.main(["warm-up", "-q", "--check"]) == 1
    assert cli.main(["analyze", "warm-up", "--format", "json"]) == 0
    original = document.parse
    seen: list[str] = []

    def counting(text: str) -> document.Document:
        seen.append(text)
        return original(text)

    for name, module in list(sys.modules.items()):
        if name.startswith("dockerslim_refactor") and getattr(module, "parse", None) is original:
            monkeypatch.setattr(module, "parse", counting)
    assert document.parse is counting
    yield seen


def test_cli_rewrite_parses_the_file_once(work: Path, parsed: list[str], capsys) -> None:
    (work / "Dockerfile").write_text(GO)
    assert cli.main(["Dockerfile", "-o", "out"]) == 0
    output = (work / "out").read_text()
    assert parsed.count(GO) == 1
    # The only other parse is the self-check of the rewritten text.
    assert parsed == [GO, output]


def test_cli_analyze_parses_the_file_once(work: Path, parsed: list[str], capsys) -> None:
    (work / "Dockerfile").write_text(GO)
    assert cli.main(["analyze", "Dockerfile"]) == 0
    assert parsed == [GO]


def test_api_rewrite_parses_the_text_once(parsed: list[str]) -> None:
    result = api.rewrite(api.source_of(GO, "Dockerfile"), Options())
    assert result.changed
    assert parsed.count(GO) == 1
    assert parsed == [GO, result.output]


def test_a_run_over_many_files_parses_each_once(work: Path, parsed: list[str], capsys) -> None:
    (work / "a").mkdir()
    (work / "b").mkdir()
    (work / "a" / "Dockerfile").write_text(GO)
    (work / "b" / "Dockerfile").write_text(C)
    assert cli.main(["a", "b", "--check"]) == 1
    assert parsed.count(GO) == 1 and parsed.count(C) == 1
    assert len(parsed) == 4  # and the two self-checks
    assert cli.main(["analyze", "a", "b"]) == 0
    assert parsed.count(GO) == 2 and parsed.count(C) == 2 and len(parsed) == 6


# -- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"FROM busybox\nCOPPY app /app\n", "Dockerfile:2: unknown instruction: COPPY"),
        (b"FROM busybox\n\0\n", "Dockerfile:2: binary file (NUL byte), not a Dockerfile"),
        (b"FROM busybox\nRUN \xff\n", "Dockerfile:2: not UTF-8 text (byte 0xff)"),
        (b"\n  \n", "Dockerfile:1: empty file"),
    ],
)
def test_read_errors_name_the_file_and_the_line(work: Path, data: bytes, message: str) -> None:
    (work / "Dockerfile").write_bytes(data)
    with pytest.raises(api.InputError) as caught:
        api.read("Dockerfile")
    err = caught.value
    assert str(err) == message
    assert (err.path, err.line) == ("Dockerfile", int(message.split(":")[1]))
    assert f"{err.path}:{err.line}: {err.message}" == message
    assert isinstance(err, api.Error) and not isinstance(err, api.UsageError)


def test_read_errors_without_a_line(work: Path) -> None:
    with pytest.raises(api.InputError) as caught:
        api.read_text("missing")
    assert str(caught.value) == "missing: no such file"
    assert caught.value.line is None
    (work / "folder").mkdir()
    with pytest.raises(api.InputError, match=r"^folder: is a folder, not a Dockerfile$"):
        api.read("folder")


def test_standard_input_is_named_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = io.TextIOWrapper(io.BytesIO(b"FROM busybox\nCOPPY a b\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", data)
    with pytest.raises(api.InputError) as caught:
        api.read("-")
    assert str(caught.value) == "<stdin>:2: unknown instruction: COPPY"


def test_read_gives_the_text_and_its_document(work: Path) -> None:
    (work / "Dockerfile").write_bytes(GO.replace("\n", "\r\n").encode())
    source = api.read("Dockerfile")
    assert source.path == "Dockerfile"
    assert source.text == GO.replace("\n", "\r\n")
    assert source.document.text() == source.text
    assert source.document.newline == "\r\n"


def test_errors_format() -> None:
    assert str(api.Error("bad")) == "bad"
    assert str(api.UsageError("is a folder", "out")) == "out: is a folder"
    assert str(api.InputError("Dockerfile", "broken", 3)) == "Dockerfile:3: broken"
    assert str(api.InputError("", "broken")) == ": broken"


# -- the result ----------------------------------------------------------------------------------


def test_result_changed_and_notes() -> None:
    # A preference the planner cannot follow gives a plan note (DSR100).
    result = api.rewrite(api.source_of(C, "Dockerfile"), api.Options(runtime="distroless"))
    assert result.changed and result.output is not None and result.reason is None
    assert result.analysis is not None and result.plan is not None
    analysis_notes = [f for f in result.analysis.findings if f.code.startswith("DSR1")]
    plan_notes = [f for f in result.plan.notes if f.code.startswith("DSR1")]
    assert [f.code for f in analysis_notes] == ["DSR103"]
    assert [f.code for f in plan_notes] == ["DSR100"]
    assert result.notes == (*analysis_notes, *plan_notes)
    assert all(f.code.startswith("DSR1") for f in result.notes)
    assert {f.code for f in result.findings} > {"DSR001", "DSR103"}

    again = api.rewrite(api.source_of(result.output))
    assert not again.changed and again.output is None
    assert again.reason == "already a multi-stage build (2 stages)"
    same = api.Result(again.source, again.analysis, None, again.source.text, None)
    assert not same.changed


def test_an_ignore_pragma_stops_the_rewrite_unless_asked() -> None:
    text = "# dockerslim-refactor ignore=DSR001\n" + GO
    source = api.source_of(text)
    stopped = api.rewrite(source)
    assert stopped.output is None and stopped.analysis is None and stopped.reason
    assert not stopped.changed and stopped.notes == () and stopped.findings == ()
    assert api.rewrite(source, honour_pragmas=False).changed


def test_contradicting_options_are_a_usage_error() -> None:
    options = Options(stage_name="test", test_stage="go test ./...")
    with pytest.raises(api.UsageError, match="stage-name 'test' is taken by the test stage"):
        api.rewrite(api.source_of(GO), options)


def test_analyse_gives_the_findings_without_a_plan() -> None:
    analysis = api.analyse(api.source_of(GO))
    assert "DSR001" in {f.code for f in analysis.findings}


# -- writing -------------------------------------------------------------------------------------


def test_write_atomically_keeps_the_mode(work: Path) -> None:
    out = work / "out"
    out.write_text("old\n")
    out.chmod(0o640)
    api.write_atomically(out, "new\n")
    assert out.read_text() == "new\n"
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in work.iterdir()) == ["out"]


def test_write_atomically_new_file_follows_the_umask(work: Path) -> None:
    old = os.umask(0o027)
    try:
        api.write_atomically(work / "new", "text\n")
    finally:
        os.umask(old)
    assert (work / "new").stat().st_mode & 0o777 == 0o640


def test_write_atomically_through_a_link_keeps_the_link(work: Path) -> None:
    (work / "real").write_text("old\n")
    (work / "link").symlink_to("real")
    api.write_atomically(work / "link", "new\n")
    assert (work / "link").is_symlink()
    assert (work / "real").read_text() == "new\n"
    assert sorted(p.name for p in work.iterdir()) == ["link", "real"]


@pytest.mark.timeout(60)
def test_write_to_a_pipe_writes_through_it(work: Path) -> None:
    """``-o /dev/stdout`` and process substitution: a rename would put a file where the
    pipe was (and, as root, over /dev/stdout itself)."""
    import threading

    fifo = work / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    api.write_atomically(fifo, "text\n")
    reader.join(timeout=10)
    assert received == [b"text\n"]
    assert fifo.is_fifo()
    assert sorted(p.name for p in work.iterdir()) == ["fifo"]


@pytest.mark.timeout(60)
def test_cli_output_to_a_link_to_standard_output(work: Path) -> None:
    """``-o`` naming a link to the process's standard output (what /dev/stdout is) prints the
    rewrite and leaves the link in place."""
    import subprocess

    (work / "Dockerfile").write_text(GO)
    (work / "out").symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "dockerslim_refactor", "-q", "Dockerfile", "-o", "out"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("FROM golang:1.22 AS builder")
    assert (work / "out").is_symlink()


@pytest.mark.timeout(60)
def test_context_reading_skips_pipes_and_links(work: Path) -> None:
    (work / "build.sh").write_text("#!/bin/sh\nmake\n")
    os.mkfifo(work / "fifo")  # reading it would block until a writer came
    (work / "stdin").symlink_to("/proc/self/fd/0")
    (work / "alias.sh").symlink_to("build.sh")
    assert api.context_files(work) == {"build.sh": "#!/bin/sh\nmake\n"}


def test_a_failed_write_leaves_the_old_file(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = work / "out"
    out.write_text("old\n")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(errno.EIO, "simulated failure")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(api.UsageError) as caught:
        api.write_atomically(out, "new\n")
    assert str(caught.value) == f"{out}: cannot write: simulated failure"
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in work.iterdir()) == ["out"]


def test_write_targets_that_cannot_be_written(work: Path) -> None:
    (work / "folder").mkdir()
    with pytest.raises(api.UsageError, match=r"^folder: is a folder$"):
        api.write_atomically(Path("folder"), "x")
    with pytest.raises(api.UsageError, match=r"^missing/out: folder missing does not exist$"):
        api.check_output_target(Path("missing/out"))
    assert api.same_file("./x", "x")


# -- the front ends reach the engine through api only --------------------------------------------


def test_the_command_line_errors_are_the_api_errors() -> None:
    assert issubclass(api.InputError, api.Error) and issubclass(api.UsageError, api.Error)
    assert not hasattr(cli, "read_dockerfile") and not hasattr(cli, "write_atomically")
    assert not hasattr(cli, "UsageError") and not hasattr(cli, "InputError")
    assert arguments.EXIT_ERROR == 2


def test_context_files_are_bounded(work: Path) -> None:
    (work / "go.mod").write_text("module x\n")
    (work / "main.go").write_text("package main\n")
    (work / "node_modules").mkdir()
    (work / "node_modules" / "x.go").write_text("package x\n")
    (work / "README.md").write_text("no\n")
    assert api.context_files(work) == {"go.mod": "module x\n", "main.go": "package main\n"}
    assert api.context_files(None) == {}
    # A script without a suffix is read by its #! line; other such files are not.
    (work / "setup_prereqs").write_text("#!/bin/sh\napt-get install -y nmap\n")
    (work / "LICENSE").write_text("MIT\n")
    assert api.context_files(work)["setup_prereqs"].startswith("#!/bin/sh")
    assert "LICENSE" not in api.context_files(work)
    assert api.context_root(None, "Dockerfile") == work.resolve()
    assert api.context_root(None, "-") is None
    with pytest.raises(api.UsageError, match=r"^nope: --context is not a folder$"):
        api.context_root("nope", "Dockerfile")
