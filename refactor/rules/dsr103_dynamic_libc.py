"""Program linked dynamically against the C library.

## What it does
Reports a native program that links the C library (glibc or musl) dynamically, so the runtime
image the rewrite picks must have one: never alpine, busybox or scratch for a glibc program.
Libraries the build installed under `/usr/local` are collected in the builder and copied
along.

## Why is this bad?
It is not a mistake, but it limits the runtime image: a dynamically linked program needs the
same C library it was built against, so the smallest bases (scratch, distroless/static) are
out. Linking statically would allow them.

## Example
```dockerfile
FROM gcc:13
WORKDIR /src
COPY . .
RUN make && make install
CMD ["tally"]
```

The rewrite keeps a C library in the runtime stage:
```dockerfile
FROM debian:bookworm-slim
COPY --from=builder /usr/local/bin/tally /usr/local/bin/tally
CMD ["tally"]
```

## Fix safety
There is no fix to apply: the finding explains the runtime image the rewrite chose. Pass
`--linkage static` to link statically and allow a smaller base (see DSR102).
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.rules import detector_notes

CODE = "DSR103"
NAME = "dynamic-libc"
SEVERITY = "info"
FIX = None
FIX_SAFE = True


def check(analysis: Analysis) -> Iterable[Finding]:
    return detector_notes(analysis, CODE)
