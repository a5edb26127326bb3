"""``--runtime distroless`` for Node.js: the distroless image of the same major, node as its
ENTRYPOINT, no RUN in the runtime stage, and a refusal naming ``--runtime slim`` wherever the
program needs what distroless does not have."""

from __future__ import annotations

import dockerfile
import pytest

from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

DISTROLESS = Options(runtime="distroless")


def node_file(cmd: str = 'CMD ["node", "server.js"]', image: str = "node:18", extra: str = ""):
    return (
        f"FROM {image}\n{extra}WORKDIR /app\nCOPY package.json ./\nRUN npm install\n"
        f"COPY . .\n{cmd}\n"
    )


def runtime_of(output: str) -> str:
    return output.rsplit("\nFROM ", 1)[1]


def test_node_runs_on_distroless_with_the_script_as_cmd() -> None:
    result = rewrite(node_file(), DISTROLESS)
    assert result.output is not None, result.reason
    runtime = runtime_of(result.output)
    assert runtime.startswith("gcr.io/distroless/nodejs18-debian12\n")
    assert 'CMD ["server.js"]' in runtime and '# Was: CMD ["node", "server.js"]' in runtime
    assert "\nRUN " not in runtime  # no shell to run anything
    builder = result.output.rsplit("\nFROM ", 1)[0]
    # node:18 does not name its Debian release: the builder checks it is 12 (bookworm).
    assert "VERSION_CODENAME=bookworm" in builder
    assert "native modules link libraries distroless Node.js lacks" in builder
    assert any("no shell, no npm" in n.message for n in result.plan.notes)
    assert [c.cmd for c in dockerfile.parse_string(result.output)].count("FROM") == 2
    assert rewrite(result.output, DISTROLESS).output is None


def test_an_entrypoint_names_distroless_node_by_its_path() -> None:
    result = rewrite(
        node_file('ENTRYPOINT ["node", "server.js"]\nCMD ["--port", "80"]'), DISTROLESS
    )
    assert result.output is not None, result.reason
    runtime = runtime_of(result.output)
    assert 'ENTRYPOINT ["/nodejs/bin/node", "server.js"]' in runtime
    assert 'CMD ["--port", "80"]' in runtime


def test_kept_packages_are_left_out_after_a_builder_check() -> None:
    result = rewrite(
        node_file(extra="RUN apt-get update && apt-get install -y python3 make g++\n"),
        DISTROLESS,
    )
    assert result.output is not None, result.reason
    assert any(
        "left out of the distroless runtime: python3" in n.message for n in result.plan.notes
    )
    builder = result.output.rsplit("\nFROM ", 1)[0]
    assert 'for p in python3; do dpkg -L "$p"' in builder


@pytest.mark.parametrize(
    ("text", "why"),
    [
        pytest.param(node_file("CMD node server.js"), "distroless runs only node", id="shell-form"),
        pytest.param(
            node_file('CMD ["npm", "run", "serve"]'), "distroless runs only node", id="npm-script"
        ),
        pytest.param(node_file(image="node:16"), "not node:16", id="no-distroless-major"),
        pytest.param(node_file(image="node:18-alpine"), "musl", id="alpine"),
        pytest.param(node_file(image="node:18-bullseye"), "Debian bullseye", id="other-release"),
        pytest.param(
            node_file(extra="RUN useradd -m app\nUSER app\n"), "no user 'app'", id="named-user"
        ),
        pytest.param(
            node_file(extra="RUN mkdir -p /data && chown 1000 /data\n"),
            "recreate with a shell",
            id="state-to-recreate",
        ),
        pytest.param(
            node_file(extra="HEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\n"),
            "the HEALTHCHECK runs a shell",
            id="healthcheck-shell",
        ),
        pytest.param(
            # Docker looks the program up on the PATH, and /nodejs/bin is not on it.
            node_file(extra='HEALTHCHECK CMD ["node", "healthcheck.js"]\n'),
            "the HEALTHCHECK runs node, which distroless does not have on its PATH",
            id="healthcheck-node",
        ),
    ],
)
def test_what_distroless_cannot_run_is_refused_with_the_flag(text: str, why: str) -> None:
    result = rewrite(text, DISTROLESS)
    assert result.output is None
    assert why in result.reason and "--runtime slim" in result.reason
