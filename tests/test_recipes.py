"""Stage recipes (a test stage, a debug stage) and the opt-in BuildKit extras."""

from __future__ import annotations

import re

import dockerfile
import pytest

from dockerslim_refactor.document import parse
from dockerslim_refactor.options import OptionError, Options
from dockerslim_refactor.rewrite import rewrite

GO = """\
FROM golang:1.22-bookworm
RUN apt-get update && apt-get install -y git
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
EXPOSE 8080
ENTRYPOINT ["api"]
"""

NODE = """\
FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
CMD ["node", "dist/server.js"]
"""


def _stages(text: str) -> list[tuple[str, str | None]]:
    return [(s.base, s.name) for s in parse(text).stages]


# -- must not change ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [GO, NODE], ids=["go", "node"])
def test_without_options_no_recipe_stage_and_no_buildkit_syntax(text: str) -> None:
    output = rewrite(text).output
    assert output is not None
    assert [name for _, name in _stages(output)] == ["builder", None]
    assert "--mount=" not in output and "# syntax" not in output
    assert not re.search(r"--link\b(?!age)", output)


def test_buildkit_keeps_an_existing_syntax_line() -> None:
    text = "# syntax=docker/dockerfile:1.7\n" + GO
    output = rewrite(text, Options(buildkit=True)).output
    assert output is not None
    assert output.count("# syntax=") == 1
    assert output.startswith("# syntax=docker/dockerfile:1.7\n")


def test_copy_read_by_later_steps_is_not_turned_into_a_bind_mount() -> None:
    # No later `COPY . .` brings go.mod again: the files must stay in the image.
    text = GO.replace("COPY . .\n", "COPY cmd ./cmd\n")
    output = rewrite(text, Options(buildkit=True)).output
    assert output is not None
    assert "COPY go.mod go.sum ./" in output
    assert "type=bind" not in output


# -- changes ----------------------------------------------------------------------------------


def test_test_stage_is_built_from_the_builder() -> None:
    output = rewrite(GO, Options(test_stage="go test ./...")).output
    assert output is not None
    assert _stages(output) == [
        ("golang:1.22-bookworm", "builder"),
        ("builder", "test"),
        ("alpine:3.20", None),
    ]
    assert "RUN go test ./...\n" in output
    assert "--target test" in output
    dockerfile.parse_string(output)


def test_debug_stage_adds_busybox_and_keeps_the_runtime_as_default_target() -> None:
    output = rewrite(GO, Options(debug_stage=True, runtime="scratch")).output
    assert output is not None
    names = [name for _, name in _stages(output)]
    assert names == ["builder", "runtime", "debug", None]
    document = parse(output)
    assert document.stages[-1].base == "runtime"  # default target: the runtime image
    debug = document.stage_by_name("debug")
    assert debug is not None and debug.base == "runtime"
    copy = debug.all("COPY")[0]
    assert copy.flag("from") == "busybox:1.36.1-musl"
    run = debug.all("RUN")[0]
    assert run.json_args is not None  # exec form: the runtime base may have no shell
    dockerfile.parse_string(output)


def test_rewriting_a_file_with_recipe_stages_leaves_it_alone() -> None:
    output = rewrite(GO, Options(test_stage="go test ./...", debug_stage=True)).output
    assert output is not None
    assert rewrite(output).output is None


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        pytest.param(Options(stage_name="test", test_stage="make test"), "taken", id="test"),
        pytest.param(Options(stage_name="debug", debug_stage=True), "taken", id="debug"),
        pytest.param(Options(stage_name="runtime", debug_stage=True), "taken", id="runtime"),
        pytest.param(Options(stage_name="scratch"), "not 'scratch'", id="reserved"),
        pytest.param(Options(stage_name="Build"), "lower-case", id="upper-case"),
    ],
)
def test_stage_names_are_validated(options: Options, fragment: str) -> None:
    with pytest.raises(OptionError, match=fragment):
        from dockerslim_refactor.findings import analyze
        from dockerslim_refactor.plan import build_plan

        build_plan(analyze(parse(GO), options))


def test_buildkit_adds_syntax_cache_mounts_and_copy_link() -> None:
    output = rewrite(GO, Options(buildkit=True)).output
    assert output is not None
    assert output.startswith("# syntax=docker/dockerfile:1\n")
    document = parse(output)
    builder, runtime = document.stages
    runs = {r.value: r for r in builder.all("RUN")}
    apt = next(r for v, r in runs.items() if "apt-get install" in v)
    assert "--mount=type=cache,target=/var/lib/apt,sharing=locked" in apt.flags
    build = next(r for v, r in runs.items() if "go build" in v)
    assert "--mount=type=cache,target=/root/.cache/go-build" in build.flags
    # Debian images delete downloaded packages; the cache needs them kept.
    assert any("docker-clean" in r.value for r in builder.all("RUN"))
    assert all(c.flag("link") == "" for c in runtime.all("COPY"))
    dockerfile.parse_string(output)


def test_buildkit_binds_manifests_that_a_later_copy_brings_again() -> None:
    output = rewrite(GO, Options(buildkit=True)).output
    assert output is not None
    builder = parse(output).stages[0]
    download = next(r for r in builder.all("RUN") if r.value == "go mod download")
    assert "--mount=type=bind,source=go.mod,target=go.mod" in download.flags
    assert "--mount=type=bind,source=go.sum,target=go.sum" in download.flags
    assert not any(c.value == "go.mod go.sum ./" for c in builder.all("COPY"))


def test_buildkit_npm_cache_and_glob_copy_stays() -> None:
    output = rewrite(NODE, Options(buildkit=True)).output
    assert output is not None
    builder = parse(output).stages[0]
    ci = next(r for r in builder.all("RUN") if r.value == "npm ci")
    assert ci.flags == ("--mount=type=cache,target=/root/.npm",)
    # A glob cannot be a bind-mount source: the COPY stays.
    assert any(c.value == "package*.json ./" for c in builder.all("COPY"))
