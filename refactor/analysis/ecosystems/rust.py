"""Rust: ``cargo build`` / ``cargo install`` outputs, gnu vs musl targets."""

from __future__ import annotations

import posixpath
import re

from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, RunStep, StageFacts
from dockerslim_refactor.analysis.program import (
    artifacts_from_options,
    installs_ca_certificates,
    pick_program,
    runtime_packages,
    uncertain_findings,
)
from dockerslim_refactor.options import Options
from dockerslim_refactor.shell.syntax import parse_shell

_TLS_CRATES = re.compile(r"^\s*(reqwest|hyper-tls|native-tls|openssl|rustls|ureq|surf)\b", re.M)
_OPENSSL = re.compile(r"^\s*(openssl|native-tls|hyper-tls)\b", re.M)


def _crate_name(facts: StageFacts) -> str | None:
    text = facts.context_files.get("Cargo.toml", "")
    section = re.search(r"^\[package\](.*?)(^\[|\Z)", text, re.S | re.M)
    if section:
        name = re.search(r'^\s*name\s*=\s*"([^"]+)"', section.group(1), re.M)
        if name:
            return name.group(1)
    return None


def _cargo_commands(facts: StageFacts):
    """Each ``cargo build`` and ``cargo install`` with its step; a ``cargo run`` command the
    image ran counts as the ``cargo build`` the builder now runs for it."""
    for step in facts.steps:
        for cmd in step.script.commands:
            if cmd.basename == "cargo" and cmd.subcommand in {"build", "install"}:
                yield step, cmd
    wrapper = facts.wrapper
    if wrapper is not None and wrapper.build and wrapper.build.startswith("cargo "):
        script = parse_shell(wrapper.build, facts.workdir)
        step = RunStep(wrapper.instruction, script, facts.workdir, dict(facts.env))
        yield from ((step, cmd) for cmd in script.commands)


def installs_published_crate(facts: StageFacts) -> str | None:
    """The crate ``cargo install NAME`` fetches from a registry (sources the rewrite never
    reads), or ``None``."""
    for _, cmd in _cargo_commands(facts):
        if cmd.subcommand != "install" or cmd.has_flag("--path", "--git"):
            continue
        crates = [p for p in cmd.positional[1:] if not p.startswith(".") and "/" not in p]
        if crates:
            return crates[0]
    return None


def _program_path(facts: StageFacts) -> str | None:
    """The absolute path of the program the image runs, when its command names one."""
    exe = facts.executable
    return facts.resolve(exe) if exe and "/" in exe and "$" not in exe else None


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    candidates: list[Artifact] = []
    lines: list[int] = []
    targets: list[str] = []
    cargo_home = facts.env.get("CARGO_HOME", "/usr/local/cargo")
    crate = _crate_name(facts)
    for step, cmd in _cargo_commands(facts):
        cwd = cmd.cwd or step.workdir or facts.workdir
        line = step.instruction.start_line
        lines.append(line)
        target = (
            cmd.flag_value("--target")
            or cmd.env_value("CARGO_BUILD_TARGET")
            or step.env.get("CARGO_BUILD_TARGET")
        )
        if target:
            targets.append(target)
        named = cmd.flag_value("--bin")
        names = [named] if named else []
        if not names:
            folder = posixpath.basename(cwd.rstrip("/"))
            # No Cargo.toml to read and no folder name to go by: no guess at all.
            names = [crate] if crate else ([folder] if folder else [])
        certain = bool(named or crate)
        note = None if certain else "the binary name comes from Cargo.toml, which was not read"
        if cmd.subcommand == "build":
            profile = "release" if cmd.has_flag("--release", "-r") else "debug"
            profile = cmd.flag_value("--profile") or profile
            target_dir = (
                cmd.flag_value("--target-dir")
                or cmd.env_value("CARGO_TARGET_DIR")
                or step.env.get("CARGO_TARGET_DIR")
                or posixpath.join(cwd, "target")
            )
            base = facts.resolve(target_dir, cwd)
            if target:
                base = posixpath.join(base, target)
            runs = _program_path(facts)
            if runs and posixpath.dirname(runs) == posixpath.join(base, profile):
                # The command names the binary in this build's output folder (CMD
                # ./target/release/app): that is its name, whatever Cargo.toml says.
                names, certain, note = [posixpath.basename(runs)], True, None
            for name in names:
                path = posixpath.join(base, profile, name)
                candidates.append(Artifact(path, "", "binary", line, certain, note))
        else:
            root = cmd.flag_value("--root") or cargo_home
            crates = [p for p in cmd.positional[1:]]
            if crates and not cmd.has_flag("--path") and not named:
                # The crate's name; its binaries may be named otherwise (vigil-server
                # installs vigil): a guess, confirmed when the image runs that name.
                names = [posixpath.basename(crates[0])]
                certain = False
                note = "cargo install names the binaries in the crate's Cargo.toml"
            for name in names:
                path = posixpath.join(facts.resolve(root, cwd), "bin", name)
                candidates.append(Artifact(path, "", "binary", line, certain, note))
    if not lines:
        return None
    findings: list[Finding] = []
    if options.artifacts:
        chosen = artifacts_from_options(facts, options, lines[-1])
    else:
        chosen, findings = pick_program(facts, candidates, "cargo")
    findings += uncertain_findings(chosen)
    if any("musl" in t for t in targets) or (facts.info.libc == "musl" and not targets):
        linkage = "static"
    else:
        linkage = "glibc"
    packages, unknown = runtime_packages(facts)
    cargo_toml = facts.context_files.get("Cargo.toml", "")
    if _OPENSSL.search(cargo_toml) and "libssl3" not in packages and linkage == "glibc":
        packages.append("libssl3")
    # Without Cargo.toml to read, the program may well speak HTTPS: keep the CA store.
    needs_ca = (
        not cargo_toml or bool(_TLS_CRATES.search(cargo_toml)) or installs_ca_certificates(facts)
    )
    return BuildInfo(
        ecosystem="rust",
        template="rust.Dockerfile.j2",
        artifacts=tuple(chosen),
        linkage=linkage,
        runtime_packages=tuple(packages),
        needs_ca_certificates=needs_ca,
        findings=tuple(findings + unknown),
        lines=tuple(lines),
    )
