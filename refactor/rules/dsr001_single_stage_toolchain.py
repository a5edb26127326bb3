"""Single-stage build that ships its toolchain.

## What it does
Reports a Dockerfile with one stage whose final image still carries a toolchain: a compiler
base image, build packages or a compiler run in a RUN, unless running the toolchain is the
image's purpose (a builder, CI or development image). Packages a later RUN removes, and
sources a later RUN deletes, count: a layer keeps what it added, so they still ship. It is
reported whether or not the tool can rewrite the file: without a fix, the message says what
is missing and which flag settles it.

## Why is this bad?
Everything needed to build the program ends up in the image that runs it: compilers,
headers, package caches and the sources. The image is several times larger than it needs to
be, slower to pull and start, and every tool in it is attack surface that has to be patched.
A multi-stage build compiles in a builder stage and copies only the output into a small
runtime image.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
```

Use instead:
```dockerfile
FROM golang:1.22 AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .

FROM gcr.io/distroless/static-debian12
COPY --from=builder /usr/local/bin/app /usr/local/bin/app
CMD ["app"]
```

## Fix safety
The fix (`dockerslim-refactor FILE -o OUT`) is unsafe: the program moves to another runtime
base image, which may lack files, libraries or tools it uses at run time. Build and run the
new image before relying on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dockerslim_refactor.analysis.model import Analysis, Finding

CODE = "DSR001"
NAME = "single-stage-toolchain"
SEVERITY = "warning"
FIX = "Convert to multi-stage build"
FIX_SAFE = False

ECOSYSTEM_NAMES = {
    "go": "Go",
    "rust": "Rust",
    "c": "C/C++",
    "node": "Node.js",
    "python": "Python",
    "java": "Java",
    "dotnet": ".NET",
    "haskell": "Haskell",
    "erlang": "Erlang",
    "elixir": "Elixir",
    "generic": "native",
}


def check(analysis: Analysis) -> Iterable[Finding]:
    from dockerslim_refactor.analysis.benefit import (
        builds_in_onbuild_triggers,
        compiles_copied_context,
        installs_toolchain_manager,
        make_launch_target,
        toolchain_purpose,
    )
    from dockerslim_refactor.analysis.ecosystems.installed import installs_dependencies

    facts = analysis.facts
    build = analysis.build
    fixable = build is not None and analysis.leave_alone is None
    if len(analysis.document.stages) != 1 or not (analysis.toolchain or fixable):
        return
    launches = make_launch_target(facts)
    if facts.image.repository == "scratch" or (toolchain_purpose(facts) and not launches):
        return  # the toolchain is what the image is for
    if not fixable and facts.stage.last("ONBUILD") is not None:
        return  # a base image for other builds: its own ONBUILD steps build them
    toolchain = [(n, e) for n, e in analysis.toolchain if not _only_fetch_tools(e)]
    # Something is compiled here: a compiler runs, a build this tool recognises (pip, npm,
    # bundle) runs with build packages at hand, or the base image's ONBUILD triggers build.
    builds_here = (
        build is not None
        or any(e.startswith("runs ") or "ONBUILD" in e for _, e in toolchain)
        or (
            # pip, gem, bundle or composer compiling native extensions with the build
            # packages the file installed.
            any(e.startswith("installs build packages") for _, e in toolchain)
            and installs_dependencies(facts)
        )
    )
    if (
        not fixable
        and not facts.program
        and (
            not builds_here
            or (installs_toolchain_manager(facts) and not compiles_copied_context(facts))
        )
    ):
        # No program of its own, and nothing compiled here or a toolchain installer set up
        # (rustup, rbenv) without compiling the copied context: a builder, CI or development
        # image whose toolchain is what it is for. A tool image that compiles its tool, or
        # an app image that compiles its copied sources, is reported.
        return
    if not toolchain and fixable:
        # devDependencies, build packages of an interpreter image, caches: what the rewrite
        # leaves in the builder.
        toolchain = [(from_line(analysis), "build-only files of the build steps")]
    if not toolchain:
        return  # git or curl alone fetch things; DSR004 reports them as build packages
    if build is None and not builds_here:
        # No build step in the file: a toolchain base or stray build packages around a
        # program built elsewhere (or at run time) is DSR004's finding, not this one.
        return
    from_ins = facts.stage.from_instruction
    line, evidence = toolchain[0]
    kept, cost = "the toolchain", "which makes it larger and adds tools nobody runs"
    deleted = [(n, e) for n, e in toolchain if e.startswith("copies ")]
    if deleted and not any(e.startswith(("installs ", "base image ")) for _, e in toolchain):
        # The toolchain went in the RUN that used it; the sources it built did not.
        (line, evidence), kept = deleted[0], "build-only files"
        cost = "which makes it larger for nothing"
    what = ECOSYSTEM_NAMES.get(build.ecosystem, build.ecosystem) + " " if build else ""
    if fixable:
        tail = (
            "`dockerslim-refactor FILE -o OUT` moves the build into a builder stage and "
            "copies only its output into a small runtime image"
        )
        flag = None
    elif analysis.written_out is not None:
        # The rewrite writes the parent's steps and triggers out itself.
        fixable = True
        flag = None
        tail = (
            f"`dockerslim-refactor FILE -o OUT` writes out the steps of {facts.image.text} "
            "after a FROM of its plain image, moves the build into a builder stage and "
            "copies only its output into a small runtime image"
        )
    elif builds_in_onbuild_triggers(facts):
        # What settles it is the file itself: the triggers written out.
        flag = None
        tail = "no automatic rewrite yet: " + (analysis.leave_alone or "")
    elif launches:
        # make only launches the app: the compilers and headers are not what it is for.
        flag = None
        tail = "no automatic rewrite yet: " + (analysis.leave_alone or "")
    elif build is None and (uncovered := _uncovered_builds(analysis.toolchain)):
        # A build this tool has no detector for (mix, stack, dart): no flag makes one.
        flag = None
        tail = (
            f"no automatic rewrite: builds that run {', '.join(uncovered)} are not among "
            "those this tool rewrites (Go, Rust, C/C++, Node.js, Python, Ruby, PHP, Java, "
            ".NET, Haskell, Erlang and Elixir releases); write the runtime stage by hand"
        )
    else:
        # Reported whether or not a rewrite can be made: the finding is about the image.
        blocking = [f for f in (build.findings if build else ()) if f.flag]
        flag = blocking[0].flag if blocking else "--artifact"
        tail = (
            "no automatic rewrite yet: "
            + (analysis.leave_alone or "the build output is not known")
            + f" ({flag} settles it)"
        )
    yield Finding(
        code=CODE,
        severity=SEVERITY,
        line=from_ins.start_line,
        end_line=from_ins.end_line,
        message=(
            f"single-stage {what}build: the final image keeps {kept} "
            f"({evidence}, line {line}), {cost}; " + tail
        ),
        fix=FIX if fixable else None,
        fix_safe=FIX_SAFE,
        flag=flag,
    )


# Build commands of ecosystems the rewrite has no detector for.
UNCOVERED_BUILDS = frozenset(
    {"mix", "rebar3", "ghc", "lein", "sbt", "ant", "dart", "swift", "swiftc"} | {"crystal", "zig"}
)


def _uncovered_builds(toolchain) -> list[str]:
    found: list[str] = []
    for _, evidence in toolchain:
        name = evidence.removeprefix("runs ")
        if evidence.startswith("runs ") and name in UNCOVERED_BUILDS and name not in found:
            found.append(name)
    return found


def _only_fetch_tools(evidence: str) -> bool:
    from dockerslim_refactor.analysis.packages import FETCH_TOOLS

    prefix = "installs build packages: "
    if not evidence.startswith(prefix):
        return False
    names = [n.split("=")[0] for n in evidence[len(prefix) :].split(", ")]
    return all(n in FETCH_TOOLS for n in names)


def from_line(analysis: Analysis) -> int:
    return analysis.facts.stage.from_instruction.start_line
