"""Base image without a version.

## What it does
Reports a `FROM`, in any stage, whose image has no tag and no digest, or the tag `latest`.
Global `ARG` defaults are expanded first, so `ARG TAG=latest` followed by `FROM node:${TAG}`
is reported too. `FROM scratch`, a `FROM` that names an earlier stage, and an image given
only by variables (`FROM ${BASE_IMAGE}`, set with `--build-arg`) are not reported.

## Why is this bad?
`latest` moves: the same Dockerfile builds on a different base image from one week to the
next, so a build that worked can break, a new major version can slip in unnoticed, and two
builds of the same commit are not the same image. The tool also reads the tag to choose a
matching runtime image; without one it has to guess.

## Example
```dockerfile
FROM python
```

Use instead:
```dockerfile
FROM python:3.12-slim-bookworm
```

## Fix safety
There is no automatic fix: only the author knows which version the image was tested with.
Pin the tag that `latest` points to today, or a digest (`image@sha256:…`) for byte-for-byte
repeatable builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from dockerslim_refactor.analysis.facts import global_arg_defaults
from dockerslim_refactor.analysis.images import parse_image
from dockerslim_refactor.analysis.model import Analysis, Finding, expand

CODE = "DSR006"
NAME = "unpinned-base"
SEVERITY = "warning"
FIX = None
FIX_SAFE = True


class _Unset(Mapping[str, str]):
    """Every variable empty: what is left of a reference once its variables are removed."""

    def __getitem__(self, key: str) -> str:
        return ""

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def check(analysis: Analysis) -> Iterable[Finding]:
    document = analysis.document
    # ``ARG X`` without a default comes back as ``""``: it stays unknown (a --build-arg sets it).
    defaults = {k: v for k, v in global_arg_defaults(document).items() if v}
    earlier_names: set[str] = set()
    for stage in document.stages:
        text = expand(stage.base, defaults)
        exempt = _exempt(text, stage.parent is not None, earlier_names)
        if stage.name:
            earlier_names.add(stage.name)
        if exempt:
            continue
        ref = parse_image(text)
        if ref.pinned:
            continue
        ins = stage.from_instruction
        shown = text if text == stage.base else f"{stage.base} (= {text})"
        what = "has the tag latest" if ref.tag == "latest" else "has no tag or digest"
        yield Finding(
            code=CODE,
            severity=SEVERITY,
            line=ins.start_line,
            end_line=ins.end_line,
            message=(
                f"base image {shown} {what}: it changes whenever a new version is pushed, so "
                "builds are not repeatable; pin a version tag or a digest (image@sha256:…)"
            ),
            fix=FIX,
            fix_safe=FIX_SAFE,
        )


def _exempt(text: str, names_stage: bool, earlier_names: set[str]) -> bool:
    if names_stage or text.lower() in earlier_names or text.lower() == "scratch":
        return True
    if "$" in text:
        # ``${BASE}`` or ``${IMAGE}:${TAG}`` with no default: the build arguments decide.
        bare = expand(text, _Unset())
        return not any(ch.isalnum() for ch in bare)
    return False
