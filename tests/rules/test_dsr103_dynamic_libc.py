"""DSR103 dynamic-libc: the program links the C library dynamically."""

from __future__ import annotations

import pytest

from dockerslim_refactor.options import Options
from dockerslim_refactor.rules import dsr103_dynamic_libc as rule

C_BUILD = """
FROM gcc:13
WORKDIR /src
COPY . .
RUN make && make install
CMD ["tally"]
"""

NOT_REPORTED = [
    pytest.param(C_BUILD, Options(linkage="static"), id="linkage-static"),
    pytest.param(
        C_BUILD.replace("RUN make &&", "RUN make LDFLAGS=-static &&"),
        Options(),
        id="already-static",
    ),
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN go build -o /usr/local/bin/app .
        CMD ["app"]
        """,
        Options(),
        id="go-build",
    ),
    pytest.param(
        """
        FROM gcc:13 AS builder
        RUN make
        FROM debian:bookworm-slim
        COPY --from=builder /src/tally /tally
        """,
        Options(),
        id="multi-stage",
    ),
]

REPORTED = [
    pytest.param(C_BUILD, Options(), [("DSR103", 4, 4)], id="gcc-make-install"),
    pytest.param(
        """
        FROM alpine:3.20
        RUN apk add --no-cache build-base
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tally"]
        """,
        Options(),
        [("DSR103", 5, 5)],
        id="musl-build",
    ),
]


@pytest.mark.parametrize(("text", "options"), NOT_REPORTED)
def test_does_not_report(spans, text: str, options: Options) -> None:
    assert spans(rule, text, options) == []


@pytest.mark.parametrize(("text", "options", "expected"), REPORTED)
def test_reports(spans, text: str, options: Options, expected: list) -> None:
    assert spans(rule, text, options) == expected


def test_passes_the_detector_finding_through(analysis) -> None:
    result = analysis(C_BUILD)
    (finding,) = rule.check(result)
    assert finding in result.build.findings
    assert (finding.severity, finding.flag) == ("info", "--linkage")
