"""The lossless Dockerfile model: exact round trip, structure, agreement with BuildKit's parser,
and the inputs it refuses."""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest

from dockerslim_refactor.document import Comment, Directive, DockerfileError, Document, parse

ROOT = Path(__file__).resolve().parent.parent

# -- inputs that must parse and come back unchanged --------------------------------------------

TRICKY = {
    "crlf": 'FROM alpine\r\nRUN apk add \\\r\n    curl\r\nCMD ["sh"]\r\n',
    "bom": "\ufeffFROM alpine\nRUN echo hi\n",
    "bom-crlf-escape-directive": "\ufeff# escape=`\r\nFROM alpine\r\nRUN echo `\r\n  hi\r\n",
    "escape-backtick": (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN dir `\n"
        "    C:\\\n"
        "COPY app C:\\app\\\n"
        "WORKDIR C:\\app\n"
    ),
    "comments-in-continuation": (
        "FROM alpine\n"
        "RUN apk add \\\n"
        "    # the compiler\n"
        "    gcc \\\n"
        "  # and make\n"
        "    make\n"
        "CMD make\n"
    ),
    "blank-lines-in-continuation": "FROM alpine\nRUN echo a \\\n\n   \n    b\nCMD x\n",
    "heredoc": "FROM alpine\nRUN <<EOF\nset -e\necho hi\nEOF\nCMD x\n",
    "heredoc-strip-tabs": "FROM alpine\nRUN <<-EOF\n\techo hi\n\tEOF\n",
    "heredoc-quoted": 'FROM alpine\nRUN <<"EOF"\necho $HOME\nEOF\n',
    "heredoc-single-quoted": "FROM alpine\nRUN <<'EOF'\necho $HOME\nEOF\n",
    "heredoc-blank-and-hash-lines": "FROM alpine\nRUN <<EOF\n\n# not a comment\n\nEOF\n",
    "heredoc-crlf": "FROM alpine\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nCMD x\r\n",
    "heredoc-after-continuation": "FROM alpine\nRUN cat <<EOF \\\n    > /etc/motd\nhello\nEOF\n",
    "heredoc-fd": "FROM alpine\nRUN 3<<EOF cat /dev/fd/3\nhi\nEOF\n",
    "two-heredocs-in-copy": (
        "FROM alpine\nCOPY <<one.txt <<two.txt /dst/\nfirst\none.txt\nsecond\ntwo.txt\nCMD x\n"
    ),
    "lower-case-instructions": 'from alpine as base\nrun echo hi\ncopy . /src\ncmd ["sh"]\n',
    "json-and-shell-forms": (
        "FROM alpine\n"
        'RUN ["sh", "-c", "echo exec"]\n'
        "RUN echo shell\n"
        'ENTRYPOINT ["/bin/sh", "-c"]\n'
        "CMD echo shell form\n"
    ),
    "onbuild": "FROM alpine\nONBUILD COPY . /src\nONBUILD RUN make\n",
    "onbuild-heredoc": "FROM alpine\nONBUILD RUN <<EOF\necho hi\nEOF\n",
    "shell-instruction": (
        'FROM mcr.microsoft.com/powershell\nSHELL ["pwsh", "-Command"]\nRUN Write-Host hi\n'
    ),
    "arg-before-from": "ARG VERSION=3.20\nFROM alpine:${VERSION}\nARG VERSION\nRUN echo $VERSION\n",
    "trailing-whitespace-after-backslash": "FROM alpine\nRUN echo a \\  \n    b \\\t\n    c\n",
    "no-final-newline": "FROM alpine\nRUN echo hi",
    "no-final-newline-after-backslash": "FROM alpine\nRUN echo hi \\",
    "continuation-ends-in-comment": "FROM alpine\nRUN echo hi \\\n# trailing\n",
    "escaped-escape-at-line-end": "FROM alpine\nRUN echo C:\\\\\nCMD x\n",
    "directives": "# syntax=docker/dockerfile:1\n# escape=\\\n\nFROM alpine\nRUN echo hi\n",
    "check-then-escape": "# check=skip=all\n# escape=`\nFROM alpine\nRUN echo `\n  hi\n",
    "all-the-rest": (
        "FROM alpine\n"
        "MAINTAINER someone\n"
        'LABEL org.opencontainers.image.title="demo" version=1\n'
        "ENV A=1 B=2\n"
        "EXPOSE 8080/tcp 9090\n"
        'VOLUME ["/data"]\n'
        "USER 1000:1000\n"
        "STOPSIGNAL SIGTERM\n"
        "HEALTHCHECK --interval=5s --timeout=3s CMD wget -q -O- localhost:8080 || exit 1\n"
        "ADD --chown=1000:1000 https://example.com/a.tar.gz /opt/\n"
    ),
    "multi-stage": (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\n"
        "WORKDIR /src\n"
        "RUN go build -o /out/app .\n"
        "\n"
        "FROM gcr.io/distroless/static\n"
        "COPY --from=builder /out/app /app\n"
        'ENTRYPOINT ["/app"]\n'
    ),
}


def _read(path: Path) -> str:
    # Bytes, then decode: read_text would turn CRLF into LF.
    return path.read_bytes().decode("utf-8")


def _project_files() -> list[Path]:
    """Dockerfiles others keep adding to the repository; collected when the tests are."""
    samples = sorted(p for p in (ROOT / "samples").rglob("*.Dockerfile") if p.is_file())
    fixtures = sorted(p for p in (ROOT / "tests").rglob("Dockerfile*") if p.is_file())
    return samples + fixtures


INPUTS = [pytest.param(text, id=name) for name, text in TRICKY.items()] + [
    pytest.param(path, id=path.relative_to(ROOT).as_posix()) for path in _project_files()
]


def _text(case: str | Path) -> str:
    return _read(case) if isinstance(case, Path) else case


@pytest.mark.parametrize("case", INPUTS)
def test_round_trip(case: str | Path) -> None:
    text = _text(case)
    assert parse(text).text() == text


@pytest.mark.parametrize("case", INPUTS)
def test_instruction_spans_cover_the_file(case: str | Path) -> None:
    """Every non-blank, non-comment line belongs to exactly one instruction, and ``raw`` is
    the exact source of its span."""
    doc = parse(_text(case))
    covered: set[int] = set()
    for ins in doc.instructions:
        assert ins.raw == doc.source(ins.start_line, ins.end_line)
        span = set(range(ins.start_line, ins.end_line + 1))
        assert not covered & span
        covered |= span
    directive_lines = {d.line for d in doc.directives}
    comment_lines = {c.line for c in doc.comments if not c.inside}
    for number, line in enumerate(doc.lines, start=1):
        if line.strip() and number not in directive_lines | comment_lines:
            assert number in covered, f"line {number} {line!r} is in no instruction"


# -- agreement with BuildKit's parser -----------------------------------------------------------


def _oracle_spans(doc: Document) -> list[tuple[str, int, int]]:
    """(KEYWORD, start_line, end_line) of each instruction, as BuildKit's parser sees them."""
    lines = list(doc.lines)
    removed = None
    check = doc.directive("check")
    if check is not None:
        # The `dockerfile` package wraps a BuildKit older than the `# check=` directive
        # (Dockerfile frontend 1.8). It reads that line as a comment and stops looking for
        # directives, so an `# escape=` after it would be ignored. Harmless for us: give it the
        # file without that line and move its line numbers back down by one.
        removed = check.line
        del lines[removed - 1]
    text = ("\ufeff" if doc.bom else "") + "".join(lines)
    spans = []
    for command in dockerfile.parse_string(text):
        start, end = command.start_line, command.end_line
        if removed is not None:
            start, end = start + (start >= removed), end + (end >= removed)
        # The oracle keeps the keyword as written; we upper-case it.
        spans.append((command.cmd.upper(), start, end))
    return spans


@pytest.mark.parametrize("case", INPUTS)
def test_instructions_agree_with_buildkit(case: str | Path) -> None:
    text = _text(case)
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError as err:
        pytest.skip(f"BuildKit rejects this input ({err}); nothing to compare")
    doc = parse(text)
    ours = [(i.keyword, i.start_line, i.end_line) for i in doc.instructions]
    assert ours == _oracle_spans(doc)


def test_oracle_reports_heredoc_and_continuation_spans_to_the_last_line() -> None:
    """What the agreement test relies on: BuildKit's end_line is the heredoc terminator's line,
    and a continuation's span includes comment and blank lines inside it."""
    commands = dockerfile.parse_string(TRICKY["two-heredocs-in-copy"])
    assert [(c.cmd, c.start_line, c.end_line) for c in commands] == [
        ("FROM", 1, 1),
        ("COPY", 2, 6),
        ("CMD", 7, 7),
    ]
    commands = dockerfile.parse_string(TRICKY["comments-in-continuation"])
    assert [(c.cmd, c.start_line, c.end_line) for c in commands][1] == ("RUN", 2, 6)


def test_check_directive_is_a_directive() -> None:
    """``# check=`` is a directive since Dockerfile 1.8 (the oracle is older, see
    ``_oracle_spans``): the ``# escape=`` after it still counts."""
    doc = parse(TRICKY["check-then-escape"])
    assert doc.directives == (Directive("check", "skip=all", 1), Directive("escape", "`", 2))
    assert doc.escape == "`"
    assert [(i.keyword, i.start_line, i.end_line) for i in doc.instructions] == [
        ("FROM", 3, 3),
        ("RUN", 4, 5),
    ]
    assert doc.comments == ()


def test_shell_form_value_matches_buildkit() -> None:
    """Continuations are joined the way BuildKit joins them (the escape and newline go, the
    indentation of the next line stays), and comments inside are dropped."""
    text = TRICKY["comments-in-continuation"]
    run = dockerfile.parse_string(text)[1]
    assert parse(text).instructions[1].value == run.value[0]


# -- structure ---------------------------------------------------------------------------------

STRUCTURE = """\
# syntax=docker/dockerfile:1
ARG GO=1.22
# builder stage
# builds the binary
FROM --platform=$BUILDPLATFORM golang:${GO} AS Builder
RUN apk add \\
    # compiler
    gcc \\

    make
COPY --from=builder --chown=1:1 /a /b
FROM Builder AS test
RUN go test ./...

FROM alpine:3.20
COPY <<-"EOF" /etc/motd
\thello $X
\tEOF
CMD ["/app", "--serve"]
"""


@pytest.fixture(scope="module")
def doc() -> Document:
    return parse(STRUCTURE)


def test_keywords_and_spans(doc: Document) -> None:
    assert [(i.keyword, i.start_line, i.end_line) for i in doc.instructions] == [
        ("ARG", 2, 2),
        ("FROM", 5, 5),
        ("RUN", 6, 10),
        ("COPY", 11, 11),
        ("FROM", 12, 12),
        ("RUN", 13, 13),
        ("FROM", 15, 15),
        ("COPY", 16, 18),
        ("CMD", 19, 19),
    ]


def test_lower_case_keywords_are_upper_cased() -> None:
    doc = parse(TRICKY["lower-case-instructions"])
    assert [i.keyword for i in doc.instructions] == ["FROM", "RUN", "COPY", "CMD"]
    assert doc.instructions[0].raw == "from alpine as base\n"
    assert doc.stages[0].name == "base"


def test_flags(doc: Document) -> None:
    from_, copy = doc.instructions[1], doc.instructions[3]
    assert from_.flags == ("--platform=$BUILDPLATFORM",)
    assert from_.flag("platform") == "$BUILDPLATFORM"
    assert from_.value == "golang:${GO} AS Builder"
    assert copy.flags == ("--from=builder", "--chown=1:1")
    assert copy.flag("from") == "builder"
    assert copy.flag("chmod") is None
    assert copy.value == "/a /b"


def test_value_joins_continuations_without_inside_comments(doc: Document) -> None:
    run = doc.instructions[2]
    assert run.value == "apk add     gcc     make"
    assert "compiler" not in run.value
    assert run.comments == (Comment(7, "compiler", inside=True),)
    assert run.raw == "RUN apk add \\\n    # compiler\n    gcc \\\n\n    make\n"


def test_json_args(doc: Document) -> None:
    assert doc.instructions[-1].json_args == ("/app", "--serve")
    assert doc.instructions[-1].is_json
    shell = parse(TRICKY["json-and-shell-forms"])
    forms = [(i.keyword, i.json_args) for i in shell.instructions]
    assert forms == [
        ("FROM", None),
        ("RUN", ("sh", "-c", "echo exec")),
        ("RUN", None),
        ("ENTRYPOINT", ("/bin/sh", "-c")),
        ("CMD", None),
    ]


def test_json_args_only_for_valid_json_arrays() -> None:
    doc = parse("FROM alpine\nCMD [not json]\nENTRYPOINT ['single', 'quotes']\n")
    assert [i.json_args for i in doc.instructions[1:]] == [None, None]


def test_heredoc_fields(doc: Document) -> None:
    (heredoc,) = doc.instructions[7].heredocs
    assert heredoc.delimiter == "EOF"
    assert heredoc.strip_tabs is True
    assert heredoc.quoted is True
    assert heredoc.body == "\thello $X\n"
    assert (heredoc.start_line, heredoc.end_line) == (17, 18)
    assert doc.instructions[7].value == '<<-"EOF" /etc/motd'


@pytest.mark.parametrize(
    "name, expected",
    [
        ("heredoc", [("EOF", False, False, None, "set -e\necho hi\n")]),
        ("heredoc-strip-tabs", [("EOF", True, False, None, "\techo hi\n")]),
        ("heredoc-quoted", [("EOF", False, True, None, "echo $HOME\n")]),
        ("heredoc-single-quoted", [("EOF", False, True, None, "echo $HOME\n")]),
        ("heredoc-crlf", [("EOF", False, False, None, "echo hi\n")]),
        ("heredoc-fd", [("EOF", False, False, 3, "hi\n")]),
        ("heredoc-after-continuation", [("EOF", False, False, None, "hello\n")]),
        (
            "two-heredocs-in-copy",
            [
                ("one.txt", False, False, None, "first\n"),
                ("two.txt", False, False, None, "second\n"),
            ],
        ),
    ],
)
def test_heredocs(name: str, expected: list[tuple]) -> None:
    (ins,) = [i for i in parse(TRICKY[name]).instructions if i.heredocs]
    got = [(h.delimiter, h.strip_tabs, h.quoted, h.fd, h.body) for h in ins.heredocs]
    assert got == expected


def test_two_heredocs_lines() -> None:
    copy = parse(TRICKY["two-heredocs-in-copy"]).instructions[1]
    assert [(h.start_line, h.end_line) for h in copy.heredocs] == [(3, 4), (5, 6)]
    assert copy.value == "<<one.txt <<two.txt /dst/"
    assert (copy.start_line, copy.end_line) == (2, 6)


def test_onbuild_trigger() -> None:
    doc = parse(TRICKY["onbuild"] + TRICKY["onbuild-heredoc"].split("\n", 1)[1])
    copy, run, heredoc_run = (i.trigger for i in doc.instructions[1:])
    assert [i.keyword for i in doc.instructions] == ["FROM", "ONBUILD", "ONBUILD", "ONBUILD"]
    assert (copy.keyword, copy.value) == ("COPY", ". /src")
    assert (run.keyword, run.value) == ("RUN", "make")
    assert heredoc_run.keyword == "RUN"
    assert [h.body for h in doc.instructions[3].heredocs] == ["echo hi\n"]


def test_comments(doc: Document) -> None:
    assert doc.comments == (
        Comment(3, "builder stage"),
        Comment(4, "builds the binary"),
        Comment(7, "compiler", inside=True),
    )


def test_comment_lines_before(doc: Document) -> None:
    assert [c.line for c in doc.comment_lines_before(5)] == [3, 4]
    assert doc.comment_lines_before(4) == (Comment(3, "builder stage"),)
    # A comment inside a continuation is not a comment "before" the next line.
    assert doc.comment_lines_before(8) == ()
    assert doc.comment_lines_before(2) == ()


def test_stages(doc: Document) -> None:
    stages = [(s.index, s.name, s.base, s.parent, s.platform) for s in doc.stages]
    assert stages == [
        (0, "builder", "golang:${GO}", None, "$BUILDPLATFORM"),
        (1, "test", "Builder", 0, None),
        (2, None, "alpine:3.20", None, None),
    ]
    assert [[i.keyword for i in s.instructions] for s in doc.stages] == [
        ["RUN", "COPY"],
        ["RUN"],
        ["COPY", "CMD"],
    ]
    assert [(s.start_line, s.end_line) for s in doc.stages] == [(5, 11), (12, 13), (15, 19)]


def test_global_args(doc: Document) -> None:
    assert [(a.keyword, a.value, a.start_line) for a in doc.global_args] == [("ARG", "GO=1.22", 2)]
    assert all(a not in s.instructions for s in doc.stages for a in doc.global_args)


def test_stage_by_name(doc: Document) -> None:
    assert doc.stage_by_name("builder").index == 0
    assert doc.stage_by_name("BUILDER").index == 0
    assert doc.stage_by_name("test").index == 1
    assert doc.stage_by_name("2").index == 2
    assert doc.stage_by_name("missing") is None


def test_escaped_escape_at_line_end_is_not_a_continuation() -> None:
    """BuildKit's continuation pattern is ``([^\\\\])\\\\[ \\t]*$``: a line ending in ``\\\\``
    (an escaped backslash) ends the instruction."""
    doc = parse(TRICKY["escaped-escape-at-line-end"])
    assert [(i.keyword, i.start_line, i.end_line) for i in doc.instructions] == [
        ("FROM", 1, 1),
        ("RUN", 2, 2),
        ("CMD", 3, 3),
    ]


def test_newline_and_bom() -> None:
    crlf = parse(TRICKY["crlf"])
    assert (crlf.newline, crlf.bom) == ("\r\n", False)
    assert crlf.instructions[1].value == "apk add     curl"
    bom = parse(TRICKY["bom"])
    assert (bom.newline, bom.bom) == ("\n", True)
    assert bom.lines[0] == "FROM alpine\n"


# -- parser directives -------------------------------------------------------------------------


def test_known_directives() -> None:
    doc = parse(
        "# syntax=docker/dockerfile:1.7\n"
        "#check = skip=JSONArgsRecommended\n"
        "# ESCAPE=`\n"
        "FROM alpine\n"
        "RUN echo `\n"
        "  hi\n"
    )
    assert doc.directives == (
        Directive("syntax", "docker/dockerfile:1.7", 1),
        Directive("check", "skip=JSONArgsRecommended", 2),
        Directive("escape", "`", 3),
    )
    assert doc.directive("syntax").value == "docker/dockerfile:1.7"
    assert doc.directive("platform") is None
    assert doc.escape == "`"
    assert doc.comments == ()
    assert (doc.instructions[1].start_line, doc.instructions[1].end_line) == (5, 6)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "# a comment\n# escape=`\nFROM alpine\nRUN echo \\\n  hi\n", id="after-comment"
        ),
        pytest.param("\n# escape=`\nFROM alpine\nRUN echo \\\n  hi\n", id="after-blank-line"),
        pytest.param("# foo=bar\n# escape=`\nFROM alpine\nRUN echo \\\n  hi\n", id="after-unknown"),
    ],
)
def test_late_directive_is_a_plain_comment(text: str) -> None:
    doc = parse(text)
    assert doc.directives == ()
    assert doc.escape == "\\"
    assert Comment(2, "escape=`") in doc.comments
    assert (doc.instructions[1].start_line, doc.instructions[1].end_line) == (4, 5)


def test_directive_after_instruction_is_a_comment() -> None:
    doc = parse("FROM alpine\n# escape=`\nRUN echo hi\n")
    assert doc.directives == ()
    assert doc.comments == (Comment(2, "escape=`"),)


# -- inputs that must not parse ----------------------------------------------------------------

ERRORS = [
    pytest.param("FROM alpine\nRUN echo hi\nFROOM x\n", 3, "unknown instruction", id="unknown"),
    pytest.param("FROM alpine\nRUN <<EOF\necho hi\n", 2, "unterminated heredoc", id="heredoc"),
    pytest.param(
        "FROM alpine\nRUN echo\nCOPY <<a <<b /x\nA\na\nB\n",
        3,
        "unterminated heredoc",
        id="heredoc-2",
    ),
    pytest.param("ARG X\nRUN echo hi\nFROM alpine\n", 2, "before the first FROM", id="run-first"),
    pytest.param("# hi\nENV A=1\nFROM alpine\n", 2, "before the first FROM", id="env-first"),
    pytest.param("ARG A\nARG B\n", 2, "no FROM", id="only-arg"),
    pytest.param("", 1, "no instructions", id="empty"),
    pytest.param("\n  \n\n", 3, "no instructions", id="blank-lines"),
    pytest.param("# one\n# two\n", 2, "no instructions", id="only-comments"),
    pytest.param("# syntax=docker/dockerfile:1\n", 1, "no instructions", id="only-a-directive"),
    pytest.param("# escape=x\nFROM alpine\n", 1, "invalid escape", id="bad-escape"),
    pytest.param("# escape=`\n# Escape=\\\nFROM alpine\n", 2, "only one escape", id="dup-escape"),
    pytest.param(
        "# syntax=a\n# escape=`\n# syntax=b\nFROM alpine\n", 3, "only one syntax", id="dup-syntax"
    ),
    pytest.param("FROM a AS x\nRUN y\nFROM b AS X\n", 3, "duplicate stage name", id="dup-stage"),
    pytest.param("FROM a\nLABEL a=b c\n", 2, "no '=' in 'c'", id="label-pair-then-word"),
    pytest.param("FROM a\nLABEL a\n", 2, "LABEL a has no value", id="label-one-word"),
    pytest.param("FROM\n", 1, "FROM requires", id="from-nothing"),
    pytest.param("FROM --platform=linux/amd64\n", 1, "FROM requires", id="from-only-flag"),
]


@pytest.mark.parametrize("text, line, fragment", ERRORS)
def test_rejected(text: str, line: int, fragment: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse(text)
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value) == f"{line}: {info.value.message}"


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        pytest.param("LABEL maintainer Jane Doe", [("maintainer", "Jane Doe")], id="label-legacy"),
        pytest.param("ENV PATH /opt/bin:$PATH", [("PATH", "/opt/bin:$PATH")], id="env-legacy"),
        pytest.param("LABEL a=1 b=2", [("a", "1"), ("b", "2")], id="pairs"),
    ],
)
def test_legacy_key_value_forms_are_accepted_as_buildkit_does(line, pairs) -> None:
    import dockerfile

    from dockerslim_refactor.analysis.facts import env_pairs

    text = f"FROM a\nMAINTAINER Jane Doe <jane@example.com>\n{line}\n"
    dockerfile.parse_string(text)  # the oracle accepts it
    document = parse(text)
    assert document.text() == text
    assert env_pairs(document.instructions[-1]) == pairs
