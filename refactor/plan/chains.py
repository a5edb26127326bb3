"""Splitting ``&&`` chains of the builder's RUN lines into one RUN per step, keeping the shell
state (``cd``, ``export``, assignments) with the commands that need it."""

from __future__ import annotations

from dockerslim_refactor.analysis.packages import index_updates, only_cache_cleanups
from dockerslim_refactor.document import Instruction
from dockerslim_refactor.shell import ShellScript, parse_shell

# Commands that change the shell state seen by the commands after them.
STATEFUL = frozenset(
    {"cd", "export", "set", "source", ".", "umask", "ulimit", "pushd", "popd", "shopt", "alias"}
)


def split_chain(ins: Instruction, script: ShellScript | None) -> list[str] | None:
    """Split a shell-form ``a && b && c`` RUN into one RUN per command. Commands that change
    the shell's state (``cd``, ``export``, package index updates) stay joined to the command
    after them; cleanups that only served layer size are dropped. ``None`` when the RUN is
    not a plain chain (``||``, ``;``, comments, heredocs, exec form, broken shell)."""
    if script is None or ins.is_json or ins.heredocs or ins.comments or script.has_errors:
        return None
    if not script.is_and_chain:
        return None
    if any(_starts_a_service(c) for c in script.commands):
        return None  # a server started in one RUN is gone in the next: keep the chain whole
    text = ins.value
    if script.text != text:
        script = parse_shell(text, None)
        if not script.is_and_chain or script.has_errors:
            return None
    updates = {c.start for c in index_updates(script)}
    # Only what removes nothing but caches: `rm -rf /src /var/cache/apk/*` deletes sources.
    cleanups = {c.start for c in only_cache_cleanups(script)}
    groups: list[list[str]] = []
    pending: list[str] = []
    stateful = False
    only_state = True  # the pending group changes state and does nothing else
    for segment in script.segments:
        commands = [c for c in script.commands if segment.start <= c.start < segment.end]
        if commands and all(c.start in cleanups for c in commands):
            continue
        pending.append(_collapse(segment.text))
        first = commands[0] if commands else None
        # cd, export or an assignment change what every later command sees: from there on
        # the chain stays one RUN. An index update only needs the install right after it.
        changes_state = first is not None and (first.basename in STATEFUL or first.name == "")
        stateful = stateful or changes_state
        only_state = only_state and changes_state
        if not stateful and not (first is not None and first.start in updates):
            groups.append(pending)
            pending, only_state = [], True
    if pending and groups and only_state:
        groups[-1].extend(pending)  # a trailing cd or export has no command to serve
    elif pending:
        groups.append(pending)
    if len(groups) < 2:
        return None
    keyword = ins.raw.lstrip()[:3]
    flags = "".join(f + " " for f in ins.flags)
    return [f"{keyword} {flags}{' && '.join(group)}" for group in groups]


def _collapse(text: str) -> str:
    """Fold runs of blanks outside quotes (left by joined continuation lines)."""
    out: list[str] = []
    quote = ""
    previous_space = False
    escaped = False
    for ch in text:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\" and quote != "'":
            out.append(ch)
            escaped = True
            continue
        if quote:
            out.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        if ch in " \t":
            if previous_space:
                continue
            previous_space = True
            out.append(" ")
            continue
        previous_space = False
        out.append(ch)
    return "".join(out).strip()


# Commands that start a server for the commands after them (a database to load, a daemon to
# configure); it does not outlive its RUN.
SERVICE_STARTERS = frozenset(
    {
        "service",
        "rc-service",
        "pg_ctl",
        "pg_ctlcluster",
        "mysqld_safe",
        "mysqld",
        "mongod",
        "redis-server",
        "rabbitmq-server",
        "supervisord",
        "dockerd",
        "Xvfb",
    }
)


def _starts_a_service(command) -> bool:
    name = command.name
    if command.basename in SERVICE_STARTERS:
        return True
    return name.startswith("/etc/init.d/") or (
        command.basename in {"systemctl", "start-stop-daemon"} and "start" in command.args
    )
