"""dockerslim_refactor.analysis.facts and StageFacts: WORKDIR, ENV, ARG, USER and the command
resolved once
per stage; the shell text of every RUN; the program the image runs; path resolution."""

from __future__ import annotations

from textwrap import dedent

import pytest

from dockerslim_refactor.analysis.facts import env_pairs, script_text, stage_facts
from dockerslim_refactor.analysis.model import StageFacts, expand
from dockerslim_refactor.document import parse


def facts(text: str, stage: int = -1, context_files: dict[str, str] | None = None) -> StageFacts:
    document = parse(dedent(text).lstrip("\n"))
    return stage_facts(document, document.stages[stage], context_files)


# --------------------------------------------------------------------------------------------
# WORKDIR


@pytest.mark.parametrize(
    ("body", "workdir"),
    [
        pytest.param("", "/", id="default"),
        pytest.param("WORKDIR /src\n", "/src", id="absolute"),
        pytest.param("WORKDIR /src\nWORKDIR app\n", "/src/app", id="relative"),
        pytest.param("WORKDIR /src/app\nWORKDIR ../lib\n", "/src/lib", id="dot-dot"),
        pytest.param("WORKDIR /src\nWORKDIR /opt\n", "/opt", id="absolute-resets"),
        pytest.param("ENV BASE=/srv\nWORKDIR $BASE/app\n", "/srv/app", id="env-expanded"),
        pytest.param('WORKDIR "/quoted dir"\n', "/quoted dir", id="quoted"),
        pytest.param("WORKDIR /src/\n", "/src", id="trailing-slash"),
    ],
)
def test_workdir(body: str, workdir: str) -> None:
    assert facts(f"FROM debian:bookworm\n{body}").workdir == workdir


def test_golang_image_starts_in_go() -> None:
    assert facts("FROM golang:1.22\n").workdir == "/go"


def test_each_run_sees_the_workdir_in_effect() -> None:
    stage = facts("""
        FROM debian:bookworm
        RUN a
        WORKDIR /src
        RUN b
        WORKDIR sub
        RUN c
        """)
    assert [s.workdir for s in stage.steps] == ["/", "/src", "/src/sub"]


# --------------------------------------------------------------------------------------------
# ENV and ARG


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("ENV A=1\n", {"A": "1"}, id="key-value"),
        pytest.param('ENV A=1 B="two words"\n', {"A": "1", "B": "two words"}, id="several"),
        pytest.param(
            "ENV LEGACY value with spaces\n", {"LEGACY": "value with spaces"}, id="legacy-syntax"
        ),
        pytest.param("ENV A=1\nENV B=$A-x\n", {"A": "1", "B": "1-x"}, id="expands-earlier-env"),
        pytest.param("ENV A=1\nENV C ${A}/bin\n", {"C": "1/bin"}, id="legacy-expands"),
        pytest.param("ENV A=1\nENV A=2\n", {"A": "2"}, id="last-wins"),
        pytest.param(
            "ENV P=/x:$PATH\n",
            {"P": "/x:/usr/local/sbin:/usr/local/bin:/usr/sbin:" "/usr/bin:/sbin:/bin"},
            id="path-from-default",
        ),
    ],
)
def test_env(body: str, expected: dict[str, str]) -> None:
    env = facts(f"FROM debian:bookworm\n{body}").env
    assert {key: env.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        pytest.param("FROM debian:bookworm\nARG V=1\n", {"V": "1"}, (), id="stage-arg-default"),
        pytest.param("FROM debian:bookworm\nARG V\n", {}, ("V",), id="arg-without-default"),
        pytest.param("FROM debian:bookworm\nARG V=\n", {}, ("V",), id="arg-empty-default"),
        pytest.param(
            "ARG V=1.0\nFROM debian:bookworm\nARG V\n", {"V": "1.0"}, (), id="global-default"
        ),
        pytest.param("ARG V=1.0\nFROM debian:bookworm\n", {}, ("V",), id="global-not-redeclared"),
        pytest.param(
            "ARG V\nFROM debian:bookworm\nARG V\n", {}, ("V",), id="global-without-default"
        ),
        pytest.param(
            "ARG V=1.0\nFROM debian:bookworm\nARG V=2.0\n",
            {"V": "2.0"},
            (),
            id="stage-default-wins",
        ),
        pytest.param(
            "FROM debian:bookworm\nENV V=env\nARG V=arg\n", {"V": "env"}, (), id="env-beats-arg"
        ),
    ],
)
def test_args(text: str, present: dict[str, str], absent: tuple[str, ...]) -> None:
    env = facts(text).env
    assert {key: env.get(key) for key in present} == present
    assert [key for key in absent if key in env] == []


def test_global_arg_expands_the_base_image() -> None:
    stage = facts("ARG GO=1.22\nFROM golang:${GO}-alpine\n")
    assert stage.image.text == "golang:1.22-alpine"
    assert stage.info.ecosystem == "go"
    assert stage.info.libc == "musl"


def test_global_arg_without_default_leaves_the_base_unexpanded() -> None:
    stage = facts("ARG GO\nFROM golang:${GO}\n")
    assert stage.image.has_variables


def test_base_image_environment() -> None:
    env = facts("FROM golang:1.22\n").env
    assert env["GOPATH"] == "/go"
    assert env["PATH"].startswith("/go/bin:")


def test_env_is_what_each_run_sees() -> None:
    stage = facts("FROM debian:bookworm\nENV A=1\nRUN x\nENV A=2\nRUN y\n")
    assert [s.env["A"] for s in stage.steps] == ["1", "2"]


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        pytest.param("ENV A=1 B=2", [("A", "1"), ("B", "2")], id="env"),
        pytest.param("ENV A 1 2", [("A", "1 2")], id="env-legacy"),
        pytest.param("ARG A", [("A", "")], id="arg-bare"),
        pytest.param('LABEL "a.b"="x y"', [("a.b", "x y")], id="label-quoted"),
    ],
)
def test_env_pairs(line: str, pairs: list[tuple[str, str]]) -> None:
    document = parse(f"FROM debian:bookworm\n{line}\n")
    assert env_pairs(document.stages[0].instructions[0]) == pairs


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        pytest.param("$A/${B}", "1/2", id="plain-and-braced"),
        pytest.param("${MISSING:-dflt}", "dflt", id="default-when-unset"),
        pytest.param("${E:-dflt}", "dflt", id="default-when-empty"),
        pytest.param("${E-dflt}", "", id="dash-keeps-empty"),
        pytest.param("${A:+alt}", "alt", id="alternative"),
        pytest.param("${MISSING:+alt}", "", id="alternative-unset"),
        pytest.param("$MISSING", "$MISSING", id="unknown-left-as-written"),
    ],
)
def test_expand(text: str, expanded: str) -> None:
    assert expand(text, {"A": "1", "B": "2", "E": ""}) == expanded


# --------------------------------------------------------------------------------------------
# FROM ${STAGE} and FROM <stage>


PARENT = "FROM golang:1.22 AS base\nENV GOFLAGS=-mod=vendor\nWORKDIR /src\nUSER builder\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(PARENT + "FROM base\nRUN go build -o /app .\n", id="by-name"),
        pytest.param(
            "ARG STAGE=base\n" + PARENT + "FROM ${STAGE}\nRUN go build -o /app .\n",
            id="by-global-arg",
        ),
    ],
)
def test_stage_inherits_its_parent(text: str) -> None:
    stage = facts(text)
    assert stage.env["GOFLAGS"] == "-mod=vendor"
    assert stage.env["GOPATH"] == "/go"
    assert stage.workdir == "/src"
    assert stage.steps[0].workdir == "/src"
    assert stage.user == "builder"
    assert stage.image.text == "golang:1.22"
    assert stage.info.ecosystem == "go"


# --------------------------------------------------------------------------------------------
# USER, ENTRYPOINT, CMD, program, executable


@pytest.mark.parametrize(
    ("body", "user"),
    [
        pytest.param("", None, id="none"),
        pytest.param("USER app\n", "app", id="name"),
        pytest.param("USER 1000:1000\n", "1000:1000", id="uid-gid"),
        pytest.param("USER app\nUSER root\n", "root", id="last-wins"),
        pytest.param("ARG U=svc\nUSER $U\n", "svc", id="expanded"),
    ],
)
def test_user(body: str, user: str | None) -> None:
    assert facts(f"FROM debian:bookworm\n{body}").user == user


@pytest.mark.parametrize(
    ("body", "program", "executable"),
    [
        pytest.param("", (), None, id="nothing"),
        pytest.param('CMD ["app", "--serve"]\n', ("app", "--serve"), "app", id="cmd-exec"),
        pytest.param("CMD app --serve\n", ("/bin/sh", "-c", "app --serve"), "app", id="cmd-shell"),
        pytest.param(
            'ENTRYPOINT ["/bin/app"]\nCMD ["--help"]\n',
            ("/bin/app", "--help"),
            "/bin/app",
            id="entrypoint-and-cmd",
        ),
        pytest.param(
            'CMD ["a"]\nENTRYPOINT ["b"]\n', ("b",), "b", id="entrypoint-resets-earlier-cmd"
        ),
        pytest.param(
            'ENTRYPOINT b --flag\nCMD ["ignored"]\n',
            ("/bin/sh", "-c", "b --flag"),
            "b",
            id="shell-entrypoint-ignores-cmd",
        ),
        pytest.param(
            "CMD exec /usr/bin/app --serve\n",
            ("/bin/sh", "-c", "exec /usr/bin/app --serve"),
            "/usr/bin/app",
            id="shell-exec",
        ),
        pytest.param(
            'CMD ["sh", "-c", "FOO=1 exec ./app"]\n',
            ("sh", "-c", "FOO=1 exec ./app"),
            "./app",
            id="exec-sh-c-with-env",
        ),
        pytest.param('CMD ["a"]\nCMD ["b"]\n', ("b",), "b", id="last-cmd-wins"),
        pytest.param(
            "ENTRYPOINT env TLS=btls /opt/mono/bin/mono app.exe\n",
            ("/bin/sh", "-c", "env TLS=btls /opt/mono/bin/mono app.exe"),
            "/opt/mono/bin/mono",
            id="shell-env-assignments",
        ),
        pytest.param(
            'CMD ["/usr/bin/env", "-i", "-u", "HOME", "A=1", "./app", "B=2"]\n',
            ("/usr/bin/env", "-i", "-u", "HOME", "A=1", "./app", "B=2"),
            "./app",
            id="exec-env-flags",
        ),
        pytest.param('CMD ["env"]\n', ("env",), "env", id="env-alone-prints-it"),
    ],
)
def test_program_and_executable(
    body: str, program: tuple[str, ...], executable: str | None
) -> None:
    stage = facts(f"FROM debian:bookworm\n{body}")
    assert (stage.program, stage.executable) == (program, executable)


def test_entrypoint_in_a_later_stage_resets_the_parent_cmd() -> None:
    stage = facts('FROM debian:bookworm AS base\nCMD ["old"]\nFROM base\nENTRYPOINT ["new"]\n')
    assert stage.program == ("new",)


# --------------------------------------------------------------------------------------------
# RUN scripts


@pytest.mark.parametrize(
    ("run", "commands"),
    [
        pytest.param(
            "RUN <<SCRIPT\ncd cmd/api\ngo build -o /out/api .\nSCRIPT",
            [("cd", "/src"), ("go", "/src/cmd/api")],
            id="heredoc-script",
        ),
        pytest.param(
            'RUN ["sh", "-c", "cd sub && make install PREFIX=/opt"]',
            [("cd", "/src"), ("make", "/src/sub")],
            id="exec-form-sh-c",
        ),
        pytest.param('RUN ["make", "all"]', [("make", "/src")], id="exec-form-direct"),
        pytest.param(
            "RUN cd /tmp \\\n && make",
            [("cd", "/src"), ("make", "/tmp")],
            id="continuation",
        ),
    ],
)
def test_run_scripts(run: str, commands: list[tuple[str, str]]) -> None:
    stage = facts(f"FROM debian:bookworm\nWORKDIR /src\n{run}\n")
    (step,) = stage.steps
    assert [(c.basename, c.cwd) for c in step.script.commands] == commands


@pytest.mark.parametrize("shell", ["bash", "sh", "/bin/sh -e"])
def test_heredoc_fed_to_a_shell_is_the_script(shell: str) -> None:
    stage = facts(
        f"FROM golang:1.22\nWORKDIR /src\nRUN {shell} <<SCRIPT\ngo build -o /out/app .\nSCRIPT\n"
    )
    (step,) = stage.steps
    assert "go" in [c.basename for c in step.script.commands]


def test_heredoc_script_text_is_the_body() -> None:
    document = parse("FROM debian:bookworm\nRUN <<SCRIPT\necho one\necho two\nSCRIPT\n")
    assert script_text(document.stages[0].instructions[0]).split() == [
        "echo",
        "one",
        "echo",
        "two",
    ]


def test_dockerfile_variables_expand_but_shell_variables_stay() -> None:
    stage = facts("FROM golang:1.22\nARG OUT=/out\nRUN go build -o $OUT/app . && echo $HOME\n")
    go, echo = stage.steps[0].script.commands
    assert go.flag_value("-o") == "/out/app"
    assert echo.args == ("$HOME",)


# --------------------------------------------------------------------------------------------
# resolve, which


@pytest.mark.parametrize(
    ("path", "cwd", "resolved"),
    [
        pytest.param("bin/app", None, "/src/bin/app", id="relative-to-workdir"),
        pytest.param("./app", None, "/src/app", id="dot-slash"),
        pytest.param("/x/../y", None, "/y", id="normalised"),
        pytest.param("~/.local", None, "/root/.local", id="home"),
        pytest.param("$GOPATH/bin/x", None, "/go/bin/x", id="env-expanded"),
        pytest.param("b", "/c", "/c/b", id="explicit-cwd"),
    ],
)
def test_resolve(path: str, cwd: str | None, resolved: str) -> None:
    stage = facts("FROM golang:1.22\nWORKDIR /src\n")
    assert stage.resolve(path, cwd) == resolved


def test_which() -> None:
    stage = facts("FROM golang:1.22\nWORKDIR /src\nENV PATH=/opt/bin:/usr/bin\n")
    assert stage.which("app") == ("/opt/bin/app", "/usr/bin/app")
    assert stage.which("./app") == ("/src/app",)
    assert stage.which("/abs/app") == ("/abs/app",)
    assert stage.path_dirs == ("/opt/bin", "/usr/bin")


def test_context_files_are_kept() -> None:
    stage = facts("FROM golang:1.22\n", context_files={"main.go": "package main\n"})
    assert stage.context_files == {"main.go": "package main\n"}
    assert facts("FROM golang:1.22\n").context_files == {}


@pytest.mark.parametrize(
    ("entrypoint", "program"),
    [
        ('["/usr/bin/sudo", "bin/masscan"]', "bin/masscan"),
        ('["sudo", "-u", "scan", "-E", "bin/masscan"]', "bin/masscan"),
        ('["tini", "--", "/srv/app"]', "/srv/app"),
        ('["gosu", "app", "/srv/app"]', "/srv/app"),
        ('["su-exec", "app:app", "/srv/app"]', "/srv/app"),
        ('["/srv/app"]', "/srv/app"),
    ],
)
def test_the_program_is_what_an_init_or_a_user_switch_starts(entrypoint, program) -> None:
    document = parse(f"FROM debian:bookworm\nENTRYPOINT {entrypoint}\n")
    assert stage_facts(document, document.stages[-1], None).executable == program
