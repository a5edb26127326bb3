"""The Rust detector: ``cargo build`` / ``cargo install`` outputs, profiles, targets, the
binary name from Cargo.toml, gnu vs musl linkage."""

from __future__ import annotations

from textwrap import dedent

import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import rust
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(
    text: str, options: Options | None = None, context_files: dict[str, str] | None = None
) -> BuildInfo | None:
    return run_detector(rust.detect, text, options, context_files)


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


def rust_file(run: str, cmd: str, image: str = "rust:1.79", before: str = "") -> str:
    return f"FROM {image}\n{before}WORKDIR /usr/src/app\nCOPY . .\nRUN {run}\nCMD {cmd}\n"


CARGO_TOML = {
    "Cargo.toml": '[package]\nname = "hello-srv"\nversion = "0.1.0"\n\n'
    '[dependencies]\nserde = "1"\n'
}
CARGO_TOML_TLS = {
    "Cargo.toml": '[package]\nname = "fetcher"\nversion = "0.1.0"\n\n'
    '[dependencies]\nreqwest = "0.12"\n'
}
CARGO_TOML_OPENSSL = {
    "Cargo.toml": '[package]\nname = "fetcher"\nversion = "0.1.0"\n\n'
    '[dependencies]\nopenssl = "0.10"\n'
}
GUESSED = [("DSR100", "--artifact")]
APP = "/usr/src/app"


# --------------------------------------------------------------------------------------------
# Must not detect / must not change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(rust_file("cargo test && cargo clippy", '["cargo", "run"]'), id="test-clippy"),
        pytest.param(rust_file("cargo fetch", '["cargo", "run"]'), id="fetch-only"),
        pytest.param(rust_file("rustup component add rustfmt", '["bash"]'), id="rustup-only"),
        pytest.param(rust_file("echo cargo build --release", '["bash"]'), id="cargo-in-echo"),
        pytest.param('FROM golang:1.22\nRUN go build -o /out/app .\nCMD ["/out/app"]\n', id="go"),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(rust_file("cargo build --release", '["cargo", "run"]'), id="runs-cargo"),
        pytest.param(
            """
            FROM rust:1.79 AS build
            WORKDIR /src
            RUN cargo build --release
            FROM debian:bookworm-slim
            COPY --from=build /src/target/release/app /app
            CMD ["/app"]
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
# Detects


@pytest.mark.parametrize(
    ("text", "options", "context", "expected"),
    [
        pytest.param(
            rust_file("cargo build --release", f'["{APP}/target/release/app"]'),
            None,
            None,
            {
                "artifacts": [(f"{APP}/target/release/app", f"{APP}/target/release/app")],
                "linkage": "glibc",
                "findings": [],  # guessed from the folder, confirmed by the command's path
            },
            id="release-name-from-folder-is-confirmed-by-the-command",
        ),
        pytest.param(
            rust_file("cargo build", '["./target/debug/app"]'),
            None,
            None,
            {
                "artifacts": [(f"{APP}/target/debug/app", f"{APP}/target/debug/app")],
                "linkage": "glibc",
            },
            id="debug-profile",
        ),
        pytest.param(
            rust_file("cargo build -r", '["./target/release/app"]'),
            None,
            None,
            {"artifacts": [(f"{APP}/target/release/app", f"{APP}/target/release/app")]},
            id="short-release-flag",
        ),
        pytest.param(
            rust_file("cargo build --profile dist", '["./target/dist/app"]'),
            None,
            None,
            {"artifacts": [(f"{APP}/target/dist/app", f"{APP}/target/dist/app")]},
            id="custom-profile",
        ),
        pytest.param(
            rust_file("cargo build --release", '["./target/release/hello-srv"]'),
            None,
            CARGO_TOML,
            {
                "artifacts": [
                    (f"{APP}/target/release/hello-srv", f"{APP}/target/release/hello-srv")
                ],
                "findings": [],
                "ca": False,
            },
            id="name-from-cargo-toml",
        ),
        pytest.param(
            rust_file("cargo build --release --bin server", '["./target/release/server"]'),
            None,
            None,
            {
                "artifacts": [(f"{APP}/target/release/server", f"{APP}/target/release/server")],
                "findings": [],
            },
            id="bin-flag-names-the-binary",
        ),
        pytest.param(
            rust_file(
                "rustup target add x86_64-unknown-linux-musl "
                "&& cargo build --release --target x86_64-unknown-linux-musl",
                '["./target/x86_64-unknown-linux-musl/release/hello-srv"]',
            ),
            None,
            CARGO_TOML,
            {
                "artifacts": [
                    (
                        f"{APP}/target/x86_64-unknown-linux-musl/release/hello-srv",
                        f"{APP}/target/x86_64-unknown-linux-musl/release/hello-srv",
                    )
                ],
                "linkage": "static",
                "runtime_packages": (),
            },
            id="musl-target-static",
        ),
        pytest.param(
            rust_file(
                "cargo build --release",
                '["./target/x86_64-unknown-linux-musl/release/hello-srv"]',
                before="ENV CARGO_BUILD_TARGET=x86_64-unknown-linux-musl\n",
            ),
            None,
            CARGO_TOML,
            {"linkage": "static", "findings": []},
            id="musl-target-from-env",
        ),
        pytest.param(
            rust_file(
                "cargo build --release", '["./target/release/hello-srv"]', "rust:1.79-alpine"
            ),
            None,
            CARGO_TOML,
            {"linkage": "static", "builder_env": ()},
            id="alpine-builder-static",
        ),
        pytest.param(
            rust_file("cargo build --release --target-dir /build", '["/build/release/hello-srv"]'),
            None,
            CARGO_TOML,
            {"artifacts": [("/build/release/hello-srv", "/build/release/hello-srv")]},
            id="target-dir-flag",
        ),
        pytest.param(
            rust_file(
                "cargo build --release",
                '["/build/release/hello-srv"]',
                before="ENV CARGO_TARGET_DIR=/build\n",
            ),
            None,
            CARGO_TOML,
            {"artifacts": [("/build/release/hello-srv", "/build/release/hello-srv")]},
            id="cargo-target-dir-env",
        ),
        pytest.param(
            rust_file("cargo install --path .", '["hello-srv"]'),
            None,
            CARGO_TOML,
            {
                "artifacts": [("/usr/local/cargo/bin/hello-srv", "/usr/local/bin/hello-srv")],
                "findings": [],
            },
            id="install-path-into-cargo-home",
        ),
        pytest.param(
            rust_file("cargo install --root /usr/local --path .", '["hello-srv"]'),
            None,
            CARGO_TOML,
            {"artifacts": [("/usr/local/bin/hello-srv", "/usr/local/bin/hello-srv")]},
            id="install-root",
        ),
        pytest.param(
            rust_file("cargo install --locked just", '["just"]'),
            None,
            None,
            {"artifacts": [("/usr/local/cargo/bin/just", "/usr/local/bin/just")], "findings": []},
            id="install-crate-by-name",
        ),
        pytest.param(
            rust_file("cargo build --release", '["./target/release/fetcher"]'),
            None,
            CARGO_TOML_TLS,
            {"ca": True, "runtime_packages": ()},
            id="tls-crate-needs-ca",
        ),
        pytest.param(
            rust_file("cargo build --release", '["./target/release/fetcher"]'),
            None,
            CARGO_TOML_OPENSSL,
            {"ca": True, "runtime_packages": ("libssl3",)},
            id="openssl-crate-needs-libssl",
        ),
        pytest.param(
            rust_file(
                "apt-get update && apt-get install -y pkg-config libssl-dev libfoo-dev "
                "&& cargo build --release",
                '["./target/release/hello-srv"]',
            ),
            None,
            CARGO_TOML,
            {
                "runtime_packages": ("libssl3",),
                "findings": [("DSR100", "--runtime-package")],
            },
            id="dev-packages-to-runtime-packages",
        ),
        pytest.param(
            rust_file("cargo build --release", '["./target/release/hello-srv"]'),
            Options(artifacts=("target/release/hello-srv:/usr/local/bin/hello",)),
            CARGO_TOML,
            {"artifacts": [(f"{APP}/target/release/hello-srv", "/usr/local/bin/hello")]},
            id="artifact-option",
        ),
    ],
)
def test_detects(
    text: str,
    options: Options | None,
    context: dict[str, str] | None,
    expected: dict[str, object],
) -> None:
    build = detect(text, options, context)
    assert build is not None
    got = summary(build)
    assert got["ecosystem"] == "rust"
    assert {key: got[key] for key in expected} == expected


def test_cargo_target_dir_prefix_on_the_command() -> None:
    build = detect(
        rust_file("CARGO_TARGET_DIR=/build cargo build --release", '["/build/release/hello-srv"]'),
        context_files=CARGO_TOML,
    )
    assert build is not None
    assert [(a.path, a.dest) for a in build.artifacts] == [
        ("/build/release/hello-srv", "/build/release/hello-srv")
    ]


def test_gnu_target_has_no_builder_env_and_no_static_note() -> None:
    build = detect(
        rust_file("cargo build --release", '["./target/release/hello-srv"]'), None, CARGO_TOML
    )
    assert build is not None
    assert build.builder_env == ()
    assert build.template == "rust.Dockerfile.j2"
    assert not [f for f in build.findings if f.code in {"DSR101", "DSR102", "DSR103"}]


def test_without_cargo_toml_the_runtime_keeps_the_ca_store() -> None:
    # Nothing says the program does not speak HTTPS: a slim runtime without CA certificates
    # would fail every TLS handshake.
    build = detect(rust_file("cargo build --release", '["/usr/src/app/target/release/app"]'))
    assert build is not None and build.needs_ca_certificates


def test_the_rust_toolchain_stays_out_of_the_installed_tree() -> None:
    from dockerslim_refactor.analysis.ecosystems.installed import PRUNED

    assert {"/root/.rustup", "/usr/local/rustup"} <= set(PRUNED)


def test_cargo_install_of_a_crate_whose_binary_has_another_name() -> None:
    # vigil-server installs the binary vigil: the image's command names it, in cargo's bin.
    build = detect(
        "FROM rust:1.79-bookworm\nWORKDIR /usr/src/vigil\nRUN cargo install vigil-server\n"
        'CMD ["vigil", "-c", "/etc/vigil.cfg"]\n'
    )
    assert build is not None
    program = build.artifacts[0]
    assert (program.path, program.dest) == ("/usr/local/cargo/bin/vigil", "/usr/local/bin/vigil")
    assert not [f for f in build.findings if f.severity == "warning"]


@pytest.mark.parametrize(
    ("workdir", "command", "path"),
    [
        # Sources at /: no folder name to go by, but the command names the binary.
        pytest.param("/", "./target/release/rocket", "/target/release/rocket", id="root"),
        # The folder's name is a guess Cargo.toml would settle; the command settles it too.
        pytest.param(
            "/usr/src/app",
            "./target/release/server",
            "/usr/src/app/target/release/server",
            id="named-otherwise-than-the-folder",
        ),
    ],
)
def test_the_command_names_the_binary_in_the_build_output(
    workdir: str, command: str, path: str
) -> None:
    build = detect(
        f"FROM rust:1.75-bookworm\nWORKDIR {workdir}\nCOPY . .\nRUN cargo build --release\n"
        f"CMD {command}\n"
    )
    assert build is not None
    assert [a.path for a in build.artifacts] == [path]
    assert all(a.certain for a in build.artifacts)
