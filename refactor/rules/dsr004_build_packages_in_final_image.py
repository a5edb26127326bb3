"""Build-only OS packages in the final image.

## What it does
Reports a RUN of the final stage that installs OS packages which exist only to build
software: compilers (`gcc`, `build-essential`, `build-base`), build tools (`make`, `cmake`,
`pkg-config`), `-dev`/`-devel` headers and `git`. Packages removed again in the same RUN
(`apt-get purge`, `apk del`, also a `--virtual` group, `dnf remove`) are not reported. It is
only reported when the tool recognises what the stage builds, so that a builder, CI or
development image that exists for its toolchain is left alone.

## Why is this bad?
Compilers, headers and build tools are not needed to run the program, but they are the bulk
of the image (often hundreds of megabytes), slow every pull, and give an attacker who gets in
a full toolchain to work with. In a multi-stage build they stay in the builder stage.

## Example
```dockerfile
FROM python:3.12-slim
RUN apt-get update && apt-get install -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
```

Use instead:
```dockerfile
FROM python:3.12-slim AS builder
RUN apt-get update && apt-get install -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements.txt .
RUN /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

FROM python:3.12-slim
RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
```

## Fix safety
There is no automatic fix for this finding alone: `dockerslim-refactor FILE -o OUT` moves the
installs into a builder stage (see DSR001). The runtime libraries that `-dev` packages stand
for (`libpq5` for `libpq-dev`) must stay in the runtime image; the tool adds the ones it knows.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.analysis.packages import kept_build_packages

CODE = "DSR004"
NAME = "build-packages-in-final-image"
SEVERITY = "warning"
FIX = None
FIX_SAFE = True


def check(analysis: Analysis) -> Iterable[Finding]:
    if analysis.build is None:
        return
    for step in analysis.facts.steps:
        kept = kept_build_packages(step.script)
        if not kept:
            continue
        ins = step.instruction
        yield Finding(
            code=CODE,
            severity=SEVERITY,
            line=ins.start_line,
            end_line=ins.end_line,
            message=(
                f"build-only packages in the final image: {', '.join(kept)}; they are needed "
                "to compile, not to run, and add size and attack surface. Install them in a "
                "builder stage (`dockerslim-refactor FILE -o OUT` does) or remove them in the "
                "same RUN"
            ),
            fix=FIX,
            fix_safe=FIX_SAFE,
        )
