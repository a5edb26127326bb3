"""Single-stage build that ships its toolchain.

## What it does
Reports a Dockerfile with one stage that builds a program this tool recognises (Go, Rust,
C/C++, Java, .NET, Node.js, Python) while the final image still carries the toolchain: a
compiler base image, build packages or a compiler run in a RUN.

## Why is this bad?
Everything needed to build the program ends up in the image that runs it: compilers,
headers, package caches and the sources. The image is several times larger than it needs to
be, slower to pull and start, and every tool in it is attack surface that has to be patched.
A multi-stage build compiles in a builder stage and copies only the output into a small
runtime image.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
```

Use instead:
```dockerfile
FROM golang:1.22 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .

FROM gcr.io/distroless/static-debian12
COPY --from=builder /usr/local/bin/app /usr/local/bin/app
CMD ["app"]
```

## Fix safety
The fix (`dockerslim-refactor FILE -o OUT`) is unsafe: the program moves to another runtime
base image, which may lack files, libraries or tools it uses at run time. Build and run the
new image before relying on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding

CODE = "DSR001"
NAME = "single-stage-toolchain"
SEVERITY = "warning"
FIX = "Convert to multi-stage build"
FIX_SAFE = False

ECOSYSTEM_NAMES = {
    "go": "Go",
    "rust": "Rust",
    "c": "C/C++",
    "node": "Node.js",
    "python": "Python",
    "java": "Java",
    "dotnet": ".NET",
    "generic": "native",
}


def check(analysis: Analysis) -> Iterable[Finding]:
    if (
        len(analysis.document.stages) != 1
        or not analysis.toolchain
        or analysis.build is None
        or analysis.leave_alone is not None
    ):
        return
    from_ins = analysis.facts.stage.from_instruction
    line, evidence = analysis.toolchain[0]
    ecosystem = ECOSYSTEM_NAMES.get(analysis.build.ecosystem, analysis.build.ecosystem)
    yield Finding(
        code=CODE,
        severity=SEVERITY,
        line=from_ins.start_line,
        end_line=from_ins.end_line,
        message=(
            f"single-stage {ecosystem} build: the final image keeps the toolchain "
            f"({evidence}, line {line}), which makes it larger and adds tools nobody runs; "
            "`dockerslim-refactor FILE -o OUT` moves the build into a builder stage and "
            "copies only its output into a small runtime image"
        ),
        fix=FIX,
        fix_safe=FIX_SAFE,
    )
