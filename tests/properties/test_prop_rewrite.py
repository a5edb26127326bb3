"""Properties of ``rewrite``. 2: it returns a result or raises only ``DockerfileError`` /
``SelfCheckError``. 3: what it produces parses with our parser and with BuildKit's and is left
alone (or unchanged) when rewritten again. 4: the final stage keeps the original's CMD,
ENTRYPOINT and EXPOSE. Beyond the self-check: the grammar's valid files never trip it; the
output is a real multi-stage build (no stage copies from itself or a later one, no system
folder copied from the builder); the runtime stage has the program the image starts and the
files CMD names."""

from __future__ import annotations

import posixpath
import re

from buildkit_oracle import OracleCannotTell, buildkit_error
from dockerfile_strategies import BEFORE, LONG_LINE, any_dockerfile_text, dockerfiles
from hypothesis import event, example, given
from hypothesis import strategies as st

from dockerslim_refactor.document import DockerfileError, Document, Stage, parse
from dockerslim_refactor.options import LINKAGE_CHOICES, RUNTIME_CHOICES, Options
from dockerslim_refactor.rewrite import Rewrite, SelfCheckError, rewrite

DEFAULT = Options()

options = st.builds(
    Options,
    runtime=st.sampled_from(RUNTIME_CHOICES),
    stage_name=st.sampled_from(["builder", "build", "final", "b2"]),
    non_root=st.booleans(),
    linkage=st.sampled_from(LINKAGE_CHOICES),
    strip=st.booleans(),
    split_chains=st.booleans(),
)
# Mostly the defaults, which is what the CLI runs without flags.
any_options = st.one_of(st.just(DEFAULT), st.just(DEFAULT), options)
inputs = st.one_of(dockerfiles(), dockerfiles(), any_dockerfile_text())

GO = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n'


def rewritten_document(text: str, result: Rewrite):
    """The file the rewrite worked from: ``text``, or for a file on an official ``-onbuild``
    image, ``text`` with that image's steps written out (its inherited CMD included)."""
    expansion = result.analysis.written_out
    return expansion.document if expansion is not None else parse(text)


def try_rewrite(text: str, opts: Options) -> Rewrite | None:
    """Property 2: the rewrite, or None when it is refused the documented way. Anything else
    raised fails the test (known bugs are set aside)."""
    try:
        result = rewrite(text, opts)
    except DockerfileError:
        event("refused: DockerfileError")
        return None
    except SelfCheckError:
        event("refused: SelfCheckError")
        return None
    event("rewritten" if result.output is not None else "left alone")
    return result


@given(inputs, any_options)
@example(BEFORE["go-seed.before.Dockerfile"] + "RUN <<EOF\n", DEFAULT)
@example(GO + "#" * LONG_LINE, DEFAULT)
@example(GO.replace("\n", "\r\n", 2), DEFAULT)
def test_rewrite_raises_only_documented_errors(text: str, opts: Options) -> None:
    result = try_rewrite(text, opts)
    if result is not None:
        assert (result.output is None) == (result.reason is not None)
        assert (result.output is None) == (result.plan is None)


@given(dockerfiles(), any_options)
def test_grammar_files_never_trip_the_self_check(text: str, opts: Options) -> None:
    """The grammar writes valid files: the rewrite either leaves them alone or produces a
    rewrite its own self-check accepts. A SelfCheckError here is a planning bug caught late."""
    rewrite(text, opts)


@given(inputs, any_options)
@example(BEFORE["escape-backtick.before.Dockerfile"], DEFAULT)
@example(BEFORE["go-seed.before.Dockerfile"].replace("\n", "\r\n"), DEFAULT)
@example("\ufeff" + BEFORE["heredoc-go.before.Dockerfile"], DEFAULT)
def test_output_parses_everywhere_and_is_a_fixed_point(text: str, opts: Options) -> None:
    result = try_rewrite(text, opts)
    if result is None or result.output is None:
        return
    output = result.output
    parse(output)
    try:
        error = buildkit_error(output)
    except OracleCannotTell:
        error = None
    assert error is None, f"BuildKit refuses the rewrite: {error}"
    again = rewrite(output, opts)
    assert again.output is None or again.output == output, "the rewrite is not idempotent"


def image_command(stage: Stage) -> dict[str, object]:
    """What the image runs and exposes, as written in ``stage``."""

    def last(keyword: str) -> object:
        ins = stage.last(keyword)
        if ins is None:
            return None
        return ("json", ins.json_args) if ins.is_json else ("shell", ins.value)

    exposed = sorted(word for ins in stage.all("EXPOSE") for word in ins.value.split())
    return {"CMD": last("CMD"), "ENTRYPOINT": last("ENTRYPOINT"), "EXPOSE": exposed}


@given(inputs, any_options)
@example(BEFORE["node-ts.before.Dockerfile"], DEFAULT)
@example(BEFORE["heredoc-go.before.Dockerfile"], DEFAULT)
def test_output_keeps_cmd_entrypoint_and_expose(text: str, opts: Options) -> None:
    result = try_rewrite(text, opts)
    if result is None or result.output is None:
        return
    before = rewritten_document(text, result).stages[-1]
    after = parse(result.output).stages[-1]
    wrapper = result.analysis.facts.wrapper
    if wrapper is not None:
        # `cargo run`, `npm start`: the image runs the program the wrapper ran, and a note
        # says so and names --keep-command.
        assert image_command(after)["EXPOSE"] == image_command(before)["EXPOSE"]
        notes = [*result.analysis.findings, *(result.plan.notes if result.plan else ())]
        assert any("--keep-command" in n.message for n in notes if n.code == "DSR100")
        return
    assert image_command(after) == image_command(before)


def _resolve(workdir: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def placed_paths(stage: Stage) -> tuple[dict[str, str], str | None]:
    """What the stage's COPY/ADD instructions put where: absolute destination -> "file" (a
    single file copied to a file path), "dir" (a folder destination) or "heredoc"; and the
    stage's final WORKDIR (None when it holds a variable). Paths with variables are skipped."""
    workdir: str | None = "/"
    placed: dict[str, str] = {}
    for ins in stage.instructions:
        if ins.keyword == "WORKDIR":
            value = ins.value.strip("\"'")
            workdir = None if workdir is None or "$" in value else _resolve(workdir, value)
        elif ins.keyword in {"COPY", "ADD"}:
            args = list(ins.json_args if ins.json_args is not None else ins.words)
            if len(args) < 2 or "$" in args[-1]:
                continue
            if workdir is None and not args[-1].startswith("/"):
                continue  # relative to a WORKDIR we cannot resolve
            dest = args[-1]
            if ins.heredocs and len(ins.heredocs) == len(args) - 1 and not dest.endswith("/"):
                kind = "heredoc"
            elif dest.endswith("/") or dest in {".", "./"} or len(args) > 2:
                kind = "dir"
            else:
                kind = "file"
            placed[_resolve(workdir or "/", dest)] = kind
    return placed, workdir


def looks_like_a_path(word: str) -> bool:
    """A CMD word that names a file: absolute, or relative with a folder or an extension (not
    a flag, a URL, a host:port or a module:object)."""
    if word.startswith("-") or "$" in word or ":" in word or "=" in word:
        return False
    return word.startswith("/") or "/" in word or bool(re.search(r"\.[A-Za-z0-9]{1,6}$", word))


def named_paths(stage: Stage, workdir: str | None) -> set[str]:
    """Paths the final CMD and ENTRYPOINT name, resolved against the final WORKDIR."""
    found: set[str] = set()
    for keyword in ("CMD", "ENTRYPOINT"):
        ins = stage.last(keyword)
        if ins is None:
            continue
        if keyword == "CMD" and ins.json_args is None and stage.last("ENTRYPOINT"):
            continue  # a shell-form CMD under an ENTRYPOINT is `/bin/sh -c ...` as arguments
        words = ins.json_args if ins.json_args is not None else ins.words
        for word in words:
            if looks_like_a_path(word) and (word.startswith("/") or workdir is not None):
                found.add(_resolve(workdir or "/", word))
    return found


def _covered(path: str, placed: dict[str, str]) -> bool:
    """Whether ``path`` is a destination or inside one (any destination may be a folder)."""
    return path in placed or any(path.startswith(d.rstrip("/") + "/") for d in placed)


@given(inputs, any_options)
@example(BEFORE["heredoc-go.before.Dockerfile"], DEFAULT)
@example(BEFORE["node-ts.before.Dockerfile"], DEFAULT)
@example(BEFORE["python-requirements.before.Dockerfile"], DEFAULT)
def test_output_keeps_the_files_cmd_names(text: str, opts: Options) -> None:
    """A file CMD/ENTRYPOINT names that the original final stage put there with COPY/ADD (a
    config file, a script, the app's entry module) is also in the runtime stage: copied there,
    or inside a copied folder."""
    result = try_rewrite(text, opts)
    if result is None or result.output is None:
        return
    source = rewritten_document(text, result).stages[-1]
    placed, workdir = placed_paths(source)
    placed.pop("/", None)  # `COPY . .` with no WORKDIR would make every path a candidate
    needed = {p for p in named_paths(source, workdir) if _covered(p, placed)}
    if not needed:
        return
    copied, _ = placed_paths(parse(result.output).stages[-1])
    missing = sorted(p for p in needed if not _covered(p, copied))
    assert not missing, f"the runtime stage lacks {missing}"


# Folders of the base system: copying one from the builder brings its toolchain along. (Apps
# legitimately live in /srv, /opt/<app>, /home/<user> or /usr/src/<app>.)
SYSTEM_FOLDERS = frozenset(
    ["/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/root", "/run"]
    + ["/sbin", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/lib64", "/usr/libexec"]
    + ["/usr/local", "/usr/local/bin", "/usr/local/lib", "/usr/sbin", "/usr/share", "/var"]
    + ["/var/lib"]
)


@given(inputs, any_options)
def test_output_is_a_real_multi_stage_build(text: str, opts: Options) -> None:
    """The output has a builder and a runtime stage; every ``COPY --from`` names an earlier
    stage (never its own or a later one); and no system folder (``/etc``, ``/usr``…) is copied
    from the builder wholesale, which would carry the toolchain back in."""
    result = try_rewrite(text, opts)
    if result is None or result.output is None:
        return
    original = parse(text)
    if backward_references(original):
        return  # the input already copies from its own or a later stage: BuildKit refuses it
    doc = parse(result.output)
    assert len(doc.stages) >= 2, f"{len(doc.stages)} stage(s) in the output"
    assert not backward_references(doc), backward_references(doc)
    for stage in doc.stages:
        for ins in stage.all("COPY"):
            source = ins.flag("from")
            if source is None or doc.stage_by_name(source) is None:
                continue
            args = ins.json_args if ins.json_args is not None else ins.words
            for src in args[:-1]:
                folder = posixpath.normpath(src)
                assert folder not in SYSTEM_FOLDERS, ins.raw


def backward_references(doc: Document) -> list[str]:
    """``COPY --from`` instructions naming their own stage or a later one."""
    found = []
    for stage in doc.stages:
        for ins in stage.all("COPY"):
            source = ins.flag("from")
            target = doc.stage_by_name(source) if source is not None else None
            if target is not None and target.index >= stage.index:
                found.append(f"line {ins.start_line}: {ins.raw.strip()}")
    return found


def made_by_the_dockerfile(path: str, stage: Stage) -> bool:
    """Whether the stage writes ``path``: a COPY/ADD destination, a compiler's ``-o`` output,
    or the target of ``cp``/``mv``/``install``/``ln`` (in a RUN or a heredoc script)."""
    end = r"(?=\s*(?:$|[;&|)]))"
    output = re.compile(r"(?:-o|--output)[= ]\s*" + re.escape(path) + end, re.M)
    copied = re.compile(r"\b(?:cp|mv|install|ln)\b[^;&|\n]*\s" + re.escape(path) + end, re.M)
    for ins in stage.instructions:
        if ins.keyword in {"COPY", "ADD"}:
            words = ins.json_args if ins.json_args is not None else ins.words
            if words and words[-1] == path:
                return True
        elif ins.keyword == "RUN":
            script = "\n".join([ins.value, *(h.body for h in ins.heredocs)])
            if output.search(script) or copied.search(script):
                return True
    return False


def program(stage: Stage) -> str | None:
    """The program the image starts: ENTRYPOINT's first word, else CMD's."""
    ins = stage.last("ENTRYPOINT") or stage.last("CMD")
    if ins is None:
        return None
    words = ins.json_args if ins.json_args is not None else ins.words
    return words[0] if words else None


def program_path(stage: Stage) -> str | None:
    """The program the image starts as an absolute path (``sh -c ./run`` counts as ``./run``),
    resolved against the stage's last WORKDIR; None when it is looked up on PATH."""
    ins = stage.last("ENTRYPOINT") or stage.last("CMD")
    if ins is None:
        return None
    words = list(ins.json_args if ins.json_args is not None else ins.words)
    if len(words) >= 3 and words[0] in {"sh", "/bin/sh", "bash", "/bin/bash"} and words[1] == "-c":
        words = words[2].split()
    if not words or "$" in words[0] or "/" not in words[0]:
        return None
    workdir = stage.last("WORKDIR")
    base = workdir.value.strip("\"'") if workdir is not None else "/"
    return None if "$" in base else _resolve(_resolve("/", base), words[0])


@given(inputs, any_options)
@example(
    "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
    'RUN go build -o /bin/app . && cp /bin/app /out/app\nCMD ["/out/app"]\n',
    DEFAULT,
)
def test_output_has_the_program_it_runs(text: str, opts: Options) -> None:
    """When the image starts a program by absolute path and the original's final stage made
    that file (its path appears in a RUN, COPY or ADD), the runtime stage has it."""
    result = try_rewrite(text, opts)
    if result is None or result.output is None:
        return
    before = rewritten_document(text, result).stages[-1]
    exe = program(before)
    if not exe or not exe.startswith("/") or "$" in exe:
        return
    if not made_by_the_dockerfile(exe, before):
        return
    after = parse(result.output).stages[-1]
    copied, _ = placed_paths(after)
    present = _covered(posixpath.normpath(exe), copied)
    assert present, f"the runtime stage lacks {exe}"
