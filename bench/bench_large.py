"""Print how long a large Dockerfile takes: parse, analyze and rewrite in one process (median of
N runs after one warm-up), and a cold CLI run (a new interpreter per run) on the same file.
Sizes: 10,000 lines and 300 lines of a realistic single-stage Go build, padded with RUN, ENV,
LABEL and COPY instructions, continuations and comments. Target: under 1 s each.

    python3 bench/bench_large.py [--runs N] [--cli-runs N] [--lines N ...] [--write FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0

HEAD = """\
# syntax=docker/dockerfile:1
# A service built and shipped in a single stage, padded to size.
ARG GO_VERSION=1.22
FROM golang:1.22-bookworm
LABEL org.opencontainers.image.title="padded" \\
      org.opencontainers.image.source="https://example.com/padded"
ENV CGO_ENABLED=0 \\
    GOFLAGS=-mod=readonly
RUN apt-get update \\
    # tools the build scripts call
    && apt-get install -y --no-install-recommends git make ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
"""

TAIL = """\
RUN go build -trimpath -ldflags="-s -w" -o /out/server ./cmd/server
EXPOSE 8080
USER 1000:1000
HEALTHCHECK --interval=30s CMD ["/out/server", "-health"]
ENTRYPOINT ["/out/server"]
CMD ["--port", "8080"]
"""


def _block(i: int) -> list[str]:
    """One padding block: a comment, ENV, LABEL, a RUN chain over continuation lines with a
    comment inside, and a COPY (11 lines)."""
    return [
        f"# step {i}: generated configuration",
        f"ENV STEP_{i}_DIR=/opt/steps/{i} STEP_{i}_MODE=release",
        f'LABEL com.example.step.{i}="configured step {i}"',
        f"RUN mkdir -p /opt/steps/{i} \\",
        f"    && cd /opt/steps/{i} \\",
        "    # record what ran",
        f"    && echo 'step {i}' > done.txt \\",
        f"    && printf '%s\\n' \"$STEP_{i}_MODE\" >> done.txt \\",
        f"    && test -s done.txt || exit {1 + i % 100}",
        f"COPY --chown=1000:1000 config/step-{i}.yaml /etc/padded/step-{i}.yaml",
        "",
    ]


def make_dockerfile(lines: int) -> str:
    """A single-stage Dockerfile of exactly ``lines`` lines (at least the head and tail)."""
    head, tail = HEAD.splitlines(), TAIL.splitlines()
    body: list[str] = []
    i = 0
    while len(head) + len(body) + len(tail) < lines:
        body += _block(i)
        i += 1
    room = lines - len(head) - len(tail)
    body = body[: max(room, 0)]
    while body and (body[-1].endswith("\\") or body[-1].startswith("    ")):
        body.pop()  # never cut a continuation in half
    body += [f"# padding {n}" for n in range(room - len(body))]
    return "\n".join(head + body + tail) + "\n"


def _median_time(work: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    work()  # warm-up: imports, the tree-sitter parser, templates
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _verdict(seconds: float) -> str:
    return "ok" if seconds < TARGET_S else f"OVER the {TARGET_S:.0f} s target"


def bench(lines: int, runs: int, cli_runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze
    from dockerslim_refactor.rewrite import rewrite

    text = make_dockerfile(lines)
    assert text.count("\n") == lines, (text.count("\n"), lines)
    result = rewrite(text)
    outcome = (
        f"rewritten, {result.output.count(chr(10))} lines out"
        if result.output is not None
        else f"left alone: {result.reason}"
    )
    print(f"{lines} lines, {len(text.encode()) / 1024:.0f} KiB ({outcome}):")
    for label, work in (
        ("parse", lambda: parse(text)),
        ("parse + analyze", lambda: analyze(parse(text))),
        ("rewrite (parse, analyze, plan, render, check)", lambda: rewrite(text)),
    ):
        median, times = _median_time(work, runs)
        print(
            f"  in-process {label:<46} median {median * 1000:8.1f} ms"
            f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={runs})"
            f"  {_verdict(median)}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "Dockerfile"
        source.write_text(text, "utf-8")
        out = Path(tmp) / "Dockerfile.new"
        argv = [sys.executable, "-m", "dockerslim_refactor", str(source), "-q", "-o", str(out)]
        times = []
        for _ in range(cli_runs):
            start = time.perf_counter()
            proc = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                print(f"  CLI exit {proc.returncode}: {proc.stderr.decode(errors='replace')}")
        median = statistics.median(times)
        each = ", ".join(f"{t * 1000:.0f}" for t in times)
        label = "cold CLI run: FILE -q -o OUT, new interpreter"
        print(
            f"  {label:<57} median {median * 1000:8.1f} ms  (runs: {each} ms)  {_verdict(median)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="in-process runs per figure (5)")
    parser.add_argument("--cli-runs", type=int, default=3, help="cold CLI runs (3)")
    parser.add_argument(
        "--lines", type=int, nargs="+", default=[10_000, 300], help="file sizes (10000 300)"
    )
    parser.add_argument("--write", metavar="FILE", help="only write the first size's file here")
    args = parser.parse_args()
    if args.write:
        Path(args.write).write_text(make_dockerfile(args.lines[0]), "utf-8")
        return
    for lines in args.lines:
        bench(lines, args.runs, args.cli_runs)


if __name__ == "__main__":
    main()
