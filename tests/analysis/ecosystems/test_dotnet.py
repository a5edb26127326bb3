"""The .NET detector: ``dotnet publish`` output and the ASP.NET Core, .NET or runtime-deps
image of the SDK's version."""

from __future__ import annotations

import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import dotnet
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

CONSOLE_PROJECT = {
    "App.csproj": '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n'
    "    <OutputType>Exe</OutputType>\n  </PropertyGroup>\n</Project>\n"
}
WEB_PROJECT = {"src/Api/Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web">\n</Project>\n'}


def detect(
    text: str, options: Options | None = None, context: dict[str, str] | None = None
) -> BuildInfo | None:
    return run_detector(dotnet.detect, text, options, context)


def summary(build: BuildInfo) -> dict[str, object]:
    return {
        "ecosystem": build.ecosystem,
        "artifacts": [(a.path, a.dest) for a in build.artifacts],
        "linkage": build.linkage,
        "runtime_image": build.runtime_image,
        "findings": sorted((f.code, f.flag) for f in build.findings),
    }


SDK = "mcr.microsoft.com/dotnet/sdk:8.0"


def dotnet_file(
    run: str,
    extra: str = "",
    entry: str = '["dotnet", "/app/App.dll"]',
    image: str = SDK,
    workdir: str | None = "/app",
) -> str:
    """A build in /src; the program starts in ``workdir`` (None: still /src)."""
    cd = f"WORKDIR {workdir}\n" if workdir else ""
    return f"FROM {image}\nWORKDIR /src\nCOPY . .\nRUN {run}\n{extra}{cd}ENTRYPOINT {entry}\n"


IMAGE_NOTE = [("DSR100", "--runtime-image")]


# --------------------------------------------------------------------------------------------
# Must not detect / must not change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            dotnet_file("dotnet restore && dotnet build", entry='["dotnet", "run"]'),
            id="build-without-publish",
        ),
        pytest.param(dotnet_file("dotnet test"), id="test"),
        pytest.param(
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY out/ /app/\n"
            'ENTRYPOINT ["dotnet", "/app/App.dll"]\n',
            id="prebuilt-output",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            dotnet_file("dotnet restore && dotnet build", entry='["dotnet", "run"]'),
            id="runs-dotnet-run",
        ),
        pytest.param(
            dotnet_file(
                "dotnet publish -c Release -o /app",
                image="mcr.microsoft.com/dotnet/sdk@sha256:" + "a" * 64,
            ),
            id="sdk-by-digest",
        ),
    ],
)
def test_left_alone(text: str) -> None:
    result = rewrite(text)
    assert result.output is None
    assert result.reason


def test_sdk_by_digest_asks_for_runtime_image() -> None:
    build = detect(
        dotnet_file(
            "dotnet publish -c Release -o /app",
            image="mcr.microsoft.com/dotnet/sdk@sha256:" + "a" * 64,
        )
    )
    assert build is not None
    assert build.artifacts == ()
    assert summary(build)["findings"] == IMAGE_NOTE


@pytest.mark.parametrize(
    ("image", "extra", "runtime"),
    [
        # latest of the SDK and of the runtime are the same, newest release; a note says so.
        pytest.param(
            "mcr.microsoft.com/dotnet/sdk",
            "EXPOSE 80\n",
            "mcr.microsoft.com/dotnet/aspnet",
            id="untagged-sdk",
        ),
        pytest.param(
            "microsoft/aspnetcore-build",
            "EXPOSE 80\n",
            "microsoft/aspnetcore",
            id="untagged-retired-aspnetcore-build",
        ),
    ],
)
def test_untagged_sdk_runs_on_the_untagged_runtime(image: str, extra: str, runtime: str) -> None:
    build = detect(dotnet_file("dotnet publish -c Release -o /app", extra, image=image))
    assert build is not None
    assert build.runtime_image == runtime
    assert any("names no version" in f.message for f in build.findings)


def test_retired_sdk_name_without_command_is_rewritten() -> None:
    """``microsoft/dotnet:2.1-sdk-stretch`` with no command: the publish folder moves to the
    2.1 ASP.NET Core runtime, and the image still names no command."""
    text = (
        "FROM microsoft/dotnet:2.1-sdk-stretch AS builder\nWORKDIR /app\nCOPY /src .\n"
        "RUN dotnet publish App.csproj -c Release -o out\nEXPOSE 3978\n"
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    assert "FROM microsoft/dotnet:2.1-aspnetcore-runtime-stretch-slim" in result.output
    # Started in /app (no command: docker run's, in the WORKDIR): its content root comes
    # whole, with files the publish folder lacks (a bot's .bot file).
    assert "COPY --from=builder /app /app" in result.output
    assert "CMD" not in result.output and "ENTRYPOINT" not in result.output


# --------------------------------------------------------------------------------------------
# Detects


@pytest.mark.parametrize(
    ("text", "expected", "fragment"),
    [
        pytest.param(
            dotnet_file("dotnet publish -c Release -o /app", "EXPOSE 8080\n"),
            {
                "artifacts": [("/app", "/app")],
                "runtime_image": "mcr.microsoft.com/dotnet/aspnet:8.0",
                "findings": IMAGE_NOTE,
            },
            "web app",
            id="exposed-port-aspnet",
        ),
        pytest.param(
            dotnet_file("dotnet publish -c Release -o /app", "ENV ASPNETCORE_HTTP_PORTS=8080\n"),
            {"runtime_image": "mcr.microsoft.com/dotnet/aspnet:8.0"},
            "web app",
            id="aspnetcore-env-aspnet",
        ),
        pytest.param(
            dotnet_file("dotnet publish -c Release -o /app"),
            {
                "artifacts": [("/app", "/app")],
                "runtime_image": "mcr.microsoft.com/dotnet/runtime:8.0",
                "findings": IMAGE_NOTE,
            },
            "console app",
            id="console-runtime",
        ),
        pytest.param(
            dotnet_file(
                "dotnet publish -c Release -r linux-x64 --self-contained true -o /app",
                entry='["/app/App"]',
            ),
            {"runtime_image": "mcr.microsoft.com/dotnet/runtime-deps:8.0"},
            "runtime-deps",
            id="self-contained-runtime-deps",
        ),
        pytest.param(
            dotnet_file("dotnet publish -c Release -r linux-x64 --self-contained false -o /app"),
            {"runtime_image": "mcr.microsoft.com/dotnet/runtime:8.0"},
            "console app",
            id="framework-dependent-with-rid",
        ),
        pytest.param(
            dotnet_file(
                "dotnet publish -c Release --output out",
                "EXPOSE 80\n",
                '["dotnet", "out/App.dll"]',
                "mcr.microsoft.com/dotnet/sdk:8.0-alpine",
                workdir=None,
            ),
            {
                # Started in /src: its content root, copied whole with out/ in it.
                "artifacts": [("/src", "/src")],
                "runtime_image": "mcr.microsoft.com/dotnet/aspnet:8.0-alpine",
            },
            "web app",
            id="relative-output-alpine",
        ),
        pytest.param(
            dotnet_file(
                "dotnet publish -c Release",
                entry='["dotnet", "publish/App.dll"]',
                workdir="/src/bin/Release/net8.0",
            ),
            {
                "artifacts": [("/src/bin/Release", "/src/bin/Release")],
                "findings": sorted(IMAGE_NOTE + [("DSR100", "--artifact")]),
            },
            "console app",
            id="no-output-folder-is-a-guess",
        ),
    ],
)
def test_detects(text: str, expected: dict[str, object], fragment: str) -> None:
    build = detect(text, context=CONSOLE_PROJECT)
    assert build is not None
    got = summary(build)
    assert (got["ecosystem"], got["linkage"]) == ("dotnet", "interpreter")
    assert {key: got[key] for key in expected} == expected
    image_notes = [f.message for f in build.findings if f.flag == "--runtime-image"]
    assert any(fragment in message for message in image_notes)


@pytest.mark.parametrize(
    ("context", "runtime", "fragment"),
    [
        pytest.param(WEB_PROJECT, "aspnet", "web SDK", id="web-sdk-project"),
        pytest.param(
            {
                "Lib.csproj": '<Project Sdk="Microsoft.NET.Sdk">\n'
                '  <ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" />'
                "</ItemGroup>\n</Project>\n"
            },
            "aspnet",
            "web SDK",
            id="aspnetcore-framework-reference",
        ),
        pytest.param(CONSOLE_PROJECT, "runtime", "plain SDK", id="console-project"),
        # Without a project file the ASP.NET Core image, which runs console apps too: a
        # web API on the plain runtime image would not start.
        pytest.param({}, "aspnet", "no project file was read", id="unknown-is-aspnet"),
    ],
)
def test_project_file_picks_the_runtime(
    context: dict[str, str], runtime: str, fragment: str
) -> None:
    build = detect(dotnet_file("dotnet publish -c Release -o /app"), context=context)
    assert build is not None
    assert build.runtime_image == f"mcr.microsoft.com/dotnet/{runtime}:8.0"
    assert any(fragment in f.message for f in build.findings if f.flag == "--runtime-image")


@pytest.mark.parametrize(
    ("text", "artifacts", "noted"),
    [
        # `dotnet ./out/App.dll` from /app: the content root is /app, with appsettings.json,
        # wwwroot and the files the app opens by relative path; out/ is inside it.
        pytest.param(
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /app\nCOPY . .\n"
            "RUN dotnet publish -c Release -o out\nEXPOSE 80\n"
            'ENTRYPOINT ["dotnet", "./out/App.dll"]\n',
            [("/app", "/app")],
            True,
            id="publish-folder-inside-the-content-root",
        ),
        # Published elsewhere, started in the sources: both come.
        pytest.param(
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet publish -c Release -o /app\nEXPOSE 80\n"
            'ENTRYPOINT ["dotnet", "/app/App.dll"]\n',
            [("/app", "/app"), ("/src", "/src")],
            True,
            id="published-elsewhere",
        ),
        # Started in the publish folder: only that.
        pytest.param(
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet publish -c Release -o /app\nWORKDIR /app\nEXPOSE 80\n"
            'ENTRYPOINT ["dotnet", "App.dll"]\n',
            [("/app", "/app")],
            False,
            id="started-in-the-publish-folder",
        ),
    ],
)
def test_the_folder_the_program_starts_in_is_its_content_root(
    text: str, artifacts: list[tuple[str, str]], noted: bool
) -> None:
    build = detect(text)
    assert build is not None
    assert [(a.path, a.dest) for a in build.artifacts] == artifacts
    assert any("content root" in f.message for f in build.findings) == noted


def test_runtime_image_option_wins() -> None:
    build = detect(
        dotnet_file("dotnet publish -c Release -o /app", "EXPOSE 8080\n"),
        Options(runtime_image="mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled"),
    )
    assert build is not None
    assert build.runtime_image == "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled"


def test_runtime_identifier_alone_is_framework_dependent_on_sdk_8() -> None:
    build = detect(
        dotnet_file("dotnet publish -c Release -r linux-x64 -o /app"), context=CONSOLE_PROJECT
    )
    assert build is not None
    assert build.runtime_image == "mcr.microsoft.com/dotnet/runtime:8.0"


def test_a_content_root_in_a_system_folder_is_left_alone() -> None:
    """Copying /usr whole would bring the SDK back: the flag names what to copy instead."""
    text = (
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
        "RUN dotnet publish -c Release -o /app\nWORKDIR /usr\nEXPOSE 80\n"
        'ENTRYPOINT ["dotnet", "/app/App.dll"]\n'
    )
    result = rewrite(text)
    assert result.output is None
    assert "content root" in result.reason and "--artifact" in result.reason
