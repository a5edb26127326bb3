"""DSR003 package-cache: a package manager's cache left in a layer of the final image."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr003_package_cache as rule

NOT_REPORTED = [
    pytest.param(
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        id="apt-lists-removed",
    ),
    pytest.param(
        "FROM debian:bookworm\n"
        "RUN apt-get update \\\n && sudo apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists",
        id="apt-via-sudo-lists-folder-removed",
    ),
    pytest.param(
        "FROM debian:bookworm\n"
        "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x",
        id="apt-lists-on-cache-mount",
    ),
    pytest.param("FROM debian:bookworm\nRUN apt-get update", id="apt-update-only"),
    pytest.param("FROM alpine:3.20\nRUN apk add --no-cache curl", id="apk-no-cache"),
    pytest.param(
        "FROM alpine:3.20\nRUN apk update && apk add curl && rm -rf /var/cache/apk/*",
        id="apk-cache-removed",
    ),
    pytest.param("FROM alpine:3.20\nRUN apk add curl && apk cache clean", id="apk-cache-clean"),
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask", id="pip-no-cache-dir"
    ),
    pytest.param(
        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask",
        id="pip-env-no-cache-dir",
    ),
    pytest.param(
        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask",
        id="pip-env-any-boolean-turns-cache-off",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=1 python -m pip install flask",
        id="pip-prefix-no-cache-dir",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install flask && pip cache purge", id="pip-cache-purge"
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install flask && rm -rf /root/.cache",
        id="pip-home-cache-removed",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask",
        id="pip-cache-mount",
    ),
    pytest.param("FROM node:20-slim\nRUN npm ci && npm cache clean --force", id="npm-cache-clean"),
    pytest.param("FROM node:20-slim\nRUN npm ci && rm -rf ~/.npm", id="npm-cache-removed"),
    pytest.param("FROM fedora:40\nRUN dnf install -y gcc && dnf clean all", id="dnf-clean-all"),
    pytest.param(
        "FROM centos:7\nRUN yum install -y gcc && yum clean all && rm -rf /var/cache/yum",
        id="yum-clean-all",
    ),
    pytest.param(
        "FROM debian:bookworm AS builder\nRUN apt-get update && apt-get install -y gcc\n"
        "FROM debian:bookworm-slim\nCOPY --from=builder /x /x",
        id="builder-stage-not-checked",
    ),
    pytest.param("FROM node:20-slim\nRUN yarn install", id="yarn-not-checked"),
]

REPORTED = [
    pytest.param(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl",
        [("DSR003", 2, 2)],
        id="apt-lists-kept",
    ),
    pytest.param(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && apt-get clean",
        [("DSR003", 2, 2)],
        id="apt-get-clean-keeps-lists",
    ),
    pytest.param(
        "FROM debian:bookworm\n"
        "RUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl",
        [("DSR003", 2, 2)],
        id="apt-cleanup-before-install",
    ),
    pytest.param(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n"
        "RUN rm -rf /var/lib/apt/lists/*",
        [("DSR003", 2, 2)],
        id="apt-cleanup-in-later-run",
    ),
    pytest.param(
        "FROM debian:bookworm\nRUN apt-get update \\\n    && apt-get install -y curl",
        [("DSR003", 2, 3)],
        id="span-covers-continuations",
    ),
    pytest.param("FROM alpine:3.20\nRUN apk add curl", [("DSR003", 2, 2)], id="apk-add"),
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install -r requirements.txt",
        [("DSR003", 2, 2)],
        id="pip-install",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN python3 -m pip install flask",
        [("DSR003", 2, 2)],
        id="python-m-pip",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install flask && apk cache purge",
        [("DSR003", 2, 2)],
        id="other-managers-cleanup-does-not-count",
    ),
    pytest.param("FROM node:20-slim\nRUN npm ci", [("DSR003", 2, 2)], id="npm-ci"),
    pytest.param(
        "FROM node:20-slim\nRUN npm install -g typescript",
        [("DSR003", 2, 2)],
        id="npm-global-install",
    ),
    pytest.param(
        "FROM node:20-slim\nRUN npm ci && yarn cache clean",
        [("DSR003", 2, 2)],
        id="yarn-cleanup-does-not-clean-npm",
    ),
    pytest.param("FROM fedora:40\nRUN dnf install -y gcc", [("DSR003", 2, 2)], id="dnf"),
    pytest.param(
        "FROM centos:7\nRUN yum install -y gcc && yum clean packages",
        [("DSR003", 2, 2)],
        id="yum-clean-packages-is-not-all",
    ),
    pytest.param(
        "FROM debian:bookworm AS base\nRUN true\nFROM base\n"
        "RUN apt-get update && apt-get install -y curl",
        [("DSR003", 4, 4)],
        id="final-stage-of-multi-stage",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text + "\n") == []


@pytest.mark.parametrize(("text", "expected"), REPORTED)
def test_reports(spans, text: str, expected: list) -> None:
    assert spans(rule, text + "\n") == expected


def test_one_finding_per_run_naming_every_manager(check) -> None:
    text = (
        "FROM python:3.12\n"
        "RUN apt-get update && apt-get install -y libpq-dev && pip install psycopg\n"
    )
    (finding,) = check(rule, text)
    assert "rm -rf /var/lib/apt/lists/*" in finding.message
    assert "--no-cache-dir" in finding.message
    assert finding.severity == "warning"


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        pytest.param("FROM alpine:3.20\nRUN apk add curl\n", "apk add --no-cache", id="apk"),
        pytest.param("FROM node:20\nRUN npm install\n", "npm cache clean --force", id="npm"),
        pytest.param("FROM fedora:40\nRUN dnf install -y x\n", "dnf clean all", id="dnf"),
        pytest.param("FROM centos:7\nRUN yum install -y x\n", "yum clean all", id="yum"),
    ],
)
def test_message_names_manager_fix(check, text: str, advice: str) -> None:
    (finding,) = check(rule, text)
    assert advice in finding.message
