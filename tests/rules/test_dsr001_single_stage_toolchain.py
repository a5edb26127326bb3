"""DSR001 single-stage-toolchain: a one-stage build whose final image keeps the toolchain."""

from __future__ import annotations

import pytest

from dockerslim_refactor.rules import dsr001_single_stage_toolchain as rule

CARGO_TOML = {"Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\n'}
GO_BUILD = """
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
"""

NOT_REPORTED = [
    pytest.param(
        """
        FROM golang:1.22 AS builder
        WORKDIR /src
        COPY . .
        RUN go build -o /out/app .
        FROM gcr.io/distroless/static-debian12
        COPY --from=builder /out/app /app
        CMD ["/app"]
        """,
        id="already-multi-stage",
    ),
    pytest.param(
        """
        FROM debian:bookworm-slim
        COPY app /usr/local/bin/app
        CMD ["app"]
        """,
        id="nothing-built-no-toolchain",
    ),
    pytest.param(
        """
        FROM golang:1.22
        WORKDIR /src
        COPY . .
        RUN go build ./...
        CMD ["go", "test", "./..."]
        """,
        id="image-runs-the-toolchain",
    ),
    pytest.param(
        """
        FROM gcc:13
        COPY . /src
        CMD ["bash"]
        """,
        id="toolchain-image-without-build",
    ),
    pytest.param(
        """
        FROM alpine:3.20
        RUN apk add --no-cache curl git
        CMD ["sh"]
        """,
        id="fetch-tools-alone-are-no-toolchain",
    ),
    pytest.param(
        """
        FROM debian:bookworm
        RUN apt-get update && apt-get install -y build-essential cmake git
        ENV CC=gcc
        """,
        id="builder-image-without-a-program-compiles-nothing",
    ),
    pytest.param(
        """
        FROM ubuntu:22.04
        RUN apt-get update && apt-get install -y build-essential curl libssl-dev
        RUN curl -sSf https://sh.rustup.rs | sh -s -- -y
        RUN cd /tmp && curl -LO https://example.org/zlib.tar.gz && tar xf zlib.tar.gz \\
            && cd zlib && ./configure --prefix=/usr/local/musl && make && make install
        """,
        id="development-image-with-a-toolchain-installer",
    ),
    pytest.param(
        """
        FROM golang:1.22
        RUN apt-get update && apt-get install -y protobuf-compiler
        ONBUILD COPY . /src
        ONBUILD RUN cd /src && go build -o /app .
        """,
        id="base-image-with-its-own-onbuild-steps",
    ),
]

REPORTED = [
    pytest.param(GO_BUILD, None, [("DSR001", 1, 1)], id="go-build-on-golang-image"),
    pytest.param(
        """
        ARG GO_VERSION=1.22
        FROM \\
            golang:${GO_VERSION}
        WORKDIR /src
        COPY . .
        RUN go build -o /usr/local/bin/app .
        CMD ["app"]
        """,
        None,
        [("DSR001", 2, 3)],
        id="span-is-the-from-with-continuation",
    ),
    pytest.param(
        """
        FROM rust:1.79
        WORKDIR /src
        COPY . .
        RUN cargo build --release
        CMD ["/src/target/release/app"]
        """,
        CARGO_TOML,
        [("DSR001", 1, 1)],
        id="rust-release-build",
    ),
    pytest.param(
        """
        FROM debian:bookworm
        RUN apt-get update && apt-get install -y gcc make
        WORKDIR /src
        COPY . .
        RUN make && make install
        CMD ["tally"]
        """,
        None,
        [("DSR001", 1, 1)],
        id="build-packages-on-os-image",
    ),
    pytest.param(
        """
        FROM ubuntu:22.04
        RUN apt-get update && apt-get install -y build-essential cmake curl
        RUN curl -LO https://example.org/tool.tar.gz && tar xf tool.tar.gz \\
            && cd tool && cmake . && make && make install
        ENV PATH=/opt/tool/bin:$PATH
        """,
        None,
        [("DSR001", 1, 1)],
        id="tool-image-without-a-program-that-compiles-its-tool",
    ),
    pytest.param(
        """
        FROM golang:1.6-onbuild
        RUN ./script/generatecert
        CMD ["app"]
        """,
        None,
        [("DSR001", 1, 1)],
        id="build-in-the-base-images-onbuild-triggers",
    ),
    pytest.param(
        """
        FROM node:0.10-onbuild
        EXPOSE 1880
        """,
        None,
        [("DSR001", 1, 1)],
        id="onbuild-base-with-an-inherited-command",
    ),
    pytest.param(
        """
        FROM microsoft/dotnet:2.1-sdk-stretch
        WORKDIR /app
        COPY . .
        RUN dotnet publish -c Release -o out
        ENTRYPOINT ["dotnet", "out/app.dll"]
        """,
        None,
        [("DSR001", 1, 1)],
        id="retired-dotnet-sdk-name",
    ),
    pytest.param(
        """
        FROM java:8
        COPY . /src
        WORKDIR /src
        RUN ./gradlew installDist
        CMD ["/src/build/install/app/bin/app"]
        """,
        None,
        [("DSR001", 1, 1)],
        id="retired-java-image-is-a-jdk",
    ),
]


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_does_not_report(spans, text: str) -> None:
    assert spans(rule, text) == []


@pytest.mark.parametrize(("text", "context", "expected"), REPORTED)
def test_reports(spans, text: str, context: dict[str, str] | None, expected: list) -> None:
    assert spans(rule, text, context_files=context) == expected


def test_message_names_ecosystem_evidence_and_command(check) -> None:
    (finding,) = check(rule, GO_BUILD)
    assert "single-stage Go build" in finding.message
    assert "base image golang:1.22 is a toolchain image" in finding.message
    assert "dockerslim-refactor FILE -o OUT" in finding.message
    assert (finding.severity, finding.fix, finding.fix_safe, finding.flag) == (
        "warning",
        "Convert to multi-stage build",
        False,
        None,
    )


def test_evidence_is_the_first_toolchain_item(check) -> None:
    text = """
    FROM debian:bookworm
    RUN apt-get update && apt-get install -y gcc make
    WORKDIR /src
    COPY . .
    RUN make && make install
    CMD ["tally"]
    """
    (finding,) = check(rule, text)
    assert "installs build packages: gcc, make" in finding.message


def test_reported_without_a_fix_when_no_rewrite_can_be_made() -> None:
    # The finding is about the image, whether or not the tool can rewrite it.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n"
        'CMD ["/usr/local/bin/other"]\n'
    )
    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert analysis.leave_alone is not None
    assert finding.fix is None and finding.flag is not None
    assert "no automatic rewrite yet" in finding.message and finding.flag in finding.message
    fixable = analyze(parse(GO_BUILD.lstrip()))
    (finding,) = [f for f in fixable.findings if f.code == "DSR001"]
    assert finding.fix == rule.FIX and finding.flag is None


@pytest.mark.parametrize(
    "text",
    [
        "FROM ruby:3.1\nWORKDIR /app\nCOPY . .\nRUN bundle install\n"
        'CMD ["bundle", "exec", "puma"]\n',
        "FROM php:8.2-cli\nRUN apt-get update && apt-get install -y libzip-dev "
        '&& docker-php-ext-install zip\nCOPY . /app\nCMD ["php", "/app/index.php"]\n',
    ],
    ids=["bundler-on-the-full-ruby-image", "php-extension-with-build-packages"],
)
def test_ruby_and_php_dependency_builds_are_reported_with_a_fix(text: str) -> None:
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix == rule.FIX and analysis.leave_alone is None


def test_dependency_builds_of_uncovered_ecosystems_are_reported_without_a_fix() -> None:
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM elixir:1.16\nWORKDIR /app\nCOPY . .\nRUN mix deps.get && mix compile\n"
        'CMD ["mix", "phx.server"]\n'
    )
    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix is None and analysis.leave_alone


def test_uncovered_builds_are_named_and_no_flag_is_offered() -> None:
    # --artifact cannot make a rewrite of a build there is no detector for: the finding
    # says which build it is and that the runtime stage is written by hand.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM dart:3.3\nWORKDIR /app\nCOPY . .\nRUN dart pub get\n"
        'CMD ["dart", "bin/server.dart"]\n'
    )
    (finding,) = [f for f in analyze(parse(text)).findings if f.code == "DSR001"]
    assert finding.fix is None and finding.flag is None
    assert "builds that run dart are not among those this tool rewrites" in finding.message
    # `dart` alone runs a program, as `dotnet app.dll` does: no build in the image.
    runs = text.replace("RUN dart pub get\n", "RUN dart bin/warmup.dart\n")
    assert not [f for f in analyze(parse(runs)).findings if f.code == "DSR001"]


def test_an_app_image_that_compiles_its_sources_after_a_toolchain_installer_is_reported() -> None:
    # rustup set up for native extensions of an Elixir app that compiles its copied sources:
    # not a development image, though it installs a toolchain and names no command.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM elixir:1.16-alpine\nRUN apk add --no-cache build-base curl\n"
        "RUN curl -sSf https://sh.rustup.rs | sh -s -- -y\nWORKDIR /app\n"
        "COPY mix.exs mix.lock ./\nRUN mix deps.get\nCOPY . .\nRUN mix compile\n"
    )
    (finding,) = [f for f in analyze(parse(text)).findings if f.code == "DSR001"]
    assert "mix" in finding.message and finding.fix is None
    # Only dependencies installed after the copy: a development image, not reported.
    dev = text.replace("RUN mix compile\n", "RUN bundle install\n")
    assert not [f for f in analyze(parse(dev)).findings if f.code == "DSR001"]


def test_an_image_without_a_command_that_compiles_dependencies_is_reported() -> None:
    # No CMD, but pip builds native extensions with the build packages the file installed
    # and keeps them: a tool image, not a builder image; its rewrite keeps what pip
    # installed, and the command stays docker run's.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3-pip "
        "build-essential libpq-dev\nWORKDIR /src\nCOPY . .\nRUN pip3 install -r requirements.txt\n"
    )
    (finding,) = [f for f in analyze(parse(text)).findings if f.code == "DSR001"]
    assert finding.fix is not None and "build-essential" in finding.message
    # The same build packages without a dependency install: a development image.
    dev = text.replace("RUN pip3 install -r requirements.txt\n", "")
    assert not [f for f in analyze(parse(dev)).findings if f.code == "DSR001"]


def test_a_slim_python_image_installing_requirements_is_not_reported() -> None:
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM python:3.11-slim\nCOPY . /app\nRUN pip install --no-cache-dir -r /app/req.txt\n"
        'CMD ["python", "/app/a.py"]\n'
    )
    assert not [f for f in analyze(parse(text)).findings if f.code == "DSR001"]


def test_a_slim_python_image_keeping_the_pip_cache_is_reported_with_a_fix() -> None:
    # The cache is build-only: a builder stage keeps it, the runtime does not.
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/req.txt\n"
        'CMD ["python", "/app/a.py"]\n'
    )
    (finding,) = [f for f in analyze(parse(text)).findings if f.code == "DSR001"]
    assert finding.fix == rule.FIX


def test_onbuild_evidence_names_the_triggers_and_no_fix_is_offered(check) -> None:
    (finding,) = check(rule, 'FROM maven:3.5-jdk-8-onbuild\nCMD ["java", "-jar", "app.jar"]\n')
    assert "builds the context in its ONBUILD triggers" in finding.message
    assert finding.fix is None and "no automatic rewrite yet" in finding.message


def test_dotnet_running_a_program_is_no_compiler_run() -> None:
    from dockerslim_refactor.analysis.benefit import toolchain_evidence
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    def evidence(run: str) -> list[str]:
        text = f'FROM debian:bookworm\nRUN {run}\nCMD ["x"]\n'
        return [e for _, e in toolchain_evidence(analyze(parse(text)).facts)]

    assert evidence("dotnet publish -o /out") == ["runs dotnet"]
    assert evidence("dotnet /app/tool.dll --version") == []


def test_a_retired_dotnet_sdk_name_has_its_runtime_twin() -> None:
    from dockerslim_refactor.analysis.images import interpreter_runtime, parse_image

    assert (
        interpreter_runtime(parse_image("microsoft/dotnet:2.1-sdk-stretch"), "dotnet")
        == "microsoft/dotnet:2.1-runtime-stretch-slim"
    )
    assert (
        interpreter_runtime(parse_image("mcr.microsoft.com/dotnet/sdk:8.0"), "dotnet")
        == "mcr.microsoft.com/dotnet/runtime:8.0"
    )


def test_make_as_the_apps_launcher_is_reported_without_a_fix() -> None:
    """`ENTRYPOINT ["make"] CMD ["serve"]`: make starts the app, so the compilers and -dev
    packages the file kept are not what the image is for; the recipe is in the Makefile,
    which the file does not show, so there is no fix. `make` alone, or a build or test
    target, is a builder or CI image as before."""
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential "
        "libzmq3-dev python3-dev\nWORKDIR /app\nCOPY . .\nRUN make build\nEXPOSE 5000\n"
        'ENTRYPOINT ["/usr/bin/make"]\nCMD ["serve"]\n'
    )
    analysis = analyze(parse(text))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix is None and "make serve" in finding.message
    assert "write the command that target runs as the CMD" in (analysis.leave_alone or "")
    for cmd in ('CMD ["test"]', 'CMD ["build"]', 'CMD ["-j4"]'):
        other = analyze(parse(text.replace('CMD ["serve"]', cmd)))
        assert not [f for f in other.findings if f.code == "DSR001"], cmd


DEV_IMAGE = """
FROM example/monodev:6.12
WORKDIR /app
COPY . .
RUN bash ./build-image.sh
ENTRYPOINT env MONO_TLS_PROVIDER=btls /opt/mono/bin/mono ./bin/Release/app.exe serve
"""


def test_a_build_script_on_a_development_image_is_reported_with_the_flags(check) -> None:
    """A company image named as a development image (`monodev`, `-devel`, `build-base`)
    carries a toolchain; a build script run on it is a build. Its outputs and a runtime with
    the base image's Mono are not in the file: no fix, and the reason names both flags."""
    (finding,) = check(rule, DEV_IMAGE)
    assert "example/monodev:6.12 is named as a development image" in finding.message
    assert finding.fix is None and finding.flag == "--artifact"
    assert "line 4 runs the build script ./build-image.sh" in finding.message
    assert "--runtime-image an image that has /opt/mono/bin/mono" in finding.message


@pytest.mark.parametrize(
    "base",
    [
        "example/monoapp:6.12",  # no development word
        "example/runtime-base:1",  # `runtime` is no development word
        "python:3.11-slim",  # official images are judged by what is known of them
    ],
)
def test_an_image_not_named_as_a_development_image_is_not_evidence(check, base) -> None:
    assert not check(rule, DEV_IMAGE.replace("example/monodev:6.12", base))


@pytest.mark.parametrize(
    "run, script",
    [
        ("./build.sh", "./build.sh"),
        ("sh -e scripts/build-image.sh --release", "scripts/build-image.sh"),
        ("bash ./compile", "./compile"),
        ("./make_release.sh", "./make_release.sh"),
    ],
)
def test_build_scripts_count_as_builds_on_a_development_image(run, script) -> None:
    from dockerslim_refactor.analysis.benefit import toolchain_evidence
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = DEV_IMAGE.replace("bash ./build-image.sh", run)
    evidence = [e for _, e in toolchain_evidence(analyze(parse(text)).facts)]
    assert f"runs the build script {script}" in evidence


@pytest.mark.parametrize(
    "run", ["./setup.sh", "bash -c ./build.sh", "build", "./build.py", "sh $BUILD_SCRIPT"]
)
def test_other_commands_are_not_build_scripts(run) -> None:
    from dockerslim_refactor.analysis.benefit import toolchain_evidence
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = DEV_IMAGE.replace("bash ./build-image.sh", run)
    evidence = [e for _, e in toolchain_evidence(analyze(parse(text)).facts)]
    assert not [e for e in evidence if e.startswith("runs the build script")]


def test_a_build_script_on_an_os_image_without_build_packages_is_no_evidence() -> None:
    """Only while a toolchain is kept: on plain debian the script may only copy files."""
    from dockerslim_refactor.analysis.benefit import toolchain_evidence
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze

    text = DEV_IMAGE.replace("example/monodev:6.12", "debian:bookworm")
    assert toolchain_evidence(analyze(parse(text)).facts) == ()


def test_the_named_outputs_and_runtime_rewrite_it() -> None:
    """`--artifact` with `--runtime-image`: the program of the base image (mono) runs the
    named output on the image the user vouches for."""
    from dockerslim_refactor.options import Options
    from dockerslim_refactor.rewrite import rewrite

    result = rewrite(
        DEV_IMAGE, Options(artifacts=("/app/bin/Release",), runtime_image="mono:6.12-slim")
    )
    assert result.output is not None
    assert "\nFROM mono:6.12-slim\n" in result.output
    assert "COPY --from=builder /app/bin/Release /app/bin/Release" in result.output
    # Without the runtime image no image is known to have /opt/mono/bin/mono.
    assert rewrite(DEV_IMAGE, Options(artifacts=("/app/bin/Release",))).output is None
