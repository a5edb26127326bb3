"""DSR005 root-user: the final stage runs as root."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr005_root_user as rule

NOT_REPORTED = [
    pytest.param("FROM debian:bookworm-slim\nUSER app", id="named-user"),
    pytest.param("FROM debian:bookworm-slim\nUSER 1000:1000", id="uid-gid"),
    pytest.param("FROM debian:bookworm-slim\nUSER 1000:0", id="root-group-only"),
    pytest.param("FROM debian:bookworm-slim\nUSER rootless", id="name-starting-with-root"),
    pytest.param(
        "FROM debian:bookworm-slim\nUSER root\nRUN apt-get update\nUSER app",
        id="root-then-unprivileged",
    ),
    pytest.param("FROM debian:bookworm-slim\nUSER ${APP_UID}", id="unknown-variable"),
    pytest.param("FROM debian:bookworm-slim\nARG UID=10001\nUSER $UID", id="arg-default"),
    pytest.param("FROM scratch\nCOPY app /app", id="scratch"),
    pytest.param(
        'FROM debian:bookworm AS base\nUSER app\nFROM base\nCMD ["app"]',
        id="user-inherited-from-parent-stage",
    ),
    pytest.param(
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app",
        id="distroless-nonroot",
    ),
    pytest.param(
        "FROM golang:1.22 AS builder\nRUN go build -o /app .\n"
        "FROM scratch\nCOPY --from=builder /app /app",
        id="multi-stage-final-scratch",
    ),
]

REPORTED = [
    pytest.param('FROM debian:bookworm-slim\nCMD ["app"]', [("DSR005", 1, 1)], id="no-user"),
    pytest.param("FROM debian:bookworm-slim\nUSER root", [("DSR005", 2, 2)], id="root"),
    pytest.param("FROM debian:bookworm-slim\nUSER 0", [("DSR005", 2, 2)], id="uid-0"),
    pytest.param("FROM debian:bookworm-slim\nUSER 0:0", [("DSR005", 2, 2)], id="uid-gid-0"),
    pytest.param("FROM debian:bookworm-slim\nUSER root:root", [("DSR005", 2, 2)], id="root-root"),
    pytest.param(
        "FROM debian:bookworm-slim\nUSER app\nRUN make\nUSER root",
        [("DSR005", 4, 4)],
        id="last-user-is-root",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\nENV RUN_AS=root\nUSER $RUN_AS",
        [("DSR005", 3, 3)],
        id="env-expands-to-root",
    ),
    pytest.param(
        "FROM golang:1.22 AS builder\nUSER app\nRUN go build -o /app .\n"
        "FROM debian:bookworm-slim\nCOPY --from=builder /app /app",
        [("DSR005", 4, 4)],
        id="final-stage-from-line",
    ),
    pytest.param(
        'FROM debian:bookworm AS base\nUSER root\nFROM base\nCMD ["app"]',
        [("DSR005", 3, 3)],
        id="root-inherited-from-parent-stage",
    ),
    pytest.param(
        "FROM gcr.io/distroless/static-debian12\nCOPY app /app",
        [("DSR005", 1, 1)],
        id="distroless-default-user",
    ),
    pytest.param(
        'FROM golang:1.22\nCMD ["go", "test", "./..."]',
        [("DSR005", 1, 1)],
        id="reported-even-when-left-alone",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text + "\n") == []


@pytest.mark.parametrize(("text", "expected"), REPORTED)
def test_reports(spans, text: str, expected: list) -> None:
    assert spans(rule, text + "\n") == expected


def test_finding_carries_fix_title(check) -> None:
    (finding,) = check(rule, "FROM debian:bookworm-slim\nUSER root\n")
    assert "root" in finding.message and "unprivileged user" in finding.message
    assert (finding.severity, finding.fix, finding.fix_safe) == (
        "warning",
        "Run as a non-root user",
        False,
    )
