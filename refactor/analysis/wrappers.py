"""Commands that build and run through the toolchain: ``cargo run --release`` compiles the
program when the container starts, ``npm start`` runs the start script through npm. The
rewrite builds the program in the builder and runs it directly; ``--keep-command`` keeps the
command as written (and with it the toolchain, so such a file is left alone).

Each wrapper is resolved only from what the file and the build context show: the binary name
from ``--bin`` or Cargo.toml, the start script from package.json. Otherwise the command is kept
and the reason says what would settle it."""

from __future__ import annotations

import json
import posixpath
import re
import shlex

from dockerslim_refactor.analysis.go_wrapper import GO_WRAPPER_GUESS, go_wrapper_binary
from dockerslim_refactor.analysis.model import StageFacts, Wrapper

# `cargo run` options that select what is built; the rest are run-only or not followed.
_CARGO_VALUE_FLAGS = ("--bin", "--profile", "--target", "--features", "-F", "--target-dir")
_CARGO_SWITCHES = (
    "--release",
    "-r",
    "--all-features",
    "--no-default-features",
    "--locked",
    "--frozen",
    "--offline",
    "-q",
    "--quiet",
    "-v",
    "--verbose",
)


def resolve(facts: StageFacts) -> Wrapper | None:
    """The wrapper the image's command is, resolved to the program it runs, or ``None``."""
    found = wrapped_command(facts)
    if found is None:
        return None
    ins, words, shell_form = found
    tool = posixpath.basename(words[0])
    if tool == "cargo":
        return _cargo(facts, ins, words, shell_form)
    if tool in {"cabal", "stack"}:
        return _haskell(facts, ins, words, shell_form)
    if tool == "go-wrapper":
        return _go_wrapper(facts, ins, words, shell_form)
    return _npm(facts, ins, words, shell_form)


def unresolved_reason(facts: StageFacts) -> str | None:
    """Why the image's wrapper cannot be run directly, or ``None`` when it is no wrapper."""
    found = wrapped_command(facts)
    if found is None:
        return None
    words = found[1]
    if posixpath.basename(words[0]) == "cargo":
        return _cargo_problem(facts, words)
    if posixpath.basename(words[0]) in {"cabal", "stack"}:
        return _haskell_target(facts, words)[2]
    if posixpath.basename(words[0]) == "go-wrapper":
        return None
    return _start_command(facts)[1]


def wrapped_command(facts: StageFacts):
    """``(instruction, words, shell_form)`` when the whole program is one wrapper command
    held by one instruction: a CMD with no ENTRYPOINT, or an ENTRYPOINT with no CMD."""
    entry, cmd = facts.entrypoint, facts.cmd
    if entry is not None and cmd is not None:
        return None
    ins = entry or cmd
    if ins is None:
        return None
    if ins.json_args is not None:
        words, shell_form = list(ins.json_args), False
    else:
        text = ins.value.strip()
        if re.search(r"[;&|<>`$()\\]", text):
            return None  # more than one plain command
        try:
            words = shlex.split(text)
        except ValueError:
            return None
        if words and words[0] == "exec":
            words = words[1:]
        # Plain words (no expansion, glob or tilde) run the same without a shell: the
        # replacement is in exec form, so the runtime needs no /bin/sh for it.
        shell_form = bool(re.search(r"[*?\[\]~{}'\"]", text))
    if len(words) < 2:
        return None
    tool, verb = posixpath.basename(words[0]), words[1]
    if tool == "cargo" and verb == "run":
        return ins, words, shell_form
    if (tool == "cabal" and verb in _CABAL_RUN) or (tool == "stack" and verb in {"exec", "run"}):
        return ins, words, shell_form
    if tool == "go-wrapper" and verb == "run":
        return ins, words, shell_form
    if tool in {"npm", "yarn", "pnpm"} and (
        (verb == "start" and len(words) == 2) or (words[1:] == ["run", "start"])
    ):
        return ins, words, shell_form
    return None


def _split_cargo(words: list[str]) -> tuple[list[str], list[str]] | None:
    """The build flags of ``cargo run …`` and the program's arguments after ``--``, or
    ``None`` when an option is not one this module follows (``-p``, ``--manifest-path``)."""
    flags: list[str] = []
    args: list[str] = []
    rest = words[2:]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word == "--":
            args = rest[i + 1 :]
            break
        name = word.split("=", 1)[0]
        if name in _CARGO_VALUE_FLAGS:
            if "=" in word:
                flags.append(word)
            elif i + 1 < len(rest):
                flags += [word, rest[i + 1]]
                i += 1
            else:
                return None
        elif word in _CARGO_SWITCHES:
            flags.append(word)
        else:
            return None
        i += 1
    return flags, args


def _flag(flags: list[str], *names: str) -> str | None:
    value = None
    for i, word in enumerate(flags):
        for name in names:
            if word == name and i + 1 < len(flags):
                value = flags[i + 1]
            elif word.startswith(name + "="):
                value = word.split("=", 1)[1]
    return value


def _cargo_binary_name(facts: StageFacts, flags: list[str]) -> str | None:
    named = _flag(flags, "--bin")
    if named:
        return named
    text = facts.context_files.get("Cargo.toml", "")
    package = re.search(r"^\[package\](.*?)(?=^\[|\Z)", text, re.S | re.M)
    if not package:
        return None
    default_run = re.search(r'^\s*default-run\s*=\s*"([^"]+)"', package.group(1), re.M)
    if default_run:
        return default_run.group(1)
    bins = re.findall(r"^\[\[bin\]\](.*?)(?=^\[|\Z)", text, re.S | re.M)
    names = [m.group(1) for b in bins if (m := re.search(r'^\s*name\s*=\s*"([^"]+)"', b, re.M))]
    if len(names) > 1:
        return None  # cargo run itself asks which one
    if names:
        return names[0]
    name = re.search(r'^\s*name\s*=\s*"([^"]+)"', package.group(1), re.M)
    return name.group(1) if name else None


def _cargo_problem(facts: StageFacts, words: list[str]) -> str | None:
    split = _split_cargo(words)
    if split is None:
        return "an option of 'cargo run' that this tool does not follow (-p, --manifest-path)"
    if _cargo_binary_name(facts, split[0]) is None:
        return (
            "the binary's name comes from Cargo.toml, which was not read (--context DIR "
            "names the build context)"
        )
    return None


def _cargo(facts: StageFacts, ins, words: list[str], shell_form: bool) -> Wrapper | None:
    if _cargo_problem(facts, words) is not None:
        return None
    flags, args = _split_cargo(words) or ([], [])
    name = _cargo_binary_name(facts, flags)
    assert name is not None
    profile = _flag(flags, "--profile")
    if profile is None:
        profile = "release" if ("--release" in flags or "-r" in flags) else "debug"
    elif profile == "dev":
        profile = "debug"
    target_dir = _flag(flags, "--target-dir") or facts.env.get("CARGO_TARGET_DIR") or "target"
    base = facts.resolve(target_dir)
    target = _flag(flags, "--target")
    if target:
        base = posixpath.join(base, target)
    binary = posixpath.join(base, profile, name)
    was = shlex.join(words)
    # The same binary as `cargo run`, by name: the rest of the package is not built.
    named = [] if _flag(flags, "--bin") else ["--bin", name]
    build = shlex.join(["cargo", "build", *flags, *named])
    return Wrapper(
        instruction=ins,
        was=was,
        argv=(binary, *args),
        shell_form=shell_form,
        build=build,
        note=(
            f"'{was}' compiled the program each time the container started; now the "
            f"builder builds it and the image runs {binary} directly (--keep-command keeps "
            "the command, and the Rust toolchain with it)"
        ),
    )


_PLAIN_NODE = re.compile(r"node(?:\s+[A-Za-z0-9_./@=:,+-]+)+")


def _start_command(facts: StageFacts) -> tuple[str | None, str | None]:
    """The ``start`` script of the package.json at the WORKDIR and why it cannot run
    without npm, if it cannot."""
    relative = posixpath.relpath(facts.workdir, "/")
    candidates = ["package.json"] + (
        [posixpath.join(relative, "package.json")] if relative != "." else []
    )
    text = next((facts.context_files[c] for c in candidates if c in facts.context_files), None)
    if text is None:
        return None, (
            "the start script is in package.json, which was not read (--context DIR names "
            "the build context)"
        )
    try:
        scripts = json.loads(text).get("scripts") or {}
    except (ValueError, AttributeError):
        return None, "package.json could not be read"
    start = scripts.get("start") if isinstance(scripts, dict) else None
    if not isinstance(start, str):
        return None, "package.json has no start script (npm would look for server.js)"
    if "prestart" in scripts or "poststart" in scripts:
        return None, "npm runs a prestart or poststart script around it"
    if not _PLAIN_NODE.fullmatch(start.strip()):
        return None, f"the start script '{start}' is more than a plain node command"
    return start.strip(), None


def _npm(facts: StageFacts, ins, words: list[str], shell_form: bool) -> Wrapper | None:
    start, problem = _start_command(facts)
    if problem is not None or start is None:
        return None
    was = shlex.join(words)
    argv = tuple(start.split())
    return Wrapper(
        instruction=ins,
        was=was,
        argv=argv,
        shell_form=shell_form,
        build=None,
        note=(
            f"'{was}' ran the start script through {words[0]}; the image runs it directly "
            f"('{start}'), so signals reach node and {words[0]} is not needed at run time "
            "(--keep-command keeps the command)"
        ),
    )


_CABAL_RUN = frozenset({"run", "v2-run", "new-run"})
_EXECUTABLE = re.compile(r"^executable\s+([A-Za-z0-9_.-]+)\s*$", re.M | re.I)


def _cabal_executables(facts: StageFacts) -> list[str] | None:
    """The executables the ``.cabal`` files of the build context declare (``executable
    NAME`` stanzas, or hpack's ``executables:`` keys), or ``None`` when none was read."""
    names: list[str] = []
    read = False
    for path, text in sorted(facts.context_files.items()):
        if path.endswith(".cabal"):
            read = True
            names += _EXECUTABLE.findall(text)
        elif posixpath.basename(path) == "package.yaml":
            read = True
            block = re.search(r"^executables:\s*\n((?:[ \t]+.*\n?|\s*\n)*)", text, re.M)
            if block:
                names += re.findall(r"^[ \t]{1,4}([A-Za-z0-9_.-]+):", block.group(1), re.M)
    return list(dict.fromkeys(names)) if read else None


def _haskell_target(
    facts: StageFacts, words: list[str]
) -> tuple[str | None, list[str], str | None]:
    """The executable ``cabal run X``, ``stack exec X`` or ``stack run X`` runs, the
    program's arguments, and why it cannot be told (an option this module does not follow,
    no name and no ``.cabal`` file read)."""
    tool, verb, rest = posixpath.basename(words[0]), words[1], list(words[2:])
    if rest[:1] == ["--"] and tool == "stack":
        rest = rest[1:]  # `stack exec -- app args`
    target = None
    if rest and not rest[0].startswith("-"):
        target = rest.pop(0)
    if rest and rest[0] == "--":
        rest = rest[1:]
    elif tool == "cabal" and any(w.startswith("-") for w in rest):
        return None, [], "an option of 'cabal run' that this tool does not follow"
    if target is None:
        if tool == "stack" and verb == "exec":
            return None, [], "'stack exec' names no program"
        names = _cabal_executables(facts)
        if names is None:
            return (
                None,
                [],
                (
                    "the executable's name is in the project's .cabal file, which was not read "
                    "(--context DIR names the build context)"
                ),
            )
        if len(names) != 1:
            return None, [], f"the project declares {len(names)} executables and names none"
        target = names[0]
    name = target.rsplit(":", 1)[-1]  # `cabal run pkg:exe:app`
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        return None, [], f"'{target}' is not an executable name this tool follows"
    return name, rest, None


def _haskell(facts: StageFacts, ins, words: list[str], shell_form: bool) -> Wrapper | None:
    name, args, problem = _haskell_target(facts, words)
    if problem is not None or name is None:
        return None
    tool = posixpath.basename(words[0])
    binary = f"/usr/local/bin/{name}"
    missing = f'{{ echo "dockerslim: {tool} built no program named {name}" >&2; exit 1; }}'
    if tool == "cabal":
        # `cabal list-bin` (cabal 3.4 and later) names the built program; before it, the
        # build tree does.
        build = (
            f"set -e; cabal build {name}; "
            f"p=$(cabal list-bin {name} 2>/dev/null) || p=$(find dist-newstyle -type f "
            f"-perm -u+x -path '*/build/{name}/{name}' | head -n 1); "
            f'[ -n "$p" ] || {missing}; cp -L "$p" {binary}'
        )
    else:
        build = (
            f"set -e; stack build; "
            f"p=$(stack exec -- sh -c 'command -v {name}') || {missing}; cp -L \"$p\" {binary}"
        )
    was = shlex.join(words)
    return Wrapper(
        instruction=ins,
        was=was,
        argv=(binary, *args),
        shell_form=shell_form,
        build=build,
        note=(
            f"'{was}' checked the build and ran the program through {tool} each time the "
            f"container started; now the builder copies the program it built to {binary} and "
            f"the image runs it directly (--keep-command keeps the command, and GHC with it)"
        ),
    )


def _go_wrapper(facts: StageFacts, ins, words: list[str], shell_form: bool) -> Wrapper:
    """``go-wrapper run [args]``: go-wrapper works out the binary's name with ``go list``
    (the Go toolchain) and runs it from ``$GOPATH/bin``; the image runs that binary itself."""
    binary, certain = go_wrapper_binary(facts, facts.workdir, facts.env)
    was = shlex.join(words)
    return Wrapper(
        instruction=ins,
        was=was,
        argv=(binary, *words[2:]),
        shell_form=shell_form,
        build=None,
        note=(
            f"'{was}' asked go (go list) for the program's name each time the container "
            f"started; the image runs {binary}, which go-wrapper install made, directly "
            "(--keep-command keeps the command, and the Go toolchain with it)"
            + (
                ""
                if certain
                else f"; {GO_WRAPPER_GUESS}, so the name is the folder's and the builder "
                "stops if there is no such program (--context DIR reads the sources)"
            )
        ),
    )
