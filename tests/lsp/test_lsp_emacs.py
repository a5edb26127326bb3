"""A second real editor: Emacs with eglot, headless (``emacs --batch``), loads the README's
eglot snippet as written, starts ``dockerslim-refactor lsp`` through it, waits for the
diagnostics, applies "Convert to multi-stage build" and saves; the file must be what the CLI
writes.

Needs Emacs with eglot and dockerfile-mode (Debian: ``apt-get install -y emacs-nox elpa-eglot
elpa-dockerfile-mode``). Without them the test is skipped, except under ``CI``, where it
fails so that a CI image without Emacs cannot pass silently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest
from lsp_support import REPO_ROOT, server_env
from test_lsp_neovim import TEXT

from dockerslim_refactor.api import context_files
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

SCRIPT = Path(__file__).with_name("emacs_convert.el")


def _emacs() -> str:
    found = shutil.which("emacs")
    problem = None
    if found is None:
        problem = "emacs is not installed"
    else:
        probe = subprocess.run(
            [found, "--batch", "--eval", "(progn (require 'eglot) (require 'dockerfile-mode))"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.returncode != 0:
            problem = f"emacs lacks eglot or dockerfile-mode: {probe.stderr.strip()[-200:]}"
    if problem:
        message = problem + " (apt-get install -y emacs-nox elpa-eglot elpa-dockerfile-mode)"
        if os.environ.get("CI"):
            pytest.fail(message + ": required under CI")
        pytest.skip(message)
    return found


def _readme_snippet() -> str:
    """The README's eglot configuration block, as written."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("**Emacs**", 1)[1]
    return re.search(r"```elisp\n(.*?)```", section, re.S).group(1)


def test_emacs_eglot_applies_convert_to_multi_stage_build(tmp_path: Path) -> None:
    emacs = _emacs()
    path = tmp_path / "project" / "Dockerfile"
    path.parent.mkdir()
    path.write_text(TEXT, "utf-8")
    (path.parent / "package.json").write_text('{"name": "svc", "scripts": {"build": "tsc"}}\n')
    expected = rewrite(TEXT, Options(), context_files(path.parent)).output
    assert expected is not None and expected != TEXT
    snippet = tmp_path / "readme-snippet.el"
    snippet.write_text(_readme_snippet(), "utf-8")
    assert '"dockerslim-refactor" "lsp"' in snippet.read_text()
    log = tmp_path / "emacs.log"
    env = server_env()
    env.update(
        DSR_FILE=str(path),
        DSR_SNIPPET=str(snippet),
        DSR_LOG=str(log),
        HOME=str(tmp_path / "home"),  # no user init, no ~/.emacs.d state
    )
    # The snippet runs `dockerslim-refactor` from PATH: this interpreter's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    proc = subprocess.run(
        [emacs, "--batch", "-l", str(SCRIPT)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = log.read_text() if log.exists() else ""
    assert proc.returncode == 0, f"{report}\n{proc.stdout}\n{proc.stderr}"
    assert "server (dockerslim-refactor lsp)" in report
    assert "diagnostic DSR001 1" in report
    assert "applied" in report and "written" in report and "done" in report
    written = path.read_text("utf-8")
    assert written == expected
    assert [i.cmd for i in dockerfile.parse_string(written) if i.cmd == "FROM"] == ["FROM"] * 2
