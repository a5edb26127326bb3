"""Go build made static with ``CGO_ENABLED=0``.

## What it does
Reports a Go build that would link glibc through cgo, which the rewrite makes static by
setting `CGO_ENABLED=0` in the builder stage. The golang images ship gcc, so a default build
that imports `net` or `os/user` links the C library dynamically; with cgo off the binary is
static and runs on `scratch` or distroless/static.

## Why is this bad?
A Go binary linked against glibc needs a runtime image with the same glibc: it fails to
start on alpine, busybox or scratch with a confusing "not found" error. A static binary runs
anywhere and lets the runtime image be a few megabytes.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
```

The builder stage of the rewrite sets:
```dockerfile
FROM golang:1.22 AS builder
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
```

## Fix safety
There is no fix to apply to the input: the finding explains a choice of the rewrite. With
cgo off, Go uses its own DNS resolver and user lookup instead of glibc's (NSS), which matters
only for programs that rely on `/etc/nsswitch.conf` features. Pass `--linkage dynamic` to
keep cgo; a program that imports "C" always keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.rules import detector_notes

CODE = "DSR101"
NAME = "go-static-link"
SEVERITY = "info"
FIX = None
FIX_SAFE = False


def check(analysis: Analysis) -> Iterable[Finding]:
    return detector_notes(analysis, CODE)
