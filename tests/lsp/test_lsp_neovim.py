"""A real editor: headless Neovim's built-in LSP client applies "Convert to multi-stage
build" from our server and writes the file; the file must be what the CLI writes.

Needs ``nvim`` (Debian: ``apt-get install -y neovim``). Without it the test is skipped, except
under ``CI``, where it fails so that a CI image without Neovim cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest
from lsp_support import REPO_ROOT, server_env

from dockerslim_refactor.api import context_files
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

SCRIPT = Path(__file__).with_name("nvim_convert.lua")
TEXT = """\
# A Node.js service built in the image it ships.
FROM node:20
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci && npm run build && npm prune --omit=dev
COPY . .
EXPOSE 3000
CMD ["node", "dist/server.js"]
"""


def _nvim() -> str:
    found = shutil.which("nvim")
    if found is None:
        message = "nvim is not installed (apt-get install -y neovim)"
        if os.environ.get("CI"):
            pytest.fail(message + ": required under CI")
        pytest.skip(message)
    return found


def test_neovim_applies_convert_to_multi_stage_build(tmp_path):
    nvim = _nvim()
    path = tmp_path / "project" / "Dockerfile"
    path.parent.mkdir()
    path.write_text(TEXT, "utf-8")
    (path.parent / "package.json").write_text('{"name": "svc", "scripts": {"build": "tsc"}}\n')
    expected = rewrite(TEXT, Options(), context_files(path.parent)).output
    assert expected is not None and expected != TEXT
    log = tmp_path / "nvim.log"
    env = server_env()
    env.update(
        DSR_FILE=str(path),
        DSR_PYTHON=sys.executable,
        DSR_LOG=str(log),
        # Keep Neovim's LSP log and state out of the home folder.
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    proc = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = log.read_text() if log.exists() else ""
    assert proc.returncode == 0, f"{report}\n{proc.stdout}\n{proc.stderr}"
    assert "diagnostic DSR001 1" in report
    assert "diagnostic DSR002 4" in report
    assert "action Convert to multi-stage build" in report
    assert "resolve" in report  # Neovim resolves code actions: the edit came lazily
    assert "written" in report and "done" in report
    written = path.read_text("utf-8")
    assert written == expected
    assert [i.cmd for i in dockerfile.parse_string(written) if i.cmd == "FROM"] == ["FROM"] * 2
