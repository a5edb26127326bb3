"""dockerslim_refactor.rewrite: the pure core. Left-alone inputs give a reason and no output;
outputs parse
with BuildKit's parser, are stable under a second run, keep the input's line endings, BOM and
escape character; self_check refuses an output that loses part of the image."""

from __future__ import annotations

from textwrap import dedent

import dockerfile
import pytest

from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import SelfCheckError, rewrite, self_check

ORIGINAL = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .
ENV PORT=8080 CGO_ENABLED=0
LABEL org.example.team=core
EXPOSE 8080
HEALTHCHECK CMD ["app", "-health"]
USER 1000
CMD ["app"]
"""

GOOD = """\
FROM golang:1.22 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .

FROM alpine:3.20
WORKDIR /src
ENV PORT=8080
LABEL org.example.team=core
EXPOSE 8080
COPY --from=builder /usr/local/bin/app /usr/local/bin/app
USER 1000
HEALTHCHECK CMD ["app", "-health"]
CMD ["app"]
"""


def check(original: str, output: str) -> None:
    self_check(parse(original), output)


# --------------------------------------------------------------------------------------------
# self_check


def test_self_check_accepts_a_faithful_output() -> None:
    check(ORIGINAL, GOOD)


def test_self_check_accepts_a_real_rewrite() -> None:
    result = rewrite(ORIGINAL)
    assert result.output is not None
    check(ORIGINAL, result.output)


@pytest.mark.parametrize(
    ("line", "replacement", "lost"),
    [
        pytest.param('CMD ["app"]\n', "", "CMD", id="cmd-lost"),
        pytest.param('CMD ["app"]\n', 'CMD ["app", "--debug"]\n', "CMD", id="cmd-changed"),
        pytest.param("EXPOSE 8080\n", "", "EXPOSE", id="expose-lost"),
        pytest.param("EXPOSE 8080\n", "EXPOSE 9090\n", "EXPOSE", id="expose-changed"),
        pytest.param("ENV PORT=8080\n", "", "ENV PORT=8080", id="runtime-env-lost"),
        pytest.param("ENV PORT=8080\n", "ENV PORT=9090\n", "ENV PORT=8080", id="env-changed"),
        pytest.param("LABEL org.example.team=core\n", "", "LABEL", id="label-lost"),
        pytest.param(
            'HEALTHCHECK CMD ["app", "-health"]\n', "", "HEALTHCHECK", id="healthcheck-lost"
        ),
        pytest.param("USER 1000\n", "", "USER 1000", id="non-root-user-lost"),
        pytest.param("USER 1000\n", "USER root\n", "USER 1000", id="non-root-user-to-root"),
        pytest.param("WORKDIR /src\n", "WORKDIR /\n", "WORKDIR", id="workdir-changed"),
    ],
)
def test_self_check_refuses_a_lossy_output(line: str, replacement: str, lost: str) -> None:
    runtime_start = GOOD.index("FROM alpine")
    head, runtime = GOOD[:runtime_start], GOOD[runtime_start:]
    assert line in runtime
    with pytest.raises(SelfCheckError, match=lost):
        check(ORIGINAL, head + runtime.replace(line, replacement, 1))


def test_self_check_ignores_build_only_env() -> None:
    # CGO_ENABLED steers the build only: the runtime stage need not repeat it.
    assert "CGO_ENABLED" not in GOOD.split("FROM alpine")[1]
    check(ORIGINAL, GOOD)


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(GOOD + "FOO bar\n", id="unknown-instruction"),
        pytest.param(GOOD + "RUN <<EOF\necho\n", id="unterminated-heredoc"),
        pytest.param(
            GOOD.replace("FROM alpine:3.20", "FROM alpine:3.20 AS builder"),
            id="duplicate-stage-name",
        ),
    ],
)
def test_self_check_refuses_an_output_that_does_not_parse(broken: str) -> None:
    with pytest.raises(SelfCheckError, match="does not parse"):
        check(ORIGINAL, broken)


def test_self_check_accepts_an_added_non_root_user() -> None:
    original = ORIGINAL.replace("USER 1000\n", "")
    check(original, GOOD)
    check(original, GOOD.replace("USER 1000", "USER 65534:65534"))


def test_self_check_refuses_a_different_non_root_user() -> None:
    with pytest.raises(SelfCheckError, match="USER 1000"):
        check(ORIGINAL, GOOD.replace("USER 1000", "USER 65534:65534"))


# --------------------------------------------------------------------------------------------
# Left alone


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\nEXPOSE 80\n",
            "nothing is built",
            id="nothing-built",
        ),
        pytest.param('FROM scratch\nCOPY app /app\nCMD ["/app"]\n', "FROM scratch", id="scratch"),
        pytest.param(
            "FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM scratch\n"
            'COPY --from=b /app /app\nCMD ["/app"]\n',
            "multi-stage",
            id="multi-stage",
        ),
        pytest.param(
            'FROM golang:1.22\nRUN go install gotest.tools/gotestsum@v1.12.0\nCMD ["bash"]\n',
            "toolchain",
            id="toolchain-image",
        ),
        pytest.param(
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc\n"
            'CMD ["./run.sh"]\n',
            "no build step",
            id="unrecognised-build",
        ),
    ],
)
def test_left_alone_gives_a_reason_and_no_output(text: str, reason: str) -> None:
    result = rewrite(text)
    assert result.output is None
    assert result.plan is None
    assert result.changed is False
    assert result.reason is not None and reason in result.reason


# --------------------------------------------------------------------------------------------
# Outputs


CASES = [
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN go mod download && go build -o /usr/local/bin/app .
        EXPOSE 8080
        CMD ["app"]
        """,
        None,
        id="go",
    ),
    pytest.param(
        """
        FROM rust:1.79-bookworm
        WORKDIR /src
        COPY . .
        RUN cargo build --release --bin server
        CMD ["/src/target/release/server"]
        """,
        None,
        id="rust",
    ),
    pytest.param(
        """
        FROM gcc:13-bookworm
        RUN apt-get update && apt-get install -y libssl-dev
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tool"]
        """,
        None,
        id="c-with-runtime-library",
    ),
    pytest.param(
        """
        FROM node:20
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY . .
        RUN npm run build
        CMD ["node", "dist/server.js"]
        """,
        None,
        id="node",
    ),
    pytest.param(
        """
        FROM python:3.12
        WORKDIR /app
        COPY . .
        RUN pip install -r requirements.txt
        ENV PYTHONUNBUFFERED=1
        CMD ["python", "app.py"]
        """,
        None,
        id="python",
    ),
    pytest.param(
        """
        FROM maven:3.9-eclipse-temurin-21
        WORKDIR /app
        COPY . .
        RUN mvn -B package -DskipTests
        CMD ["java", "-jar", "target/app.jar"]
        """,
        None,
        id="java",
    ),
    pytest.param(
        """
        FROM mcr.microsoft.com/dotnet/sdk:8.0
        WORKDIR /src
        COPY . .
        RUN dotnet publish -c Release -o /app
        EXPOSE 8080
        ENTRYPOINT ["dotnet", "/app/Web.dll"]
        """,
        None,
        id="dotnet",
    ),
    pytest.param(
        """
        FROM golang:1.22
        RUN useradd -r -u 10001 appuser
        WORKDIR /src
        COPY . .
        RUN go build -o /usr/local/bin/app .
        USER appuser
        CMD ["app"]
        """,
        Options(runtime="scratch"),
        id="go-scratch-with-user",
    ),
]


def _rewritten(text: str, options: Options | None) -> str:
    result = rewrite(dedent(text).lstrip("\n"), options)
    assert result.output is not None, result.reason
    assert result.reason is None
    assert result.changed
    return result.output


@pytest.mark.parametrize(("text", "options"), CASES)
def test_output_parses_with_buildkit(text: str, options: Options | None) -> None:
    commands = dockerfile.parse_string(_rewritten(text, options))
    assert [c.cmd for c in commands].count("FROM") == 2
    assert commands[-1].cmd in {"CMD", "ENTRYPOINT"}


@pytest.mark.parametrize(("text", "options"), CASES)
def test_rewriting_the_output_again_changes_nothing(text: str, options: Options | None) -> None:
    first = _rewritten(text, options)
    again = rewrite(first, options)
    assert again.output is None
    assert again.reason


@pytest.mark.parametrize(("text", "options"), CASES)
def test_output_passes_its_own_self_check(text: str, options: Options | None) -> None:
    source = dedent(text).lstrip("\n")
    self_check(parse(source), _rewritten(text, options))


def test_crlf_input_gives_crlf_output() -> None:
    source = dedent(CASES[0].values[0]).lstrip("\n").replace("\n", "\r\n")
    result = rewrite(source)
    assert result.output is not None
    assert result.output.count("\r\n") == result.output.count("\n")
    assert "\r\r" not in result.output
    dockerfile.parse_string(result.output)


def test_bom_is_kept() -> None:
    source = "\ufeff" + dedent(CASES[0].values[0]).lstrip("\n")
    result = rewrite(source)
    assert result.output is not None
    assert result.output.startswith("\ufeffFROM golang:1.22 AS builder\n")
    assert result.output.count("\ufeff") == 1


def test_no_bom_none_added() -> None:
    result = rewrite(dedent(CASES[0].values[0]).lstrip("\n"))
    assert result.output is not None
    assert not result.output.startswith("\ufeff")


BACKTICK = """\
# escape=`
FROM gcc:13-bookworm
RUN apt-get update && apt-get install -y libssl-dev
WORKDIR /src
COPY . .
RUN make `
    && make install
CMD ["tool"]
"""


def test_escape_backtick_in_generated_continuations() -> None:
    result = rewrite(BACKTICK)
    assert result.output is not None
    assert result.output.startswith("# escape=`\n")
    continued = [line for line in result.output.splitlines() if line.rstrip().endswith(("\\", "`"))]
    assert continued, "the generated runtime setup and library step span several lines"
    assert all(line.rstrip().endswith("`") for line in continued)
    commands = dockerfile.parse_string(result.output)
    runs = [c.value[0] for c in commands if c.cmd == "RUN"]
    # The libraries are found in the builder (ldd + dpkg -S) and installed by those names.
    assert any("dpkg -S" in r for r in runs)
    # With recommends, as the original's install had them.
    assert any("apt-get install -y $missing" in r for r in runs)
    assert not any("`" in r for r in runs)


def test_escape_backtick_output_is_stable() -> None:
    first = rewrite(BACKTICK).output
    assert first is not None
    assert rewrite(first).output is None


def test_runtime_comment_lines_are_separate() -> None:
    result = rewrite(BACKTICK)
    assert result.output is not None
    comments = [line for line in result.output.splitlines() if line.startswith("#")]
    assert not [c for c in comments if "#" in c[1:]]


def test_runtime_comment_of_a_musl_go_build_does_not_claim_glibc() -> None:
    result = rewrite(
        "FROM golang:1.22-alpine3.19\nWORKDIR /src\n"
        "RUN apk add gcc musl-dev && CGO_ENABLED=1 go build -o /usr/local/bin/app .\n"
        'CMD ["app"]\n'
    )
    assert result.output is not None
    runtime = result.output.split("\n\n# Runtime:", 1)[1]
    assert "glibc" not in runtime.splitlines()[0]


def test_input_is_never_modified_when_left_alone() -> None:
    text = "FROM nginx:1.27\nCOPY . /usr/share/nginx/html\n"
    result = rewrite(text)
    assert result.analysis.document.text() == text
    assert result.output is None


def test_a_dotnet_program_outside_the_publish_folder_is_left_alone() -> None:
    # `dotnet Web.dll` from /source, but the publish output went to /app: copying /app
    # would give an image whose command names a file it does not have.
    text = (
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /source\nCOPY . .\n"
        "RUN dotnet publish -c Release -o /app\nEXPOSE 8080\n"
        'ENTRYPOINT ["dotnet", "Web.dll"]\n'
    )
    result = rewrite(text)
    assert result.output is None
    assert "/source/Web.dll, which is not in the publish folder /app" in result.reason
    assert "--artifact" in result.reason
    # From the publish folder, relative or absolute, it is rewritten.
    moved = text.replace("EXPOSE 8080\n", "WORKDIR /app\nEXPOSE 8080\n")
    assert rewrite(moved).output is not None
    shell = text.replace('ENTRYPOINT ["dotnet", "Web.dll"]', "ENTRYPOINT dotnet /app/Web.dll")
    assert rewrite(shell).output is not None
