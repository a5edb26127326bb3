"""Interactive wizard: analyse a Dockerfile, ask only what the analysis could not settle or what
a person may want to change (each question defaulting to the recommended answer), show the
diff, write the result, and print the equivalent non-interactive command.

Pressing Enter at every question gives exactly what ``dockerslim-refactor FILE -o OUT`` (with
the same flags) writes. questionary and prompt_toolkit are imported only once a question is
asked, so the plain command line does not pay for them."""

from __future__ import annotations

import argparse
import difflib
import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockerslim_refactor import api
from dockerslim_refactor.analysis.sizes import NOTE
from dockerslim_refactor.api import Result
from dockerslim_refactor.arguments import EXIT_ERROR, EXIT_OK, PROG, options_from, rewrite_parser
from dockerslim_refactor.options import Options

if TYPE_CHECKING:
    from dockerslim_refactor.analysis.model import Analysis, BuildInfo, Finding
    from dockerslim_refactor.analysis.sizes import SizeEstimate
    from dockerslim_refactor.plan import RuntimeBase

EXIT_CANCELLED = 130
DEFAULT_OUTPUT_NAME = "Dockerfile.new"
RUNTIME_FAMILIES = ("alpine", "busybox", "scratch", "distroless", "slim")
# Interpreted programs with a distroless image of their interpreter (--runtime distroless).
INTERPRETERS_ON_DISTROLESS = frozenset({"node", "java", "python"})
OTHER_IMAGE = "other"

ECOSYSTEM_NAMES = {
    "go": "Go",
    "rust": "Rust",
    "c": "C/C++",
    "node": "Node.js",
    "python": "Python",
    "java": "Java",
    "dotnet": ".NET",
    "generic": "generic (make install)",
}
LINKAGE_NAMES = {
    "static": "static binary",
    "glibc": "links glibc dynamically",
    "musl": "links musl dynamically",
    "interpreter": "runs on its interpreter or VM",
}
# What each runtime family offers, for the runtime question.
FAMILY_OFFERS = {
    "alpine": "has a shell and apk to add packages",
    "busybox": "has a shell and basic tools, no package manager",
    "scratch": "nothing but the copied files: no shell, no tools",
    "distroless": "no shell or package manager",
    "slim": "Debian with a shell and apt",
    "interpreter": "the interpreter's slim image: a shell and its package manager",
}


class _Cancelled(Exception):
    """Esc, Ctrl-C or Ctrl-D at a question."""


# -- entry point -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``dockerslim-refactor wizard FILE [-o OUT] [rewrite options]``; exit codes as the CLI's,
    plus 130 when cancelled (nothing written)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(argv)
    except api.Error as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR
    except (KeyboardInterrupt, EOFError, _Cancelled):
        print(f"{PROG}: cancelled, nothing written", file=sys.stderr)
        return EXIT_CANCELLED


def has_terminal() -> bool:
    """Whether someone can answer: standard input is a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def wizard_parser() -> argparse.ArgumentParser:
    parser = rewrite_parser()
    parser.prog = f"{PROG} wizard"
    parser.description = (
        "Walk through the rewrite of a single-stage Dockerfile: each question defaults to the "
        "recommended answer, the rewrite options below preset them, and the equivalent "
        "command is printed at the end."
    )
    return parser


def _run(argv: Sequence[str]) -> int:
    args = wizard_parser().parse_args(argv)
    if args.diff or args.check:
        flag = "--diff" if args.diff else "--check"
        raise api.UsageError(
            f"{PROG} wizard: {flag} asks nothing; run `{PROG} FILE {flag}` instead"
        )
    if args.file == "-":
        raise api.UsageError(
            f"{PROG} wizard: answers are read from the terminal, so FILE cannot be - "
            "(standard input); name the Dockerfile"
        )
    if not has_terminal():
        raise api.UsageError(
            f"{PROG} wizard: standard input is not a terminal, nothing written; without one run "
            f"`{PROG} FILE -o OUT` with --artifact, --runtime, --non-root or --keep instead"
        )
    if args.backup and not args.in_place:
        raise api.UsageError(f"{PROG}: --backup goes with --in-place")
    if args.in_place and args.output:
        raise api.UsageError(f"{PROG}: -o and --in-place: choose one")
    if args.output and api.same_file(args.output, args.file):
        raise api.UsageError(f"{args.output}: -o is the input file; use --in-place to replace it")
    if args.output:
        api.check_output_target(Path(args.output))

    shown = args.file
    text = api.read_text(args.file)
    options = options_from(args)
    context = api.context_files(api.context_root(args.context, args.file))
    source = _parse_or_fail(shown, text)
    result = _rewrite_or_fail(shown, source, options, context)
    ask: Asker | None = None
    asked_artifact = False
    if result.output is None:
        build = result.analysis.build
        if result.analysis.leave_alone and build is not None and not build.artifacts:
            # The one open question that keeps the file from being rewritten: what to copy.
            print(f"{shown}: {result.reason}")
            ask = Asker()
            answered = _ask_missing_artifact(ask, source, context, options)
            if answered is None:
                print(f"{shown}: left alone, nothing written")
                return EXIT_OK
            options, result = answered
            asked_artifact = True
        else:
            print(f"{shown}: left alone: {result.reason}")
            return EXIT_OK

    paint = Paint.for_stream(sys.stdout)
    for line in summary_lines(shown, result, paint):
        print(line)
    print()

    ask = ask or Asker()
    if not asked_artifact:
        options, result = _ask_artifacts(ask, source, context, options, result)
    options, result = _ask_command(ask, shown, source, context, options, result)
    if result.output is None:
        print(f"{shown}: left alone, nothing written: {result.reason}")
        return EXIT_OK
    options = _ask_runtime(ask, result, options)
    options = _ask_user(ask, shown, source, context, options, result)
    _confirm_ports(ask, shown, result)
    options = _ask_keep(ask, options)
    result = _rewrite_or_fail(shown, source, options, context)
    if result.output is None:  # not expected: every answer was checked on the way
        raise api.UsageError(f"{shown}: left alone, nothing written: {result.reason}")

    if args.in_place:
        output = args.file
    elif args.output:
        output = args.output
    else:
        output = ask.text(
            "Write the rewrite to:",
            default=default_output(args.file),
            validate=_output_validator(args.file),
        ).strip()
    print()
    for line in diff_lines(text, result.output, shown, output):
        print(paint.diff(line))
    print()

    exists = Path(output).exists()
    question = f"Write {output}?" + (" It exists and will be replaced." if exists else "")
    if ask.confirm(question, default=not exists):
        if args.in_place and args.backup:
            target = Path(args.file)
            api.write_atomically(target.with_name(target.name + ".orig"), text)
        api.write_atomically(Path(output), result.output)
        plan = result.plan
        assert plan is not None
        print(
            f"Wrote {output}: {plan.build.ecosystem} build -> stage '{plan.builder_name}' + "
            f"runtime {plan.runtime.image}."
        )
    else:
        print("Nothing written.")
    command = equivalent_command(
        args.file,
        None if args.in_place else output,
        options,
        in_place=args.in_place,
        backup=args.backup,
        context=args.context,
    )
    print("Equivalent command:")
    print(f"  {paint.bold(command)}")
    return EXIT_OK


def _parse_or_fail(shown: str, text: str) -> api.Source:
    """The Dockerfile, parsed once for every rewrite the answers ask for."""
    try:
        return api.source_of(text, shown)
    except api.InputError as err:
        raise api.UsageError(f"{shown}: line {err.line}: {err.message}") from None


def _rewrite_or_fail(
    shown: str, source: api.Source, options: Options, context: Mapping[str, str]
) -> Result:
    try:
        return _try_rewrite(source, options, context)
    except _RewriteRefused as err:
        raise api.UsageError(f"{shown}: {err}") from None


class _RewriteRefused(Exception):
    pass


def _try_rewrite(source: api.Source, options: Options, context: Mapping[str, str]) -> Result:
    """The rewrite with ``options``; like the command line's, except that an ignore pragma
    does not stop it (the person running the wizard asks for it)."""
    try:
        return api.rewrite(source, options, context, honour_pragmas=False)
    except api.Refused as err:
        raise _RewriteRefused(err.message) from None
    except api.UsageError as err:  # options that contradict the file
        raise api.UsageError(f"{PROG}: {err}") from None


# -- what the analysis found -------------------------------------------------------------------


def size_class(image: str) -> str:
    """What kind of base image ``image`` is and its published compressed size, for the summary
    (``toolchain image, ≈ 299 MB``)."""
    from dockerslim_refactor.analysis import images as img
    from dockerslim_refactor.analysis.sizes import lookup

    ref = img.parse_image(image)
    info = img.base_image_info(ref)
    size = lookup(image).detail()
    if info.is_toolchain:
        return f"toolchain image, {size}"
    if ref.repository == "scratch":
        return f"empty image, {size}"
    if "distroless" in ref.repository:
        return f"distroless image, {size}"
    if ref.repository == "busybox":
        return f"busybox image, {size}"
    if ref.repository == "alpine":
        return f"Alpine image, {size}"
    if info.ecosystem is not None:
        return f"slim runtime image, {size}"
    if ref.repository in {"debian", "ubuntu"}:
        return f"OS image, {size}"
    return size


def summary_lines(shown: str, result: Result, paint: Paint) -> list[str]:
    analysis, plan = result.analysis, result.plan
    build = analysis.build
    assert build is not None and plan is not None
    ecosystem = ECOSYSTEM_NAMES.get(build.ecosystem, build.ecosystem)
    linkage = LINKAGE_NAMES.get(build.linkage, build.linkage)
    base, runtime = analysis.facts.image.text, plan.runtime.image
    counts: dict[str, int] = {}
    for finding in analysis.findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    found = ", ".join(
        f"{counts[s]} {_plural(s, counts[s])}" for s in ("error", "warning", "info") if s in counts
    )
    lines = [
        paint.bold(f"{shown}: {ecosystem} build ({linkage})"),
        f"  artifacts  {', '.join(_pair(a.path, a.dest) for a in build.artifacts)}",
        f"  base       {base} ({size_class(base)})",
        f"  runtime    {runtime} ({plan.runtime.reason}; {size_class(runtime)})",
        f"  size       {_estimate(result).short()} ({NOTE})",
        f"  findings   {found or 'none'}"
        + (f" (details: {PROG} analyze {shlex.quote(shown)})" if found else ""),
    ]
    for note in unsure_notes(result):
        flag = f" [{note.flag}]" if note.flag else ""
        lines.append(paint.yellow(f"  unsure     line {note.line}: {note.message}{flag}"))
    return lines


def _estimate(result: Result) -> SizeEstimate:
    estimate = api.size_estimate(result.analysis, result.plan)
    assert estimate is not None  # the summary is shown for a rewrite
    return estimate


def _plural(severity: str, count: int) -> str:
    return severity if severity == "info" or count == 1 else severity + "s"


def unsure_notes(result: Result) -> list[Finding]:
    """The DSR100 notes of the analysis and of the plan: what the tool is unsure of."""
    notes = [f for f in result.analysis.findings if f.code == "DSR100"]
    if result.plan is not None:
        notes += [f for f in result.plan.notes if f.code == "DSR100" and f not in notes]
    return notes


def _pair(path: str, dest: str) -> str:
    return path if not dest or dest == path else f"{path}:{dest}"


# -- the runtime base ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeChoice:
    family: str
    image: str | None
    """The image the rewrite would use, or ``None`` when the family cannot run the program."""
    cost: str
    """The image's published compressed size (``≈ 2.2 MB``, ``size unknown``), or empty."""
    why: str
    disabled: str | None
    """Why the family cannot run the program."""
    recommended: bool

    @property
    def title(self) -> str:
        if self.family == OTHER_IMAGE:
            return "another image: name it (--runtime-image; you vouch that it runs the program)"
        name = self.image or self.family
        text = f"{name}: {self.cost}, {self.why}" if self.cost else f"{name}: {self.why}"
        return text + " (recommended)" if self.recommended else text


def runtime_choices(result: Result) -> list[RuntimeChoice]:
    """The runtime bases, as the plan chooses them. First the plan's own (recommended: what
    ``dockerslim-refactor FILE -o OUT`` writes), then every family the plan puts the program
    on when asked with ``--runtime FAMILY``, then the ones it would not, disabled with the
    reason. An interpreted program keeps its image and a named ``--runtime-image`` is used as
    it is: one choice."""
    from dockerslim_refactor.plan import PlanError, choose_runtime

    analysis, plan = result.analysis, result.plan
    build = analysis.build
    assert build is not None and plan is not None
    runtime = plan.runtime
    why = FAMILY_OFFERS.get(runtime.family, runtime.reason)
    choices = [_runtime_choice(runtime.family, runtime.image, why, None, True)]
    if analysis.options.runtime_image:
        return choices
    if build.linkage == "interpreter":
        # The interpreter's slim image, or its distroless image when the program can run there.
        if runtime.family.startswith("distroless-"):
            options = replace(analysis.options, runtime="auto")
            base, _ = choose_runtime(analysis.facts, build, options)
            choices.append(
                _runtime_choice("slim", base.image, FAMILY_OFFERS["interpreter"], None, False)
            )
        elif build.ecosystem in INTERPRETERS_ON_DISTROLESS:
            options = replace(analysis.options, runtime="distroless")
            try:
                base, _ = choose_runtime(analysis.facts, build, options)
            except PlanError as err:
                choices.append(
                    _runtime_choice(
                        "distroless", None, FAMILY_OFFERS["distroless"], str(err), False
                    )
                )
            else:
                choices.append(
                    _runtime_choice(
                        "distroless", base.image, FAMILY_OFFERS["distroless"], None, False
                    )
                )
        return choices
    for family in RUNTIME_FAMILIES:
        if family == runtime.family:
            continue
        why = FAMILY_OFFERS[family]
        options = replace(analysis.options, runtime=family, runtime_image=None)
        try:
            base, _ = choose_runtime(analysis.facts, build, options)
        except PlanError as err:
            refusal = _refusal(analysis, build, family, None) or str(err)
            choices.append(_runtime_choice(family, None, why, refusal, False))
            continue
        if base.family == family:
            choices.append(_runtime_choice(family, base.image, why, None, False))
        else:
            refusal = _refusal(analysis, build, family, base)
            choices.append(_runtime_choice(family, None, why, refusal, False))
    choices.sort(key=lambda c: (not c.recommended, c.disabled is not None))
    return choices


def _runtime_choice(
    family: str, image: str | None, why: str, disabled: str | None, recommended: bool
) -> RuntimeChoice:
    """A choice with the published size of its image; a family the plan would not use has no
    image of its own, and shows no size."""
    from dockerslim_refactor.analysis.sizes import lookup

    cost = lookup(image).detail() if image is not None else ""
    return RuntimeChoice(family, image, cost, why, disabled, recommended)


def _refusal(
    analysis: Analysis, build: BuildInfo, family: str, chosen: RuntimeBase | None
) -> str | None:
    """Why the plan, asked for ``family``, runs the program on ``chosen`` instead (``None``:
    on nothing): what ``family`` lacks, else the plan's rule that settles the base."""
    from dockerslim_refactor.plan import fits, runtime_needs

    needs = runtime_needs(analysis.facts, build)
    packages = tuple(dict.fromkeys(needs.packages + analysis.options.runtime_packages))
    lacks = fits(family, replace(needs, packages=packages), build.linkage)
    if lacks is not None or chosen is None:
        return lacks
    if build.linkage == "glibc" and not analysis.facts.info.is_toolchain:
        return f"an OS or company image is its own runtime base: {chosen.image}"
    if build.linkage == "glibc" and chosen.family == "slim":
        if build.ecosystem not in {"go", "rust"}:
            what = "a C build" if build.ecosystem == "c" else "a native build"
            return f"{what} links what the toolchain image has: the builder's slim release"
        if any(f.flag == "--runtime-package" for f in build.findings):
            return (
                "a -dev library no table maps has its run-time library found in the builder: "
                "the builder's slim release"
            )
    return f"the rewrite runs this build on {chosen.image}"


# -- the questions -------------------------------------------------------------------------------


class Asker:
    """The questions, through questionary; Esc cancels like Ctrl-C."""

    def __init__(self) -> None:
        import questionary
        from prompt_toolkit.key_binding import KeyBindings

        self._questionary = questionary
        bindings = KeyBindings()

        @bindings.add("escape", eager=True)
        def _cancel(event: Any) -> None:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

        self._cancel_bindings = bindings

    def _ask(self, question: Any) -> Any:
        from prompt_toolkit.key_binding import merge_key_bindings

        app = question.application
        own = [app.key_bindings] if app.key_bindings is not None else []
        app.key_bindings = merge_key_bindings([*own, self._cancel_bindings])
        answer = question.unsafe_ask()
        if answer is None:
            raise _Cancelled
        return answer

    def text(
        self,
        message: str,
        default: str = "",
        validate: Callable[[str], bool | str] | None = None,
        instruction: str | None = None,
    ) -> str:
        q = self._questionary
        kwargs: dict[str, Any] = {"default": default, "instruction": instruction}
        if validate is not None:
            kwargs["validate"] = validate
        return str(self._ask(q.text(message, **kwargs)))

    def confirm(self, message: str, default: bool) -> bool:
        return bool(self._ask(self._questionary.confirm(message, default=default)))

    def select(self, message: str, choices: list[RuntimeChoice]) -> str:
        q = self._questionary
        items = [q.Choice(c.title, value=c.family, disabled=c.disabled) for c in choices]
        default = next(
            (c.family for c in choices if c.recommended),
            next(c.family for c in choices if c.disabled is None),
        )
        return str(self._ask(q.select(message, choices=items, default=default)))


def container_path_error(text: str, *, allow_empty: bool = False) -> str | None:
    """Why ``PATH[:DEST]`` is not a usable builder path, or ``None``."""
    text = text.strip()
    if not text:
        return None if allow_empty else "give a path"
    if any(ch.isspace() for ch in text):
        return "no spaces, please"
    src, sep, dest = text.partition(":")
    if not src.startswith("/"):
        return "an absolute path in the builder stage, starting with /"
    if sep and not dest.startswith("/"):
        return "DEST after ':' must be an absolute path too"
    return None


def _validator(allow_empty: bool = False) -> Callable[[str], bool | str]:
    def validate(text: str) -> bool | str:
        return container_path_error(text, allow_empty=allow_empty) or True

    return validate


def _ask_artifacts(
    ask: Asker,
    source: api.Source,
    context: Mapping[str, str],
    options: Options,
    result: Result,
) -> tuple[Options, Result]:
    build = result.analysis.build
    assert build is not None
    ecosystem = ECOSYSTEM_NAMES.get(build.ecosystem, build.ecosystem)
    # The installed tree is found at build time, not named: nothing to ask about it.
    named = [a for a in build.artifacts if a.kind != "installed-tree"]
    if not named:
        return options, result
    defaults = [_pair(a.path, a.dest) for a in named]
    unsure = {a.path: a.note for a in named if not a.certain}
    answers = list(defaults)
    while True:
        for i, default in enumerate(answers):
            number = f" {i + 1} of {len(answers)}" if len(answers) > 1 else ""
            path = default.split(":", 1)[0]
            note = unsure.get(path)
            answers[i] = ask.text(
                f"{ecosystem} build output{number} to copy into the runtime stage (PATH[:DEST]):",
                default=default,
                validate=_validator(),
                instruction=f"(a guess: {note})" if note else None,
            ).strip()
        if answers == defaults:
            return options, result
        changed = replace(options, artifacts=tuple(answers))
        attempt = _attempt(source, changed, context)
        if attempt is not None:
            return changed, attempt


def _attempt(source: api.Source, options: Options, context: Mapping[str, str]) -> Result | None:
    """The rewrite with the user's answer, or ``None`` after saying why it does not work."""
    try:
        attempt = _try_rewrite(source, options, context)
    except _RewriteRefused as err:
        print(f"  That does not work: {err}")
        return None
    if attempt.output is None:
        print(f"  That does not work: {attempt.reason}")
        return None
    return attempt


def _ask_missing_artifact(
    ask: Asker, source: api.Source, context: Mapping[str, str], options: Options
) -> tuple[Options, Result] | None:
    """Ask for the build output the analysis could not find; ``None`` leaves the file alone."""
    while True:
        answer = ask.text(
            "Build output to copy into the runtime stage (PATH[:DEST], empty to leave the file "
            "alone):",
            validate=_validator(allow_empty=True),
        ).strip()
        if not answer:
            return None
        changed = replace(options, artifacts=(answer,))
        attempt = _attempt(source, changed, context)
        if attempt is not None:
            return changed, attempt


def _ask_runtime(ask: Asker, result: Result, options: Options) -> Options:
    plan = result.plan
    assert plan is not None
    choices = runtime_choices(result)
    other = RuntimeChoice(OTHER_IMAGE, None, "", "", None, False)
    at = next((i for i, c in enumerate(choices) if c.disabled), len(choices))
    family = ask.select("Runtime base:", [*choices[:at], other, *choices[at:]])
    if family == OTHER_IMAGE:
        image = ask.text(
            "Runtime image:", default=plan.runtime.image, validate=_image_validator
        ).strip()
        return replace(options, runtime_image=image)
    if family == plan.runtime.family:
        return options
    return replace(options, runtime=family)


def _image_validator(text: str) -> bool | str:
    text = text.strip()
    if not text:
        return "name an image, e.g. debian:bookworm-slim"
    if any(ch.isspace() for ch in text) or text.startswith("-"):
        return "one image reference, e.g. gcr.io/distroless/cc-debian12"
    return True


def _ask_user(
    ask: Asker,
    shown: str,
    source: api.Source,
    context: Mapping[str, str],
    options: Options,
    result: Result,
) -> Options:
    facts = result.analysis.facts
    if facts.user is not None and facts.user.split(":")[0] not in {"root", "0"}:
        return options  # the original's own user is kept
    plan = result.plan
    if not options.non_root:
        plan = _rewrite_or_fail(shown, source, replace(options, non_root=True), context).plan
    assert plan is not None
    who = (plan.user or "USER 65534:65534").split(None, 1)[1]
    question = (
        f"Run the program as the non-root user {who}? The original runs as root; a program "
        "that writes to $HOME, its folder or /run may then fail"
    )
    if facts.user is not None:
        question += f" (the original sets USER {facts.user})"
    non_root = ask.confirm(question, default=options.non_root)
    return replace(options, non_root=non_root)


def _ask_command(
    ask: Asker,
    shown: str,
    source: api.Source,
    context: Mapping[str, str],
    options: Options,
    result: Result,
) -> tuple[Options, Result]:
    """A command that runs through the toolchain (``cargo run``, ``npm start``): run what it
    runs directly (the default), or keep it (``--keep-command``)."""
    wrapper = result.analysis.facts.wrapper
    if wrapper is None:
        return options, result
    direct = " ".join(wrapper.argv)
    question = f"The image runs '{wrapper.was}'. Run '{direct}' directly instead?"
    if wrapper.build:
        question += " (No keeps the toolchain in the image, so the file is left alone)"
    if ask.confirm(question, default=True):
        return options, result
    options = replace(options, keep_command=True)
    return options, _rewrite_or_fail(shown, source, options, context)


def _confirm_ports(ask: Asker, shown: str, result: Result) -> None:
    ports = [w for ins in result.analysis.facts.stage.all("EXPOSE") for w in ins.value.split()]
    if not ports:
        return
    if not ask.confirm(f"Ports from EXPOSE, kept as written: {', '.join(ports)}. Right?", True):
        print(f"  The ports come from EXPOSE in {shown}; edit them there, the rewrite keeps them.")


def _ask_keep(ask: Asker, options: Options) -> Options:
    keep = list(options.keep)
    while True:
        answer = ask.text(
            "Another file or folder to copy from the builder (PATH[:DEST], empty when done):",
            validate=_validator(allow_empty=True),
        ).strip()
        if not answer:
            return replace(options, keep=tuple(keep))
        keep.append(answer)


# -- output --------------------------------------------------------------------------------------


def default_output(path: str) -> str:
    """``Dockerfile.new`` next to the input (``FILE.new`` when the input is that file)."""
    candidate = os.path.join(os.path.dirname(path), DEFAULT_OUTPUT_NAME)
    return path + ".new" if api.same_file(candidate, path) else candidate


def _output_validator(input_path: str) -> Callable[[str], bool | str]:
    def validate(text: str) -> bool | str:
        text = text.strip()
        if not text:
            return "give a file name"
        if api.same_file(text, input_path):
            return "that is the input file; run with --in-place to replace it"
        try:
            api.check_output_target(Path(text))
        except api.UsageError as err:
            return str(err)
        return True

    return validate


def diff_lines(before: str, after: str, shown: str, output: str) -> list[str]:
    return [
        line.rstrip("\r\n")
        for line in difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=shown,
            tofile=output,
        )
    ]


def equivalent_command(
    file: str,
    output: str | None,
    options: Options,
    *,
    in_place: bool = False,
    backup: bool = False,
    context: str | None = None,
) -> str:
    """The non-interactive command that writes the same file: only flags that differ from the
    defaults."""
    default = Options()
    words = [PROG, file]
    if in_place:
        words.append("--in-place")
        if backup:
            words.append("--backup")
    elif output:
        words += ["-o", output]
    if options.runtime != default.runtime:
        words += ["--runtime", options.runtime]
    if options.runtime_image:
        words += ["--runtime-image", options.runtime_image]
    if options.stage_name != default.stage_name:
        words += ["--stage-name", options.stage_name]
    for path in options.artifacts:
        words += ["--artifact", path]
    for path in options.keep:
        words += ["--keep", path]
    for name in options.runtime_packages:
        words += ["--runtime-package", name]
    if options.linkage != default.linkage:
        words += ["--linkage", options.linkage]
    if options.non_root:
        words.append("--non-root")
    if options.keep_command:
        words.append("--keep-command")
    if options.java_modules:
        words += ["--java-modules", ",".join(options.java_modules)]
    if not options.strip:
        words.append("--no-strip")
    if not options.split_chains:
        words.append("--no-split")
    if context:
        words += ["--context", context]
    for code in sorted(options.disabled_rules):
        words += ["--disable", code]
    return shlex.join(words)


@dataclass(frozen=True)
class Paint:
    """ANSI colours when writing to a terminal (and ``NO_COLOR`` is not set)."""

    enabled: bool

    @classmethod
    def for_stream(cls, stream: Any) -> Paint:
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError, OSError):
            tty = False
        return cls(tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb")

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)

    def diff(self, line: str) -> str:
        if line.startswith(("+++", "---")):
            return self._wrap("1", line)
        if line.startswith("@@"):
            return self._wrap("36", line)
        if line.startswith("+"):
            return self._wrap("32", line)
        if line.startswith("-"):
            return self._wrap("31", line)
        return line
