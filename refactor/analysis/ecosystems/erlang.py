"""Erlang and Elixir: releases built with rebar3 (``rebar3 as prod release``) or mix
(``MIX_ENV=prod mix release``) on the official erlang and elixir images. A release is
self-contained: the applications, their ``priv`` files, the release's configuration and
start script, and the runtime system (ERTS) when it bundles one. It runs on the same
Erlang without the build: the ``-slim`` twin of a full (Debian, buildpack-deps) image, or
the same image when it is already ``-slim`` or ``-alpine``, so the ERTS the image provides
is the one the release was built with when it bundles none."""

from __future__ import annotations

import posixpath
import shlex

from dockerslim_refactor.analysis.images import ImageRef
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, StageFacts
from dockerslim_refactor.analysis.program import (
    artifacts_from_options,
    not_rewritten,
    runtime_packages,
    unsure,
)
from dockerslim_refactor.options import Options

_RELEASE_VERBS = frozenset({"release", "tar"})
# The official images, which publish a -slim twin of each Debian tag, and hex.pm's.
_IMAGES = frozenset(
    {"erlang", "elixir", "library/erlang", "library/elixir", "hexpm/erlang", "hexpm/elixir"}
)
# Where the builder stages the release, its links followed.
STAGE = "/tmp/dslim/erlang/rel"


def release_profile(cmd) -> str | None:
    """The profile a ``rebar3 [as P[,Q]] release`` (or ``tar``) builds with, as rebar3 names
    its folder under ``_build`` (``prod``, ``prod+native``, ``default``), or ``None``."""
    if cmd.basename != "rebar3":
        return None
    args = list(cmd.args)
    profile = "default"
    if args[:1] == ["as"] and len(args) >= 3:
        profile, args = args[1].replace(",", "+"), args[2:]
    verbs = [a for a in args if not a.startswith("-")]
    return profile if verbs[:1] and verbs[0] in _RELEASE_VERBS else None


def mix_release_folder(cmd, env: dict[str, str]) -> str | None:
    """Where ``mix release`` writes its releases, relative to the project unless absolute
    (``_build/prod/rel`` with ``MIX_ENV=prod``; mix's own default environment is dev), or
    ``None`` for another command."""
    if cmd.basename != "mix" or cmd.subcommand != "release":
        return None
    value = cmd.env_value("MIX_BUILD_PATH") or env.get("MIX_BUILD_PATH")
    if value:
        return posixpath.join(value, "rel")
    root = cmd.env_value("MIX_BUILD_ROOT") or env.get("MIX_BUILD_ROOT") or "_build"
    mix_env = cmd.env_value("MIX_ENV") or env.get("MIX_ENV") or "dev"
    return posixpath.join(root, mix_env, "rel")


def erlang_runtime(ref: ImageRef) -> str | None:
    """The image a release built on the official erlang or elixir image ``ref`` runs on: its
    ``-slim`` twin for a full image, the same image when it is slim or alpine already;
    ``None`` for another image, a digest or a tag chosen by a build argument."""
    if ref.repository not in _IMAGES or ref.registry not in {None, "docker.io"}:
        return None  # a company's image: its slim twin, if any, has another name
    if ref.digest or "$" in ref.text:
        return None
    words = [w for w in ref.variant_words if w != "latest"]
    if "slim" in words or any(w.startswith("alpine") for w in words):
        return ref.text
    if ref.repository.startswith("hexpm/"):
        return ref.text  # its tags are dated builds: a twin of the same date is not known
    return f"{ref.repository}:{'-'.join([*words, 'slim'])}"


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    lines: list[int] = []
    folders: list[str] = []
    tools: set[str] = set()
    base = facts.env.get("REBAR_BASE_DIR", "_build")
    for step in facts.steps:
        for cmd in step.script.commands:
            profile = release_profile(cmd)
            built = posixpath.join(base, profile, "rel") if profile is not None else None
            built = built or mix_release_folder(cmd, dict(step.env))
            if built is None:
                continue
            tools.add(cmd.basename)
            cwd = cmd.cwd or step.workdir or facts.workdir
            lines.append(step.instruction.start_line)
            folder = facts.resolve(built, cwd)
            if folder not in folders:
                folders.append(folder)
    if not lines:
        return None
    line = lines[-1]
    ecosystem = "elixir" if "mix" in tools else "erlang"
    tool = " and ".join(sorted(tools))
    runtime = options.runtime_image or erlang_runtime(facts.image)
    if runtime is None:
        return not_rewritten(
            ecosystem,
            lines,
            f"no Erlang image without the build is known for {facts.image.text}; pass "
            "--runtime-image IMAGE (an image with the same Erlang/OTP)",
            "--runtime-image",
        )
    packages, unmapped = runtime_packages(facts)
    common = {
        "ecosystem": ecosystem,
        "template": "erlang.Dockerfile.j2",
        "linkage": "interpreter",
        "runtime_image": runtime,
        "runtime_packages": tuple(packages),
        # The -slim twins purge the CA store the full image had (curl fetched OTP's sources
        # with it): TLS clients that read the system's (Mint, :public_key.cacerts_get/0)
        # need it back.
        "needs_ca_certificates": runtime != facts.image.text and not options.runtime_image,
        "lines": tuple(lines),
    }
    if options.artifacts:
        return BuildInfo(
            artifacts=tuple(artifacts_from_options(facts, options, line)),
            findings=tuple(unmapped),
            **common,
        )
    exe = facts.executable
    program = facts.resolve(exe) if exe and "/" in exe and "$" not in exe else None
    inside = [f for f in folders if program and program.startswith(f + "/")]
    if not inside:
        what = f"runs {exe}" if exe else "names no program to run"
        return not_rewritten(
            ecosystem,
            lines,
            f"the image {what}, which is not in the release {tool} builds "
            f"({', '.join(folders)}); --artifact names what the runtime stage needs",
            "--artifact",
        )
    folder = inside[0]
    # In dev mode (rebar3's default outside a prod profile) the release links its
    # applications and configuration into _build and the sources: a copy that follows the
    # links is whole on its own.
    quoted = shlex.quote(folder)
    check = (
        f"# The program the image runs is in the release {tool} built; the release is staged\n"
        "# with its links followed (dev mode links its applications and config into _build),\n"
        "# less links that point nowhere (an application without priv/), here or there.\n"
        f"RUN set -e; [ -x {shlex.quote(program)} ] || {{ echo "
        f'"dockerslim: {program} is not in the release {tool} built" >&2; exit 1; }}; \\\n'
        f"    {{ find -L {quoted} -type l 2>/dev/null || find {quoted} -follow -type l "
        '2>/dev/null; } | while read -r l; do rm -f "$l"; done; \\\n'
        f"    rm -rf {STAGE} && mkdir -p {posixpath.dirname(STAGE)} && cp -RL {quoted} {STAGE}"
    )
    note = unsure(
        line,
        f"the release ({folder}) runs on {runtime}, the same Erlang without the build: with "
        "its own runtime system (include_erts) or the image's; the app folder comes along "
        "(files the program reads by relative path) without its build trees (_build, mix's "
        f"deps), and {tool}'s caches stay in the builder; --runtime-image names another image",
        "--runtime-image",
    )
    return BuildInfo(
        artifacts=(Artifact(STAGE, folder, "directory", line),),
        findings=(note, *unmapped),
        final_steps=(check,),
        **common,
    )
