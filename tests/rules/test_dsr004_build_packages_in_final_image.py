"""DSR004 build-packages-in-final-image: compilers, headers and build tools in the final stage."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr004_build_packages_in_final_image as rule

PYTHON_APP = """
FROM python:3.12-slim
RUN apt-get update && apt-get install -y {packages} && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
"""

NOT_REPORTED = [
    pytest.param(PYTHON_APP.format(packages="curl libpq5"), id="runtime-packages-only"),
    pytest.param(
        """
        FROM debian:bookworm-slim
        RUN apt-get update && apt-get install -y gcc make
        COPY app /usr/local/bin/app
        CMD ["app"]
        """,
        id="nothing-built-left-alone",
    ),
    pytest.param(
        """
        FROM golang:1.22
        RUN apt-get update && apt-get install -y git
        WORKDIR /src
        COPY . .
        CMD ["bash"]
        """,
        id="toolchain-image-without-build",
    ),
    pytest.param(
        """
        FROM debian:bookworm AS builder
        RUN apt-get update && apt-get install -y gcc make
        RUN make
        FROM debian:bookworm-slim
        COPY --from=builder /src/app /app
        CMD ["/app"]
        """,
        id="build-packages-in-builder-stage",
    ),
    pytest.param(
        """
        FROM python:3.12-slim
        RUN apt-get update && apt-get install -y gcc libpq-dev \\
            && pip install --no-cache-dir psycopg \\
            && apt-get purge -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*
        CMD ["python", "app.py"]
        """,
        id="purged-in-the-same-run",
    ),
    pytest.param(
        """
        FROM alpine:3.20
        WORKDIR /src
        COPY . .
        RUN apk add --no-cache --virtual .build-deps gcc musl-dev make \\
            && make && make install && apk del .build-deps
        CMD ["tally"]
        """,
        id="apk-virtual-group-deleted",
    ),
]

REPORTED = [
    pytest.param(
        PYTHON_APP.format(packages="gcc libpq-dev curl"),
        [("DSR004", 2, 2)],
        ["gcc", "libpq-dev"],
        id="python-app-with-compiler-and-headers",
    ),
    pytest.param(
        """
        FROM debian:bookworm
        RUN apt-get update \\
            && apt-get install -y build-essential=12.9 pkg-config
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tally"]
        """,
        [("DSR004", 2, 3)],
        ["build-essential=12.9", "pkg-config"],
        id="pinned-versions-and-continuation-span",
    ),
    pytest.param(
        """
        FROM python:3.12-slim
        RUN apt-get update && apt-get install -y gcc libpq-dev \\
            && pip install --no-cache-dir psycopg \\
            && apt-get purge -y gcc && rm -rf /var/lib/apt/lists/*
        CMD ["python", "app.py"]
        """,
        [("DSR004", 2, 4)],
        ["libpq-dev"],
        id="only-what-is-not-purged",
    ),
    pytest.param(
        """
        FROM python:3.12-slim
        RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*
        RUN pip install --no-cache-dir psycopg
        RUN apt-get purge -y gcc
        CMD ["python", "app.py"]
        """,
        [("DSR004", 2, 2)],
        ["gcc"],
        id="purged-in-a-later-run-still-in-the-layer",
    ),
    pytest.param(
        """
        FROM alpine:3.20
        WORKDIR /src
        COPY . .
        RUN apk add --no-cache --virtual .build-deps gcc musl-dev make && make && make install
        RUN apk add --no-cache git
        CMD ["tally"]
        """,
        [("DSR004", 4, 4), ("DSR004", 5, 5)],
        None,
        id="one-finding-per-run",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text) == []


@pytest.mark.parametrize(("text", "expected", "packages"), REPORTED)
def test_reports(check, text: str, expected: list, packages: list[str] | None) -> None:
    findings = check(rule, text)
    assert sorted((f.code, f.line, f.end_line) for f in findings) == expected
    if packages is not None:
        (finding,) = findings
        assert f"build-only packages in the final image: {', '.join(packages)};" in (
            finding.message
        )
