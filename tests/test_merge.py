"""dockerslim_refactor.frontends.merge: the builder-pattern script reader, the merge core and
`merge` on the command
line.

Golden cases live in tests/merge/<case>/: Dockerfile.build, Dockerfile, an optional build.sh
and an optional `args` (one line of extra options). A case that merges holds the expected
Dockerfile.merged and, optionally, `build-command` (the command printed instead of the script);
a case that fails holds `error`, the one line printed on stderr (exit 2). Every merged file
parses with BuildKit's parser and ours, is left alone by the rewrite (it is multi-stage
already), and merging again gives the same bytes.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import dockerfile
import pytest

from dockerslim_refactor.document import parse
from dockerslim_refactor.frontends.merge import MergeError, main, merge, read_script
from dockerslim_refactor.rewrite import rewrite

CASES_DIR = Path(__file__).resolve().parent / "merge"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "Dockerfile.build").is_file())
EXPECTED = ("Dockerfile.merged", "error", "build-command", "args")
MERGED = [c for c in CASES if (c / "Dockerfile.merged").is_file()]


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _case_inputs(case: Path, dest: Path) -> Path:
    shutil.copytree(case, dest, ignore=shutil.ignore_patterns(*EXPECTED))
    return dest


def _argv(case: Path) -> list[str]:
    argv = ["Dockerfile.build", "Dockerfile"]
    if (case / "build.sh").is_file():
        argv += ["--script", "build.sh"]
    if (case / "args").is_file():
        argv += shlex.split(_read(case / "args"))
    return argv


def _merge_case(case: Path) -> str:
    script = case / "build.sh"
    artifacts = {}
    stage_name = "builder"
    if (case / "args").is_file():
        words = shlex.split(_read(case / "args"))
        for flag, value in zip(words[::2], words[1::2], strict=True):
            if flag == "--artifact":
                local, _, path = value.partition("=")
                artifacts[local] = path
            elif flag == "--stage-name":
                stage_name = value
    return merge(
        _read(case / "Dockerfile.build"),
        _read(case / "Dockerfile"),
        _read(script) if script.is_file() else None,
        artifacts,
        stage_name,
        output_name="Dockerfile.merged",
    ).output


# ------------------------------------------------------------------------------ golden cases ----


def test_there_are_golden_cases():
    names = {c.name for c in CASES}
    assert {"href-counter", "href-counter-no-script", "tarball", "ambiguous"} <= names
    assert {"escape-conflict", "arg-conflict", "multistage-build"} <= names
    assert all((c / "Dockerfile.merged").is_file() != (c / "error").is_file() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_case(case: Path, tmp_path: Path, monkeypatch, capsys):
    work = _case_inputs(case, tmp_path / case.name)
    before = {p.name: p.read_bytes() for p in work.iterdir()}
    monkeypatch.chdir(work)
    code = main([*_argv(case), "-o", "Dockerfile.merged"])
    captured = capsys.readouterr()
    assert captured.out == ""
    # the inputs are never touched
    assert {p.name: p.read_bytes() for p in work.iterdir() if p.name in before} == before
    if (case / "error").is_file():
        assert code == 2
        assert captured.err == _read(case / "error")
        assert not (work / "Dockerfile.merged").exists()
        return
    assert code == 0, captured.err
    assert _read(work / "Dockerfile.merged") == _read(case / "Dockerfile.merged")
    if (case / "build-command").is_file():
        command = _read(case / "build-command").strip()
        assert f": {command}\n" in captured.err


@pytest.mark.parametrize("case", MERGED, ids=lambda p: p.name)
def test_merged_file_parses_with_buildkit(case: Path):
    text = _read(case / "Dockerfile.merged")
    commands = dockerfile.parse_string(text)
    assert [c.cmd for c in commands].count("FROM") >= 2
    document = parse(text)
    assert len(document.stages) >= 2
    assert document.stages[-1].all("COPY")


@pytest.mark.parametrize("case", MERGED, ids=lambda p: p.name)
def test_merged_file_is_left_alone_and_merging_again_is_the_same(case: Path):
    first = _merge_case(case)
    assert first == _read(case / "Dockerfile.merged")
    assert _merge_case(case) == first
    assert rewrite(first).output is None


def test_ambiguous_case_names_the_flag_that_settles_it():
    error = _read(CASES_DIR / "ambiguous" / "error")
    assert "--artifact app=PATH" in error
    assert error.count("\n") == 1


def test_no_script_case_says_what_it_assumed(tmp_path: Path, monkeypatch, capsys):
    case = CASES_DIR / "href-counter-no-script"
    monkeypatch.chdir(_case_inputs(case, tmp_path / "case"))
    assert main(_argv(case)) == 0
    captured = capsys.readouterr()
    assert captured.out == _read(case / "Dockerfile.merged")
    assert (
        "Dockerfile:4: assumed app is /go/src/github.com/alexellis/href-counter/app, made by "
        "Dockerfile.build:4 (matched by name, no --script); --artifact app=PATH says otherwise\n"
    ) in captured.err


def test_href_counter_lists_what_the_script_did_that_is_no_longer_needed():
    case = CASES_DIR / "href-counter"
    result = merge(
        _read(case / "Dockerfile.build"), _read(case / "Dockerfile"), _read(case / "build.sh")
    )
    assert result.assumptions == []
    lines = [item.split(":", 2)[1] for item in result.obsolete]
    assert lines == ["4", "7", "8", "9", "13", "14"]
    assert "docker container create --name extract" in result.obsolete[1]
    assert "docker container cp extract:" in result.obsolete[2]
    assert "--no-cache" in result.obsolete[4] and "rm ./app" in result.obsolete[5]
    # The merged file replaces Dockerfile: no -f; the final tag and the build args stay.
    assert result.build_command == (
        "docker build -t alexellis2/href-counter:latest --build-arg https_proxy=$https_proxy "
        "--build-arg http_proxy=$http_proxy ."
    )


def test_tarball_case_reports_the_context_member():
    case = CASES_DIR / "tarball"
    result = merge(
        _read(case / "Dockerfile.build"), _read(case / "Dockerfile"), _read(case / "build.sh")
    )
    assert result.assumptions == [
        "build.sh:14: archive member LICENSE is not copied out of the build container; "
        "assumed it is a file of the build context"
    ]
    assert any("tar -C dist -czf release.tar.gz" in item for item in result.obsolete)
    assert any("rm -rf dist release.tar.gz" in item for item in result.obsolete)


# ----------------------------------------------------------------------------- script reader ----

SEED_SCRIPT = _read(CASES_DIR / "href-counter" / "build.sh")


def test_reads_the_seed_script():
    script = read_script(SEED_SCRIPT)
    assert [b.command.line for b in script.builds] == [4, 13]
    builder, final = script.builds
    assert builder.dockerfile == "Dockerfile.build"
    assert builder.tags == ("alexellis2/href-counter:build",)
    assert builder.context == "."
    assert final.dockerfile is None and final.tags == ("alexellis2/href-counter:latest",)
    assert ("--no-cache", None) in final.options
    (create,) = script.creates
    assert (create.name, create.image) == ("extract", "alexellis2/href-counter:build")
    (extraction,) = script.extractions
    assert extraction.container == "extract"
    assert extraction.path == "/go/src/github.com/alexellis/href-counter/app"
    assert extraction.local.endswith("/app")
    assert [(c.kind, c.command.line) for c in script.cleanups] == [("container", 9), ("file", 14)]
    assert script.cleanups[0].targets == ("extract",)
    assert script.other_docker == ()
    assert script.set_e is False


@pytest.mark.parametrize(
    ("line", "container", "path", "local"),
    [
        ("docker container cp extract:/go/bin/app ./app", "extract", "/go/bin/app", "app"),
        ("docker cp extract:/go/bin/app app", "extract", "/go/bin/app", "app"),
        ("docker cp extract:/go/bin/app/ ./app/", "extract", "/go/bin/app", "app/app"),
        ("docker cp extract:/go/bin/app .", "extract", "/go/bin/app", "app"),
        ("docker cp extract:go/bin/app ./out/", "extract", "/go/bin/app", "out/app"),
        ("docker cp extract:/out/. ./dist", "extract", "/out", "dist"),
        ("docker cp 'extract:/srv/my app/app' './my app'", "extract", "/srv/my app/app", "my app"),
        ('docker cp "extract:/srv/app" "$(pwd)/app"', "extract", "/srv/app", "app"),
        ('docker cp extract:/srv/app "$(pwd)"/app', "extract", "/srv/app", "app"),
        ("docker cp extract:/srv/app $(pwd)/app", "extract", "/srv/app", "app"),
        ("docker cp extract:/srv/app ${PWD}/bin/app", "extract", "/srv/app", "bin/app"),
        ("docker cp extract:/srv/app `pwd`/app", "extract", "/srv/app", "app"),
        ('docker cp "$id":/srv/app ./app', "$id", "/srv/app", "app"),
        ('docker cp "${id}:/srv/app" ./app', "$id", "/srv/app", "app"),
        ("sudo docker cp extract:/srv/app ./app", "extract", "/srv/app", "app"),
        ("docker -H unix:///run/d.sock container cp x:/srv/app ./app", "x", "/srv/app", "app"),
        ("podman cp extract:/srv/app ./app", "extract", "/srv/app", "app"),
        ("cd build && docker cp extract:/srv/app ./app", "extract", "/srv/app", "build/app"),
        ("docker cp extract:/srv/app ./app  # copy it out", "extract", "/srv/app", "app"),
    ],
)
def test_reads_docker_cp_variants(line: str, container: str, path: str, local: str):
    (extraction,) = read_script(line + "\n").extractions
    assert extraction.container == container
    assert extraction.path == path
    assert extraction.local == "/.script/" + local


@pytest.mark.parametrize(
    "line",
    [
        "docker cp ./app extract:/srv/app",  # into a container
        "docker cp ./a ./b",
        "# docker cp extract:/srv/app ./app",
        "echo docker cp extract:/srv/app ./app",
    ],
)
def test_ignores_what_is_not_a_copy_out_of_a_container(line: str):
    assert read_script(line + "\n").extractions == ()


DB = "Dockerfile.build"


@pytest.mark.parametrize(
    ("line", "dockerfile", "tags", "context", "target"),
    [
        ("docker build -t a:build -f Dockerfile.build .", DB, ("a:build",), ".", None),
        ("docker build . -f Dockerfile.build -t a:build", DB, ("a:build",), ".", None),
        ("docker image build --file=Dockerfile.build --tag a .", DB, ("a",), ".", None),
        ("docker buildx build -t a -t b --load src", None, ("a", "b"), "src", None),
        ("docker build --target Build -t a .", None, ("a",), ".", "build"),
        ('IMAGE=me/app\ndocker build -t "$IMAGE:build" .', None, ("me/app:build",), ".", None),
        ("docker build -t $UNKNOWN:1 .", None, ("$UNKNOWN:1",), ".", None),
        ("sudo -E docker build -ta .", None, ("a",), ".", None),
    ],
)
def test_reads_docker_build_variants(line, dockerfile, tags, context, target):
    (build,) = read_script(line + "\n").builds
    assert build.dockerfile == dockerfile
    assert build.tags == tags
    assert build.context == context
    assert build.target == target


@pytest.mark.parametrize(
    ("script", "name", "image"),
    [
        ("docker container create --name extract me/app:build\n", "extract", "me/app:build"),
        ("docker create --name=extract me/app:build true\n", "extract", "me/app:build"),
        ("docker create -e A=1 --name x me/app:build\n", "x", "me/app:build"),
        ("id=$(docker create me/app:build)\n", "$id", "me/app:build"),
        ('ID="$(docker container create me/app:build)"\n', "$ID", "me/app:build"),
        ("docker run --name extract me/app:build true\n", "extract", "me/app:build"),
        ("N=extract\ndocker create --name $N me/app:build\n", "extract", "me/app:build"),
    ],
)
def test_reads_container_creation(script: str, name: str, image: str):
    (create,) = read_script(script).creates
    assert (create.name, create.image) == (name, image)


def test_a_run_that_removes_its_container_is_not_a_creation():
    script = read_script("docker run --rm --name x me/app:build true\ndocker push me/app\n")
    assert script.creates == ()
    assert [c.text for c in script.other_docker] == [
        "docker run --rm --name x me/app:build true",
        "docker push me/app",
    ]


def test_reads_cleanups_set_e_and_skips_comments():
    script = read_script(
        "#!/bin/bash\n"
        "set -euo pipefail\n"
        "# docker rm -f old\n"
        "docker container rm -f extract || true\n"
        'docker rm "$id"\n'
        "docker rmi me/app:build\n"
        "docker image rm me/app:build\n"
        "rm -f ./app app.tar.gz\n"
    )
    assert script.set_e is True
    kinds = [(c.kind, c.targets, c.command.line) for c in script.cleanups]
    assert kinds == [
        ("container", ("extract",), 4),
        ("container", ("$id",), 5),
        ("image", ("me/app:build",), 6),
        ("image", ("me/app:build",), 7),
        ("file", ("/.script/app", "/.script/app.tar.gz"), 8),
    ]


@pytest.mark.parametrize(
    ("line", "archive", "members"),
    [
        ("tar -czf app.tar.gz app", "app.tar.gz", [("app", "app")]),
        ("tar czf app.tgz app etc/", "app.tgz", [("app", "app"), ("etc", "etc")]),
        ("tar -c -z -f app.tar.gz ./app", "app.tar.gz", [("app", "app")]),
        ("tar --create --gzip --file=app.tar.gz app", "app.tar.gz", [("app", "app")]),
        ("tar -C out -cf app.tar .", "app.tar", [(".", "out")]),
        ("tar -cf x.tar -C out a -C .. b", "x.tar", [("a", "out/a"), ("b", "b")]),
        ("tar --directory=out -cvzf x.tgz a", "x.tgz", [("a", "out/a")]),
    ],
)
def test_reads_tar_archives(line: str, archive: str, members: list[tuple[str, str]]):
    (found,) = read_script(line + "\n").archives
    assert found.archive == "/.script/" + archive
    assert [(m, local) for m, local in found.members] == [
        (m, "/.script/" + local if local != "." else "/.script") for m, local in members
    ]


@pytest.mark.parametrize("line", ["tar -xzf app.tar.gz", "tar -czf - app | gzip", "tar -tf x"])
def test_ignores_tar_that_does_not_make_a_named_archive(line: str):
    assert read_script(line + "\n").archives == ()


def test_reads_commands_inside_functions_and_conditions():
    script = read_script(
        "build() {\n"
        "  docker build -t me/app:build -f Dockerfile.build .\n"
        "}\n"
        "build\n"
        "if docker container create --name x me/app:build; then\n"
        "  docker cp x:/app ./app\n"
        "fi\n"
    )
    assert [b.command.line for b in script.builds] == [2]
    assert [c.command.line for c in script.creates] == [5]
    assert [e.command.line for e in script.extractions] == [6]


def test_never_raises_on_broken_shell():
    script = read_script('docker cp "x:/app ./app\nif then fi )))\n')
    assert script.builds == ()


# ---------------------------------------------------------------------------------- the core ----

BUILD = """\
FROM golang:1.19
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .
"""

RUNTIME = """\
FROM busybox:1.35
COPY app /usr/local/bin/app
CMD ["app"]
"""

SCRIPT = """\
#!/bin/sh
set -e
docker build -t me/app:build -f Dockerfile.build .
docker create --name extract me/app:build
docker cp extract:/out/app ./app
docker rm extract
docker build -t me/app:latest .
rm ./app
"""


def test_merges_the_minimal_case():
    result = merge(BUILD, RUNTIME, SCRIPT)
    assert result.output == (
        "FROM golang:1.19 AS builder\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN CGO_ENABLED=0 go build -o /out/app .\n"
        "\n"
        "FROM busybox:1.35\n"
        "COPY --from=builder /out/app /usr/local/bin/app\n"
        'CMD ["app"]\n'
    )
    assert result.build_command == "docker build -t me/app:latest ."
    assert result.stage_name == "builder"
    assert [f.code for f in result.findings] == ["DSR005"]


def test_stage_name_and_output_name():
    result = merge(BUILD, RUNTIME, SCRIPT, stage_name="compile", output_name="Dockerfile.new")
    assert "FROM golang:1.19 AS compile\n" in result.output
    assert "COPY --from=compile /out/app /usr/local/bin/app\n" in result.output
    assert result.build_command == "docker build -t me/app:latest -f Dockerfile.new ."
    same = merge(BUILD, RUNTIME, SCRIPT, output_name="Dockerfile")
    assert same.build_command == "docker build -t me/app:latest ."


def test_bad_stage_name_fails():
    with pytest.raises(MergeError, match="--stage-name 'Build'"):
        merge(BUILD, RUNTIME, SCRIPT, stage_name="Build")


@pytest.mark.parametrize(
    ("copy", "expected"),
    [
        ("COPY ./app /usr/local/bin/app", "COPY --from=builder /out/app /usr/local/bin/app"),
        ("COPY app/ /usr/local/bin/app", "COPY --from=builder /out/app /usr/local/bin/app"),
        ("COPY /app /usr/local/bin/app", "COPY --from=builder /out/app /usr/local/bin/app"),
        ('COPY "app" /usr/local/bin/app', "COPY --from=builder /out/app /usr/local/bin/app"),
        (
            "COPY --chown=1000:1000 --chmod=755 app /usr/local/bin/app",
            "COPY --from=builder --chown=1000:1000 --chmod=755 /out/app /usr/local/bin/app",
        ),
        ("ADD app /usr/local/bin/", "COPY --from=builder /out/app /usr/local/bin/"),
        (
            'COPY ["app", "/usr/local/bin/my app"]',
            'COPY --from=builder ["/out/app", "/usr/local/bin/my app"]',
        ),
        (
            "COPY app README.md /usr/local/bin/",
            "COPY --from=builder /out/app /usr/local/bin/\nCOPY README.md /usr/local/bin/",
        ),
        (
            "COPY README.md app /usr/local/bin/",
            "COPY README.md /usr/local/bin/\nCOPY --from=builder /out/app /usr/local/bin/",
        ),
        ("copy app /usr/local/bin/app", "copy --from=builder /out/app /usr/local/bin/app"),
    ],
)
def test_rewrites_the_copy_of_the_extracted_file(copy: str, expected: str):
    runtime = f'FROM busybox:1.35\n{copy}\nCMD ["app"]\n'
    output = merge(BUILD, runtime, SCRIPT).output
    assert output.endswith(f'FROM busybox:1.35\n{expected}\nCMD ["app"]\n')
    dockerfile.parse_string(output)


def test_other_copies_are_left_as_they_are():
    runtime = (
        "FROM busybox:1.35\n"
        "# config from the repository\n"
        "COPY config.yml /etc/app/\n"
        "COPY --from=busybox:1.36 /bin/busybox /bin/bb\n"
        "COPY app /usr/local/bin/app\n"
        'CMD ["app"]\n'
    )
    output = merge(BUILD, runtime, SCRIPT).output
    assert output.split("\n\n", 1)[1] == runtime.replace(
        "COPY app ", "COPY --from=builder /out/app "
    )


def test_artifact_overrides_the_script_and_must_be_used():
    result = merge(BUILD, RUNTIME, SCRIPT, {"./app": "/go/bin/other"})
    assert "COPY --from=builder /go/bin/other /usr/local/bin/app\n" in result.output
    with pytest.raises(MergeError) as err:
        merge(BUILD, RUNTIME, SCRIPT, {"nothing": "/out/app"})
    assert "--artifact nothing=...: no COPY or ADD in Dockerfile copies nothing" in str(err.value)
    with pytest.raises(MergeError, match="PATH must be absolute"):
        merge(BUILD, RUNTIME, None, {"app": "out/app"})


def test_a_script_without_docker_cp_fails_naming_the_flag():
    with pytest.raises(MergeError) as err:
        merge(BUILD, RUNTIME, "docker build -t me/app .\n")
    assert err.value.flag == "--artifact"
    assert str(err.value).startswith("build.sh: no `docker cp CONTAINER:PATH LOCAL` found")
    assert "--artifact LOCAL=PATH" in str(err.value)


def test_a_copy_that_no_copy_takes_fails_naming_the_flag():
    script = SCRIPT.replace("./app", "./other")
    with pytest.raises(MergeError) as err:
        merge(BUILD, RUNTIME, script)
    assert err.value.flag == "--artifact"
    assert "(other)" in str(err.value)


def test_nothing_matched_by_name_fails_naming_the_flags():
    runtime = RUNTIME.replace("COPY app", "COPY server")
    with pytest.raises(MergeError) as err:
        merge(BUILD, runtime)
    message = str(err.value)
    assert message.startswith("Dockerfile: no COPY or ADD source matches a file Dockerfile.build")
    assert "(it makes: /out/app)" in message
    assert message.endswith(
        "pass --script SCRIPT (the script that copied it out) or --artifact LOCAL=PATH"
    )


def test_name_matching_finds_cp_install_and_copy_from_targets():
    build = (
        "FROM rust:1.63 AS compile\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN cargo build --release && install -m755 target/release/tool /usr/local/bin/\n"
        "FROM debian:bookworm-slim\n"
        "COPY --from=compile /usr/local/bin/tool /opt/tool/bin/\n"
    )
    runtime = 'FROM debian:bookworm-slim\nCOPY tool /usr/bin/tool\nCMD ["tool"]\n'
    result = merge(build, runtime)
    assert "COPY --from=builder /opt/tool/bin/tool /usr/bin/tool\n" in result.output
    (assumption,) = result.assumptions
    assert "assumed tool is /opt/tool/bin/tool, made by Dockerfile.build:6" in assumption


def test_multistage_build_file_keeps_earlier_stage_names():
    build = (
        "FROM golang:1.19 AS deps\n"
        "RUN go version\n"
        "FROM deps\n"
        "RUN CGO_ENABLED=0 go build -o /out/app .\n"
    )
    output = merge(build, RUNTIME, SCRIPT).output
    assert output.startswith("FROM golang:1.19 AS deps\nRUN go version\nFROM deps AS builder\n")
    assert [s.name for s in parse(output).stages] == ["deps", "builder", None]


def test_a_target_build_makes_that_stage_the_builder_and_drops_later_stages():
    build = (
        "FROM golang:1.19 AS compile\n"
        "RUN CGO_ENABLED=0 go build -o /out/app .\n"
        "\n"
        "FROM compile AS test\n"
        "RUN go test ./...\n"
    )
    script = SCRIPT.replace("-f Dockerfile.build", "--target compile -f Dockerfile.build")
    result = merge(build, RUNTIME, script)
    assert result.output == (
        "FROM golang:1.19 AS compile\n"
        "RUN CGO_ENABLED=0 go build -o /out/app .\n"
        "\n"
        "FROM busybox:1.35\n"
        "COPY --from=compile /out/app /usr/local/bin/app\n"
        'CMD ["app"]\n'
    )
    assert result.stage_name == "compile"
    assert "(test) are left out" in result.assumptions[0]


def test_stage_name_clashes_fail_naming_the_flag():
    build = "FROM golang:1.19 AS builder\nRUN true\nFROM builder AS final\nRUN go build -o /out/a\n"
    with pytest.raises(MergeError) as err:
        merge(build, RUNTIME, SCRIPT)
    assert err.value.flag == "--stage-name"
    assert str(err.value).startswith("Dockerfile.build:1: stage name 'builder' is already used")
    runtime = "FROM busybox:1.35 AS builder\n" + RUNTIME.split("\n", 1)[1]
    with pytest.raises(MergeError, match=r"^Dockerfile:1: stage name 'builder' is also used"):
        merge(BUILD, runtime, SCRIPT)
    assert "AS other" in merge(BUILD, runtime, SCRIPT, stage_name="other").output


def test_runtime_stage_numbers_move_past_the_build_stages():
    runtime = (
        "FROM busybox:1.35\n"
        "RUN mkdir /data\n"
        "FROM busybox:1.35\n"
        "COPY --from=0 /data /data\n"
        "COPY app /usr/local/bin/app\n"
        'CMD ["app"]\n'
    )
    output = merge(BUILD, runtime, SCRIPT).output
    assert "COPY --from=1 /data /data\n" in output
    commands = dockerfile.parse_string(output)
    assert [c.flags for c in commands if c.cmd == "COPY"][-2:] == [
        ("--from=1",),
        ("--from=builder",),
    ]


def test_directives_syntax_kept_once_and_escape_conflicts_fail():
    build = "# syntax=docker/dockerfile:1\n" + BUILD
    runtime = "# syntax=docker/dockerfile:1.7\n# check=skip=all\n" + RUNTIME
    result = merge(build, runtime, SCRIPT)
    assert result.output.startswith(
        "# syntax=docker/dockerfile:1\n# check=skip=all\n\nFROM golang:1.19 AS builder\n"
    )
    assert result.output.count("syntax=") == 1
    assert "# syntax=docker/dockerfile:1.7 dropped" in result.assumptions[0]
    same = merge("# escape=`\n" + BUILD, "# escape=`\n" + RUNTIME, SCRIPT)
    assert same.output.startswith("# escape=`\n\nFROM")
    with pytest.raises(MergeError) as err:
        merge("# escape=`\n" + BUILD, RUNTIME, SCRIPT)
    assert str(err.value).startswith("Dockerfile.build:1: the files use different escape")


def test_global_args_go_first_deduplicated():
    build = "ARG GO=1.19\nARG BASE=busybox\nFROM golang:${GO}\nRUN go build -o /out/app .\n"
    runtime = (
        "ARG BASE=busybox\n"
        "# pinned for the runtime\n"
        "ARG TAG=1.35\n"
        "FROM ${BASE}:${TAG}\n"
        "COPY app /app\n"
        'CMD ["/app"]\n'
    )
    output = merge(build, runtime, SCRIPT).output
    assert output == (
        "ARG GO=1.19\n"
        "ARG BASE=busybox\n"
        "# pinned for the runtime\n"
        "ARG TAG=1.35\n"
        "\n"
        "FROM golang:${GO} AS builder\n"
        "RUN go build -o /out/app .\n"
        "\n"
        "FROM ${BASE}:${TAG}\n"
        "COPY --from=builder /out/app /app\n"
        'CMD ["/app"]\n'
    )
    dockerfile.parse_string(output)


def test_global_arg_without_a_default_on_one_side_is_reported():
    build = "ARG V\nFROM golang:1.19\nRUN go build -o /out/app .\n"
    runtime = "ARG V=2\n" + RUNTIME
    result = merge(build, runtime, SCRIPT)
    assert result.output.startswith("ARG V\nARG V=2\n\nFROM")
    assert "ARG V=2 now also gives Dockerfile.build's ARG V" in result.assumptions[0]


def test_runtime_from_an_image_named_like_a_build_stage_fails():
    build = "FROM golang:1.19 AS base\nFROM base\nRUN go build -o /out/app .\n"
    runtime = 'FROM base\nCOPY app /app\nCMD ["/app"]\n'
    with pytest.raises(MergeError, match=r"^Dockerfile:1: FROM base would mean the stage"):
        merge(build, runtime, SCRIPT)


def test_unreadable_inputs_fail_with_their_line():
    with pytest.raises(MergeError) as err:
        merge(BUILD, "FROM busybox\nCOPPY app /app\n", SCRIPT)
    assert str(err.value) == "Dockerfile:2: unknown instruction: COPPY"


def test_build_command_keeps_what_the_builder_build_needed():
    script = (
        "#!/bin/sh\n"
        "set -e\n"
        "TAG=1.2.3\n"
        'cd "$(dirname "$0")"\n'
        "docker build --network host --build-arg GOPROXY=$GOPROXY --build-arg V=1 "
        "-t app:build -f Dockerfile.build .\n"
        "docker create --name x app:build\n"
        "docker cp x:/out/app ./app\n"
        "docker rm x\n"
        'docker build --no-cache --pull --build-arg V=2 -t "registry.example/app:$TAG" '
        "-t 'app:latest' .\n"
        "docker push registry.example/app:$TAG\n"
    )
    result = merge(BUILD, RUNTIME, script)
    assert result.build_command == (
        "docker build --pull --build-arg V=2 -t registry.example/app:1.2.3 -t app:latest "
        "--network host --build-arg GOPROXY=$GOPROXY ."
    )
    assert any("--build-arg V=1 of the build" in a for a in result.assumptions)
    assert any("--no-cache" in item for item in result.obsolete)
    # docker push is not part of the pattern: it is not obsolete, and it is mentioned
    assert not any("docker push" in item for item in result.obsolete)
    assert (
        "build.sh:10: `docker push registry.example/app:$TAG` is not part of the builder "
        "pattern; the merged file does not replace it"
    ) in result.assumptions


def test_build_command_follows_a_cd_to_the_context():
    script = (
        "docker build -t a:build -f build/Dockerfile.build build\n"
        "docker create --name x a:build\n"
        "cd deploy\n"
        "docker cp x:/out/app ./app\n"
        "docker build -t a:latest .\n"
    )
    result = merge(BUILD, RUNTIME, script, output_name="deploy/Dockerfile")
    assert result.build_command == "docker build -t a:latest deploy"
    assert "COPY --from=builder /out/app /usr/local/bin/app" in result.output
    assert "Dockerfile.build was built with context build" in result.assumptions[0]


def test_script_without_a_final_build_says_so():
    script = SCRIPT.replace("docker build -t me/app:latest .\n", "")
    result = merge(BUILD, RUNTIME, script)
    assert result.build_command == "docker build ."
    assert "no docker build of Dockerfile found" in result.assumptions[0]


def test_extraction_from_two_images_fails():
    script = SCRIPT + "docker create --name y other:1\ndocker cp y:/x ./x\n"
    with pytest.raises(MergeError, match="copies files out of more than one image"):
        merge(BUILD, RUNTIME, script)


def test_copying_the_packed_archive_itself_fails():
    script = SCRIPT.replace("rm ./app", "tar -czf app.tgz app")
    runtime = 'FROM busybox:1.35\nCOPY app.tgz /srv/\nCMD ["sh"]\n'
    with pytest.raises(MergeError) as err:
        merge(BUILD, runtime, script)
    assert err.value.flag == "--artifact"
    assert str(err.value).startswith("Dockerfile:2: COPY app.tgz copies the archive")


def test_tarball_member_folders_and_relative_dest():
    script = (
        "docker build -t a:build -f Dockerfile.build .\n"
        "id=$(docker create a:build)\n"
        "mkdir -p rel/bin\n"
        'docker cp "$id:/out/app" rel/bin/app\n'
        "tar czf rel.tar.gz rel\n"
        "docker build -t a .\n"
    )
    runtime = 'FROM busybox:1.35\nWORKDIR /opt\nADD rel.tar.gz .\nCMD ["rel/bin/app"]\n'
    result = merge(BUILD, runtime, script)
    assert "ADD" not in result.output
    assert "COPY --from=builder /out/app ./rel/bin/app\n" in result.output
    assert any("assumed rel held only what docker cp put there" in a for a in result.assumptions)


def test_self_check_keeps_the_runtime_configuration():
    runtime = (
        "FROM busybox:1.35\n"
        "ENV MODE=prod\n"
        "EXPOSE 8080\n"
        "USER 65534\n"
        "COPY app /app\n"
        'ENTRYPOINT ["/app"]\n'
    )
    output = merge(BUILD, runtime, SCRIPT).output
    assert output.split("\n\n", 1)[1] == runtime.replace("COPY app", "COPY --from=builder /out/app")


def test_crlf_and_trailing_comments():
    build = BUILD.replace("\n", "\r\n") + "# end of build\r\n"
    output = merge(build, RUNTIME, SCRIPT).output
    assert "\r\n" in output and "\n" not in output.replace("\r\n", "")
    assert "# end of build\r\n\r\nFROM busybox:1.35\r\n" in output
    dockerfile.parse_string(output)


# ------------------------------------------------------------------------------ command line ----


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "Dockerfile.build").write_text(BUILD)
    (tmp_path / "Dockerfile").write_text(RUNTIME)
    (tmp_path / "build.sh").write_text(SCRIPT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_writes_stdout_and_reports_on_stderr(project: Path, capsys):
    assert main(["Dockerfile.build", "Dockerfile", "--script", "build.sh"]) == 0
    captured = capsys.readouterr()
    assert captured.out == merge(BUILD, RUNTIME, SCRIPT).output
    err = captured.err.splitlines()
    assert err[0].startswith("<stdout>:6: DSR005 ")
    assert err[1] == "no longer needed:"
    assert err[2].startswith("  build.sh:3: `docker build -t me/app:build -f Dockerfile.build .`")
    assert err[-2] == "instead of build.sh, run: docker build -t me/app:latest ."
    assert err[-1] == "Dockerfile.build + Dockerfile -> stage 'builder' + runtime stage"


def test_cli_quiet_writes_the_file_only(project: Path, capsys):
    assert main(["Dockerfile.build", "Dockerfile", "--script", "build.sh", "-o", "M", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (project / "M").read_text() == merge(BUILD, RUNTIME, SCRIPT).output


@pytest.mark.parametrize("target", ["Dockerfile", "Dockerfile.build", "build.sh", "./Dockerfile"])
def test_cli_never_overwrites_an_input(project: Path, capsys, target: str):
    code = main(["Dockerfile.build", "Dockerfile", "--script", "build.sh", "-o", target])
    assert code == 2
    assert capsys.readouterr().err == f"{target}: -o is an input file; merge never overwrites one\n"
    assert (project / "Dockerfile").read_text() == RUNTIME
    assert (project / "Dockerfile.build").read_text() == BUILD


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope", "Dockerfile"], "nope: no such file\n"),
        (["Dockerfile.build", "Dockerfile", "--artifact", "app"], "use LOCAL=PATH"),
        (["Dockerfile.build", "Dockerfile", "-o", "missing/out"], "folder missing does not exist"),
        (
            ["Dockerfile.build", "Dockerfile", "--stage-name", "B"],
            "dockerslim-refactor merge: --stage-name 'B'",
        ),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(project: Path, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_cli_reports_input_errors_with_path_and_line(project: Path, capsys):
    (project / "Dockerfile").write_text("FROM busybox\nCOPPY app /app\n")
    assert main(["Dockerfile.build", "Dockerfile", "-o", "out"]) == 2
    assert capsys.readouterr().err == "Dockerfile:2: unknown instruction: COPPY\n"
    assert not (project / "out").exists()


def test_cli_replaces_an_existing_output_atomically(project: Path, capsys):
    out = project / "Dockerfile.merged"
    out.write_text("old\n")
    out.chmod(0o640)
    assert main(["Dockerfile.build", "Dockerfile", "--script", "build.sh", "-o", str(out)]) == 0
    assert out.read_text() == merge(BUILD, RUNTIME, SCRIPT).output
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.iterdir()) == [
        "Dockerfile",
        "Dockerfile.build",
        "Dockerfile.merged",
        "build.sh",
    ]
    err = capsys.readouterr().err
    assert f"-f {out} ." in err


def test_cli_help_names_the_program(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: dockerslim-refactor merge ")


# ------------------------------------------------------------------- renamed on the way out ----

RENAMING_BUILD = BUILD.replace("/out/app", "/out/server")
RENAMING_SCRIPT = SCRIPT.replace("extract:/out/app", "extract:/out/server")


@pytest.mark.parametrize(
    ("copy", "expected", "assumed"),
    [
        # the detector knows /out/server is a file: it lands under the name the script gave it
        ("COPY app /usr/bin/", "COPY --from=builder /out/server /usr/bin/app", None),
        ("COPY app .", "COPY --from=builder /out/server ./app", None),
        (
            "COPY app conf.yml /etc/x/",
            "COPY conf.yml /etc/x/\nCOPY --from=builder /out/server /etc/x/app",
            None,
        ),
        (
            "COPY app /usr/bin/app",
            "COPY --from=builder /out/server /usr/bin/app",
            "assumed /usr/bin/app is not a folder of the image",
        ),
    ],
)
def test_a_file_renamed_by_docker_cp_keeps_its_name(copy: str, expected: str, assumed):
    result = merge(RENAMING_BUILD, f'FROM busybox:1.35\n{copy}\nCMD ["app"]\n', RENAMING_SCRIPT)
    assert result.output.endswith(f'FROM busybox:1.35\n{expected}\nCMD ["app"]\n')
    if assumed is None:
        assert result.assumptions == []
    else:
        (assumption,) = result.assumptions
        assert assumed in assumption


def test_a_path_of_unknown_kind_renamed_by_docker_cp_is_assumed_a_file():
    script = SCRIPT.replace("extract:/out/app", "extract:/out/other")
    result = merge(BUILD, 'FROM busybox:1.35\nCOPY app /usr/bin/\nCMD ["app"]\n', script)
    assert "COPY --from=builder /out/other /usr/bin/app\n" in result.output
    (assumption,) = result.assumptions
    assert assumption == (
        "Dockerfile:2: assumed /out/other is a file, so it lands at /usr/bin/app as app did "
        "(a folder's contents would go to /usr/bin/)"
    )


def test_add_of_an_archive_the_image_made_needs_the_unpacked_folder():
    script = SCRIPT.replace("extract:/out/app ./app", "extract:/out/app.tar.gz .")
    runtime = 'FROM busybox:1.35\nADD --checksum=sha256:00 app.tar.gz /srv/\nCMD ["sh"]\n'
    with pytest.raises(MergeError) as err:
        merge(BUILD, runtime, script)
    assert err.value.flag == "--artifact"
    assert str(err.value) == (
        "Dockerfile:2: ADD app.tar.gz unpacks /out/app.tar.gz, an archive the build image holds; "
        "COPY --from cannot unpack: unpack it in the build Dockerfile and pass "
        "--artifact app.tar.gz=FOLDER"
    )
    result = merge(BUILD, runtime, script, {"app.tar.gz": "/out/unpacked"})
    assert "COPY --from=builder /out/unpacked /srv/\n" in result.output
    assert result.assumptions == [
        "Dockerfile:2: --checksum=sha256:00 dropped: COPY --from has no such flag"
    ]
