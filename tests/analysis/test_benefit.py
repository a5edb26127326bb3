"""The benefit gate: a build that removes its own toolchain in the RUN that uses it leaves
nothing build-only for a builder stage, so the file is left alone; one that keeps the
toolchain is rewritten."""

from __future__ import annotations

import pytest

from dockerslim_refactor.document import parse
from dockerslim_refactor.findings import analyze

KEEPS = [
    pytest.param(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential "
        '&& make -C /src install && apt-get purge -y build-essential\nCMD ["tally"]\n',
        id="apt-purge-without-autoremove-keeps-gcc",
    ),
    pytest.param(
        "FROM alpine:3.19\nRUN apk add gcc make musl-dev\nCOPY . /src\n"
        'RUN make -C /src install\nCMD ["tally"]\n',
        id="packages-kept",
    ),
]
REMOVES = [
    pytest.param(
        "FROM alpine:3.19\nCOPY . /src\nRUN apk add --virtual .deps gcc make musl-dev "
        '&& make -C /src install && apk del .deps\nCMD ["tally"]\n',
        id="apk-virtual-group-deleted",
    ),
    pytest.param(
        "FROM debian:bookworm\nCOPY . /src\nRUN apt-get update && apt-get install -y gcc make "
        '&& make -C /src install && apt-get purge -y --auto-remove gcc make\nCMD ["tally"]\n',
        id="apt-purge-auto-remove",
    ),
]


@pytest.mark.parametrize("text", REMOVES)
def test_a_build_that_removes_its_toolchain_is_left_alone(text: str) -> None:
    analysis = analyze(parse(text))
    assert analysis.leave_alone and "removes its own toolchain" in analysis.leave_alone
    assert not [f for f in analysis.findings if f.code == "DSR001"]


@pytest.mark.parametrize("text", KEEPS)
def test_a_build_that_keeps_its_toolchain_is_reported(text: str) -> None:
    analysis = analyze(parse(text))
    assert [f for f in analysis.findings if f.code == "DSR001"]


def test_no_program_to_run_leaves_the_file_alone_unless_artifact_names_it() -> None:
    from dockerslim_refactor.options import Options

    text = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n"
    analysis = analyze(parse(text))
    assert analysis.leave_alone and "no program to run" in analysis.leave_alone
    assert "--artifact" in analysis.leave_alone
    named = analyze(parse(text), Options(artifacts=("/out/app",)))
    assert named.leave_alone is None


def test_an_image_without_any_toolchain_says_so_not_that_it_removed_one() -> None:
    text = 'FROM debian:bookworm\nWORKDIR /src\nCOPY . .\nRUN ./build.sh\nCMD ["greet"]\n'
    analysis = analyze(parse(text))
    assert analysis.leave_alone == (
        "the final image keeps no toolchain or build packages: nothing to move out"
    )


SLIM_PIP = (
    "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\\n"
    "    && pip install -r requirements.txt \\\n    && {cleanup}\n"
    'CMD ["python", "app.py"]\n'
)


@pytest.mark.parametrize(
    ("cleanup", "leaves"),
    [
        # apt's cleanup is not pip's: ~/.cache/pip stays in the layer.
        ("apt-get clean && rm -rf /var/lib/apt/lists/*", True),
        ("rm -rf /var/lib/apt/lists/* /root/.cache/pip", False),
        ("rm -rf /var/lib/apt/lists/* ~/.cache", False),
        ("pip cache purge && rm -rf /var/lib/apt/lists/*", False),
    ],
)
def test_only_a_cleanup_of_pips_own_cache_counts(cleanup: str, leaves: bool) -> None:
    from dockerslim_refactor.analysis.benefit import leaves_build_only_files

    analysis = analyze(parse(SLIM_PIP.format(cleanup=cleanup)))
    assert leaves_build_only_files(analysis.facts) is leaves
    reported = [f for f in analysis.findings if f.code == "DSR001"]
    assert bool(reported) is leaves
    if leaves:
        assert reported[0].fix is not None


# A layer keeps what it added: sources a later RUN deletes, and build packages a later RUN
# removes, still ship in the image. Only a builder stage leaves them behind.
DELETED_SOURCES = (
    "FROM alpine:3.19\nCOPY . /src\nRUN apk add --virtual .deps gcc make musl-dev "
    '&& make -C /src install && {remove} && apk del .deps\nCMD ["tally"]\n'
)


@pytest.mark.parametrize(
    "remove",
    ["rm -rf /src", "rm -r /src/*", "cd / && rm -fr src", "rm --recursive --force /src"],
)
def test_sources_deleted_by_a_later_run_still_ship(remove: str) -> None:
    analysis = analyze(parse(DELETED_SOURCES.format(remove=remove)))
    assert analysis.leave_alone is None
    assert (2, "copies /src, which line 3 deletes, so its files still ship") in analysis.toolchain
    assert [f for f in analysis.findings if f.code == "DSR001" and f.fix]


@pytest.mark.parametrize("remove", ["rm -rf /src/build", "rm -f /src", "rm -rf /tmp/*"])
def test_sources_kept_or_only_partly_deleted_are_not_counted(remove: str) -> None:
    analysis = analyze(parse(DELETED_SOURCES.format(remove=remove)))
    assert not [e for _, e in analysis.toolchain if e.startswith("copies ")]
    assert analysis.leave_alone and "removes its own toolchain" in analysis.leave_alone


def test_a_deletion_before_the_copy_does_not_count() -> None:
    text = (
        "FROM alpine:3.19\nRUN rm -rf /src\nCOPY . /src\nRUN apk add --virtual .deps gcc "
        '&& make -C /src install && apk del .deps\nCMD ["tally"]\n'
    )
    assert not [e for _, e in analyze(parse(text)).toolchain if e.startswith("copies ")]


LATER_REMOVAL = (
    "FROM node:18-alpine\nRUN apk add --update bash python3 build-base\nADD . /src\n"
    "RUN cd /src && ./do && cp /src/tally /usr/bin{remove}\n"
    'CMD ["tally"]\n'
)


def test_a_script_run_where_earlier_build_packages_are_removed_is_the_build() -> None:
    from dockerslim_refactor.analysis.benefit import build_package_removals

    analysis = analyze(parse(LATER_REMOVAL.format(remove=" && apk del build-base")))
    assert build_package_removals(analysis.facts) == {4}
    assert (4, "runs the build script ./do") in analysis.toolchain
    assert analysis.leave_alone is None
    reported = [f for f in analysis.findings if f.code == "DSR001"]
    assert reported and reported[0].fix is not None


def test_a_script_by_another_name_without_the_removal_is_not_taken_for_the_build() -> None:
    from dockerslim_refactor.analysis.benefit import build_package_removals

    analysis = analyze(parse(LATER_REMOVAL.format(remove="")))
    assert build_package_removals(analysis.facts) == frozenset()
    assert not [e for _, e in analysis.toolchain if e.startswith("runs the build script")]


def test_dsr001_names_the_deleted_sources_when_the_toolchain_went_with_its_run() -> None:
    analysis = analyze(parse(DELETED_SOURCES.format(remove="rm -rf /src")))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert "keeps build-only files (copies /src, which line 3 deletes" in finding.message
    assert "tools nobody runs" not in finding.message


def test_a_deleted_download_without_a_build_is_not_taken_for_one() -> None:
    text = (
        "FROM debian:bookworm\nADD https://example.com/app.tgz /tmp/\n"
        'RUN tar -xzf /tmp/app.tgz -C /opt && rm -rf /tmp/*\nCMD ["/opt/app/run"]\n'
    )
    analysis = analyze(parse(text))
    assert analysis.leave_alone == (
        "nothing is built here: the image only copies or installs prebuilt files"
    )
    assert not [f for f in analysis.findings if f.code == "DSR001"]
