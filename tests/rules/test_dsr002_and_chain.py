"""DSR002 and-chain: three or more commands joined only by ``&&`` in one RUN."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr002_and_chain as rule

NOT_REPORTED = [
    pytest.param("RUN make && make install", id="two-commands"),
    pytest.param("RUN make", id="one-command"),
    pytest.param("RUN a && b || c", id="mixed-with-or"),
    pytest.param("RUN a; b; c", id="semicolons"),
    pytest.param("RUN a && b; c && d", id="and-mixed-with-semicolon"),
    pytest.param("RUN a | b | c", id="pipeline-is-one-segment"),
    pytest.param("RUN (a && b && c)", id="chain-inside-subshell"),
    pytest.param("RUN if true; then a && b && c; fi", id="chain-inside-if"),
]

# (instruction lines after the FROM, expected (line, end_line, fix_safe) list)
REPORTED = [
    pytest.param("RUN a && b && c", [(2, 2, True)], id="three-commands-safe"),
    pytest.param(
        "RUN apt-get update \\\n"
        "    && apt-get install -y curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*",
        [(2, 4, True)],
        id="continuation-lines-span",
    ),
    pytest.param(
        "RUN CGO_ENABLED=0 go build -o /app . && strip /app && ls -l /app",
        [(2, 2, True)],
        id="env-prefix-is-not-an-assignment",
    ),
    pytest.param("RUN cd /src && make && make install", [(2, 2, False)], id="cd-unsafe"),
    pytest.param("RUN pushd /src && make && popd", [(2, 2, False)], id="pushd-unsafe"),
    pytest.param("RUN export CC=clang && ./configure && make", [(2, 2, False)], id="export"),
    pytest.param("RUN set -eux && a && b", [(2, 2, False)], id="set-unsafe"),
    pytest.param("RUN source /etc/profile && a && b", [(2, 2, False)], id="source-unsafe"),
    pytest.param("RUN . /venv/bin/activate && pip install x && y", [(2, 2, False)], id="dot"),
    pytest.param("RUN umask 002 && mkdir /data && touch /data/x", [(2, 2, False)], id="umask"),
    pytest.param("RUN V=1 && echo $V && make", [(2, 2, False)], id="bare-assignment-unsafe"),
    pytest.param(
        "RUN if [ -d /src ]; then cd /src; fi && make && make install",
        [(2, 2, False)],
        id="nested-cd-unsafe",
    ),
    pytest.param(
        "RUN a \\\n# explain b\n    && b \\\n    && c",
        [(2, 5, False)],
        id="comment-inside-continuation-unsafe",
    ),
    pytest.param("RUN <<EOF\na && b && c\nEOF", [(2, 4, False)], id="heredoc-unsafe"),
    pytest.param('RUN ["/bin/sh", "-c", "a && b && c"]', [(2, 2, False)], id="exec-form-unsafe"),
    pytest.param(
        "RUN a && b && c\nRUN d && e\nRUN f && g && h && i",
        [(2, 2, True), (4, 4, True)],
        id="one-finding-per-run",
    ),
]


@pytest.mark.parametrize("body", NOT_REPORTED)
def test_does_not_report(spans, body: str) -> None:
    assert spans(rule, f"FROM alpine:3.20\n{body}\n") == []


def test_does_not_report_builder_stages(spans) -> None:
    text = """
    FROM golang:1.22 AS builder
    RUN go mod download && go vet ./... && go build -o /out/app .
    FROM alpine:3.20
    COPY --from=builder /out/app /app
    """
    assert spans(rule, text) == []


@pytest.mark.parametrize(("body", "expected"), REPORTED)
def test_reports(check, body: str, expected: list[tuple[int, int, bool]]) -> None:
    findings = check(rule, f"FROM alpine:3.20\n{body}\n")
    assert {f.code for f in findings} <= {"DSR002"}
    assert sorted((f.line, f.end_line, f.fix_safe) for f in findings) == expected


def test_message_counts_commands(check) -> None:
    (finding,) = check(rule, "FROM alpine:3.20\nRUN a && b && c && d\n")
    assert finding.message.startswith("4 commands chained with &&: ")
    assert "separate RUN instructions" in finding.message
    assert (finding.severity, finding.fix) == (
        "info",
        "Split && chain into separate RUN instructions",
    )
