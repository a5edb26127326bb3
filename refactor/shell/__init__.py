"""Shell view of RUN bodies: simple commands with their arguments, flags, env prefixes and
the ``&&`` / ``||`` / ``;`` / pipe structure that joins them, parsed with tree-sitter-bash.
This package's face: :func:`parse_shell` (from :mod:`.syntax`, which reads the syntax tree)
and the shapes it returns (from :mod:`.queries`, what rules and detectors ask of them)."""

from dockerslim_refactor.shell.queries import Command, Segment, ShellScript
from dockerslim_refactor.shell.syntax import parse_shell

__all__ = ["Command", "Segment", "ShellScript", "parse_shell"]
