"""BuildKit's parser (the ``dockerfile`` package) as an oracle, with the limits of that binding
made explicit: it reads its input as a C string (a NUL byte ends it), mis-decodes some
non-ASCII flags, and predates the ``# check=`` directive."""

from __future__ import annotations

import re

import dockerfile

from dockerslim_refactor.document import Document


class OracleCannotTell(Exception):
    """The binding cannot answer for this input; the caller skips the comparison."""


def buildkit_commands(text: str) -> list:
    """BuildKit's instructions for ``text``; raises ``dockerfile.GoParseError`` when it refuses
    the file and :class:`OracleCannotTell` when the binding cannot read it."""
    if "\0" in text:
        raise OracleCannotTell("NUL byte: the binding stops reading there")
    try:
        return dockerfile.parse_string(text)
    except UnicodeDecodeError as err:  # the binding's own decoding of what BuildKit returns
        raise OracleCannotTell(f"the binding cannot decode BuildKit's answer: {err}") from None


_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=")


def without_check_directive(text: str) -> str:
    """``text`` without a ``# check=`` line among its leading directives, which the binding's
    BuildKit would read as the comment that ends them (an ``# escape=`` after it ignored)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text[len(bom) :].split("\n")
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line.strip())
        if not match:
            break
        if match.group(1).lower() == "check":
            return bom + "\n".join(lines[:index] + lines[index + 1 :])
    return text


def buildkit_error(text: str) -> str | None:
    """BuildKit's error for ``text``, or ``None`` when it parses."""
    try:
        buildkit_commands(without_check_directive(text))
    except dockerfile.GoParseError as err:
        return str(err) or "refused"
    return None


def buildkit_spans(text: str, doc: Document) -> list[tuple[str, int, int]]:
    """(KEYWORD, start_line, end_line) per instruction as BuildKit sees ``text`` (parsed by us
    as ``doc``). The binding's BuildKit reads ``# check=`` as a comment that ends the
    directives: it gets the file without that line and its line numbers are moved back."""
    check = doc.directive("check")
    if check is not None:
        lines = list(doc.lines)
        del lines[check.line - 1]
        text = ("\ufeff" if doc.bom else "") + "".join(lines)
    spans = []
    for command in buildkit_commands(text):
        start, end = command.start_line, command.end_line
        if check is not None:
            start, end = start + (start >= check.line), end + (end >= check.line)
        spans.append(((command.cmd or "").upper(), start, end))
    return spans
