"""The questions rules and detectors ask of a RUN body, and the answers' shapes: commands with
their arguments, flags and env prefixes, top-level segments and ``&&`` chains, ``set -e``, and
the directory each command runs in (``cd``/``pushd``/``popd`` tracking). No syntax tree here:
:mod:`dockerslim_refactor.shell.syntax` reads the tree and fills these in."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Command:
    """One simple command found in a shell script."""

    name: str
    """The command name as a literal word (``go``, ``apt-get``, ``/usr/bin/make``); ``""`` for a
    bare assignment such as ``FOO=1``."""
    args: tuple[str, ...]
    """The words after the name. Quotes are removed from static words; words with expansions
    (``$HOME/x``, ``$(nproc)``) are kept as written."""
    env: tuple[tuple[str, str], ...]
    """``VAR=value`` prefixes (``CGO_ENABLED=0 go build`` gives ``(("CGO_ENABLED", "0"),)``)."""
    cwd: str | None
    """The directory the command runs in, absolute, following ``cd`` earlier in the same script
    from the ``workdir`` given to :func:`parse_shell`; ``None`` when a ``cd`` target cannot be
    known statically (``cd $X``) or a ``cd`` happened inside a subshell/branch we cannot follow."""
    start: int
    """Offset (characters) of the command's first character in the script text."""
    end: int
    """Offset just past the command's last character."""
    text: str
    """The command's source text, ``script[start:end]``."""
    top_level: bool
    """True when the command is a direct element of the top-level ``&&``/``||``/``;`` list (not
    nested inside a pipeline, subshell, ``if``, loop, ``case``, function or command
    substitution)."""
    negated_or_guarded: bool = False
    """True when the command's failure does not stop the script: it is on the left of ``||``,
    negated with ``!``, or inside an ``if``/``while`` condition."""

    @property
    def basename(self) -> str:
        """The command name without its directory (``/usr/bin/make`` -> ``make``)."""
        return self.name.rsplit("/", 1)[-1]

    @property
    def positional(self) -> tuple[str, ...]:
        """Arguments that are not flags (do not start with ``-``), in order. Values of flags given
        as separate words are NOT removed (the shell view does not know which flags take values);
        use :meth:`flag_value` for those."""
        return tuple(a for a in self.args if not a.startswith("-") or a == "-")

    @property
    def subcommand(self) -> str | None:
        """The first positional argument (``build`` in ``go build -o x .``)."""
        pos = self.positional
        return pos[0] if pos else None

    def has_flag(self, *names: str) -> bool:
        """True if any of ``names`` is present: ``-o``, ``--output``, ``--output=x``, and short
        flags combined in one word (``-it`` has ``-i`` and ``-t``) for single-letter names."""
        for arg in self.args:
            if arg == "--":
                break
            for name in names:
                if _flag_matches(arg, name):
                    return True
        return False

    def flag_value(self, *names: str) -> str | None:
        """The value of the first of ``names`` present: ``-o X``, ``-oX`` (single-letter only),
        ``--output=X``, ``--output X``. ``None`` when absent. Last occurrence wins."""
        # All spellings in ``names`` are treated as synonyms: the last occurrence of any of them
        # on the command line gives the value (as the program itself would see it). A flag
        # written as the last word, with no value after it, does not count.
        value: str | None = None
        args = self.args
        count = len(args)
        i = 0
        while i < count:
            arg = args[i]
            if arg == "--":
                break
            for name in names:
                found, attached = _flag_value_at(arg, name)
                if not found:
                    continue
                if attached is not None:
                    value = attached
                elif i + 1 < count:
                    value = args[i + 1]
                    i += 1
                break
            i += 1
        return value

    def env_value(self, name: str) -> str | None:
        """The value given to ``name`` in the env prefixes, or ``None``."""
        for key, value in self.env:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Segment:
    """A piece of the top-level list, between two top-level operators."""

    text: str
    start: int
    end: int
    operator_before: str | None
    """The top-level operator that joins this segment to the previous one: ``&&``, ``||``, ``;``,
    ``\\n`` (newline or ``&`` separated statements) or ``None`` for the first segment."""


@dataclass(frozen=True)
class ShellScript:
    """A parsed script: every simple command in source order plus the top-level structure."""

    text: str
    commands: tuple[Command, ...]
    """Every simple command, including nested ones (pipelines, subshells, if/for/while/case
    bodies, functions, command substitutions), in source order."""
    segments: tuple[Segment, ...]
    """The top-level list split at top-level operators (``&&``, ``||``, ``;``, newlines)."""
    has_errors: bool
    """True when tree-sitter reported ERROR or MISSING nodes (partial or broken shell); the
    commands found are still reported, best effort."""
    set_e: bool
    """True when the script runs ``set -e`` (or ``set -eux`` …) at top level."""
    operators: tuple[str, ...] = field(default=())
    """Every top-level operator in order (``&&``, ``||``, ``;``, ``\\n``), len(segments) - 1."""

    def find(self, name: str, subcommand: str | None = None) -> tuple[Command, ...]:
        """Commands whose basename is ``name`` (and whose first positional is ``subcommand``)."""
        return tuple(
            c
            for c in self.commands
            if c.basename == name and (subcommand is None or c.subcommand == subcommand)
        )

    @property
    def is_and_chain(self) -> bool:
        """True when the script is two or more top-level segments joined only by ``&&``."""
        return len(self.segments) > 1 and all(op == "&&" for op in self.operators)


# --------------------------------------------------------------------------------------------
# Flags


def _is_short(name: str) -> bool:
    return len(name) == 2 and name[0] == "-" and name[1] != "-"


def _short_group(arg: str) -> bool:
    """``-xzf``: a word of combined single-letter flags (letters/digits only)."""
    body = arg[1:]
    return len(arg) > 2 and arg[0] == "-" and body.isascii() and body.isalnum()


def _flag_matches(arg: str, name: str) -> bool:
    if arg == name:
        return True
    if not name:
        return False
    if arg.startswith(name) and arg[len(name) : len(name) + 1] == "=":
        return True
    if _is_short(name) and len(arg) > 2 and arg[0] == "-" and arg[1] != "-":
        return arg[1] == name[1] or (_short_group(arg) and name[1] in arg[1:])
    return False


def _flag_value_at(arg: str, name: str) -> tuple[bool, str | None]:
    """Whether ``arg`` is an occurrence of flag ``name`` and its attached value, if any."""
    if arg == name:
        return True, None
    if not name:
        return False, None
    if arg.startswith(name) and arg[len(name) : len(name) + 1] == "=":
        return True, arg[len(name) + 1 :]
    if _is_short(name) and len(arg) > 2 and arg[0] == "-" and arg[1] != "-":
        if arg[1] == name[1]:
            return True, arg[2:]
        if _short_group(arg) and arg[-1] == name[1]:
            return True, None
    return False, None


# --------------------------------------------------------------------------------------------
# Directory tracking: ``cd``, ``pushd``, ``popd``


def normalize_dir(path: str) -> str:
    """``path`` normalised as the shell would see it (``//x`` kept as ``/x``)."""
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path


class Cwd:
    """The directory state of one shell (process): value, pushd stack and a count of ``cd``."""

    __slots__ = ("value", "stack", "cds")

    def __init__(self, value: str | None, stack: list[str | None] | None = None) -> None:
        self.value = value
        self.stack: list[str | None] = stack if stack is not None else []
        self.cds = 0

    def copy(self) -> Cwd:
        return Cwd(self.value, list(self.stack))

    def lose(self) -> None:
        self.value = None
        self.stack = []
        self.cds += 1


def follow_cd(name: str, words: list[tuple[str, bool]], cwd: Cwd) -> None:
    """Apply ``cd``/``pushd``/``popd`` (``name``) with its argument ``words`` (value, static)
    to ``cwd``: the new directory, or ``None`` when it cannot be known statically."""
    old = cwd.value
    cwd.cds += 1
    if name == "popd":
        cwd.value = cwd.stack.pop() if cwd.stack else None
        return
    i = 0
    while i < len(words):
        value = words[i][0]
        if value == "--":
            i += 1
            break
        if len(value) > 1 and value[0] in "-+":
            if name == "pushd":  # ``pushd +1`` / ``pushd -0`` rotate the stack
                cwd.lose()
                return
            i += 1
            continue
        break
    new: str | None
    if i >= len(words):
        new = "/root" if name == "cd" else None
    else:
        value, static = words[i]
        if not static or value == "-" or any(ch in value for ch in "*?["):
            new = None
        elif value == "":
            new = old
        elif value == "~" or value.startswith("~/"):
            new = normalize_dir("/root" + value[1:])
        elif value.startswith("~"):
            new = None
        elif value.startswith("/"):
            new = normalize_dir(value)
        else:
            new = normalize_dir(old + "/" + value) if old is not None else None
    if name == "pushd":
        cwd.stack.append(old)
    cwd.value = new


# --------------------------------------------------------------------------------------------
# ``set -e``


def sets_errexit(args: tuple[str, ...]) -> bool:
    """Whether ``set`` with ``args`` turns on ``errexit`` (``-e``, ``-eux``, ``-o errexit``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            return False
        if arg in ("-o", "--option") and i + 1 < len(args) and args[i + 1] == "errexit":
            return True
        if len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and "e" in arg[1:]:
            return True
    return False
