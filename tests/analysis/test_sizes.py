"""dockerslim_refactor.analysis.sizes: the published sizes of base images, the lookup (exact tag,
nearest listed tag, unknown), the estimate's wording and the final stage's base image."""

from __future__ import annotations

import re

import pytest

from dockerslim_refactor.analysis.sizes import (
    BASIS,
    SCRATCH,
    TABLE,
    estimate,
    final_base,
    lookup,
    megabytes_text,
)
from dockerslim_refactor.document import parse

# --------------------------------------------------------------------------------------------
# the table


def test_every_entry_has_a_date_a_source_and_a_plausible_figure() -> None:
    seen: set[str] = set()
    for entry in TABLE:
        assert entry.tags, entry
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", entry.taken or ""), entry
        assert entry.source, entry
        assert 0 < entry.megabytes < 2000, entry
        for tag in entry.tags:
            name = f"{entry.repository}:{tag}"
            assert name not in seen, f"{name} is listed twice"
            seen.add(name)
        if entry.approximate:
            assert entry.source.startswith("approximate"), entry


def test_scratch_is_empty_by_definition() -> None:
    assert (SCRATCH.megabytes, SCRATCH.taken) == (0.0, None)
    found = lookup("scratch")
    assert (found.entry, found.exact, found.figure()) == (SCRATCH, True, "0 MB")


# --------------------------------------------------------------------------------------------
# lookup: unknown first (never a made-up number), then exact tags, then the nearest tag


@pytest.mark.parametrize(
    "image",
    [
        pytest.param("registry.example.com/team/base:1.4", id="company-registry"),
        pytest.param("acme/go-builder:1.22", id="docker-hub-user-image"),
        pytest.param("mcr.microsoft.com/dotnet/sdk:8.0", id="no-published-figure"),
        pytest.param("gcr.io/distroless/static-debian12:debug", id="other-variant-debug"),
        pytest.param("busybox:1.36.1-musl", id="other-variant-musl"),
        pytest.param("eclipse-temurin:21-jre-alpine", id="variant-not-listed"),
        pytest.param("golang:${GO_VERSION}", id="variable"),
        pytest.param("ubuntu@sha256:" + "a" * 64, id="digest-only"),
        pytest.param("gradle:8.7-jdk17", id="repository-not-listed"),
    ],
)
def test_unknown_images_have_no_figure(image: str) -> None:
    found = lookup(image)
    assert not found.known
    assert found.megabytes is None
    assert found.figure() == "size unknown"
    assert found.text() == f"{image} size unknown"
    assert found.as_dict()["megabytes"] is None


@pytest.mark.parametrize(
    ("image", "megabytes", "taken"),
    [
        pytest.param("golang:1.22", 299.4, "2024-09-05", id="toolchain"),
        pytest.param("golang:1.22-bookworm", 299.4, "2024-09-05", id="tag-of-the-same-image"),
        pytest.param("docker.io/library/golang:1.22", 299.4, "2024-09-05", id="docker-hub-name"),
        pytest.param("alpine:3.20", 3.6, "2025-12-07", id="alpine"),
        pytest.param("node:20-slim", 70.7, "2025-01-14", id="slim"),
        pytest.param(
            "public.ecr.aws/docker/library/node:22-alpine", 60.7, "2026-09-23", id="mirror"
        ),
        pytest.param("gcr.io/distroless/static-debian12", 2.1, "2026-12-06", id="distroless"),
        pytest.param("debian:bookworm-slim", 28.2, "2026-08-04", id="os-slim"),
        pytest.param("golang:1.22@sha256:" + "b" * 64, 299.4, "2024-09-05", id="tag-and-digest"),
    ],
)
def test_exact_tags(image: str, megabytes: float, taken: str) -> None:
    found = lookup(image)
    assert found.exact and found.entry is not None
    assert (found.megabytes, found.entry.taken) == (megabytes, taken)
    assert "(as " not in found.text()


@pytest.mark.parametrize(
    ("image", "matched"),
    [
        pytest.param("golang:1.22.5", "golang:1.22", id="patch-release"),
        pytest.param("golang:1.22.5-bookworm", "golang:1.22", id="patch-release-with-os"),
        pytest.param("golang:1.23", "golang:1.22", id="nearest-minor"),
        pytest.param("node:18", "node:20", id="nearest-major"),
        pytest.param("node:18-bookworm-slim", "node:20-slim", id="same-variant"),
        pytest.param("alpine:3.19", "alpine:3.20", id="older-alpine"),
        pytest.param("debian:12.5-slim", "debian:bookworm-slim", id="debian-point-release"),
        pytest.param("python:3.11-slim-bookworm", "python:3.12-slim", id="release-not-listed"),
        pytest.param("node:20-alpine3.20", "node:22-alpine", id="alpine-release-not-listed"),
        pytest.param("ubuntu", "ubuntu:24.04", id="latest-is-the-newest"),
    ],
)
def test_a_tag_not_listed_falls_back_to_the_nearest_and_says_so(image: str, matched: str) -> None:
    found = lookup(image)
    assert found.known and not found.exact
    assert found.entry is not None and found.entry.reference == matched
    assert found.text().endswith(f"(as {matched})")
    assert found.as_dict()["matched"] == matched


def test_an_approximate_figure_says_so() -> None:
    found = lookup("gcr.io/distroless/cc-debian12")
    assert found.exact and found.entry is not None and found.entry.approximate
    assert found.figure() == "~20 MB"
    assert found.text() == "gcr.io/distroless/cc-debian12 ~20 MB (approximate)"


# --------------------------------------------------------------------------------------------
# the estimate


@pytest.mark.parametrize(
    ("megabytes", "text"),
    [(0, "0 MB"), (2.0, "2 MB"), (2.15, "2.1 MB"), (3.6, "3.6 MB"), (43.2, "43 MB"),
     (299.4, "299 MB"), (1234.0, "1.2 GB")],
)  # fmt: skip
def test_megabytes_text(megabytes: float, text: str) -> None:
    assert megabytes_text(megabytes) == text


def test_estimate_wording() -> None:
    found = estimate("golang:1.22", "gcr.io/distroless/static-debian12")
    assert found.summary() == "golang:1.22 ≈ 299 MB → gcr.io/distroless/static-debian12 ≈ 2.1 MB"
    assert found.short() == "≈ 299 MB → 2.1 MB"
    assert found.line() == (
        "estimated size golang:1.22 ≈ 299 MB → gcr.io/distroless/static-debian12 ≈ 2.1 MB "
        "(compressed base images, without your layers)"
    )
    assert found.as_dict()["basis"] == BASIS


def test_estimate_with_an_unknown_side_says_so() -> None:
    assert estimate("golang:1.22", "mcr.microsoft.com/dotnet/aspnet:8.0").short() == (
        "≈ 299 MB → size unknown"
    )
    assert estimate("acme/sdk:1", "acme/runtime:1").short() == "size unknown"
    assert estimate("rust:1.79", "gcr.io/distroless/cc-debian12").short() == "≈ 527 MB → ~20 MB"


def test_final_base_follows_the_stages_and_global_args() -> None:
    document = parse(
        "ARG GO=1.22\nFROM golang:${GO} AS build\nRUN go build -o /app .\n"
        "FROM build AS test\nRUN go test ./...\n"
        'FROM test\nCMD ["/app"]\n'
    )
    assert final_base(document) == "golang:1.22"
    assert final_base(parse("FROM alpine:3.20 AS a\nFROM scratch\nCOPY --from=a / /\n")) == (
        "scratch"
    )
