"""The container runs as root.

## What it does
Reports a final stage that sets no `USER`, or whose last `USER` is `root` or UID `0`
(`root`, `0`, `0:0`, `root:root`, `root:staff`…). Images built `FROM scratch` are not
reported (they have no users to switch to), nor distroless `nonroot` images, which already
run as an unprivileged user.

## Why is this bad?
A process running as root in a container is root on the container's files and one kernel or
runtime bug away from root on the host. Most programs need no privileges at all: running them
as an unprivileged user limits what an exploited bug can do.

## Example
```dockerfile
FROM debian:bookworm-slim
COPY app /usr/local/bin/app
CMD ["app"]
```

Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 app
COPY app /usr/local/bin/app
USER 10001
CMD ["app"]
```

## Fix safety
Unsafe: a program that binds ports below 1024, writes to root-owned folders or reads files
only root may read fails once it runs as another user. Check the program's files and ports
before switching.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding

CODE = "DSR005"
NAME = "root-user"
SEVERITY = "warning"
FIX = "Run as a non-root user"
FIX_SAFE = False

ROOT_NAMES = frozenset({"root", "0"})


def check(analysis: Analysis) -> Iterable[Finding]:
    facts = analysis.facts
    if facts.image.repository == "scratch":
        return
    user_ins = facts.stage.last("USER")
    user = facts.user
    if user is None:
        if "distroless" in facts.image.repository and "nonroot" in facts.image.variant_words:
            return  # these images set USER nonroot (65532) themselves
        ins = facts.stage.from_instruction
        message = (
            "no USER instruction: the container runs as root, so a bug in the program acts "
            "with root's rights; add a USER with an unprivileged user"
        )
    else:
        name = user.strip().split(":", 1)[0]
        if name not in ROOT_NAMES:
            return  # an unprivileged user, or a variable whose value is unknown here
        ins = user_ins if user_ins is not None else facts.stage.from_instruction
        message = (
            f"USER {user} runs the container as root, so a bug in the program acts with "
            "root's rights; switch to an unprivileged user"
        )
    yield Finding(
        code=CODE,
        severity=SEVERITY,
        line=ins.start_line,
        end_line=ins.end_line,
        message=message,
        fix=FIX,
        fix_safe=FIX_SAFE,
    )
