"""The installed-tree fallback: a build whose output no detector names is found at build
time (files added since a marker), and nothing is written when there is no program or no
build step."""

from __future__ import annotations

import dockerfile
import pytest

from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

SCRIPT = (
    "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make libfoo-dev\n"
    'WORKDIR /src\nCOPY . .\nRUN ./build.sh\nCMD ["greet"]\n'
)

# -- must not apply ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            'FROM debian:bookworm\nCOPY greet /usr/bin/greet\nCMD ["greet"]\n', id="no-build"
        ),
        # No command, and the base image's own command may be the program.
        pytest.param(
            SCRIPT.replace("debian:bookworm", "nginx:1.25").replace('CMD ["greet"]\n', ""),
            id="no-program-on-a-server-image",
        ),
        # No command, and a toolchain installer set up: an environment to develop in.
        pytest.param(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y build-essential git\n"
            "RUN git clone https://github.com/rbenv/rbenv.git /rbenv && rbenv install 3.3.0\n"
            "WORKDIR /app\nCOPY Gemfile .\nRUN bundle install\n",
            id="no-program-toolchain-installer",
        ),
        # No command and nothing compiled: no build packages kept, no compiler run.
        pytest.param(
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n"
            "WORKDIR /src\nCOPY . .\nRUN ./install.sh\n",
            id="no-program-nothing-compiled",
        ),
        pytest.param(
            'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n',
            id="a-detector-named-the-output",
        ),
    ],
)
def test_not_used(text: str) -> None:
    result = rewrite(text)
    assert result.output is None or "/.dslim-marker" not in result.output


# -- applies -----------------------------------------------------------------------------------


def test_a_build_script_is_found_at_build_time() -> None:
    result = rewrite(SCRIPT)
    assert result.output is not None
    dockerfile.parse_string(result.output)
    builder, runtime = result.output.split("\n\n# Runtime", 1)
    # The marker comes before every step: what any step added may be the program's. The
    # packages it installed are subtracted (package-owned files) and reinstalled if kept.
    assert builder.index("touch /.dslim-marker") < builder.index("apt-get install")
    assert "comm -23 /tmp/dslim/added /tmp/dslim/unchanged" in builder
    # What was added is staged after every step, and the program must be in it.
    assert builder.index("./build.sh") < builder.index("comm -23")
    assert "p=$(command -v greet) ||" in builder
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime
    assert "COPY --from=builder /src /src" in runtime
    assert "FROM debian:bookworm-slim" in runtime
    assert rewrite(result.output).output is None  # now multi-stage: left alone


def test_a_tool_image_without_a_command_keeps_what_the_build_installed() -> None:
    """No CMD on an OS image: docker run names the program, so everything the build
    installed comes along, the app folder too, without a program to look for and without
    a command of its own."""
    result = rewrite(SCRIPT.replace('CMD ["greet"]\n', ""))
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)
    builder, runtime = result.output.split("\n\n# Runtime", 1)
    assert "comm -23 /tmp/dslim/added /tmp/dslim/unchanged" in builder
    assert "p=$(command -v" not in builder and "did not install" not in builder
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime
    assert "COPY --from=builder /src /src" in runtime
    assert "CMD" not in runtime and "ENTRYPOINT" not in runtime
    notes = [f.message for f in result.analysis.findings if f.flag == "--artifact"]
    assert any("names no program to run" in n for n in notes)
    assert rewrite(result.output).output is None


def test_the_output_named_with_artifact_wins() -> None:
    result = rewrite(SCRIPT, Options(artifacts=("/usr/local/bin/greet",)))
    assert result.output is not None and "/.dslim-marker" not in result.output
    assert "COPY --from=builder /usr/local/bin/greet /usr/local/bin/greet" in result.output


def test_the_program_may_live_in_the_app_folder_or_in_its_own_source_folder() -> None:
    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n"
        "COPY tools /opt/tools\nWORKDIR /srv/app\nCOPY . .\nRUN ./build.sh\n"
        'CMD ["/opt/tools/run.sh"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    # Alternatives of one case pattern are separated by `|` (a space would make them one).
    assert (
        'case "$p" in "/opt/tools" | "/opt/tools"/* | "/srv/app" | "/srv/app"/* | "") ;;'
        in result.output
    )
    assert "COPY --from=builder /opt/tools /opt/tools" in result.output
    assert "COPY --from=builder /srv/app /srv/app" in result.output


def test_a_named_native_output_also_brings_what_else_the_build_installed() -> None:
    # A plugin moved next to the binary, a config written to /etc: the tree carries them.
    text = (
        "FROM gcc:13-bookworm\nWORKDIR /src\nCOPY . .\n"
        "RUN gcc -O2 -o /usr/local/bin/miner main.c && cp backend.so /usr/local/bin/ "
        '&& echo 1 > /etc/miner.version\nCMD ["/usr/local/bin/miner"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.split("\n\n# Runtime", 1)[1]
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime
    assert "COPY --from=builder /usr/local/bin/miner /usr/local/bin/miner" in runtime


def test_the_named_output_is_not_in_the_tree_too() -> None:
    """The binary the runtime copies by name stays out of the tree (else the image holds it
    twice), and the check that the program is there accepts it by that name."""
    text = (
        "FROM gcc:13-bookworm\nWORKDIR /src\nCOPY . .\n"
        "RUN gcc -O2 -o /usr/local/bin/miner main.c && cp backend.so /usr/local/bin/ "
        '&& echo 1 > /etc/miner.version\nCMD ["/usr/local/bin/miner"]\n'
    )
    output = rewrite(text).output
    assert output is not None
    assert "-e '^/usr/local/bin/miner$'" in output
    done = _program_check(output, "/usr/local/bin/miner")
    assert done.returncode == 0, done.stderr


def _program_check(output: str, program: str):
    """Run only the collect step's check that the program is there, for ``program``, with no
    tools on PATH: nothing else of the step runs here."""
    import re
    import subprocess

    (case,) = re.findall(r'    (case "\$p" in "[^\n]*esac)', output)
    return subprocess.run(
        ["/bin/sh", "-c", f"p={program}; {case}"],
        capture_output=True,
        text=True,
        env={"PATH": "/nonexistent"},
    )


def test_paths_left_out_of_the_tree_match_only_themselves() -> None:
    from dockerslim_refactor.analysis.ecosystems.installed import _bre

    assert _bre("/usr/bin/app.v2[x]") == "/usr/bin/app\\.v2\\[x\\]"


def test_a_static_program_for_a_minimal_base_keeps_only_its_output() -> None:
    text = (
        'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD ["/out/app"]\n'
    )
    result = rewrite(text)
    assert result.output is not None and "/tmp/dslim/root" not in result.output


def test_the_marker_lives_outside_tmp_and_its_loss_fails_the_build() -> None:
    # Builds clean /tmp; a missing marker would make every file look old (dash's -nt).
    result = rewrite(SCRIPT.replace("RUN ./build.sh", "RUN ./build.sh && rm -rf /tmp/*"))
    assert result.output is not None
    assert "touch /.dslim-marker" in result.output
    assert '[ -e /.dslim-marker ] || { echo "dockerslim: a build step removed' in result.output


def test_staged_folders_keep_the_builders_owner_and_mode() -> None:
    # tar creates the folders above the files it extracts as root: a home folder would stop
    # being its user's. The step gives each staged folder the builder's owner and mode.
    result = rewrite(SCRIPT)
    assert result.output is not None
    assert 'chown "$(stat -c %u:%g "$s")" "$d"; chmod "$(stat -c %a "$s")" "$d"' in result.output


def test_package_files_the_build_edited_are_the_builds() -> None:
    # `sed -i` on php.ini or login.defs: the runtime's reinstalled package would bring the
    # unedited file, so an edited one goes in the tree though a package owns it.
    result = rewrite(SCRIPT)
    assert result.output is not None
    assert "dpkg --verify" in result.output and "md5sum -c /var/lib/ucf/hashfile" in result.output
    assert "apk audit" in result.output and "rpm -Va" in result.output
    assert "comm -23 /tmp/dslim/owned /tmp/dslim/modified > /tmp/dslim/unchanged" in result.output
    assert "comm -23 /tmp/dslim/added /tmp/dslim/unchanged > /tmp/dslim/installed" in result.output


@pytest.mark.parametrize(
    ("text", "runtime"),
    [
        pytest.param(
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3 "
            "python3-pip python3-dev gcc\nRUN pip3 install --break-system-packages mmh3\n"
            'COPY app.py /app/app.py\nCMD ["python3", "/app/app.py"]\n',
            "debian:bookworm-slim",
            id="pip-on-debian",
        ),
        pytest.param(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y php-cli composer\n"
            'WORKDIR /srv\nCOPY . .\nRUN composer install\nCMD ["php", "index.php"]\n',
            "ubuntu:22.04",
            id="composer-on-ubuntu",
        ),
        pytest.param(
            "FROM alpine:3.19\nRUN apk add ruby ruby-dev build-base && gem install rack\n"
            'CMD ["ruby", "-e", "require \\"rack\\""]\n',
            "alpine:3.19",
            id="gem-on-alpine",
        ),
    ],
)
def test_the_distributions_interpreter_keeps_its_os_image(text: str, runtime: str) -> None:
    # No slim image has the distribution's interpreter: the runtime is the same release,
    # with the interpreter reinstalled and what pip, composer or gem installed as a tree.
    result = rewrite(text)
    assert result.output is not None, result.leave_alone
    runtime_stage = result.output.rsplit("\nFROM ", 1)[1]
    assert runtime_stage.startswith(runtime + "\n")
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime_stage
    for build_only in ("python3-dev", "gcc", "ruby-dev", "build-base"):
        assert f" {build_only} " not in runtime_stage
    assert rewrite(result.output).output is None


def test_byte_code_of_the_distributions_python_stays_behind() -> None:
    result = rewrite(SCRIPT)
    assert result.output is not None
    assert "-e '^/usr/lib/python[0-9.]*/.*[.]pyc$'" in result.output


def test_a_static_build_run_by_a_script_from_the_context_brings_the_tree() -> None:
    # /installer comes from the context and runs what the build put at /: the runtime keeps
    # the builder's release and gets everything the build installed.
    text = (
        "FROM gcc:12-bookworm\nWORKDIR /src\nCOPY hello.c .\n"
        "RUN gcc -O2 -static -o hello hello.c\nRUN cp hello /\n"
        'ADD installer /installer\nCMD ["/installer"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert runtime.startswith("debian:bookworm-slim\n")
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime


def test_a_static_program_built_inside_the_copied_sources_is_not_a_context_file() -> None:
    # COPY . . then a build into ./target: the program is the build's, so a minimal base
    # still fits.
    text = (
        "FROM rust:1.79-bookworm\nWORKDIR /app\nCOPY . .\n"
        "RUN cargo build --release --target x86_64-unknown-linux-musl\n"
        'ENTRYPOINT ["/app/target/x86_64-unknown-linux-musl/release/fetcher"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "debian:bookworm-slim" not in result.output.rsplit("\nFROM ", 1)[1].splitlines()[0]


def test_new_files_are_found_by_path_as_well_as_by_time() -> None:
    # A COPY keeps the context file's old time, and busybox find has no -cnewer: the marker
    # step lists the files there were, and any path not on that list is the build's.
    result = rewrite(SCRIPT)
    assert result.output is not None
    assert "| LC_ALL=C sort > /.dslim-before" in result.output
    assert "| LC_ALL=C comm -13 /.dslim-before -; }" in result.output
    # A program that was not there before the build and is not in the tree fails the build.
    assert 'grep -qx "$p" /.dslim-before ||' in result.output
    assert '[ ! "$p" -nt /.dslim-marker ]' not in result.output


def test_cargo_intermediates_stay_in_the_builder() -> None:
    """Sources copied to / put cargo's target folder in the installed tree: the binary and
    the app's files come along, ``deps``, ``build``, ``incremental`` do not."""
    import shlex
    import subprocess

    from dockerslim_refactor.analysis.ecosystems.installed import CARGO_INTERMEDIATES

    result = rewrite(
        "FROM rust:1.75-bookworm\nWORKDIR /\nCOPY . .\nRUN cargo build --release\n"
        "CMD ./target/release/rocket\n"
    )
    assert result.output is not None, result.reason
    assert f"grep -v -E {shlex.quote(CARGO_INTERMEDIATES)}" in result.output
    paths = [
        "/target/release/rocket",
        "/templates/index.html.tera",
        "/target/release/deps/rocket-1a2b",
        "/target/release/build/ring-9f/out/libring.a",
        "/target/release/incremental/x/y",
        "/target/x86_64-unknown-linux-musl/release/.fingerprint/z",
        "/srv/target/classes/build/app.class",
    ]
    kept = subprocess.run(
        ["grep", "-v", "-E", CARGO_INTERMEDIATES],
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
    ).stdout.split()
    assert kept == [
        "/target/release/rocket",
        "/templates/index.html.tera",
        "/srv/target/classes/build/app.class",
    ]


def test_byte_code_of_the_interpreters_library_stays_behind_but_not_of_site_packages() -> None:
    """The standard library's .pyc the build compiled are the interpreter's; those of the
    packages pip installed come along: a non-root user could not write them at each start."""
    import shlex
    import subprocess

    from dockerslim_refactor.analysis.ecosystems.installed import STDLIB_BYTECODE

    result = rewrite(SCRIPT)
    assert result.output is not None
    assert f"awk {shlex.quote(STDLIB_BYTECODE)}" in result.output
    paths = [
        "/usr/local/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc",
        "/usr/local/lib/python3.11/site-packages/django/__pycache__/apps.cpython-311.pyc",
        "/usr/local/lib/python3.11/dist-packages/greet/__pycache__/x.cpython-311.pyc",
        "/usr/local/bin/greet",
    ]
    kept = subprocess.run(
        ["awk", STDLIB_BYTECODE], input="\n".join(paths) + "\n", capture_output=True, text=True
    ).stdout.split()
    assert kept == paths[1:]


def test_files_of_a_package_no_source_has_are_the_builds() -> None:
    """dpkg -i of a package file: its files are owned by a package, but one that no package
    source has, so the runtime could not install it again. The marker records the packages
    there before the build; those added since that apt-cache does not know go to the tree."""
    from dockerslim_refactor.analysis.ecosystems.installed import PACKAGES_BEFORE

    text = SCRIPT.replace("RUN ./build.sh\n", "RUN dpkg -i vendor.deb && ./build.sh\n")
    result = rewrite(text)
    assert result.output is not None, result.reason
    builder = result.output.split("\n\n# Runtime", 1)[0]
    marker = builder.index(f"> {PACKAGES_BEFORE}")
    assert marker < builder.index("dpkg -i vendor.deb")
    assert f"comm -13 {PACKAGES_BEFORE} - > /tmp/dslim/new-packages" in builder
    assert 'apt-cache madison "$p"' in builder and 'dpkg -L "$p"' in builder
    # Listed with the files the build edited: not "unchanged package files", so kept.
    assert "cat /tmp/dslim/local-files 2>/dev/null; } | sort -u > /tmp/dslim/modified" in builder
    assert builder.index("/tmp/dslim/local-files 2>/dev/null; }") < builder.index(
        "comm -23 /tmp/dslim/owned /tmp/dslim/modified"
    )
    # Without a package file, no package is the build's: an archived release whose mirror
    # no longer answers would otherwise make every package it installed look like one.
    plain = rewrite(SCRIPT).output
    assert plain is not None
    assert f"> {PACKAGES_BEFORE}" not in plain and "dpkg -L" not in plain


@pytest.mark.parametrize(
    "run",
    [
        "dpkg -i vendor.deb",
        "dpkg --install /tmp/vendor.deb",
        "apt-get install -y ./vendor_1.0_all.deb",
        "apt install -y /opt/chrome.deb",
        "gdebi -n vendor.deb",
    ],
)
def test_package_files_are_recognised(run: str) -> None:
    from dockerslim_refactor.analysis.ecosystems.installed import (
        PACKAGES_BEFORE,
        installs_package_files,
    )
    from dockerslim_refactor.analysis.facts import stage_facts
    from dockerslim_refactor.document import parse

    document = parse(SCRIPT.replace("RUN ./build.sh\n", f"RUN {run} && ./build.sh\n"))
    assert installs_package_files(stage_facts(document, document.stages[-1], None))
    output = rewrite(document.text()).output
    assert output is not None and PACKAGES_BEFORE in output


ANT_TOOL = """\
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ant default-jdk-headless
WORKDIR /opt/hello
COPY . .
RUN ant dist && ln -s /opt/hello/dist/bin/hello /usr/local/bin/hello
"""


@pytest.mark.parametrize("build", ["ant dist", "./sbt clean dist", "lein uberjar"])
def test_jvm_build_tools_start_a_build(build: str) -> None:
    from dockerslim_refactor.rewrite import rewrite

    result = rewrite(ANT_TOOL.replace("ant dist", build))
    assert result.output is not None, result.reason
    # The tool image's tree: a marker before the build, what it added collected after it.
    builder = result.output[: result.output.rindex("\nFROM ")]
    assert builder.index("/.dslim-marker") < builder.index(build) < builder.index("/tmp/dslim/root")


def test_a_jdk_that_compiled_the_tool_becomes_its_jre_in_the_runtime() -> None:
    from dockerslim_refactor.analysis.packages import is_build_package
    from dockerslim_refactor.options import Options
    from dockerslim_refactor.rewrite import rewrite

    assert is_build_package("apache-ant") and is_build_package("ant")
    result = rewrite(ANT_TOOL)
    assert result.output is not None, result.reason
    runtime = result.output[result.output.rindex("\nFROM ") :]
    assert "for p in default-jre-headless $(cat" in runtime
    assert "default-jdk-headless" not in runtime and " ant " not in runtime
    (swap,) = [n for n in result.plan.notes if "gets its JRE" in n.message]
    assert swap.flag == "--runtime-package"
    # Naming the JDK keeps it.
    kept = rewrite(ANT_TOOL, Options(runtime_packages=("default-jdk-headless",))).output
    assert kept is not None and "default-jre-headless" not in kept
    # Nothing compiled Java: the JDK is what the image is given for, and stays.
    plain = ANT_TOOL.replace("ant dist && ", "make && ")
    output = rewrite(plain).output
    assert output is not None and "for p in default-jdk-headless $(cat" in output


@pytest.mark.parametrize(
    ("package", "jre"),
    [
        ("openjdk-17-jdk-headless", "openjdk-17-jre-headless"),
        ("openjdk-11-jdk", "openjdk-11-jre"),
        ("default-jdk", "default-jre"),
        ("temurin-21-jdk", "temurin-21-jre"),
        ("openjdk11", "openjdk11-jre"),
        ("openjdk17-jdk", "openjdk17-jre"),
        ("java-11-openjdk-devel", "java-11-openjdk-headless"),
        ("openjdk-17-jre-headless", None),
        ("curl", None),
    ],
)
def test_the_jre_of_a_jdk_package(package: str, jre: str | None) -> None:
    from dockerslim_refactor.analysis.ecosystems.java import jre_of

    assert jre_of(package) == jre


C_WITH_RPM = """\
FROM centos:7
RUN yum install -y gcc make
COPY . /src
RUN {install}
RUN cd /src && make && make install
CMD ["/usr/local/bin/app"]
"""


@pytest.mark.parametrize(
    ("install", "what"),
    [
        ("yum localinstall -y /tmp/jdk-8u131-linux-x64.rpm", "yum localinstall"),
        ("rpm -ivh /src/vendor/libfoo-1.0.x86_64.rpm", "rpm -ivh"),
        ("dnf install -y ./vendor/libfoo.rpm", "dnf install"),
    ],
)
def test_an_rpm_from_a_file_is_not_lost_silently(install: str, what: str) -> None:
    """rpm keeps no copy of a package installed from a file and no source has it, while the
    tree leaves out the files the package database owns: the runtime would lack it."""
    from dockerslim_refactor.rewrite import rewrite

    result = rewrite(C_WITH_RPM.format(install=install))
    assert result.output is None
    assert f"line 4 installs a package from an RPM file ({what})" in (result.reason or "")
    assert "--runtime-image" in (result.reason or "")
    # From a package source it is the runtime's to install again.
    assert rewrite(C_WITH_RPM.format(install="yum install -y libfoo")).output is not None


def test_a_program_copied_from_the_context_to_a_file_of_its_own_passes_the_check() -> None:
    """`COPY script/entrypoint.sh /entrypoint.sh` after the marker: the file is an app path
    of its own (copied to the runtime), not a folder, and the check accepts it."""
    text = (
        "FROM python:3.6-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends python3-requests "
        "build-essential && pip install flask && apt-get purge -y --auto-remove build-essential\n"
        "COPY script/entrypoint.sh /entrypoint.sh\n"
        'ENTRYPOINT ["/entrypoint.sh"]\n'
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    assert "COPY --from=builder /entrypoint.sh /entrypoint.sh" in result.output
    done = _program_check(result.output, "/entrypoint.sh")
    assert done.returncode == 0, done.stderr
