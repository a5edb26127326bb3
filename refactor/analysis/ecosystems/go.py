"""Go: ``go build`` / ``go install`` outputs, cgo and static linking."""

from __future__ import annotations

import posixpath
import re
import shlex

from dockerslim_refactor.analysis.go_wrapper import GO_WRAPPER_GUESS, go_wrapper_binary
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.packages import bare_package, package_installs
from dockerslim_refactor.analysis.program import (
    UNSURE,
    artifacts_from_options,
    context_destinations,
    installs_ca_certificates,
    pick_program,
    removed_folders,
    runtime_packages,
    uncertain_findings,
    unsure,
)
from dockerslim_refactor.options import Options

_CGO_IMPORT = re.compile(r'^\s*import\s+"C"\s*$', re.M)
# Evidence that the program opens TLS connections itself (a server needs no CA bundle).
_TLS_CLIENT = re.compile(
    r"\bhttp\.(Get|Post|PostForm|Head|Client|DefaultClient|NewRequest(WithContext)?)\b"
    r"|\btls\.(Dial|Client)\b|\bx509\.SystemCertPool\b|\bsmtp\.Dial\b|\bgrpc\.Dial\b"
)


TOOL = "a tool installed with go install PKG@VERSION"


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    candidates: list[Artifact] = []
    lines: list[int] = []
    cgo_values: list[str | None] = []
    built: list[tuple[str, list[str]]] = []  # (folder, packages) of each go build/install
    # GOPATH may list several folders (Godeps' _workspace after the project's own): go
    # install writes to the first one's bin, and sources live under any of them.
    gopath_list = facts.env.get("GOPATH", "/go")
    gopath = next((p for p in gopath_list.split(":") if p), "/go")
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename == "go-wrapper" and cmd.subcommand == "install":
                # The golang images' go-wrapper (the -onbuild triggers): `go install -v` of
                # the package in the folder, named after its import comment.
                cwd = cmd.cwd or step.workdir or facts.workdir
                line = step.instruction.start_line
                lines.append(line)
                cgo_values.append(cmd.env_value("CGO_ENABLED") or step.env.get("CGO_ENABLED"))
                built.append((cwd, ["."]))
                path, certain = go_wrapper_binary(facts, cwd, step.env)
                note = None if certain else GO_WRAPPER_GUESS
                candidates.append(Artifact(path, "", "binary", line, certain, note))
                continue
            if cmd.basename != "go" or cmd.subcommand not in {"build", "install"}:
                continue
            cwd = cmd.cwd or step.workdir or facts.workdir
            line = step.instruction.start_line
            lines.append(line)
            cgo_values.append(cmd.env_value("CGO_ENABLED") or step.env.get("CGO_ENABLED"))
            packages = [p for p in cmd.positional[1:] if not _is_flag_value(cmd.args, p)]
            built.append((cwd, [p for p in packages if "@" not in p] or ["."]))
            if cmd.subcommand == "build":
                out = cmd.flag_value("-o")
                if out:
                    path = facts.resolve(out, cwd)
                    if out.endswith("/"):
                        path = posixpath.join(path, _package_name(packages, cwd))
                    candidates.append(Artifact(path, path, "binary", line))
                else:
                    name = _package_name(packages, cwd)
                    candidates.append(
                        Artifact(
                            posixpath.join(cwd, name),
                            "",
                            "binary",
                            line,
                            certain=False,
                            note="go build without -o names the binary after the package folder",
                        )
                    )
            else:
                gobin = step.env.get("GOBIN") or posixpath.join(gopath, "bin")
                for pkg in packages or ["."]:
                    if "@" in pkg:
                        # go install tool@version: a build-time tool unless the image runs it.
                        name = posixpath.basename(pkg.split("@", 1)[0])
                        path = posixpath.join(gobin, name)
                        candidates.append(Artifact(path, "", "binary", line, note=TOOL))
                    else:
                        name = _package_name([pkg], cwd)
                        candidates.append(
                            Artifact(
                                posixpath.join(gobin, name),
                                "",
                                "binary",
                                line,
                                certain=pkg not in {".", "./..."},
                                note="go install names the binary after the package folder",
                            )
                        )
    if not lines:
        return None
    findings: list[Finding] = []
    if options.artifacts:
        chosen = artifacts_from_options(facts, options, lines[-1])
    else:
        programs = [c for c in candidates if c.note != TOOL]
        if facts.executable is None and programs:
            candidates = programs  # without a command, the tools are build helpers
        chosen, findings = pick_program(facts, candidates, "go build")
    findings += uncertain_findings(chosen)

    sources = {k: v for k, v in facts.context_files.items() if k.endswith(".go")}
    uses_cgo = any(_CGO_IMPORT.search(text) for text in sources.values())
    explicit = [v for v in cgo_values if v is not None]
    builder_env: tuple[tuple[str, str], ...] = ()
    final_steps: tuple[str, ...] = ()
    line = lines[-1]
    if explicit and all(v == "0" for v in explicit):
        linkage = "static"
    elif facts.info.libc == "musl" and not explicit and not _installs_c_compiler(facts):
        linkage = "static"  # the alpine golang images have no C compiler: cgo is off
    elif facts.info.libc == "musl" and not explicit and options.linkage != "static":
        # The file installs one (`apk add gcc`): cgo is on, as the original built it, and a
        # package that needs it (go-sqlite3) links musl. The builder's own alpine release
        # runs the program either way.
        linkage = "musl"
        findings.append(
            unsure(
                line,
                "the file installs a C compiler, so cgo is on as in the original: the program "
                "may link musl and runs on the builder's alpine release; --linkage static "
                "builds it with CGO_ENABLED=0 instead, and the builder stops if a package "
                "needs cgo",
                "--linkage",
            )
        )
    elif options.linkage == "dynamic" or uses_cgo or "1" in explicit:
        linkage = "glibc" if facts.info.libc != "musl" else "musl"
        if uses_cgo and options.linkage != "dynamic":
            findings.append(
                Finding(
                    UNSURE,
                    "info",
                    line,
                    line,
                    'the Go sources use cgo (import "C"), so the binary links the C library '
                    "and needs a runtime image that has it",
                )
            )
    elif not sources and options.linkage != "static" and _fetches_sources(facts):
        # Nothing to check the build against (go get fetches the sources when the image is
        # built): a static build of a package that needs cgo might not even compile.
        linkage = "musl" if facts.info.libc == "musl" else "glibc"
        findings.append(
            unsure(
                line,
                "the Go sources were not available to check for cgo (the build fetches them "
                "with go get or git clone): the build "
                "keeps the golang image's default, cgo on, and the program runs on the "
                "builder's release with the libraries it links; --linkage static builds it "
                "with CGO_ENABLED=0 instead, and the builder stops if a package needs cgo",
                "--linkage",
            )
        )
    else:
        linkage = "static"
        builder_env = (("CGO_ENABLED", "0"),)
        final_steps = (cgo_check_step(built),)
        seen = (
            'no Go file in the build context imports "C"'
            if sources
            else ("the Go sources were not available to check for cgo")
        )
        findings.append(
            Finding(
                "DSR101",
                "info",
                line,
                line,
                "the golang images ship gcc, so a default build links glibc when it imports "
                f"net or os/user; the builder sets CGO_ENABLED=0 to get a static binary ({seen}), "
                "and stops the build if an imported package needs cgo. "
                "Pass --linkage dynamic to keep cgo",
                fix_safe=False,  # the pure-Go DNS resolver and user lookup replace glibc's
                flag="--linkage",
            )
        )
    needs_ca = any(_TLS_CLIENT.search(t) for t in sources.values()) if sources else True
    needs_ca = needs_ca or installs_ca_certificates(facts)
    # A cgo build links the -dev libraries it installed: their run-time packages, or a note
    # that the builder finds them (which rules out distroless).
    packages, unmapped = runtime_packages(facts) if linkage != "static" else ([], [])
    runtime_env: tuple[tuple[str, str], ...] = ()
    sources = [] if options.artifacts or not chosen else _gopath_sources(facts, gopath)
    if sources:
        # GOPATH-era programs find their templates and static files through $GOPATH/src
        # (os.Getenv("GOPATH") + "/src/github.com/..."): the package folder and GOPATH stay.
        line = lines[-1]
        chosen = [*chosen, *(Artifact(d, d, "directory", line) for d in sources)]
        runtime_env = (("GOPATH", gopath_list),)
    return BuildInfo(
        ecosystem="go",
        template="go.Dockerfile.j2",
        artifacts=tuple(chosen),
        linkage=linkage,
        runtime_env=runtime_env,
        builder_env=builder_env,
        runtime_packages=tuple(packages),
        needs_ca_certificates=needs_ca,
        findings=tuple(findings + unmapped),
        lines=tuple(lines),
        final_steps=final_steps,
    )


# OS packages that give cgo its C compiler.
_C_COMPILERS = frozenset({"gcc", "clang", "build-base", "build-essential", "alpine-sdk"})


def _installs_c_compiler(facts: StageFacts) -> bool:
    """A RUN of the stage installs a C compiler (``apk add gcc musl-dev``), or CC is set."""
    if facts.env.get("CC"):
        return True
    return any(
        bare_package(p) in _C_COMPILERS
        for step in facts.steps
        for install in package_installs(step.script)
        for p in install.packages
    )


def _fetches_sources(facts: StageFacts) -> bool:
    """The build fetches the program's sources itself: ``go get``, ``go install`` of a remote
    package (``github.com/x/y``, ``x.org/tool@v1``), or ``git clone``."""
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename == "git" and cmd.subcommand == "clone":
                return True
            if cmd.basename == "go-wrapper" and cmd.subcommand == "download":
                return True  # go get -d of the folder's imports
            if cmd.basename != "go" or cmd.subcommand not in {"get", "install"}:
                continue
            packages = [a for a in cmd.positional[1:] if not a.startswith(".")]
            if cmd.subcommand == "get" or any("." in p.split("/")[0] for p in packages):
                return True
    return False


def _gopath_sources(facts: StageFacts, gopath: str) -> list[str]:
    """Folders of the build context put under ``$GOPATH/src`` (a GOPATH-mode package) that
    the runtime stage does not already get as the program's WORKDIR."""
    root = gopath.rstrip("/") + "/src/"
    workdir = facts.workdir.rstrip("/") + "/"
    removed = _removed_folders(facts)
    return [
        d
        for d in context_destinations(facts)
        if d.startswith(root)
        and d.count("/") > root.count("/")
        and not workdir.startswith(d)
        and not any(d == r or d.startswith(r.rstrip("/") + "/") for r in removed)
    ]


def _removed_folders(facts: StageFacts) -> list[str]:
    """Absolute paths a build step deletes with ``rm -r`` (``rm -rf /go`` after the build)."""
    return [path for step in facts.steps for path in removed_folders(facts, step)]


def cgo_check_step(built: list[tuple[str, list[str]]]) -> str:
    """The builder step that fails the build when a package the program imports has cgo
    files: with CGO_ENABLED=0 such a package is left out or built as a stub (go-sqlite3
    compiles, then fails at run time), so the static binary would not work. The standard
    library's cgo packages (net, os/user) have pure-Go versions and are left out of it."""
    listed = '{{.ImportPath}}{{"\\n"}}{{join .Deps "\\n"}}'
    checks = []
    for cwd, packages in dict.fromkeys((c, tuple(p)) for c, p in built):
        args = " ".join(shlex.quote(p) for p in packages)
        checks.append(
            f"(cd {shlex.quote(cwd)} && CGO_ENABLED=1 go list -f '{listed}' {args} 2>/dev/null)"
        )
    deps = "; ".join(checks)
    cgo_only = "{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}"
    message = (
        "dockerslim: $(echo $cgo) need cgo, which the static build turns off;"
        " rewrite with --linkage dynamic to keep it"
    )
    return "\n".join(
        [
            "# The static build (CGO_ENABLED=0) leaves out or stubs every package that needs cgo:",
            "# fail here, rather than ship a program that breaks when it starts, if one is used.",
            'RUN command -v go >/dev/null || echo "dockerslim: go was removed by the build, so '
            'the cgo check cannot run" >&2; \\',
            f"    cgo=$({{ {deps}; }} | sort -u | grep . \\",
            f"      | xargs -r env CGO_ENABLED=1 go list -f '{cgo_only}' 2>/dev/null) || :; \\",
            f'    if [ -n "$cgo" ]; then echo "{message}" >&2; exit 1; fi',
        ]
    )


def _is_flag_value(args: tuple[str, ...], word: str) -> bool:
    """True when ``word`` follows a flag that takes a value (``-o app``, ``-ldflags "-s"``)."""
    takes_value = {"-o", "-ldflags", "-gcflags", "-tags", "-mod", "-p", "-asmflags", "-buildmode"}
    for i, arg in enumerate(args[1:], start=1):
        if arg == word and args[i - 1] in takes_value:
            return True
    return False


def _package_name(packages: list[str], cwd: str) -> str:
    for pkg in packages:
        if pkg.endswith(".go"):
            return posixpath.splitext(posixpath.basename(pkg))[0]
        if pkg not in {".", "./..."}:
            return posixpath.basename(pkg.rstrip("/").removesuffix("/..."))
    return posixpath.basename(cwd.rstrip("/")) or "app"
