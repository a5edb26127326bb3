"""The engine's child process: its line protocol, and what the server's handle on it does
when the child fails, dies or hangs."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sys

import pytest
from lsp_support import (
    change_document,
    code_actions,
    lsp_session,
    open_document,
    server_env,
    wait_published,
)

from dockerslim_refactor.frontends.lsp.engine import (
    Analysed,
    EngineError,
    EngineFailure,
    EngineProcess,
    serve,
)
from dockerslim_refactor.frontends.lsp.settings import options_from_json, options_to_json
from dockerslim_refactor.options import Options

DEBOUNCE = 0.15
GO = 'FROM golang:1.22\nRUN go mod download && go vet ./... && go build -o /app .\nCMD ["/app"]\n'


def _exchange(*requests: object) -> list[dict]:
    lines = b"".join(
        (r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in requests
    )
    out = io.BytesIO()
    stdout = sys.stdout
    try:
        assert serve(io.BytesIO(lines), out) == 0
    finally:
        sys.stdout = stdout
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_options_round_trip_through_json():
    options = Options(
        runtime="scratch",
        runtime_image="x:1",
        stage_name="build",
        keep=("a", "b:c"),
        non_root=True,
        disabled_rules=frozenset({"DSR002", "DSR005"}),
    )
    data = options_to_json(options)
    assert json.loads(json.dumps(data)) == data
    assert options_from_json(data) == options
    assert options_from_json({"unknown": 1}) == Options()


def test_the_child_protocol():
    analyse = {
        "uri": "file:///x/Dockerfile",
        "key": "k1",
        "text": GO,
        "options": options_to_json(Options()),
        "folder": None,
        "generation": 0,
    }
    answers = _exchange(
        {"id": 1, "method": "titles"},
        {"id": 2, "method": "analyse", "params": analyse},
        {
            "id": 3,
            "method": "fixes",
            "params": {
                "uri": analyse["uri"],
                "key": "k1",
                "fixes": [["DSR002", 2], ["DSR005", 1], ["DSR002", 99]],
            },
        },
        {
            "id": 4,
            "method": "fixes",
            "params": {"uri": analyse["uri"], "key": "old", "fixes": [["DSR002", 2]]},
        },
        {"id": 5, "method": "forget", "params": {"uri": analyse["uri"]}},
        {
            "id": 6,
            "method": "fixes",
            "params": {"uri": analyse["uri"], "key": "k1", "fixes": [["DSR002", 2]]},
        },
        {"id": 7, "method": "analyse", "params": {**analyse, "text": "FROM a\nFOO b\n"}},
        {"id": 8, "method": "nope"},
        {"id": 9, "method": "_child"},
        b"{not json",
        {"id": 10, "method": "analyse", "params": {"uri": "u"}},
    )
    assert [a.get("id") for a in answers] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None, 10]
    assert answers[0]["result"]["DSR001"] == ["Convert to multi-stage build", False]
    result = Analysed.from_json(GO, "k1", answers[1]["result"])
    assert result.analysed and result.syntax is None and result.output.startswith("FROM golang")
    assert result.size == "≈ 299 MB → 3.6 MB"
    assert {(f.code, f.line) for f in result.findings} >= {("DSR001", 1), ("DSR002", 2)}
    split, user, missing = answers[2]["result"]
    assert split[:2] == [2, 2] and split[2].count("RUN ") == 3
    assert user == [3, 2, "USER 65534:65534\n"]
    assert missing is None
    assert answers[3]["result"] == [None]  # a result that is not the kept one
    assert answers[5]["result"] == [None]  # forgotten
    broken = Analysed.from_json("", "k", answers[6]["result"])
    assert broken.syntax == (2, "unknown instruction: FOO") and not broken.analysed
    assert "unknown method" in answers[7]["error"] and "unknown method" in answers[8]["error"]
    assert answers[9]["error"] == "not JSON"
    assert "KeyError" in answers[10]["error"]


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.mark.asyncio
async def test_a_child_that_dies_is_replaced():
    started: list[int] = []
    engine = EngineProcess(
        on_start=started.append, command=_python("import os, sys; sys.stdin.readline(); os.abort()")
    )
    for _ in range(2):
        with pytest.raises(EngineFailure, match="died"):
            await engine.call("titles", {}, 10)
    assert len(started) == 2 and engine.pid is None
    await engine.stop()


@pytest.mark.asyncio
async def test_a_child_that_hangs_is_killed_and_replaced():
    started: list[int] = []
    engine = EngineProcess(on_start=started.append, command=_python("import time; time.sleep(60)"))
    with pytest.raises(EngineFailure, match="no answer within 1 s"):
        await engine.call("titles", {}, 1)
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)
    real = EngineProcess(on_start=started.append)
    try:
        assert "DSR001" in await real.call("titles", {}, 30)
        with pytest.raises(EngineError, match="KeyError"):
            await real.call("analyse", {}, 30)
        assert "DSR001" in await real.call("titles", {}, 30)  # an error leaves it running
    finally:
        await real.stop()
        await engine.stop()


@pytest.mark.asyncio
async def test_a_caller_cancelled_mid_call_does_not_desynchronise_the_child():
    engine = EngineProcess()
    try:
        await engine.call("titles", {}, 30)
        params = {"uri": "u", "key": "k", "text": GO, "options": {}, "folder": None}
        slow = asyncio.ensure_future(engine.call("analyse", params, 30))
        await asyncio.sleep(0)
        slow.cancel()
        titles = await engine.call("titles", {}, 30)
        assert titles["DSR002"][0].startswith("Split")
    finally:
        await engine.stop()


# -- through the server ------------------------------------------------------------------------


def _engine_pids(client) -> list[int]:
    return [
        int(m.message.split()[2])
        for m in client.log_messages
        if m.message.startswith("engine process ")
    ]


@pytest.mark.asyncio
async def test_the_server_survives_its_engine_being_killed(file_uri):
    uri = file_uri()
    async with lsp_session() as client:
        open_document(client, uri, GO)
        await wait_published(client, uri)
        [pid] = _engine_pids(client)
        os.kill(pid, signal.SIGKILL)
        change_document(client, uri, GO.replace("/app", "/bin/app"), 2)
        published = await wait_published(client, uri, lambda p: p.version == 2)
        assert "DSR001" in {d.code for d in published.diagnostics}
        assert len(_engine_pids(client)) == 2  # a fresh engine took over
        assert [a.title for a in await code_actions(client, uri, 1, only=["refactor"])] == [
            "Convert to multi-stage build (≈ 299 MB → 3.6 MB)"
        ]


@pytest.mark.asyncio
async def test_an_engine_killed_while_it_analyses_is_restarted_and_asked_again(file_uri):
    uri = file_uri()
    # Long enough that the engine is still busy with it when it gets killed.
    big = GO + "".join(
        f"RUN mkdir -p /d/{i} && touch /d/{i}/k && chmod 755 /d/{i}\n" for i in range(8000)
    )
    async with lsp_session() as client:
        open_document(client, uri, GO)
        await wait_published(client, uri)
        [pid] = _engine_pids(client)
        change_document(client, uri, big, 2)
        await asyncio.sleep(DEBOUNCE + 0.3)
        os.kill(pid, signal.SIGKILL)
        published = await wait_published(client, uri, lambda p: p.version == 2, timeout=60)
        assert "DSR001" in {d.code for d in published.diagnostics}
        died = [m.message for m in client.log_messages if "the engine died (signal 9)" in m.message]
        assert died, [m.message for m in client.log_messages]
        assert len(_engine_pids(client)) == 2


@pytest.mark.asyncio
async def test_input_that_crashes_tree_sitter_bash_does_not_end_the_session(file_uri):
    """tree-sitter-bash 0.25.1 dies with SIGSEGV on ``{`` before some 4-byte characters, in
    about half of fresh processes (tree-sitter/tree-sitter-bash#337); whatever it does in the
    engine's process, the server answers and goes on."""
    uri = file_uri()
    crashing = "FROM golang:1.22\nRUN echo ${\U000e0067} && go build -o /app {\U0010ffff\n"
    async with lsp_session() as client:
        open_document(client, uri, crashing)
        for version in range(2, 7):
            change_document(client, uri, crashing + "#" * version + "\n", version)
            await wait_published(client, uri, lambda p, v=version: p.version == v)
            assert isinstance(await code_actions(client, uri, 1), list)
        change_document(client, uri, GO, 7)
        fixed = await wait_published(client, uri, lambda p: p.version == 7)
        assert "DSR001" in {d.code for d in fixed.diagnostics}
    assert client._server.returncode == 0


def test_the_child_runs_as_a_module(tmp_path):
    import subprocess

    request = json.dumps({"id": 1, "method": "titles"}) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "dockerslim_refactor.frontends.lsp.engine"],
        input=request,
        capture_output=True,
        text=True,
        env=server_env(),
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    assert json.loads(proc.stdout)["result"]["DSR005"] == ["Run as a non-root user", False]
