"""A secret-looking ENV or ARG in the final image.

## What it does
Reports `ENV` and `ARG` names in the final stage that look like credentials: they contain
`TOKEN`, `PASSWORD`, `PASSWD`, `SECRET`, `CREDENTIAL`, `PRIVATE_KEY`, `ACCESS_KEY` or
`API_KEY`, or end in `_KEY`. A rewrite carries `ENV` into the runtime stage (the program may
read it), so the value stays in the image either way.

## Why is this bad?
`ENV` values are stored in the image configuration and `ARG` values used by a RUN show in
`docker history`: anyone who can pull the image can read them.

## Example
```dockerfile
FROM node:20
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc && npm ci
```

Use instead (BuildKit):
```dockerfile
# syntax=docker/dockerfile:1
FROM node:20
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
```

## Fix safety
No automatic fix: where the value should come from (a secret mount, the runtime's
environment) is the author's decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockerslim_refactor.analysis.facts import env_pairs
from dockerslim_refactor.analysis.model import Analysis, Finding

CODE = "DSR105"
NAME = "secret-in-env"
SEVERITY = "warning"
FIX = None
FIX_SAFE = True

SECRET_NAME = re.compile(
    r"(TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|PRIVATE_?KEY|ACCESS_?KEY|API_?KEY)|_KEY$",
    re.IGNORECASE,
)


def check(analysis: Analysis) -> Iterable[Finding]:
    for ins in analysis.facts.stage.instructions:
        if ins.keyword not in {"ENV", "ARG"}:
            continue
        names = [key for key, _ in env_pairs(ins) if SECRET_NAME.search(key)]
        if not names:
            continue
        where = (
            "is stored in the image configuration and carried into the runtime stage"
            if ins.keyword == "ENV"
            else "shows in `docker history` for every RUN that uses it"
        )
        yield Finding(
            code=CODE,
            severity=SEVERITY,
            line=ins.start_line,
            end_line=ins.end_line,
            message=(
                f"{ins.keyword} {', '.join(names)} looks like a secret: its value {where}; "
                "pass it with a BuildKit secret mount or at run time instead"
            ),
            fix=FIX,
            fix_safe=FIX_SAFE,
        )
