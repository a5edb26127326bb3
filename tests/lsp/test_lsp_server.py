"""The language server end to end: a real LSP client drives ``python -m
dockerslim_refactor.frontends.lsp`` in a
subprocess through diagnostics, code actions, settings and the session's life cycle."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import socket
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest
from lsp_support import (
    EMACS,
    REPO_ROOT,
    SAMPLES,
    SERVER_COMMAND,
    VSCODE,
    apply_edits,
    change_document,
    code_actions,
    edits_for,
    lsp_session,
    make_client,
    open_document,
    resolved,
    server_env,
    wait_published,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.client import LanguageClient

from dockerslim_refactor.api import context_files, size_estimate
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]

CONVERT = "Convert to multi-stage build"
# The conversion's title says the saving: the published sizes of the base images of GO, below,
# and of its rewrite.
CONVERT_GO = "Convert to multi-stage build (≈ 299 MB → 3.6 MB)"
SPLIT = "Split && chain into separate RUN instructions"
NON_ROOT = "Run as a non-root user"
DOCS = "https://github.com/dockerslim-refactor/dockerslim-refactor/blob/main/docs/rules/{}.md"

GO = """\
# syntax=docker/dockerfile:1
FROM golang:1.22
LABEL maintainer="Zoë Ünal"
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download \\
    && go vet ./... \\
    && go build -o /usr/local/bin/app ./cmd/app && echo "🐳 built"
EXPOSE 8080
CMD ["app"]
"""

NODE = """\
FROM node:20
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN npm ci && npm run build && npm prune --omit=dev
CMD ["node", "dist/server.js"]
"""


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def _cli_output(path: Path) -> str:
    """What ``dockerslim-refactor FILE -o OUT`` writes."""
    out = path.with_name(path.name + ".out")
    proc = subprocess.run(
        [sys.executable, "-m", "dockerslim_refactor", str(path), "-q", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=server_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out.read_text("utf-8")


def _by_title(actions: list[types.CodeAction], title: str) -> list[types.CodeAction]:
    """The actions titled ``title``, or ``title`` followed by its size estimate."""
    return [a for a in actions if a.title == title or a.title.startswith(f"{title} (")]


def _no_errors_logged(client) -> None:
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert not errors, errors


# -- diagnostics -------------------------------------------------------------------------------


@pytest.mark.parametrize("editor", [VSCODE, EMACS])
async def test_diagnostics_have_codes_ranges_severities_and_rule_links(tmp_path, editor):
    path = tmp_path / "Dockerfile"
    path.write_text(GO, "utf-8")
    async with lsp_session(editor) as client:
        open_document(client, path.as_uri(), GO)
        published = await wait_published(client, path.as_uri())
        encoding = client.position_encoding
        if editor == EMACS:
            assert encoding == "utf-32"  # eglot's first choice: ranges count code points
        lines = GO.splitlines()
        found = {
            (d.code, d.range.start.line, d.range.start.character, d.range.end.line): d
            for d in published.diagnostics
        }
        assert set(found) == {
            ("DSR001", 1, 0, 1),
            ("DSR005", 1, 0, 1),
            ("DSR002", 5, 0, 7),
            ("DSR101", 5, 0, 5),
        }
        chain = found[("DSR002", 5, 0, 7)]
        # Whole lines: the range ends at the end of the RUN's last line, in the client's units.
        assert chain.range.end.character == _units(lines[7], encoding)
        assert _units(lines[7], "utf-16") != _units(lines[7], "utf-32")
        assert chain.severity == types.DiagnosticSeverity.Information
        assert found[("DSR001", 1, 0, 1)].severity == types.DiagnosticSeverity.Warning
        assert found[("DSR001", 1, 0, 1)].range.end.character == len("FROM golang:1.22")
        for diagnostic in published.diagnostics:
            assert diagnostic.source == "dockerslim-refactor"
            assert diagnostic.code_description.href == DOCS.format(diagnostic.code)
            assert diagnostic.message
        assert published.version == 1
        _no_errors_logged(client)


async def test_diagnostics_are_the_analyze_commands_findings(tmp_path):
    """Every sample: the published codes and lines are ``dockerslim-refactor analyze``'s."""
    async with lsp_session() as client:
        for sample in sorted(SAMPLES.glob("*.Dockerfile")):
            text = sample.read_text("utf-8")
            open_document(client, sample.as_uri(), text)
            published = await wait_published(client, sample.as_uri())
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "dockerslim_refactor",
                    "analyze",
                    str(sample),
                    "--format",
                    "json",
                ],
                capture_output=True,
                text=True,
                cwd=REPO_ROOT,
                env=server_env(),
                check=True,
            )
            expected = sorted(
                (f["code"], f["line"] - 1, f["end_line"] - 1)
                for f in json.loads(proc.stdout)["findings"]
            )
            got = sorted(
                (d.code, d.range.start.line, d.range.end.line) for d in published.diagnostics
            )
            assert got == expected, sample.name
        _no_errors_logged(client)


# -- convert -----------------------------------------------------------------------------------


@pytest.mark.parametrize("editor", [VSCODE, EMACS])
async def test_convert_gives_exactly_what_the_cli_writes(tmp_path, editor):
    # cgo links glibc dynamically: the image must name its Debian release for a rewrite.
    text = GO.replace("FROM golang:1.22\n", "FROM golang:1.22-bookworm\n")
    path = tmp_path / "Dockerfile"
    path.write_text(text, "utf-8")
    (tmp_path / "main.go").write_text('package main\n\nimport "C"\n\nfunc main() {}\n')
    uri = path.as_uri()
    async with lsp_session(editor) as client:
        open_document(client, uri, text)
        published = await wait_published(client, uri)
        dsr001 = [d for d in published.diagnostics if d.code == "DSR001"]
        actions = await code_actions(client, uri, 1, diagnostics=dsr001)
        convert = _by_title(actions, CONVERT)
        assert len(convert) == 1
        action = convert[0]
        # On the FROM line it is the quick fix of DSR001; not preferred: the fix is unsafe.
        assert action.kind == types.CodeActionKind.QuickFix
        assert [d.code for d in action.diagnostics] == ["DSR001"]
        assert not action.is_preferred
        if editor == VSCODE:
            assert action.edit is None and action.data  # computed in codeAction/resolve
        else:
            assert action.edit is not None and action.data is None  # no resolve support
        action = await resolved(client, action)
        edits = edits_for(action.edit, uri)
        assert len(edits) == 1
        result = apply_edits(text, edits, client.position_encoding)
        _no_errors_logged(client)

    # The build context was read as the CLI reads it: main.go imports "C", so no
    # CGO_ENABLED=0 and a glibc runtime.
    assert result == rewrite(text, Options(), context_files(tmp_path)).output
    assert result == _cli_output(path)
    assert "CGO_ENABLED=0" not in result
    parse(result)
    assert [i.cmd for i in dockerfile.parse_string(result) if i.cmd == "FROM"] == ["FROM"] * 2


async def test_convert_is_a_refactoring_anywhere_and_respects_only(file_uri):
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, GO)
        await wait_published(client, uri)
        anywhere = await code_actions(client, uri, 3)
        convert = _by_title(anywhere, CONVERT)
        assert [a.kind for a in convert] == [types.CodeActionKind.RefactorRewrite]
        assert await code_actions(client, uri, 3, only=[types.CodeActionKind.QuickFix]) == []
        refactor = await code_actions(client, uri, 1, only=[types.CodeActionKind.Refactor])
        assert [(a.title, a.kind) for a in refactor] == [
            (CONVERT_GO, types.CodeActionKind.RefactorRewrite)
        ]
        quick = await code_actions(client, uri, 1, only=[types.CodeActionKind.QuickFix])
        assert sorted(a.title for a in quick) == [CONVERT_GO, NON_ROOT]


async def test_convert_matches_the_cli_on_every_sample():
    async with lsp_session(EMACS) as client:
        for sample in sorted(SAMPLES.glob("*.before.Dockerfile")):
            text = sample.read_text("utf-8")
            uri = sample.as_uri()
            open_document(client, uri, text)
            actions = await code_actions(client, uri, 0, only=[types.CodeActionKind.Refactor])
            expected = rewrite(text, Options(), context_files(SAMPLES))
            if not expected.changed:
                assert actions == [], sample.name
                continue
            estimate = size_estimate(expected.analysis, expected.plan)
            assert estimate is not None
            assert [a.title for a in actions] == [f"{CONVERT} ({estimate.short()})"], sample.name
            edits = edits_for(actions[0].edit, uri)
            result = apply_edits(text, edits, client.position_encoding)
            assert result == expected.output, sample.name
            assert result == sample.with_name(sample.name.replace(".before.", ".after.")).read_text(
                "utf-8"
            )
            dockerfile.parse_string(result)
        _no_errors_logged(client)


async def test_no_convert_for_a_file_left_alone(file_uri):
    text = (SAMPLES / "leave-multistage.before.Dockerfile").read_text("utf-8")
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, text)
        await wait_published(client, uri)
        for line in range(len(text.splitlines())):
            assert _by_title(await code_actions(client, uri, line), CONVERT) == []


# -- split chain and non-root user -------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("editor", [VSCODE, EMACS])
async def test_split_chain_replaces_exactly_the_run_lines(file_uri, editor, newline):
    text = GO.replace("\n", newline)
    uri = file_uri()
    async with lsp_session(editor) as client:
        open_document(client, uri, text)
        published = await wait_published(client, uri)
        chain = [d for d in published.diagnostics if d.code == "DSR002"]
        # Anywhere on the RUN's lines; the editor sends the diagnostics under the cursor.
        actions = await code_actions(client, uri, 6, diagnostics=chain)
        split = _by_title(actions, SPLIT)
        assert len(split) == 1
        assert split[0].kind == types.CodeActionKind.QuickFix
        assert [d.code for d in split[0].diagnostics] == ["DSR002"]
        assert split[0].is_preferred  # the rule calls this split safe
        action = await resolved(client, split[0])
        edits = edits_for(action.edit, uri)
        assert [(e.range.start.line, e.range.start.character) for e in edits] == [(5, 0)]
        assert [(e.range.end.line, e.range.end.character) for e in edits] == [(8, 0)]
        result = apply_edits(text, edits, client.position_encoding)
        _no_errors_logged(client)
    expected = GO.replace(
        "RUN go mod download \\\n"
        "    && go vet ./... \\\n"
        '    && go build -o /usr/local/bin/app ./cmd/app && echo "🐳 built"\n',
        "RUN go mod download\n"
        "RUN go vet ./...\n"
        "RUN go build -o /usr/local/bin/app ./cmd/app\n"
        'RUN echo "🐳 built"\n',
    ).replace("\n", newline)
    assert result == expected
    parse(result)
    dockerfile.parse_string(result)


async def test_split_is_not_offered_when_the_chain_must_stay_whole(file_uri):
    """``apt-get update && install && cleanup`` stays one RUN: nothing to split into."""
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, NODE)
        published = await wait_published(client, uri)
        assert sorted(d.range.start.line for d in published.diagnostics if d.code == "DSR002") == [
            3,
            4,
        ]
        assert _by_title(await code_actions(client, uri, 3), SPLIT) == []
        split = _by_title(await code_actions(client, uri, 4), SPLIT)
        assert len(split) == 1
        action = await resolved(client, split[0])
        result = apply_edits(NODE, edits_for(action.edit, uri))
    assert result == NODE.replace(
        "RUN npm ci && npm run build && npm prune --omit=dev\n",
        "RUN npm ci\nRUN npm run build\nRUN npm prune --omit=dev\n",
    )


@pytest.mark.parametrize("editor", [VSCODE, EMACS])
async def test_non_root_user_goes_before_the_command(file_uri, editor):
    text = GO.replace('CMD ["app"]\n', '# start the service\nCMD ["app"]\n')
    uri = file_uri()
    async with lsp_session(editor) as client:
        open_document(client, uri, text)
        await wait_published(client, uri)
        actions = _by_title(await code_actions(client, uri, 1), NON_ROOT)
        assert len(actions) == 1
        assert actions[0].kind == types.CodeActionKind.QuickFix
        assert not actions[0].is_preferred  # unsafe: the program may need root
        action = await resolved(client, actions[0])
        result = apply_edits(text, edits_for(action.edit, uri), client.position_encoding)
        # The fixed text no longer gets DSR005.
        change_document(client, uri, result, 2)
        published = await wait_published(client, uri, lambda p: p.version == 2)
        assert "DSR005" not in {d.code for d in published.diagnostics}
    assert result == text.replace(
        "# start the service\n", "USER 65534:65534\n# start the service\n"
    )
    dockerfile.parse_string(result)


async def test_non_root_user_goes_after_a_later_run(file_uri):
    text = 'FROM debian:bookworm-slim\nCMD ["app"]\nRUN useradd app\n'
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, text)
        await wait_published(client, uri)
        action = await resolved(client, _by_title(await code_actions(client, uri, 0), NON_ROOT)[0])
        result = apply_edits(text, edits_for(action.edit, uri))
    assert result == text + "USER 65534:65534\n"


# -- changes, saves, closing -------------------------------------------------------------------


async def test_did_change_updates_diagnostics_and_actions(file_uri):
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, GO)
        await wait_published(client, uri)
        # An incremental change: the RUN (lines 5-7) becomes one command.
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=5, character=0),
                            end=types.Position(line=8, character=0),
                        ),
                        text="RUN go build -o /usr/local/bin/app ./cmd/app\n",
                    )
                ],
            )
        )
        published = await wait_published(client, uri, lambda p: p.version == 2)
        codes = {d.code for d in published.diagnostics}
        assert "DSR002" not in codes and "DSR001" in codes
        assert _by_title(await code_actions(client, uri, 5), SPLIT) == []
        # A burst of keystrokes: only the last version needs diagnostics.
        start = len(client.published)
        for version in range(3, 13):
            change_document(client, uri, GO if version % 2 else NODE, version)
        final = await wait_published(client, uri, lambda p: p.version == 12, after=start)
        assert {d.range.start.line for d in final.diagnostics if d.code == "DSR002"} == {3, 4}
        assert len(client.published) - start < 10  # debounced, not one per change
        # Code actions always see the latest text, even before its diagnostics are out.
        change_document(client, uri, GO, 13)
        split = _by_title(await code_actions(client, uri, 6), SPLIT)
        assert len(split) == 1
        action = await resolved(client, split[0])
        assert edits_for(action.edit, uri)[0].range.start.line == 5
        _no_errors_logged(client)


async def test_did_save_publishes_and_did_close_clears(file_uri):
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, GO)
        await wait_published(client, uri)
        start = len(client.published)
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        saved = await wait_published(client, uri, after=start)
        assert saved.diagnostics
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        cleared = await wait_published(client, uri, lambda p: not p.diagnostics, after=start)
        assert list(cleared.diagnostics) == []
        assert await code_actions(client, uri, 1) == []


# -- broken documents and bad requests ---------------------------------------------------------

BROKEN = {
    "unknown instruction": ("FROM alpine:3.20\nFOO bar\n", 1),
    "unterminated heredoc": ("FROM alpine:3.20\nRUN <<EOF\necho hi\n", 1),
    "before FROM": ("RUN echo hi\nFROM alpine:3.20\n", 0),
    "binary junk": ("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\n\x03\x00>\x00\x01", 0),
    "half-typed FROM": ("FR", 0),
    "bad stage name": ("FROM alpine:3.20 AS Not_Valid!\n", 0),
    "dangling continuation": ("FROM golang:1.22\nRUN go build \\", None),
    "control characters": ("FROM alpine:3.20\nRUN echo \x1b[31m\x0c\x85\u2028 \\\r\r\n", None),
    "empty": ("", None),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
async def test_broken_document_gives_a_syntax_diagnostic_or_nothing(file_uri, name):
    text, line = BROKEN[name]
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, text)
        published = await wait_published(client, uri)
        syntax = [d for d in published.diagnostics if d.code == "syntax"]
        if line is None:
            assert len(syntax) <= 1
        else:
            assert len(published.diagnostics) == 1 and len(syntax) == 1
            assert syntax[0].severity == types.DiagnosticSeverity.Error
            assert syntax[0].range.start.line == line
            assert syntax[0].message
        for row in range(max(1, len(text.splitlines()))):
            assert isinstance(await code_actions(client, uri, row), list)
        # Still answering, and the same document fixed gets its findings.
        change_document(client, uri, GO, 2)
        fixed = await wait_published(client, uri, lambda p: p.version == 2)
        assert "DSR001" in {d.code for d in fixed.diagnostics}
        _no_errors_logged(client)


async def test_bad_requests_do_not_end_the_session(file_uri):
    uri = file_uri()
    async with lsp_session() as client:
        # Not open: nothing to offer.
        assert await code_actions(client, file_uri("Other.Dockerfile"), 0) == []
        # A resolve the server never offered comes back as it went.
        junk = types.CodeAction(title="junk", data={"uri": 3, "code": ["x"]})
        assert (await client.code_action_resolve_async(junk)).title == "junk"
        stale = types.CodeAction(title=SPLIT, data={"uri": uri, "code": "DSR002", "line": 99})
        assert (await client.code_action_resolve_async(stale)).edit is None
        # Messages a client library would refuse to send: wrong shapes, broken JSON. The
        # request still gets its answer (an error), so the client is not left waiting.
        answer: concurrent.futures.Future = concurrent.futures.Future()
        client.protocol._request_futures["raw-1"] = answer
        for body in (
            b'{"jsonrpc": "2.0", "id": "raw-1", "method": "textDocument/codeAction",'
            b' "params": {"textDocument": 42}}',
            b'{"jsonrpc": "2.0", "method": "textDocument/didChange",'
            b' "params": {"textDocument": null}}',
            b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": [1, 2',
        ):
            client._server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        await client._server.stdin.drain()
        with pytest.raises(JsonRpcInvalidParams):
            await asyncio.wait_for(asyncio.wrap_future(answer), 10)
        open_document(client, uri, GO)
        published = await wait_published(client, uri)
        assert published.diagnostics
        assert _by_title(await code_actions(client, uri, 1), CONVERT)


# -- settings ----------------------------------------------------------------------------------


async def test_stage_name_from_initialization_options(file_uri):
    uri = file_uri()
    async with lsp_session(initialization_options={"stageName": "build"}) as client:
        open_document(client, uri, GO)
        await wait_published(client, uri)
        action = await resolved(client, _by_title(await code_actions(client, uri, 1), CONVERT)[0])
        result = apply_edits(GO, edits_for(action.edit, uri))
    assert "FROM golang:1.22 AS build\n" in result
    assert "COPY --from=build " in result
    assert result == rewrite(GO, Options(stage_name="build")).output


async def test_settings_from_workspace_configuration_and_changes(file_uri):
    uri = file_uri()
    configuration = {"disabledRules": ["dsr002"], "nonRoot": True, "runtime": "distroless"}
    async with lsp_session(
        initialization_options={"dockerslim-refactor": {"stageName": "compile"}},
        configuration=configuration,
    ) as client:
        open_document(client, uri, GO)
        published = await wait_published(client, uri)
        assert "DSR002" not in {d.code for d in published.diagnostics}
        action = await resolved(client, _by_title(await code_actions(client, uri, 1), CONVERT)[0])
        result = apply_edits(GO, edits_for(action.edit, uri))
        options = Options(
            stage_name="compile",
            non_root=True,
            runtime="distroless",
            disabled_rules=frozenset({"DSR002"}),
        )
        assert result == rewrite(GO, options).output
        assert "USER 65534" in result and "distroless" in result

        # Pull: the client says something changed, the server asks for the section again.
        client.set_configuration({"disabledRules": ["DSR005"]}, section="dockerslim-refactor")
        start = len(client.published)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        pulled = await wait_published(client, uri, after=start)
        codes = {d.code for d in pulled.diagnostics}
        assert "DSR002" in codes and "DSR005" not in codes

        # Push: the settings come with the notification; bad values are logged and ignored.
        start = len(client.published)
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"dockerslim-refactor": {"disabledRules": "DSR001", "runtime": "xx"}}
            )
        )
        pushed = await wait_published(client, uri, after=start)
        assert {"DSR001", "DSR002", "DSR005"} <= {d.code for d in pushed.diagnostics}
        warnings = [m.message for m in client.log_messages if m.type == types.MessageType.Warning]
        assert any("disabledRules" in m for m in warnings)
        assert any("runtime" in m for m in warnings)
        _no_errors_logged(client)


# -- life cycle --------------------------------------------------------------------------------


async def test_shutdown_then_exit_ends_the_process_with_0():
    async with lsp_session() as client:
        pass
    assert client._server.returncode == 0


async def test_exit_without_shutdown_ends_the_process_with_1():
    client = make_client()
    await client.start_io(*SERVER_COMMAND, env=server_env(), cwd=str(REPO_ROOT))
    try:
        await client.initialize_session(
            types.InitializeParams(capabilities=types.ClientCapabilities())
        )
        client.exit(None)
        assert await asyncio.wait_for(client._server.wait(), 10) == 1
    finally:
        await client.stop()


async def test_tcp_transport():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(
        *SERVER_COMMAND,
        "--tcp",
        f"127.0.0.1:{port}",
        env=server_env(),
        cwd=str(REPO_ROOT),
        stderr=asyncio.subprocess.DEVNULL,
    )
    client = LanguageClient("tcp-test", "1")
    try:
        for _ in range(200):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        result = await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(capabilities=types.ClientCapabilities())
            ),
            20,
        )
        assert result.server_info.name == "dockerslim-refactor"
        await asyncio.wait_for(client.shutdown_async(None), 20)
        client.exit(None)
        assert await asyncio.wait_for(server.wait(), 20) == 0
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
        client._stop_event.set()
