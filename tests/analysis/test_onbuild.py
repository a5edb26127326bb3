"""The official ``-onbuild`` images written out: their steps and ONBUILD triggers after a FROM
of the plain image, and the rewrite of that file, with findings on the lines as written."""

from __future__ import annotations

import dockerfile
import pytest

from dockerslim_refactor.analysis.onbuild import expand, plain_image
from dockerslim_refactor.document import parse
from dockerslim_refactor.findings import analyze
from dockerslim_refactor.rewrite import rewrite


def steps(text: str) -> list[str]:
    expansion = expand(parse(text))
    assert expansion is not None
    return [f"{i.keyword} {i.value}" for i in expansion.document.stages[0].instructions]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("node:0.10-onbuild", "node:0.10"),
        ("node:onbuild", "node"),
        ("python:3.6-onbuild", "python:3.6"),
        ("docker.io/library/ruby:2.3-onbuild", "docker.io/library/ruby:2.3"),
    ],
)
def test_plain_image(text: str, plain: str) -> None:
    assert plain_image(text) == plain


def test_node_0_10_triggers_follow_the_parents_own_steps() -> None:
    assert steps("FROM node:0.10-onbuild\nEXPOSE 1880\n") == [
        "RUN mkdir -p /usr/src/app",
        "WORKDIR /usr/src/app",
        'CMD [ "npm", "start" ]',
        "COPY package.json /usr/src/app/",
        "RUN npm install",
        "COPY . /usr/src/app",
        "EXPOSE 1880",
    ]


def test_later_node_images_pass_node_env_through() -> None:
    found = steps("FROM node:8-onbuild\n")
    assert found[3:5] == ["ARG NODE_ENV", "ENV NODE_ENV $NODE_ENV"]


def test_an_entrypoint_of_the_file_drops_the_parents_command() -> None:
    # ENTRYPOINT resets an inherited CMD; written into the same stage, it would not.
    found = steps('FROM node:8-onbuild\nENTRYPOINT ["node", "cli.js"]\n')
    assert not [s for s in found if s.startswith("CMD")]


def test_python_and_ruby_triggers() -> None:
    assert "RUN pip install --no-cache-dir -r requirements.txt" in steps(
        "FROM python:3.6-onbuild\n"
    )
    ruby = steps("FROM ruby:2.3-onbuild\n")
    assert ruby[0] == "RUN bundle config --global frozen 1"
    assert ruby.index("COPY Gemfile.lock /usr/src/app/") < ruby.index("RUN bundle install")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("FROM maven:3.5-jdk-8-onbuild\n", id="not-one-it-knows"),
        pytest.param("FROM node:18\n", id="not-onbuild"),
        pytest.param("FROM example.com/node:8-onbuild\n", id="another-registry"),
        pytest.param("FROM node@sha256:" + "a" * 64 + "\n", id="digest"),
        pytest.param("ARG V=8\nFROM node:${V}-onbuild\n", id="variable"),
        pytest.param("FROM node:8 AS b\nFROM node:8-onbuild\n", id="several-stages"),
    ],
)
def test_not_written_out(text: str) -> None:
    assert expand(parse(text)) is None


def test_a_from_on_the_last_line_without_a_line_end() -> None:
    found = steps("# app\nFROM node:18-onbuild")
    assert found[0] == "RUN mkdir -p /usr/src/app" and found[-1] == "COPY . /usr/src/app"


def test_lines_map_back_to_the_file_as_written() -> None:
    expansion = expand(parse("# app\nFROM node:0.10-onbuild\nEXPOSE 1880\n"))
    assert expansion is not None
    first_added = expansion.from_line + 1
    assert expansion.original_line(1) == 1
    assert expansion.original_line(first_added) == 2
    assert expansion.original_line(expansion.from_line + expansion.added + 1) == 3


TEXT = "# The build is in the parent's triggers.\nFROM node:0.10-onbuild\nEXPOSE 1880\n"


def test_the_file_is_rewritten_with_the_triggers_written_out() -> None:
    result = rewrite(TEXT)
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)
    builder, runtime = result.output.split("\nFROM node:0.10-slim\n", 1)
    assert "FROM node:0.10 AS builder" in builder
    assert builder.index("COPY package.json /usr/src/app/") < builder.index("RUN npm install")
    assert 'CMD [ "npm", "start" ]' in runtime and "EXPOSE 1880" in runtime
    assert "# The build is in the parent's triggers." in builder
    # The analysis is the file's own (what analyze and the editor report); the notes keep
    # its lines: none past its end.
    assert result.analysis.document.text() == TEXT
    assert result.analysis.findings == analyze(parse(TEXT)).findings
    assert "writes out that image's steps" in result.plan.notes[0].message
    assert all(f.line <= 3 for f in (*result.analysis.findings, *result.plan.notes))
    assert rewrite(result.output).output is None


def test_the_finding_offers_the_rewrite_and_analysis_does_not_say_left_alone() -> None:
    analysis = analyze(parse(TEXT))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix is not None and "writes out the steps" in finding.message
    assert analysis.written_out is not None
    # maven's triggers are not written out: still no fix.
    other = analyze(parse('FROM maven:3.5-jdk-8-onbuild\nCMD ["java", "-jar", "app.jar"]\n'))
    (finding,) = [f for f in other.findings if f.code == "DSR001"]
    assert finding.fix is None and other.written_out is None


def test_golang_triggers_run_go_wrapper_and_a_command_of_the_file_replaces_the_parents() -> None:
    assert steps("FROM golang:1.6-onbuild\n") == [
        "RUN mkdir -p /go/src/app",
        "WORKDIR /go/src/app",
        'CMD ["go-wrapper", "run"]',
        "COPY . /go/src/app",
        "RUN go-wrapper download",
        "RUN go-wrapper install",
    ]
    own = steps("FROM golang:1.6-onbuild\nCMD app -addr=:8080\n")
    assert [s for s in own if s.startswith("CMD")] == ["CMD app -addr=:8080"]


GO_MAIN = 'package main // import "github.com/example/vaultd"\n\nfunc main() {}\n'


@pytest.mark.parametrize(
    ("context", "binary", "certain"),
    [
        ({"main.go": GO_MAIN}, "/go/bin/vaultd", True),  # the import comment names it
        (
            {".godir": "github.com/example/keeper\n", "main.go": "package main\n"},
            "/go/bin/keeper",
            True,
        ),
        ({"main.go": "package main\n"}, "/go/bin/app", True),  # else the folder
        (None, "/go/bin/app", False),  # sources not read: the folder's name, checked
    ],
)
def test_go_wrapper_names_the_binary_as_go_wrapper_does(context, binary, certain) -> None:
    result = rewrite("FROM golang:1.6-onbuild\n", None, context)
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)
    runtime = result.output[result.output.rindex("\nFROM ") :]
    # Sources read with no cgo: a static build; else cgo stays on, on golang:1.6's release.
    base = "alpine:3.20" if context else "debian:jessie-slim"
    assert runtime.startswith(f"\nFROM {base}\n")
    assert f"COPY --from=builder {binary} {binary}" in runtime
    assert "# Was: CMD go-wrapper run" in runtime
    assert runtime.rstrip().endswith(f'CMD ["{binary}"]')
    guessed = [n for n in result.plan.notes if "go-wrapper names the binary" in n.message]
    assert bool(guessed) is not certain
    if not certain:
        # The guess is checked: the builder stops when the file is not there.
        assert f"for p in {binary}" in result.output or f"[ -e {binary} ]" in result.output
    assert rewrite(result.output).output is None
