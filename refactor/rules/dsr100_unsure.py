"""The tool is unsure of something the rewrite depends on.

## What it does
Passes on what the ecosystem detectors report when they are unsure of something: the path of
the build output (artifact), whether the program links the C library, run-time files or
libraries the program needs, or which runtime image keeps it working. Each finding names the
flag that settles the question: `--artifact`, `--linkage`, `--runtime-image`,
`--runtime-package` or `--keep`. A guess the rewrite still makes is reported as `info`; a
question it cannot rewrite without is a `warning`.

## Why is this bad?
A rewrite built on a wrong guess produces an image that builds but does not run: the program
is missing, or a library or file it loads is not in the runtime image. Answering the question
with the named flag makes the rewrite exact.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build
CMD ["/src/server"]
```

`go build` without `-o` names the binary after the package folder, so the tool infers the
output. Name it:
```console
dockerslim-refactor Dockerfile --artifact /src/server -o Dockerfile.multi
```

## Fix safety
There is no fix to apply: the finding asks a question. The flag it names changes the rewrite,
not the Dockerfile.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.rules import detector_notes

CODE = "DSR100"
NAME = "unsure"
SEVERITY = "warning"
"""The highest severity the detectors give; each finding keeps its own (info or warning)."""
FIX = None
FIX_SAFE = True


def check(analysis: Analysis) -> Iterable[Finding]:
    return detector_notes(analysis, CODE)
