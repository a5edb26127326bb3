"""DSR100 unsure: the detectors' open questions, passed through unchanged."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr100_unsure as rule

NOT_REPORTED = [
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN CGO_ENABLED=0 go build -o /out/app .
        CMD ["/out/app"]
        """,
        id="output-named-and-run",
    ),
    pytest.param(
        """
        FROM golang:1.22 AS builder
        WORKDIR /src
        COPY . .
        RUN go build
        FROM golang:1.22
        COPY --from=builder /src/src /app
        RUN go build
        """,
        id="multi-stage-no-detector-runs",
    ),
    pytest.param(
        """
        FROM debian:bookworm-slim
        COPY app /usr/local/bin/app
        CMD ["app"]
        """,
        id="nothing-built",
    ),
]

REPORTED = [
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src/server
        COPY . .
        RUN go build
        CMD ["server"]
        """,
        [("DSR100", 4, 4, "info", "--artifact")],
        id="inferred-artifact-path",
    ),
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN go build -o /out/app .
        CMD ["/usr/local/bin/other"]
        """,
        [("DSR100", 4, 4, "warning", "--artifact")],
        id="program-not-among-outputs",
    ),
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN CGO_ENABLED=0 go build -o /out/app .
        """,
        # No program: nothing is rewritten (DSR001 names --artifact), so no rewrite notes.
        [],
        id="no-cmd-nothing-rewritten",
    ),
    pytest.param(
        """
        FROM gcc:13
        RUN apt-get update && apt-get install -y libfoo-dev
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tally"]
        """,
        [("DSR100", 2, 2, "info", "--runtime-package")],
        id="unknown-runtime-library",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text) == []


@pytest.mark.parametrize(("text", "expected"), REPORTED)
def test_reports(check, text: str, expected: list) -> None:
    findings = check(rule, text)
    assert sorted((f.code, f.line, f.end_line, f.severity, f.flag) for f in findings) == expected


def test_passes_the_detector_findings_through(analysis) -> None:
    result = analysis("""
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN go build -o /out/app .
        CMD ["/usr/local/bin/other"]
        """)
    expected = [f for f in result.build.findings if f.code == "DSR100"]
    assert expected and list(rule.check(result)) == expected
