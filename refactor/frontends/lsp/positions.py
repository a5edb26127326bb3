"""Dockerfile lines to LSP positions.

The engine numbers lines from 1 and, like BuildKit, ends a line only at ``\\n``. LSP numbers
them from 0, also ends one at a lone ``\\r``, and counts characters in the position encoding
the client and server agreed on (UTF-16 unless said otherwise). ``LineMap`` converts between
the two without importing pygls.
"""

from __future__ import annotations

from dataclasses import dataclass


def code_units(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding`` (``utf-8``, ``utf-16``,
    ``utf-32``)."""
    if text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _content(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith("\n"):
        return line[:-1]
    return line


@dataclass(frozen=True)
class LineEdit:
    """Replace the engine lines ``start..end`` (1-based, inclusive) with ``text``. An empty
    span (``end == start - 1``) inserts ``text`` before line ``start``."""

    start: int
    end: int
    text: str


class LineMap:
    """Positions of one text's engine lines, in LSP terms: ``(line, character)`` pairs."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        parts = text.split("\n")
        self.lines = [p + "\n" for p in parts[:-1]]
        if parts[-1]:
            self.lines.append(parts[-1])
        self.ends_with_newline = text.endswith("\n") or not text
        # A lone \r ends an LSP line inside an engine line: shift the LSP line numbers.
        self._first: list[int] | None = None
        if "\r" in text.replace("\r\n", ""):
            first, n = [], 0
            for line in self.lines:
                first.append(n)
                n += _content(line).count("\r") + 1
            first.append(n)
            self._first = first

    @property
    def count(self) -> int:
        """Number of engine lines."""
        return len(self.lines)

    def lsp_line(self, line: int) -> int:
        """The LSP line (0-based) where engine line ``line`` (1-based) starts; ``count + 1``
        gives the line after the text."""
        index = min(max(line, 1), self.count + 1) - 1
        if self._first is None:
            return index
        return self._first[index]

    def engine_line(self, lsp_line: int) -> int:
        """The engine line (1-based) holding LSP line ``lsp_line`` (0-based)."""
        if self._first is None:
            return lsp_line + 1
        for index in range(len(self._first) - 1):
            if self._first[index + 1] > lsp_line:
                return index + 1
        return self.count + 1

    def start(self, line: int) -> tuple[int, int]:
        return self.lsp_line(line), 0

    def end(self, line: int) -> tuple[int, int]:
        """The end of engine line ``line``'s content, before its line ending."""
        if self.count == 0:
            return 0, 0
        line = min(max(line, 1), self.count)
        content = _content(self.lines[line - 1])
        tail = content.rsplit("\r", 1)[-1]
        return self.lsp_line(line) + content.count("\r"), code_units(tail, self.encoding)

    def text_end(self) -> tuple[int, int]:
        if self.ends_with_newline:
            return self.lsp_line(self.count + 1), 0
        return self.end(self.count)

    def whole_lines(self, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """A range over lines ``start..end`` from the first character to the end of the
        content (for diagnostics: no line ending, so the mark stays on those lines)."""
        return self.start(start), self.end(max(start, end))

    def edit_range(self, edit: LineEdit) -> tuple[tuple[int, int], tuple[int, int], str]:
        """LSP ``(start, end, new_text)`` for ``edit``: whole lines with their line endings.
        When the span reaches the end of a text without a final newline, the replacement loses
        its final newline too, so the result keeps the text's ending."""
        start = self.start(edit.start)
        if edit.end < edit.start:
            if edit.start > self.count and not self.ends_with_newline:
                # Appending after a last line that has no newline: add one before the text.
                newline = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
                return self.text_end(), self.text_end(), newline + edit.text
            return start, start, edit.text
        if edit.end < self.count or self.ends_with_newline:
            return start, self.start(edit.end + 1), edit.text
        text = edit.text
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
        return start, self.text_end(), text


def apply_line_edit(text: str, edit: LineEdit) -> str:
    """``text`` with ``edit`` applied, as a client applying :meth:`LineMap.edit_range`
    would produce it."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    before = "".join(lines[: edit.start - 1])
    after = "".join(lines[max(edit.end, edit.start - 1) :])
    new = edit.text
    if edit.end < edit.start and edit.start > len(lines) and lines and not text.endswith("\n"):
        newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
        return text + newline + new
    if edit.end >= edit.start and edit.end >= len(lines) and text and not text.endswith("\n"):
        new = new[:-2] if new.endswith("\r\n") else new[:-1] if new.endswith("\n") else new
    return before + new + after
