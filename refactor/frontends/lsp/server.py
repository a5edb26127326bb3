"""The language server: pygls glue over the engine the CLI uses.

The engine runs in a child process (:mod:`dockerslim_refactor.frontends.lsp.engine`), one request
at a time, with a
time limit: a document that makes it fail, crash or hang costs a log line and a restart of the
child, never the session. Results are kept per document version, settings and build context,
so code actions on an analysed document answer without running the engine again.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from dockerslim_refactor import __version__
from dockerslim_refactor.docs import DOCS_BASE
from dockerslim_refactor.frontends.lsp.engine import (
    Analysed,
    EngineError,
    EngineFailure,
    EngineProcess,
    FindingInfo,
)
from dockerslim_refactor.frontends.lsp.positions import LineEdit, LineMap
from dockerslim_refactor.frontends.lsp.settings import (
    SECTION,
    apply_settings,
    options_to_json,
    section_of,
)
from dockerslim_refactor.options import Options

SOURCE = "dockerslim-refactor"
RULE_DOCS_URL = DOCS_BASE + "{code}.md"
SYNTAX_CODE = "syntax"
CONVERT_CODE = "DSR001"
CONVERT_TITLE = "Convert to multi-stage build"
DEBOUNCE_SECONDS = 0.15
ENGINE_TIMEOUT_SECONDS = 10.0
CONFIGURATION_TIMEOUT_SECONDS = 5.0
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}

logger = logging.getLogger(__name__)


def _rule_docs(code: str) -> types.CodeDescription:
    return types.CodeDescription(href=RULE_DOCS_URL.format(code=code))


def _range(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(
        start=types.Position(line=start[0], character=start[1]),
        end=types.Position(line=end[0], character=end[1]),
    )


def convert_title(title: str, result: Analysed) -> str:
    """The conversion's title with its size estimate: ``Convert to multi-stage build (≈ 299 MB →
    3.6 MB)``."""
    return f"{title} ({result.size})" if result.size else title


def _guarded(server: DockerslimServer, fn: Callable[[Any], Any], default: Any) -> Any:
    """``fn`` as a pygls handler that catches what it raises: the error goes to the client's
    log and the answer is ``default`` (called with the params when callable), so one bad
    message never ends the session."""

    def fallback(params: Any) -> Any:
        server.log(types.MessageType.Error, f"{fn.__name__}: {traceback.format_exc()}")
        return default(params) if callable(default) else default

    if inspect.iscoroutinefunction(fn):

        async def run_async(params):  # type: ignore[no-untyped-def]
            try:
                return await fn(params)
            except asyncio.CancelledError:
                raise
            except Exception:
                return fallback(params)

        return run_async

    def run(params):  # type: ignore[no-untyped-def]
        try:
            return fn(params)
        except Exception:
            return fallback(params)

    return run


class _Protocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls drops a request whose params do not fit the protocol's types without an
        answer, which leaves the client waiting: answer it with the error."""
        try:
            return super().structure_message(data)
        except JsonRpcException as err:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], None, err.to_response_error())
            raise


class DockerslimServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SOURCE,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=_Protocol,
        )
        self.options = Options()
        self.initialization_options: Any = None
        self.engine = EngineProcess(on_start=self._engine_started)
        self._open: set[str] = set()
        self._cache: dict[str, Analysed] = {}
        self._running: dict[str, tuple[str, asyncio.Future[Analysed]]] = {}
        self._debounce: dict[str, asyncio.Task[None]] = {}
        self._context_generation: dict[Path, int] = {}
        self._titles: dict[str, tuple[str, bool]] = {}
        self._configured = asyncio.Event()
        """Set once the client's settings are known: nothing is analysed with the defaults
        while ``workspace/configuration`` is on its way."""
        self._register()

    # -- plumbing ------------------------------------------------------------------------------

    def _register(self) -> None:
        code_actions = types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
            resolve_provider=True,
        )
        handlers: list[tuple[str, Callable[[Any], Any], Any, Any]] = [
            (types.INITIALIZE, self.on_initialize, None, None),
            (types.INITIALIZED, self.on_initialized, None, None),
            (types.SHUTDOWN, self.on_shutdown, None, None),
            (types.TEXT_DOCUMENT_DID_OPEN, self.on_did_open, None, None),
            (types.TEXT_DOCUMENT_DID_CHANGE, self.on_did_change, None, None),
            (types.TEXT_DOCUMENT_DID_SAVE, self.on_did_save, None, None),
            (types.TEXT_DOCUMENT_DID_CLOSE, self.on_did_close, None, None),
            (types.WORKSPACE_DID_CHANGE_CONFIGURATION, self.on_configuration, None, None),
            (types.TEXT_DOCUMENT_CODE_ACTION, self.on_code_action, None, code_actions),
            # A resolve that fails answers the action as it came.
            (types.CODE_ACTION_RESOLVE, self.on_code_action_resolve, lambda a: a, None),
        ]
        for method, fn, default, options in handlers:
            self.feature(method, options)(_guarded(self, fn, default))

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls' default shows a message box; a log line is enough and less intrusive.
        self.log(types.MessageType.Error, f"{type(error).__name__}: {error}")

    def log(self, kind: types.MessageType, message: str) -> None:
        logger.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, message)
        with contextlib.suppress(Exception):
            self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def _engine_started(self, pid: int) -> None:
        self.log(types.MessageType.Log, f"engine process {pid} started")

    @property
    def encoding(self) -> str:
        try:
            value = self.workspace.position_encoding
        except Exception:
            return "utf-16"
        return str(getattr(value, "value", value) or "utf-16")

    def _capability(self, path: str) -> Any:
        value: Any = self.client_capabilities
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    @property
    def resolves_edits(self) -> bool:
        """The client fills ``edit`` through ``codeAction/resolve`` and keeps ``data``."""
        props = self._capability("text_document.code_action.resolve_support.properties")
        data = self._capability("text_document.code_action.data_support")
        return bool(props and "edit" in props and data)

    # -- engine --------------------------------------------------------------------------------

    def _context_folder(self, uri: str) -> Path | None:
        """The build context the CLI would read: the Dockerfile's folder."""
        if not uri.startswith("file:"):
            return None
        path = to_fs_path(uri)
        if not path:
            return None
        try:
            return Path(path).resolve().parent
        except OSError:
            return None

    def _forget_context(self, uri: str) -> None:
        folder = self._context_folder(uri)
        if folder is not None:
            self._context_generation[folder] = self._context_generation.get(folder, 0) + 1

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        return await self.engine.call(method, params, ENGINE_TIMEOUT_SECONDS)

    async def analysed(self, uri: str) -> Analysed | None:
        """The engine's view of the open document's current version (kept until it changes)."""
        if uri not in self._open:
            return None
        if not self._configured.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._configured.wait(), CONFIGURATION_TIMEOUT_SECONDS)
            self._configured.set()
            if uri not in self._open:
                return None
        document = self.workspace.get_text_document(uri)
        folder = self._context_folder(uri)
        generation = self._context_generation.get(folder, 0) if folder else 0
        key = repr((document.version, self.options, folder, generation))
        cached = self._cache.get(uri)
        if cached is not None and cached.key == key:
            return cached
        running = self._running.get(uri)
        if running is not None and running[0] == key:
            future = running[1]
        else:
            future = asyncio.ensure_future(
                self._analyse(uri, key, document.source, self.options, folder, generation)
            )
            self._running[uri] = (key, future)
        try:
            result = await asyncio.shield(future)
        finally:
            if future.done() and self._running.get(uri, (None,))[0] == key:
                del self._running[uri]
        if uri in self._open:
            self._cache[uri] = result
        return result

    async def _analyse(
        self,
        uri: str,
        key: str,
        text: str,
        options: Options,
        folder: Path | None,
        generation: int,
    ) -> Analysed:
        params = {
            "uri": uri,
            "key": key,
            "text": text,
            "options": options_to_json(options),
            "folder": str(folder) if folder is not None else None,
            "generation": generation,
        }
        failure = None
        for _attempt in range(2):  # a crash may be a matter of memory layout: one retry
            try:
                answer = await self._call("analyse", params)
            except EngineFailure as err:
                failure = str(err)
                self.log(types.MessageType.Error, f"{uri}: {failure}")
                continue
            except EngineError as err:
                failure = f"engine error:\n{err}"
                self.log(types.MessageType.Error, f"{uri}: {failure}")
                break
            result = Analysed.from_json(text, key, answer)
            previous = self._cache.get(uri)
            if result.problem and (previous is None or previous.problem != result.problem):
                kind = types.MessageType.Warning
                if "Traceback" in result.problem:
                    kind = types.MessageType.Error
                self.log(kind, f"{uri}: {result.problem}")
            return result
        return Analysed(text, key, failure=failure)

    # -- diagnostics ---------------------------------------------------------------------------

    def diagnostics(self, result: Analysed) -> list[types.Diagnostic]:
        lines = LineMap(result.text, self.encoding)
        if result.syntax is not None:
            line = max(1, result.syntax[0])
            return [
                types.Diagnostic(
                    range=_range(*lines.whole_lines(line, line)),
                    message=result.syntax[1],
                    severity=types.DiagnosticSeverity.Error,
                    code=SYNTAX_CODE,
                    source=SOURCE,
                )
            ]
        return [self._diagnostic(f, lines) for f in result.findings]

    def _diagnostic(self, finding: FindingInfo, lines: LineMap) -> types.Diagnostic:
        return types.Diagnostic(
            range=_range(*lines.whole_lines(finding.line, finding.end_line)),
            message=finding.message,
            severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Information),
            code=finding.code,
            code_description=_rule_docs(finding.code),
            source=SOURCE,
        )

    async def publish(self, uri: str) -> None:
        if uri not in self._open:
            return
        version = self.workspace.get_text_document(uri).version
        result = await self.analysed(uri)
        if result is None or uri not in self._open:
            return
        if self.workspace.get_text_document(uri).version != version:
            return  # a newer version is on its way
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics(result), version=version
            )
        )

    def _schedule(self, uri: str, delay: float) -> None:
        pending = self._debounce.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self._debounce[uri] = asyncio.ensure_future(self._publish_later(uri, delay))

    async def _publish_later(self, uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await self.publish(uri)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log(types.MessageType.Error, f"diagnostics for {uri}: {traceback.format_exc()}")
        finally:
            if self._debounce.get(uri) is asyncio.current_task():
                del self._debounce[uri]

    # -- life cycle and settings ---------------------------------------------------------------

    def on_initialize(self, params: types.InitializeParams) -> None:
        self.initialization_options = params.initialization_options
        self._apply()

    async def on_initialized(self, params: types.InitializedParams) -> None:
        # Start the engine while the editor is still busy opening files.
        titles = asyncio.ensure_future(self._call("titles", {}))
        try:
            if self._capability("workspace.configuration"):
                await self._pull_configuration()
        finally:
            self._configured.set()
        self._titles = {code: (t[0], bool(t[1])) for code, t in (await titles).items()}

    async def on_shutdown(self, params: Any) -> None:
        for task in self._debounce.values():
            task.cancel()
        self._debounce.clear()
        await self.engine.stop()

    def _apply(self, *layers: Any) -> bool:
        """Rebuild the options from the defaults, the initialization options and ``layers``;
        True when they changed."""
        options = Options()
        for settings in (self.initialization_options, *layers):
            options, problems = apply_settings(options, settings)
            for problem in problems:
                self.log(types.MessageType.Warning, problem)
        changed = options != self.options
        self.options = options
        return changed

    async def _pull_configuration(self) -> bool:
        try:
            answer = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                ),
                CONFIGURATION_TIMEOUT_SECONDS,
            )
        except Exception as err:
            self.log(types.MessageType.Warning, f"workspace/configuration failed: {err!r}")
            return False
        settings = answer[0] if answer else None
        if settings is None:
            return False
        return self._apply({SECTION: settings} if isinstance(settings, dict) else settings)

    async def on_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        if section_of(params.settings) is not None:
            self._apply(params.settings)
        elif self._capability("workspace.configuration"):
            await self._pull_configuration()
        for uri in list(self._open):
            self._schedule(uri, 0)

    # -- documents -----------------------------------------------------------------------------

    def on_did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        self._open.add(uri)
        self._forget_context(uri)
        self._schedule(uri, 0)

    def on_did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in self._open:
            self._schedule(uri, DEBOUNCE_SECONDS)

    def on_did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in self._open:
            self._forget_context(uri)
            self._schedule(uri, 0)

    def on_did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self._open.discard(uri)
        self._cache.pop(uri, None)
        pending = self._debounce.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
        asyncio.ensure_future(self._forget(uri))

    async def _forget(self, uri: str) -> None:
        with contextlib.suppress(Exception):
            await self._call("forget", {"uri": uri})

    # -- code actions --------------------------------------------------------------------------

    async def on_code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        result = await self.analysed(uri)
        if result is None or not result.analysed:
            return None
        only = [str(getattr(kind, "value", kind)) for kind in params.context.only or ()]

        def wanted(kind: str) -> bool:
            return not only or any(kind == o or kind.startswith(o + ".") for o in only)

        version = self.workspace.get_text_document(uri).version
        lines = LineMap(result.text, self.encoding)
        first = lines.engine_line(params.range.start.line)
        last = lines.engine_line(params.range.end.line)
        lazy = self.resolves_edits
        if not self._titles:
            answer = await self._call("titles", {})
            self._titles = {code: (t[0], bool(t[1])) for code, t in answer.items()}
        titles = self._titles
        quickfix, rewrite = types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite
        findings = [
            f
            for f in result.findings
            if f.line <= last and f.end_line >= first and f.code in titles and wanted(quickfix)
        ]
        line_edits = await self._line_edits(
            uri, result, [f for f in findings if f.code != CONVERT_CODE], lines
        )
        convert = self._convert_edit(result, lines)

        def action(
            title: str, kind: str, edit: types.TextEdit, finding: FindingInfo | None
        ) -> types.CodeAction:
            code = finding.code if finding else CONVERT_CODE
            line = finding.line if finding else 0
            return types.CodeAction(
                title=title,
                kind=kind,
                diagnostics=[self._diagnostic(finding, lines)] if finding else None,
                is_preferred=(titles[code][1] and finding.fix_safe) if finding else None,
                edit=None if lazy else self._workspace_edit(uri, version, edit),
                data={"uri": uri, "version": version, "code": code, "line": line} if lazy else None,
            )

        actions: list[types.CodeAction] = []
        for finding in findings:
            title = titles[finding.code][0]
            if finding.code == CONVERT_CODE:
                edit, title = convert, convert_title(title, result)
            else:
                edit = line_edits.get(finding)
            if edit is not None:
                actions.append(action(title, quickfix, edit, finding))
        # Anywhere else in the file the conversion is a refactoring of the whole document.
        bound = any(f.code == CONVERT_CODE for f in findings)
        if convert is not None and not bound and wanted(rewrite):
            actions.append(action(convert_title(CONVERT_TITLE, result), rewrite, convert, None))
        return actions

    async def on_code_action_resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri, code, line = data.get("uri"), data.get("code"), data.get("line")
        if not isinstance(uri, str) or not isinstance(code, str):
            return action
        result = await self.analysed(uri)
        if result is None or not result.analysed:
            return action
        version = self.workspace.get_text_document(uri).version
        lines = LineMap(result.text, self.encoding)
        if code == CONVERT_CODE:
            edit = self._convert_edit(result, lines)
        else:
            finding = next((f for f in result.findings if f.code == code and f.line == line), None)
            found = await self._line_edits(uri, result, [finding] if finding else [], lines)
            edit = found.get(finding) if finding else None
        if edit is None:
            self.log(types.MessageType.Info, f"{uri}: '{action.title}' no longer applies")
            return action
        action.edit = self._workspace_edit(uri, version, edit)
        return action

    def _convert_edit(self, result: Analysed, lines: LineMap) -> types.TextEdit | None:
        """The whole document becomes what the CLI writes."""
        if result.output is None:
            return None
        return types.TextEdit(range=_range((0, 0), lines.text_end()), new_text=result.output)

    async def _line_edits(
        self, uri: str, result: Analysed, findings: list[FindingInfo], lines: LineMap
    ) -> dict[FindingInfo, types.TextEdit]:
        """The line fixes of ``findings`` that apply (one engine call)."""
        if not findings:
            return {}
        params = {"uri": uri, "key": result.key, "fixes": [[f.code, f.line] for f in findings]}
        try:
            answer = await self._call("fixes", params)
        except (EngineFailure, EngineError) as err:
            self.log(types.MessageType.Error, f"{uri}: fixes: {err}")
            return {}
        found = {}
        for finding, edit in zip(findings, answer, strict=True):
            if edit is not None:
                start, end, text = lines.edit_range(LineEdit(*edit))
                found[finding] = types.TextEdit(range=_range(start, end), new_text=text)
        return found

    def _workspace_edit(
        self, uri: str, version: int | None, edit: types.TextEdit
    ) -> types.WorkspaceEdit:
        if self._capability("workspace.workspace_edit.document_changes"):
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=uri, version=version
                        ),
                        edits=[edit],
                    )
                ]
            )
        return types.WorkspaceEdit(changes={uri: [edit]})


def create_server() -> DockerslimServer:
    return DockerslimServer()
