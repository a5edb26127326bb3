"""Bugs the properties found that are not fixed yet.

Each bug has a minimal regression test in ``test_regressions.py``, marked
``xfail(strict=True)``. The properties set aside inputs of these classes only (with
``hypothesis.reject``), so the suite stays green and still reports anything new. When a fix
lands, its regression test passes, strict xfail turns that into a failure, and both the marker
and the matching check here are removed.

Each check recognises its bug by the input and the exact symptom, as narrowly as it can.
"""

from __future__ import annotations

import re

from refactor.document import Stage

NODE_PYTHON = frozenset({"node", "python"})


def program_made_by_cp(exe: str, original: Stage) -> bool:
    """Bug: the program is the target of a ``cp`` after the build (``go build -o /bin/app . &&
    cp /bin/app /out/app``, ``CMD ["/out/app"]``); the runtime stage gets the build output
    only (and ``strip`` runs on it), so the image starts a file that is not there."""
    pattern = re.compile(r"\bcp\s[^;&|\n]*\s" + re.escape(exe) + r"(?=\s|$|[;&|])")
    return any(ins.keyword == "RUN" and pattern.search(ins.value) for ins in original.instructions)
