"""The engine in a child process, so that nothing a document does to it can take the server
down: an exception comes back as an error, a crash (tree-sitter-bash can die with SIGSEGV on
rare input) or a hang ends that child only, and the next request starts a fresh one.

Parent and child exchange one JSON object per line over the child's stdin and stdout.

Requests (``{"id": n, "method": ..., "params": {...}}``):

``analyse``  ``uri``, ``key``, ``text``, ``options``, ``folder``, ``generation``: run the engine
             over the text (reading the build context in ``folder`` as the CLI does) and keep the
             result for ``fixes``. Answers findings, the syntax error, the CLI's output when it
             differs from the text with its size estimate, and a problem note.
``fixes``    ``uri``, ``key``, ``fixes`` (``[code, line]`` pairs): the line edit of each finding
             in the kept result, ``[start, end, text]`` or ``null``.
``titles``   the rules' fix titles: ``{code: [title, safe]}``.
``forget``   ``uri``: drop the kept result.

Answers: ``{"id": n, "result": ...}`` or ``{"id": n, "error": "traceback"}``.

The parent side (:class:`EngineProcess`, :class:`Analysed`) imports nothing of the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READ_LIMIT = 1 << 28
"""Longest answer line the parent reads (the CLI's output of a large file fits many times)."""


# -- parent side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingInfo:
    code: str
    severity: str
    line: int
    end_line: int
    message: str
    fix_safe: bool = True


@dataclass(frozen=True)
class Analysed:
    """What the server knows about one version of a document."""

    text: str
    key: str
    findings: tuple[FindingInfo, ...] = ()
    syntax: tuple[int, str] | None = None
    """``(line, message)`` when the text is not a Dockerfile."""
    output: str | None = None
    """What the CLI writes, when it differs from the text."""
    size: str | None = None
    """The conversion's size estimate, for its title (``≈ 299 MB → 3.6 MB``)."""
    problem: str | None = None
    newline: str = "\n"
    analysed: bool = False
    """False when the engine gave nothing (empty text, syntax error, engine failure)."""
    failure: str | None = field(default=None, compare=False)
    """Why the engine gave nothing although it should have (crash, time limit)."""

    @classmethod
    def from_json(cls, text: str, key: str, data: Mapping[str, Any]) -> Analysed:
        syntax = data.get("syntax")
        return cls(
            text=text,
            key=key,
            findings=tuple(FindingInfo(**f) for f in data.get("findings", ())),
            syntax=(int(syntax[0]), str(syntax[1])) if syntax else None,
            output=data.get("output"),
            size=data.get("size"),
            problem=data.get("problem"),
            newline=data.get("newline", "\n"),
            analysed=bool(data.get("analysed")),
        )


class EngineFailure(Exception):
    """The child died or ran out of time; it is gone, the next call starts another."""


class EngineError(Exception):
    """The child answered with an error (a traceback); it is still running."""


class EngineProcess:
    """The parent's handle on the child. Calls run one at a time, each to completion even
    when its caller is cancelled, so answers never get out of step with requests."""

    def __init__(self, on_start: Any = None, command: list[str] | None = None) -> None:
        self._command = command or [
            sys.executable,
            "-m",
            "dockerslim_refactor.frontends.lsp.engine",
        ]
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._next_id = 0
        self._on_start = on_start

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def call(self, method: str, params: Mapping[str, Any], timeout: float) -> Any:
        task = asyncio.ensure_future(self._call(method, params, timeout))
        return await asyncio.shield(task)

    async def start(self) -> None:
        async with self._lock:
            await self._ensure()

    async def _ensure(self) -> asyncio.subprocess.Process:
        process = self._process
        if process is not None and process.returncode is None:
            return process
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        # Started in the folder that holds the package, so that a package folder of that name in the
        # editor's working directory cannot stand in for it.
        process = await asyncio.create_subprocess_exec(
            *self._command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            cwd=package_root,
            limit=READ_LIMIT,
        )
        self._process = process
        if self._on_start is not None:
            self._on_start(process.pid)
        return process

    async def _call(self, method: str, params: Mapping[str, Any], timeout: float) -> Any:
        async with self._lock:
            process = await self._ensure()
            assert process.stdin is not None and process.stdout is not None
            self._next_id += 1
            request = {"id": self._next_id, "method": method, "params": params}
            try:
                process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
                await process.stdin.drain()
                line = await asyncio.wait_for(process.stdout.readline(), timeout)
            except asyncio.TimeoutError:
                await self._kill(process)
                raise EngineFailure(f"no answer within {timeout:.0f} s; engine restarted") from None
            except (BrokenPipeError, ConnectionResetError, ValueError) as err:
                await self._kill(process)
                raise EngineFailure(f"lost the engine ({err!r}); engine restarted") from None
            if not line:
                code = await process.wait()
                self._process = None
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                raise EngineFailure(f"the engine died ({how}); engine restarted")
            answer = json.loads(line)
            if answer.get("id") != self._next_id:
                await self._kill(process)
                raise EngineFailure("the engine answered out of step; engine restarted")
            if "error" in answer:
                raise EngineError(answer["error"])
            return answer.get("result")

    async def _kill(self, process: asyncio.subprocess.Process) -> None:
        self._process = None
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), 5)

    async def stop(self) -> None:
        """End the child: end of input first, a kill if it does not go."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            with contextlib.suppress(Exception):
                process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 2)
        except asyncio.TimeoutError:
            await self._kill(process)


# -- child side --------------------------------------------------------------------------------


class _Child:
    def __init__(self) -> None:
        self.kept: dict[str, tuple[str, Any]] = {}
        self.contexts: dict[str, tuple[int, Mapping[str, str]]] = {}

    def context(self, folder: str | None, generation: int) -> Mapping[str, str] | None:
        if folder is None:
            return None
        known = self.contexts.get(folder)
        if known is not None and known[0] == generation:
            return known[1]
        from dockerslim_refactor.api import context_files

        files = context_files(Path(folder))
        self.contexts[folder] = (generation, files)
        return files

    def analyse(self, params: Mapping[str, Any]) -> dict[str, Any]:
        from dockerslim_refactor.frontends.lsp.fixes import convert_output, convert_size, snapshot
        from dockerslim_refactor.frontends.lsp.settings import options_from_json

        options = options_from_json(params["options"])
        context = self.context(params.get("folder"), int(params.get("generation", 0)))
        snap = snapshot(params["text"], options, context)
        self.kept[params["uri"]] = (params["key"], snap)
        syntax = snap.syntax
        return {
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "line": f.line,
                    "end_line": f.end_line,
                    "message": f.message,
                    "fix_safe": f.fix_safe,
                }
                for f in snap.findings
            ],
            "syntax": [syntax.line, syntax.message] if syntax is not None else None,
            "output": convert_output(snap),
            "size": convert_size(snap),
            "problem": snap.problem,
            "newline": snap.newline,
            "analysed": snap.analysis is not None,
        }

    def fixes(self, params: Mapping[str, Any]) -> list[list[Any] | None]:
        from dockerslim_refactor.frontends.lsp.fixes import LINE_FIXES

        kept = self.kept.get(params["uri"])
        wanted = params.get("fixes", [])
        if kept is None or kept[0] != params["key"]:
            return [None for _ in wanted]
        snap = kept[1]
        by_place = {(f.code, f.line): f for f in snap.findings}
        edits: list[list[Any] | None] = []
        for code, line in wanted:
            finding = by_place.get((code, line))
            fix = LINE_FIXES.get(code)
            edit = fix(snap, finding) if finding is not None and fix is not None else None
            edits.append([edit.start, edit.end, edit.text] if edit is not None else None)
        return edits

    def titles(self, params: Mapping[str, Any]) -> dict[str, list[Any]]:
        from dockerslim_refactor.frontends.lsp.fixes import fix_titles

        return {code: [title, safe] for code, (title, safe) in fix_titles().items()}

    def forget(self, params: Mapping[str, Any]) -> None:
        self.kept.pop(params.get("uri", ""), None)

    def handle(self, request: Mapping[str, Any]) -> dict[str, Any]:
        method = getattr(self, str(request.get("method")), None)
        if method is None or str(request.get("method")).startswith("_"):
            return {"id": request.get("id"), "error": f"unknown method {request.get('method')!r}"}
        try:
            return {"id": request.get("id"), "result": method(request.get("params") or {})}
        except Exception:
            return {"id": request.get("id"), "error": traceback.format_exc()}


def serve(stdin: Any = None, stdout: Any = None) -> int:
    """The child's loop: one request per line until end of input."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print in the engine must not break the protocol
    child = _Child()
    with contextlib.suppress(Exception):  # load the engine before the first request
        from dockerslim_refactor.frontends.lsp.fixes import snapshot
        from dockerslim_refactor.options import Options

        snapshot('FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n', Options())
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            answer: dict[str, Any] = {"id": None, "error": "not JSON"}
        else:
            answer = child.handle(request)
        stdout.write(json.dumps(answer).encode("utf-8") + b"\n")
        stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
