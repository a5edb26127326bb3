"""DSR102 forced-static-link: ``--linkage static`` sets LDFLAGS=-static in the builder."""

from __future__ import annotations

import pytest

from dockerslim_refactor.options import Options
from dockerslim_refactor.rules import dsr102_forced_static_link as rule

C_BUILD = """
FROM gcc:13
WORKDIR /src
COPY . .
RUN make && make install
CMD ["tally"]
"""
STATIC = Options(linkage="static")

NOT_REPORTED = [
    pytest.param(C_BUILD, Options(), id="linkage-auto"),
    pytest.param(C_BUILD, Options(linkage="dynamic"), id="linkage-dynamic"),
    pytest.param(
        C_BUILD.replace("RUN make &&", "RUN make LDFLAGS=-static &&"), STATIC, id="already-static"
    ),
    pytest.param(
        """
        FROM gcc:13 AS builder
        RUN make
        FROM debian:bookworm-slim
        COPY --from=builder /src/tally /tally
        """,
        STATIC,
        id="multi-stage",
    ),
]

REPORTED = [
    pytest.param(C_BUILD, STATIC, [("DSR102", 4, 4)], id="static-asked-for"),
]


@pytest.mark.parametrize(("text", "options"), NOT_REPORTED)
def test_does_not_report(spans, text: str, options: Options) -> None:
    assert spans(rule, text, options) == []


@pytest.mark.parametrize(("text", "options", "expected"), REPORTED)
def test_reports(spans, text: str, options: Options, expected: list) -> None:
    assert spans(rule, text, options) == expected


def test_passes_the_detector_finding_through(analysis) -> None:
    result = analysis(C_BUILD, STATIC)
    (finding,) = rule.check(result)
    assert finding in result.build.findings
    assert (finding.severity, finding.fix_safe) == ("warning", False)
    assert "LDFLAGS=-static" in finding.message
