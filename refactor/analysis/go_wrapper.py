"""The golang images' ``go-wrapper`` (Go 1.4 to 1.9, and their ``-onbuild`` triggers): run in
a package's folder, it installs the package under the import path of the package clause's
import comment (or a ``.godir`` file) and runs the binary of that name, else the folder's."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import StageFacts

GO_WRAPPER_GUESS = (
    "go-wrapper names the binary after the import comment of the sources' package clause "
    '(`package main // import "example.com/x/app"`), or a .godir file, else the folder; '
    "they were not read"
)
_IMPORT_COMMENT = re.compile(r'^package\s+\w+\s*//\s*import\s+"([^"]+)"', re.M)


def go_wrapper_name(facts: StageFacts, cwd: str) -> tuple[str, bool]:
    """The binary go-wrapper installs and runs for the package in ``cwd``, and whether the
    sources said so: the last element of the package's import comment, else of the import
    path in a ``.godir`` file, else the folder's name (``app``)."""
    folder = posixpath.basename(cwd.rstrip("/")) or "app"
    prefix = _context_prefix(facts, cwd)
    if prefix is None:
        return folder, False
    godir = facts.context_files.get(prefix + ".godir", "").strip()
    sources = [
        text
        for path, text in facts.context_files.items()
        if path.startswith(prefix) and path.endswith(".go") and "/" not in path[len(prefix) :]
    ]
    for text in sources:
        found = _IMPORT_COMMENT.search(text)
        if found:
            return posixpath.basename(found.group(1).rstrip("/")), True
    if godir:
        return posixpath.basename(godir.rstrip("/")), True
    return folder, bool(sources)


def go_wrapper_binary(facts: StageFacts, cwd: str, env: Mapping[str, str]) -> tuple[str, bool]:
    """Where go-wrapper installs the binary of the package in ``cwd`` (``$GOBIN`` of ``env``,
    else the first ``GOPATH`` folder's bin), and whether the sources named it."""
    name, certain = go_wrapper_name(facts, cwd)
    gopath = next((p for p in facts.env.get("GOPATH", "/go").split(":") if p), "/go")
    return posixpath.join(env.get("GOBIN") or posixpath.join(gopath, "bin"), name), certain


def _context_prefix(facts: StageFacts, cwd: str) -> str | None:
    """The path in the build context (``""`` for its root, ``"cmd/app/"``) of the folder
    that a ``COPY`` put at ``cwd``, or ``None``."""
    from dockerslim_refactor.analysis.program import context_copies

    for ins, workdir in context_copies(facts):
        words = list(ins.json_args) if ins.json_args is not None else ins.words
        sources = [w for w in words[:-1] if not w.startswith("--")]
        if len(sources) != 1 or facts.resolve(words[-1], workdir) != cwd.rstrip("/"):
            continue
        source = posixpath.normpath(sources[0].strip("\"'"))
        return "" if source in {".", "/"} else source.strip("/") + "/"
    return None
