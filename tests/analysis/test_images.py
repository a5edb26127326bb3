"""dockerslim_refactor.analysis.images: image references, base image families, the runtime image
that
matches a builder, Java major versions."""

from __future__ import annotations

import pytest

from dockerslim_refactor.analysis.images import (
    base_image_info,
    builder_codename,
    interpreter_runtime,
    java_major,
    parse_image,
)

# --------------------------------------------------------------------------------------------
# parse_image


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest", "name"),
    [
        pytest.param("golang", None, "golang", None, None, "golang", id="bare-name"),
        pytest.param("golang:1.22", None, "golang", "1.22", None, "golang", id="tag"),
        pytest.param(
            "docker.io/library/golang:1.22-alpine",
            "docker.io",
            "golang",
            "1.22-alpine",
            None,
            "golang",
            id="registry-and-library-prefix",
        ),
        pytest.param("library/node:20", None, "node", "20", None, "node", id="library-prefix"),
        pytest.param(
            "localhost:5000/team/app:1.0",
            "localhost:5000",
            "team/app",
            "1.0",
            None,
            "app",
            id="registry-with-port",
        ),
        pytest.param("localhost/app", "localhost", "app", None, None, "app", id="localhost"),
        pytest.param(
            "registry.example.com:443/x/y@sha256:abc",
            "registry.example.com:443",
            "x/y",
            None,
            "sha256:abc",
            "y",
            id="digest-only",
        ),
        pytest.param(
            "python:3.12@sha256:abc",
            None,
            "python",
            "3.12",
            "sha256:abc",
            "python",
            id="tag-and-digest",
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "mcr.microsoft.com",
            "dotnet/sdk",
            "8.0",
            None,
            "sdk",
            id="nested-repository",
        ),
        pytest.param(
            "myorg/app:3.12-slim", None, "myorg/app", "3.12-slim", None, "app", id="user-repo"
        ),
    ],
)
def test_parse_image(
    text: str,
    registry: str | None,
    repository: str,
    tag: str | None,
    digest: str | None,
    name: str,
) -> None:
    ref = parse_image(text)
    assert (ref.text, ref.registry, ref.repository, ref.tag, ref.digest, ref.name) == (
        text,
        registry,
        repository,
        tag,
        digest,
        name,
    )


@pytest.mark.parametrize(
    ("text", "pinned"),
    [
        pytest.param("python", False, id="no-tag"),
        pytest.param("python:latest", False, id="latest"),
        pytest.param("python:3.12", True, id="version-tag"),
        pytest.param("python@sha256:abc", True, id="digest"),
        pytest.param("python:latest@sha256:abc", True, id="latest-with-digest"),
    ],
)
def test_pinned(text: str, pinned: bool) -> None:
    assert parse_image(text).pinned is pinned


@pytest.mark.parametrize(
    ("text", "version", "words", "codename", "alpine"),
    [
        pytest.param(
            "python:3.12-slim-bookworm",
            "3.12",
            ("3.12", "slim", "bookworm"),
            "bookworm",
            False,
            id="slim-codename",
        ),
        pytest.param("ghcr.io/o/img:v1.2.3", "1.2.3", ("v1.2.3",), None, False, id="v-prefix"),
        pytest.param(
            "golang:1.22-alpine3.19",
            "1.22",
            ("1.22", "alpine3.19"),
            None,
            True,
            id="alpine-release",
        ),
        pytest.param("alpine:3.20", "3.20", ("3.20",), None, True, id="alpine-itself"),
        pytest.param("node:lts", None, ("lts",), None, False, id="named-tag"),
        pytest.param("node", None, (), None, False, id="no-tag"),
        pytest.param(
            "debian:bullseye-slim",
            None,
            ("bullseye", "slim"),
            "bullseye",
            False,
            id="debian-codename",
        ),
    ],
)
def test_version_and_variants(
    text: str, version: str | None, words: tuple[str, ...], codename: str | None, alpine: bool
) -> None:
    ref = parse_image(text)
    assert (ref.version, ref.variant_words, ref.debian_codename, ref.is_alpine) == (
        version,
        words,
        codename,
        alpine,
    )


def test_variables_are_noticed() -> None:
    assert parse_image("golang:${GO_VERSION}").has_variables
    assert not parse_image("golang:1.22").has_variables


# --------------------------------------------------------------------------------------------
# base_image_info


@pytest.mark.parametrize(
    ("text", "ecosystem", "libc", "shell", "toolchain"),
    [
        pytest.param("scratch", None, "none", False, False, id="scratch"),
        pytest.param("busybox:1.36", None, "glibc", True, False, id="busybox"),
        pytest.param("busybox:1.36-musl", None, "musl", True, False, id="busybox-musl"),
        pytest.param(
            "gcr.io/distroless/static-debian12", None, "none", False, False, id="distroless-static"
        ),
        pytest.param(
            "gcr.io/distroless/static-debian12:debug",
            None,
            "none",
            True,
            False,
            id="distroless-static-debug",
        ),
        pytest.param(
            "gcr.io/distroless/cc-debian12", None, "glibc", False, False, id="distroless-cc"
        ),
        pytest.param("alpine:3.20", None, "musl", True, False, id="alpine"),
        pytest.param("ubuntu:22.04", None, "glibc", True, False, id="ubuntu"),
        pytest.param("golang:1.22", "go", "glibc", True, True, id="golang"),
        pytest.param("golang:1.22-alpine", "go", "musl", True, True, id="golang-alpine"),
        pytest.param("rust:1.79-slim", "rust", "glibc", True, True, id="rust-slim"),
        pytest.param("gcc:13", "c", "glibc", True, True, id="gcc"),
        pytest.param("buildpack-deps:bookworm", "c", "glibc", True, True, id="buildpack-deps"),
        pytest.param("python:3.12", "python", "glibc", True, True, id="python-full"),
        pytest.param("python:3.12-slim", "python", "glibc", True, False, id="python-slim"),
        pytest.param("python:3.12-alpine", "python", "musl", True, False, id="python-alpine"),
        pytest.param("node:20", "node", "glibc", True, True, id="node-full"),
        pytest.param("node:20-slim", "node", "glibc", True, False, id="node-slim"),
        pytest.param("maven:3.9-eclipse-temurin-21", "java", "glibc", True, True, id="maven"),
        pytest.param("eclipse-temurin:21-jdk", "java", "glibc", True, True, id="jdk"),
        pytest.param("eclipse-temurin:21-jre", "java", "glibc", True, False, id="jre"),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0", "dotnet", "glibc", True, True, id="dotnet-sdk"
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/aspnet:8.0", None, "glibc", True, False, id="dotnet-aspnet"
        ),
        pytest.param("nginx:1.27", None, "glibc", True, False, id="unknown-image"),
    ],
)
def test_base_image_info(
    text: str, ecosystem: str | None, libc: str, shell: bool, toolchain: bool
) -> None:
    info = base_image_info(parse_image(text))
    assert (info.ecosystem, info.libc, info.has_shell, info.is_toolchain) == (
        ecosystem,
        libc,
        shell,
        toolchain,
    )


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        pytest.param("golang:1.22", "GOPATH", "/go", id="gopath"),
        pytest.param("rust:1.79", "CARGO_HOME", "/usr/local/cargo", id="cargo-home"),
    ],
)
def test_toolchain_environment(text: str, key: str, value: str) -> None:
    env = dict(base_image_info(parse_image(text)).env)
    assert env[key] == value
    assert env["PATH"].endswith("/usr/bin:/sbin:/bin")


# --------------------------------------------------------------------------------------------
# interpreter_runtime


@pytest.mark.parametrize(
    ("text", "ecosystem", "runtime"),
    [
        pytest.param("python:3.12", "python", "python:3.12-slim", id="python"),
        pytest.param(
            "python:3.11-bookworm", "python", "python:3.11-slim-bookworm", id="python-codename"
        ),
        pytest.param(
            "python:3.12-slim-bookworm",
            "python",
            "python:3.12-slim-bookworm",
            id="python-slim-kept",
        ),
        pytest.param("python:3.12-alpine", "python", "python:3.12-alpine", id="python-alpine"),
        pytest.param(
            "python:3.12-alpine3.19", "python", "python:3.12-alpine3.19", id="python-alpine-release"
        ),
        # Tags that name no version move with their slim twin, built from the same release.
        pytest.param("python:latest", "python", "python:slim", id="python-latest"),
        pytest.param("python", "python", "python:slim", id="python-untagged"),
        pytest.param("python:bookworm", "python", "python:slim-bookworm", id="python-release"),
        pytest.param("ruby:latest", "ruby", "ruby:slim", id="ruby-latest"),
        # An alpine tag without a version is the family's small image already.
        pytest.param("python:alpine3.14", "python", "python:alpine3.14", id="python-alpine-only"),
        pytest.param("python@sha256:" + "a" * 64, "python", None, id="python-digest"),
        pytest.param("node:20", "node", "node:20-slim", id="node"),
        pytest.param("node:20-alpine", "node", "node:20-alpine", id="node-alpine"),
        pytest.param("node:lts", "node", "node:lts-slim", id="node-lts"),
        pytest.param("node:latest", "node", "node:slim", id="node-latest"),
        pytest.param("node:current-alpine", "node", "node:current-alpine", id="node-current"),
        pytest.param("node:lts-bullseye", "node", "node:lts-bullseye-slim", id="node-lts-release"),
        pytest.param("node:iron", "node", None, id="node-codename-tag"),
        pytest.param(
            "maven:3.9-eclipse-temurin-21", "java", "eclipse-temurin:21-jre", id="java-maven"
        ),
        pytest.param(
            "maven:3.9-eclipse-temurin-17-alpine",
            "java",
            "eclipse-temurin:17-jre-alpine",
            id="java-alpine",
        ),
        pytest.param(
            "gradle:8.7-jdk17-jammy",
            "java",
            "eclipse-temurin:17-jre-jammy",
            id="java-ubuntu-codename",
        ),
        pytest.param("maven:3.9", "java", None, id="java-unknown"),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "dotnet",
            "mcr.microsoft.com/dotnet/runtime:8.0",
            id="dotnet",
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0-alpine",
            "dotnet",
            "mcr.microsoft.com/dotnet/runtime:8.0-alpine",
            id="dotnet-alpine",
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk",
            "dotnet",
            "mcr.microsoft.com/dotnet/runtime",
            id="dotnet-untagged",
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0.100",
            "dotnet",
            "mcr.microsoft.com/dotnet/runtime:8.0",
            id="dotnet-sdk-feature-band",
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/core/sdk:3.1-buster",
            "dotnet",
            "mcr.microsoft.com/dotnet/core/runtime:3.1-buster-slim",
            id="dotnet-core-debian",
        ),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0-bookworm-slim",
            "dotnet",
            "mcr.microsoft.com/dotnet/runtime:8.0-bookworm-slim",
            id="dotnet-slim-kept",
        ),
        pytest.param(
            "microsoft/dotnet:2.1-sdk-stretch",
            "dotnet",
            "microsoft/dotnet:2.1-runtime-stretch-slim",
            id="dotnet-retired",
        ),
        pytest.param(
            "microsoft/dotnet:2.1.401-sdk-alpine3.7",
            "dotnet",
            "microsoft/dotnet:2.1-runtime-alpine3.7",
            id="dotnet-retired-sdk-version",
        ),
        pytest.param(
            "microsoft/dotnet:2.0.6-sdk-2.1.101-stretch",
            "dotnet",
            "microsoft/dotnet:2.0.6-runtime-stretch",
            id="dotnet-retired-2.0-not-slim",
        ),
        pytest.param("microsoft/dotnet:2.1-runtime", "dotnet", None, id="dotnet-not-an-sdk"),
        pytest.param(
            "microsoft/aspnetcore-build:2.0.3-2.1.2",
            "dotnet",
            "microsoft/aspnetcore:2.0",
            id="aspnetcore-build",
        ),
        pytest.param("golang:1.22", "go", None, id="compiled-language"),
    ],
)
def test_interpreter_runtime(text: str, ecosystem: str, runtime: str | None) -> None:
    assert interpreter_runtime(parse_image(text), ecosystem) == runtime


@pytest.mark.parametrize(
    ("text", "runtime"),
    [
        pytest.param("node:20-bookworm", "node:20-bookworm-slim", id="codename"),
        pytest.param("node:20.11.1-bookworm-slim", "node:20.11.1-bookworm-slim", id="slim-kept"),
    ],
)
def test_node_slim_tag_order(text: str, runtime: str) -> None:
    assert interpreter_runtime(parse_image(text), "node") == runtime


@pytest.mark.parametrize(
    ("text", "runtime"),
    [
        pytest.param(
            "microsoft/dotnet:2.1-sdk-stretch",
            "microsoft/dotnet:2.1-aspnetcore-runtime-stretch-slim",
            id="2.1",
        ),
        # ASP.NET Core before 2.1 came as an image of its own.
        pytest.param("microsoft/dotnet:2.0-sdk", "microsoft/aspnetcore:2.0", id="2.0"),
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk:8.0-alpine",
            "mcr.microsoft.com/dotnet/aspnet:8.0-alpine",
            id="mcr",
        ),
    ],
)
def test_dotnet_aspnet_runtime(text: str, runtime: str) -> None:
    assert interpreter_runtime(parse_image(text), "dotnet", "aspnet") == runtime


def test_interpreter_runtime_of_another_interpreter_is_none() -> None:
    assert interpreter_runtime(parse_image("python:3.12"), "node") is None


# --------------------------------------------------------------------------------------------
# java_major, builder_codename


@pytest.mark.parametrize(
    ("text", "major"),
    [
        pytest.param("maven:3.9-eclipse-temurin-21", "21", id="maven-temurin"),
        pytest.param("maven:3.9-eclipse-temurin-17-alpine", "17", id="maven-temurin-alpine"),
        pytest.param("gradle:8.7-jdk21", "21", id="gradle-jdk"),
        pytest.param("gradle:8.7-jdk17-jammy", "17", id="gradle-jdk-ubuntu"),
        pytest.param("maven:3-openjdk-11", "11", id="maven-openjdk"),
        pytest.param("eclipse-temurin:21-jdk", "21", id="temurin"),
        pytest.param("openjdk:17", "17", id="openjdk"),
        pytest.param("amazoncorretto:21", "21", id="corretto"),
        pytest.param("sapmachine:21", "21", id="sapmachine"),
        pytest.param("maven:3.9", None, id="maven-unknown"),
        pytest.param("gradle:8.7", None, id="gradle-unknown"),
        pytest.param("eclipse-temurin", None, id="untagged"),
        # The version in the repository's own name (a vendor's Maven-and-JDK image).
        pytest.param("adoptopenjdk/maven-openjdk11", "11", id="name-openjdk11"),
        pytest.param("registry.example.com/ci/gradle-jdk17:8.5", "17", id="name-jdk17"),
        pytest.param("example/maven-builder:2", None, id="name-without-version"),
    ],
)
def test_java_major(text: str, major: str | None) -> None:
    assert java_major(parse_image(text)) == major


def test_java_major_maven_amazoncorretto() -> None:
    assert java_major(parse_image("maven:3.9-amazoncorretto-21")) == "21"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("golang:1.22-bullseye", ("bullseye", True), id="named"),
        pytest.param("golang:1.22", ("bookworm", False), id="default"),
        pytest.param("python:3.12-slim-trixie", ("trixie", True), id="trixie"),
        # Older releases count as named too: golang:wheezy is wheezy, not "unknown".
        pytest.param("golang:wheezy", ("wheezy", True), id="wheezy"),
        pytest.param("node:8-stretch", ("stretch", True), id="stretch"),
    ],
)
def test_builder_codename(text: str, expected: tuple[str, bool]) -> None:
    assert builder_codename(parse_image(text)) == expected


@pytest.mark.parametrize(
    ("image", "codename"),
    [
        ("rust:1.51", "buster"),
        ("rust:1.51.0", "buster"),
        ("rust:1.60", "bullseye"),
        ("rust:1.75-slim", "bookworm"),
        ("rust:1.91", "trixie"),
        ("rust", "trixie"),
        ("rust:1.30", None),  # before any release this table knows
        # Nightly images follow docker-rust's default release, Debian stable, as
        # rust:latest does; the builder checks.
        ("rustlang/rust:nightly", "trixie"),
        ("rustlang/rust:nightly-slim", "trixie"),
        ("rustlang/rust:nightly-trixie", None),  # named: builder_codename reads it
        ("rustlang/rust:nightly-alpine", None),
        ("rustlang/rust@sha256:" + "a" * 64, None),
        ("golang:1.7", "jessie"),
        ("golang:1.8", "jessie"),  # pinned there when 1.9 came on stretch
        ("golang:1.9", "stretch"),
        ("golang:1.12", "buster"),
        ("golang:1.20", "bookworm"),
        ("golang:1.25", "trixie"),
        ("golang:1.8-alpine", None),  # musl: no Debian release at all
        ("golang:1.3", None),
    ],
)
def test_probable_codename_of_a_toolchain_tag(image: str, codename: str | None) -> None:
    from dockerslim_refactor.analysis.images import parse_image, probable_codename

    assert probable_codename(parse_image(image)) == codename


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("decarabas/monodev:latest", True),
        ("nvidia/cuda:12.2.0-devel-ubuntu22.04", True),
        ("acme/build-base:3", True),
        ("registry.example.com/team/node-builder:18", True),
        ("acme/android-sdk:34", True),
        ("nvidia/cuda:12.2.0-runtime-ubuntu22.04", False),
        ("acme/app:1.0", False),
        ("acme/developer-portal:2", False),  # a word, not a marker
        ("golang:1.22", False),  # official: judged by what is known of it
        ("library/debian:bookworm", False),
        ("bitnami/python:3.11", False),  # a known ecosystem's image
    ],
)
def test_named_development_image(text: str, named: bool) -> None:
    from dockerslim_refactor.analysis.images import named_development_image

    assert named_development_image(parse_image(text)) is named
