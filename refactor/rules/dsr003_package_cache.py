"""Package-manager cache left in a layer of the final image.

## What it does
Reports a RUN of the final stage that installs packages and leaves the package manager's
cache or index in the layer:

- `apt-get install` in a RUN that does not also remove `/var/lib/apt/lists`;
- `apk add` without `--no-cache` and without removing `/var/cache/apk` (or `apk cache clean`);
- `pip install` without `--no-cache-dir`, unless `PIP_NO_CACHE_DIR` is set (ENV or prefix);
- `npm install` / `npm ci` without `npm cache clean` (or removing `~/.npm`);
- `yum` / `dnf` / `microdnf install` without `clean all` (or removing `/var/cache/yum|dnf`).

Only a cleanup that comes after the install in the same RUN counts, and a BuildKit cache or
tmpfs mount over the cache folder (`RUN --mount=type=cache,target=/root/.cache/pip`) keeps it
out of the layer too.

## Why is this bad?
Each RUN is a layer, and a file deleted in a later RUN still ships in the earlier layer. The
apt lists, apk index, pip wheels and npm tarballs are only needed while installing: they add
tens to hundreds of megabytes to every pull of the image.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN pip install -r requirements.txt
```

Use instead:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
```

## Fix safety
There is no automatic fix. Removing a cache is safe for the program, but a later RUN that
installs more packages without `apt-get update` first then fails: add the cleanup to the RUN
that installs, and update again where needed.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.caches import leaves_cache
from dockerslim_refactor.analysis.model import Analysis, Finding
from dockerslim_refactor.analysis.packages import cache_cleanups, package_installs

CODE = "DSR003"
NAME = "package-cache"
SEVERITY = "warning"
FIX = None
FIX_SAFE = True

# What each manager leaves behind and how to avoid it, in the finding's words.
ADVICE = {
    "apt": "apt-get install leaves the package lists in /var/lib/apt/lists: end the same RUN "
    "with `rm -rf /var/lib/apt/lists/*`",
    "apk": "apk add keeps its package index in /var/cache/apk: use `apk add --no-cache`",
    "pip": "pip install keeps downloaded packages in ~/.cache/pip: add `--no-cache-dir` "
    "(or set ENV PIP_NO_CACHE_DIR=1)",
    "npm": "npm install keeps downloaded packages in ~/.npm: end the same RUN with "
    "`npm cache clean --force`",
    "yum": "yum install keeps metadata and packages in /var/cache/yum: end the same RUN with "
    "`yum clean all`",
    "dnf": "dnf install keeps metadata and packages in /var/cache/dnf: end the same RUN with "
    "`dnf clean all`",
    "microdnf": "microdnf install keeps metadata and packages in /var/cache: end the same RUN "
    "with `microdnf clean all`",
}


def check(analysis: Analysis) -> Iterable[Finding]:
    for step in analysis.facts.steps:
        managers: list[str] = []
        cleanups = cache_cleanups(step.script)
        for install in package_installs(step.script):
            manager = install.manager
            if manager not in ADVICE or manager in managers:
                continue
            if not leaves_cache(install, step, cleanups):
                continue
            managers.append(manager)
        if not managers:
            continue
        ins = step.instruction
        yield Finding(
            code=CODE,
            severity=SEVERITY,
            line=ins.start_line,
            end_line=ins.end_line,
            message="package cache left in the image layer: "
            + "; ".join(ADVICE[m] for m in managers),
            fix=FIX,
            fix_safe=FIX_SAFE,
        )
