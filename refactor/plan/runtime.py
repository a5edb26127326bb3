"""Runtime choice: what the program needs at run time (a shell, tools, libraries, CA
certificates) and the base image that provides it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dockerslim_refactor.analysis import images as img
from dockerslim_refactor.analysis.model import BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.program import (
    RUN_TOOL_PACKAGES,
    SHELLS,
    followed_script,
    tools_run_by_sources,
)
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan.model import PlanError, RuntimeBase, note
from dockerslim_refactor.shell import parse_shell

SHELL_BUILTINS = frozenset(
    {
        "exec",
        "echo",
        "test",
        "[",
        "true",
        "false",
        "cd",
        "export",
        "set",
        "trap",
        "sleep",
        "kill",
        "printf",
        "exit",
        "wait",
        "read",
        "eval",
        "env",
        "sh",
        "cat",
    }
)


@dataclass(frozen=True)
class RuntimeNeeds:
    shell: bool
    tools: tuple[str, ...]
    packages: tuple[str, ...]
    ca: bool


def runtime_needs(facts: StageFacts, build: BuildInfo) -> RuntimeNeeds:
    shell = False
    tools: list[str] = []
    programs = {posixpath.basename(a.dest) for a in build.artifacts}
    for keyword in ("ENTRYPOINT", "CMD", "HEALTHCHECK"):
        ins = facts.stage.last(keyword)
        if ins is None:
            continue
        if keyword == "ENTRYPOINT" and ins is not facts.entrypoint:
            continue
        if facts.wrapper is not None and ins is facts.wrapper.instruction:
            shell = shell or facts.wrapper.shell_form  # it now runs the built program
            continue
        if keyword == "HEALTHCHECK":
            words = ins.value.split(None, 1)
            if not words or words[0].upper() == "NONE":
                continue
            rest = words[1] if len(words) > 1 else ""
            inner = rest.strip()
            if inner.startswith("["):
                import json

                try:
                    argv = json.loads(inner)
                except ValueError:
                    argv = []
                if argv and isinstance(argv, list):
                    tools.append(posixpath.basename(str(argv[0])))
                continue
            shell = True
            script = parse_shell(inner, None)
        elif ins.is_json:
            argv = ins.json_args or ()
            if argv and posixpath.basename(argv[0]) in {"sh", "bash", "ash"}:
                shell = True
                tools.append(posixpath.basename(argv[0]))
                if len(argv) > 2 and argv[1] == "-c":
                    script = parse_shell(argv[2], None)
                    tools.extend(c.basename for c in script.commands)
            continue
        else:
            shell = True
            script = parse_shell(ins.value, None)
        tools.extend(c.basename for c in script.commands)
    exe = facts.executable or ""
    if exe.endswith(".sh"):
        shell = True
    tools += tools_run_by_sources(facts)
    found = followed_script(facts)
    if found is not None:
        # The command runs a script from the build context: a shell, and what it runs.
        shell = True
        for cmd in found[1].commands:
            name = cmd.args[0] if cmd.basename == "exec" and cmd.args else cmd.basename
            if "$" not in name:
                tools.append(posixpath.basename(name))
    wanted = tuple(
        dict.fromkeys(
            t
            for t in tools
            if t and t not in SHELL_BUILTINS and t not in programs and t != posixpath.basename(exe)
        )
    )
    return RuntimeNeeds(shell, wanted, build.runtime_packages, build.needs_ca_certificates)


def with_extra_packages(needs: RuntimeNeeds, options: Options) -> RuntimeNeeds:
    packages = tuple(dict.fromkeys(needs.packages + options.runtime_packages))
    return RuntimeNeeds(needs.shell, needs.tools, packages, needs.ca)


# What each family offers: a shell, tools it has or can install, OS packages.
_FAMILY_TOOLS = {
    "alpine": {"sh", "ash", "wget", "nc", "unzip", "curl", "bash"},
    "busybox": {"sh", "ash", "wget", "nc", "unzip"},
    "scratch": set(),
    "distroless": set(),
    "slim": {"sh", "bash", "curl", "wget"},
}


# Busybox's applets stand in for wget and unzip on alpine.
_INSTALLABLE = {
    "alpine": {"curl", "bash", *(set(RUN_TOOL_PACKAGES) - {"wget", "unzip"})},
    "slim": {"curl", "wget", *RUN_TOOL_PACKAGES},
}

# Utilities every shell base has: busybox applets that Debian's slim images also ship
# (coreutils, sed, grep, mawk, findutils, tar, gzip).
BASE_UTILITIES = frozenset(
    {
        "mkdir", "cp", "mv", "rm", "ln", "chmod", "chown", "touch", "ls", "sed", "grep",
        "awk", "head", "tail", "tr", "cut", "sort", "uniq", "wc", "basename", "dirname",
        "readlink", "realpath", "id", "whoami", "date", "tee", "xargs", "find", "expr",
        "seq", "stat", "mktemp", "uname", "tar", "gzip", "du", "df", "nohup", "yes",
    }
)  # fmt: skip
_SHELL_BASES = frozenset({"alpine", "busybox", "slim"})


def fits(family: str, needs: RuntimeNeeds, linkage: str) -> str | None:
    """Why ``family`` cannot run the program, or ``None`` when it can."""
    if linkage == "glibc" and family in {"alpine", "busybox", "scratch"}:
        return f"the program links glibc, which {family} does not have"
    if linkage == "musl" and family != "alpine":
        return "the program links musl dynamically; only alpine has it"
    if needs.shell and family in {"scratch", "distroless"}:
        return f"the image's command needs /bin/sh, which {family} does not have"
    offered = _FAMILY_TOOLS[family] | _INSTALLABLE.get(family, set())
    if family in _SHELL_BASES:
        offered |= BASE_UTILITIES
    missing = [t for t in needs.tools if t not in offered]
    if missing:
        return f"the image's command uses {', '.join(missing)}, which {family} does not have"
    if needs.packages and family != "slim":
        return f"the program needs {', '.join(needs.packages)}, installable only on Debian"
    return None


_FALLBACKS = {
    "auto": ("alpine", "distroless", "slim"),
    "alpine": ("alpine", "slim"),
    "busybox": ("busybox", "alpine", "slim"),
    "scratch": ("scratch", "busybox", "alpine", "slim"),
    "distroless": ("distroless", "busybox", "alpine", "slim"),
    "slim": ("slim",),
}


_GLIBC_FALLBACKS = {
    "auto": ("distroless", "slim"),
    "slim": ("slim",),
}


def choose_runtime(
    facts: StageFacts, build: BuildInfo, options: Options
) -> tuple[RuntimeBase, list[Finding]]:
    needs = with_extra_packages(runtime_needs(facts, build), options)
    line = facts.stage.from_instruction.start_line
    notes: list[Finding] = []
    if options.runtime_image:
        ref = img.parse_image(options.runtime_image)
        info = img.base_image_info(ref)
        family = "custom"
        return (
            RuntimeBase(
                options.runtime_image, family, info.has_shell, "named with --runtime-image"
            ),
            notes,
        )
    if build.linkage == "interpreter":
        assert build.runtime_image is not None
        reason = f"the same interpreter as {facts.image.text}, without its build tools"
        if options.runtime == "distroless" and build.ecosystem == "node":
            return node_distroless(facts, line), notes
        if options.runtime == "distroless" and build.ecosystem == "java":
            return java_distroless(facts, line, notes), notes
        if options.runtime == "distroless" and build.ecosystem == "python":
            return python_distroless(facts), notes
        if options.runtime not in {"auto", "slim"}:
            notes.append(
                note(
                    line,
                    f"--runtime {options.runtime} applies to native programs; an interpreted "
                    f"program keeps its interpreter image ({build.runtime_image})",
                    flag="--runtime-image",
                )
            )
        image = _as_written(facts, build.runtime_image)
        return RuntimeBase(image, "interpreter", True, reason), notes
    if build.linkage == "musl":
        image = _alpine_release(facts)
        if image is None and not facts.info.is_toolchain:
            # node:6.11-alpine, a company alpine image: no compilers to leave behind, so the
            # runtime is the builder's own image, whose libraries are the builder's.
            image = _as_written(facts, facts.image.text)
            return (
                RuntimeBase(image, "same", True, f"the same image as the builder, {image}"),
                notes,
            )
        if image is None:
            raise PlanError(
                f"the program links musl dynamically and {facts.image.text} does not name its "
                "alpine release, so no runtime can be proven to have the same libraries; pass "
                "--runtime-image with the builder's release (alpine:3.X), or --linkage static"
            )
        if options.runtime not in {"auto", "alpine"}:
            notes.append(
                _instead(
                    line,
                    image,
                    options,
                    "the program links musl dynamically, which only alpine has",
                    "--runtime",
                )
            )
        return RuntimeBase(image, "alpine", True, "the program links musl, like its builder"), notes
    if build.linkage == "glibc" and not facts.info.is_toolchain:
        # An OS or company image: the runtime is the same image (its slim variant for Debian),
        # so the release, the libraries and the package names are the builder's own.
        image = _as_written(facts, _same_release(facts))
        if options.runtime not in {"auto", "slim"}:
            why = (
                f"the program uses what the build installed from {facts.image.text}'s "
                "packages, which only that release has"
            )
            notes.append(_instead(line, image, options, why))
        return (
            RuntimeBase(image, "same", True, f"the same release as {facts.image.text}"),
            notes,
        )
    order_reason = None
    codename: str | None = None
    release_check: str | None = None
    interpreter = facts.info.ecosystem
    if build.linkage == "glibc" and interpreter in {"python", "node", "ruby"}:
        # A build on an interpreter's full image (a gem's C extension, a make install): that
        # interpreter's slim image is the same release and still runs what the build made.
        slim = img.interpreter_runtime(facts.image, interpreter)
        if slim is not None:
            reason = f"the same interpreter and release as {facts.image.text}, without compilers"
            image = _as_written(facts, slim)
            if options.runtime not in {"auto", "slim"}:
                why = (
                    f"the build installed into {facts.image.text}'s {interpreter}, which the "
                    "program may use, so it keeps that interpreter's slim image"
                )
                notes.append(_instead(line, image, options, why))
            return RuntimeBase(image, "interpreter", True, reason), notes
    if build.linkage == "glibc":
        order = _GLIBC_FALLBACKS.get(options.runtime, ("distroless", "slim"))
        unmapped = any(f.flag == "--runtime-package" for f in build.findings)
        if build.ecosystem not in {"go", "rust"} or unmapped:
            # A C or C++ build links what the toolchain image has, often more than
            # distroless/cc, and so does a -dev library no table maps: the slim release,
            # with the libraries found in the builder.
            order = ("slim",)
            order_reason = (
                "the program may load libraries only the builder's release has, so it runs "
                "on that release's slim image, which installs what the builder finds"
            )
        crate = _published_crate(facts) if build.ecosystem == "rust" else None
        if crate and options.runtime == "auto":
            # Its code was never read: whether it runs a shell (a script probe, a hook) is
            # not known, so it keeps one, on the builder's release.
            order = ("slim",)
            order_reason = (
                f"cargo install fetched {crate}'s sources from the registry, unread: it may "
                "run a shell or other programs, so it runs on the slim image of the builder's "
                "release; --runtime distroless takes distroless"
            )
            notes.append(note(line, order_reason, flag="--runtime"))
        codename, named = img.builder_codename(facts.image)
        guess = None if named else img.probable_codename(facts.image)
        if guess is not None:
            # rust:1.51 was built on buster: take that release, and let the builder check it.
            codename, release_check = guess, guess
            notes.append(
                note(
                    line,
                    f"{facts.image.text} does not name its Debian release; the runtime takes it "
                    f"to be {guess} (the release that tag was built on) and the builder stops "
                    "with a message if it is another; --runtime-image settles it",
                    flag="--runtime-image",
                )
            )
        elif not named:
            # The release behind a tag changes over the years (rust:latest is trixie now,
            # rust:1.51 was buster): a runtime of another release has other libraries.
            raise PlanError(
                f"the program links glibc dynamically and {facts.image.text} does not name its "
                "Debian release, so no runtime can be proven to match it; pass --runtime-image "
                f"with the builder's release (for example debian:{codename}-slim), or "
                "--linkage static"
            )
        if codename not in _DISTROLESS_RELEASES:
            order = tuple(f for f in order if f != "distroless")
    else:
        order = _FALLBACKS[options.runtime]
        runs = [t for t in tools_run_by_sources(facts) if t in RUN_TOOL_PACKAGES]
        if runs and options.runtime != "alpine" and facts.info.libc == "glibc":
            # The programs the app runs come from the builder's own release: alpine's git or
            # curl is another version, which may behave otherwise (git's safe.directory).
            codename, named = img.builder_codename(facts.image)
            guess = None if named else img.probable_codename(facts.image)
            if named or guess:
                if guess is not None:
                    codename, release_check = guess, guess
                order = ("slim",)
                notes.append(
                    note(
                        line,
                        f"the program runs {', '.join(runs)}: the runtime is the builder's "
                        f"release ({codename}), so {'they are' if len(runs) > 1 else 'it is'} "
                        "the version the original had; --runtime alpine takes alpine's",
                        flag="--runtime",
                    )
                )
    refused: list[str] = []
    if options.runtime not in order and options.runtime != "auto":
        why = fits(options.runtime, needs, build.linkage) or order_reason
        refused.append(f"{options.runtime}: {why or 'not a runtime for this program'}")
    for family in order:
        why = fits(family, needs, build.linkage)
        if why is None:
            image = _image_for(family, facts, build, codename)
            reason = f"{'static' if build.linkage == 'static' else 'glibc-linked'} program"
            if refused:
                first_refusal = refused[0].split(": ", 1)[1]
                notes.append(_instead(line, image, options, first_refusal, "--runtime"))
            has_shell = family not in {"scratch", "distroless"}
            return RuntimeBase(image, family, has_shell, reason, release_check), notes
        refused.append(f"{family}: {why}")
    raise PlanError(
        "no runtime base can run the program: "
        + "; ".join(refused)
        + "; --runtime-image names one that can"
    )


def _published_crate(facts: StageFacts) -> str | None:
    from dockerslim_refactor.analysis.ecosystems.rust import installs_published_crate

    return installs_published_crate(facts)


def _instead(
    line: int, image: str, options: Options, why: str, flag: str = "--runtime-image"
) -> Finding:
    """The note for a runtime other than the one ``--runtime`` asked for, and why."""
    return note(line, f"runtime {image} instead of {options.runtime}: {why}", flag=flag)


def _refusal(why: str) -> PlanError:
    return PlanError(f"--runtime distroless: {why}; --runtime slim keeps a shell")


def _distroless_command(
    facts: StageFacts,
    interpreter: str,
    on_path: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
) -> None:
    """Refuse, naming ``--runtime slim``, what an interpreter's distroless image cannot run:
    a command other than ``interpreter`` itself in exec form (a shell form, ``sh -c``, an
    entrypoint script, npm), a HEALTHCHECK that needs a shell or a program not ``on_path``
    (Docker finds a HEALTHCHECK's program on the PATH), or a user the image does not have."""
    argv = facts.program
    wrapper = facts.wrapper
    shell_form = (wrapper.shell_form if wrapper else None) or (
        len(argv) >= 2 and argv[0] == "/bin/sh" and argv[1] == "-c"
    )
    if len(argv) < 2 or shell_form or posixpath.basename(argv[0]) not in {interpreter, *names}:
        shown = " ".join(argv) if argv else "nothing"
        raise _refusal(f"the image runs {shown!r}, and distroless runs only {interpreter} itself")
    check = _healthcheck_program(facts)
    if check is not None and check not in on_path:
        where = " on its PATH" if check == interpreter else ""
        raise _refusal(f"the HEALTHCHECK runs {check}, which distroless does not have{where}")
    user = (facts.user or "root").split(":")[0]
    if user not in {"root", "0", "nonroot", "nobody"} and not user.isdigit():
        raise _refusal(f"distroless has no user {user!r} (only root, nobody and nonroot)")


def _healthcheck_program(facts: StageFacts) -> str | None:
    """The program the stage's HEALTHCHECK runs (``a shell`` for a shell form), or ``None``
    when there is none."""
    ins = facts.stage.last("HEALTHCHECK")
    words = ins.value.split() if ins is not None else []
    while words and words[0].startswith("--"):
        words.pop(0)  # --interval=30s and the like
    if len(words) < 2 or words[0].upper() != "CMD":
        return None  # none, or HEALTHCHECK NONE
    if ins.json_args is None:
        rest = ins.value[ins.value.upper().index("CMD") + 3 :].strip()
        if not rest.startswith("["):
            return "a shell"
        try:
            import json

            argv = json.loads(rest)
        except ValueError:
            return "a shell"
    else:
        argv = list(ins.json_args)
    return posixpath.basename(str(argv[0])) if argv else None


# The Node.js majors Google publishes distroless images of, on Debian 12.
DISTROLESS_NODE_MAJORS = (18, 20, 22)
DISTROLESS_NODE = "/nodejs/bin/node"
"""Where node is in the distroless image, whose ENTRYPOINT runs it."""


def node_distroless(facts: StageFacts, line: int) -> RuntimeBase:
    """The distroless Node.js image of the builder's major version, or a PlanError saying why
    the program cannot run there and naming ``--runtime slim``. Distroless has no shell, no
    npm and no package manager: the program must be ``node`` running a script, as root or a
    user the image knows, and the runtime stage can have no RUN."""
    ref = facts.image
    major = int(ref.version.split(".")[0]) if ref.version and ref.version[0].isdigit() else None
    if major not in DISTROLESS_NODE_MAJORS:
        majors = ", ".join(str(m) for m in DISTROLESS_NODE_MAJORS)
        raise _refusal(f"distroless Node.js images exist for Node {majors}, not {ref.text}")
    if ref.is_alpine:
        raise _refusal(f"{ref.text} is alpine (musl); distroless Node.js is Debian 12 (glibc)")
    codename = ref.debian_codename
    if codename not in (None, "bookworm"):
        raise _refusal(f"{ref.text} is Debian {codename}; distroless Node.js is Debian 12")
    _distroless_command(facts, "node")
    if "NODE_PATH" in facts.env:
        raise _refusal("NODE_PATH points node at folders outside the app")
    return RuntimeBase(
        f"gcr.io/distroless/nodejs{major}-debian12",
        "distroless-node",
        False,
        f"distroless Node.js {major}: node and the libraries it loads, no shell or npm",
        None if codename else "bookworm",
        program=DISTROLESS_NODE,
        entrypoint=(DISTROLESS_NODE,),
    )


# The distroless Java images Google publishes (Debian 12), for a JDK without jlink.
DISTROLESS_JAVA_IMAGES = {
    17: "gcr.io/distroless/java17-debian12",
    21: "gcr.io/distroless/java21-debian12",
}
DISTROLESS_JAVA = "/usr/bin/java"
"""Where java is in the distroless Java images, whose ENTRYPOINT is ``java -jar``."""
JLINKED_JAVA = "/opt/java"
"""Where the runtime stage has the Java runtime jlink made in the builder."""
JLINK_MAJOR = 9
"""The first JDK with jlink and jdeps' module options."""


def java_distroless(facts: StageFacts, line: int, notes: list[Finding]) -> RuntimeBase:
    """distroless/cc with a Java runtime that jlink makes in the builder from the modules
    the app uses; for a JDK without jlink, the distroless Java image of the same major when
    there is one. Otherwise, or when the program needs a shell or a user distroless lacks,
    a PlanError saying why and naming ``--runtime slim``."""
    ref = facts.image
    if ref.is_alpine:
        raise _refusal(
            f"{ref.text} is alpine (musl), and the Java runtime its jlink makes would need "
            "musl; distroless is glibc, so the builder must be a Debian or Ubuntu JDK image"
        )
    found = img.java_major(ref)
    if not found or not found.isdigit():
        from dockerslim_refactor.analysis.ecosystems.java import distribution_jdk

        jdk = distribution_jdk(facts)
        if jdk is not None:
            # Its jlink would link against the distribution's Java build and release,
            # which nothing here checks against distroless's Debian.
            raise _refusal(
                f"Java comes from the distribution's {jdk[1]}, which is not known to make a "
                "runtime for distroless's Debian"
            )
        raise _refusal(f"the Java version of {ref.text} is not known")
    major = int(found)
    if facts.info.ecosystem is None:
        # A company's image: whether it has jlink, and which Debian it is on, is not known.
        raise _refusal(f"{ref.text} is not known to be a JDK with jlink on Debian")
    if not facts.info.is_toolchain:
        raise _refusal(f"{ref.text} is a JRE, without the jlink that makes a runtime")
    # The jlinked runtime's bin is on the PATH the runtime stage sets, and the distroless
    # Java images have /usr/bin/java.
    _distroless_command(facts, "java", frozenset({"java"}))
    if major >= JLINK_MAJOR:
        return RuntimeBase(
            "gcr.io/distroless/cc-debian12",
            "distroless-jlink",
            False,
            f"distroless/cc and a Java {major} runtime that jlink made of the app's modules",
            program=f"{JLINKED_JAVA}/bin/java",
        )
    image = DISTROLESS_JAVA_IMAGES.get(major)
    if image is None:
        known = ", ".join(str(m) for m in DISTROLESS_JAVA_IMAGES)
        raise _refusal(
            f"Java {major} has no jlink to make a runtime with, and distroless Java images "
            f"exist for Java {known}, not {major}"
        )
    argv = facts.program
    if facts.entrypoint is None and argv[1:2] != ("-jar",):
        raise _refusal(
            f"the distroless Java image's ENTRYPOINT runs 'java -jar', and the image's CMD "
            f"runs {' '.join(argv)!r}"
        )
    notes.append(
        note(
            line,
            f"Java {major} has no jlink: the runtime is the distroless Java {major} image, "
            "with its whole JRE",
            flag="--runtime",
        )
    )
    return RuntimeBase(
        image,
        "distroless-java",
        False,
        f"distroless Java {major}: a JRE and the libraries it loads, no shell",
        program=DISTROLESS_JAVA,
        entrypoint=(DISTROLESS_JAVA, "-jar"),
    )


DISTROLESS_PYTHON = "/usr/bin/python3.11"
"""Debian 12's Python in the distroless Python image, which is also its ENTRYPOINT."""
DISTROLESS_PYTHON_VERSION = "3.11"
DISTROLESS_PYTHON_PACKAGES = "/usr/local/lib/python3.11/dist-packages"
"""A folder that Debian's Python puts on sys.path (with its .pth files) when it exists."""
PYTHON_NAMES = frozenset({"python", "python3", "python3.11"})


def python_distroless(facts: StageFacts) -> RuntimeBase:
    """The distroless Python image (Debian 12's Python 3.11) for a build on the official
    Python 3.11 images, or a PlanError saying why not and naming ``--runtime slim``. The
    packages go where Debian's Python finds them, not into a virtual environment whose
    interpreter link points at the builder's Python; the builder checks that their compiled
    modules need no newer glibc and no library the image lacks."""
    ref = facts.image
    if ref.name != "python":
        raise _refusal(f"distroless Python is Debian 12's Python 3.11, not {ref.text}'s")
    version = ref.version or ""
    if version != DISTROLESS_PYTHON_VERSION and not version.startswith(
        DISTROLESS_PYTHON_VERSION + "."
    ):
        raise _refusal(
            f"distroless Python is Python {DISTROLESS_PYTHON_VERSION}, and {ref.text} is "
            f"Python {version or 'of no version the tag names'}"
        )
    if ref.is_alpine:
        raise _refusal(f"{ref.text} is alpine (musl); distroless Python is Debian 12 (glibc)")
    argv = facts.program
    name = posixpath.basename(argv[0]) if argv else ""
    module = None
    if name and name not in PYTHON_NAMES | SHELLS and "/" not in argv[0]:
        # gunicorn, celery: a console script, whose #! line names the builder's Python. The
        # runtime runs its package as `python -m gunicorn`; the builder checks there is one.
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise _refusal(
                f"the image runs {argv[0]!r}, a script whose #! line names the builder's "
                f"Python, and no module has that name to run with `python -m`"
            )
        module = name
    names = PYTHON_NAMES | ({module} if module else set())
    _distroless_command(facts, "python", frozenset({"python3.11"}), frozenset(names))
    return RuntimeBase(
        "gcr.io/distroless/python3-debian12",
        "distroless-python",
        False,
        "distroless Python 3.11: Python and the libraries it loads, no shell or pip",
        program=DISTROLESS_PYTHON,
        module=module,
        entrypoint=(DISTROLESS_PYTHON,),
    )


def _alpine_release(facts: StageFacts) -> str | None:
    """``alpine:X.Y`` of the builder's release, or the builder's own alpine image; ``None``
    when the tag does not say which release it is."""
    ref = facts.image
    version = img.alpine_version(ref) or ""
    if ref.name == "alpine":
        return ref.text if version not in {"", "latest", "edge"} else None
    return f"alpine:{version}" if re.fullmatch(r"\d+\.\d+", version) else None


def _same_release(facts: StageFacts) -> str:
    """The original's own image, or its slim variant where Debian publishes one."""
    ref = facts.image
    if ref.repository == "debian" and ref.tag and not ref.digest and "$" not in ref.text:
        words = ref.variant_words
        if len(words) == 1 and (words[0] in img.DEBIAN_RELEASES or words[0].isdigit()):
            return f"{ref.text}-slim"
    return ref.text


def _as_written(facts: StageFacts, image: str) -> str:
    """The builder's own image as the file writes it, when the runtime is that image (or
    its Debian ``-slim``) and build arguments choose it: ``FROM php:${PHP_TAG}`` stays so,
    and a build with another ``--build-arg`` gets the matching runtime."""
    written = facts.stage.base.strip()
    if "$" not in written:
        return image
    if image == facts.image.text:
        return written
    # node:10 -> node:10-slim: the same suffix after the written reference names the runtime
    # of whatever --build-arg chooses, when the variable is not in the tag (`$BASE:10`) or the
    # image is Debian's (`debian:${TAG}`). Other tags put -slim inside (3.11-slim-bookworm).
    suffix = image[len(facts.image.text) :] if image.startswith(facts.image.text) else ""
    tag = written.rsplit("/", 1)[-1].partition(":")[2]
    literal_tag = bool(tag) and "$" not in tag
    if (
        re.fullmatch(r"-[a-z0-9.-]+", suffix)
        and not facts.image.digest
        and (literal_tag or facts.image.repository == "debian")
        and re.search(r"(\}|\$\w+|[\w.-])$", written)
    ):
        return f"{written}{suffix}"
    return image


_DISTROLESS_RELEASES = {"bullseye": "11", "bookworm": "12", "trixie": "13"}


def _image_for(family: str, facts: StageFacts, build: BuildInfo, codename: str | None) -> str:
    codename = codename or img.builder_codename(facts.image)[0]
    release = _DISTROLESS_RELEASES.get(codename, "12")
    if family == "alpine":
        return img.ALPINE
    if family == "busybox":
        return img.BUSYBOX
    if family == "scratch":
        return img.SCRATCH
    if family == "distroless":
        kind = "static" if build.linkage == "static" else "cc"
        return f"gcr.io/distroless/{kind}-debian{release}"
    return img.debian_slim(codename)
