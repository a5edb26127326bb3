"""dockerslim_refactor.plan: the runtime base chosen for what the program needs, && chains split
into
builder steps, the runtime USER, and what the runtime stage carries over."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from dockerslim_refactor.analysis.model import Analysis
from dockerslim_refactor.document import parse
from dockerslim_refactor.findings import analyze
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import (
    PlanError,
    RuntimeBase,
    StagePlan,
    build_plan,
    choose_runtime,
    runtime_needs,
    split_chain,
)
from dockerslim_refactor.rewrite import rewrite

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def analysis(text: str, options: Options | None = None) -> Analysis:
    return analyze(parse(dedent(text).lstrip("\n")), options or Options())


def plan(text: str, options: Options | None = None) -> StagePlan:
    return build_plan(analysis(text, options))


def output(text: str, options: Options | None = None) -> str:
    result = rewrite(dedent(text).lstrip("\n"), options)
    assert result.output is not None, result.reason
    return result.output


def go_program(
    cmd: str = '["app"]', healthcheck: str | None = None, image: str = "golang:1.22-bookworm"
) -> str:
    """A static Go build of /usr/local/bin/app with the given command and health check."""
    text = f"FROM {image}\nWORKDIR /src\nCOPY . .\n"
    text += "RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\n"
    if healthcheck:
        text += f"HEALTHCHECK {healthcheck}\n"
    return text + f"CMD {cmd}\n"


def runtime_for(
    linkage: str,
    *,
    cmd: str = '["app"]',
    healthcheck: str | None = None,
    packages: tuple[str, ...] = (),
    ca: bool = False,
    options: Options | None = None,
    image: str = "golang:1.22-bookworm",
) -> tuple[RuntimeBase, list[str]]:
    """The runtime chosen for a program of ``linkage`` with the given needs; note messages."""
    options = options or Options()
    found = analysis(go_program(cmd, healthcheck, image), options)
    assert found.build is not None
    build = replace(
        found.build, linkage=linkage, runtime_packages=packages, needs_ca_certificates=ca
    )
    runtime, notes = choose_runtime(found.facts, build, options)
    assert all(n.code == "DSR100" for n in notes)
    return runtime, [n.message for n in notes]


SHELL_CMD = "app --serve"
CURL_SHELL = "CMD curl -f http://localhost:8080/ || exit 1"
CURL_EXEC = 'CMD ["curl", "-f", "http://localhost:8080/"]'
WGET_SHELL = "CMD wget -q -O- http://localhost:8080/ || exit 1"
DISTROLESS_STATIC = "gcr.io/distroless/static-debian12"
DISTROLESS_CC = "gcr.io/distroless/cc-debian12"
SLIM = "debian:bookworm-slim"


# --------------------------------------------------------------------------------------------
# The runtime base


@pytest.mark.parametrize(
    ("cmd", "healthcheck", "shell", "tools"),
    [
        pytest.param('["app"]', None, False, (), id="exec-form"),
        pytest.param("app --serve", None, True, (), id="shell-form"),
        pytest.param('["sh", "-c", "exec app"]', None, True, (), id="exec-form-sh-c"),
        pytest.param('["app"]', 'CMD ["app", "-health"]', False, (), id="health-runs-the-program"),
        pytest.param('["app"]', CURL_EXEC, False, ("curl",), id="health-exec-curl"),
        pytest.param('["app"]', CURL_SHELL, True, ("curl",), id="health-shell-curl"),
        pytest.param('["app"]', "NONE", False, (), id="health-none"),
        pytest.param(
            '["app"]',
            "--interval=30s CMD wget -q -O- http://x/",
            True,
            ("wget",),
            id="health-with-options",
        ),
    ],
)
def test_runtime_needs(
    cmd: str, healthcheck: str | None, shell: bool, tools: tuple[str, ...]
) -> None:
    found = analysis(go_program(cmd, healthcheck))
    assert found.build is not None
    needs = runtime_needs(found.facts, found.build)
    assert (needs.shell, needs.tools) == (shell, tools)


@pytest.mark.parametrize(
    ("linkage", "needs", "runtime", "image", "note"),
    [
        # static programs
        pytest.param("static", {}, "auto", "alpine:3.20", None, id="static-auto"),
        pytest.param("static", {"ca": True}, "auto", "alpine:3.20", None, id="static-ca"),
        pytest.param(
            "static", {"cmd": SHELL_CMD}, "auto", "alpine:3.20", None, id="static-shell-form"
        ),
        pytest.param(
            "static",
            {"packages": ("libpq5",)},
            "auto",
            SLIM,
            "needs libpq5, installable only on Debian",
            id="static-packages",
        ),
        pytest.param("static", {}, "scratch", "scratch", None, id="static-scratch"),
        pytest.param("static", {"ca": True}, "scratch", "scratch", None, id="static-scratch-ca"),
        pytest.param(
            "static",
            {"cmd": SHELL_CMD},
            "scratch",
            "busybox:1.36.1",
            "needs /bin/sh, which scratch does not have",
            id="static-scratch-shell",
        ),
        pytest.param(
            "static",
            {"healthcheck": CURL_EXEC},
            "scratch",
            "alpine:3.20",
            "uses curl, which scratch does not have",
            id="static-scratch-curl",
        ),
        pytest.param("static", {}, "busybox", "busybox:1.36.1", None, id="static-busybox"),
        pytest.param(
            "static",
            {"healthcheck": WGET_SHELL},
            "busybox",
            "busybox:1.36.1",
            None,
            id="static-busybox-wget",
        ),
        pytest.param(
            "static",
            {"healthcheck": CURL_SHELL},
            "busybox",
            "alpine:3.20",
            "uses curl, which busybox does not have",
            id="static-busybox-curl",
        ),
        pytest.param("static", {}, "distroless", DISTROLESS_STATIC, None, id="static-distroless"),
        pytest.param(
            "static",
            {"cmd": SHELL_CMD},
            "distroless",
            "busybox:1.36.1",
            "needs /bin/sh, which distroless does not have",
            id="static-distroless-shell",
        ),
        pytest.param("static", {}, "slim", SLIM, None, id="static-slim"),
        pytest.param("static", {}, "alpine", "alpine:3.20", None, id="static-alpine"),
        pytest.param(
            "static",
            {"packages": ("libpq5",)},
            "alpine",
            SLIM,
            "instead of alpine: the program needs libpq5",
            id="static-alpine-packages",
        ),
        # glibc programs
        pytest.param("glibc", {}, "auto", DISTROLESS_CC, None, id="glibc-auto"),
        pytest.param("glibc", {"ca": True}, "auto", DISTROLESS_CC, None, id="glibc-ca"),
        pytest.param(
            "glibc",
            {"cmd": SHELL_CMD},
            "auto",
            SLIM,
            "needs /bin/sh, which distroless does not have",
            id="glibc-shell-form",
        ),
        pytest.param(
            "glibc",
            {"packages": ("libssl3",)},
            "auto",
            SLIM,
            "needs libssl3, installable only on Debian",
            id="glibc-packages",
        ),
        pytest.param(
            "glibc",
            {"healthcheck": CURL_SHELL},
            "auto",
            SLIM,
            "needs /bin/sh",
            id="glibc-curl-healthcheck",
        ),
        pytest.param(
            "glibc",
            {},
            "alpine",
            DISTROLESS_CC,
            "links glibc, which alpine does not have",
            id="glibc-alpine",
        ),
        pytest.param(
            "glibc",
            {},
            "busybox",
            DISTROLESS_CC,
            "links glibc, which busybox does not have",
            id="glibc-busybox",
        ),
        pytest.param(
            "glibc",
            {},
            "scratch",
            DISTROLESS_CC,
            "links glibc, which scratch does not have",
            id="glibc-scratch",
        ),
        pytest.param(
            "glibc",
            {"cmd": SHELL_CMD},
            "scratch",
            SLIM,
            "links glibc, which scratch does not have",
            id="glibc-scratch-shell",
        ),
        pytest.param("glibc", {}, "distroless", DISTROLESS_CC, None, id="glibc-distroless"),
        pytest.param("glibc", {}, "slim", SLIM, None, id="glibc-slim"),
        # musl programs
    ],
)
def test_runtime_choice(
    linkage: str, needs: dict[str, Any], runtime: str, image: str, note: str | None
) -> None:
    chosen, notes = runtime_for(linkage, options=Options(runtime=runtime), **needs)
    assert chosen.image == image
    if note is None:
        assert notes == []
    else:
        assert len(notes) == 1 and note in notes[0]


@pytest.mark.parametrize("runtime", ["auto", "alpine", "busybox", "scratch", "distroless", "slim"])
@pytest.mark.parametrize(
    "needs",
    [
        pytest.param({}, id="exec-form"),
        pytest.param({"cmd": SHELL_CMD}, id="shell-form"),
        pytest.param({"ca": True}, id="ca"),
        pytest.param({"healthcheck": CURL_EXEC}, id="curl"),
    ],
)
def test_glibc_never_on_a_base_without_glibc(runtime: str, needs: dict[str, Any]) -> None:
    chosen, _ = runtime_for("glibc", options=Options(runtime=runtime), **needs)
    assert chosen.family not in {"alpine", "busybox", "scratch"}
    assert chosen.image.split(":")[0] not in {"alpine", "busybox", "scratch"}


@pytest.mark.parametrize("runtime", ["auto", "alpine", "busybox", "scratch", "distroless", "slim"])
@pytest.mark.parametrize("linkage", ["static", "glibc"])
@pytest.mark.parametrize(
    "needs",
    [
        pytest.param({"cmd": SHELL_CMD}, id="shell-form-cmd"),
        pytest.param({"healthcheck": CURL_SHELL}, id="shell-form-healthcheck"),
        pytest.param({"cmd": '["sh", "-c", "exec app"]'}, id="exec-form-sh"),
    ],
)
def test_shell_needed_never_on_scratch_or_distroless(
    runtime: str, linkage: str, needs: dict[str, Any]
) -> None:
    chosen, _ = runtime_for(linkage, options=Options(runtime=runtime), **needs)
    assert chosen.family not in {"scratch", "distroless"}
    assert chosen.has_shell


def test_builder_release_decides_the_debian_runtime() -> None:
    chosen, _ = runtime_for("glibc", image="golang:1.22-bullseye")
    assert chosen.image == "gcr.io/distroless/cc-debian11"
    chosen, _ = runtime_for("glibc", cmd=SHELL_CMD, image="golang:1.22-bullseye")
    assert chosen.image == "debian:bullseye-slim"


def test_glibc_program_from_a_newer_ubuntu_is_not_put_on_an_older_glibc() -> None:
    found = analysis("""
        FROM ubuntu:24.04
        RUN apt-get update && apt-get install -y gcc
        WORKDIR /src
        COPY . .
        RUN gcc -O2 -o /usr/local/bin/app main.c
        CMD ["app"]
        """)
    assert found.build is not None and found.build.linkage == "glibc"
    chosen, _ = choose_runtime(found.facts, found.build, Options())
    assert chosen.image in {
        "ubuntu:24.04",
        "gcr.io/distroless/cc-debian13",
        "debian:trixie-slim",
    }


def test_ubuntu_builder_with_shell_keeps_its_release() -> None:
    found = analysis("""
        FROM ubuntu:22.04
        RUN apt-get update && apt-get install -y gcc
        RUN gcc -O2 -o /usr/local/bin/app main.c
        CMD app --serve
        """)
    assert found.build is not None
    chosen, _ = choose_runtime(found.facts, found.build, Options())
    assert chosen.image == "ubuntu:22.04"


def test_runtime_image_option_wins() -> None:
    chosen, notes = runtime_for(
        "glibc",
        cmd=SHELL_CMD,
        options=Options(runtime="scratch", runtime_image="registry.example.com/base:1"),
    )
    assert (chosen.image, chosen.family, chosen.reason) == (
        "registry.example.com/base:1",
        "custom",
        "named with --runtime-image",
    )
    assert notes == []


def test_runtime_image_option_wins_in_the_plan() -> None:
    built = plan(go_program(), Options(runtime_image="gcr.io/distroless/static-debian12:nonroot"))
    assert built.runtime.image == "gcr.io/distroless/static-debian12:nonroot"


@pytest.mark.parametrize(
    ("runtime", "note"),
    [
        pytest.param("auto", None, id="auto"),
        pytest.param("slim", None, id="slim"),
        pytest.param("alpine", "keeps its interpreter image (python:3.12-slim)", id="alpine"),
        pytest.param("scratch", "--runtime scratch applies to native programs", id="scratch"),
    ],
)
def test_interpreter_keeps_its_image(runtime: str, note: str | None) -> None:
    built = plan(
        """
        FROM python:3.12
        WORKDIR /app
        COPY . .
        RUN pip install -r requirements.txt
        CMD ["python", "app.py"]
        """,
        Options(runtime=runtime),
    )
    assert (built.runtime.image, built.runtime.family) == ("python:3.12-slim", "interpreter")
    messages = [n.message for n in built.notes if n.code == "DSR100"]
    if note is None:
        assert messages == []
    else:
        assert len(messages) == 1 and note in messages[0]


@pytest.mark.parametrize(
    ("image", "runtime"),
    [
        pytest.param("golang:1.22-alpine3.19", "alpine:3.19", id="alpine-release-kept"),
        pytest.param("alpine:3.14", "alpine:3.14", id="alpine-builder-is-its-own-runtime"),
    ],
)
def test_musl_builder_runs_on_alpine_of_the_same_version(image: str, runtime: str) -> None:
    built = plan(
        f"FROM {image}\nWORKDIR /src\n"
        "RUN apk add gcc musl-dev && CGO_ENABLED=1 go build -o /usr/local/bin/app .\n"
        'CMD ["app"]\n'
    )
    assert built.build.linkage == "musl"
    assert (built.runtime.image, built.runtime.family) == (runtime, "alpine")


def test_musl_program_says_why_the_runtime_preference_is_not_used() -> None:
    built = plan(
        "FROM golang:1.22-alpine3.19\nWORKDIR /src\n"
        "RUN apk add gcc musl-dev && CGO_ENABLED=1 go build -o /usr/local/bin/app .\n"
        'CMD ["app"]\n',
        Options(runtime="distroless"),
    )
    assert built.runtime.family == "alpine"
    assert any("musl" in n.message for n in built.notes if n.flag == "--runtime")


def test_musl_program_on_an_unnamed_alpine_release_is_refused() -> None:
    # golang:1.22-alpine is some alpine release: a runtime of another release has other
    # libraries, so the rewrite names the flag instead of guessing.
    with pytest.raises(PlanError, match="--runtime-image"):
        plan(
            "FROM golang:1.22-alpine\nWORKDIR /src\n"
            "RUN apk add gcc musl-dev && CGO_ENABLED=1 go build -o /usr/local/bin/app .\n"
            'CMD ["app"]\n'
        )


@pytest.mark.parametrize("image", ["node:6.11-alpine", "python:3.9-alpine", "acme/alpine-base"])
def test_musl_program_on_an_unnamed_alpine_runtime_image_runs_on_that_image(image: str) -> None:
    # No compilers in the image: the builder's own image is the runtime, whose libraries are
    # the builder's whatever alpine release it is.
    built = plan(
        f"FROM {image}\nRUN apk add build-base\nCOPY . /src\n"
        "RUN cd /src && ./build.sh && cp greet /usr/local/bin/ && apk del build-base\n"
        'CMD ["greet"]\n',
        Options(linkage="dynamic"),
    )
    assert built.runtime.image == image
    assert built.runtime.family == "same"


def test_no_base_can_run_it() -> None:
    # A glibc program whose health check runs a tool no glibc base has or installs.
    with pytest.raises(PlanError, match="no runtime base can run the program"):
        runtime_for("glibc", healthcheck='CMD ["jq", "--version"]')


# --------------------------------------------------------------------------------------------
# Runtime setup: packages, CA certificates, tools


@pytest.mark.parametrize(
    ("text", "options", "setup", "copies"),
    [
        pytest.param(
            go_program(healthcheck=CURL_SHELL),
            Options(runtime="slim"),
            [
                "for p in curl $(cat /tmp/dslim/packages); do",
                "apt-get install -y --no-install-recommends",
            ],
            [],
            id="slim-installs-curl-and-ca",
        ),
        pytest.param(
            go_program(healthcheck=CURL_SHELL),
            Options(),
            ["set -- curl ca-certificates $(cat /tmp/dslim/tools)", 'apk add --no-cache "$@"'],
            [],
            id="alpine-installs-curl-and-ca",
        ),
        pytest.param(
            go_program(),
            Options(runtime="scratch"),
            [],
            ["/etc/ssl/certs/ca-certificates.crt"],
            id="scratch-copies-the-ca-bundle",
        ),
        pytest.param(
            go_program(),
            Options(runtime="busybox"),
            [],
            ["/etc/ssl/certs/ca-certificates.crt"],
            id="busybox-copies-the-ca-bundle",
        ),
        pytest.param(
            go_program(),
            Options(runtime="distroless"),
            [],
            [],
            id="distroless-has-ca",
        ),
        pytest.param(
            go_program(),
            Options(runtime_packages=("tzdata",)),
            ["for p in tzdata $(cat /tmp/dslim/packages); do"],
            [],
            id="extra-runtime-package-means-debian",
        ),
    ],
)
def test_runtime_setup(text: str, options: Options, setup: list[str], copies: list[str]) -> None:
    built = plan(text, options)
    for fragment in setup:
        assert any(fragment in line for line in built.runtime_setup), built.runtime_setup
    if not setup:
        assert built.runtime_setup == ()
    sources = [c.source for c in built.copies]
    assert [s for s in sources if s.startswith("/etc/ssl")] == copies
    assert "/usr/local/bin/app" in sources


def test_keep_option_adds_a_copy() -> None:
    built = plan(go_program(), Options(keep=("/src/static:/srv/static", "/src/templates")))
    pairs = [(c.source, c.dest) for c in built.copies]
    assert ("/src/static", "/srv/static") in pairs
    assert ("/src/templates", "/src/templates") in pairs


# --------------------------------------------------------------------------------------------
# split_chain


def split(run: str) -> list[str] | None:
    """``split_chain`` on the one RUN of a small Dockerfile."""
    found = analysis("FROM debian:bookworm\n" + run + '\nCMD ["true"]\n')
    ins = found.facts.stage.instructions[0]
    step = found.facts.steps[0] if found.facts.steps else None
    return split_chain(ins, step.script if step else None)


@pytest.mark.parametrize(
    "run",
    [
        pytest.param("RUN make || true", id="or"),
        pytest.param("RUN make; make install", id="semicolon"),
        pytest.param("RUN make && make install || echo failed", id="and-then-or"),
        pytest.param("RUN make \\\n  # build it\n  && make install", id="comment-inside"),
        pytest.param("RUN <<EOF\nmake && make install\nEOF", id="heredoc"),
        pytest.param('RUN ["sh", "-c", "make && make install"]', id="exec-form"),
        pytest.param("RUN make", id="single-command"),
        pytest.param("RUN make && (", id="broken-shell"),
        pytest.param("RUN export CC=clang && make", id="state-then-one-command"),
        pytest.param(
            "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*",
            id="update-install-cleanup-is-one-step",
        ),
        pytest.param("RUN make && cd /x", id="trailing-cd"),
        pytest.param("RUN cd /src && make", id="cd-joins-its-only-command"),
    ],
)
def test_split_chain_leaves(run: str) -> None:
    assert split(run) is None


@pytest.mark.parametrize(
    ("run", "pieces"),
    [
        pytest.param("RUN make && make install", ["RUN make", "RUN make install"], id="two"),
        pytest.param(
            "run make && make install", ["run make", "run make install"], id="keyword-case-kept"
        ),
        pytest.param(
            "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/* && make",
            ["RUN apt-get update && apt-get install -y gcc", "RUN make"],
            id="index-update-stays-cleanup-dropped",
        ),
        pytest.param(
            "RUN make && go clean -cache && make install",
            ["RUN make", "RUN make install"],
            id="cache-cleanup-dropped",
        ),
        pytest.param(
            "RUN make install && rm -rf /src /var/cache/apk/* && make clean",
            ["RUN make install", "RUN rm -rf /src /var/cache/apk/*", "RUN make clean"],
            id="cleanup-that-also-deletes-sources-kept",
        ),
        pytest.param(
            "RUN --mount=type=cache,target=/root/.cache/go-build go mod download "
            "&& go build -o /app .",
            [
                "RUN --mount=type=cache,target=/root/.cache/go-build go mod download",
                "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /app .",
            ],
            id="mount-flag-repeated",
        ),
        pytest.param(
            "RUN --mount=type=cache,target=/a --network=none make && make install",
            [
                "RUN --mount=type=cache,target=/a --network=none make",
                "RUN --mount=type=cache,target=/a --network=none make install",
            ],
            id="all-flags-repeated",
        ),
        pytest.param(
            "RUN make \\\n      all    \\\n  && echo 'a   b'",
            ["RUN make all", "RUN echo 'a   b'"],
            id="continuation-blanks-folded-quoted-kept",
        ),
        pytest.param(
            'RUN echo "x  y" && make   all',
            ['RUN echo "x  y"', "RUN make all"],
            id="double-quoted-blanks-kept",
        ),
        pytest.param(
            "RUN FOO=1 make && make install",
            ["RUN FOO=1 make", "RUN make install"],
            id="env-prefix-is-per-command",
        ),
        pytest.param(
            "RUN if true; then make; fi && make install",
            ["RUN if true; then make; fi", "RUN make install"],
            id="compound-command",
        ),
        pytest.param("RUN a | b && c", ["RUN a | b", "RUN c"], id="pipeline"),
    ],
)
def test_split_chain_splits(run: str, pieces: list[str] | None) -> None:
    assert split(run) == pieces


def test_cd_stays_with_the_next_command() -> None:
    pieces = split("RUN make deps && cd /src && make")
    assert pieces == ["RUN make deps", "RUN cd /src && make"]


@pytest.mark.parametrize(
    ("run", "state"),
    [
        pytest.param("RUN cd /src && make && make install", "cd /src && ", id="cd"),
        pytest.param(
            "RUN export CGO_ENABLED=0 && go vet ./... && go build -o /app .",
            "export CGO_ENABLED=0 && ",
            id="export",
        ),
    ],
)
def test_state_reaches_every_later_command(run: str, state: str) -> None:
    pieces = split(run)
    assert pieces is None or all(p.startswith("RUN " + state) for p in pieces)


def test_no_split_option_keeps_chains() -> None:
    text = go_program().replace(
        "RUN CGO_ENABLED=0 go build", "RUN go mod download && CGO_ENABLED=0 go build"
    )
    assert "RUN go mod download\n" in plan(text).builder_body
    assert (
        "RUN go mod download && CGO_ENABLED=0"
        in plan(text, Options(split_chains=False)).builder_body
    )


# --------------------------------------------------------------------------------------------
# USER


def test_root_stays_root_by_default() -> None:
    # The original ran as root; programs that write to $HOME, their folder or /run rely on it.
    built = plan(go_program())
    assert built.user is None
    assert not [n for n in built.notes if n.code == "DSR104"]


def test_non_root_is_opt_in() -> None:
    built = plan(go_program(), Options(non_root=True))
    assert built.user == "USER 65534:65534"
    assert [n.flag for n in built.notes if n.code == "DSR104"] == ["--non-root"]


@pytest.mark.parametrize("user", ["root", "0", "0:0"])
def test_explicit_root_is_carried_as_written(user: str) -> None:
    built = plan(go_program().replace("CMD", f"USER {user}\nCMD"))
    assert built.user == f"USER {user}"
    assert not [n for n in built.notes if n.code == "DSR104"]


def test_node_image_runs_as_node() -> None:
    text = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "i.js"]\n'
    assert plan(text, Options(non_root=True)).user == "USER node"
    assert plan(text).user is None


def test_keep_root_is_the_default() -> None:
    built = plan(go_program(), Options())
    assert built.user is None
    assert not [n for n in built.notes if n.code == "DSR104"]
    assert "\nUSER " not in output(go_program(), Options())


@pytest.mark.parametrize("user", ["1000:1000", "node", "nobody"])
def test_non_root_user_kept(user: str) -> None:
    text = go_program().replace("CMD", f"USER {user}\nCMD")
    built = plan(text)
    assert built.user == f"USER {user}"
    assert built.runtime_setup == () or "useradd" not in "".join(built.runtime_setup)
    assert not [n for n in built.notes if n.code == "DSR104"]


USERADD = (
    go_program()
    .replace("WORKDIR /src", "RUN useradd -r -u 10001 appuser\nWORKDIR /src")
    .replace("CMD", "USER appuser\nCMD")
)


def test_created_user_is_recreated_on_debian() -> None:
    built = plan(USERADD, Options(runtime="slim"))
    assert built.runtime.family == "slim"
    assert "# The accounts the build made.\nRUN useradd -r -u 10001 appuser" in built.runtime_setup
    assert built.user == "USER appuser"
    assert "/etc/passwd" not in [c.source for c in built.copies]


@pytest.mark.parametrize("runtime", ["busybox", "scratch"])
def test_created_user_is_copied_where_it_cannot_be_created(runtime: str) -> None:
    built = plan(USERADD, Options(runtime=runtime))
    assert built.runtime.family == runtime
    pairs = [(c.source, c.dest) for c in built.copies]
    assert ("/etc/passwd", "/etc/passwd") in pairs
    assert ("/etc/group", "/etc/group") in pairs
    assert built.user == "USER appuser"
    assert not any("useradd" in s for s in built.runtime_setup)


def test_user_line_comes_after_the_copies() -> None:
    text = output(go_program(), Options(non_root=True))
    runtime = text.split("\nFROM ", 1)[1]
    assert runtime.index("COPY --from=builder") < runtime.index("USER 65534:65534")
    assert runtime.index("USER 65534:65534") < runtime.index("CMD")


# --------------------------------------------------------------------------------------------
# Comments, ENV, ARG


COMMENTED = """
# syntax=docker/dockerfile:1
# What this image is.
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION}
# Sources live here.
WORKDIR /src
COPY . .
RUN go mod download \\
    # modules first, for the cache
    && go build -o /usr/local/bin/app .
# The port.
EXPOSE 8080

# Start it.
CMD ["app"]
# Trailing note.
"""


def _comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize(
    "text",
    [pytest.param(COMMENTED, id="inline")]
    + [
        pytest.param(path.read_text(encoding="utf-8"), id=path.name.split(".")[0])
        for path in sorted(SAMPLES.glob("*.before.Dockerfile"))
        if not path.name.startswith("leave-")
    ],
)
def test_every_comment_line_is_kept(text: str) -> None:
    result = rewrite(dedent(text).lstrip("\n"))
    if result.output is None:
        pytest.skip(f"left alone: {result.reason}")
    produced = _comment_lines(result.output)
    missing = [c for c in _comment_lines(dedent(text)) if c not in produced]
    assert missing == []


ENVS = """
FROM golang:1.22
ENV CGO_ENABLED=0 DEBIAN_FRONTEND=noninteractive
ENV GOFLAGS=-trimpath
ENV APP_MODE=production
ENV PORT=8080 GOPROXY=direct
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
"""


def test_build_only_env_stays_in_the_builder() -> None:
    built = plan(ENVS)
    carried = "".join(built.carried)
    assert "CGO_ENABLED" not in carried
    assert "DEBIAN_FRONTEND" not in carried
    assert "GOFLAGS" not in carried
    assert "ENV CGO_ENABLED=0 DEBIAN_FRONTEND=noninteractive" in built.builder_body


def test_runtime_env_is_carried() -> None:
    carried = "".join(plan(ENVS).carried)
    assert "ENV APP_MODE=production\n" in carried
    # A line mixing both kinds is carried whole: the runtime value must not be lost.
    assert "ENV PORT=8080 GOPROXY=direct\n" in carried


def test_workdir_from_the_last_absolute_one_on_is_carried() -> None:
    built = plan(go_program().replace("WORKDIR /src", "WORKDIR /tmp\nWORKDIR /src\nWORKDIR app"))
    assert [w for w in built.carried if w.startswith("WORKDIR")] == [
        "WORKDIR /src\n",
        "WORKDIR app\n",
    ]


LABELLED = """
FROM golang:1.22
ARG VERSION=dev
ARG COMMIT
ARG UNUSED=1
LABEL org.opencontainers.image.version=$VERSION org.opencontainers.image.revision=${COMMIT}
WORKDIR /src
COPY . .
RUN go build -ldflags "-X main.v=${VERSION} -X main.u=${UNUSED}" -o /usr/local/bin/app .
CMD ["app"]
"""


def test_arg_used_by_a_carried_label_is_repeated() -> None:
    carried = plan(LABELLED).carried
    assert "ARG VERSION=dev\n" in carried
    assert "ARG COMMIT\n" in carried
    assert not [c for c in carried if c.startswith("ARG UNUSED")]
    args = [i for i, c in enumerate(carried) if c.startswith("ARG ")]
    label = next(i for i, c in enumerate(carried) if "LABEL" in c)
    assert max(args) < label


def test_moved_instructions_leave_the_builder() -> None:
    built = plan(LABELLED.replace("CMD", "EXPOSE 8080\nSTOPSIGNAL SIGINT\nCMD"))
    for keyword in ("LABEL", "EXPOSE", "STOPSIGNAL", "CMD"):
        assert not re.search(rf"^{keyword}\b", built.builder_body, re.M)
    assert built.finale == ('CMD ["app"]\n',)


@pytest.mark.parametrize(
    "chain",
    [
        "service postgresql start && psql -c 'create database app' && service postgresql stop",
        "/etc/init.d/mysql start && mysql < schema.sql",
        "pg_ctl start -D /data && createdb app",
    ],
)
def test_a_chain_that_starts_a_server_stays_whole(chain: str) -> None:
    # The server started by the first command is gone in the next RUN.
    document = parse(f"FROM debian:bookworm\nRUN {chain}\n")
    from dockerslim_refactor.analysis.facts import stage_facts

    facts = stage_facts(document, document.stages[-1], None)
    assert split_chain(document.instructions[-1], facts.steps[0].script) is None


def test_a_plain_chain_is_still_split() -> None:
    from dockerslim_refactor.analysis.facts import stage_facts

    document = parse("FROM debian:bookworm\nRUN make && make install && make clean\n")
    facts = stage_facts(document, document.stages[-1], None)
    assert split_chain(document.instructions[-1], facts.steps[0].script) is not None


def test_the_builder_images_workdir_is_carried_to_another_base() -> None:
    # golang images work in /go; the program's relative paths mean that folder.
    text = 'FROM golang:1.22\nCOPY . src/app\nRUN go build -o /go/bin/app ./src/app\nCMD ["app"]\n'
    runtime = output(text).split("\nFROM ", 2)[-1]
    assert "\nWORKDIR /go\n" in runtime


def test_a_dev_library_no_table_maps_is_found_in_the_builder_not_refused() -> None:
    text = (
        "FROM golang:1.22-bookworm\nRUN apt-get update && apt-get install -y libfoo-dev\n"
        'WORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app"]\n'
    )
    result = rewrite(text, Options(linkage="dynamic"))
    assert result.output is not None
    assert result.plan.runtime.image == "debian:bookworm-slim"  # not distroless: unproven
    assert "dpkg -S" in result.output


def test_a_refused_runtime_preference_says_why() -> None:
    text = 'FROM gcc:12-bookworm\nWORKDIR /src\nCOPY . .\nRUN make && make install\nCMD ["tally"]\n'
    built = plan(text, Options(runtime="distroless"))
    (message,) = [n.message for n in built.notes if n.flag == "--runtime"]
    assert "None" not in message and "slim" in message


def test_a_glibc_program_on_an_unnamed_release_is_refused_with_the_flag() -> None:
    # golang:1.3 predates every release the table knows: no runtime can be proven.
    with pytest.raises(PlanError, match="--runtime-image"):
        runtime_for("glibc", image="golang:1.3")
    chosen, _ = runtime_for("glibc", image="golang:1.3", options=Options(runtime_image="x:1"))
    assert chosen.image == "x:1"


@pytest.mark.parametrize(
    ("text", "runtime_from"),
    [
        pytest.param(
            "ARG PHP_TAG=8.2-apache\nFROM php:${PHP_TAG}\nRUN docker-php-ext-install zip\n"
            "WORKDIR /var/www/html\nCOPY . .\nRUN composer install\n",
            "FROM php:${PHP_TAG}",
            id="same-image",
        ),
        pytest.param(
            "ARG RELEASE=bookworm\nFROM debian:${RELEASE}\nRUN apt-get update && apt-get "
            "install -y gcc make\nWORKDIR /src\nCOPY . .\nRUN make && make install\n"
            'CMD ["tool"]\n',
            "FROM debian:${RELEASE}-slim",
            id="debian-slim",
        ),
    ],
)
def test_a_runtime_that_is_the_builders_image_keeps_its_build_arguments(
    text: str, runtime_from: str
) -> None:
    # --build-arg PHP_TAG=8.3-apache must change both stages, not the builder alone.
    from dockerslim_refactor.rewrite import rewrite

    result = rewrite(text)
    assert result.output is not None, result.reason
    froms = [line for line in result.output.splitlines() if line.startswith("FROM ")]
    assert froms[-1] == runtime_from


@pytest.mark.parametrize(
    ("image", "runtime"),
    [("ruby:2.2", "ruby:2.2-slim"), ("python:3.9", "python:3.9-slim"), ("node:18", "node:18-slim")],
)
def test_a_build_script_on_an_interpreter_image_gets_its_slim_image(
    image: str, runtime: str
) -> None:
    # ruby:2.2 does not name its Debian release, but ruby:2.2-slim is the same release and
    # has the interpreter the installed program needs.
    from dockerslim_refactor.rewrite import rewrite

    text = f'FROM {image}\nADD install.sh install.sh\nRUN ./install.sh\nCMD ["mailcatcher"]\n'
    result = rewrite(text)
    assert result.output is not None, result.reason
    assert result.output.rsplit("\nFROM ", 1)[1].startswith(runtime + "\n")


def test_a_guessed_release_gets_its_slim_image_and_a_check_in_the_builder() -> None:
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM rust:1.51\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y "
        'libpq-dev\nRUN cargo build --release\nCMD ["/app/target/release/app"]\n'
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    builder, runtime = result.output.rsplit("\nFROM ", 1)
    assert runtime.startswith("debian:buster-slim\n")
    assert "grep -qs '^VERSION_CODENAME=buster$' /etc/os-release" in builder
    assert "not Debian buster" in builder


def test_a_program_in_a_folder_only_the_builder_had_on_path_stays_on_path() -> None:
    # golang puts /go/bin on PATH; `docker exec c toxiproxy-cli` must still find the tool.
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN CGO_ENABLED=0 go install ./cmd/...\nCMD ["/go/bin/server"]\n'
    )
    result = rewrite(text, Options(artifacts=("/go/bin/server", "/go/bin/cli")))
    assert result.output is not None
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert "ENV PATH=/go/bin:/usr/local/sbin:/usr/local/bin:" in runtime


def test_no_path_when_the_program_is_in_a_standard_folder() -> None:
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\nCMD ["app"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "ENV PATH" not in result.output.rsplit("\nFROM ", 1)[1]


def test_volumes_come_after_the_replayed_steps() -> None:
    # A RUN after VOLUME /data cannot change /data with the classic builder.
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n"
        "VOLUME /var/lib/app\nWORKDIR /src\nCOPY . .\nRUN make && make install\n"
        'RUN mkdir -p /var/lib/app/ssl && chown nobody /var/lib/app/ssl\nCMD ["app"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert runtime.index("mkdir -p /var/lib/app/ssl") < runtime.index("VOLUME /var/lib/app")


def test_an_interpreter_slim_image_chosen_by_a_build_argument_is_written_out() -> None:
    # python:${PY}-slim would be wrong for PY=3.11-bookworm (python:3.11-slim-bookworm).
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "ARG PY=3.11\nFROM python:${PY}\nWORKDIR /app\nCOPY . .\n"
        'RUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert result.output.rsplit("\nFROM ", 1)[1].startswith("python:3.11-slim\n")


def test_a_workdir_that_names_an_env_comes_after_that_env() -> None:
    text = (
        "FROM node:18\nENV APP_ROOT /usr/src/app\nENV PORT 3000\nWORKDIR $APP_ROOT\n"
        'COPY package.json ./\nRUN npm install\nCOPY . .\nCMD ["node", "server.js"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.split("\nFROM node:18-slim\n", 1)[1]
    lines = [line for line in runtime.splitlines() if line.startswith(("ENV", "WORKDIR"))]
    assert lines.index("ENV APP_ROOT /usr/src/app") < lines.index("WORKDIR $APP_ROOT")
    assert "ENV PORT 3000" in lines


@pytest.mark.parametrize(
    ("written", "runtime"),
    [
        ("$IMAGE_BASE:10", "FROM $IMAGE_BASE:10-slim\n"),
        ("$BASE", "FROM node:10-slim\n"),
    ],
)
def test_a_build_arg_base_stays_in_the_runtime_when_its_tag_is_literal(
    written: str, runtime: str
) -> None:
    text = (
        "ARG IMAGE_BASE=node\nARG BASE=node:10\n"
        f"FROM {written}\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n"
        'COPY . .\nCMD ["node", "server.js"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert runtime in result.output


def test_a_qemu_emulator_copy_stays_before_every_run() -> None:
    text = (
        "ARG IMAGE_BASE=node\nFROM $IMAGE_BASE:18\n"
        "COPY empty_file tmp/qemu-arm-stati[c] /usr/bin/\n"
        "RUN apt-get update && apt-get install -y libavahi-compat-libdnssd-dev\n"
        "WORKDIR /app\nCOPY . .\nRUN npm install\n"
        'CMD ["node", "server.js"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    emulator = "COPY empty_file tmp/qemu-arm-stati[c] /usr/bin/\n"
    builder, runtime = result.output.split("\nFROM $IMAGE_BASE:18-slim\n", 1)
    # On an ARM base no RUN works before the emulator is in place: in both stages.
    assert builder.index(emulator) < builder.index("\nRUN ")
    assert runtime.startswith(emulator)
    assert runtime.count(emulator) == 1


def test_a_native_build_on_an_interpreter_image_says_why_it_keeps_the_slim_one() -> None:
    # A C extension built on ruby:3.1 with make install: the program may use that Ruby, so
    # --runtime distroless gives the same Ruby's slim image, and a note says so.
    text = (
        "FROM ruby:3.1\nWORKDIR /src\nCOPY . .\nRUN make && make install\n"
        'CMD ["fastsum-report"]\n'
    )
    result = rewrite(text, Options(runtime="distroless"))
    assert result.output is not None, result.reason
    assert "\nFROM ruby:3.1-slim\n" in result.output
    assert any(
        "runtime ruby:3.1-slim instead of distroless" in n.message for n in result.plan.notes
    )


@pytest.mark.parametrize(
    ("image", "runtime", "install"),
    [
        pytest.param("python:3.12", "python:3.12-slim", "apt-get install", id="slim"),
        pytest.param("python:3.12-alpine", "python:3.12-alpine", "apk add", id="alpine"),
    ],
)
def test_what_the_healthcheck_runs_is_installed_on_an_interpreter_image(
    image: str, runtime: str, install: str
) -> None:
    """The full image had curl; the slim one does not: a HEALTHCHECK that runs it would
    report the container unhealthy for ever."""
    from dockerslim_refactor.rewrite import rewrite

    text = (
        f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "HEALTHCHECK CMD curl -fsS http://localhost:8000/health || exit 1\n"
        'CMD ["python", "app.py"]\n'
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    stage = result.output.split(f"\nFROM {runtime}\n", 1)[1]
    installs = [line for line in stage.splitlines() if "curl" in line and "HEALTHCHECK" not in line]
    assert installs, stage
    assert install in stage
