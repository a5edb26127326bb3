"""DSR001 single-stage-toolchain: a one-stage build whose final image keeps the toolchain."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr001_single_stage_toolchain as rule

CARGO_TOML = {"Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\n'}
GO_BUILD = """
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
"""

NOT_REPORTED = [
    pytest.param(
        """
        FROM golang:1.22 AS builder
        WORKDIR /src
        COPY . .
        RUN go build -o /out/app .
        FROM gcr.io/distroless/static-debian12
        COPY --from=builder /out/app /app
        CMD ["/app"]
        """,
        id="already-multi-stage",
    ),
    pytest.param(
        """
        FROM debian:bookworm-slim
        COPY app /usr/local/bin/app
        CMD ["app"]
        """,
        id="nothing-built-no-toolchain",
    ),
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN go build ./...
        CMD ["go", "test", "./..."]
        """,
        id="image-runs-the-toolchain",
    ),
    pytest.param(
        """
        FROM gcc:13
        COPY . /src
        CMD ["bash"]
        """,
        id="toolchain-image-without-build",
    ),
    pytest.param(
        """
        FROM alpine:3.20
        RUN apk add --no-cache curl git
        CMD ["sh"]
        """,
        id="fetch-tools-alone-are-no-toolchain",
    ),
]

REPORTED = [
    pytest.param(GO_BUILD, None, [("DSR001", 1, 1)], id="go-build-on-golang-image"),
    pytest.param(
        """
        ARG GO_VERSION=1.22
        FROM \\
            golang:${GO_VERSION}
        WORKDIR /src
        COPY . .
        RUN go build -o /usr/local/bin/app .
        CMD ["app"]
        """,
        None,
        [("DSR001", 2, 3)],
        id="span-is-the-from-with-continuation",
    ),
    pytest.param(
        """
        FROM rust:1.79
        WORKDIR /src
        COPY . .
        RUN cargo build --release
        CMD ["/src/target/release/app"]
        """,
        CARGO_TOML,
        [("DSR001", 1, 1)],
        id="rust-release-build",
    ),
    pytest.param(
        """
        FROM debian:bookworm
        RUN apt-get update && apt-get install -y gcc make
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tally"]
        """,
        None,
        [("DSR001", 1, 1)],
        id="build-packages-on-os-image",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text) == []


@pytest.mark.parametrize(("text", "context", "expected"), REPORTED)
def test_reports(spans, text: str, context: dict[str, str] | None, expected: list) -> None:
    assert spans(rule, text, context_files=context) == expected


def test_message_names_ecosystem_evidence_and_command(check) -> None:
    (finding,) = check(rule, GO_BUILD)
    assert "single-stage Go build" in finding.message
    assert "base image golang:1.22 is a toolchain image" in finding.message
    assert "dockerslim-refactor FILE -o OUT" in finding.message
    assert (finding.severity, finding.fix, finding.fix_safe, finding.flag) == (
        "warning",
        "Convert to multi-stage build",
        False,
        None,
    )


def test_evidence_is_the_first_toolchain_item(check) -> None:
    text = """
    FROM debian:bookworm
    RUN apt-get update && apt-get install -y gcc make
    WORKDIR /src
    COPY . .
    RUN make && make install
    CMD ["tally"]
    """
    (finding,) = check(rule, text)
    assert "installs build packages: gcc, make" in finding.message


def test_reported_without_a_fix_when_no_rewrite_can_be_made() -> None:
    # The finding is about the image, whether or not the tool can rewrite it.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n"
        'CMD ["/usr/local/bin/other"]\n'
    )
    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert analysis.leave_alone is not None
    assert finding.fix is None and finding.flag is not None
    assert "no automatic rewrite yet" in finding.message and finding.flag in finding.message
    fixable = analyze(parse(GO_BUILD.lstrip()))
    (finding,) = [f for f in fixable.findings if f.code == "DSR001"]
    assert finding.fix == rule.FIX and finding.flag is None


@pytest.mark.parametrize(
    "text",
    [
        "FROM ruby:3.1\nWORKDIR /app\nCOPY . .\nRUN bundle install\n"
        'CMD ["bundle", "exec", "puma"]\n',
        "FROM php:8.2-cli\nRUN apt-get update && apt-get install -y libzip-dev "
        '&& docker-php-ext-install zip\nCOPY . /app\nCMD ["php", "/app/index.php"]\n',
    ],
    ids=["bundler-on-the-full-ruby-image", "php-extension-with-build-packages"],
)
def test_ruby_and_php_dependency_builds_are_reported_with_a_fix(text: str) -> None:
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix == rule.FIX and analysis.leave_alone is None


def test_dependency_builds_of_uncovered_ecosystems_are_reported_without_a_fix() -> None:
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM elixir:1.16\nWORKDIR /app\nCOPY . .\nRUN mix deps.get && mix compile\n"
        'CMD ["mix", "phx.server"]\n'
    )
    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix is None and analysis.leave_alone


def test_a_slim_python_image_installing_requirements_is_not_reported() -> None:
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM python:3.11-slim\nCOPY . /app\nRUN pip install --no-cache-dir -r /app/req.txt\n"
        'CMD ["python", "/app/a.py"]\n'
    )
    assert not [f for f in analyze(parse(text)).findings if f.code == "DSR001"]


def test_a_slim_python_image_keeping_the_pip_cache_is_reported_with_a_fix() -> None:
    # The cache is build-only: a builder stage keeps it, the runtime does not.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/req.txt\n"
        'CMD ["python", "/app/a.py"]\n'
    )
    (finding,) = [f for f in analyze(parse(text)).findings if f.code == "DSR001"]
    assert finding.fix == rule.FIX
