"""Wrapper commands: ``cargo run`` and ``npm start`` become the program they run, unless
``--keep-command`` keeps them; what cannot be resolved is kept, with the reason."""

from __future__ import annotations

import json

import dockerfile
import pytest

from dockerslim_refactor.analysis import wrappers
from dockerslim_refactor.analysis.facts import stage_facts
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

CRATE = {"Cargo.toml": '[package]\nname = "hello"\nversion = "0.1.0"\n'}
TWO_BINS = {
    "Cargo.toml": '[package]\nname = "pkg"\nversion = "0.1.0"\n\n'
    '[[bin]]\nname = "serve"\npath = "src/serve.rs"\n\n'
    '[[bin]]\nname = "admin"\npath = "src/admin.rs"\n'
}


def resolve(text: str, context: dict[str, str] | None = None):
    document = parse(text)
    return wrappers.resolve(stage_facts(document, document.stages[-1], context))


def cargo_file(command: str, build: str = "") -> str:
    return f"FROM rust:1.79-bookworm\nWORKDIR /src\nCOPY . .\n{build}CMD {command}\n"


@pytest.mark.parametrize(
    ("command", "context", "argv", "build"),
    [
        pytest.param(
            '["cargo", "run", "--release"]',
            CRATE,
            ("/src/target/release/hello",),
            "cargo build --release --bin hello",
            id="crate-name-from-cargo-toml",
        ),
        pytest.param(
            '["cargo", "run", "--release", "--", "--port", "80"]',
            CRATE,
            ("/src/target/release/hello", "--port", "80"),
            "cargo build --release --bin hello",
            id="arguments-after-the-separator",
        ),
        pytest.param(
            '["cargo", "run", "--bin", "serve"]',
            None,
            ("/src/target/debug/serve",),
            "cargo build --bin serve",
            id="bin-flag-needs-no-cargo-toml-and-dev-profile-is-debug",
        ),
        pytest.param(
            '["cargo", "run", "--profile", "dist", "--target", "x86_64-unknown-linux-musl"]',
            CRATE,
            ("/src/target/x86_64-unknown-linux-musl/dist/hello",),
            "cargo build --profile dist --target x86_64-unknown-linux-musl --bin hello",
            id="profile-and-target",
        ),
        pytest.param(
            '["cargo", "run", "-r", "--target-dir", "/build"]',
            CRATE,
            ("/build/release/hello",),
            "cargo build -r --target-dir /build --bin hello",
            id="target-dir",
        ),
        pytest.param(
            "cargo run --release",
            {
                "Cargo.toml": TWO_BINS["Cargo.toml"].replace(
                    "\n\n[[bin]]", '\ndefault-run = "serve"\n\n[[bin]]', 1
                )
            },
            ("/src/target/release/serve",),
            "cargo build --release --bin serve",
            id="default-run-picks-one-of-several-binaries",
        ),
    ],
)
def test_cargo_run_becomes_the_built_binary(command, context, argv, build) -> None:
    wrapper = resolve(cargo_file(command), context)
    assert wrapper is not None
    assert (wrapper.argv, wrapper.build) == (argv, build)
    assert "--keep-command" in wrapper.note


@pytest.mark.parametrize(
    ("command", "context", "problem"),
    [
        pytest.param('["cargo", "run"]', None, "Cargo.toml, which was not read", id="no-toml"),
        pytest.param('["cargo", "run"]', TWO_BINS, "Cargo.toml", id="several-bins-no-default"),
        pytest.param('["cargo", "run", "-p", "web"]', CRATE, "-p", id="package-flag"),
        pytest.param(
            '["cargo", "run", "--manifest-path", "web/Cargo.toml"]',
            CRATE,
            "--manifest-path",
            id="manifest-path",
        ),
    ],
)
def test_cargo_run_that_cannot_be_resolved_is_kept_with_the_reason(
    command, context, problem
) -> None:
    text = cargo_file(command)
    assert resolve(text, context) is None
    document = parse(text)
    reason = wrappers.unresolved_reason(stage_facts(document, document.stages[-1], context))
    assert reason is not None and problem in reason
    result = rewrite(text, context_files=context)
    assert result.output is None
    assert "cannot run the built program directly" in result.reason and problem in result.reason


def test_shell_form_of_plain_words_becomes_exec_form_and_a_glob_keeps_the_shell() -> None:
    plain = resolve(cargo_file("cargo run --release -- --name world"), CRATE)
    assert plain is not None and not plain.shell_form
    globbed = resolve(cargo_file("cargo run --release -- /data/*.csv"), CRATE)
    assert globbed is not None and globbed.shell_form
    assert resolve(cargo_file("cargo run --release -- $PORT"), CRATE) is None


def test_a_wrapper_split_over_entrypoint_and_cmd_is_not_followed() -> None:
    text = 'FROM rust:1.79\nWORKDIR /src\nENTRYPOINT ["cargo", "run"]\nCMD ["--release"]\n'
    assert resolve(text, CRATE) is None


def test_rewrite_builds_what_cargo_run_built_and_runs_it() -> None:
    text = cargo_file('["cargo", "run", "--release", "--", "--port", "80"]')
    result = rewrite(text, context_files=CRATE)
    assert result.output is not None
    builder, runtime = result.output.split("\nFROM ", 1)
    assert "RUN cargo build --release --bin hello\n" in builder
    assert 'CMD ["/src/target/release/hello", "--port", "80"]' in runtime
    assert "cargo" not in runtime.split("# Was:")[0]
    assert "# Was: CMD cargo run --release -- --port 80" in runtime
    notes = [f for f in result.plan.notes if "compiled the program" in f.message]
    assert notes and notes[0].line == 4
    # BuildKit reads the result, and a second rewrite leaves it as it is.
    assert [c.cmd for c in dockerfile.parse_string(result.output)].count("FROM") == 2
    assert rewrite(result.output, context_files=CRATE).output is None


def test_no_second_build_when_the_file_already_builds_the_same_profile() -> None:
    text = cargo_file('["cargo", "run", "--release"]', build="RUN cargo build --release\n")
    result = rewrite(text, context_files=CRATE)
    assert result.output is not None
    assert result.output.count("cargo build") == 1


def test_keep_command_keeps_cargo_run_and_with_it_the_toolchain() -> None:
    text = cargo_file('["cargo", "run", "--release"]', build="RUN cargo build --release\n")
    result = rewrite(text, Options(keep_command=True), context_files=CRATE)
    assert result.output is None
    assert "--keep-command keeps that command" in result.reason
    # Findings about the rewrite it would have made are not shown.
    assert not [f for f in result.analysis.findings if f.code == "DSR100"]


def package_json(start: str | None, **scripts: str) -> dict[str, str]:
    body = dict(scripts)
    if start is not None:
        body["start"] = start
    return {"package.json": json.dumps({"name": "app", "scripts": body})}


NODE = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD {cmd}\n"


@pytest.mark.parametrize(
    "cmd", ['["npm", "start"]', '["npm", "run", "start"]', "npm start", '["yarn", "start"]']
)
def test_npm_start_with_a_plain_node_script_runs_node(cmd: str) -> None:
    wrapper = resolve(NODE.format(cmd=cmd), package_json("node server.js --port 3000"))
    assert wrapper is not None
    assert wrapper.argv == ("node", "server.js", "--port", "3000")
    assert wrapper.build is None


@pytest.mark.parametrize(
    ("context", "problem"),
    [
        pytest.param(None, "package.json, which was not read", id="no-package-json"),
        pytest.param(package_json(None), "no start script", id="no-start-script"),
        pytest.param(
            package_json("node server.js", prestart="node migrate.js"),
            "prestart",
            id="prestart-hook",
        ),
        pytest.param(
            package_json("NODE_ENV=production node server.js"), "more than", id="env-prefix"
        ),
        pytest.param(package_json("node a.js && node b.js"), "more than", id="two-commands"),
        pytest.param(package_json("ts-node src/index.ts"), "more than", id="not-node"),
    ],
)
def test_npm_start_that_is_more_than_node_stays(context, problem) -> None:
    text = NODE.format(cmd='["npm", "start"]')
    assert resolve(text, context) is None
    document = parse(text)
    reason = wrappers.unresolved_reason(stage_facts(document, document.stages[-1], context))
    assert reason is not None and problem in reason


def test_rewrite_of_npm_start_runs_node_and_keep_command_keeps_npm() -> None:
    text = NODE.format(cmd='["npm", "start"]')
    context = package_json("node server.js")
    direct = rewrite(text, context_files=context)
    assert direct.output is not None
    runtime = direct.output.split("\nFROM ", 1)[1]
    assert 'CMD ["node", "server.js"]' in runtime
    kept = rewrite(text, Options(keep_command=True), context_files=context)
    assert kept.output is not None
    assert 'CMD ["npm", "start"]' in kept.output.split("\nFROM ", 1)[1]
    assert "# Was:" not in kept.output
