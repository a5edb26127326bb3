"""With --non-root, the rewrite runs the program as a user the original did not have.

## What it does
Reported by a rewrite (not by `analyze`) run with `--non-root` when the original image ran
as root without asking for it (no `USER`), and the runtime stage gets `USER 65534:65534`
(nobody), or `USER node` on the Node.js images, which ship that unprivileged user. Without
`--non-root` the runtime stage keeps the original's user.

## Why is this bad?
It is not bad, it is a change to look at: running as root is rarely needed, but a program
that writes into its own folders, binds a port below 1024 or reads root-only files fails as
another user.

## Example
```dockerfile
FROM golang:1.22
COPY . .
RUN go build -o /out/app .
ENTRYPOINT ["/out/app"]
```

The rewrite ends with:
```dockerfile
USER 65534:65534
ENTRYPOINT ["/out/app"]
```

## Fix safety
Leave out `--non-root` to keep root; an explicit `USER root` in the original is always kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding

CODE = "DSR104"
NAME = "added-non-root-user"
SEVERITY = "info"
FIX = None
FIX_SAFE = True


def check(analysis: Analysis) -> Iterable[Finding]:
    """Emitted by the stage plan, which knows the runtime base; nothing to report here."""
    return ()
