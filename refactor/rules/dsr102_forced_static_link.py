"""Static linking forced with ``--linkage static``.

## What it does
Reports that `--linkage static` was asked for on a C/C++ (or other native) build: the
rewrite sets `LDFLAGS=-static` in the builder stage so the program can run on a runtime image
without a C library.

## Why is this bad?
It is not bad in itself, but it is not guaranteed to work: make, cmake, meson and configure
pick `LDFLAGS` up from the environment, a Makefile that sets `LDFLAGS` itself does not, and
some libraries (glibc's NSS, `dlopen` plugins) do not link statically. A build that ignores
the flag produces a dynamic binary that will not start on a minimal base.

## Example
```dockerfile
FROM gcc:13
WORKDIR /src
COPY . .
RUN make && make install
CMD ["tally"]
```

With `--linkage static` the builder stage of the rewrite sets:
```dockerfile
FROM gcc:13 AS builder
ENV LDFLAGS=-static
WORKDIR /src
COPY . .
RUN make && make install
```

## Fix safety
Unsafe: whether the program really links statically depends on the build scripts. Check the
result with `file` or `ldd` in the builder, or drop `--linkage static` to keep the C library in
the runtime image.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.rules import detector_notes

CODE = "DSR102"
NAME = "forced-static-link"
SEVERITY = "warning"
FIX = None
FIX_SAFE = False


def check(analysis: Analysis) -> Iterable[Finding]:
    return detector_notes(analysis, CODE)
