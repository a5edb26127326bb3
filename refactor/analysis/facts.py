"""Resolve a stage once: its base image, WORKDIR/ENV/ARG in effect at each RUN, the shell view
of every RUN, its user and its command."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from dockerslim_refactor.analysis.images import DEFAULT_PATH, base_image_info, parse_image
from dockerslim_refactor.analysis.model import RunStep, StageFacts, expand
from dockerslim_refactor.document import Document, Instruction, Stage, _split_words
from dockerslim_refactor.shell import parse_shell

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


def unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


def env_pairs(ins: Instruction) -> list[tuple[str, str]]:
    """``ENV``/``ARG``/``LABEL`` key-value pairs (``K=V`` words, or legacy ``ENV K V``)."""
    words = _split_words(ins.value)
    if not words:
        return []
    if ins.keyword in {"ENV", "LABEL"} and "=" not in words[0]:
        return [(words[0], ins.value.strip()[len(words[0]) :].strip())]
    pairs = []
    for word in words:
        key, sep, value = word.partition("=")
        if ins.keyword == "ARG" and not sep:
            pairs.append((key, ""))
            continue
        pairs.append((unquote(key), unquote(value)))
    return pairs


def script_text(ins: Instruction) -> str:
    """The shell text a RUN executes: its heredoc bodies, the ``sh -c`` string of an exec form,
    or the shell form's value."""
    if ins.heredocs:
        bodies = "\n".join(h.body for h in ins.heredocs)
        words = [w for w in ins.value.split() if "<<" not in w and not w.startswith(">")]
        if not words or (posixpath.basename(words[0]) in SHELLS and "-c" not in words):
            return bodies  # RUN <<EOF, or RUN bash <<EOF: the body is the script
        # RUN python3 <<EOF, cat <<EOF > file: the body is data, not shell.
        return " ".join(words)
    if ins.json_args is not None:
        args = list(ins.json_args)
        if len(args) >= 3 and posixpath.basename(args[0]) in {"sh", "bash"} and args[1] == "-c":
            return args[2]
        import json  # exec form only: quotes the words with spaces

        return " ".join(json.dumps(a) if " " in a else a for a in args)
    return ins.value


def global_arg_defaults(document: Document) -> dict[str, str]:
    values: dict[str, str] = {}
    for ins in document.global_args:
        for key, value in env_pairs(ins):
            if value:  # ``ARG X`` without a default stays unknown: --build-arg may set it
                values[key] = value
    return values


def stage_facts(
    document: Document, stage: Stage, context_files: Mapping[str, str] | None = None
) -> StageFacts:
    global_args = global_arg_defaults(document)
    image = parse_image(expand(stage.base, global_args))
    parent_index = stage.parent
    if parent_index is None:
        # FROM ${STAGE}: the stage is known only once the global ARGs are expanded.
        named = document.stage_by_name(image.text) if image.text else None
        if named is not None and named.index < stage.index:
            parent_index = named.index
    parent = document.stages[parent_index] if parent_index is not None else None
    info = base_image_info(image)
    env: dict[str, str] = {"PATH": DEFAULT_PATH}
    env.update(dict(info.env))
    workdir = "/"
    if image.repository == "golang" or image.name == "golang":
        workdir = "/go"
    user: str | None = None
    if parent is not None:
        parent_facts = stage_facts(document, parent, context_files)
        env.update(parent_facts.env)
        workdir = parent_facts.workdir
        user = parent_facts.user
        image, info = parent_facts.image, parent_facts.info
    steps: list[RunStep] = []
    entrypoint = cmd = None
    for ins in stage.instructions:
        keyword = ins.keyword
        if keyword == "ARG":
            for key, value in env_pairs(ins):
                default = value or global_args.get(key)
                if default:  # an ARG without a default stays unknown (a --build-arg may set it)
                    env.setdefault(key, default)
        elif keyword == "ENV":
            for key, value in env_pairs(ins):
                env[key] = expand(value, env)
        elif keyword == "WORKDIR":
            target = expand(unquote(ins.value.strip()), env)
            workdir = posixpath.normpath(posixpath.join(workdir, target))
        elif keyword == "USER":
            user = expand(ins.value.strip(), env)
        elif keyword == "ENTRYPOINT":
            entrypoint = ins
            cmd = None  # an ENTRYPOINT resets the CMD inherited so far
        elif keyword == "CMD":
            cmd = ins
        elif keyword == "RUN":
            script = parse_shell(expand_known(script_text(ins), env), workdir)
            steps.append(RunStep(ins, script, workdir, dict(env)))
    return StageFacts(
        document=document,
        stage=stage,
        image=image,
        info=info,
        steps=tuple(steps),
        workdir=workdir,
        env=env,
        user=user,
        entrypoint=entrypoint,
        cmd=cmd,
        context_files=dict(context_files or {}),
    )


def expand_known(text: str, env: Mapping[str, str]) -> str:
    """Expand only variables that come from the Dockerfile itself (ENV/ARG), so shell-level
    variables stay visible to the shell view."""
    return expand(text, {k: v for k, v in env.items() if k != "PATH"})
