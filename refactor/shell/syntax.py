"""Reading tree-sitter-bash's syntax tree of a RUN body into a :class:`ShellScript`: the
parser (created once per process), the walk over the tree (statements, lists, pipelines,
redirects and heredocs, compound commands, words and their quoting) and the workaround for
tree-sitter-bash's crash on ``{`` followed by a 4-byte UTF-8 character."""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import replace
from functools import cache
from itertools import accumulate
from typing import Any

from dockerslim_refactor.shell.queries import (
    Command,
    Cwd,
    Segment,
    ShellScript,
    follow_cd,
    normalize_dir,
    sets_errexit,
)


def parse_shell(text: str, workdir: str | None = "/") -> ShellScript:
    """Parse ``text`` (a RUN body, continuations already joined) with tree-sitter-bash.

    ``workdir`` is the directory the script starts in (the stage's WORKDIR), used to resolve
    ``cd`` for :attr:`Command.cwd`. Never raises on bad shell: returns what it could find with
    ``has_errors`` set. The parser is created once per process and reused."""
    walker = _Walker(text, workdir)
    try:
        walker.run()
    except Exception:  # never raise on bad input: keep what was found (e.g. RecursionError)
        walker.has_errors = True
    return walker.result()


# --------------------------------------------------------------------------------------------
# Parser (created lazily, once per process)

_PARSER: Any = None
_PARSER_LOCK = threading.Lock()


@cache
def _astral() -> re.Pattern[bytes]:
    """A 4-byte UTF-8 character (see :meth:`_Walker.run`)."""
    return re.compile(rb"[\xf0-\xf7][\x80-\xbf]{3}")


def _parse_bytes(data: bytes) -> Any:
    global _PARSER
    with _PARSER_LOCK:
        if _PARSER is None:
            import tree_sitter
            import tree_sitter_bash

            _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
        return _PARSER.parse(data)


# --------------------------------------------------------------------------------------------
# Words


@cache
def _word_escape() -> re.Pattern[str]:
    return re.compile(r"\\(.)", re.DOTALL)


@cache
def _dq_escape() -> re.Pattern[str]:
    return re.compile(r'\\([\\"$`\n])')


@cache
def _ansi_escape() -> re.Pattern[str]:
    return re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.DOTALL)


_ANSI_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


@cache
def _name_re() -> re.Pattern[str]:
    return re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


_RESERVED = frozenset(
    {"then", "else", "elif", "fi", "do", "done", "esac", "in", "}", "{", "if", "case", "while"}
    | {"until", "for", "select", "function", "!", "[[", "]]"}
)
_STATEMENTS = frozenset(
    {
        "command",
        "list",
        "pipeline",
        "redirected_statement",
        "negated_command",
        "subshell",
        "compound_statement",
        "if_statement",
        "while_statement",
        "for_statement",
        "c_style_for_statement",
        "case_statement",
        "function_definition",
        "variable_assignments",
        "declaration_command",
        "unset_command",
    }
)


def _ansi_unescape(match: re.Match[str]) -> str:
    esc = match.group(1)
    if esc[0] == "x" and len(esc) > 1:
        return chr(int(esc[1:], 16))
    if esc[0] in "01234567":
        return chr(int(esc, 8) & 0xFF)
    return _ANSI_SIMPLE.get(esc, "\\" + esc)


# --------------------------------------------------------------------------------------------
# Walker


# An element of a flattened and-or list: [node, redirected_statement owning a heredoc operator
# (or None), start byte, end byte]. Operators are ("op", text, merged_error).
_Item = list


class _Walker:
    _MAX_LOOP_PASSES_DEPTH = 4

    def __init__(self, text: str, workdir: str | None) -> None:
        if not isinstance(text, str):
            text = str(text)
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        self.starts: list[int] = []
        if workdir is not None:
            workdir = normalize_dir(workdir if workdir.startswith("/") else "/" + workdir)
        self.workdir = workdir
        self.commands: list[Command | None] = []
        self.segments: list[Segment] = []
        self.operators: list[str] = []
        self.has_errors = False
        self.set_e = False
        self.loop_depth = 0

    # -- offsets -----------------------------------------------------------------------------

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        if not self.starts:
            lengths = [
                1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
                for o in map(ord, self.text)
            ]
            self.starts = list(accumulate(lengths, initial=0))
        return bisect_left(self.starts, byte)

    def slice(self, node: Any) -> str:
        if self.ascii:
            return self.text[node.start_byte : node.end_byte]
        return self.text[self.char(node.start_byte) : self.char(node.end_byte)]

    # -- entry points ------------------------------------------------------------------------

    def run(self) -> None:
        # tree-sitter-bash 0.25 can read past its buffer on `{` followed by a 4-byte UTF-8
        # character (tree-sitter/tree-sitter-bash#337). Such characters only ever sit inside
        # words, so each is handed to the parser as four word bytes; offsets stay the same.
        data = self.data if self.ascii else _astral().sub(b"____", self.data)
        tree = _parse_bytes(data)
        root = tree.root_node
        self.has_errors = root.has_error
        self.block(root.children, True, False, Cwd(self.workdir), record=True)

    def result(self) -> ShellScript:
        commands = sorted(
            (c for c in self.commands if c is not None), key=lambda c: (c.start, -c.end)
        )
        return ShellScript(
            text=self.text,
            commands=tuple(commands),
            segments=tuple(self.segments),
            has_errors=self.has_errors,
            set_e=self.set_e,
            operators=tuple(self.operators[: max(len(self.segments) - 1, 0)]),
        )

    # -- sequences ---------------------------------------------------------------------------

    def flatten(self, node: Any, out: list) -> None:
        """Append ``node`` to ``out`` as and-or elements and ``&&``/``||`` operators."""
        stack: list = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, tuple):
                kind = n[0]
                if kind == "op":
                    out.append(n)
                elif kind == "head":  # the last element so far owns the heredoc redirect
                    last = self._last_element(out)
                    if last is not None:
                        last[1] = n[1]
                        last[3] = n[2]
                elif kind == "extend":  # the last element reaches the end of the heredoc
                    last = self._last_element(out)
                    if last is not None and last[3] < n[1]:
                        last[3] = n[1]
                continue
            t = n.type
            if t == "list":
                parts: list = []
                for c in n.children:
                    ct = c.type
                    if ct == "&&" or ct == "||":
                        parts.append(("op", ct, False))
                    elif c.is_named and ct != "comment":
                        if parts and not isinstance(parts[-1], tuple):
                            parts.append(("op", "\n", True))  # error recovery: no operator
                        parts.append(c)
                stack.extend(reversed(parts))
                continue
            if t == "redirected_statement":
                heredoc = _heredoc_with_operator(n)
                if heredoc is not None:
                    op = heredoc.child_by_field_name("operator")
                    right = heredoc.child_by_field_name("right")
                    body = n.child_by_field_name("body")
                    if op is not None and right is not None and body is not None:
                        stack.append(("extend", n.end_byte))
                        stack.append(right)
                        stack.append(("op", op.type, False))
                        stack.append(("head", n, op.start_byte))
                        stack.append(body)
                        continue
            out.append([n, None, n.start_byte, n.end_byte])

    @staticmethod
    def _last_element(out: list) -> _Item | None:
        for item in reversed(out):
            if isinstance(item, list):
                return item
        return None

    def block(self, nodes: list, top: bool, guarded: bool, cwd: Cwd, record: bool = False) -> None:
        """Walk a sequence of statements (children of a program, subshell, body ...);
        ``record`` stores the segments (the program level only)."""
        items: list = []
        sep: str | None = None
        for c in nodes:
            t = c.type
            if not c.is_named:
                if t == ";":
                    sep = sep or ";"
                elif t == "&":
                    sep = "\n"
                continue
            if t == "comment":
                continue
            if items:
                merged = t == "ERROR" and sep is None
                items.append(("op", sep or "\n", merged))
            sep = None
            self.flatten(c, items)
        if not items:
            return
        if record:
            self._segments(items)
        group: list = []
        for item in items:
            if isinstance(item, tuple) and item[1] not in ("&&", "||"):
                self.and_or(group, top, guarded, cwd)
                group = []
            else:
                group.append(item)
        self.and_or(group, top, guarded, cwd)

    def _segments(self, items: list) -> None:
        segments = self.segments
        operators = self.operators
        pending: tuple | None = None
        text = self.text
        for item in items:
            if isinstance(item, tuple):
                pending = item
                continue
            start = self.char(item[2])
            end = self.char(item[3])
            if (pending is None or pending[2]) and segments:
                start = segments[-1].start
                operator = segments[-1].operator_before
                segments.pop()
                raw = text[start:end]
                lead = len(raw) - len(raw.lstrip())
                segments.append(
                    Segment(raw.strip(), start + lead, start + lead + len(raw.strip()), operator)
                )
                continue
            raw = text[start:end]
            stripped = raw.strip()
            lead = len(raw) - len(raw.lstrip())
            operator = None
            if pending is not None and segments:
                operator = pending[1]
                operators.append(operator)
            segments.append(Segment(stripped, start + lead, start + lead + len(stripped), operator))
            pending = None

    def and_or(self, group: list, top: bool, guarded: bool, cwd: Cwd) -> None:
        if not group:
            return
        elements = [i for i in group if isinstance(i, list)]
        ops = [i[1] for i in group if isinstance(i, tuple)]
        last_or = -1
        for k, op in enumerate(ops):
            if op == "||":
                last_or = k
        current = cwd
        branched = False
        for index, element in enumerate(elements):
            if index > 0 and index - 1 < len(ops) and ops[index - 1] == "||":
                if current is not cwd and current.cds:
                    branched = True
                current = cwd.copy()
            self.element(element, top, guarded or index <= last_or, current)
        if current is not cwd and current.cds:
            branched = True
        if branched:
            cwd.lose()

    def element(self, item: _Item, top: bool, guarded: bool, cwd: Cwd) -> None:
        node, owner = item[0], item[1]
        if owner is None:
            self.statement(node, top, guarded, cwd)
            return
        # ``node`` carries the redirects of ``owner`` (a heredoc followed by ``&&``/``||``).
        if node.type == "command":
            self.command(node, top, guarded, cwd, owner)
        else:
            self.statement(node, top, guarded, cwd)
        for child in owner.children:
            if child.is_named and child.type.endswith("redirect"):
                if child.type == "heredoc_redirect":
                    operator = child.child_by_field_name("operator")
                    skip = child.child_by_field_name("right")
                    for part in child.children:
                        if part.is_named and part != skip and part != operator:
                            self.expr(part, guarded, cwd)
                else:
                    self.expr(child, guarded, cwd)

    # -- statements --------------------------------------------------------------------------

    def statement(self, node: Any, top: bool, guarded: bool, cwd: Cwd) -> None:
        t = node.type
        if t == "command":
            self.command(node, top, guarded, cwd)
        elif t == "list":
            self._list(node, top, guarded, cwd)
        elif t == "pipeline":
            for child in node.children:
                if child.is_named:
                    self.statement(child, False, guarded, cwd.copy())
        elif t == "redirected_statement":
            self._redirected(node, top, guarded, cwd)
        elif t == "negated_command":
            for child in node.children:
                if child.is_named:
                    self.statement(child, top, True, cwd)
        elif t == "subshell":
            self.block(node.children, False, guarded, cwd.copy())
        elif t == "compound_statement":
            self.block(node.children, False, guarded, cwd)
        elif t == "if_statement":
            self._if(node, guarded, cwd)
        elif t == "while_statement":
            self._while(node, guarded, cwd)
        elif t in ("for_statement", "c_style_for_statement"):
            self._for(node, guarded, cwd)
        elif t == "case_statement":
            self._case(node, guarded, cwd)
        elif t == "function_definition":
            body = node.child_by_field_name("body")
            if body is not None:
                self.statement(body, False, False, Cwd(None))
        elif t in ("variable_assignment", "variable_assignments"):
            self._assignment(node, top, guarded, cwd)
        elif t in ("declaration_command", "unset_command"):
            self._declaration(node, top, guarded, cwd)
        elif t == "ERROR":
            self.block(node.children, top, guarded, cwd)
        else:
            self.expr(node, guarded, cwd)

    def _list(self, node: Any, top: bool, guarded: bool, cwd: Cwd) -> None:
        items: list = []
        self.flatten(node, items)
        self.and_or(items, top, guarded, cwd)

    def _redirected(self, node: Any, top: bool, guarded: bool, cwd: Cwd) -> None:
        heredoc = _heredoc_with_operator(node)
        if heredoc is not None:
            items: list = []
            self.flatten(node, items)
            self.and_or(items, top, guarded, cwd)
            return
        body = node.child_by_field_name("body")
        piped = None
        for child in node.children:
            if child.type == "heredoc_redirect":
                for part in child.children:
                    if part.type == "pipeline":
                        piped = part
        if body is not None:
            if piped is not None:  # ``cat <<EOF | grep x``: the body is a pipeline element
                self.statement(body, False, guarded, cwd.copy())
            elif body.type == "command":
                self.command(body, top, guarded, cwd, node)
            else:
                self.statement(body, top, guarded, cwd)
        for child in node.children:
            if child.is_named and child.type.endswith("redirect"):
                for part in child.children:
                    if part is None or not part.is_named:
                        continue
                    if piped is not None and part.type == "pipeline":
                        for element in part.children:
                            if element.is_named:
                                self.statement(element, False, guarded, cwd.copy())
                    else:
                        self.expr(part, guarded, cwd)

    def _if(self, node: Any, guarded: bool, cwd: Cwd) -> None:
        inner = cwd.copy()
        changed = self._clause(node.children, guarded, inner, inner)
        for child in node.children:
            if child.type in ("elif_clause", "else_clause"):
                # these run when the condition failed: a ``cd`` in it may or may not have run
                start = inner.copy() if not inner.cds else Cwd(None)
                changed |= self._clause(child.children, guarded, inner, start)
        if changed or inner.cds:
            cwd.lose()

    def _clause(self, children: list, guarded: bool, condition: Cwd, start: Cwd) -> bool:
        """Walk ``if``/``elif``/``else`` parts; True when a ``cd`` happened in the body."""
        cond_nodes: list = []
        body_nodes: list = []
        in_body = False
        saw_keyword = False
        for child in children:
            t = child.type
            if t in ("if", "elif"):
                saw_keyword = True
                continue
            if t in ("then", "else"):
                in_body = True
                continue
            if t in ("fi", "elif_clause", "else_clause"):
                continue
            if in_body or not saw_keyword:
                body_nodes.append(child)
            else:
                cond_nodes.append(child)
        branch = start
        if cond_nodes:
            self.block(cond_nodes, False, True, start)
            branch = start.copy()
        self.block(body_nodes, False, guarded, branch)
        return bool(branch.cds or start.cds)

    def _while(self, node: Any, guarded: bool, cwd: Cwd) -> None:
        conditions: list = []
        body = None
        for child in node.children:
            if child.type == "do_group":
                body = child
            elif child.type not in ("while", "until"):
                conditions.append(child)
        self._loop(conditions, body.children if body is not None else [], guarded, cwd)

    def _for(self, node: Any, guarded: bool, cwd: Cwd) -> None:
        body = node.child_by_field_name("body")
        for child in node.children:
            if child.is_named and child != body and child.type != "variable_name":
                self.expr(child, guarded, cwd)
        if body is not None:
            children = body.children if body.type == "do_group" else [body]
            self._loop([], children, guarded, cwd)

    def _loop(self, conditions: list, body: list, guarded: bool, cwd: Cwd) -> None:
        def walk(state: Cwd) -> list:
            saved = self.commands
            self.commands = []
            try:
                self.block(conditions, False, True, state)
                self.block(body, False, guarded, state)
                return self.commands
            finally:
                self.commands = saved

        self.loop_depth += 1
        try:
            if self.loop_depth > self._MAX_LOOP_PASSES_DEPTH:  # deeply nested: one pass
                state = Cwd(None)
                self.commands.extend(walk(state))
                if state.cds:
                    cwd.lose()
                return
            first_state = cwd.copy()
            first = walk(first_state)
            if not first_state.cds:
                self.commands.extend(first)
                return
            # Walk a second iteration from where the first one left; keep only the
            # directories both iterations agree on.
            second_state = first_state.copy()
            second = walk(second_state)
            if len(second) != len(first):
                second = [None] * len(first)
            for a, b in zip(first, second, strict=True):
                if a is not None and (b is None or a.cwd != b.cwd):
                    a = replace(a, cwd=None)
                self.commands.append(a)
            if first_state.value == cwd.value and second_state.value == cwd.value:
                cwd.cds += 1
            else:
                cwd.lose()
        finally:
            self.loop_depth -= 1

    def _case(self, node: Any, guarded: bool, cwd: Cwd) -> None:
        changed = False
        for child in node.children:
            if child.type != "case_item":
                if child.is_named:
                    self.expr(child, guarded, cwd)
                continue
            body: list = []
            in_body = False
            for part in child.children:
                if in_body:
                    body.append(part)
                elif part.type == ")":
                    in_body = True
                elif part.is_named:
                    self.expr(part, guarded, cwd)
            branch = cwd.copy()
            self.block(body, False, guarded, branch)
            changed |= bool(branch.cds)
        if changed:
            cwd.lose()

    def expr(self, node: Any, guarded: bool, cwd: Cwd) -> None:
        """Find command substitutions (and stray statements) inside words and expressions."""
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if t == "command_substitution" or t == "process_substitution":
                self.block(n.children, False, guarded, cwd.copy())
            elif t in _STATEMENTS:
                self.statement(n, False, guarded, cwd.copy())
            elif n.child_count:
                stack.extend(reversed(n.children))

    # -- simple commands ---------------------------------------------------------------------

    def word(self, node: Any) -> tuple[str, bool]:
        """The value of a word and whether it is static (no expansion)."""
        t = node.type
        s = self.slice(node)
        if t == "word":
            return (_word_escape().sub(r"\1", s) if "\\" in s else s), True
        if t == "raw_string":
            return (s[1:-1] if len(s) >= 2 and s[-1] == "'" else s[1:]), True
        if t == "string":
            for child in node.children:
                if child.is_named and child.type != "string_content":
                    return s, False
            inner = s[1:-1] if len(s) >= 2 and s[-1] == '"' else s[1:]
            return (_dq_escape().sub(r"\1", inner) if "\\" in inner else inner), True
        if t == "number":
            return s, True
        if t == "concatenation":
            parts = []
            for child in node.children:
                value, static = self.word(child)
                if not static:
                    return s, False
                parts.append(value)
            return "".join(parts), True
        if t == "ansi_c_string":
            inner = s[2:-1] if len(s) >= 3 and s[-1] == "'" else s[2:]
            return _ansi_escape().sub(_ansi_unescape, inner), True
        return s, False

    def command(self, node: Any, top: bool, guarded: bool, cwd: Cwd, owner: Any = None) -> None:
        index = len(self.commands)
        self.commands.append(None)  # keep source order: nested commands come after this one
        env: list[tuple[str, str]] = []
        words: list[tuple[str, bool]] = []
        name_node = None
        dollar = None
        end_byte = node.end_byte
        for child in node.children:
            t = child.type
            if not child.is_named:
                if t == "$":  # ``$"..."`` is split into ``$`` and a string
                    dollar = child
                continue
            if t == "variable_assignment" and not words:
                key, value = self._assign(child, guarded, cwd)
                if _name_re().match(key):
                    env.append((key, value))
                    continue
                words.append((self.slice(child), False))
                continue
            if t.endswith("redirect"):
                self.expr(child, guarded, cwd)
                continue
            if t == "comment":
                continue
            if t == "command_name":
                name_node = child
                inner = child.children[0] if child.child_count else child
                value = self.word(inner)
            else:
                value = self.word(child)
            if dollar is not None and dollar.end_byte == child.start_byte:
                value = (self.text[self.char(dollar.start_byte) : self.char(child.end_byte)], False)
            dollar = None
            words.append(value)
            if child.child_count:
                self.expr(child, guarded, cwd)
        if owner is not None:  # ``cmd 2>&1 arg``: tree-sitter puts ``arg`` in the redirect
            for child in owner.children:
                if child.type == "file_redirect":
                    destinations = child.children_by_field_name("destination")
                    for extra in destinations[1:]:
                        words.append(self.word(extra))
                        end_byte = max(end_byte, extra.end_byte)
        if not words:
            if not env:
                return
            self._store(index, node, end_byte, "", (), env, top, guarded, cwd)
            return
        if (
            name_node is not None
            and name_node.child_count
            and name_node.children[0].type == "word"
            and words[0][0] in _RESERVED
        ):
            return  # error recovery turned a keyword into a command name
        name = words[0][0]
        args = tuple(w[0] for w in words[1:])
        self._store(index, node, end_byte, name, args, env, top, guarded, cwd)
        base = name.rsplit("/", 1)[-1]
        if base in ("cd", "pushd", "popd"):
            follow_cd(base, words[1:], cwd)
        elif base == "set" and top and sets_errexit(args):
            self.set_e = True

    def _store(
        self,
        index: int,
        node: Any,
        end_byte: int,
        name: str,
        args: tuple[str, ...],
        env: list[tuple[str, str]],
        top: bool,
        guarded: bool,
        cwd: Cwd,
    ) -> None:
        start = self.char(node.start_byte)
        end = self.char(end_byte)
        self.commands[index] = Command(
            name=name,
            args=args,
            env=tuple(env),
            cwd=cwd.value,
            start=start,
            end=end,
            text=self.text[start:end],
            top_level=top,
            negated_or_guarded=guarded,
        )

    def _assign(self, node: Any, guarded: bool, cwd: Cwd) -> tuple[str, str]:
        key = ""
        value = ""
        name = node.child_by_field_name("name")
        if name is not None:
            key = self.slice(name)
        val = node.child_by_field_name("value")
        if val is not None:
            value = self.word(val)[0]
            if val.child_count:
                self.expr(val, guarded, cwd)
        return key, value

    def _assignment(self, node: Any, top: bool, guarded: bool, cwd: Cwd) -> None:
        index = len(self.commands)
        self.commands.append(None)
        parts = [node] if node.type == "variable_assignment" else node.children
        env = [self._assign(p, guarded, cwd) for p in parts if p.type == "variable_assignment"]
        self._store(index, node, node.end_byte, "", (), env, top, guarded, cwd)

    def _declaration(self, node: Any, top: bool, guarded: bool, cwd: Cwd) -> None:
        index = len(self.commands)
        self.commands.append(None)
        name = ""
        args: list[str] = []
        for child in node.children:
            if not child.is_named:
                if not name:
                    name = self.slice(child)
                continue
            if child.type == "variable_assignment":
                key, value = self._assign(child, guarded, cwd)
                args.append(f"{key}={value}")
            else:
                args.append(self.word(child)[0])
                if child.child_count:
                    self.expr(child, guarded, cwd)
        self._store(index, node, node.end_byte, name, tuple(args), [], top, guarded, cwd)


def _heredoc_with_operator(node: Any) -> Any:
    """The heredoc redirect of a redirected statement that swallowed ``&& next`` (a
    tree-sitter-bash quirk: ``cat <<EOF && b`` puts ``&& b`` inside the redirect)."""
    if node.child_by_field_name("body") is None:
        return None
    for child in node.children:
        if (
            child.type == "heredoc_redirect"
            and child.child_by_field_name("operator") is not None
            and child.child_by_field_name("right") is not None
        ):
            return child
    return None
