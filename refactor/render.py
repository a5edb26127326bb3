"""Jinja2 environment (StrictUndefined) over templates/: turns a stage plan into Dockerfile
text in the input's line endings."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

    from dockerslim_refactor.plan import StagePlan


def templates_dir() -> Path:
    """templates/ as shipped in the wheel (dockerslim_refactor/templates) or in a source
    checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "_base.Dockerfile.j2").is_file():
            return candidate
    raise FileNotFoundError("templates/ not found next to the package")


@cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render(plan: StagePlan, newline: str = "\n", bom: bool = False) -> str:
    text = environment().get_template(plan.build.template).render(plan=plan)
    text = text.replace("\r\n", "\n")
    # Blank lines come from the user's file or from empty template blocks: keep at most one
    # between instructions, and none at the end of the file.
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    if newline != "\n":
        text = text.replace("\n", newline)
    return ("\ufeff" if bom else "") + text
