"""The wizard's questions driven through prompt_toolkit's pipe input: defaults give the CLI's
output byte for byte, each answer becomes the flag the printed command names, and Ctrl-C or
Esc write nothing."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from wizard_support import (
    C_DOCKERFILE,
    CTRL_C,
    CTRL_U,
    DOWN,
    ENTER,
    ESC,
    GO_DOCKERFILE,
    MULTI_STAGE,
    Drive,
)

from dockerslim_refactor.frontends import cli, wizard
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

PROG = "dockerslim-refactor"

# Go: artifact, runtime, non-root user, ports, extra files, [output path], write.
GO_DEFAULTS = ENTER * 6
# C: two artifacts (binary, collected libraries), runtime, non-root user, extra files, write.
C_DEFAULTS = ENTER * 6


def listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def replay(command: str, cli_writes) -> bytes:
    """What the printed equivalent command writes (its ``-o`` target must not exist yet)."""
    words = shlex.split(command)
    assert words[0] == PROG
    return cli_writes(*words[1:])


# -- defaults ----------------------------------------------------------------------------------


def test_all_defaults_write_what_the_cli_writes(go: Path, drive: Drive, cli_writes) -> None:
    result = drive(GO_DEFAULTS, "Dockerfile", "-o", "Dockerfile.new")
    assert result.code == 0, result.err
    assert result.err == ""
    written = (go / "Dockerfile.new").read_bytes()
    assert written == cli_writes("Dockerfile", "-o", "cli.out")
    assert result.command == f"{PROG} Dockerfile -o Dockerfile.new"
    assert "Wrote Dockerfile.new" in result.out


def test_output_path_defaults_to_dockerfile_new_next_to_the_input(
    go: Path, drive: Drive, cli_writes
) -> None:
    (go / "svc").mkdir()
    (go / "Dockerfile").rename(go / "svc" / "Dockerfile")
    # One more Enter: the "Write the rewrite to" question.
    result = drive(GO_DEFAULTS + ENTER, "svc/Dockerfile")
    assert result.code == 0, result.err
    assert (go / "svc" / "Dockerfile.new").read_bytes() == cli_writes(
        "svc/Dockerfile", "-o", "cli.out"
    )
    assert result.command == f"{PROG} svc/Dockerfile -o svc/Dockerfile.new"


def test_c_defaults_write_what_the_cli_writes(c: Path, drive: Drive, cli_writes) -> None:
    result = drive(C_DEFAULTS, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (c / "out").read_bytes()
    assert written == cli_writes("Dockerfile", "-o", "cli.out")
    assert b"FROM debian:bookworm-slim" in written  # a C build: the slim release
    assert result.command == f"{PROG} Dockerfile -o out"


def test_flags_given_preset_the_answers(go: Path, drive: Drive, cli_writes) -> None:
    flags = ("--runtime", "scratch", "--non-root", "--no-strip", "--stage-name", "build")
    result = drive(GO_DEFAULTS, "Dockerfile", "-o", "out", *flags)
    assert result.code == 0, result.err
    assert (go / "out").read_bytes() == cli_writes("Dockerfile", "-o", "cli.out", *flags)
    assert result.command == (
        f"{PROG} Dockerfile -o out --runtime scratch --stage-name build --non-root --no-strip"
    )


def test_summary_names_ecosystem_artifact_base_size_and_findings(go: Path, drive: Drive) -> None:
    result = drive(GO_DEFAULTS, "Dockerfile", "-o", "out")
    summary = result.out.split("\n\n", 1)[0]
    assert summary.splitlines()[0] == "Dockerfile: Go build (static binary)"
    assert "  artifacts  /out/app" in summary
    assert "  base       golang:1.22 (toolchain image, ≈ 299 MB)" in summary
    assert "alpine:3.20 (static program; Alpine image, ≈ 3.6 MB)" in summary
    assert "  size       ≈ 299 MB → 3.6 MB (compressed base images, without your layers)" in summary
    assert "2 warnings, 1 info" in summary  # DSR001, DSR005; DSR101


def test_summary_shows_what_the_analysis_is_unsure_of(go: Path, drive: Drive) -> None:
    # A build script's output is found at build time: reported as DSR100, with the flag.
    (go / "Dockerfile").write_text(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n"
        'WORKDIR /src\nCOPY . .\nRUN ./build.sh\nCMD ["greet"]\n'
    )
    result = drive(ENTER * 6, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    unsure = [line for line in result.out.splitlines() if line.startswith("  unsure")]
    assert len(unsure) == 1
    assert unsure[0].startswith("  unsure     line 5: the build's output is found at build")
    assert unsure[0].endswith("[--artifact]")


UNKNOWN_PROGRAM = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app
CMD ["/usr/local/bin/other"]
"""


def test_an_unknown_program_is_asked_for(go: Path, drive: Drive, cli_writes) -> None:
    # The CLI leaves this file alone: the program it runs is not among the build outputs.
    (go / "Dockerfile").write_text(UNKNOWN_PROGRAM)
    keys = "/usr/local/bin/other" + ENTER + ENTER * 4
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    assert result.out.startswith("Dockerfile: not rewritten, to keep the image working: ")
    written = (go / "out").read_bytes()
    assert b"COPY --from=builder /usr/local/bin/other /usr/local/bin/other\n" in written
    assert result.command == f"{PROG} Dockerfile -o out --artifact /usr/local/bin/other"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_an_unknown_program_left_unanswered_leaves_the_file_alone(go: Path, drive: Drive) -> None:
    (go / "Dockerfile").write_text(UNKNOWN_PROGRAM)
    before = listing(go)
    result = drive(ENTER, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "Dockerfile: left alone, nothing written"
    assert listing(go) == before


# -- answers that change the rewrite ------------------------------------------------------------


def test_another_runtime_base(go: Path, drive: Drive, cli_writes) -> None:
    # Second choice after the recommended alpine is busybox.
    keys = ENTER + DOWN + ENTER + ENTER * 4
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (go / "out").read_bytes()
    assert b"\nFROM busybox:1.36.1\n" in written
    assert result.command == f"{PROG} Dockerfile -o out --runtime busybox"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_declining_the_non_root_user_keeps_root(go: Path, drive: Drive, cli_writes) -> None:
    keys = ENTER + ENTER + "n" + ENTER * 3
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (go / "out").read_bytes()
    assert b"USER" not in written
    assert result.command == f"{PROG} Dockerfile -o out"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_accepting_the_non_root_user(go: Path, drive: Drive, cli_writes) -> None:
    keys = ENTER + ENTER + "y" + ENTER * 3
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (go / "out").read_bytes()
    assert b"\nUSER 65534:65534\n" in written
    assert result.command == f"{PROG} Dockerfile -o out --non-root"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_another_base_and_root(go: Path, drive: Drive, cli_writes) -> None:
    keys = ENTER + DOWN + DOWN + ENTER + "n" + ENTER * 3
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (go / "out").read_bytes()
    assert b"\nFROM scratch\n" in written
    assert result.command == f"{PROG} Dockerfile -o out --runtime scratch"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_extra_runtime_files(go: Path, drive: Drive, cli_writes) -> None:
    # A relative path is refused by the validator; clear the line and give absolute ones.
    extra = "etc/app" + ENTER + CTRL_U + "/etc/app" + ENTER + "/src/static:/srv/static" + ENTER
    keys = ENTER * 4 + extra + ENTER + ENTER
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (go / "out").read_bytes()
    assert b"COPY --from=builder /etc/app /etc/app\n" in written
    assert b"COPY --from=builder /src/static /srv/static\n" in written
    assert result.command == (
        f"{PROG} Dockerfile -o out --keep /etc/app --keep /src/static:/srv/static"
    )
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_a_corrected_artifact_becomes_artifact(go: Path, drive: Drive, cli_writes) -> None:
    artifact = CTRL_U + "out/app" + ENTER + CTRL_U + "/out/app:/usr/local/bin/app" + ENTER
    result = drive(artifact + ENTER * 5, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (go / "out").read_bytes()
    assert b"COPY --from=builder /out/app /usr/local/bin/app\n" in written
    assert result.command == f"{PROG} Dockerfile -o out --artifact /out/app:/usr/local/bin/app"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_c_program_picks_debian_slim(c: Path, drive: Drive, cli_writes) -> None:
    # The builder's slim release is recommended; below it "another image", then alpine,
    # busybox, scratch and distroless, disabled: a second DOWN skips them back to slim.
    keys = ENTER * 2 + DOWN + DOWN + ENTER + ENTER * 3
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (c / "out").read_bytes()
    assert b"\nFROM debian:bookworm-slim\n" in written
    assert b"distroless" not in written
    assert result.command == f"{PROG} Dockerfile -o out"  # the recommended base needs no flag
    assert written == cli_writes("Dockerfile", "-o", "cli.out")


def test_c_program_asked_for_distroless_gets_the_slim_release(
    c: Path, drive: Drive, cli_writes
) -> None:
    # --runtime distroless presets the question; the plan still runs a C build on the
    # builder's slim release, and Enter keeps it.
    result = drive(C_DEFAULTS, "Dockerfile", "-o", "out", "--runtime", "distroless")
    assert result.code == 0, result.err
    written = (c / "out").read_bytes()
    assert b"\nFROM debian:bookworm-slim\n" in written
    assert written == cli_writes("Dockerfile", "-o", "cli.out", "--runtime", "distroless")


def test_another_runtime_image(c: Path, drive: Drive, cli_writes) -> None:
    # The slim release, then "another image"; the image question defaults to the recommended.
    image = CTRL_U + "debian:trixie-slim" + ENTER
    keys = ENTER * 2 + DOWN + ENTER + image + ENTER * 3
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (c / "out").read_bytes()
    assert b"\nFROM debian:trixie-slim\n" in written
    assert result.command == f"{PROG} Dockerfile -o out --runtime-image debian:trixie-slim"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


PYTHON_APP = """\
FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi"]
"""


def test_an_interpreter_keeps_its_image_or_its_distroless_image() -> None:
    choices = wizard.runtime_choices(rewrite(PYTHON_APP))
    assert [c.family for c in choices] == ["interpreter", "distroless"]
    assert choices[0].image == "python:3.12-slim" and choices[0].recommended
    # Distroless Python is 3.11; the choice says why it cannot run this one.
    assert choices[1].disabled is not None and "Python 3.12" in choices[1].disabled
    app = PYTHON_APP.replace("python:3.12", "python:3.11").replace(
        '["gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi"]', '["python", "app.py"]'
    )
    choices = wizard.runtime_choices(rewrite(app))
    assert choices[1].family == "distroless" and choices[1].disabled is None
    assert choices[1].image == "gcr.io/distroless/python3-debian12"
    # Chosen, the plan is distroless and slim is the other choice.
    chosen = wizard.runtime_choices(rewrite(app, Options(runtime="distroless")))
    assert [c.family for c in chosen] == ["distroless-python", "slim"]
    assert chosen[1].image == "python:3.11-slim"


def test_a_named_runtime_image_is_the_only_choice() -> None:
    choices = wizard.runtime_choices(rewrite(PYTHON_APP, Options(runtime_image="my/py:1")))
    assert len(choices) == 1 and choices[0].image == "my/py:1"


# -- the runtime choices ---------------------------------------------------------------------


def test_runtime_choices_of_a_glibc_program_disable_what_cannot_run_it() -> None:
    # A C build: the plan runs it on the builder's slim release, and so does the wizard.
    result = rewrite(C_DOCKERFILE)
    choices = wizard.runtime_choices(result)
    assert [c.family for c in choices] == ["slim", "alpine", "busybox", "scratch", "distroless"]
    assert choices[0].recommended and choices[0].image == "debian:bookworm-slim"
    assert choices[0].image == result.plan.runtime.image
    for choice in choices[1:]:
        assert choice.image is None and not choice.recommended
    for choice in choices[1:4]:
        assert choice.disabled == f"the program links glibc, which {choice.family} does not have"
    assert choices[4].disabled == (
        "a C build links what the toolchain image has: the builder's slim release"
    )


RUST_GNU = """\
FROM rust:1.77-bookworm

WORKDIR /src
COPY . .
RUN cargo build --release

ENTRYPOINT ["/src/target/release/app"]
"""


def test_runtime_choices_of_a_glibc_rust_program_offer_distroless_cc_and_slim() -> None:
    result = rewrite(RUST_GNU)
    choices = wizard.runtime_choices(result)
    assert [c.family for c in choices] == ["distroless", "slim", "alpine", "busybox", "scratch"]
    assert choices[0].recommended and choices[0].image == "gcr.io/distroless/cc-debian12"
    assert choices[0].image == result.plan.runtime.image
    assert choices[1].disabled is None and choices[1].image == "debian:bookworm-slim"
    for choice in choices[2:]:
        assert choice.image is None
        assert choice.disabled == f"the program links glibc, which {choice.family} does not have"


def test_runtime_choices_of_a_cgo_program_with_an_unmapped_library() -> None:
    text = RUST_GNU.replace("FROM rust:1.77-bookworm", "FROM golang:1.22-bookworm").replace(
        "RUN cargo build --release",
        "RUN apt-get update && apt-get install -y libfoo-weird-dev\n"
        "RUN CGO_ENABLED=1 go build -o /src/target/release/app .",
    )
    choices = {c.family: c for c in wizard.runtime_choices(rewrite(text))}
    assert choices["slim"].recommended and choices["slim"].image == "debian:bookworm-slim"
    assert choices["distroless"].disabled == (
        "a -dev library no table maps has its run-time library found in the builder: "
        "the builder's slim release"
    )


def test_runtime_choices_of_an_os_image_keep_its_release() -> None:
    text = C_DOCKERFILE.replace("FROM gcc:13-bookworm", "FROM ubuntu:22.04").replace(
        "apt-get install -y zlib1g-dev", "apt-get install -y build-essential zlib1g-dev"
    )
    result = rewrite(text)
    choices = wizard.runtime_choices(result)
    assert choices[0].recommended and choices[0].image == result.plan.runtime.image
    assert choices[0].image == "ubuntu:22.04"
    disabled = {c.family: c.disabled for c in choices[1:]}
    assert set(disabled) == {"alpine", "busybox", "scratch", "distroless", "slim"}
    assert disabled["distroless"] == "an OS or company image is its own runtime base: ubuntu:22.04"
    assert disabled["slim"] == disabled["distroless"]


def test_runtime_choices_of_a_static_program_are_all_open() -> None:
    choices = wizard.runtime_choices(rewrite(GO_DOCKERFILE))
    assert [c.family for c in choices] == ["alpine", "busybox", "scratch", "distroless", "slim"]
    assert all(c.disabled is None for c in choices)
    assert choices[1].title == (
        "busybox:1.36.1: ≈ 2.2 MB, has a shell and basic tools, no package manager"
    )
    assert choices[0].title == "alpine:3.20: ≈ 3.6 MB, has a shell and apk to add packages" + (
        " (recommended)"
    )
    assert [c.cost for c in choices] == ["≈ 3.6 MB", "≈ 2.2 MB", "0 MB", "≈ 2.1 MB", "≈ 28 MB"]


def test_a_runtime_choice_without_a_published_size_says_so() -> None:
    result = rewrite(RUST_GNU, Options(runtime_image="registry.example.com/run:1"))
    (choice,) = wizard.runtime_choices(result)
    assert choice.title.startswith("registry.example.com/run:1: size unknown, ")


def test_a_disabled_runtime_choice_shows_no_size() -> None:
    choices = wizard.runtime_choices(rewrite(C_DOCKERFILE))
    disabled = [c for c in choices if c.disabled]
    assert disabled and all(c.cost == "" and "MB" not in c.title for c in disabled)


def test_a_shell_form_command_rules_out_scratch_and_distroless() -> None:
    text = GO_DOCKERFILE.replace('ENTRYPOINT ["/out/app"]', "CMD /out/app --port $PORT")
    disabled = {c.family: c.disabled for c in wizard.runtime_choices(rewrite(text))}
    assert disabled["scratch"] == "the image's command needs /bin/sh, which scratch does not have"
    assert disabled["distroless"] is not None
    assert disabled["alpine"] is None and disabled["busybox"] is None


# -- writing ---------------------------------------------------------------------------------


def test_declining_the_write_writes_nothing(go: Path, drive: Drive) -> None:
    before = listing(go)
    result = drive(ENTER * 5 + "n", "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    assert listing(go) == before
    assert "Nothing written." in result.out
    assert result.command == f"{PROG} Dockerfile -o out"


def test_an_existing_output_is_kept_unless_confirmed(go: Path, drive: Drive, cli_writes) -> None:
    (go / "out").write_text("mine\n")
    result = drive(GO_DEFAULTS, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    assert (go / "out").read_text() == "mine\n"
    result = drive(ENTER * 5 + "y", "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    assert (go / "out").read_bytes() == cli_writes("Dockerfile", "-o", "cli.out")


def test_in_place_with_backup(go: Path, drive: Drive, cli_writes) -> None:
    expected = cli_writes("Dockerfile", "-o", "cli.out").decode()
    result = drive(ENTER * 5 + "y", "Dockerfile", "--in-place", "--backup")
    assert result.code == 0, result.err
    assert (go / "Dockerfile").read_text() == expected
    assert (go / "Dockerfile.orig").read_text() == GO_DOCKERFILE
    assert result.command == f"{PROG} Dockerfile --in-place --backup"


def test_the_output_question_refuses_the_input_and_missing_folders(go: Path, drive: Drive) -> None:
    answer = CTRL_U + "Dockerfile" + ENTER + CTRL_U + "nowhere/x" + ENTER + CTRL_U + "x" + ENTER
    result = drive(ENTER * 5 + answer + ENTER, "Dockerfile")
    assert result.code == 0, result.err
    assert (go / "x").is_file()
    assert not (go / "nowhere").exists()
    assert result.command == f"{PROG} Dockerfile -o x"


# -- cancelling ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(CTRL_C, id="ctrl-c-first-question"),
        pytest.param(ENTER + DOWN + CTRL_C, id="ctrl-c-runtime"),
        pytest.param(ENTER * 5 + CTRL_C, id="ctrl-c-write-question"),
        pytest.param(ESC, id="esc-first-question"),
    ],
)
def test_cancel_writes_nothing(go: Path, drive: Drive, keys: str) -> None:
    before = listing(go)
    result = drive(keys, "Dockerfile", "-o", "out")
    assert result.code == 130
    assert result.err == f"{PROG}: cancelled, nothing written\n"
    assert "Equivalent command" not in result.out
    assert listing(go) == before


def test_ctrl_d_in_a_text_question_cancels(go: Path, drive: Drive) -> None:
    before = listing(go)
    result = drive(ENTER * 4 + "\x04", "Dockerfile", "-o", "out")
    assert result.code == 130
    assert listing(go) == before


# -- refusals and files that need no questions -------------------------------------------------


def test_without_a_terminal_it_refuses_and_names_the_flags(
    go: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = listing(go)
    code = wizard.main(["Dockerfile", "-o", "out"])  # pytest's stdin is not a terminal
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "not a terminal" in err
    for flag in ("-o OUT", "--artifact", "--runtime", "--non-root", "--keep"):
        assert flag in err
    assert listing(go) == before


def test_without_a_terminal_subprocess(go: Path) -> None:
    entry = (
        "import sys; from dockerslim_refactor.frontends.wizard import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", entry, "Dockerfile", "-o", "out"],
        input=b"\r\r\r\r\r\r",
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert b"not a terminal" in done.stderr and b"--non-root" in done.stderr
    assert not (go / "out").exists()


def test_left_alone_prints_the_reason_without_asking(
    tmp_path: Path, drive: Drive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(MULTI_STAGE)
    monkeypatch.setattr(wizard, "Asker", None)  # any question would fail
    result = drive("", "Dockerfile", "-o", "out")
    assert result.code == 0
    assert result.out.startswith("Dockerfile: left alone: ")
    assert result.out.count("\n") == 1
    assert listing(tmp_path) == {"Dockerfile"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing"], "missing: no such file\n"),
        (["empty"], "empty:1: empty file\n"),
        (["Dockerfile", "-o", "Dockerfile"], "Dockerfile: -o is the input file; "),
        (["Dockerfile", "-o", "no/such/out"], "no/such/out: folder no/such does not exist\n"),
        (["Dockerfile", "--diff"], "dockerslim-refactor wizard: --diff asks nothing"),
        (["-"], "dockerslim-refactor wizard: answers are read from the terminal"),
        (["Dockerfile", "--backup"], "dockerslim-refactor: --backup goes with --in-place\n"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    go: Path, drive: Drive, argv: list[str], message: str
) -> None:
    (go / "empty").write_text("")
    before = listing(go)
    result = drive("", *argv)
    assert result.code == 2
    assert result.err.startswith(message)
    assert result.err.count("\n") == 1
    assert listing(go) == before


# -- pieces ----------------------------------------------------------------------------------


def test_equivalent_command_names_only_flags_that_differ() -> None:
    assert wizard.equivalent_command("Dockerfile", "out", Options()) == f"{PROG} Dockerfile -o out"
    options = Options(
        runtime="busybox",
        keep=("/etc/my app",),
        non_root=True,
        java_modules=("jdk.localedata", "jdk.charsets"),
        disabled_rules=frozenset({"DSR006", "DSR002"}),
    )
    command = wizard.equivalent_command("my dir/Dockerfile", "out", options, context="ctx")
    assert command == (
        f"{PROG} 'my dir/Dockerfile' -o out --runtime busybox --keep '/etc/my app' --non-root "
        "--java-modules jdk.localedata,jdk.charsets --context ctx --disable DSR002 "
        "--disable DSR006"
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("/out/app", None),
        ("/out/app:/app", None),
        ("out/app", "an absolute path in the builder stage, starting with /"),
        ("/out/app:app", "DEST after ':' must be an absolute path too"),
        ("/out/my app", "no spaces, please"),
        ("", "give a path"),
    ],
)
def test_container_path_validation(text: str, error: str | None) -> None:
    assert wizard.container_path_error(text) == error


def test_default_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert wizard.default_output("Dockerfile") == "Dockerfile.new"
    assert wizard.default_output("svc/Dockerfile.prod") == "svc/Dockerfile.new"
    (tmp_path / "Dockerfile.new").write_text("FROM scratch\n")
    assert wizard.default_output("Dockerfile.new") == "Dockerfile.new.new"


def test_size_classes() -> None:
    assert wizard.size_class("golang:1.22") == "toolchain image, ≈ 299 MB"
    assert wizard.size_class("python:3.12-slim") == "slim runtime image, ≈ 43 MB"
    assert wizard.size_class("python:3.11-slim") == (
        "slim runtime image, ≈ 43 MB (as python:3.12-slim)"
    )
    assert wizard.size_class("scratch") == "empty image, 0 MB"
    assert wizard.size_class("mcr.microsoft.com/dotnet/sdk:8.0") == "toolchain image, size unknown"
    assert wizard.size_class("registry.example.com/base:1") == "size unknown"


def test_diff_is_coloured_only_for_a_terminal() -> None:
    paint = wizard.Paint(True)
    assert paint.diff("+FROM alpine:3.20") == "\x1b[32m+FROM alpine:3.20\x1b[0m"
    assert paint.diff("-FROM golang:1.22") == "\x1b[31m-FROM golang:1.22\x1b[0m"
    assert paint.diff(" WORKDIR /src") == " WORKDIR /src"
    assert wizard.Paint(False).diff("+x") == "+x"
    assert wizard.Paint.for_stream(sys.stdout).enabled is False  # captured by pytest


def test_importing_the_wizard_does_not_load_questionary(tmp_path: Path) -> None:
    code = (
        "import sys, dockerslim_refactor.frontends.wizard; "
        "print(sorted(m for m in ('questionary', 'prompt_toolkit') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.before.Dockerfile"))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name.split(".")[0])
def test_every_sample_with_defaults_matches_the_cli(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drive: Drive
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_bytes(sample.read_bytes())
    result = drive(ENTER * 12, "Dockerfile", "-o", "out")  # more than any sample asks
    assert result.code == 0, result.err
    code = cli.main(["Dockerfile", "-o", "cli.out", "-q"])
    assert code == 0
    if not (tmp_path / "cli.out").exists():
        assert "left alone" in result.out
        assert not (tmp_path / "out").exists()
        return
    assert (tmp_path / "out").read_bytes() == (tmp_path / "cli.out").read_bytes()
    assert result.command == f"{PROG} Dockerfile -o out"


# -- a command that runs through the toolchain -------------------------------------------------

CARGO_RUN = (
    "FROM rust:1.79-bookworm\nWORKDIR /src\nCOPY . .\n"
    'CMD ["cargo", "run", "--release", "--", "--port", "80"]\n'
)
CARGO_TOML = '[package]\nname = "hello"\nversion = "0.1.0"\n'


@pytest.fixture
def cargo_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(CARGO_RUN)
    (tmp_path / "Cargo.toml").write_text(CARGO_TOML)
    return tmp_path


def test_cargo_run_becomes_the_binary_by_default(cargo_run: Path, drive: Drive, cli_writes):
    result = drive(ENTER * 8, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    written = (cargo_run / "out").read_bytes()
    assert b'CMD ["/src/target/release/hello", "--port", "80"]' in written
    assert result.command == f"{PROG} Dockerfile -o out"
    assert replay(result.command.replace("-o out", "-o again"), cli_writes) == written


def test_keeping_cargo_run_leaves_the_file_alone(cargo_run: Path, drive: Drive) -> None:
    # The artifact question first, then the command one.
    result = drive(ENTER + "n" + ENTER * 6, "Dockerfile", "-o", "out")
    assert result.code == 0, result.err
    assert not (cargo_run / "out").exists()
    assert "left alone, nothing written" in result.out
    assert "--keep-command keeps that command" in result.out
