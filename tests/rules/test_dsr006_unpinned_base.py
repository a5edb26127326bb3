"""DSR006 unpinned-base: a FROM without tag or digest, or with ``latest``, in any stage."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr006_unpinned_base as rule

DIGEST = "sha256:" + "a" * 64

NOT_REPORTED = [
    pytest.param("FROM python:3.12-slim", id="tagged"),
    pytest.param(f"FROM python@{DIGEST}", id="digest"),
    pytest.param(f"FROM python:latest@{DIGEST}", id="latest-with-digest"),
    pytest.param("FROM scratch", id="scratch"),
    pytest.param("FROM localhost:5000/team/app:1.4", id="registry-with-port-and-tag"),
    pytest.param(
        'FROM golang:1.22 AS builder\nRUN go build\nFROM builder\nCMD ["app"]',
        id="earlier-stage-name",
    ),
    pytest.param(
        "ARG STAGE=builder\nFROM golang:1.22 AS builder\nFROM ${STAGE}",
        id="arg-expands-to-stage-name",
    ),
    pytest.param("FROM ${BASE_IMAGE}", id="only-a-variable"),
    pytest.param("ARG BASE_IMAGE\nFROM $BASE_IMAGE", id="arg-without-default"),
    pytest.param("FROM ${IMAGE}:${TAG}", id="only-variables"),
    pytest.param("ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}", id="arg-default-tag"),
    pytest.param("FROM golang:${GO_VERSION}", id="tag-from-build-arg"),
    pytest.param("FROM --platform=$BUILDPLATFORM golang:1.22", id="platform-flag"),
]

REPORTED = [
    pytest.param("FROM python", [("DSR006", 1, 1)], id="no-tag"),
    pytest.param("FROM python:latest", [("DSR006", 1, 1)], id="latest"),
    pytest.param("FROM library/python", [("DSR006", 1, 1)], id="library-prefix"),
    pytest.param("FROM localhost:5000/team/app", [("DSR006", 1, 1)], id="registry-port-no-tag"),
    pytest.param("ARG V=latest\nFROM node:${V}", [("DSR006", 2, 2)], id="arg-default-latest"),
    pytest.param("ARG BASE=python\nFROM ${BASE}", [("DSR006", 2, 2)], id="arg-default-no-tag"),
    pytest.param("FROM node:${TAG:-latest}", [("DSR006", 1, 1)], id="variable-default-latest"),
    pytest.param("FROM ${REGISTRY}/python", [("DSR006", 1, 1)], id="variable-registry-no-tag"),
    pytest.param("FROM \\\n    python", [("DSR006", 1, 2)], id="span-with-continuation"),
    pytest.param(
        "FROM golang AS builder\nRUN go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=builder /app /app",
        [("DSR006", 1, 1)],
        id="builder-stage",
    ),
    pytest.param(
        "FROM golang:1.22 AS builder\nFROM alpine\nFROM debian:latest AS other",
        [("DSR006", 2, 2), ("DSR006", 3, 3)],
        id="every-stage",
    ),
    pytest.param(
        "FROM builder\nFROM golang:1.22 AS builder",
        [("DSR006", 1, 1)],
        id="stage-name-defined-later-is-an-image",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text + "\n") == []


@pytest.mark.parametrize(("text", "expected"), REPORTED)
def test_reports(spans, text: str, expected: list) -> None:
    assert spans(rule, text + "\n") == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("FROM python\n", "base image python has no tag or digest", id="no-tag"),
        pytest.param(
            "ARG V=latest\nFROM node:${V}\n",
            "base image node:${V} (= node:latest) has the tag latest",
            id="expanded",
        ),
    ],
)
def test_message_names_image_and_fix(check, text: str, shown: str) -> None:
    (finding,) = check(rule, text)
    assert finding.message.startswith(shown)
    assert "pin a version tag or a digest" in finding.message
    assert (finding.severity, finding.fix) == ("warning", None)
