"""dockerslim_refactor.shell: simple commands, flags, cwd tracking and top-level segments of RUN
bodies."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockerslim_refactor.shell import Command, parse_shell, syntax


def cmd(*args: str, name: str = "tool") -> Command:
    text = " ".join((name, *args))
    return Command(name, args, (), "/", 0, len(text), text, True)


def names(script: str) -> list[str]:
    return [c.name for c in parse_shell(script).commands]


# --------------------------------------------------------------------------------------------
# Words: names, arguments, env prefixes


@pytest.mark.parametrize(
    ("script", "name", "args", "env"),
    [
        pytest.param("ls", "ls", (), (), id="bare-command"),
        pytest.param("/usr/bin/make -j4", "/usr/bin/make", ("-j4",), (), id="path-name"),
        pytest.param(
            'echo "a b" \'c d\' e\\ f a"b"c',
            "echo",
            ("a b", "c d", "e f", "abc"),
            (),
            id="static-quotes-removed",
        ),
        pytest.param(
            'echo "x\\"y" "a\\\\b" "\\n"', "echo", ('x"y', "a\\b", "\\n"), (), id="dq-escapes"
        ),
        pytest.param("echo $'a\\tb'", "echo", ("a\tb",), (), id="ansi-c-string"),
        pytest.param(
            'echo $HOME/x "${A}b" $(nproc) `pwd`',
            "echo",
            ("$HOME/x", '"${A}b"', "$(nproc)", "`pwd`"),
            (),
            id="expansions-kept-as-written",
        ),
        pytest.param(
            "echo ~/x /var/lib/apt/lists/* {a,b}",
            "echo",
            ("~/x", "/var/lib/apt/lists/*", "{a,b}"),
            (),
            id="tilde-glob-brace-kept",
        ),
        pytest.param('"/usr/bin/my tool" x', "/usr/bin/my tool", ("x",), (), id="quoted-name"),
        pytest.param(
            "CGO_ENABLED=0 GOOS=linux go build -o /app .",
            "go",
            ("build", "-o", "/app", "."),
            (("CGO_ENABLED", "0"), ("GOOS", "linux")),
            id="env-prefixes",
        ),
        pytest.param(
            'A="x y" B= C=$(date) cmd',
            "cmd",
            (),
            (("A", "x y"), ("B", ""), ("C", "$(date)")),
            id="env-quoted-empty-expansion",
        ),
        pytest.param("FOO=1", "", (), (("FOO", "1"),), id="bare-assignment"),
        pytest.param("A=1 B='2 3'", "", (), (("A", "1"), ("B", "2 3")), id="bare-assignments"),
        pytest.param('export A="b c" D', "export", ("A=b c", "D"), (), id="export-declaration"),
        pytest.param("cmd 2>&1 arg", "cmd", ("arg",), (), id="arg-after-redirect"),
        pytest.param("2>/dev/null cmd arg", "cmd", ("arg",), (), id="leading-redirect"),
        pytest.param("echo 123 --x=1", "echo", ("123", "--x=1"), (), id="number-and-eq-flag"),
    ],
)
def test_words(script: str, name: str, args: tuple[str, ...], env: tuple) -> None:
    command = parse_shell(script).commands[0]  # substitutions inside come after it
    assert (command.name, command.args, command.env) == (name, args, env)


def test_env_value_and_basename() -> None:
    (command,) = parse_shell("CGO_ENABLED=0 /usr/local/go/bin/go build ./...").commands
    assert command.env_value("CGO_ENABLED") == "0"
    assert command.env_value("GOOS") is None
    assert command.basename == "go"
    assert command.subcommand == "build"
    assert command.positional == ("build", "./...")


# --------------------------------------------------------------------------------------------
# Which commands are found


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("   \n\t ", [], id="whitespace"),
        pytest.param("# just a comment", [], id="comment-only"),
        pytest.param("[ -f x ]", [], id="test-command-is-not-a-command"),
        pytest.param("a && b || c; d", ["a", "b", "c", "d"], id="and-or-list"),
        pytest.param("a | b |& c", ["a", "b", "c"], id="pipeline"),
        pytest.param("(cd x && make) && ls", ["cd", "make", "ls"], id="subshell"),
        pytest.param("{ a; b; } > log", ["a", "b"], id="compound-redirected"),
        pytest.param("! grep -q x f", ["grep"], id="negated"),
        pytest.param("if a; then b; elif c; then d; else e; fi", list("abcde"), id="if-elif-else"),
        pytest.param("while read l; do echo $l; done < f", ["read", "echo"], id="while"),
        pytest.param("until a; do b; done", ["a", "b"], id="until"),
        pytest.param("for i in 1 2; do x $i; done", ["x"], id="for"),
        pytest.param("for ((i=0;i<3;i++)); do x; done", ["x"], id="c-style-for"),
        pytest.param("case $x in a|b) one;; *) two;; esac", ["one", "two"], id="case-statement"),
        pytest.param("f() { inner; }; f", ["inner", "f"], id="function"),
        pytest.param("echo $(nproc) `uname -m`", ["echo", "nproc", "uname"], id="substitution"),
        pytest.param('x="$(cat f)"', ["", "cat"], id="substitution-in-assignment"),
        pytest.param("diff <(a) <(b)", ["diff", "a", "b"], id="process-substitution"),
        pytest.param(
            "for f in $(ls); do rm $f; done", ["ls", "rm"], id="substitution-in-for-values"
        ),
        pytest.param(
            "cat <<EOF > /etc/x && echo done\nline $(date)\nEOF\nls",
            ["cat", "echo", "date", "ls"],
            id="heredoc-with-and",
        ),
        pytest.param("cat <<EOF | grep x\na\nEOF", ["cat", "grep"], id="heredoc-piped"),
    ],
)
def test_commands_found_in_source_order(script: str, expected: list[str]) -> None:
    result = parse_shell(script)
    assert names(script) == expected
    assert [c.start for c in result.commands] == sorted(c.start for c in result.commands)
    for command in result.commands:
        assert command.text == script[command.start : command.end]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("a; b", [(True, False), (True, False)], id="sequence"),
        pytest.param("a || b", [(True, True), (True, False)], id="or-guards-left"),
        pytest.param("a && b || c", [(True, True), (True, True), (True, False)], id="and-then-or"),
        pytest.param("a || b && c", [(True, True), (True, False), (True, False)], id="or-then-and"),
        pytest.param("! a && b", [(True, True), (True, False)], id="negated"),
        pytest.param("a | b", [(False, False), (False, False)], id="pipeline-not-top"),
        pytest.param("a | b || c", [(False, True), (False, True), (True, False)], id="pipe-or"),
        pytest.param(
            "if a; then b; fi", [(False, True), (False, False)], id="if-condition-guarded"
        ),
        pytest.param("while a; do b; done", [(False, True), (False, False)], id="while-cond"),
        pytest.param("(a) && b", [(False, False), (True, False)], id="subshell-not-top"),
        pytest.param("echo $(a)", [(True, False), (False, False)], id="substitution-not-top"),
        pytest.param("a > f && b", [(True, False), (True, False)], id="redirected-is-top"),
        pytest.param("X=1", [(True, False)], id="assignment-is-top"),
    ],
)
def test_top_level_and_guarded(script: str, expected: list[tuple[bool, bool]]) -> None:
    commands = parse_shell(script).commands
    assert [(c.top_level, c.negated_or_guarded) for c in commands] == expected


def test_non_ascii_offsets_are_characters() -> None:
    script = 'echo "héllo wörld" && ls 💥 && cd ü && pwd'
    result = parse_shell(script)
    assert [c.text for c in result.commands] == [
        'echo "héllo wörld"',
        "ls 💥",
        "cd ü",
        "pwd",
    ]
    for command in result.commands:
        assert script[command.start : command.end] == command.text
    assert result.commands[1].start == script.index("ls")
    assert result.commands[3].cwd == "/ü"
    assert [s.start for s in result.segments] == [
        0,
        script.index("ls"),
        script.index("cd"),
        script.index("pwd"),
    ]


# --------------------------------------------------------------------------------------------
# Segments and operators


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("a | b | c", [(None, "a | b | c")], id="pipeline-not-split"),
        pytest.param("(a && b) || c", [(None, "(a && b)"), ("||", "c")], id="subshell-one"),
        pytest.param("if a; then b && c; fi", [(None, "if a; then b && c; fi")], id="if-one"),
        pytest.param(
            "a && b || c; d",
            [(None, "a"), ("&&", "b"), ("||", "c"), (";", "d")],
            id="and-or-semicolon",
        ),
        pytest.param(
            "  a  &&\tb  ;  ",
            [(None, "a"), ("&&", "b")],
            id="whitespace-stripped-trailing-semicolon",
        ),
        pytest.param("a\nb & c", [(None, "a"), ("\n", "b"), ("\n", "c")], id="newline-and-bg"),
        pytest.param("a # note\nb", [(None, "a"), ("\n", "b")], id="comment-skipped"),
        pytest.param(
            "cat <<EOF > /x && echo ok\nbody\nEOF\nls",
            [(None, "cat <<EOF > /x"), ("&&", "echo ok\nbody\nEOF"), ("\n", "ls")],
            id="heredoc-body-joins-last-segment",
        ),
    ],
)
def test_segments(script: str, expected: list[tuple[str | None, str]]) -> None:
    result = parse_shell(script)
    assert [(s.operator_before, s.text) for s in result.segments] == expected
    assert list(result.operators) == [s.operator_before for s in result.segments[1:]]
    for segment in result.segments:
        assert script[segment.start : segment.end] == segment.text


@pytest.mark.parametrize(
    ("script", "chain"),
    [
        pytest.param("a", False, id="single"),
        pytest.param("a; b", False, id="semicolon"),
        pytest.param("a && b || c", False, id="mixed"),
        pytest.param("a | b", False, id="pipeline"),
        pytest.param("a && b && c", True, id="and-chain"),
    ],
)
def test_is_and_chain(script: str, chain: bool) -> None:
    assert parse_shell(script).is_and_chain is chain


# --------------------------------------------------------------------------------------------
# cwd tracking


@pytest.mark.parametrize(
    ("script", "workdir", "expected"),
    [
        pytest.param("make", "/app", ["/app"], id="no-cd"),
        pytest.param("make", None, [None], id="unknown-workdir"),
        pytest.param("cd /src && make", "/", ["/", "/src"], id="absolute"),
        pytest.param("cd sub && make", "/app", ["/app", "/app/sub"], id="relative"),
        pytest.param(
            "cd /a/./b/../c/ && make", "/", ["/", "/a/c"], id="normalised-dot-dotdot-slash"
        ),
        pytest.param("cd .. && cd .. && x", "/a", ["/a", "/", "/"], id="dotdot-stops-at-root"),
        pytest.param(
            "cd && x; cd ~/w; y", "/app", ["/app", "/root", "/root", "/root/w"], id="home"
        ),
        pytest.param("cd sub && make", None, [None, None], id="relative-from-unknown"),
        pytest.param("cd /abs && make", None, [None, "/abs"], id="absolute-from-unknown"),
        pytest.param("cd - && make", "/app", ["/app", None], id="dash-unknown"),
        pytest.param("cd $DIR && make && cd /x && y", "/", ["/", None, None, "/x"], id="var"),
        pytest.param('cd "$(dirname f)" && make', "/", ["/", "/", None], id="substituted"),
        pytest.param("cd /opt/app-* && make", "/", ["/", None], id="glob-unknown"),
        pytest.param('cd "/my dir" && make', "/", ["/", "/my dir"], id="quoted-static"),
        pytest.param(
            "(cd x && make) && ls", "/app", ["/app", "/app/x", "/app"], id="subshell-isolated"
        ),
        pytest.param("cd x | cat; ls", "/app", ["/app", "/app", "/app"], id="pipeline-isolated"),
        pytest.param("x=$(cd /a && pwd) ls", "/w", ["/w", "/w", "/a"], id="substitution-isolated"),
        pytest.param("{ cd /a; make; }; ls", "/", ["/", "/a", "/a"], id="braces-not-isolated"),
        pytest.param("cd /a || exit 1; make", "/", ["/", "/a", "/a"], id="or-exit-guard"),
        pytest.param("test -d x || cd x; make", "/", ["/", "/", None], id="cd-in-or-branch"),
        pytest.param(
            "if [ -d a ]; then cd a; make; fi; ls", "/", ["/", "/a", None], id="cd-in-if-body"
        ),
        pytest.param("if true; then make; fi; ls", "/w", ["/w", "/w", "/w"], id="if-without-cd"),
        pytest.param(
            "if cd a; then make; else cd b; fi; ls",
            "/",
            ["/", "/a", None, None],
            id="cd-in-condition",
        ),
        pytest.param(
            "for d in a b; do (cd $d && make); done; ls",
            "/w",
            ["/w", None, "/w"],
            id="loop-with-subshell-cd",
        ),
        pytest.param(
            "for d in a b; do cd /q; make; done; ls",
            "/w",
            [None, "/q", None],
            id="loop-absolute-cd",
        ),
        pytest.param(
            "for d in a b; do make; cd q; done; ls", "/w", [None, None, None], id="loop-relative"
        ),
        pytest.param(
            "case $x in a) cd /a; make;; *) ls;; esac; pwd",
            "/",
            ["/", "/a", "/", None],
            id="case-branch",
        ),
        pytest.param("f() { cd /z; make; }; ls", "/w", [None, "/z", "/w"], id="function-body"),
        pytest.param(
            "pushd /x && make && popd && ls", "/w", ["/w", "/x", "/x", "/w"], id="pushd-popd"
        ),
    ],
)
def test_cwd(script: str, workdir: str | None, expected: list[str | None]) -> None:
    assert [c.cwd for c in parse_shell(script, workdir).commands] == expected


# --------------------------------------------------------------------------------------------
# Errors and robustness


@pytest.mark.parametrize(
    "script",
    [
        pytest.param("", id="empty"),
        pytest.param("apt-get install -y curl && rm -rf /x", id="plain"),
        pytest.param("cat <<EOF\nbody\nEOF", id="heredoc"),
        pytest.param("case $x in *) a;; esac", id="case"),
    ],
)
def test_valid_shell_has_no_errors(script: str) -> None:
    assert parse_shell(script).has_errors is False


@pytest.mark.parametrize(
    ("script", "found"),
    [
        pytest.param('echo "unterminated', ["echo"], id="unterminated-quote"),
        pytest.param("if then fi", [], id="if-then-fi"),
        pytest.param("a && (b", ["a", "b"], id="unclosed-subshell"),
        pytest.param("echo ok; )", ["echo"], id="stray-paren"),
        pytest.param("\x00\xff\udc80 ((( `", None, id="binary-junk"),
        pytest.param("'" * 10001, None, id="many-quotes"),
    ],
)
def test_broken_shell_is_reported_not_raised(script: str, found: list[str] | None) -> None:
    result = parse_shell(script)
    assert result.has_errors is True
    if found is not None:
        assert [c.name for c in result.commands] == found
    for segment in result.segments:
        assert script[segment.start : segment.end] == segment.text


def test_huge_inputs_do_not_raise() -> None:
    long_line = parse_shell("echo " + "x" * 500_000)
    assert long_line.commands[0].args == ("x" * 500_000,)
    chain = parse_shell(" && ".join(["true"] * 5000))
    assert len(chain.commands) == 5000 and chain.is_and_chain
    deep = parse_shell("( " * 5000 + "x" + " )" * 5000)  # too deep to walk: flagged, no raise
    assert deep.has_errors is True
    assert len(deep.segments) == 1
    nested = parse_shell("( " * 100 + "x" + " )" * 100)
    assert [c.name for c in nested.commands] == ["x"] and not nested.has_errors


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab $(){}|&;<>\"'`\\\n=#!*~é💥\x00"))))
def test_never_raises_and_offsets_match(script: str) -> None:
    result = parse_shell(script)
    for command in result.commands:
        assert script[command.start : command.end] == command.text
    for segment in result.segments:
        assert script[segment.start : segment.end] == segment.text
    assert len(result.operators) == max(len(result.segments) - 1, 0)


# --------------------------------------------------------------------------------------------
# set -e


@pytest.mark.parametrize(
    ("script", "set_e"),
    [
        pytest.param("set -x; make", False, id="set-x"),
        pytest.param("set +e; make", False, id="plus-e"),
        pytest.param("set -o pipefail; make", False, id="pipefail"),
        pytest.param("set -- -e", False, id="positional-after-dashdash"),
        pytest.param("echo -e x", False, id="other-command"),
        pytest.param("(set -e; make)", False, id="inside-subshell"),
        pytest.param("set -e; make", True, id="set-e"),
        pytest.param("set -eux && make", True, id="set-eux"),
        pytest.param("set -xe\nmake", True, id="set-xe"),
        pytest.param("set -euo pipefail; make", True, id="set-euo-pipefail"),
        pytest.param("set -o errexit; make", True, id="o-errexit"),
    ],
)
def test_set_e(script: str, set_e: bool) -> None:
    assert parse_shell(script).set_e is set_e


# --------------------------------------------------------------------------------------------
# Flags


@pytest.mark.parametrize(
    ("args", "names_", "present"),
    [
        pytest.param(("build", "."), ("-o",), False, id="absent"),
        pytest.param(("--output-dir", "x"), ("--output",), False, id="long-prefix-no-match"),
        pytest.param(("--", "-o"), ("-o",), False, id="after-dashdash"),
        pytest.param(("-it",), ("-x",), False, id="combined-other-letters"),
        pytest.param(("-o", "x"), ("-o",), True, id="short"),
        pytest.param(("-ofile",), ("-o",), True, id="short-attached"),
        pytest.param(("-it", "img"), ("-t",), True, id="combined-short"),
        pytest.param(("--output",), ("--output",), True, id="long"),
        pytest.param(("--output=x",), ("-o", "--output"), True, id="long-eq"),
        pytest.param(("-ldflags=-s",), ("-ldflags",), True, id="single-dash-long-eq"),
    ],
)
def test_has_flag(args: tuple[str, ...], names_: tuple[str, ...], present: bool) -> None:
    assert cmd(*args).has_flag(*names_) is present


@pytest.mark.parametrize(
    ("args", "names_", "value"),
    [
        pytest.param(("build", "."), ("-o",), None, id="absent"),
        pytest.param(("-o",), ("-o",), None, id="no-value-word"),
        pytest.param(("--", "-o", "x"), ("-o",), None, id="after-dashdash"),
        pytest.param(("-o", "out"), ("-o",), "out", id="separate-word"),
        pytest.param(("-oout",), ("-o",), "out", id="attached"),
        pytest.param(("--output=out",), ("--output",), "out", id="long-eq"),
        pytest.param(("--output", "out"), ("--output",), "out", id="long-separate"),
        pytest.param(("-xzf", "a.tgz"), ("-f",), "a.tgz", id="last-of-combined"),
        pytest.param(("-o", "a", "--output=b"), ("-o", "--output"), "b", id="last-wins"),
        pytest.param(("-o", "-o", "x"), ("-o",), "-o", id="value-looks-like-flag"),
    ],
)
def test_flag_value(args: tuple[str, ...], names_: tuple[str, ...], value: str | None) -> None:
    assert cmd(*args).flag_value(*names_) == value


def test_flags_on_parsed_command() -> None:
    (command,) = parse_shell("go build -ldflags='-s -w' -o /out/app ./cmd").commands
    assert command.flag_value("-ldflags") == "-s -w"
    assert command.flag_value("-o", "--output") == "/out/app"
    assert command.has_flag("-o")
    assert not command.has_flag("-race")


# --------------------------------------------------------------------------------------------
# Parser lifecycle


def test_parser_is_created_once() -> None:
    parse_shell("a")
    first = syntax._PARSER
    parse_shell("b")
    assert first is not None and syntax._PARSER is first


def test_import_does_not_load_tree_sitter() -> None:
    code = "import sys, dockerslim_refactor.shell; print('tree_sitter' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
