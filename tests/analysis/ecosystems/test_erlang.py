"""Erlang: rebar3 releases move to the same Erlang without the build (the -slim twin of a
full image, or the same slim or alpine image), and only the release folder comes along."""

from __future__ import annotations

import dockerfile
import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import erlang
from dockerslim_refactor.analysis.images import parse_image
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite
from dockerslim_refactor.shell import parse_shell

RELEASE = (
    "FROM {image}\nWORKDIR /app\nCOPY . .\nRUN {build}\n"
    'CMD ["/app/_build/prod/rel/hello/bin/hello", "foreground"]\n'
)


def release(image: str = "erlang:25", build: str = "rebar3 as prod release") -> str:
    return RELEASE.format(image=image, build=build)


@pytest.mark.parametrize(
    ("script", "profile"),
    [
        ("rebar3 as prod release", "prod"),
        ("rebar3 release", "default"),
        ("rebar3 as prod,native tar", "prod+native"),
        ("rebar3 as prod release -n hello", "prod"),
        ("rebar3 compile", None),
        ("rebar3 as prod compile", None),
        ("rebar3 upgrade --all", None),
        ("make release", None),
    ],
)
def test_release_profile(script: str, profile: str | None) -> None:
    (cmd,) = parse_shell(script).commands
    assert erlang.release_profile(cmd) == profile


@pytest.mark.parametrize(
    ("image", "runtime"),
    [
        ("erlang:25", "erlang:25-slim"),
        ("erlang:25.3.2", "erlang:25.3.2-slim"),
        ("erlang", "erlang:slim"),
        ("erlang:latest", "erlang:slim"),
        ("erlang:25-slim", "erlang:25-slim"),
        ("erlang:24.3-alpine", "erlang:24.3-alpine"),
        ("erlang:26-alpine3.18", "erlang:26-alpine3.18"),
        ("erlang@sha256:" + "a" * 64, None),
        ("elixir:1.14", "elixir:1.14-slim"),
        ("elixir:1.14-alpine", "elixir:1.14-alpine"),
        (
            "hexpm/elixir:1.15.7-erlang-26.1.2-debian-bookworm-20231009",
            "hexpm/elixir:1.15.7-erlang-26.1.2-debian-bookworm-20231009",
        ),
        (
            "hexpm/elixir:1.15.7-erlang-26.1.2-debian-bookworm-20231009-slim",
            "hexpm/elixir:1.15.7-erlang-26.1.2-debian-bookworm-20231009-slim",
        ),
        ("acme/erlang:25", None),
        ("registry.example.com/erlang:25", None),
        ("acme/erlang-build:25", None),
    ],
)
def test_the_runtime_is_the_same_erlang_without_the_build(image: str, runtime) -> None:
    assert erlang.erlang_runtime(parse_image(image)) == runtime


def test_a_release_is_copied_whole_onto_the_slim_twin() -> None:
    build = run_detector(erlang.detect, release())
    assert build is not None
    assert build.ecosystem == "erlang" and build.linkage == "interpreter"
    assert build.runtime_image == "erlang:25-slim"
    assert [(a.path, a.dest, a.kind) for a in build.artifacts] == [
        ("/tmp/dslim/erlang/rel", "/app/_build/prod/rel", "directory")
    ]
    (check,) = build.final_steps
    assert "[ -x /app/_build/prod/rel/hello/bin/hello ]" in check
    # Staged with its links followed: a dev-mode release links into _build and the sources.
    assert "cp -RL /app/_build/prod/rel /tmp/dslim/erlang/rel" in check


def test_rebar_base_dir_moves_the_release() -> None:
    text = release().replace("WORKDIR /app\n", "WORKDIR /app\nENV REBAR_BASE_DIR=/out\n")
    text = text.replace("/app/_build/prod/rel", "/out/prod/rel")
    build = run_detector(erlang.detect, text)
    assert build is not None
    assert [a.dest for a in build.artifacts] == ["/out/prod/rel"]


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(release(image="acme/erlang-build:25"), "--runtime-image", id="unknown-image"),
        pytest.param(
            release().replace('"/app/_build/prod/rel/hello/bin/hello"', '"/app/run.sh"'),
            "--artifact",
            id="program-outside-the-release",
        ),
        pytest.param(release().rsplit("CMD", 1)[0], "--artifact", id="no-program"),
        pytest.param(
            release(build="rebar3 release"), "--artifact", id="release-of-another-profile"
        ),
    ],
)
def test_what_cannot_be_proven_is_not_rewritten(text: str, flag: str) -> None:
    build = run_detector(erlang.detect, text)
    assert build is not None and not build.artifacts
    assert [f.flag for f in build.findings if f.severity == "warning"] == [flag]


def test_runtime_image_option_names_the_runtime() -> None:
    build = run_detector(
        erlang.detect, release(image="acme/erlang-build:25"), Options(runtime_image="acme/otp:25")
    )
    assert build is not None and build.runtime_image == "acme/otp:25"
    assert build.artifacts


def test_the_rewrite_parses_runs_the_release_and_is_stable() -> None:
    result = rewrite(release())
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)
    builder, runtime = result.output.split("\n\n# Runtime", 1)
    assert "RUN rebar3 as prod release" in builder
    assert "FROM erlang:25-slim" in runtime
    assert "COPY --from=builder /tmp/dslim/erlang/rel /app/_build/prod/rel" in runtime
    assert 'CMD ["/app/_build/prod/rel/hello/bin/hello", "foreground"]' in runtime
    # The app folder for files read by relative path, without _build (dependencies, the
    # unstaged release).
    assert "COPY --from=builder /tmp/dslim/app /app" in runtime
    assert "rm -rf /tmp/dslim/app/.git" in builder and "/tmp/dslim/app/_build" in builder
    assert rewrite(result.output).output is None


def test_dsr001_names_erlang_and_offers_the_fix() -> None:
    from dockerslim_refactor.findings import analyze

    analysis = analyze(parse(release()))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.message.startswith("single-stage Erlang build")
    assert finding.fix is not None


def test_rebar3_as_the_command_is_a_toolchain_image() -> None:
    from dockerslim_refactor.findings import analyze

    text = release().rsplit("CMD", 1)[0] + 'CMD ["rebar3", "shell"]\n'
    analysis = analyze(parse(text))
    assert analysis.leave_alone and "rebar3" in analysis.leave_alone


MIX = (
    "FROM elixir:1.14\nWORKDIR /app\nENV MIX_ENV=prod\nCOPY . .\n"
    "RUN mix deps.get && mix compile\nRUN {build}\n"
    'CMD ["/app/_build/prod/rel/hello/bin/hello", "start"]\n'
)


@pytest.mark.parametrize(
    ("script", "env", "folder"),
    [
        ("mix release", {}, "_build/dev/rel"),
        ("mix release", {"MIX_ENV": "prod"}, "_build/prod/rel"),
        ("MIX_ENV=prod mix release hello", {}, "_build/prod/rel"),
        ("mix release", {"MIX_ENV": "prod", "MIX_BUILD_ROOT": "/out"}, "/out/prod/rel"),
        ("mix release", {"MIX_BUILD_PATH": "/build"}, "/build/rel"),
        ("mix compile", {"MIX_ENV": "prod"}, None),
        ("mix phx.digest", {}, None),
    ],
)
def test_mix_release_folder(script: str, env: dict[str, str], folder: str | None) -> None:
    (cmd,) = parse_shell(script).commands
    assert erlang.mix_release_folder(cmd, env) == folder


def test_a_mix_release_runs_on_the_slim_elixir_image() -> None:
    build = run_detector(erlang.detect, MIX.format(build="mix release"))
    assert build is not None and build.ecosystem == "elixir"
    assert build.runtime_image == "elixir:1.14-slim"
    assert [a.dest for a in build.artifacts] == ["/app/_build/prod/rel"]
    (check,) = build.final_steps
    assert "is not in the release mix built" in check
    output = rewrite(MIX.format(build="mix release")).output
    assert output is not None
    # The app folder without the build and the dependencies' sources.
    assert "/tmp/dslim/app/_build /tmp/dslim/app/deps" in output
    assert "COPY --from=builder /tmp/dslim/erlang/rel /app/_build/prod/rel" in output


def test_a_mix_release_of_another_environment_is_not_taken_for_the_program() -> None:
    build = run_detector(erlang.detect, MIX.format(build="MIX_ENV=staging mix release"))
    assert build is not None and not build.artifacts
    assert [f.flag for f in build.findings if f.severity == "warning"] == ["--artifact"]


def test_mix_without_a_release_is_not_rewritten() -> None:
    from dockerslim_refactor.findings import analyze

    text = MIX.format(build="mix phx.digest").rsplit("CMD", 1)[0] + 'CMD ["mix", "phx.server"]\n'
    analysis = analyze(parse(text))
    assert analysis.leave_alone is not None
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix is None and "mix" in finding.message


def test_the_slim_twin_gets_the_ca_store_the_full_image_had() -> None:
    twin = run_detector(erlang.detect, release())
    same = run_detector(erlang.detect, release(image="erlang:24.3-alpine"))
    named = run_detector(erlang.detect, release(), Options(runtime_image="acme/otp:25"))
    assert twin is not None and twin.needs_ca_certificates
    assert same is not None and not same.needs_ca_certificates
    assert named is not None and not named.needs_ca_certificates
    output = rewrite(release()).output
    assert output is not None
    assert "printf '%s\\n' ca-certificates" in output  # installed through the probe's list


def test_the_app_code_that_runs_programs_is_read_in_elixir_and_erlang_too() -> None:
    output = rewrite(MIX.format(build="mix release")).output
    assert output is not None
    assert "-name '*.ex' -o -name '*.exs' -o -name '*.erl'" in output
    assert "-name deps -o -name _build" in output  # dependencies' code is not the app's


LOCALE = (
    "FROM erlang:25\nRUN apt-get update && apt-get install -y locales "
    "&& sed -i 's/^# *de_DE.UTF-8/de_DE.UTF-8/' /etc/locale.gen && {generate}\n"
    "ENV LANG=de_DE.UTF-8\nWORKDIR /app\nCOPY . .\nRUN rebar3 as prod release\n"
    'CMD ["/app/_build/prod/rel/hello/bin/hello", "foreground"]\n'
)


@pytest.mark.parametrize(
    "generate",
    ["locale-gen", "localedef -i de_DE -f UTF-8 de_DE.UTF-8", "dpkg-reconfigure locales"],
)
def test_compiled_locales_come_from_the_builder_without_their_compiler(generate: str) -> None:
    output = rewrite(LOCALE.format(generate=generate)).output
    assert output is not None
    runtime = output.split("\n\n# Runtime", 1)[1]
    assert "COPY --from=builder /usr/lib/locale /usr/lib/locale" in runtime
    assert " locales " not in runtime.split("COPY --from=builder /usr/lib/locale")[0]


def test_locales_installed_but_not_compiled_are_left_as_they_are() -> None:
    output = rewrite(LOCALE.format(generate="true")).output
    assert output is not None
    assert "/usr/lib/locale" not in output
    assert "locales" in output.split("\n\n# Runtime", 1)[1]
