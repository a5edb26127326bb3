"""Print measured speed figures of the language server, through a real LSP client (pygls')
talking to ``python -m dockerslim_refactor.frontends.lsp`` over stdio:

- start: spawning the server until the ``initialize`` response;
- diagnostics after a change: ``didChange`` until ``publishDiagnostics`` for that version
  (with the server's 150 ms debounce), and ``didChange`` + ``didSave`` (published at once);
- code action "Convert to multi-stage build" on a 300-line Dockerfile: with the edit inline
  (clients without ``codeAction/resolve``), as list + resolve (VS Code, Neovim), and right
  after a change (the engine runs first).

    python3 bench/bench_lsp.py [--runs N] [--lines 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "dockerslim_refactor.frontends.lsp"]
CONVERT = "Convert to multi-stage build"


def big_dockerfile(lines: int = 300) -> str:
    """A single-stage Go service grown over the years: the usual head and tail, padded with
    the ENV, LABEL and RUN lines such files collect."""
    head = [
        "# syntax=docker/dockerfile:1",
        "# Billing service: built and shipped in one image.",
        "FROM golang:1.22-bookworm",
        "ARG VERSION=1.4.2",
        'LABEL org.opencontainers.image.title="billing" \\',
        '      org.opencontainers.image.version="${VERSION}"',
        "RUN apt-get update && apt-get install -y --no-install-recommends git make"
        " ca-certificates tzdata && rm -rf /var/lib/apt/lists/*",
        "ENV GOFLAGS=-mod=readonly TZ=UTC",
        "WORKDIR /src",
        "COPY go.mod go.sum ./",
        "RUN go mod download",
    ]
    tail = [
        "COPY . .",
        "RUN go vet ./... \\",
        "    && go test ./... \\",
        '    && go build -ldflags "-X main.version=${VERSION}" -o /usr/local/bin/billing'
        " ./cmd/billing",
        "EXPOSE 8080",
        'HEALTHCHECK CMD ["/usr/local/bin/billing", "healthcheck"]',
        'ENTRYPOINT ["/usr/local/bin/billing"]',
        'CMD ["serve", "--port", "8080"]',
    ]
    body: list[str] = []
    i = 0
    while len(head) + len(body) + len(tail) < lines:
        kind = i % 4
        if kind == 0:
            body.append(f"ENV FEATURE_{i}_ENABLED=true")
        elif kind == 1:
            body.append(f'LABEL com.example.billing.layer{i}="module {i}"')
        elif kind == 2:
            body.append(
                f"RUN mkdir -p /var/lib/billing/{i} && touch /var/lib/billing/{i}/.keep"
                f" && chmod 0755 /var/lib/billing/{i}"
            )
        else:
            body.append(f"RUN echo 'module {i}' >> /etc/billing-modules")
        i += 1
    return "\n".join(head + body + tail) + "\n"


def capabilities(resolve: bool) -> types.ClientCapabilities:
    code_action = types.CodeActionClientCapabilities(
        code_action_literal_support=types.ClientCodeActionLiteralOptions(
            code_action_kind=types.ClientCodeActionKindOptions(
                value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]
            )
        ),
        data_support=resolve,
        resolve_support=(
            types.ClientCodeActionResolveOptions(properties=["edit"]) if resolve else None
        ),
    )
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(code_action=code_action),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        ),
    )


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("bench-lsp", "1")
        self.versions: dict[str, int | None] = {}
        self.event = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.versions[params.uri] = params.version
            self.event.set()

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            if params.type == types.MessageType.Error:
                print(f"server error: {params.message}", file=sys.stderr)

    async def wait_version(self, uri: str, version: int) -> None:
        while self.versions.get(uri) != version:
            self.event.clear()
            if self.versions.get(uri) == version:
                break
            await asyncio.wait_for(self.event.wait(), 30)


async def start(resolve: bool) -> tuple[Client, float]:
    client = Client()
    began = time.perf_counter()
    await client.start_io(*SERVER, cwd=str(ROOT))
    await client.initialize_async(
        types.InitializeParams(capabilities=capabilities(resolve), process_id=None)
    )
    elapsed = time.perf_counter() - began
    client.initialized(types.InitializedParams())
    return client, elapsed


async def stop(client: Client) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def _describe(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (
        f"{label:<52} p50 {statistics.median(times) * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms   (n={len(times)})"
    )


def _open(client: Client, uri: str, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="dockerfile", version=1, text=text
            )
        )
    )


def _change(client: Client, uri: str, version: int, line: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=0),
                        end=types.Position(line=line + 1, character=0),
                    ),
                    text=text,
                )
            ],
        )
    )


async def _convert(client: Client, uri: str, from_line: int, resolve: bool) -> None:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=from_line, character=0),
                end=types.Position(line=from_line, character=0),
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    action = next(a for a in actions or [] if getattr(a, "title", None) == CONVERT)
    if resolve:
        assert action.edit is None
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None


async def bench(runs: int, lines: int) -> None:
    text = big_dockerfile(lines)
    from_line = next(i for i, line in enumerate(text.splitlines()) if line.startswith("FROM"))
    env_line = next(i for i, line in enumerate(text.splitlines()) if line.startswith("ENV FEAT"))
    print(f"language server, {len(text.splitlines())}-line Dockerfile, {runs} runs each:")

    starts = []
    for _ in range(runs):
        client, elapsed = await start(resolve=False)
        starts.append(elapsed)
        await stop(client)
        await asyncio.sleep(0.2)  # let the last server's processes go before the next start
    print(_describe("start: spawn until the initialize response", starts))

    with tempfile.TemporaryDirectory() as folder:
        uri = (Path(folder) / "Dockerfile").as_uri()
        for resolve in (False, True):
            client, _ = await start(resolve)
            _open(client, uri, text)
            await client.wait_version(uri, 1)
            version = 1
            if not resolve:
                changed, saved, cold = [], [], []
                for n in range(runs):
                    version += 1
                    began = time.perf_counter()
                    _change(client, uri, version, env_line, f"ENV FEATURE_0_ENABLED={n}\n")
                    await client.wait_version(uri, version)
                    changed.append(time.perf_counter() - began)
                for n in range(runs):
                    version += 1
                    began = time.perf_counter()
                    _change(client, uri, version, env_line, f"ENV FEATURE_0_ENABLED=s{n}\n")
                    client.text_document_did_save(
                        types.DidSaveTextDocumentParams(
                            text_document=types.TextDocumentIdentifier(uri=uri)
                        )
                    )
                    await client.wait_version(uri, version)
                    saved.append(time.perf_counter() - began)
                for n in range(runs):
                    version += 1
                    _change(client, uri, version, env_line, f"ENV FEATURE_0_ENABLED=c{n}\n")
                    began = time.perf_counter()
                    await _convert(client, uri, from_line, resolve)
                    cold.append(time.perf_counter() - began)
                    await client.wait_version(uri, version)
                print(_describe("diagnostics after a change (150 ms debounce)", changed))
                print(_describe("diagnostics after change + save (no debounce)", saved))
            warm = []
            for _ in range(runs * 4):
                began = time.perf_counter()
                await _convert(client, uri, from_line, resolve)
                warm.append(time.perf_counter() - began)
            if resolve:
                print(_describe("code action convert: list + resolve (VS Code, nvim)", warm))
            else:
                print(_describe("code action convert: edit inline (no resolve)", warm))
                print(_describe("code action convert right after a change", cold))
            await stop(client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lines", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    asyncio.run(bench(args.runs, args.lines))


if __name__ == "__main__":
    main()
