"""Helpers for the language-server tests: a real LSP client (pytest-lsp's, on pygls) talking
to ``python -m dockerslim_refactor.frontends.lsp`` in a subprocess, and what an editor does with
the answers
(apply text edits in the negotiated position encoding).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "samples"
SERVER_COMMAND = [sys.executable, "-m", "dockerslim_refactor.frontends.lsp"]
TIMEOUT = 20.0

# Capabilities of real editors, as recorded by pytest-lsp: VS Code resolves code actions
# lazily (codeAction/resolve), Emacs' eglot does not and prefers UTF-32 positions.
VSCODE = "visual-studio-code"
EMACS = "emacs"


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    return env


def _publish_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish_diagnostics
    register_lsp_features(client, features)
    client.published = []  # type: ignore[attr-defined]
    return client


@contextlib.asynccontextmanager
async def lsp_session(
    editor: str = VSCODE,
    initialization_options: Any = None,
    configuration: dict[str, Any] | None = None,
    root: Path | None = None,
) -> AsyncIterator[LanguageClient]:
    """A started and initialised client; shut down (``shutdown`` + ``exit``) afterwards."""
    client = make_client()
    if configuration is not None:
        client.set_configuration(configuration, section="dockerslim-refactor")
    await client.start_io(*SERVER_COMMAND, env=server_env(), cwd=str(REPO_ROOT))
    try:
        result = await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(
                    capabilities=client_capabilities(editor),
                    root_uri=(root or REPO_ROOT).as_uri(),
                    initialization_options=initialization_options,
                )
            ),
            TIMEOUT,
        )
        encoding = result.capabilities.position_encoding or "utf-16"
        client.position_encoding = str(getattr(encoding, "value", encoding))  # type: ignore
        yield client
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    finally:
        await stop(client)


async def stop(client: LanguageClient) -> None:
    """Stop the client; a server still running (a failed test) gets end of input, then is
    killed."""
    server = client._server
    if server is not None and server.returncode is None:
        with contextlib.suppress(Exception):
            server.stdin.close()
        try:
            await asyncio.wait_for(server.wait(), 5)
        except asyncio.TimeoutError:
            server.kill()
            await server.wait()
    await client.stop()


def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="dockerfile", version=version, text=text
            )
        )
    )


def change_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """Send the whole new text (a change event without a range)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def wait_published(
    client: LanguageClient,
    uri: str,
    check: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
    after: int = 0,
    timeout: float = TIMEOUT,
) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for ``uri`` (from the ``after``-th notification on)
    that pass ``check``."""
    deadline = time.monotonic() + timeout
    while True:
        for params in client.published[after:]:  # type: ignore[attr-defined]
            if params.uri == uri and check(params):
                return params
        if time.monotonic() > deadline:
            seen = [(p.uri, p.version, len(p.diagnostics)) for p in client.published]
            raise AssertionError(f"no matching diagnostics for {uri} within {timeout} s: {seen}")
        await asyncio.sleep(0.01)


async def code_actions(
    client: LanguageClient,
    uri: str,
    line: int,
    end_line: int | None = None,
    only: Sequence[str] | None = None,
    diagnostics: Sequence[types.Diagnostic] = (),
) -> list[types.CodeAction]:
    """Code actions for 0-based lines ``line..end_line``, with the diagnostics an editor
    would send for that range."""
    end = line if end_line is None else end_line
    found = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(
                    start=types.Position(line=line, character=0),
                    end=types.Position(line=end, character=0),
                ),
                context=types.CodeActionContext(
                    diagnostics=list(diagnostics), only=list(only) if only else None
                ),
            )
        ),
        TIMEOUT,
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


async def resolved(client: LanguageClient, action: types.CodeAction) -> types.CodeAction:
    """The action with its edit, through ``codeAction/resolve`` when it came without one."""
    if action.edit is not None:
        return action
    return await asyncio.wait_for(client.code_action_resolve_async(action), TIMEOUT)


def _offset(text: str, position: types.Position, encoding: str) -> int:
    """Character offset of an LSP position; lines end at \\n, \\r\\n or \\r as LSP says."""
    offset = 0
    line = 0
    while line < position.line:
        n = text.find("\n", offset)
        r = text.find("\r", offset)
        if n == -1 and r == -1:
            return len(text)
        if r != -1 and (n == -1 or r < n):
            offset = r + 2 if text.startswith("\r\n", r) else r + 1
        else:
            offset = n + 1
        line += 1
    units = 0
    index = offset
    while index < len(text) and units < position.character and text[index] not in "\r\n":
        ch = text[index]
        if encoding == "utf-8":
            units += len(ch.encode("utf-8"))
        elif encoding == "utf-16":
            units += 2 if ord(ch) > 0xFFFF else 1
        else:
            units += 1
        index += 1
    return index


def apply_edits(text: str, edits: Sequence[types.TextEdit], encoding: str = "utf-16") -> str:
    """``text`` with LSP text edits applied, as an editor does (all ranges refer to the
    original text)."""
    spans = sorted(
        (
            (_offset(text, e.range.start, encoding), _offset(text, e.range.end, encoding), e)
            for e in edits
        ),
        key=lambda s: s[0],
        reverse=True,
    )
    for start, end, edit in spans:
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    found: list[types.TextEdit] = []
    if edit.document_changes:
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            if change.text_document.uri == uri:
                found.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    if edit.changes:
        found.extend(edit.changes.get(uri, []))
    return found
