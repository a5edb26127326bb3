"""Print how the tool does on a corpus of real public Dockerfiles, against hand-made labels:
the decision (rewrite or leave alone), DSR001 detection, the reason for each file left alone,
and the structural soundness of each rewrite.

    python3 bench/corpus.py DIR [--labels ../shared/corpus/dev.tsv] [--only ID ...] [-v]

DIR holds the texts as ``<id>.Dockerfile`` (they are other people's code: keep them out of the
repository). The labels file is tab-separated with at least the columns ``id`` and
``expected`` (``refactor``, ``leave-not-applicable`` or ``leave-multistage``).

A rewrite is structurally sound when: it parses with BuildKit's parser (the ``dockerfile``
package), its final stage is not on the builder's image, it copies from the builder, it keeps
CMD and ENTRYPOINT (or a note says how they changed), it keeps every comment of the original,
and rewriting it again changes nothing. Structure is not soundness: a sound-looking rewrite
still has to build and run (tests/e2e), and to be reviewed next to its original.

The last line is the summary.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_LABELS = ROOT.parent / "shared" / "corpus" / "dev.tsv"
DETECTION_CODES = frozenset({"DSR001"})


@dataclass
class Outcome:
    id: str
    expected: str
    decision: str = "leave"
    """``rewrite``, ``leave``, ``refuse`` (a clear error) or ``crash`` (a bug)."""
    detected: bool = False
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    """Structural problems of the rewrite; empty when sound."""

    @property
    def wanted(self) -> str:
        return "rewrite" if self.expected == "refactor" else "leave"

    @property
    def right(self) -> bool:
        return self.decision == self.wanted


# An independent list (not the tool's own tables): images whose purpose is to build. A
# plain OS or company image may be its own runtime base; one of these may not.
TOOLCHAIN_REPOSITORIES = frozenset(
    {
        "golang",
        "rust",
        "gcc",
        "clang",
        "buildpack-deps",
        "maven",
        "gradle",
        "haskell",
        "clojure",
        "elixir",
        "erlang",
        "dart",
        "swift",
        "openjdk",
        "eclipse-temurin",
        "amazoncorretto",
        "node",
        "python",
        "ruby",
        "php",
        "composer",
        "mono",
        "sdk",
        "aspnetcore-build",
        "dotnet",
        "rustlang/rust",
        "cuda",
    }
)
RUNTIME_WORDS = ("slim", "alpine", "jre", "runtime", "base", "apache", "fpm", "cli")


def is_toolchain_image(image: str) -> bool:
    name, _, tag = (
        image.split("@")[0].rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    )
    repo = name.split("/", 1)[1] if "." in name.split("/")[0] else name
    last = repo.rsplit("/", 1)[-1]
    if repo not in TOOLCHAIN_REPOSITORIES and last not in TOOLCHAIN_REPOSITORIES:
        return False
    return not any(word in tag for word in RUNTIME_WORDS)


def _final_stage(text: str) -> tuple[list, list]:
    """(all BuildKit commands, those of the final stage)."""
    import dockerfile

    commands = list(dockerfile.parse_string(text))
    last_from = max(i for i, c in enumerate(commands) if c.cmd.upper() == "FROM")
    return commands, commands[last_from:]


def _command_of(commands: list, keyword: str) -> str | None:
    found = [c for c in commands if c.cmd.upper() == keyword]
    return " ".join(found[-1].value) if found else None


def _comments(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    body = [line for line in lines if line.startswith("#")]
    # Parser directives at the top are not comments.
    while body and body[0].replace(" ", "").lower().startswith(("#syntax=", "#escape=", "#check=")):
        body.pop(0)
    return body


def structure_problems(
    original: str, output: str, notes: list[str], again: str | None
) -> list[str]:
    problems: list[str] = []
    try:
        all_commands, final = _final_stage(output)
    except Exception as err:  # noqa: BLE001 - any parser failure is the finding
        return [f"BuildKit's parser refuses it: {err}"]
    try:
        original_final = _final_stage(original)[1]
    except Exception:  # noqa: BLE001
        original_final = []
    froms = [c for c in all_commands if c.cmd.upper() == "FROM"]
    # Judge the images a plain `docker build` would use: global ARG defaults filled in.
    defaults: dict[str, str] = {}
    for command in all_commands:
        if command.cmd.upper() == "FROM":
            break
        if command.cmd.upper() == "ARG":
            for word in command.value:
                key, _, value = word.partition("=")
                defaults[key] = value.strip("\"'")

    def expand(image: str) -> str:
        return re.sub(r"\$\{?(\w+)\}?", lambda m: defaults.get(m.group(1), m.group(0)), image)

    builder_image = expand(froms[0].value[0]) if froms else ""
    builder_name = froms[0].value[2] if froms and len(froms[0].value) >= 3 else ""
    runtime_image = expand(final[0].value[0]) if final else ""
    if runtime_image == builder_name or (
        runtime_image == builder_image and is_toolchain_image(runtime_image)
    ):
        problems.append(f"the runtime stage is still on the toolchain image {runtime_image}")
    copies = [
        c
        for c in final
        if c.cmd.upper() == "COPY" and any(f.startswith("--from=") for f in c.flags)
    ]
    if not copies:
        problems.append("the runtime stage copies nothing from the builder")
    for keyword in ("CMD", "ENTRYPOINT"):
        before, after = _command_of(original_final, keyword), _command_of(final, keyword)
        if before != after and not any(keyword in n or "command" in n for n in notes):
            problems.append(f"{keyword} changed without a note: {before!r} -> {after!r}")
    kept = set(_comments(output))
    lost = [c for c in _comments(original) if c not in kept]
    if lost:
        problems.append(f"{len(lost)} comment line(s) lost, e.g. {lost[0][:60]!r}")
    if again is not None and again != output:
        problems.append("a second rewrite changes it again")
    return problems


def run_one(path: Path, expected: str, verbose: bool) -> Outcome:
    from dockerslim_refactor import api

    outcome = Outcome(path.name.split(".", 1)[0], expected)
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        source = api.source_of(text, path.name)
        analysis = api.analyse(source)
        outcome.detected = any(f.code in DETECTION_CODES for f in analysis.findings)
        with contextlib.redirect_stderr(io.StringIO()):
            result = api.rewrite(source)
    except api.Error as err:
        outcome.decision, outcome.reason = "refuse", str(err)
        return outcome
    except Exception:  # noqa: BLE001 - a crash is what this benchmark looks for
        outcome.decision = "crash"
        outcome.reason = traceback.format_exc(limit=-3) if verbose else "crash"
        return outcome
    if result.output is None:
        outcome.reason = result.reason or ""
        return outcome
    outcome.decision = "rewrite"
    notes = [f"{n.code} {n.message}" for n in result.notes]
    try:
        again_result = api.rewrite(api.source_of(result.output, path.name))
        again = again_result.output if again_result.output is not None else result.output
    except Exception as err:  # noqa: BLE001
        again = None
        outcome.problems.append(f"a second rewrite fails: {err}")
    outcome.problems += structure_problems(text, result.output, notes, again)
    return outcome


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else f"{part}/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--only", nargs="*", default=None, help="these ids only")
    parser.add_argument("-v", "--verbose", action="store_true", help="tracebacks of crashes")
    args = parser.parse_args(argv)
    with args.labels.open(encoding="utf-8") as handle:
        labels = {row["id"]: row["expected"] for row in csv.DictReader(handle, delimiter="\t")}
    outcomes: list[Outcome] = []
    for ident, expected in labels.items():
        if args.only and ident not in args.only:
            continue
        path = args.folder / f"{ident}.Dockerfile"
        if not path.is_file():
            print(f"{ident}: missing {path.name}")
            continue
        outcomes.append(run_one(path, expected, args.verbose))
    for o in outcomes:
        mark = "ok  " if o.right else "MISS"
        detected = "yes" if o.detected else "no"
        line = f"{mark} {o.id} expected={o.wanted} got={o.decision} dsr001={detected}"
        if o.decision != "rewrite" and o.reason:
            line += f" reason={o.reason.splitlines()[0][:150]}"
        if o.problems:
            line += " UNSOUND: " + "; ".join(o.problems)
        print(line)
    should = [o for o in outcomes if o.wanted == "rewrite"]
    should_not = [o for o in outcomes if o.wanted == "leave"]
    rewrites = [o for o in outcomes if o.decision == "rewrite"]
    crashes = sum(o.decision == "crash" for o in outcomes)
    print(
        f"decision {_pct(sum(o.right for o in outcomes), len(outcomes))}"
        f" · rewritten {_pct(sum(o.decision == 'rewrite' for o in should), len(should))}"
        f" of those to rewrite"
        f" · DSR001 recall {_pct(sum(o.detected for o in should), len(should))}"
        f", false alarms {_pct(sum(o.detected for o in should_not), len(should_not))}"
        f" · structurally sound {_pct(sum(not o.problems for o in rewrites), len(rewrites))}"
        f" · refused {sum(o.decision == 'refuse' for o in outcomes)} · crashes {crashes}"
    )
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
