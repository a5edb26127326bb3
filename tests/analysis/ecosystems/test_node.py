"""The Node.js detector: npm / yarn / pnpm installs and builds, the prune step that drops
devDependencies, the application folders and the slim runtime image."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import node
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(text: str, options: Options | None = None) -> BuildInfo | None:
    return run_detector(node.detect, text, options)


def summary(build: BuildInfo) -> dict[str, object]:
    return {
        "ecosystem": build.ecosystem,
        # The installed tree comes with every app; its own test is below.
        "artifacts": [(a.path, a.dest) for a in build.artifacts if a.kind != "installed-tree"],
        "linkage": build.linkage,
        "runtime_image": build.runtime_image,
        # The prune runs at the very end of the builder, before the installed-tree step.
        "builder_steps": [_command(s) for s in _prunes(build)],
        "runtime_packages": build.runtime_packages,
        "findings": sorted((f.code, f.flag) for f in build.findings),
    }


def _prunes(build: BuildInfo) -> list[str]:
    return [s for s in build.final_steps if s.startswith("# Drop devDependencies")]


def _command(step: str) -> str:
    """The step's command: for a prune, what runs once the devDependency check passed."""
    guarded = re.search(r"RUN (cd \S+ && )?if node -e '[^']*'; then \\\n\s+(.*); fi$", step)
    if guarded:
        return "RUN " + (guarded.group(1) or "") + guarded.group(2)
    return step.splitlines()[-1]


def node_file(run: str, cmd: str = '["node", "server.js"]', image: str = "node:20") -> str:
    return (
        f"FROM {image}\nWORKDIR /srv/app\nCOPY package*.json ./\nRUN {run}\nCOPY . .\n"
        f"CMD {cmd}\n"
    )


APP = [("/srv/app", "/srv/app")]
PRUNE = "RUN npm prune --omit=dev"


# --------------------------------------------------------------------------------------------
# Must not detect / must not change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n',
            id="no-install-no-build",
        ),
        pytest.param(
            """
            FROM debian:bookworm
            RUN apt-get update && apt-get install -y nodejs npm && npm ci
            CMD ["/app/start"]
            """,
            id="npm-on-a-non-node-image-running-something-else",
        ),
        pytest.param(
            'FROM python:3.12\nRUN pip install -r requirements.txt\nCMD ["python", "a.py"]\n',
            id="python",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "FROM node:20-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN npm ci --omit=dev && npm cache clean --force\n"
            'CMD ["node", "index.js"]\n',
            id="already-slim-without-build-tools",
        ),
        pytest.param(node_file("npm ci", image="node:iron"), id="unknown-slim-image"),
        pytest.param(
            """
            FROM node:20
            RUN npm install -g http-server
            CMD ["http-server"]
            """,
            id="global-package-only",
        ),
    ],
)
def test_left_alone(text: str) -> None:
    result = rewrite(dedent(text).lstrip("\n"))
    assert result.output is None
    assert result.reason


def test_dev_server_image_is_left_alone() -> None:
    result = rewrite(node_file("npm ci", '["npm", "run", "dev"]'))
    assert result.output is None
    assert result.reason


def test_unknown_node_image_asks_for_runtime_image() -> None:
    build = detect(node_file("npm ci", image="node:iron"))
    assert build is not None
    assert build.artifacts == ()
    assert summary(build)["findings"] == [("DSR100", "--runtime-image")]


def test_build_tool_installed_globally_but_not_run_is_not_reported() -> None:
    build = detect(node_file("npm install -g typescript && npm ci && tsc", '["node", "dist/i.js"]'))
    assert build is not None
    assert summary(build)["findings"] == []


# --------------------------------------------------------------------------------------------
# Detects


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            node_file("npm ci"),
            {"artifacts": APP, "runtime_image": "node:20-slim", "builder_steps": [PRUNE]},
            id="npm-ci-prunes",
        ),
        pytest.param(
            node_file("npm install"),
            {"builder_steps": [PRUNE]},
            id="npm-install-prunes",
        ),
        pytest.param(
            node_file("npm ci && npm run build", '["node", "dist/server.js"]'),
            {"builder_steps": [PRUNE], "findings": []},
            id="npm-build-then-prune",
        ),
        pytest.param(
            node_file("npm ci --omit=dev"),
            {"builder_steps": [], "artifacts": APP},
            id="omit-dev-install-needs-no-prune",
        ),
        pytest.param(
            node_file("npm install --production"),
            {"builder_steps": []},
            id="production-install-needs-no-prune",
        ),
        pytest.param(
            node_file("yarn install --frozen-lockfile && yarn build", '["node", "dist/i.js"]'),
            {
                "builder_steps": [
                    "RUN yarn install --production --frozen-lockfile --ignore-scripts "
                    "--prefer-offline"
                ]
            },
            id="yarn-prune",
        ),
        pytest.param(
            node_file(
                "corepack enable && pnpm install --frozen-lockfile && pnpm run build",
                '["node", "dist/i.js"]',
            ),
            {"builder_steps": ["RUN pnpm prune --prod"]},
            id="pnpm-prune",
        ),
        pytest.param(
            node_file("npm ci", image="node:14"),
            {"builder_steps": ["RUN npm prune --production"], "runtime_image": "node:14-slim"},
            id="node-14-old-npm-flag",
        ),
        pytest.param(
            node_file("npm ci", image="node:16-alpine"),
            {"builder_steps": [PRUNE], "runtime_image": "node:16-alpine"},
            id="node-16-alpine-kept",
        ),
        pytest.param(
            node_file("cd web && npm ci", '["node", "web/server.js"]'),
            {"builder_steps": ["RUN cd /srv/app/web && npm prune --omit=dev"]},
            id="prune-where-the-install-ran",
        ),
        pytest.param(
            node_file("npm ci", "npm start"),
            # Without package.json nothing proves that `start` needs no devDependency.
            {"artifacts": APP, "findings": [("DSR100", "--context")], "builder_steps": []},
            id="shell-form-npm-start",
        ),
        pytest.param(
            node_file("npm install -g pm2 && npm ci", '["pm2", "start", "server.js"]'),
            # The global package comes with the files the build added (the installed tree).
            {"artifacts": APP, "findings": [("DSR100", "--artifact")]},
            id="runs-a-global-package",
        ),
        pytest.param(
            node_file(
                "apt-get update && apt-get install -y libpq-dev && npm ci",
                '["node", "server.js"]',
            ),
            {"runtime_packages": ("libpq5",)},
            id="native-module-runtime-library",
        ),
    ],
)
def test_detects(text: str, expected: dict[str, object]) -> None:
    build = detect(text)
    assert build is not None
    got = summary(build)
    assert (got["ecosystem"], got["linkage"]) == ("node", "interpreter")
    assert {key: got[key] for key in expected} == expected


def test_prune_step_carries_its_reason_as_a_comment() -> None:
    build = detect(node_file("npm ci"))
    assert build is not None
    (step,) = _prunes(build)
    assert step.splitlines()[0].startswith("# ")


@pytest.mark.parametrize(
    ("text", "artifacts"),
    [
        pytest.param(
            """
            FROM node:20
            WORKDIR /srv/app
            COPY package*.json ./
            RUN npm ci
            COPY . .
            COPY config/ /etc/myapp/
            COPY --from=assets /dist /srv/static
            CMD ["node", "server.js"]
            """,
            [("/srv/app", "/srv/app"), ("/etc/myapp", "/etc/myapp")],
            id="copy-destination-outside-workdir",
        ),
        pytest.param(
            """
            FROM node:20
            WORKDIR /srv
            WORKDIR app
            COPY . .
            COPY lib ./lib
            RUN npm ci
            CMD ["node", "server.js"]
            """,
            [("/srv/app", "/srv/app")],
            id="relative-workdir-and-copy-inside-it",
        ),
        pytest.param(
            """
            FROM node:20
            COPY . /opt/app
            RUN cd /opt/app && npm ci
            CMD ["node", "/opt/app/index.js"]
            """,
            [("/opt/app", "/opt/app")],
            id="no-workdir-copy-destination",
        ),
    ],
)
def test_app_paths(text: str, artifacts: list[tuple[str, str]]) -> None:
    build = detect(text)
    assert build is not None
    assert summary(build)["artifacts"] == artifacts


def test_artifact_option_replaces_app_paths() -> None:
    build = detect(node_file("npm ci"), Options(artifacts=("/srv/app/dist",)))
    assert build is not None
    assert summary(build)["artifacts"] == [("/srv/app/dist", "/srv/app/dist")]


def test_runtime_image_option_wins() -> None:
    build = detect(node_file("npm ci"), Options(runtime_image="node:20-bookworm-slim"))
    assert build is not None
    assert build.runtime_image == "node:20-bookworm-slim"


def test_node_codename_tag_gives_an_existing_slim_tag() -> None:
    build = detect(node_file("npm ci", image="node:20-bookworm"))
    assert build is not None
    assert build.runtime_image == "node:20-bookworm-slim"


def test_global_package_binary_with_another_name_is_reported() -> None:
    build = detect(node_file("npm install -g pm2 && npm ci", '["pm2-runtime", "server.js"]'))
    assert build is not None
    assert ("DSR100", "--artifact") in summary(build)["findings"]


# -- pruning needs proof from package.json ------------------------------------------------------


def _with_context(text: str, manifest: dict) -> object:
    import json

    from dockerslim_refactor.analysis.ecosystems import detect
    from dockerslim_refactor.analysis.facts import stage_facts
    from dockerslim_refactor.document import parse
    from dockerslim_refactor.options import Options

    document = parse(text)
    facts = stage_facts(document, document.stages[-1], {"package.json": json.dumps(manifest)})
    return detect(facts, Options())


def test_start_script_running_a_dev_dependency_keeps_dev_dependencies() -> None:
    build = _with_context(
        node_file("npm ci", '["npm", "start"]'),
        {"scripts": {"start": "nodemon server.js"}, "devDependencies": {"nodemon": "3"}},
    )
    assert _prunes(build) == []
    assert any("nodemon" in f.message for f in build.findings)


def test_start_script_without_dev_dependencies_is_pruned() -> None:
    build = _with_context(
        node_file("npm ci", '["npm", "start"]'),
        {"scripts": {"start": "node server.js"}, "devDependencies": {"nodemon": "3"}},
    )
    assert any("npm prune" in s for s in _prunes(build))


def test_what_the_build_put_outside_the_app_comes_along() -> None:
    # tini downloaded to /usr/local/bin, a global package: found at build time.
    text = node_file(
        "curl -fsSL -o /usr/local/bin/tini https://x/tini && npm ci",
        '["tini", "--", "node", "server.js"]',
    )
    build = detect(text)
    assert build is not None
    assert [a.kind for a in build.artifacts][0] == "installed-tree"
    assert build.marker_line is not None and "-path /srv/app -prune" in build.final_steps[-1]


@pytest.mark.parametrize(
    "run",
    ["npm ci", "npm ci --omit=dev"],
    ids=["dev-dependencies", "download-cache"],
)
def test_a_build_on_the_slim_image_that_leaves_build_only_files_is_rewritten(run: str) -> None:
    # The builder keeps the devDependencies and ~/.npm; the runtime is the same slim image.
    text = f'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN {run}\nCMD ["node", "index.js"]\n'
    result = rewrite(text)
    assert result.output is not None, result.reason
    assert result.output.rsplit("\nFROM ", 1)[1].startswith("node:20-slim\n")
    assert "-path /root/.npm -prune" in result.output


@pytest.mark.parametrize(
    ("files", "pruned"),
    [
        pytest.param({"dist/app.js": 'const ms = require("ms");\n'}, True, id="production-only"),
        pytest.param(
            {"dist/app.js": "const pad = require('left-pad');\n"}, False, id="bundle-external"
        ),
        pytest.param({"dist/app.mjs": 'import x from "@babel/core/lib";\n'}, False, id="scoped"),
        pytest.param(
            {"test/app.test.js": 'require("jest")\n', "webpack.config.js": 'require("jest")\n'},
            True,
            id="tests-and-build-configs-do-not-count",
        ),
    ],
)
def test_prune_runs_only_when_the_apps_code_requires_no_dev_dependency(
    tmp_path, files: dict[str, str], pruned: bool
) -> None:
    import shutil
    import subprocess

    from dockerslim_refactor.analysis.ecosystems import node

    if shutil.which("node") is None:
        pytest.skip("node is not installed")  # the builder's own node runs the check
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"ms": "2"}, "devDependencies": '
        '{"left-pad": "1", "jest": "29", "@babel/core": "7"}}'
    )
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    check = subprocess.run(
        ["node", "-e", node._REQUIRES_NO_DEV_DEPENDENCY],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (check.returncode == 0) is pruned, check.stderr
    if not pruned:
        assert "they stay" in check.stderr
