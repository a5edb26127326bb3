"""The server's pure parts: positions, line edits, settings, and the engine calls it makes on
whatever an editor holds (half-typed, broken, binary)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_support import SAMPLES, SERVER_COMMAND, apply_edits, server_env
from lsprotocol import types

from dockerslim_refactor.frontends.lsp.engine import Analysed
from dockerslim_refactor.frontends.lsp.fixes import convert_size, snapshot
from dockerslim_refactor.frontends.lsp.positions import (
    LineEdit,
    LineMap,
    apply_line_edit,
    code_units,
)
from dockerslim_refactor.frontends.lsp.settings import apply_settings, section_of
from dockerslim_refactor.options import Options

ENCODINGS = ("utf-8", "utf-16", "utf-32")


def _edit(start: tuple[int, int], end: tuple[int, int], text: str) -> types.TextEdit:
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        ),
        new_text=text,
    )


# -- the conversion's title --------------------------------------------------------------------

GO = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n'


def test_the_conversion_title_says_the_saving() -> None:
    from dockerslim_refactor.frontends.lsp.server import convert_title

    title = "Convert to multi-stage build"
    assert convert_size(snapshot(GO, Options())) == "≈ 299 MB → 3.6 MB"
    analysed = Analysed(GO, "k", size="≈ 299 MB → 3.6 MB", analysed=True)
    assert convert_title(title, analysed) == f"{title} (≈ 299 MB → 3.6 MB)"
    assert convert_title(title, Analysed(GO, "k", analysed=True)) == title


def test_the_conversion_title_says_when_the_size_is_unknown() -> None:
    text = GO.replace("golang:1.22", "registry.example.com/golang:1.22")
    options = Options(runtime_image="registry.example.com/run:1")
    assert convert_size(snapshot(text, options)) == "size unknown"
    unknown_after = snapshot(GO, Options(runtime_image="registry.example.com/run:1"))
    assert convert_size(unknown_after) == "≈ 299 MB → size unknown"


def test_no_size_without_a_conversion() -> None:
    multi = "FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /\n"
    assert convert_size(snapshot(multi, Options())) is None
    assert convert_size(snapshot("", Options())) is None


# -- positions ---------------------------------------------------------------------------------


def test_code_units():
    assert [code_units("a🐳é", e) for e in ENCODINGS] == [1 + 4 + 2, 1 + 2 + 1, 3]


def test_whole_lines_end_at_the_content_in_the_clients_units():
    text = "FROM a\r\nRUN echo 🐳\r\nCMD x"
    for encoding, width in zip(ENCODINGS, (13, 11, 10), strict=True):
        lines = LineMap(text, encoding)
        assert lines.whole_lines(2, 2) == ((1, 0), (1, width))
        assert lines.whole_lines(3, 3) == ((2, 0), (2, 5))
        assert lines.text_end() == (2, 5)
    assert LineMap("FROM a\n").text_end() == (1, 0)
    assert LineMap("").text_end() == (0, 0)


def test_a_lone_carriage_return_ends_an_lsp_line_but_not_a_dockerfile_line():
    text = "FROM a\nLABEL x=1\ry=2\nCMD b\n"
    lines = LineMap(text)
    assert lines.count == 3
    assert [lines.lsp_line(n) for n in (1, 2, 3, 4)] == [0, 1, 3, 4]
    assert lines.whole_lines(2, 2) == ((1, 0), (2, 3))
    assert [lines.engine_line(n) for n in (0, 1, 2, 3)] == [1, 2, 2, 3]


_LINE = st.text(alphabet=st.sampled_from(list("ab é🐳\\\t\r")), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(_LINE, st.sampled_from(["\n", "\r\n"])), min_size=0, max_size=6),
    last=_LINE,
    start=st.integers(1, 8),
    length=st.integers(-1, 4),
    new=st.lists(st.sampled_from(["RUN x\n", "USER 1\r\n", "É🐳\n"]), max_size=3),
)
def test_line_edits_apply_the_same_through_lsp_ranges(lines, last, start, length, new):
    text = "".join(a + b for a, b in lines) + last
    count = LineMap(text).count
    start = min(start, count + 1)
    end = min(start + length, count) if length >= 0 else start - 1
    edit = LineEdit(start, max(end, start - 1), "".join(new))
    expected = apply_line_edit(text, edit)
    for encoding in ENCODINGS:
        begin, stop, new_text = LineMap(text, encoding).edit_range(edit)
        assert apply_edits(text, [_edit(begin, stop, new_text)], encoding) == expected


def test_line_edits():
    text = "FROM a\nRUN b\nCMD c"
    assert apply_line_edit(text, LineEdit(2, 2, "RUN x\nRUN y\n")) == "FROM a\nRUN x\nRUN y\nCMD c"
    assert apply_line_edit(text, LineEdit(3, 3, "CMD d\n")) == "FROM a\nRUN b\nCMD d"
    assert apply_line_edit(text, LineEdit(3, 2, "USER 1\n")) == "FROM a\nRUN b\nUSER 1\nCMD c"
    assert apply_line_edit(text, LineEdit(4, 3, "USER 1\n")) == text + "\nUSER 1\n"
    assert LineMap(text).edit_range(LineEdit(4, 3, "USER 1\n")) == ((2, 5), (2, 5), "\nUSER 1\n")


# -- settings ----------------------------------------------------------------------------------


def test_settings_map_onto_options():
    options, problems = apply_settings(
        Options(),
        {
            "runtime": "scratch",
            "runtimeImage": "gcr.io/distroless/static-debian12",
            "stageName": "build",
            "nonRoot": True,
            "keepCommand": True,
            "javaModules": ["jdk.localedata", " jdk.charsets "],
            "disabledRules": ["dsr002", " DSR005 ", ""],
            "somethingElse": 1,
        },
    )
    assert problems == []
    assert options == Options(
        runtime="scratch",
        runtime_image="gcr.io/distroless/static-debian12",
        stage_name="build",
        non_root=True,
        keep_command=True,
        java_modules=("jdk.localedata", "jdk.charsets"),
        disabled_rules=frozenset({"DSR002", "DSR005"}),
    )
    # Wrapped in the section, and null meaning "the default".
    again, _ = apply_settings(
        options, {"dockerslim-refactor": {"runtime": None, "nonRoot": None, "disabledRules": {}}}
    )
    assert (again.runtime, again.non_root, again.stage_name) == ("auto", False, "build")
    assert again.disabled_rules == frozenset()


@pytest.mark.parametrize(
    "bad",
    [
        {"runtime": "ubuntu"},
        {"runtimeImage": "two words"},
        {"stageName": "Builder"},
        {"stageName": 3},
        {"keepRoot": "yes"},
        {"keepCommand": "no"},
        {"javaModules": "jdk.localedata"},
        {"javaModules": ["not a module"]},
        {"disabledRules": "DSR002"},
        {"disabledRules": [1]},
    ],
)
def test_bad_settings_are_reported_and_ignored(bad):
    options, problems = apply_settings(Options(), bad)
    assert options == Options()
    assert len(problems) == 1 and next(iter(bad)) in problems[0]


def test_settings_that_are_not_ours():
    assert section_of(None) is None and section_of([1]) is None
    assert section_of({"python": {"x": 1}}) is None
    assert apply_settings(Options(), {"other": 1}) == (Options(), [])


# -- the engine on what an editor holds --------------------------------------------------------


def _cuts(text: str) -> list[str]:
    """Every line prefix of ``text``, and cuts inside lines."""
    lines = text.splitlines(keepends=True)
    prefixes = ["".join(lines[:n]) for n in range(len(lines) + 1)]
    return prefixes + [text[:n] for n in range(0, len(text), 13)]


def test_every_cut_of_every_sample_gives_findings_a_syntax_error_or_nothing():
    options = Options()
    crashes = []
    for sample in sorted(SAMPLES.glob("*.before.Dockerfile")):
        for text in _cuts(sample.read_text("utf-8")):
            snap = snapshot(text, options)  # never raises
            assert snap.syntax is None or snap.analysis is None
            if snap.result is not None:
                assert snap.analysis is snap.result.analysis
            if snap.problem and "Traceback" in snap.problem:
                crashes.append(text)
    # Engine crashes on half-typed text stay inside the snapshot; the only one known is
    # test_engine_crash_on_a_dangling_cargo_bin.
    assert set(crashes) <= {DANGLING_BIN}


DANGLING_BIN = (
    "FROM rust:1.79-bookworm\n"
    "RUN rustup target add x86_64-unknown-linux-musl && apt-get update && apt-get install -y"
    " musl-tools\nWORKDIR /app\nCOPY . .\n"
    "RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin "
)


def test_engine_crash_on_a_dangling_cargo_bin():
    snap = snapshot(DANGLING_BIN, Options())
    assert snap.problem is None


def test_an_engine_error_becomes_a_problem_not_an_exception(monkeypatch):
    import dockerslim_refactor.findings
    import dockerslim_refactor.frontends.lsp.fixes as fixes

    def boom(*args, **kwargs):
        raise RuntimeError("engine bug")

    text = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n'
    monkeypatch.setattr(fixes, "rewrite", boom)
    snap = snapshot(text, Options())
    assert "engine bug" in snap.problem and snap.analysis is not None and snap.result is None
    assert "DSR001" in {f.code for f in snap.findings}
    assert fixes.convert_output(snap) is None
    monkeypatch.setattr(dockerslim_refactor.findings, "analyze", boom)
    snap = snapshot(text, Options())
    assert snap.analysis is None and snap.syntax is None and snap.findings == ()


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02",
        "FROM a\n\x00",
        "\ufeff",
        "\ufeffFROM golang:1.22\nRUN go build -o /app .\n",
        "FROM golang:1.22\nRUN \\\n\\\n\\\n",
        "FROM golang:1.22\nRUN <<EOF\n",
        "FROM golang:1.22\nRUN ['go', 'build'\n",
        "FROM golang:1.22\nONBUILD\n",
        "ARG X\n",
        "FROM scratch AS a\nFROM a AS a\n",
        "FROM golang:1.22\nRUN " + "a && " * 400 + "b\n",
        "FROM golang:1.22\nRUN $(" * 50 + "\n",
        "FROM golang:1.22\nRUN echo '" + "\\" * 1000 + "\n",
    ],
)
def test_junk_never_raises(text):
    snap = snapshot(text, Options())
    assert snap.problem is None or "Traceback" not in snap.problem


# -- command line ------------------------------------------------------------------------------
def test_the_cli_does_not_load_pygls(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text('FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n', "utf-8")
    code = (
        "import sys\n"
        "from dockerslim_refactor.frontends.cli import main\n"
        f"main(['analyze', {str(path)!r}])\n"
        f"main([{str(path)!r}, '-q', '-o', {str(tmp_path / 'out')!r}])\n"
        "import dockerslim_refactor.frontends.lsp\n"
        "assert not {'pygls', 'lsprotocol'} & set(sys.modules), 'pygls loaded'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=server_env()
    )
    assert proc.returncode == 0, proc.stderr


def test_command_line():
    run = [*SERVER_COMMAND]
    helped = subprocess.run([*run, "--help"], capture_output=True, text=True, env=server_env())
    assert helped.returncode == 0 and "--stdio" in helped.stdout and "--tcp" in helped.stdout
    bad = subprocess.run([*run, "--tcp", "nope"], capture_output=True, text=True, env=server_env())
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr
