"""The runtime stage's USER: the original's, recreated where the runtime base lacks it."""

from __future__ import annotations

from dockerslim_refactor.analysis.model import Finding, StageFacts
from dockerslim_refactor.document import Instruction
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan.model import NON_ROOT, CopyStep, RuntimeBase


def runtime_user(
    facts: StageFacts, runtime: RuntimeBase, last_user: Instruction | None, options: Options
) -> tuple[str | None, list[str], list[CopyStep], Finding | None]:
    """The USER of the runtime stage: the original's (recreating a user its build made where
    the runtime base lacks it). An unprivileged user replaces root only with --non-root: the
    original ran as root, and programs that write to ``$HOME``, their folder or ``/run``
    rely on it."""
    user = facts.user
    root = user is None or user.split(":")[0] in {"root", "0"}
    line = last_user.start_line if last_user else facts.stage.from_instruction.start_line
    if root and last_user is not None:
        return None, [], [], None  # the original asked for root: its USER is carried as is
    if root:
        if not options.non_root:
            return None, [], [], None
        if runtime.family == "interpreter" and facts.image.name == "node":
            who, note = "node", "the node images' unprivileged user"
        else:
            who, note = NON_ROOT, "nobody"
        finding = Finding(
            "DSR104",
            "info",
            line,
            line,
            f"the runtime stage runs as {who} ({note}) instead of root (--non-root); if the "
            "program writes into its folders, give it a writable one",
            flag="--non-root",
        )
        return f"USER {who}", [], [], finding
    name = user.split(":")[0]
    if name.isdigit():
        return None, [], [], None
    created = _user_creation(facts, name)
    if not created:
        return None, [], [], None  # a user of the base image (node, nobody): same family
    if runtime.has_shell and runtime.family != "busybox":
        return None, [], [], None  # the runtime stage replays the build's account commands
    return (
        None,
        [],
        [CopyStep("/etc/passwd", "/etc/passwd"), CopyStep("/etc/group", "/etc/group")],
        None,
    )


def _user_creation(facts: StageFacts, name: str) -> list[str]:
    commands = []
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename in {"useradd", "adduser", "groupadd", "addgroup"}:
                commands.append(cmd.text)
    return commands if any(name in c for c in commands) else []
