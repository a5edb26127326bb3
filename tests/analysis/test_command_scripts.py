"""A command that runs a script from the build context (``./start.sh``, ``sh run.sh``) is
followed to the build output it runs: the runtime gets both, a shell, and what the script
runs, or no rewrite when no base has it."""

from __future__ import annotations

import pytest

from dockerslim_refactor.analysis.benefit import toolchain_purpose
from dockerslim_refactor.analysis.facts import stage_facts
from dockerslim_refactor.analysis.program import context_file_for
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

GO = """\
FROM golang:1.22-bookworm
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/server .
CMD {cmd}
"""
SOURCES = {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}


def context(script: str, name: str = "start.sh") -> dict[str, str]:
    return {**SOURCES, name: script}


START = "#!/bin/sh\nset -e\nmkdir -p /tmp/state\nexec server --port 80\n"


@pytest.mark.parametrize("cmd", ['["./start.sh"]', '["sh", "./start.sh"]', "./start.sh"])
def test_the_script_is_followed_to_the_binary_it_runs(cmd: str) -> None:
    result = rewrite(GO.format(cmd=cmd), context_files=context(START))
    assert result.output is not None, result.reason
    build = result.analysis.build
    kinds = {a.path: a.kind for a in build.artifacts}
    assert kinds["/usr/local/bin/server"] == "binary"
    assert kinds["/src/start.sh"] == "script"
    runtime = result.output.split("\nFROM ", 1)[1]
    # A shell for the script: alpine, not scratch or distroless.
    assert runtime.startswith("alpine:")
    assert "COPY --from=builder /src/start.sh /src/start.sh" in runtime
    assert "COPY --from=builder /usr/local/bin/server /usr/local/bin/server" in runtime


def test_busybox_has_the_utilities_a_script_uses() -> None:
    result = rewrite(
        GO.format(cmd='["./start.sh"]'), Options(runtime="busybox"), context_files=context(START)
    )
    assert result.output is not None, result.reason
    assert "\nFROM busybox:" in result.output


def test_a_script_running_a_tool_no_base_has_is_not_rewritten() -> None:
    script = "#!/bin/sh\nenvsubst < /etc/app.tmpl > /etc/app.conf\nexec server\n"
    result = rewrite(GO.format(cmd='["./start.sh"]'), context_files=context(script))
    assert result.output is None
    assert "envsubst" in result.reason and "--runtime-image" in result.reason


def test_a_script_that_runs_no_build_output_needs_a_base_with_what_it_runs() -> None:
    script = "#!/bin/sh\nexec other-program\n"
    result = rewrite(GO.format(cmd='["./start.sh"]'), context_files=context(script))
    assert result.output is None
    assert "other-program" in result.reason and "--runtime-image" in result.reason


def test_without_the_context_the_script_stays_unknown() -> None:
    result = rewrite(GO.format(cmd='["./start.sh"]'), context_files=SOURCES)
    assert result.output is None
    assert "not one of the go build outputs" in result.reason


@pytest.mark.parametrize(
    ("copy", "path", "expected"),
    [
        ("COPY . .", "/app/bin/run.sh", "bin/run.sh"),
        ("COPY bin/ /opt/", "/opt/run.sh", "bin/run.sh"),
        ("COPY bin/run.sh /usr/local/bin/", "/usr/local/bin/run.sh", "bin/run.sh"),
        ("COPY bin/run.sh /entry", "/entry", "bin/run.sh"),
        ("COPY bin/run.sh /entry", "/other", None),
        ("COPY --from=tools /run.sh /entry", "/entry", None),
    ],
)
def test_context_file_for_maps_image_paths_to_the_context(copy, path, expected) -> None:
    text = f'FROM debian:bookworm\nWORKDIR /app\n{copy}\nCMD ["x"]\n'
    document = parse(text)
    facts = stage_facts(document, document.stages[-1], {"bin/run.sh": "#!/bin/sh\n"})
    assert context_file_for(facts, path) == expected


@pytest.mark.parametrize(
    ("cmd", "purpose"),
    [
        ('["sh", "./start.sh"]', False),
        ('["bash", "-c", "./app"]', False),
        ('["sh"]', True),
        ('["bash", "-l"]', True),
    ],
)
def test_a_shell_running_a_script_is_no_shell_image(cmd: str, purpose: bool) -> None:
    document = parse(GO.format(cmd=cmd))
    facts = stage_facts(document, document.stages[-1])
    assert (toolchain_purpose(facts) is not None) is purpose


@pytest.mark.parametrize(
    ("script", "what"),
    [
        ("#!/bin/sh\nnpm install\nexec node dist/server.js\n", "npm install"),
        ("#!/bin/sh\nset -e\ncd client && yarn install && cd ..\nexec node s.js\n", "yarn install"),
        ("#!/bin/bash\nbundle install\nexec bundle exec puma\n", "bundle install"),
        ("#!/bin/sh\nmake assets\nexec node s.js\n", "make assets"),
    ],
)
def test_a_start_script_that_builds_leaves_the_file_alone(script: str, what: str) -> None:
    # The container builds when it starts: the toolchain the rewrite would leave in the
    # builder is what the start script needs.
    text = (
        "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n" 'CMD ["./start.sh"]\n'
    )
    files = {"start.sh": script, "package.json": "{}"}
    result = rewrite(text, Options(), files)
    assert result.output is None
    assert f"runs `{what}` when the container starts" in result.reason
    assert "--runtime-image" in result.reason
    # A named runtime image settles it.
    assert rewrite(text, Options(runtime_image="node:18"), files).output is not None


def test_a_start_script_that_only_starts_the_program_is_rewritten() -> None:
    text = (
        "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n" 'CMD ["./start.sh"]\n'
    )
    files = {"start.sh": "#!/bin/sh\nnpm run migrate\nexec node dist/server.js\n"}
    assert rewrite(text, Options(), {**files, "package.json": "{}"}).output is not None
