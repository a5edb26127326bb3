"""Minimal inputs for the bugs the properties found, one test each. Fixed ones stay as plain
regression tests. A new one is first marked ``xfail(strict=True)`` until its fix
lands, and the property that found it sets such inputs aside with ``hypothesis.reject``
meanwhile; when the fix lands, strict xfail fails the test: drop the marker and the reject."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from buildkit_oracle import buildkit_error, buildkit_spans

from dockerslim_refactor.document import DockerfileError, parse
from dockerslim_refactor.frontends.cli import main
from dockerslim_refactor.rewrite import rewrite

GO_BUILD = 'RUN CGO_ENABLED=0 go build -o /out/app .\nCMD ["/out/app"]\n'


@pytest.mark.parametrize(
    "text",
    ["\\", "FROM alpine\n\\\n", "FROM alpine\n  \\  \n\n# c\n", "# escape=`\nFROM alpine\n`\n"],
)
def test_lone_escape_line_is_refused_not_a_crash(text: str) -> None:
    with pytest.raises(DockerfileError):
        parse(text)


def test_lone_escape_line_in_the_cli_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine\n\\\n")
    code = main([str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"{path}:2: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "from_line",
    [
        "FROM golang:1.22 AS \\\n  final\n",
        "FROM golang:1.22 AS\\\n final\n",
        "FROM golang:1.22 \\\n  AS \\\n  # the name\n  final\n",
        "# escape=`\nFROM golang:1.22 AS `\n  final\n",
    ],
)
def test_stage_name_on_a_continuation_line_is_kept(from_line: str) -> None:
    result = rewrite(from_line + GO_BUILD)
    assert result.output is not None
    assert parse(result.output).stages[0].name == "final"


OVERLONG = "FROM alpine\n# " + "a" * 65534 + "\n"  # a line of 65,536 bytes


def test_overlong_line_is_refused_by_buildkit() -> None:
    """What the regression below relies on."""
    assert "max allowed size of 65535" in (buildkit_error(OVERLONG) or "")


def test_overlong_line_is_refused() -> None:
    with pytest.raises(DockerfileError) as info:
        parse(OVERLONG)
    assert info.value.line == 2


NAME_VALUE = ["FROM alpine\nENV A=1 B\n", "FROM alpine\nLABEL a=b c\n", "FROM alpine\nENV A\n"]


@pytest.mark.parametrize("text", NAME_VALUE)
def test_name_value_errors_are_refused_by_buildkit(text: str) -> None:
    assert buildkit_error(text) is not None


@pytest.mark.parametrize("text", NAME_VALUE)
def test_name_value_errors_are_refused(text: str) -> None:
    with pytest.raises(DockerfileError) as info:
        parse(text)
    assert info.value.line == 2


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine\nRUN echo don\\'t <<EOT\nhi\nEOT\n",
        'FROM alpine\nRUN echo "a\\"b" <<EOT\nhi\nEOT\n',
    ],
)
def test_heredoc_after_an_escaped_quote(text: str) -> None:
    doc = parse(text)
    assert [(i.keyword, i.start_line, i.end_line) for i in doc.instructions] == buildkit_spans(
        text, doc
    )


def test_no_heredoc_when_a_quote_is_unbalanced() -> None:
    # BuildKit reads: RUN on line 2, then `hi` (line 3) and `EOT` (line 4) as instructions.
    with pytest.raises(DockerfileError) as info:
        parse("FROM alpine\nRUN cat <<EOT 'x\nhi\nEOT\n")
    assert info.value.line == 3


@pytest.mark.parametrize(
    "data",
    [b"FROM alpine\nFOO\x1b[2Jx\n", b"FROM a\rb c d\n", "FROM a\u2028b c d\n".encode()],
)
def test_error_line_has_no_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    line = err.removesuffix("\n")
    assert "\n" not in line
    assert not any(
        ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029" for ch in line
    ), repr(line)


NAMED_CONFIG = {
    "go": "FROM golang:1.22\nCOPY . .\nRUN go build -o /bin/server .\n"
    'COPY app.conf /etc/app.conf\nCMD ["/bin/server", "/etc/app.conf"]\n',
    "go-heredoc": "FROM golang:1.22\nCOPY . .\nRUN go build -o /bin/server .\n"
    'COPY <<EOF /etc/app.conf\nlisten=:9000\nEOF\nCMD ["/bin/server", "/etc/app.conf"]\n',
    "rust": "FROM rust:1.79-bookworm\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n"
    'COPY app.conf /etc/app.conf\nCMD ["/app/target/release/app", "/etc/app.conf"]\n',
    "c": "FROM gcc:13-bookworm\nCOPY . /src\nRUN gcc -O2 -o /usr/local/bin/app /src/main.c\n"
    'COPY app.conf /etc/app.conf\nCMD ["/usr/local/bin/app", "/etc/app.conf"]\n',
    "java": "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\n"
    "RUN mvn -B package -DskipTests\nCOPY app.conf /etc/app.conf\n"
    'CMD ["java", "-jar", "target/app.jar", "/etc/app.conf"]\n',
    "dotnet": "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
    "RUN dotnet publish -c Release -o /out\nCOPY app.conf /etc/app.conf\n"
    'CMD ["dotnet", "/out/app.dll", "/etc/app.conf"]\n',
}


def _runtime_copies(output: str) -> list[str]:
    return [i.words[-1] for i in parse(output).stages[-1].all("COPY")]


@pytest.mark.parametrize("text", list(NAMED_CONFIG.values()), ids=list(NAMED_CONFIG))
def test_runtime_stage_keeps_the_config_file_cmd_names(text: str) -> None:
    result = rewrite(text)
    assert result.output is not None, result.reason
    assert "/etc/app.conf" in _runtime_copies(result.output)


def test_node_keeps_the_config_file_cmd_names() -> None:
    """The behaviour the other ecosystems should match."""
    text = (
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
        'COPY app.conf /etc/app.conf\nCMD ["node", "dist/server.js", "/etc/app.conf"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "/etc/app.conf" in _runtime_copies(result.output)


# tree-sitter-bash 0.25.1 reads unmapped memory on `{` followed by a 4-byte UTF-8 character
# (tree-sitter/tree-sitter-bash#337); parse_shell hides those bytes from it. Without that, each
# new process died with SIGSEGV about half the time: 20 processes miss it once in a million.
SEGV_SCRIPTS = ["echo ${\U000e0067}", "go build -o /app {\U000e0067", "{\U0010ffff", "{\U00031860"]
SEGV_PROCESSES = 20
_SEGV_CHILD = """
import sys
from dockerslim_refactor.shell import parse_shell
for script in {scripts!r}:
    parse_shell(script)
"""


def test_parse_shell_survives_a_brace_before_a_4_byte_character() -> None:
    root = Path(__file__).resolve().parents[2]
    child = _SEGV_CHILD.format(scripts=SEGV_SCRIPTS)
    codes = [
        subprocess.run(
            [sys.executable, "-c", child], cwd=root, capture_output=True, timeout=60
        ).returncode
        for _ in range(SEGV_PROCESSES)
    ]
    assert codes == [0] * SEGV_PROCESSES, codes


# -- still open ---------------------------------------------------------------------------------


def _stage_copies(output: str) -> list[str]:
    """The runtime stage's COPY lines (a heredoc COPY by its first line)."""
    return [i.raw.strip().splitlines()[0] for i in parse(output).stages[-1].all("COPY")]


@pytest.mark.parametrize(
    "text",
    [
        'FROM golang:1.22\nCOPY . .\nRUN go build -o /out/app .\nCMD ["/out/app"]\n'
        "RUN echo done \\",
        'FROM golang:1.22\nCOPY . .\nRUN go build -o /out/app .\nCMD ["/out/app"]\n'
        "RUN echo done \\\n",
        'FROM golang:1.22\nCOPY . .\nCMD ["/out/app"]\nRUN go build -o /out/app . \\',
    ],
    ids=["no-final-newline", "final-newline", "on-the-build-step"],
)
def test_dangling_escape_at_the_end_stays_in_its_instruction(text: str) -> None:
    result = rewrite(text)
    assert result.output is not None
    doc = parse(result.output)
    assert len(doc.stages) == 2
    builder_steps = [i.value for i in doc.stages[0].all("RUN")]
    assert "strip /out/app" in builder_steps, builder_steps


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n"
        "COPY <<EOF /etc/app.conf\nport=3000\nEOF\n"
        'CMD ["node", "dist/server.js", "/etc/app.conf"]\n',
        "FROM python:3.12\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc\n"
        "COPY . .\nRUN pip install -r requirements.txt\n"
        'COPY <<EOF /etc/app.conf\nport=8000\nEOF\nCMD ["python", "app.py", "/etc/app.conf"]\n',
    ],
    ids=["node", "python"],
)
def test_heredoc_file_cmd_names_is_in_the_runtime_stage(text: str) -> None:
    result = rewrite(text)
    assert result.output is not None
    assert any(c.endswith(" /etc/app.conf") for c in _stage_copies(result.output))


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n"
        'COPY app.conf /etc/\nCMD ["node", "dist/server.js", "/etc/app.conf"]\n',
        "FROM python:3.12\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc\n"
        "COPY . .\nRUN pip install -r requirements.txt\n"
        'COPY app.conf /etc/\nCMD ["python", "app.py", "/etc/app.conf"]\n',
        "FROM node:20\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n"
        'ADD https://example.com/archive.tar.gz /tmp/\nCMD ["node", "dist/server.js"]\n',
    ],
    ids=["node-etc", "python-etc", "node-tmp"],
)
def test_no_system_folder_is_copied_from_the_builder(text: str) -> None:
    result = rewrite(text)
    assert result.output is not None
    copies = _stage_copies(result.output)
    assert not any(c.endswith((" /etc /etc", " /tmp /tmp")) for c in copies), copies


def test_program_copied_after_the_build_is_in_the_runtime_stage() -> None:
    text = (
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN go build -o /bin/app . && cp /bin/app /out/app\nCMD ["/out/app"]\n'
    )
    result = rewrite(text)
    assert result.output is None or any(
        c.endswith(" /out/app") for c in _stage_copies(result.output)
    )


@pytest.mark.parametrize(
    "text",
    [
        "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\n"
        "COPY entrypoint.sh /entrypoint.sh\nRUN mvn -B package -DskipTests\n"
        'ENTRYPOINT ["/entrypoint.sh"]\n',
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
        "COPY entrypoint.sh /entrypoint.sh\nRUN dotnet publish -c Release -o /out\n"
        'ENTRYPOINT ["/entrypoint.sh"]\n',
    ],
    ids=["java", "dotnet"],
)
def test_entrypoint_script_copied_before_the_build_is_kept(text: str) -> None:
    result = rewrite(text)
    assert result.output is not None
    assert any(c.endswith(" /entrypoint.sh") for c in _stage_copies(result.output))


@pytest.mark.parametrize(
    "text",
    [
        'FROM rust:1.79\nCOPY . .\nRUN cargo build --release\nCMD ["/out/app"]\n',
        'FROM rust:1.79\nCOPY . /app\nRUN cargo build --release\nCMD ["/app/target/release/app"]\n',
    ],
    ids=["cmd-elsewhere", "copied-to-app"],
)
def test_rust_without_workdir_is_left_alone_when_cmd_is_not_an_output(text: str) -> None:
    assert rewrite(text).output is None


@pytest.mark.parametrize(
    "text",
    [
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
        'RUN dotnet publish -c Release -o /out\nENTRYPOINT ["/src/entrypoint.sh"]\n',
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\n"
        'RUN dotnet publish -c Release -o /out\nENTRYPOINT ["/entrypoint.sh"]\n',
    ],
    ids=["workdir", "root"],
)
def test_dotnet_entrypoint_script_from_the_context(text: str) -> None:
    result = rewrite(text)
    if result.output is None:
        return  # left alone, as go, rust and c do: fine
    entry = parse(text).stages[-1].last("ENTRYPOINT")
    assert entry is not None and entry.json_args
    script = entry.json_args[0]
    # The script itself, or the folder that holds it (the content root the program starts in).
    dests = [c.split()[-1] for c in _stage_copies(result.output)]
    assert any(script == d or script.startswith(d.rstrip("/") + "/") for d in dests)


@pytest.mark.parametrize("jar", ["build/libs/app.jar"])
def test_java_shell_form_cmd_keeps_the_jar_it_runs(jar: str) -> None:
    text = (
        "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\n"
        f"RUN mvn -B package -DskipTests\nCMD java -jar {jar}\n"
    )
    result = rewrite(text)
    assert result.output is None or any(
        c.endswith(f" /src/{jar}") for c in _stage_copies(result.output)
    )


@pytest.mark.parametrize("jar", ["build/libs/app.jar", "target/app.jar"])
def test_java_exec_form_cmd_keeps_the_jar_it_runs(jar: str) -> None:
    """The behaviour the shell-form case should match."""
    text = (
        "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\n"
        f'RUN mvn -B package -DskipTests\nCMD ["java", "-jar", "{jar}"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert any(c.endswith(f" /src/{jar}") for c in _stage_copies(result.output))


# -- found by the long profile --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'FROM golang:1.22\nCOPY . .\nCMD ["/out/app"]\nRUN go build -o /out/app . \\\n'
        "# trailing comment\n",
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\n"
        "RUN dotnet publish -c Release -o /out \\\n    # a note\n",
    ],
    ids=["go-strip-swallowed", "dotnet-from-swallowed"],
)
def test_dangling_escape_before_a_trailing_comment(text: str) -> None:
    result = rewrite(text)
    assert result.output is not None
    doc = parse(result.output)
    assert len(doc.stages) == 2
    assert all(not i.value.endswith("\\") for i in doc.stages[0].all("RUN"))
    assert not any("RUN strip" in i.value for i in doc.stages[0].all("RUN"))


@pytest.mark.parametrize(
    "text",
    [
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n"
        'RUN cp scripts/app /usr/local/bin/app\nCMD ["/usr/local/bin/app"]\n',
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN go build -o /out/app . && cp ./app /usr/local/bin/app\nCMD ["/usr/local/bin/app"]\n',
        "FROM gcc:13\nCOPY . /src\nRUN cd /src && make && cp app /usr/local/bin/app\n"
        'RUN go build -o /out/app .\nCMD ["/usr/local/bin/app"]\n',
    ],
    ids=["separate-cp", "cp-of-another-file", "mixed-toolchains"],
)
def test_cmd_runs_a_cp_of_something_else(text: str) -> None:
    result = rewrite(text)
    assert result.output is None or any(
        c.endswith(" /usr/local/bin/app") for c in _stage_copies(result.output)
    )


# -- open ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'FROM gcc:13\nCOPY . .\nRUN make\nCMD ["./run"]\n',
        'FROM gcc:13\nCOPY . .\nRUN make\nCMD ["/bin/sh", "-c", "./etc"]\n',
        'FROM gcc:13\nWORKDIR /usr\nCOPY . .\nRUN make\nCMD ["./bin"]\n',
    ],
    ids=["run", "etc", "usr-bin"],
)
def test_a_program_named_like_a_system_folder_is_not_copied_as_one(text: str) -> None:
    result = rewrite(text)
    if result.output is None:
        return  # left alone: fine
    copies = _stage_copies(result.output)
    assert not any(c.endswith((" /run /run", " /etc /etc", " /usr/bin /usr/bin")) for c in copies)
