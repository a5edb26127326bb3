"""A RUN that runs a shell script from the build context which installs outside the app's
folders (apt packages, a ``make install``) leaves an interpreted program's file alone: its
runtime stage is the interpreter's image plus the app's folders, and would lack what the
script installed. Scripts that only build inside the app, and programs in other languages,
do not."""

from __future__ import annotations

import pytest

from dockerslim_refactor.analysis.facts import stage_facts
from dockerslim_refactor.analysis.program import context_script_installs
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

PYTHON = """\
FROM python:3.11
WORKDIR /usr/src/app
COPY docker/ docker/
RUN {run}
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
"""
APT = "#!/bin/sh\nset -e\napt-get update\napt-get install -y --no-install-recommends nmap\n"
PIP_ONLY = "#!/bin/bash\nset -e\npip install --no-cache-dir cython\n"


def _facts(text: str, files: dict[str, str]):
    doc = parse(text)
    return stage_facts(doc, doc.stages[-1], files)


@pytest.mark.parametrize(
    "run, files, what",
    [
        ("docker/setup.sh", {"docker/setup.sh": APT}, "runs apt-get install"),
        ("sh docker/setup.sh", {"docker/setup.sh": APT}, "runs apt-get install"),
        ("bash ./docker/setup.sh --all", {"docker/setup.sh": APT}, "runs apt-get install"),
        # A suffix-less script, read by its #! line.
        ("docker/setup_prereqs", {"docker/setup_prereqs": APT}, "runs apt-get install"),
        # One it runs in turn, with a make install.
        (
            "docker/setup.sh",
            {
                "docker/setup.sh": "#!/bin/sh\ndocker/libfoo.sh\n",
                "docker/libfoo.sh": "#!/bin/sh\ncd /tmp/libfoo && make && make install\n",
            },
            "docker/libfoo.sh runs make install",
        ),
        # Not in the context read (stdin, or beyond the limits): not known, so not copied.
        ("sh docker/setup.sh", {}, "is not known (its text was not read)"),
        ("docker/setup_prereqs", {}, "is not known (its text was not read)"),
    ],
)
def test_a_setup_script_that_installs_leaves_the_file_alone(run, files, what) -> None:
    text = PYTHON.format(run=run)
    found = context_script_installs(_facts(text, files))
    assert found is not None and found[0] == 4 and what in found[2]
    result = rewrite(text, Options(), files)
    assert result.output is None
    assert "line 4 runs /usr/src/app/docker/" in result.reason
    assert "--runtime-image" in result.reason


@pytest.mark.parametrize(
    "run, files",
    [
        ("docker/setup.sh", {"docker/setup.sh": PIP_ONLY}),
        # The app's own programs: a Python file, or a suffix-less Ruby or Python program.
        ("python docker/prepare.py", {}),
        ("docker/manage", {"docker/manage": "#!/usr/bin/env python3\nimport os\n"}),
        ("docker/manage", {}),
        # A shell command, not a script.
        ("sh -c 'apt-get install -y nmap'", {}),
    ],
)
def test_scripts_that_install_nothing_outside_are_rewritten(run, files) -> None:
    text = PYTHON.format(run=run)
    assert context_script_installs(_facts(text, files)) is None


def test_a_script_that_only_builds_in_the_app_is_rewritten() -> None:
    files = {"docker/setup.sh": PIP_ONLY}
    result = rewrite(PYTHON.format(run="docker/setup.sh"), Options(), files)
    assert result.output is not None, result.reason


def test_runtime_image_settles_it() -> None:
    text = PYTHON.format(run="docker/setup.sh")
    files = {"docker/setup.sh": APT}
    result = rewrite(text, Options(runtime_image="registry.example/base:1"), files)
    assert result.output is not None, result.reason
    assert "\nFROM registry.example/base:1\n" in result.output


def test_a_native_build_keeps_what_its_script_installed() -> None:
    # A C build's runtime receives the whole tree the build added: no need to refuse.
    text = (
        "FROM gcc:12-bookworm\nWORKDIR /src\nCOPY . .\nRUN ./build.sh\n"
        'CMD ["/usr/local/bin/tool"]\n'
    )
    files = {"build.sh": "#!/bin/sh\nmake && make install\napt-get install -y nmap\n"}
    assert rewrite(text, Options(), files).output is not None
