"""``--format github``: GitHub Actions workflow commands, one annotation per finding
(``::warning file=F,line=L,endLine=E,title=DSR001::message``), shown on the pull request's
lines. Files that could not be read are ``::error`` annotations."""

from __future__ import annotations

from collections.abc import Sequence

from dockerslim_refactor.formats import FileResult

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[FileResult], *, single: bool = False) -> str:
    lines = []
    for result in results:
        if result.problem is not None:
            problem = result.problem
            where = f"file={_property(problem.path)}"
            if problem.line:
                where += f",line={problem.line}"
            lines.append(f"::error {where}::{_data(problem.message)}")
            continue
        for f in result.findings:
            command = COMMANDS.get(f.severity, "warning")
            lines.append(
                f"::{command} file={_property(result.path)},line={f.line},endLine={f.end_line},"
                f"title={_property(f.code)}::{_data(f.message)}"
            )
    return "".join(f"{line}\n" for line in lines)
