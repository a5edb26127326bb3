"""The Go detector: ``go build`` / ``go install`` outputs, where they land, cgo and static
linking, CA certificates."""

from __future__ import annotations

from textwrap import dedent

import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import go
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(
    text: str, options: Options | None = None, context_files: dict[str, str] | None = None
) -> BuildInfo | None:
    return run_detector(go.detect, text, options, context_files)


def summary(build: BuildInfo) -> dict[str, object]:
    return {
        "ecosystem": build.ecosystem,
        "artifacts": [(a.path, a.dest) for a in build.artifacts],
        "linkage": build.linkage,
        "builder_env": build.builder_env,
        "ca": build.needs_ca_certificates,
        "findings": sorted((f.code, f.flag) for f in build.findings),
    }


def go_file(text: str, run: str, cmd: str = '["/out/app"]', image: str = "golang:1.22") -> str:
    return f"FROM {image}\nWORKDIR /src\nCOPY . .\n{text}RUN {run}\nCMD {cmd}\n"


CGO_SOURCE = {"main.go": 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n'}
TLS_CLIENT = {
    "main.go": 'package main\n\nimport "net/http"\n\n'
    'func main() { http.Get("https://example.com") }\n'
}
SERVER_ONLY = {
    "main.go": 'package main\n\nimport "net/http"\n\n'
    'func main() { http.ListenAndServe(":8080", nil) }\n'
}
STATIC_ENV = (("CGO_ENABLED", "0"),)
DEFAULT_FINDINGS = [("DSR101", "--linkage")]


# --------------------------------------------------------------------------------------------
# Must not detect


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            go_file("", "go mod download && go vet ./... && go test ./..."), id="test-vet"
        ),
        pytest.param("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCMD go run .\n", id="go-run"),
        pytest.param(go_file("", "echo go build -o /out/app ."), id="go-build-in-echo"),
        pytest.param(go_file("", "gofmt -l . && go generate ./..."), id="gofmt-generate"),
        pytest.param(
            'FROM gcc:13\nWORKDIR /src\nCOPY . .\nRUN make && make install\nCMD ["tool"]\n',
            id="other-ecosystem",
        ),
        pytest.param(
            'FROM golang:1.22\n# RUN go build -o /out/app .\nCMD ["bash"]\n',
            id="build-only-in-comment",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            """
            FROM golang:1.22
            RUN go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.1
            WORKDIR /workspace
            CMD ["bash"]
            """,
            id="devtools-image-runs-bash",
        ),
        pytest.param(
            """
            FROM golang:1.22 AS build
            WORKDIR /src
            RUN go build -o /out/app .
            FROM gcr.io/distroless/static-debian12
            COPY --from=build /out/app /app
            CMD ["/app"]
            """,
            id="already-multi-stage",
        ),
        pytest.param(
            """
            FROM golang:1.22
            WORKDIR /src
            COPY . .
            RUN go build -o /out/app .
            CMD ["echo", "hello"]
            """,
            id="runs-something-it-did-not-build",
        ),
    ],
)
def test_left_alone(text: str) -> None:
    result = rewrite(dedent(text).lstrip("\n"))
    assert result.output is None
    assert result.reason


def test_left_alone_when_the_command_is_not_a_build_output_says_which_flag() -> None:
    build = detect(go_file("", "go build -o /out/app .", cmd='["echo", "hello"]'))
    assert build is not None
    assert build.artifacts == ()
    assert ("DSR100", "warning", "--artifact") in [
        (f.code, f.severity, f.flag) for f in build.findings
    ]


def test_go_install_tool_at_version_is_not_the_program() -> None:
    build = detect(
        go_file(
            "",
            "go install github.com/air-verse/air@v1.52.0 && go build -o /out/app .",
        )
    )
    assert build is not None
    assert [a.path for a in build.artifacts] == ["/out/app"]


def test_go_install_tool_at_version_is_not_copied_when_no_cmd() -> None:
    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        "RUN go install golang.org/x/tools/cmd/stringer@v0.20.0 && go build -o /out/app .\n"
    )
    build = detect(text)
    assert build is not None
    assert [a.path for a in build.artifacts] == ["/out/app"]


# --------------------------------------------------------------------------------------------
# Detects: artifacts


@pytest.mark.parametrize(
    ("text", "artifacts", "unsure"),
    [
        pytest.param(
            go_file("", "go build -o /usr/local/bin/app .", '["app"]'),
            [("/usr/local/bin/app", "/usr/local/bin/app")],
            False,
            id="absolute-o-on-path",
        ),
        pytest.param(
            go_file("", "go build -o bin/app ./cmd/app", '["./bin/app"]'),
            [("/src/bin/app", "/src/bin/app")],
            False,
            id="relative-o-from-workdir",
        ),
        pytest.param(
            go_file("WORKDIR svc\n", "go build -o bin/app .", '["/src/svc/bin/app"]'),
            [("/src/svc/bin/app", "/src/svc/bin/app")],
            False,
            id="relative-o-from-relative-workdir",
        ),
        pytest.param(
            go_file("", "cd cmd/server && go build -o ../../out/server .", '["/src/out/server"]'),
            [("/src/out/server", "/src/out/server")],
            False,
            id="relative-o-after-cd",
        ),
        pytest.param(
            go_file("", "go build -o=/out/app .", '["/out/app"]'),
            [("/out/app", "/out/app")],
            False,
            id="o-equals",
        ),
        pytest.param(
            go_file("", 'go build -ldflags "-s -w" -o /out/app ./cmd/x', '["/out/app"]'),
            [("/out/app", "/out/app")],
            False,
            id="ldflags-value-not-a-package",
        ),
        pytest.param(
            go_file("", "go build -o /out/ ./cmd/api", '["/out/api"]'),
            [("/out/api", "/out/api")],
            False,
            id="o-folder-takes-package-name",
        ),
        pytest.param(
            go_file("", "go build -o app .", '["app"]'),
            [("/src/app", "/usr/local/bin/app")],
            False,
            id="bare-name-outside-path-goes-to-usr-local-bin",
        ),
        pytest.param(
            go_file("", "go build ./cmd/api", '["./api"]'),
            [("/src/api", "/src/api")],
            False,  # a guess, but the command names exactly that file
            id="no-o-named-after-package",
        ),
        pytest.param(
            go_file("", "go build main.go", '["./main"]'),
            [("/src/main", "/src/main")],
            False,  # a guess, but the command names exactly that file
            id="no-o-named-after-file",
        ),
        pytest.param(
            go_file("", "go install ./cmd/api", '["api"]'),
            [("/go/bin/api", "/usr/local/bin/api")],
            False,
            id="go-install-gopath-bin",
        ),
        pytest.param(
            go_file("ENV GOBIN=/usr/local/bin\n", "go install ./cmd/api", '["api"]'),
            [("/usr/local/bin/api", "/usr/local/bin/api")],
            False,
            id="go-install-gobin",
        ),
        pytest.param(
            go_file("", "go install .", '["src"]'),
            [("/go/bin/src", "/usr/local/bin/src")],
            False,  # PATH finds the guessed /go/bin/src: the command confirms it
            id="go-install-dot-confirmed-by-the-command",
        ),
        pytest.param(
            go_file(
                "",
                "go install github.com/air-verse/air@latest && go build -o /out/app .",
                '["/out/app"]',
            ),
            [("/out/app", "/out/app")],
            False,
            id="tool-at-version-beside-the-program",
        ),
    ],
)
def test_artifacts(text: str, artifacts: list[tuple[str, str]], unsure: bool) -> None:
    build = detect(text)
    assert build is not None
    got = summary(build)
    assert got["ecosystem"] == "go"
    assert got["artifacts"] == artifacts
    artifact_notes = [f for f in build.findings if f.flag == "--artifact"]
    assert bool(artifact_notes) == unsure
    assert all(f.code == "DSR100" for f in artifact_notes)


def test_artifact_option_replaces_detected_output() -> None:
    build = detect(
        go_file("", "go build -o /out/api ./cmd/api", '["/out/api"]'),
        Options(artifacts=("/out/api:/api",)),
    )
    assert build is not None
    assert [(a.path, a.dest) for a in build.artifacts] == [("/out/api", "/api")]


def test_no_cmd_copies_every_output_and_says_so() -> None:
    text = "FROM golang:1.22\nWORKDIR /src\nRUN go build -o /out/a ./a && go build -o /out/b ./b\n"
    build = detect(text)
    assert build is not None
    assert [a.path for a in build.artifacts] == ["/out/a", "/out/b"]
    assert ("DSR100", "--artifact") in summary(build)["findings"]


# --------------------------------------------------------------------------------------------
# Detects: linkage, builder env, CA certificates


@pytest.mark.parametrize(
    ("text", "options", "context", "expected"),
    [
        pytest.param(
            go_file("", "CGO_ENABLED=0 go build -o /out/app ."),
            None,
            None,
            {"linkage": "static", "builder_env": (), "findings": []},
            id="cgo-off-in-command",
        ),
        pytest.param(
            go_file("ENV CGO_ENABLED=0\n", "go build -o /out/app ."),
            None,
            None,
            {"linkage": "static", "builder_env": (), "findings": []},
            id="cgo-off-in-env",
        ),
        pytest.param(
            go_file("ENV CGO_ENABLED 0\n", "go build -o /out/app ."),
            None,
            None,
            {"linkage": "static", "builder_env": (), "findings": []},
            id="cgo-off-in-legacy-env",
        ),
        pytest.param(
            go_file("", "go build -o /out/app ."),
            None,
            None,
            {"linkage": "static", "builder_env": STATIC_ENV, "findings": DEFAULT_FINDINGS},
            id="default-cgo-made-static",
        ),
        pytest.param(
            go_file("", "go build -o /out/app ."),
            None,
            SERVER_ONLY,
            {"linkage": "static", "builder_env": STATIC_ENV, "findings": DEFAULT_FINDINGS},
            id="default-cgo-sources-without-import-c",
        ),
        pytest.param(
            go_file("", "go build -o /out/app ."),
            None,
            CGO_SOURCE,
            {"linkage": "glibc", "builder_env": (), "findings": [("DSR100", None)]},
            id="import-c-keeps-glibc",
        ),
        pytest.param(
            go_file("", "go build -o /out/app ."),
            Options(linkage="dynamic"),
            None,
            {"linkage": "glibc", "builder_env": (), "findings": []},
            id="linkage-dynamic",
        ),
        pytest.param(
            go_file("ENV CGO_ENABLED=1\n", "go build -o /out/app ."),
            None,
            None,
            {"linkage": "glibc", "builder_env": (), "findings": []},
            id="cgo-on-in-env",
        ),
        pytest.param(
            go_file("", "go build -o /out/app .", image="golang:1.22-alpine"),
            None,
            None,
            {"linkage": "static", "builder_env": (), "findings": []},
            id="alpine-builder-has-no-gcc",
        ),
        pytest.param(
            go_file(
                "",
                "apk add gcc musl-dev && CGO_ENABLED=1 go build -o /out/app .",
                image="golang:1.22-alpine",
            ),
            None,
            None,
            {"linkage": "musl", "builder_env": (), "findings": []},
            id="alpine-builder-with-cgo-on",
        ),
        # A C compiler installed and cgo left at Go's default (on): a package that needs it
        # (go-sqlite3) links musl, as in the original.
        pytest.param(
            go_file("", "apk add gcc g++ && go build -o /out/app .", image="golang:1.9-alpine3.6"),
            None,
            None,
            {"linkage": "musl", "builder_env": (), "findings": [("DSR100", "--linkage")]},
            id="alpine-builder-with-a-compiler-keeps-cgo",
        ),
        pytest.param(
            go_file(
                "RUN apk add --no-cache build-base\n",
                "go build -o /out/app .",
                image="golang:1.22-alpine3.19",
            ),
            Options(linkage="static"),
            None,
            {"linkage": "static", "builder_env": STATIC_ENV},
            id="alpine-builder-with-a-compiler-static-on-request",
        ),
        # go get fetches the sources on alpine: unchecked, cgo stays as the image has it.
        pytest.param(
            go_file("", "apk add gcc musl-dev && go get -d ./... && go build -o /out/app ."),
            None,
            None,
            {"linkage": "glibc"},
            id="fetched-sources-on-debian-link-glibc",
        ),
    ],
)
def test_linkage(
    text: str,
    options: Options | None,
    context: dict[str, str] | None,
    expected: dict[str, object],
) -> None:
    build = detect(text, options, context)
    assert build is not None
    got = summary(build)
    assert {key: got[key] for key in expected} == expected


def test_dsr101_is_an_unsafe_fix_and_says_whether_sources_were_seen() -> None:
    unseen = detect(go_file("", "go build -o /out/app ."))
    seen = detect(go_file("", "go build -o /out/app ."), context_files=SERVER_ONLY)
    assert unseen is not None and seen is not None
    (unseen_note,) = [f for f in unseen.findings if f.code == "DSR101"]
    (seen_note,) = [f for f in seen.findings if f.code == "DSR101"]
    assert unseen_note.fix_safe is False
    assert "not available" in unseen_note.message
    assert 'no Go file in the build context imports "C"' in seen_note.message


@pytest.mark.parametrize(
    "build",
    [
        pytest.param("go get -v github.com/acme/bot && go build github.com/acme/bot", id="go-get"),
        pytest.param("go install github.com/acme/bot@v1.2.0", id="go-install-remote"),
        pytest.param(
            "git clone https://github.com/acme/bot /go/src/bot && cd /go/src/bot && go build .",
            id="git-clone",
        ),
    ],
)
def test_sources_the_build_fetches_keep_cgo(build: str) -> None:
    # Nothing to check them against: CGO_ENABLED=0 might not even compile (an old
    # go-sqlite3), so the build keeps the image's default and the program links glibc.
    found = detect(go_file("", build))
    assert found is not None and found.linkage == "glibc"
    assert found.builder_env == () and not any(f.code == "DSR101" for f in found.findings)
    (note,) = [f for f in found.findings if "fetches them" in f.message]
    assert note.flag == "--linkage"
    # --linkage static asks for the static build and its cgo check.
    static = detect(go_file("", build), Options(linkage="static"))
    assert static is not None and static.linkage == "static"
    assert static.builder_env == (("CGO_ENABLED", "0"),)


@pytest.mark.parametrize(
    ("text", "context", "needs_ca"),
    [
        pytest.param(go_file("", "go build -o /out/app ."), SERVER_ONLY, False, id="server-only"),
        pytest.param(go_file("", "go build -o /out/app ."), TLS_CLIENT, True, id="tls-client"),
        pytest.param(
            go_file("", "go build -o /out/app ."),
            {
                "main.go": 'package main\n\nimport "crypto/tls"\n\nfunc main() { tls.Dial("tcp", '
                '"x:443", nil) }\n'
            },
            True,
            id="tls-dial",
        ),
        pytest.param(
            go_file("", "go build -o /out/app ."), None, True, id="sources-unknown-assume-ca"
        ),
        pytest.param(
            go_file(
                "RUN apt-get update && apt-get install -y ca-certificates\n",
                "go build -o " "/out/app .",
            ),
            {"main.go": "package main\n\nfunc main() {}\n"},
            True,
            id="installs-ca-certificates",
        ),
    ],
)
def test_ca_certificates(text: str, context: dict[str, str] | None, needs_ca: bool) -> None:
    build = detect(text, context_files=context)
    assert build is not None
    assert build.needs_ca_certificates is needs_ca


def test_template_and_lines() -> None:
    build = detect(go_file("RUN go mod download\n", "go build -o /out/app ."))
    assert build is not None
    assert build.template == "go.Dockerfile.j2"
    assert build.lines == (5,)
    assert build.runtime_image is None


def test_every_output_the_build_names_is_copied_not_only_the_program() -> None:
    # toxiproxy and toxiproxy-cli: the second is a deliverable people run with docker exec.
    build = detect(
        go_file(
            "",
            "go build -o /go/bin/server ./cmd/server && go build -o /go/bin/server-cli ./cli",
            '["/go/bin/server"]',
        )
    )
    assert build is not None
    assert [a.path for a in build.artifacts] == ["/go/bin/server", "/go/bin/server-cli"]


def test_static_build_checks_the_imported_packages_for_cgo_in_the_builder() -> None:
    # Our sources may be free of cgo while a dependency (go-sqlite3) is not: the builder
    # lists the build's packages and their dependencies and stops on one with cgo files.
    text = go_file("WORKDIR /src\nCOPY . .\n", "go build -o /out/app ./cmd/app")
    build = detect(text, None, SERVER_ONLY)
    assert build is not None and build.builder_env == (("CGO_ENABLED", "0"),)
    (step,) = build.final_steps
    assert "(cd /src && CGO_ENABLED=1 go list" in step and "./cmd/app" in step
    assert "{{if and .CgoFiles (not .Standard)}}" in step
    assert "exit 1" in step and "--linkage dynamic" in step


@pytest.mark.parametrize(
    "options", [Options(linkage="dynamic"), None], ids=["dynamic-flag", "cgo-on-explicitly"]
)
def test_no_cgo_check_when_cgo_stays_on(options: Options | None) -> None:
    command = "go build -o /out/app ." if options else "CGO_ENABLED=1 go build -o /out/app ."
    build = detect(go_file("", command), options)
    assert build is not None and build.linkage == "glibc"
    assert not any("CgoFiles" in s for s in build.final_steps)


def test_a_gopath_package_keeps_its_folder_and_gopath() -> None:
    # An old program parses os.Getenv("GOPATH") + "/src/github.com/x/app/templates/*.html".
    text = (
        "FROM golang:1.9\nADD . /go/src/github.com/x/app\n"
        "RUN go install github.com/x/app\nENTRYPOINT /go/bin/app\n"
    )
    build = detect(text)
    assert build is not None
    assert ("/go/src/github.com/x/app", "/go/src/github.com/x/app") in [
        (a.path, a.dest) for a in build.artifacts
    ]
    assert build.runtime_env == (("GOPATH", "/go"),)


def test_a_module_build_outside_gopath_adds_nothing() -> None:
    build = detect(go_file("WORKDIR /src\nCOPY . .\n", "go build -o /out/app ."))
    assert build is not None and build.runtime_env == ()
    assert [a.path for a in build.artifacts] == ["/out/app"]


def test_a_gopath_package_the_build_deletes_is_not_copied() -> None:
    # registrator builds, then `rm -rf /go` in the same RUN: a copy of it would fail.
    text = (
        "FROM golang:1.9\nCOPY . /go/src/github.com/x/app\n"
        "RUN cd /go/src/github.com/x/app && go build -o /bin/app && rm -rf /go\n"
        'ENTRYPOINT ["/bin/app"]\n'
    )
    build = detect(text)
    assert build is not None
    assert [a.path for a in build.artifacts] == ["/bin/app"] and build.runtime_env == ()


def test_go_install_writes_to_the_first_gopath_entry() -> None:
    text = (
        "FROM golang:1.19-bookworm\nENV GOPATH /go:/go/src/example.com/app/Godeps/_workspace\n"
        "WORKDIR /go/src/example.com/app\nCOPY . .\nRUN go install\n"
        'ENTRYPOINT ["/go/bin/app"]\n'
    )
    build = detect(text)
    assert build is not None
    assert build.artifacts[0].path == "/go/bin/app"
