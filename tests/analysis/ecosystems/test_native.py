"""The native detector: C/C++ builds (make, cmake, direct compiler calls) and the generic
``make install`` fallback; install prefixes, static linking and run-time libraries."""

from __future__ import annotations

from textwrap import dedent

import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import native
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(text: str, options: Options | None = None) -> BuildInfo | None:
    return run_detector(native.detect, text, options)


def summary(build: BuildInfo) -> dict[str, object]:
    return {
        "ecosystem": build.ecosystem,
        "artifacts": [(a.path, a.dest) for a in build.artifacts],
        "linkage": build.linkage,
        "builder_env": build.builder_env,
        "runtime_packages": build.runtime_packages,
        "ca": build.needs_ca_certificates,
        "findings": sorted((f.code, f.flag) for f in build.findings),
    }


def c_file(run: str, cmd: str, image: str = "gcc:13", before: str = "") -> str:
    return f"FROM {image}\n{before}WORKDIR /usr/src/app\nCOPY . .\nRUN {run}\nCMD {cmd}\n"


LIBS = ("/opt/runtime-libs/", "/usr/local/lib/")
DYNAMIC = [("DSR103", "--linkage")]
APP = "/usr/src/app"


# --------------------------------------------------------------------------------------------
# Must not detect / must not change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            """
            FROM debian:bookworm
            RUN apt-get update && apt-get install -y nginx
            CMD ["nginx", "-g", "daemon off;"]
            """,
            id="installs-prebuilt-packages",
        ),
        pytest.param(
            """
            FROM alpine:3.20
            COPY tool /usr/local/bin/tool
            CMD ["tool"]
            """,
            id="copies-a-binary",
        ),
        pytest.param(c_file("echo make install", '["tool"]'), id="make-in-echo"),
        pytest.param(c_file("./run-tests.sh", '["tool"]'), id="script"),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(c_file("make && make install", '["make", "test"]'), id="runs-make"),
        pytest.param(c_file("make && make install", '["bash"]'), id="runs-a-shell"),
        pytest.param(
            """
            FROM gcc:13 AS build
            WORKDIR /src
            RUN make && make install
            FROM debian:bookworm-slim
            COPY --from=build /usr/local/bin/tool /usr/local/bin/tool
            CMD ["tool"]
            """,
            id="already-multi-stage",
        ),
    ],
)
def test_left_alone(text: str) -> None:
    result = rewrite(dedent(text).lstrip("\n"))
    assert result.output is None
    assert result.reason


# --------------------------------------------------------------------------------------------
# Detects: where the program is


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            c_file("make && make install", '["tool"]'),
            {"artifacts": [("/usr/local/bin/tool", "/usr/local/bin/tool"), LIBS]},
            id="make-install-default-prefix",
        ),
        pytest.param(
            c_file("make && make install PREFIX=/opt/tool", '["/opt/tool/bin/tool"]'),
            {"artifacts": [("/opt/tool/bin/tool", "/opt/tool/bin/tool"), LIBS]},
            id="make-install-prefix",
        ),
        pytest.param(
            c_file("make && make install PREFIX=/opt/tool", '["tool"]'),
            {"artifacts": [("/opt/tool/bin/tool", "/usr/local/bin/tool"), LIBS]},
            id="prefix-outside-path-lands-on-path",
        ),
        pytest.param(
            c_file(
                "cmake -S . -B build && cmake --build build && cmake --install build", '["tool"]'
            ),
            {"artifacts": [("/usr/local/bin/tool", "/usr/local/bin/tool"), LIBS]},
            id="cmake-install",
        ),
        pytest.param(
            c_file(
                "cmake -S . -B build && cmake --build build "
                "&& cmake --install build --prefix /opt/x",
                '["/opt/x/bin/tool"]',
            ),
            {"artifacts": [("/opt/x/bin/tool", "/opt/x/bin/tool"), LIBS]},
            id="cmake-install-prefix",
        ),
        pytest.param(
            c_file("cd build && make && make install", '["tool"]'),
            {"artifacts": [("/usr/local/bin/tool", "/usr/local/bin/tool"), LIBS]},
            id="make-install-after-cd",
        ),
        pytest.param(
            c_file("gcc -O2 -o hello hello.c", '["./hello"]'),
            {"artifacts": [(f"{APP}/hello", f"{APP}/hello")]},
            id="gcc-o-relative",
        ),
        pytest.param(
            c_file("gcc -c -o hello.o hello.c && gcc -o hello hello.o", '["./hello"]'),
            {"artifacts": [(f"{APP}/hello", f"{APP}/hello")]},
            id="gcc-c-object-is-not-the-program",
        ),
        pytest.param(
            c_file("g++ -O2 -o /usr/local/bin/tool main.cpp", '["tool"]'),
            {"artifacts": [("/usr/local/bin/tool", "/usr/local/bin/tool")]},
            id="gxx-o-absolute",
        ),
        pytest.param(
            c_file("make", '["./build/tool"]'),
            {"artifacts": [(f"{APP}/build/tool", f"{APP}/build/tool")]},
            id="in-tree-build-by-path",
        ),
    ],
)
def test_artifacts(text: str, expected: dict[str, object]) -> None:
    build = detect(text)
    assert build is not None
    got = summary(build)
    assert {key: got[key] for key in expected} == expected


def test_destdir_stages_the_install_under_its_root() -> None:
    build = detect(c_file("make && make DESTDIR=/stage PREFIX=/usr install", '["tool"]'))
    assert build is not None
    program = build.artifacts[0]
    assert program.path == "/stage/usr/bin/tool"
    # The runtime copy drops the staging root or lands on PATH: the command finds it by name.
    assert program.dest in {"/usr/bin/tool", "/usr/local/bin/tool"}


def test_install_collects_usr_local_libraries() -> None:
    build = detect(c_file("make && make install", '["tool"]'))
    assert build is not None
    assert build.runtime_env == (("LD_LIBRARY_PATH", "/usr/local/lib"),)
    (step,) = build.builder_steps
    assert "ldd /usr/local/bin/tool" in step
    assert step.startswith("# ")


# --------------------------------------------------------------------------------------------
# Detects: linkage, ecosystem, packages


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        pytest.param(
            c_file("gcc -O2 -o hello hello.c", '["./hello"]'),
            None,
            {"linkage": "glibc", "builder_env": (), "findings": DYNAMIC},
            id="dynamic-glibc",
        ),
        pytest.param(
            c_file(
                "apk add build-base && gcc -o /usr/local/bin/tool main.c", '["tool"]', "alpine:3.19"
            ),
            None,
            {"linkage": "musl", "findings": DYNAMIC},
            id="dynamic-musl",
        ),
        pytest.param(
            c_file("make LDFLAGS=-static && make install", '["tool"]'),
            None,
            {"linkage": "static", "builder_env": (), "findings": [], "runtime_packages": ()},
            id="ldflags-static-on-make",
        ),
        pytest.param(
            c_file("make && make install", '["tool"]', before="ENV LDFLAGS=-static\n"),
            None,
            {"linkage": "static", "builder_env": (), "findings": []},
            id="ldflags-static-in-env",
        ),
        pytest.param(
            c_file("gcc -O2 -o hello hello.c", '["./hello"]'),
            Options(linkage="static"),
            {
                "linkage": "static",
                "builder_env": (("LDFLAGS", "-static"),),
                "findings": [("DSR102", None)],
            },
            id="linkage-static-option",
        ),
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y gcc libssl-dev libpq-dev zlib1g-dev "
                "&& gcc -o /usr/local/bin/tool main.c -lssl -lpq",
                '["tool"]',
                "debian:bookworm",
            ),
            None,
            {"runtime_packages": ("libssl3", "libpq5"), "findings": DYNAMIC},
            id="dev-packages-to-runtime-libraries",
        ),
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y gcc libfoo-dev "
                "&& gcc -o /usr/local/bin/tool main.c -lfoo",
                '["tool"]',
                "debian:bookworm",
            ),
            None,
            {
                "runtime_packages": (),
                "findings": sorted(DYNAMIC + [("DSR100", "--runtime-package")]),
            },
            id="unknown-dev-package",
        ),
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y gcc libssl-dev "
                "&& gcc -static -o /usr/local/bin/tool main.c",
                '["tool"]',
                "debian:bookworm",
            ),
            Options(artifacts=("/usr/local/bin/tool",)),
            {"linkage": "static", "runtime_packages": (), "findings": []},
            id="static-needs-no-runtime-libraries",
        ),
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y ca-certificates gcc "
                "&& gcc -o /usr/local/bin/tool main.c",
                '["tool"]',
                "debian:bookworm",
            ),
            None,
            {"ca": True},
            id="installs-ca-certificates",
        ),
    ],
)
def test_linkage_and_packages(
    text: str, options: Options | None, expected: dict[str, object]
) -> None:
    build = detect(text, options)
    assert build is not None
    got = summary(build)
    assert {key: got[key] for key in expected} == expected


def test_gcc_static_o_is_the_program() -> None:
    build = detect(c_file("gcc -O2 -static -o hello hello.c", '["./hello"]'))
    assert build is not None
    assert [(a.path, a.dest) for a in build.artifacts] == [(f"{APP}/hello", f"{APP}/hello")]
    assert build.linkage == "static"


@pytest.mark.parametrize(
    "run",
    [
        pytest.param("./configure --prefix=/usr && make && make install", id="configure"),
        pytest.param(
            "cmake -B build -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build "
            "&& cmake --install build",
            id="cmake",
        ),
    ],
)
def test_configure_time_prefix_decides_where_the_install_puts_the_program(run: str) -> None:
    build = detect(c_file(run, '["tool"]'))
    assert build is not None
    assert build.artifacts[0].path == "/usr/bin/tool"


@pytest.mark.parametrize(
    ("text", "ecosystem", "template"),
    [
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y build-essential && make && make install",
                '["tool"]',
                "ubuntu:22.04",
            ),
            "generic",
            "generic.Dockerfile.j2",
            id="make-only-on-ubuntu-is-generic",
        ),
        pytest.param(
            c_file("make && make install", '["tool"]'),
            "c",
            "c.Dockerfile.j2",
            id="make-on-gcc-image-is-c",
        ),
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y gcc && gcc -o /usr/local/bin/tool main.c",
                '["tool"]',
                "ubuntu:22.04",
            ),
            "c",
            "c.Dockerfile.j2",
            id="compiler-call-on-ubuntu-is-c",
        ),
        pytest.param(
            c_file(
                "apt-get update && apt-get install -y cmake g++ && cmake -B b && cmake --build b "
                "&& cmake --install b",
                '["tool"]',
                "ubuntu:22.04",
            ),
            "c",
            "c.Dockerfile.j2",
            id="cmake-on-ubuntu-is-c",
        ),
    ],
)
def test_generic_or_c(text: str, ecosystem: str, template: str) -> None:
    build = detect(text)
    assert build is not None
    assert (build.ecosystem, build.template) == (ecosystem, template)


def test_an_in_tree_build_run_by_a_bare_name_is_found_at_build_time() -> None:
    # `tool` is looked up on the builder's PATH; the build fails loudly if it is not there.
    result = rewrite(c_file("make", '["tool"]', image="gcc:13-bookworm"))
    assert result.output is not None
    assert "p=$(command -v tool) ||" in result.output
    assert "the build did not install" in result.output


def test_a_start_script_is_not_taken_for_a_make_install_output() -> None:
    # `make install` puts programs in PREFIX/bin; startup.sh came with the sources.
    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n"
        'WORKDIR /dynomite\nCOPY . .\nRUN make && make install\nCMD ["./startup.sh"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "/usr/local/bin/startup.sh" not in result.output
    assert "COPY --from=builder /tmp/dslim/app /dynomite" in result.output
