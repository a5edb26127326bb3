"""DSR101 go-static-link: a Go build made static with CGO_ENABLED=0 in the builder."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr101_go_static_link as rule

GO_DEFAULT = """
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
"""

NOT_REPORTED = [
    pytest.param(
        GO_DEFAULT.replace("RUN go build", "RUN CGO_ENABLED=0 go build"), None, id="cgo-already-off"
    ),
    pytest.param(GO_DEFAULT.replace("golang:1.22", "golang:1.22-alpine"), None, id="alpine-no-gcc"),
    pytest.param(
        GO_DEFAULT,
        {"main.go": 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n'},
        id="sources-use-cgo",
    ),
    pytest.param(
        """
        FROM golang:1.22 AS builder
        RUN go build -o /out/app .
        FROM gcr.io/distroless/static-debian12
        COPY --from=builder /out/app /app
        """,
        None,
        id="multi-stage",
    ),
    pytest.param(
        """
        FROM gcc:13
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tally"]
        """,
        None,
        id="not-go",
    ),
]

REPORTED = [
    pytest.param(GO_DEFAULT, None, [("DSR101", 4, 4)], id="default-go-build"),
    pytest.param(
        GO_DEFAULT,
        {
            "main.go": 'package main\n\nimport "net/http"\n\n'
            'func main() { http.ListenAndServe(":8080", nil) }\n'
        },
        [("DSR101", 4, 4)],
        id="net-http-without-cgo",
    ),
]


@pytest.mark.parametrize(("text", "context"), NOT_REPORTED)
def test_does_not_report(spans, text: str, context: dict[str, str] | None) -> None:
    assert spans(rule, text, context_files=context) == []


@pytest.mark.parametrize(("text", "context", "expected"), REPORTED)
def test_reports(spans, text: str, context: dict[str, str] | None, expected: list) -> None:
    assert spans(rule, text, context_files=context) == expected


def test_passes_the_detector_finding_through(analysis) -> None:
    result = analysis(GO_DEFAULT)
    (finding,) = rule.check(result)
    assert finding in result.build.findings
    assert (finding.severity, finding.flag) == ("info", "--linkage")
    assert "CGO_ENABLED=0" in finding.message
