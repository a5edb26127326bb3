"""Property 6: ``parse_shell`` never raises, on arbitrary text (lone surrogates included) and on
the RUN bodies the grammar writes, and every command and segment it reports is the exact slice
``script[start:end]`` of the text it was given."""

from __future__ import annotations

import posixpath

from dockerfile_strategies import dockerfiles, shell_scripts
from hypothesis import example, given
from hypothesis import strategies as st

from dockerslim_refactor.document import DockerfileError, parse
from dockerslim_refactor.shell import ShellScript, parse_shell

OPERATORS = {"&&", "||", ";", "\n"}
WORKDIRS = st.sampled_from([None, "/", "/src", "relative/dir", "/a/../b", "//x/", "C:\\app"])
# Any code point, lone surrogates too (st.characters() leaves them out).
ANY_CHAR = st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr))
SHELLISH = st.lists(
    st.sampled_from(list("ab $(){}[]|&;<>\"'`\\\n\t=#!*~-") + ["<<EOF", "EOF\n", "cd ", "é", "💥"])
).map("".join)


def check_shell(script: str, workdir: str | None) -> ShellScript:
    result = parse_shell(script, workdir)
    assert result.text == script
    previous = (-1, 0)
    for command in result.commands:
        assert 0 <= command.start <= command.end <= len(script)
        assert command.text == script[command.start : command.end]
        assert (command.start, -command.end) >= previous
        previous = (command.start, -command.end)
        if command.cwd is not None:
            assert command.cwd.startswith("/") and posixpath.normpath(command.cwd) in (
                command.cwd,
                "/" + command.cwd.lstrip("/"),
            ), command.cwd
    end = 0
    for segment in result.segments:
        assert end <= segment.start <= segment.end <= len(script)
        assert segment.text == script[segment.start : segment.end]
        end = segment.end
    assert len(result.operators) == max(len(result.segments) - 1, 0)
    assert set(result.operators) <= OPERATORS
    return result


@given(st.text(alphabet=ANY_CHAR), WORKDIRS)
@example("\ud800 && cd \udfff && make", "/")
@example("cd é && ls 💥", "/src")
@example("echo ${\U000e0067}", "/")  # crashed tree-sitter-bash 0.25.1 before the workaround
@example("$(" * 2000, "/")
@example("cat <<EOF\n" + "x" * 100_000 + "\nEOF", "/")
def test_parse_shell_on_any_text(script: str, workdir: str | None) -> None:
    check_shell(script, workdir)


@given(st.one_of(shell_scripts(), SHELLISH), WORKDIRS)
def test_parse_shell_on_shell_like_text(script: str, workdir: str | None) -> None:
    check_shell(script, workdir)


@given(dockerfiles())
def test_parse_shell_on_the_grammar_run_bodies(text: str) -> None:
    """The RUN values and heredoc bodies the analysis hands to the shell view."""
    try:
        doc = parse(text)
    except DockerfileError:
        return
    for ins in doc.instructions:
        if ins.keyword != "RUN" or ins.is_json:
            continue
        check_shell(ins.value, "/src")
        for heredoc in ins.heredocs:
            check_shell(heredoc.body, None)
