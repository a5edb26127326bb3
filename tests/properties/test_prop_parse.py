"""Property 1: ``parse`` either refuses the input with a ``DockerfileError`` on a line of the
file, or gives back a document whose ``text()`` is the input, exactly. With it: instruction
spans are the exact source and do not overlap, and BuildKit's parser agrees (it sees the same
instructions on the same lines, and what it refuses we refuse)."""

from __future__ import annotations

from buildkit_oracle import OracleCannotTell, buildkit_error, buildkit_spans
from dockerfile_strategies import LONG_LINE, SAMPLES, any_dockerfile_text, dockerfiles
from hypothesis import example, given, reject
from hypothesis import strategies as st

from dockerslim_refactor.document import DockerfileError, Document, parse


def line_count(text: str) -> int:
    """Lines as Docker counts them: only ``\\n`` ends a line; at least one."""
    body = text[1:] if text.startswith("\ufeff") else text
    return max(1, body.count("\n") + (0 if body.endswith("\n") or not body else 1))


def check_parse(text: str) -> Document | None:
    """Property 1 on ``text``: the document, or None when it is refused the documented way."""
    try:
        doc = parse(text)
    except DockerfileError as err:
        assert 1 <= err.line <= line_count(text), (err.line, line_count(text), str(err))
        assert err.message and "\n" not in err.message, repr(err.message)
        assert str(err) == f"{err.line}: {err.message}"
        return None
    assert doc.text() == text
    previous_end = 0
    for ins in doc.instructions:
        assert previous_end < ins.start_line <= ins.end_line <= len(doc.lines)
        assert ins.raw == doc.source(ins.start_line, ins.end_line)
        previous_end = ins.end_line
    return doc


@given(any_dockerfile_text())
@example("FROM alpine\nRUN echo " + "a" * LONG_LINE + "\n")
@example("\ufeff")
@example("\r\n\r\n")
@example("FROM alpine\rRUN echo hi\r")
@example("FROM alpine\nRUN <<EOF\n")
@example("FROM alpine\n\\\n")
@example("# escape=`\nFROM alpine\nRUN echo \\\n  hi\n")
@example(SAMPLES["heredoc-go.before.Dockerfile"].replace("\n", "\r\n"))
def test_parse_is_lossless_or_refuses_with_a_line(text: str) -> None:
    check_parse(text)


@given(st.text())
def test_parse_of_arbitrary_unicode(text: str) -> None:
    check_parse(text)


# -- agreement with BuildKit -------------------------------------------------------------------


@given(dockerfiles())
def test_grammar_files_parse_like_buildkit(text: str) -> None:
    """The grammar only writes valid Dockerfiles: both parsers accept them and see the same
    instructions on the same lines."""
    doc = check_parse(text)
    assert doc is not None, "a grammar file was refused"
    ours = [(i.keyword, i.start_line, i.end_line) for i in doc.instructions]
    assert ours == buildkit_spans(text, doc)


@given(any_dockerfile_text())
@example("FROM alpine\nRUN <<EOF<<EOF\nEOF\n")
@example("FROM alpine\nRUN cat <<'A B'\nhi\nA B\n")
@example("FROM alpine\nRUN echo don\\'t <<EOT\nhi\nEOT\n")
@example("FROM alpine\nRUN cat <<EOT 'x\nhi\nEOT\n")
@example("FROM alpine\nENV A=1 B\n")
@example("FROM alpine\n# " + "a" * 65534 + "\n")
def test_parse_agrees_with_buildkit(text: str) -> None:
    """What BuildKit's parser refuses we refuse; where both accept, the instructions match. We
    refuse more (unknown instructions, FROM syntax, stage names, instructions before FROM):
    BuildKit checks those after parsing."""
    doc = check_parse(text)
    try:
        error = buildkit_error(text)
        if error is not None:
            assert doc is None, f"BuildKit refuses what we accept: {error}"
            return
        if doc is None:
            return
        ours = [(i.keyword, i.start_line, i.end_line) for i in doc.instructions]
        theirs = buildkit_spans(text, doc)
    except OracleCannotTell:
        reject()
    assert ours == theirs
