"""Long ``&&`` chain in one RUN.

## What it does
Reports a RUN whose shell script is three or more commands joined only by `&&`.

## Why is this bad?
Chaining everything into one RUN is a habit from single-stage images, where each layer
stays in the final image. In a builder stage layers are thrown away, so the chain only makes
the file harder to read, hides which command failed, and rebuilds every command when one of
them changes. Separate RUN instructions read better and cache independently.

## Example
```dockerfile
RUN go mod download && go vet ./... && go build -o /out/app .
```

Use instead:
```dockerfile
RUN go mod download
RUN go vet ./...
RUN go build -o /out/app .
```

## Fix safety
Splitting is safe when no command changes the state that later commands run in: each RUN
starts a new shell. It is unsafe when a segment runs `cd`, `pushd`/`popd`, `export`, `unset`,
`set`, `source`/`.`, `umask`, `ulimit`, `alias`, `shopt`, a declaration (`declare`, `local`,
`readonly`, `typeset`) or a bare assignment (`X=1`), and when the RUN has comments inside its
continuations (they would have to move), heredocs, is in exec (JSON) form or could not be
parsed. In a final image, splitting a chain that deletes files made earlier in it (package
lists, caches) keeps those files in a lower layer: the fix is meant for builder stages.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding, RunStep

CODE = "DSR002"
NAME = "and-chain"
SEVERITY = "info"
FIX = "Split && chain into separate RUN instructions"
FIX_SAFE = True

MIN_SEGMENTS = 3
# Commands whose effect outlives them in the same shell: splitting drops that effect.
STATEFUL_COMMANDS = frozenset(
    {
        "cd",
        "pushd",
        "popd",
        "export",
        "unset",
        "set",
        "source",
        ".",
        "umask",
        "ulimit",
        "alias",
        "shopt",
        "declare",
        "typeset",
        "local",
        "readonly",
    }
)


def check(analysis: Analysis) -> Iterable[Finding]:
    for step in analysis.facts.steps:
        script = step.script
        if not script.is_and_chain or len(script.segments) < MIN_SEGMENTS:
            continue
        ins = step.instruction
        count = len(script.segments)
        yield Finding(
            code=CODE,
            severity=SEVERITY,
            line=ins.start_line,
            end_line=ins.end_line,
            message=(
                f"{count} commands chained with &&: in a builder stage they can be separate "
                "RUN instructions, which read and cache better"
            ),
            fix=FIX,
            fix_safe=_split_is_safe(step),
        )


def _split_is_safe(step: RunStep) -> bool:
    ins = step.instruction
    script = step.script
    if ins.comments or ins.heredocs or ins.is_json or script.has_errors:
        return False
    # Nested commands count too: a ``cd`` inside an ``if`` still moves the shell.
    return not any(c.name == "" or c.basename in STATEFUL_COMMANDS for c in script.commands)
