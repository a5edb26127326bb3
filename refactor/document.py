"""Lossless model of a Dockerfile: raw lines, parser directives, comments (also inside
continuations), instruction spans, heredocs and build stages. ``Document.text()`` gives back
the exact input."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_FORM_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
MAX_LINE_BYTES = 65535
"""BuildKit refuses a longer line (its line scanner's limit)."""


# Regular expressions are compiled on first use, not at import: a run that never meets a
# directive or a heredoc does not pay for them.


@cache
def stage_name_pattern() -> re.Pattern[str]:
    """What BuildKit accepts as a stage name (after lower-casing); also ``STAGE_NAME``."""
    return re.compile(r"[a-z][a-z0-9._-]*")


def __getattr__(name: str) -> Any:
    # ``STAGE_NAME`` stays importable, compiled when first asked for.
    if name == "STAGE_NAME":
        return stage_name_pattern()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _directive() -> re.Pattern[str]:
    return re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")


@cache
def _heredoc_word() -> re.Pattern[str]:
    return re.compile(r"^(\d*)<<(-?)([^<]+)$")


@cache
def _control() -> re.Pattern[str]:
    return re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters escaped, so quoting a Dockerfile in a message cannot
    move the terminal's cursor or run an escape sequence."""
    return _control().sub(lambda m: ascii(m.group(0))[1:-1], text)


class DockerfileError(Exception):
    """A Dockerfile that cannot be read: carries the 1-based line the problem is on."""

    def __init__(self, line: int, message: str) -> None:
        message = printable(message)
        super().__init__(message)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


@dataclass(frozen=True)
class Directive:
    """A parser directive on the first lines (``# syntax=``, ``# escape=``, ``# check=``)."""

    name: str
    value: str
    line: int


@dataclass(frozen=True)
class Comment:
    """A comment line; ``inside`` is True for one that sits inside a ``\\`` continuation."""

    line: int
    text: str
    inside: bool = False


@dataclass(frozen=True)
class Heredoc:
    """One here-document of a RUN, COPY or ADD (``<<EOF``, ``<<-EOF``, ``<<'EOF'``)."""

    delimiter: str
    strip_tabs: bool
    quoted: bool
    fd: int | None
    body: str
    """The lines between the marker line and the terminator, each ending in ``\\n``."""
    start_line: int
    """The first body line (the terminator's line when the body is empty)."""
    end_line: int
    """The terminator's line."""


@dataclass(frozen=True)
class Instruction:
    """One instruction with its exact source span."""

    keyword: str
    """Upper-case keyword (``RUN``), whatever case it was written in."""
    start_line: int
    end_line: int
    """Last line of the instruction, heredoc bodies included."""
    raw: str
    """The exact source text of lines ``start_line..end_line``, line endings included."""
    flags: tuple[str, ...]
    """Leading ``--name[=value]`` words as written (``--from=builder``)."""
    value: str
    """The arguments after the flags: continuations joined, comments inside continuations
    removed, heredoc bodies not included."""
    json_args: tuple[str, ...] | None = None
    """The arguments when written in JSON (exec) form."""
    heredocs: tuple[Heredoc, ...] = ()
    comments: tuple[Comment, ...] = ()
    """Comment lines inside the instruction's continuations."""
    trigger: Instruction | None = None
    """For ONBUILD: the instruction it registers."""

    @property
    def is_json(self) -> bool:
        return self.json_args is not None

    def flag(self, name: str) -> str | None:
        """Value of ``--name=value`` (``""`` for a bare ``--name``), ``None`` when absent."""
        found = None
        for word in self.flags:
            key, sep, value = word[2:].partition("=")
            if key.lower() == name:
                found = value if sep else ""
        return found

    @property
    def words(self) -> tuple[str, ...]:
        """The value split into shell-like words (quotes kept), for simple instructions."""
        return tuple(_split_words(self.value))


@dataclass(frozen=True)
class Stage:
    """A build stage: a FROM and the instructions up to the next FROM."""

    index: int
    from_instruction: Instruction
    base: str
    """The image reference as written (may hold ``${ARG}``)."""
    name: str | None
    """The ``AS`` name, lower-cased as BuildKit does."""
    platform: str | None
    instructions: tuple[Instruction, ...]
    parent: int | None
    """Index of the earlier stage this one is built ``FROM``, if any."""

    @property
    def start_line(self) -> int:
        return self.from_instruction.start_line

    @property
    def end_line(self) -> int:
        last = self.instructions[-1] if self.instructions else self.from_instruction
        return last.end_line

    def last(self, keyword: str) -> Instruction | None:
        for ins in reversed(self.instructions):
            if ins.keyword == keyword:
                return ins
        return None

    def all(self, keyword: str) -> tuple[Instruction, ...]:
        return tuple(i for i in self.instructions if i.keyword == keyword)


@dataclass(frozen=True)
class Document:
    """A parsed Dockerfile. Nothing is normalised: ``text()`` returns the input unchanged."""

    lines: tuple[str, ...]
    """Raw lines with their line endings (after the BOM)."""
    bom: bool
    newline: str
    escape: str
    directives: tuple[Directive, ...]
    instructions: tuple[Instruction, ...]
    comments: tuple[Comment, ...]
    """Every comment line (directives excluded), also those inside continuations."""
    stages: tuple[Stage, ...] = field(default=())
    global_args: tuple[Instruction, ...] = field(default=())
    """ARG instructions before the first FROM."""

    def text(self) -> str:
        return ("\ufeff" if self.bom else "") + "".join(self.lines)

    def source(self, start_line: int, end_line: int) -> str:
        """Exact text of lines ``start_line..end_line`` (1-based, inclusive)."""
        return "".join(self.lines[start_line - 1 : end_line])

    def directive(self, name: str) -> Directive | None:
        for d in self.directives:
            if d.name == name:
                return d
        return None

    def stage_by_name(self, name: str) -> Stage | None:
        wanted = name.lower()
        for stage in self.stages:
            if stage.name == wanted or str(stage.index) == wanted:
                return stage
        return None

    def comment_lines_before(self, line: int) -> tuple[Comment, ...]:
        """The run of top-level comment lines directly above ``line``."""
        by_line = {c.line: c for c in self.comments if not c.inside}
        run: list[Comment] = []
        n = line - 1
        while n in by_line:
            run.append(by_line[n])
            n -= 1
        return tuple(reversed(run))


def _content(line: str) -> str:
    """A raw line without its line ending."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith("\n") or line.endswith("\r"):
        return line[:-1]
    return line


def _split_lines(text: str) -> list[str]:
    # Only \n ends a line for Docker (\r\n is \n with a trailing \r), unlike str.splitlines.
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def split_words(value: str) -> list[str] | None:
    """Split on unquoted whitespace, keeping quotes and escapes as written (BuildKit's
    RawQuotes/RawEscapes lexing); ``None`` when a quote is left open."""
    words, open_quote = _lex_words(value)
    return None if open_quote else words


def _split_words(value: str) -> list[str]:
    """Like :func:`split_words`, but an open quote runs to the end of the last word."""
    return _lex_words(value)[0]


def _lex_words(value: str) -> tuple[list[str], bool]:
    """The words, and whether a quote was left open (it then runs to the end)."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quote != "'":
            current.append(ch)
            escaped = True
        elif quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch.isspace():
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words, bool(quote)


def _continues(content: str, escape: str) -> tuple[bool, str]:
    """Whether a line ends in the escape character (trailing blanks allowed), and the line
    without it. An escaped escape character (``C:\\\\``) ends the instruction, as in BuildKit."""
    stripped = content.rstrip(" \t")
    if stripped.endswith(escape) and not stripped.endswith(escape * 2):
        return True, stripped[: -len(escape)]
    return False, content


def _parse_heredoc_markers(keyword: str, args: str) -> list[tuple[str, bool, bool, int | None]]:
    if keyword not in HEREDOC_INSTRUCTIONS or "<<" not in args:
        return []
    markers = []
    words = split_words(args)
    if words is None:
        return []  # BuildKit cannot lex the line, so it finds no heredoc either
    for word in words:
        match = _heredoc_word().match(word)
        if not match:
            continue
        fd_text, chomp, name = match.groups()
        quoted = False
        if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
            name = name[1:-1]
            quoted = True
        elif any(q in name for q in "'\""):
            quoted = True
            name = name.replace("'", "").replace('"', "")
        if not name:
            continue
        markers.append((name, chomp == "-", quoted, int(fd_text) if fd_text else None))
    return markers


def _split_flags(args: str) -> tuple[tuple[str, ...], str]:
    flags: list[str] = []
    rest = args.lstrip()
    while rest.startswith("--"):
        match = re.match(r"(\S+)\s*", rest)
        assert match is not None
        word = match.group(1)
        if word == "--":
            break
        flags.append(word)
        rest = rest[match.end() :]
    return tuple(flags), rest.strip()


def _json_args(keyword: str, value: str) -> tuple[str, ...] | None:
    if keyword not in JSON_FORM_INSTRUCTIONS or not value.startswith("["):
        return None
    import json  # only exec-form instructions need it

    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(v, str) for v in parsed):
        return tuple(parsed)
    return None


def _check_pairs(keyword: str, value: str, line: int) -> None:
    """``ENV``/``LABEL`` take ``name=value`` pairs, or, as BuildKit still accepts, the legacy
    ``ENV name value`` / ``LABEL name value`` (one pair: the rest of the line is the value)."""
    words = _split_words(value)
    if not words:
        raise DockerfileError(line, f"{keyword} needs at least one name=value")
    if "=" not in words[0]:
        if len(words) < 2:
            raise DockerfileError(
                line, f"{keyword} {words[0]} has no value: write {keyword} {words[0]}=VALUE"
            )
        return
    for word in words:
        if "=" not in word:
            raise DockerfileError(line, f"{keyword}: no '=' in {word!r}; write name=value pairs")


def _build_instruction(
    keyword_word: str,
    args: str,
    start_line: int,
    end_line: int,
    raw: str,
    heredocs: tuple[Heredoc, ...],
    comments: tuple[Comment, ...],
) -> Instruction:
    keyword = keyword_word.upper()
    if keyword not in INSTRUCTIONS:
        raise DockerfileError(start_line, f"unknown instruction: {keyword_word}")
    trigger = None
    if keyword == "ONBUILD":
        inner = args.strip()
        match = re.match(r"(\S+)\s*(.*)$", inner, re.S)
        if not match:
            raise DockerfileError(start_line, "ONBUILD needs an instruction")
        inner_kw = match.group(1).upper()
        if inner_kw in {"ONBUILD", "FROM", "MAINTAINER"}:
            raise DockerfileError(start_line, f"{inner_kw} isn't allowed as an ONBUILD trigger")
        trigger = _build_instruction(
            match.group(1), match.group(2), start_line, end_line, raw, heredocs, comments
        )
        return Instruction(
            keyword, start_line, end_line, raw, (), inner, None, heredocs, comments, trigger
        )
    flags, value = ((), args.strip())
    if keyword in {"ENV", "LABEL"}:
        _check_pairs(keyword, value, start_line)
    if keyword in {"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"}:
        flags, value = _split_flags(args)
    return Instruction(
        keyword,
        start_line,
        end_line,
        raw,
        flags,
        value,
        _json_args(keyword, value),
        heredocs,
        comments,
        None,
    )


def _parse_from(ins: Instruction, index: int, names: dict[str, int]) -> Stage:
    words = ins.value.split()
    if not words:
        raise DockerfileError(ins.start_line, "FROM requires the name of an image")
    name = None
    if len(words) == 3 and words[1].lower() == "as":
        name = words[2].lower()
        if not stage_name_pattern().fullmatch(name):
            raise DockerfileError(ins.start_line, f"invalid stage name: {words[2]}")
    elif len(words) != 1:
        raise DockerfileError(
            ins.start_line, "FROM takes an image and an optional 'AS name': " + ins.value
        )
    base = words[0]
    return Stage(
        index=index,
        from_instruction=ins,
        base=base,
        name=name,
        platform=ins.flag("platform"),
        instructions=(),
        parent=names.get(base.lower()),
    )


def parse(text: str) -> Document:
    """Parse Dockerfile ``text``. Raises :class:`DockerfileError` for what BuildKit would reject
    (unknown instruction, unterminated heredoc, instructions before FROM, no FROM)."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    lines = _split_lines(text)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for number, line in enumerate(lines, start=1):
        if len(line.rstrip("\n").encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
            raise DockerfileError(number, f"line longer than BuildKit's {MAX_LINE_BYTES} bytes")

    directives: list[Directive] = []
    escape = "\\"
    i = 0
    seen: set[str] = set()
    while i < len(lines):
        match = _directive().match(_content(lines[i]).lstrip())
        if not match or match.group(1).lower() not in KNOWN_DIRECTIVES:
            break
        name, value = match.group(1).lower(), match.group(2)
        if name in seen:
            raise DockerfileError(i + 1, f"only one {name} parser directive can be used")
        seen.add(name)
        if name == "escape":
            if value not in ("\\", "`"):
                raise DockerfileError(i + 1, f"invalid escape token '{value}': use ` or \\")
            escape = value
        directives.append(Directive(name, value, i + 1))
        i += 1

    instructions: list[Instruction] = []
    comments: list[Comment] = []
    while i < len(lines):
        content = _content(lines[i])
        stripped = content.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("#"):
            comments.append(Comment(i + 1, stripped[1:].strip()))
            i += 1
            continue
        start = i
        inside: list[Comment] = []
        more, piece = _continues(content.lstrip(), escape)
        logical = piece
        i += 1
        while more and i < len(lines):
            content = _content(lines[i])
            stripped = content.strip()
            if stripped.startswith("#"):
                inside.append(Comment(i + 1, stripped[1:].strip(), inside=True))
                i += 1
                continue
            if not stripped:
                i += 1
                continue
            more, piece = _continues(content, escape)
            logical += piece
            i += 1
        match = re.match(r"\s*(\S+)(.*)$", logical, re.S)
        if match is None:
            raise DockerfileError(
                start + 1, f"a line continues with {escape!r} but no instruction follows"
            )
        keyword_word, args = match.group(1), match.group(2)
        heredocs: list[Heredoc] = []
        kw = keyword_word.upper()
        marker_kw = kw
        if kw == "ONBUILD":
            inner = args.split(None, 1)
            marker_kw = inner[0].upper() if inner else ""
        for name, strip_tabs, quoted, fd in _parse_heredoc_markers(marker_kw, args):
            body_start = i
            body: list[str] = []
            while True:
                if i >= len(lines):
                    raise DockerfileError(
                        start + 1, f"unterminated heredoc: no line '{name}' ends <<{name}"
                    )
                line = _content(lines[i])
                candidate = line.lstrip("\t") if strip_tabs else line
                i += 1
                if candidate == name:
                    break
                body.append(line + "\n")
            heredocs.append(Heredoc(name, strip_tabs, quoted, fd, "".join(body), body_start + 1, i))
        raw = "".join(lines[start:i])
        instructions.append(
            _build_instruction(
                keyword_word, args, start + 1, i, raw, tuple(heredocs), tuple(inside)
            )
        )
        comments.extend(inside)

    if not instructions:
        raise DockerfileError(
            max(1, len(lines)), "no instructions: a Dockerfile needs at least a FROM"
        )
    stages: list[Stage] = []
    global_args: list[Instruction] = []
    names: dict[str, int] = {}
    body: list[Instruction] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            if stages:
                stages[-1] = _with_instructions(stages[-1], body)
            stage = _parse_from(ins, len(stages), names)
            if stage.name:
                if stage.name in names:
                    raise DockerfileError(ins.start_line, f"duplicate stage name: {stage.name}")
                names[stage.name] = stage.index
            stages.append(stage)
            body = []
        elif not stages:
            if ins.keyword != "ARG":
                raise DockerfileError(
                    ins.start_line,
                    f"{ins.keyword} before the first FROM (only ARG may come before FROM)",
                )
            global_args.append(ins)
        else:
            body.append(ins)
    if not stages:
        raise DockerfileError(global_args[-1].end_line, "no FROM instruction")
    stages[-1] = _with_instructions(stages[-1], body)

    return Document(
        lines=tuple(lines),
        bom=bom,
        newline=newline,
        escape=escape,
        directives=tuple(directives),
        instructions=tuple(instructions),
        comments=tuple(comments),
        stages=tuple(stages),
        global_args=tuple(global_args),
    )


def _with_instructions(stage: Stage, body: list[Instruction]) -> Stage:
    return Stage(
        stage.index,
        stage.from_instruction,
        stage.base,
        stage.name,
        stage.platform,
        tuple(body),
        stage.parent,
    )
