"""Node.js and TypeScript: npm / yarn / pnpm installs and builds, dev dependencies to prune."""

from __future__ import annotations

import json
import posixpath
import re

from dockerslim_refactor.analysis.ecosystems import installed
from dockerslim_refactor.analysis.images import interpreter_runtime
from dockerslim_refactor.analysis.model import BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.packages import package_installs
from dockerslim_refactor.analysis.program import (
    UNSURE,
    app_paths,
    artifacts_from_options,
    not_rewritten,
    runtime_packages,
)
from dockerslim_refactor.options import Options

NODE_TOOLS = frozenset({"node", "npm", "npx", "yarn", "pnpm", "corepack"})
BUILD_COMMANDS = {"tsc", "webpack", "vite", "esbuild", "rollup", "babel", "next", "nest", "swc"}


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    if facts.info.ecosystem != "node" and not _runs_node(facts):
        return None
    lines: list[int] = []
    dev_installs: list[tuple[str, str | None, int]] = []
    globals_: list[str] = []
    for step in facts.steps:
        for install in package_installs(step.script):
            if install.manager not in {"npm", "yarn", "pnpm"}:
                continue
            line = step.instruction.start_line
            lines.append(line)
            if install.global_install:
                globals_.extend(install.packages)
            elif install.dev and not install.packages:
                dev_installs.append((install.manager, install.command.cwd, line))
        for cmd in step.script.commands:
            if cmd.basename in BUILD_COMMANDS or (
                cmd.basename in {"npm", "yarn", "pnpm"} and cmd.subcommand in {"run", "build"}
            ):
                lines.append(step.instruction.start_line)
            if cmd.basename == "npx" and cmd.positional and cmd.positional[0] in BUILD_COMMANDS:
                lines.append(step.instruction.start_line)
    if not lines:
        return None
    findings: list[Finding] = []
    runtime = options.runtime_image or interpreter_runtime(facts.image, "node")
    last = lines[-1]
    if runtime is None:
        return not_rewritten(
            "node",
            lines,
            f"no slim Node.js image is known for {facts.image.text}; pass --runtime-image IMAGE",
            "--runtime-image",
            last,
        )
    exe = facts.executable or ""
    exe_name = posixpath.basename(exe)
    # A global package's commands need not share its name (pm2 gives pm2-runtime).
    runs_global = exe_name and "/" not in exe and exe_name not in NODE_TOOLS
    used_globals = globals_ if runs_global else []
    if used_globals:
        findings.append(
            Finding(
                UNSURE,
                "info",
                last,
                last,
                f"the image runs '{exe_name}', which may come from the global npm package "
                f"{used_globals[0]}: global packages come along with the files the build "
                "added, and the builder stops if the program is not among them",
                flag="--artifact",
            )
        )
    builder_steps: list[str] = []
    needed = _dev_dependencies_run(facts)
    if dev_installs and needed:
        if needed == ["?"]:
            why = "is an npm script that package.json was not there to check"
        else:
            why = f"runs {', '.join(needed)}, which package.json declares as devDependencies"
        findings.append(
            Finding(
                UNSURE,
                "info",
                last,
                last,
                f"devDependencies are kept: the image's command {why}",
                flag="--context",
            )
        )
    elif dev_installs:
        manager, cwd, line = dev_installs[-1]
        prune = _prune_command(manager, facts)
        where = f"cd {cwd} && " if cwd and cwd != facts.workdir else ""
        # At the very end, once every step that may use them has run and the app's code is
        # all in place (a COPY of the built bundle may come after the install).
        builder_steps.append(
            "# Drop devDependencies: the runtime stage copies node_modules as it is here.\n"
            "# Only when the app's own code (not its tests or build configs) requires none\n"
            "# of them: a bundle that leaves a devDependency external still needs it.\n"
            f"RUN {where}if node -e '{_REQUIRES_NO_DEV_DEPENDENCY}'; then \\\n"
            f"      {prune}; fi"
        )
    tree: dict = {}
    if options.artifacts:
        artifacts = artifacts_from_options(facts, options, last)
    else:
        app = app_paths(facts)
        artifacts = []
        if app:
            # What the build put outside the app comes along too: tini downloaded to
            # /usr/local/bin, a global npm package and its command, a config in /etc.
            tree = installed.tree_and_app(facts, app, facts.executable or "node", last)
            artifacts = list(tree.pop("artifacts"))
    if not artifacts:
        findings.append(
            Finding(
                UNSURE,
                "warning",
                last,
                last,
                "the application files could not be located (no WORKDIR and no COPY); "
                "pass --artifact PATH",
                flag="--artifact",
            )
        )
    packages, unknown = runtime_packages(facts)
    return BuildInfo(
        ecosystem="node",
        template="node.Dockerfile.j2",
        artifacts=tuple(artifacts),
        linkage="interpreter",
        runtime_image=runtime,
        final_steps=(*builder_steps, *tree.pop("final_steps", ())),
        runtime_packages=tuple(packages),
        findings=tuple(findings + unknown),
        lines=tuple(sorted(set(lines))),
        **tree,
    )


def _runs_node(facts: StageFacts) -> bool:
    return posixpath.basename(facts.executable or "") in {"node", "npm", "yarn", "pnpm", "npx"}


def _dev_dependencies_run(facts: StageFacts) -> list[str]:
    """devDependencies the image's command runs (through a package.json script), so that
    pruning them would break it; ``["?"]`` when the command is a script and package.json is
    not in the build context to check."""
    words = list(facts.program_words)
    manager = words[0].rsplit("/", 1)[-1] if words else ""
    if manager not in {"npm", "yarn", "pnpm"}:
        return []  # ``node server.js``: no script in between
    rest = [w for w in words[1:] if not w.startswith("-")]
    script = (
        "start"
        if not rest or rest[0] == "start"
        else rest[1] if rest[0] == "run" and len(rest) > 1 else rest[0]
    )
    manifest = facts.context_files.get("package.json")
    if manifest is None:
        return ["?"]
    try:
        data = json.loads(manifest)
    except ValueError:
        return ["?"]
    body = str((data.get("scripts") or {}).get(script, ""))
    dev = set(data.get("devDependencies") or {})
    used = re.findall(r"[A-Za-z0-9@/._-]+", body)
    return sorted({w for w in used if w in dev})


# Exits 1 (and says which) when a .js/.cjs/.mjs file of the app, outside node_modules, tests
# and build configs, requires or imports a package that package.json lists as a
# devDependency. Plain ES2015 and RegExp.exec, so that old Node.js images run it too; any
# error (no package.json) also exits non-zero, which keeps the devDependencies.
_REQUIRES_NO_DEV_DEPENDENCY = (
    'const fs = require("fs"), path = require("path"); '
    'const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")); '
    "const dev = new Set(Object.keys(pkg.devDependencies || {})); "
    "const skipDir = /^(node_modules|[.]git|tests?|__tests__|spec|coverage)$/; "
    "const skipFile = /([.](test|spec)[.][cm]?js|[.]config[.][cm]?js|^(gulpfile|gruntfile|"
    "webpack|rollup|babel|jest|karma|[.]eslintrc)[^/]*)$/i; "
    "const found = new Set(); "
    "const walk = (dir) => { for (const e of fs.readdirSync(dir, {withFileTypes: true})) { "
    "const f = path.join(dir, e.name); "
    "if (e.isDirectory()) { if (!skipDir.test(e.name)) walk(f); continue; } "
    "if (!/[.][cm]?js$/.test(e.name) || skipFile.test(e.name)) continue; "
    'const text = fs.readFileSync(f, "utf8"); '
    'const use = /(?:require[(]|import[(]|from[ ]*)["\\x27]([^"\\x27./][^"\\x27]*)["\\x27]/g; '
    "let m; while ((m = use.exec(text))) { "
    'const n = m[1][0] === "@" ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]; '
    "if (dev.has(n)) found.add(n); } } }; "
    'walk("."); '
    'if (found.size) { console.error("dockerslim: the app requires devDependencies (" + '
    'Array.from(found).join(", ") + "): they stay"); process.exit(1); }'
)


def _prune_command(manager: str, facts: StageFacts) -> str:
    if manager == "yarn":
        return "yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline"
    if manager == "pnpm":
        return "pnpm prune --prod"
    version = facts.image.version or ""
    major = int(version.split(".")[0]) if re.match(r"\d+", version) else 99
    # npm 7 (Node.js 15+) understands --omit=dev; older npm only --production.
    return "npm prune --omit=dev" if major >= 15 else "npm prune --production"
