"""dockerslim_refactor.plan.probes: which installed packages the runtime keeps, the state the
build made that the runtime stage recreates, and the builder's library probe."""

from __future__ import annotations

import os

import pytest

from dockerslim_refactor.analysis.facts import stage_facts
from dockerslim_refactor.document import parse
from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import probes
from dockerslim_refactor.rewrite import rewrite


def facts_of(text: str):
    document = parse(text)
    return stage_facts(document, document.stages[-1], None)


def kept(body: str, run_tools: tuple[str, ...] = ()) -> list[str]:
    return probes.kept_packages(facts_of("FROM debian:bookworm\n" + body), run_tools)


# -- packages: must not keep ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("RUN apt-get install -y gcc make libpq-dev\n", id="compilers-and-headers"),
        pytest.param("RUN apt-get install -y git && git clone x\n", id="git-used-to-fetch"),
        pytest.param("RUN apt-get install -y ffmpeg && apt-get purge -y ffmpeg\n", id="purged"),
        pytest.param("RUN apt-get install -y ffmpeg\nRUN apt-get remove -y ffmpeg\n", id="later"),
        pytest.param("RUN apk add --virtual .deps ffmpeg && apk del .deps\n", id="virtual"),
        pytest.param("RUN pip install requests\n", id="not-an-os-package"),
        # A package file: no package source has it; its files come with the installed tree.
        pytest.param("RUN apt-get install -y ./vendor_1.0_all.deb\n", id="package-file"),
        pytest.param("RUN apt-get install -y /tmp/chrome.deb\n", id="package-file-path"),
    ],
)
def test_not_kept(body: str) -> None:
    assert kept(body) == []


# -- packages: kept ----------------------------------------------------------------------------


def test_a_kept_virtual_group_beside_a_deleted_one_is_the_authors_run_time_set() -> None:
    """certbot's file: ``.certbot-deps`` stays, ``.build-deps`` is deleted. binutils in the
    kept group is there for the program (ctypes finds libraries with it on musl)."""
    body = (
        "RUN apk add --no-cache --virtual .run-deps libffi binutils\n"
        "RUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev "
        "&& pip install cffi && apk del .build-deps\n"
    )
    assert kept(body) == ["libffi", "binutils"]
    # Without a deleted group the split says nothing: binutils is a build tool again.
    alone = "RUN apk add --no-cache --virtual .run-deps libffi binutils\n"
    assert kept(alone) == ["libffi"]


@pytest.mark.parametrize(
    ("body", "tools", "expected"),
    [
        pytest.param(
            "RUN apt-get install -y ffmpeg gosu tzdata gcc\n",
            (),
            ["ffmpeg", "gosu", "tzdata"],
            id="unknown-packages-are-kept",
        ),
        pytest.param(
            "RUN apt-get install -y git openssh-client\n",
            (),
            ["git", "openssh-client"],
            id="git-the-build-never-used",
        ),
        pytest.param(
            "RUN apt-get install -y curl && curl -o x y\n",
            ("curl",),
            ["curl"],
            id="curl-the-healthcheck-runs",
        ),
        pytest.param(
            "RUN apt-get install -y libpq5=15.* libxml2\n",
            (),
            ["libpq5=15.*", "libxml2"],
            id="pins-kept-as-written",
        ),
    ],
)
def test_kept(body: str, tools: tuple[str, ...], expected: list[str]) -> None:
    assert kept(body, tools) == expected


def test_package_family_follows_the_file_then_the_image() -> None:
    assert probes.package_family(facts_of("FROM centos:7\nRUN yum install -y gcc\n")) == "rpm"
    assert probes.package_family(facts_of("FROM alpine:3.19\n")) == "apk"
    assert probes.package_family(facts_of("FROM golang:1.22\n")) == "apt"
    assert probes.package_family(facts_of("FROM example.com/base:1\n")) is None


# -- state -------------------------------------------------------------------------------------

STATE = """FROM debian:bookworm
RUN groupadd -r app && useradd -r -g app app && usermod -aG dialout app
WORKDIR /src
COPY . .
RUN make && make install
RUN mkdir -p /var/lib/app /run/app && chown app:app /var/lib/app /run/app
RUN chmod +x /src/build.sh
RUN ln -s /usr/local/bin/app /usr/bin/app
RUN setcap cap_net_bind_service=+ep /usr/local/bin/app
RUN chown app "$DATA_DIR"
USER app
CMD ["app"]
"""


def test_state_is_replayed_in_order_and_the_source_tree_is_not() -> None:
    accounts, after, skipped = probes.replayed_state(facts_of(STATE), ["/usr/local/bin/app"])
    assert accounts == ["groupadd -r app", "useradd -r -g app app", "usermod -aG dialout app"]
    (run,) = after  # every state command ran as root: one RUN
    assert run.startswith("RUN mkdir -p /var/lib/app /run/app \\\n")
    plain = probes.replayed_state(facts_of(STATE.replace("mkdir -p", "mkdir")), [])[1]
    assert plain[0].startswith("RUN mkdir -p /var/lib/app /run/app "), "replayed idempotently"
    assert "&& chown app:app /var/lib/app /run/app" in run
    assert "&& ln -fn -s /usr/local/bin/app /usr/bin/app" in run
    assert "&& setcap" in run
    assert not any("build.sh" in a for a in after), "the source tree is not in the runtime"
    assert skipped == ['chown app "$DATA_DIR"']


def test_setcap_turns_strip_off_and_is_replayed_after_the_copy() -> None:
    text = (
        "FROM golang:1.22-bookworm\nRUN apt-get install -y libcap2-bin\nWORKDIR /src\n"
        "COPY . .\nRUN go build -o /usr/local/bin/app .\n"
        'RUN setcap cap_net_bind_service=+ep /usr/local/bin/app\nCMD ["app"]\n'
    )
    result = rewrite(text, Options(runtime="slim"))
    assert result.output is not None
    assert "strip" not in result.output
    runtime = result.output.split("\nFROM ", 2)[-1]
    assert "libcap2-bin" in runtime
    assert runtime.index("COPY --from=builder /usr/local/bin/app") < runtime.index("setcap")


# -- the library probe -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "owner"),
    [("apt", "dpkg -S"), ("apk", "apk info --who-owns"), ("rpm", "rpm -qf")],
)
def test_probe_asks_the_package_database_of_the_release(family: str, owner: str) -> None:
    step = probes.library_probe(["/usr/local/bin/app"], family)
    assert owner in step and "ldd" in step
    assert 'echo "dockerslim: $p was not built" >&2; exit 1' in step


def test_probe_without_a_package_manager_copies_the_libraries() -> None:
    step = probes.library_probe(["/opt/app"], None)
    assert "dpkg" not in step and 'keep "$l"' in step


def test_runtime_installs_only_what_is_missing() -> None:
    steps = probes.runtime_install("apt", ["tzdata"], probed=True)
    assert steps[:2] == [
        "COPY --from=BUILDER /tmp/dslim/packages /tmp/dslim/packages",
        "COPY --from=BUILDER /tmp/dslim/libs /tmp/dslim/libs",
    ]
    assert "for p in tzdata $(cat /tmp/dslim/packages); do" in steps[2]
    assert 'dpkg -s "$p"' in steps[2]
    assert steps[-1].startswith("RUN cp -R /tmp/dslim/libs/. / && rm -rf /tmp/dslim")


def test_the_probe_runs_after_every_builder_step() -> None:
    text = (
        "FROM gcc:12-bookworm\nWORKDIR /src\nCOPY . .\nRUN make\n"
        'RUN cp /src/app /usr/local/bin/app\nUSER nobody\nCMD ["app"]\n'
    )
    result = rewrite(text, Options(artifacts=("/usr/local/bin/app",)))
    assert result.output is not None
    builder = result.output.split("\nFROM ", 2)[0]
    assert builder.index("RUN cp /src/app") < builder.index("ldd")


def test_a_compiled_program_gets_its_app_folder_without_build_trees() -> None:
    # The program reads config/ relative to its WORKDIR: the folder comes along.
    text = (
        "FROM rust:1.79-bookworm\nWORKDIR /usr/src/app\nCOPY . .\n"
        'RUN cargo build --release\nCMD ["./target/release/app", "-c", "config/app.toml"]\n'
    )
    result = rewrite(text, Options(artifacts=("/usr/src/app/target/release/app",)))
    assert result.output is not None
    builder, runtime = result.output.split("\n\n# Runtime", 1)
    assert "cp -a /usr/src/app/. /tmp/dslim/app/" in builder
    assert "rm -rf /tmp/dslim/app/.git /tmp/dslim/app/target" in builder
    assert "COPY --from=builder /tmp/dslim/app /usr/src/app" in runtime
    assert runtime.index("/tmp/dslim/app /usr/src/app") < runtime.index("target/release/app")


def test_no_app_folder_when_the_program_runs_outside_the_sources() -> None:
    text = (
        "FROM golang:1.22-bookworm\nCOPY . /src\nRUN cd /src && go build -o /usr/local/bin/app .\n"
        'CMD ["app"]\n'
    )
    result = rewrite(text)
    assert result.output is not None and "/tmp/dslim/app" not in result.output


def test_distroless_cc_is_checked_against_what_the_binary_links() -> None:
    step = probes.distroless_check(["/usr/local/bin/app"])
    assert step.startswith("# The runtime is distroless/cc")
    assert "ldd /usr/local/bin/app" in step and "-e libstdc++.so" in step
    assert "-e libz.so" not in step  # zlib is not in upstream distroless/cc
    text = (
        "FROM rust:1.79-bookworm\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
        'CMD ["/src/target/release/app"]\n'
    )
    result = rewrite(text, Options(runtime="distroless", artifacts=("/src/target/release/app",)))
    assert result.output is not None
    if "FROM gcr.io/distroless/cc" in result.output:
        assert "The runtime is distroless/cc" in result.output


def test_kept_apt_packages_install_with_the_builders_sources_and_keys() -> None:
    # nodejs from nodesource (the program runs it): its repository must be there to install.
    text = (
        "FROM debian:bookworm\nRUN curl -fsSL https://deb.nodesource.com/setup_18.x | bash - "
        "&& apt-get install -y nodejs gcc\nWORKDIR /src\nCOPY . .\nRUN ./build.sh\n"
        'CMD ["greet"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    builder, runtime = result.output.split("\n\n# Runtime", 1)
    assert "cp -a /etc/apt /tmp/dslim/apt/etc/" in builder
    # nodesource is an https source: the runtime's apt-get update needs a CA store to read it.
    assert "cp -L /etc/ssl/certs/ca-certificates.crt /tmp/dslim/apt/etc/ssl/certs/" in builder
    assert runtime.index("COPY --from=builder /tmp/dslim/apt/ /") < runtime.index("nodejs")


def test_state_is_replayed_as_the_user_that_made_it() -> None:
    # A folder the build made as `node` must belong to node again.
    text = (
        "FROM node:18-bookworm\nRUN mkdir -p /srv/data\nUSER node\n"
        "RUN mkdir -p /home/node/.config/app\nUSER root\nRUN ln -s /srv/data /data\n"
    )
    after = probes.replayed_state(facts_of(text), [])[1]
    assert after == [
        "RUN mkdir -p /srv/data",
        "USER node",
        "RUN mkdir -p /home/node/.config/app",
        "USER root",
        "RUN ln -fn -s /srv/data /data",
    ]


def test_a_workdir_the_file_sets_is_the_app_folder_even_without_a_copy() -> None:
    # Sources cloned and built in the WORKDIR: the program and its files live there.
    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make git\n"
        "RUN git clone https://example.com/tool.git /opt/tool\nWORKDIR /opt/tool\n"
        'RUN make\nCMD ["./tool", "-c", "tool.conf"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "COPY --from=builder /tmp/dslim/app /opt/tool" in result.output


def test_apt_sources_are_carried_only_onto_the_same_release() -> None:
    # openjdk:17 (Debian) runs on eclipse-temurin:17-jre (Ubuntu): Debian's sources there
    # would mix releases, and maven is a build tool.
    text = (
        "FROM openjdk:17\nRUN apt-get update && apt-get install -y maven fontconfig\n"
        'WORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD ["java", "-jar", "target/app.jar"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.split("\n\n# Runtime", 1)[1]
    assert "/tmp/dslim/apt" not in result.output
    assert "fontconfig" in runtime and "maven" not in runtime


def test_the_builders_discovery_runs_as_root_whatever_the_build_ran_as() -> None:
    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n"
        "RUN useradd -m app\nUSER app\nWORKDIR /home/app/src\nCOPY . .\nRUN make\n"
        'CMD ["./tool"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    builder, runtime = result.output.split("\n\n# Runtime", 1)
    assert builder.index("\nUSER app\n") < builder.index("\nUSER root\n") < builder.index("ldd")
    assert runtime.rstrip().endswith('USER app\nCMD ["./tool"]')


def test_probe_finds_libraries_the_program_opens_by_name() -> None:
    # dlopen("libsqlite3.so.0") is not in ldd's list: the name in the program's own strings
    # is looked up where the loader would find it, and its package is installed too.
    step = probes.library_probe(["/usr/local/bin/app"], "apt")
    scan = step.index("tr -c ' -~'")
    assert "grep -E '^lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*$'" in step
    assert step.index("ldconfig -p") > scan
    assert "/tmp/dslim/dlopened" in step
    # The found names join the libraries whose owners are looked up.
    assert step.index('echo "$r" >> /tmp/dslim/libraries') < step.index(
        'p=$(dpkg -S "$l"', step.index("done < /tmp/dslim/dlopened")
    )


def test_probe_keeps_a_library_under_its_real_folder() -> None:
    # On merged /usr, /lib is a link: a copy staged under libs/lib would not go back in.
    step = probes.library_probe(["/usr/local/bin/app"], "apt")
    assert 'keep() { d=$(cd "$(dirname "$1")" && pwd -P)' in step
    assert 'cp -L "$l" "/tmp/dslim/libs$l"' not in step


def test_state_commands_on_temporary_files_are_not_replayed() -> None:
    # The installer was in /tmp: chmod on it in the runtime stage would fail the build.
    facts = facts_of(
        "FROM php:8.2-apache\nRUN chmod +x /tmp/composer-setup.php && "
        "chown -R www-data /var/www/ && mkdir -p /tmp/sessions\n"
    )
    _, after, _ = probes.replayed_state(facts, ["/"])
    assert after == ["RUN chown -R www-data /var/www/ \\\n    && mkdir -p /tmp/sessions"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "RUN apt-get install -y git unzip composer\nRUN composer install\n",
            [],
            id="composer-fetches-with-git-and-unzip",
        ),
        pytest.param("RUN apt-get install -y git\nRUN bundle install\n", [], id="bundler-git-gems"),
        pytest.param(
            "RUN apt-get install -y git unzip\nRUN make\n", ["git", "unzip"], id="nothing-fetches"
        ),
    ],
)
def test_fetch_tools_of_dependency_installers_are_build_only(
    body: str, expected: list[str]
) -> None:
    assert kept(body) == expected


def test_replayed_links_replace_a_link_the_tree_brought() -> None:
    # The installed tree carries links the build made; `ln -s` onto one would fail.
    facts = facts_of("FROM debian:bookworm\nRUN ln -s /opt/app/bin/app /usr/local/bin/app\n")
    _, after, _ = probes.replayed_state(facts, ["/"])
    assert after == ["RUN ln -fn -s /opt/app/bin/app /usr/local/bin/app"]
    facts = facts_of("FROM debian:bookworm\nRUN ln -sf /opt/app/bin/app /usr/local/bin/app\n")
    _, after, _ = probes.replayed_state(facts, ["/"])
    assert after == ["RUN ln -sf /opt/app/bin/app /usr/local/bin/app"]


def test_state_commands_on_files_no_copy_brings_run_only_where_they_exist() -> None:
    # gosu was downloaded to /usr/local/bin; the runtime may have no such file.
    facts = facts_of(
        "FROM ruby:2.7\nRUN chmod +x /usr/local/bin/gosu && chown -R app /srv/app/tmp\n"
    )
    _, after, _ = probes.replayed_state(facts, ["/srv/app"])
    assert after == [
        "RUN if [ -e /usr/local/bin/gosu ]; then chmod +x /usr/local/bin/gosu; fi \\\n"
        "    && chown -R app /srv/app/tmp"
    ]


def test_probe_copies_the_libraries_when_the_release_is_archived() -> None:
    # apt-get update "succeeds" when a mirror is gone: the probe asks apt-cache for each
    # package, and when one is missing the runtime gets the builder's copies instead.
    step = probes.library_probe(["/usr/local/bin/app"], "apt")
    assert '[ -n "$(apt-cache madison "$p" 2>/dev/null)" ] || gone="$gone $p"' in step
    fallback = step[step.index('if [ -n "$gone" ]') :]
    assert 'keep "$l"' in fallback and ": > /tmp/dslim/packages" in fallback
    assert "libc.so*|ld-linux*" in fallback  # every Debian image has the C library
    assert "apt-cache" not in probes.library_probe(["/usr/local/bin/app"], "apk")


def test_probe_reads_library_names_in_ruby_and_python_sources() -> None:
    # Fiddle.dlopen("libexpat.so.1"), ffi_lib 'libcurl.so.4', ctypes.CDLL("libfoo.so.1").
    step = probes.library_probe(["/usr/local/bin/app"], "apt")
    assert "-name '*.rb' -o -name '*.py'" in step
    assert "grep -ohE 'lib[A-Za-z0-9_+-]+[.]so([.][0-9]+)*' {} +" in step


@pytest.mark.parametrize(
    ("body", "recommends"),
    [
        ("RUN apt-get update && apt-get install -y python3-matplotlib gcc\n", True),
        ("RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg\n", False),
        (
            "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/no\n"
            "RUN apt-get install -y ffmpeg\n",
            False,
        ),
    ],
)
def test_the_reinstall_brings_recommends_when_the_original_did(body: str, recommends: bool) -> None:
    facts = facts_of("FROM debian:bookworm\n" + body)
    assert probes.installs_recommends(facts) is recommends
    step = probes.runtime_install("apt", ["ffmpeg"], False, recommends)[0]
    # The install of the kept packages (apt-transport-https, when needed, never brings any).
    install = step.split("apt-get install -y", 2)[-1]
    assert ("--no-install-recommends" in install) is not recommends


def test_libraries_the_probe_finds_come_with_recommends_when_the_original_had_them() -> None:
    # Only -dev packages in the original, all build-only: the runtime installs just what
    # the builder finds (libcurl's package), and with its recommends (ca-certificates), as
    # the original's install had them.
    text = (
        "FROM ubuntu:22.04\n"
        "RUN apt-get update && apt-get install -y gcc make libcurl4-openssl-dev\n"
        'WORKDIR /src\nCOPY . .\nRUN make && make install\nCMD ["/usr/local/bin/miner"]\n'
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert "for p in $(cat /tmp/dslim/packages); do" in runtime
    install = runtime.split("apt-get install -y", 2)[-1].split("\n", 1)[0]
    assert "--no-install-recommends" not in install


def test_a_fetch_tool_left_out_is_named_in_a_note_with_the_flag() -> None:
    text = (
        "FROM ruby:3.3\nRUN apt-get update && apt-get install -y git imagemagick\n"
        'WORKDIR /app\nCOPY . .\nRUN bundle install\nCMD ["rails", "server"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    (note,) = [f for f in result.plan.notes if "left out" in f.message]
    assert note.message.startswith("git left out of the runtime stage")
    assert note.flag == "--runtime-package"
    kept = rewrite(text, Options(runtime_packages=("git",)))
    assert not any("left out" in f.message for f in kept.plan.notes)


def test_no_note_for_a_fetch_tool_the_original_removed_itself() -> None:
    facts = facts_of(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y git\n"
        "RUN git clone https://x/y /src\nRUN apt-get purge -y git\n"
    )
    assert probes.dropped_fetch_tools(facts, ()) == []
    facts = facts_of(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y git\n"
        "RUN git clone https://x/y /src\n"
    )
    assert probes.dropped_fetch_tools(facts, ()) == ["git"]


# -- programs the app runs ---------------------------------------------------------------------


@pytest.mark.parametrize("family", ["apt", "apk"])
def test_tool_probe_is_valid_posix_sh(family: str, tmp_path) -> None:
    import subprocess

    step = probes.tool_probe(["/usr/src/app", "/srv/my app"], family)
    assert step.startswith("# Find out which programs the app's own code runs")
    body = step.split("\nRUN ", 1)[1]
    script = tmp_path / "probe.sh"
    script.write_text(body.replace("\\\n", ""))
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    assert "'/srv/my app'" in body
    # Dependencies that run a program, and the package database of the release in use.
    assert "mini_magick=convert,identify" in body and "paperclip=convert,identify,file" in body
    assert ("dpkg -S" if family == "apt" else "apk info --who-owns") in body


def test_tool_probe_finds_quoted_commands_and_dependencies(tmp_path) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("the probe keeps only programs the builder has: this machine has no git")
    app = tmp_path / "app"
    (app / "lib").mkdir(parents=True)
    (app / "lib" / "scm.rb").write_text('BIN = ENV["GIT"] || "git"\ndef log = `#{BIN} log`\n')
    (app / "a.js").write_text('const s = "curling";\n')
    (app / "vendor").mkdir()
    (app / "vendor" / "x.rb").write_text('system("ffmpeg")\n')
    (app / "Gemfile.lock").write_text("GEM\n  specs:\n    mini_magick (4.12.0)\n")
    (app / "bin").mkdir()
    (app / "bin" / "pre-commit-hook.js").write_text('execSync("git diff --cached")\n')
    work = tmp_path / "dslim"
    step = probes.tool_probe([str(app)], "apt").replace(probes.PROBE_DIR, str(work))
    work.mkdir()
    body = step.split("\nRUN ", 1)[1].replace("\\\n", "")
    # The package database is asked, not changed: apt-get and apt-cache are stand-ins.
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "apt-get").write_text("#!/bin/sh\nexit 0\n")
    (stubs / "apt-cache").write_text('#!/bin/sh\necho "$2 | 1.0 | stub"\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["sh", "-c", body], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    runs = sorted(set((work / "runs").read_text().split()))
    # git from the quoted command; convert and identify from mini_magick; not curl (a longer
    # word), not ffmpeg (a dependency's vendored code), and a git hook does not count.
    assert runs == ["convert", "git", "identify"]
    (app / "lib" / "scm.rb").unlink()
    (app / "Gemfile.lock").unlink()
    proc = subprocess.run(["sh", "-c", body], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (work / "runs").read_text().split() == []


def _run_tool_probe(tmp_path, app, madison: bool = True, build_packages: tuple = ()):
    """Run the tool probe over ``app`` on this machine, with apt-get and apt-cache as
    stand-ins (``madison``: the mirror has every package); the process and the work folder."""
    import subprocess

    work = tmp_path / "dslim"
    work.mkdir(exist_ok=True)
    step = probes.tool_probe([str(app)], "apt", build_packages=build_packages)
    step = step.replace(probes.PROBE_DIR, str(work))
    body = step.split("\nRUN ", 1)[1].replace("\\\n", "")
    stubs = tmp_path / "stubs"
    stubs.mkdir(exist_ok=True)
    (stubs / "apt-get").write_text("#!/bin/sh\nexit 0\n")
    cache = '#!/bin/sh\necho "$2 | 1.0 | stub"\n' if madison else "#!/bin/sh\nexit 0\n"
    (stubs / "apt-cache").write_text(cache)
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["sh", "-c", body], capture_output=True, text=True, env=env), work


def test_tool_probe_finds_a_command_later_in_a_quoted_command_line(tmp_path) -> None:
    import shutil

    assert shutil.which("git"), "the probe keeps only programs the builder has"
    app = tmp_path / "app"
    app.mkdir()
    # MagicMirror's updater: git runs after a cd, inside a template string.
    (app / "updater.js").write_text("exec(`cd ${dir} && git fetch --dry-run`);\n")
    proc, work = _run_tool_probe(tmp_path, app)
    assert proc.returncode == 0, proc.stderr
    assert (work / "runs").read_text().split() == ["git"]
    # A word that only ends like the command is no command.
    (app / "updater.js").write_text("const s = 'a && gitlab';\n")
    proc, work = _run_tool_probe(tmp_path, app)
    assert proc.returncode == 0 and (work / "runs").read_text().split() == []


def test_interpreter_rewrites_probe_the_apps_sources_for_programs_it_runs() -> None:
    text = (
        "FROM node:18\nWORKDIR /usr/src/app\nCOPY package.json ./\nRUN npm install\n"
        'COPY . .\nCMD ["node", "server.js"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    builder = result.output.split("\nFROM node:18-slim", 1)[0]
    probe = builder.index("# Find out which programs the app's own code runs")
    assert builder.index("# Find out what the program loads at run time") < probe
    assert "find /usr/src/app " in builder[probe:]


def test_go_sources_that_exec_git_put_git_in_the_runtime() -> None:
    text = (
        "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\n"
        'RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\nCMD ["app"]\n'
    )
    main = (
        'package main\n\nimport "os/exec"\n\nfunc main() {\n'
        '\t_ = exec.Command("git", "symbolic-ref", "--short", "HEAD").Run()\n}\n'
    )
    context = {"go.mod": "module x\n\ngo 1.22\n", "main.go": main}
    result = rewrite(text, context_files=context)
    assert result.output is not None
    # git comes from the builder's own release, the version the original had.
    runtime = result.output.split("\nFROM ", 1)[1]
    assert runtime.startswith("debian:bookworm-slim\n") and "for p in git;" in runtime
    assert any("the program runs git" in n.message for n in result.plan.notes)
    # Asked for, alpine's git comes instead.
    alpine = rewrite(text, Options(runtime="alpine"), context_files=context)
    runtime = alpine.output.split("\nFROM ", 1)[1]
    assert runtime.startswith("alpine:") and "apk add --no-cache git" in runtime
    slim = rewrite(text, Options(runtime="busybox"), context_files=context)
    assert "\nFROM busybox" not in slim.output  # busybox cannot install git
    without = rewrite(text, context_files={**context, "main.go": "package main\nfunc main(){}\n"})
    assert "git" not in without.output.split("\nFROM ", 1)[1]


GO_NO_CONTEXT = (
    "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\n"
    'RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\nCMD ["app"]\n'
)


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ("alpine", "alpine's packages of them go in the runtime stage"),
        ("busybox", "the build stops if there are any"),
        ("distroless", "the build stops if there are any"),
    ],
)
def test_without_go_sources_a_static_program_is_probed_in_the_builder(runtime, expected) -> None:
    result = rewrite(GO_NO_CONTEXT, Options(runtime=runtime))
    assert result.output is not None
    builder, final = result.output.split("\n\n# Runtime", 1)
    assert expected in builder
    probe = builder[builder.index("# Find out which programs the app's own code runs") :]
    # Only what compiled code runs: not scripts or manifests beside the sources.
    assert "Command::new" in probe and "Gemfile.lock" not in probe and "%x" not in probe
    if runtime == "alpine":
        assert 'apk add --no-cache "$@"' in final
    else:
        assert "--runtime alpine or --runtime slim" in probe
    with_sources = rewrite(
        GO_NO_CONTEXT,
        Options(runtime=runtime),
        context_files={"go.mod": "module x\n", "main.go": "package main\nfunc main(){}\n"},
    )
    assert "# Find out which programs the app's own code runs" not in with_sources.output


@pytest.mark.parametrize("runtime", ["alpine", "distroless"])
def test_native_tool_probe_finds_exec_command(tmp_path, runtime: str) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("the probe keeps only programs the builder has: this machine has no git")
    app = tmp_path / "src"
    app.mkdir()
    (app / "main.go").write_text(
        'package main\n\nimport "os/exec"\n\nfunc main() {\n'
        '\tout, _ := exec.Command("git", "rev-parse", "HEAD").Output()\n\t_ = out\n}\n'
    )
    (app / "release.sh").write_text('#!/bin/sh\ncurl -fsSL "$URL"\n')  # not the program's
    work = tmp_path / "dslim"
    step = probes.tool_probe([str(app)], "", runtime).replace(probes.PROBE_DIR, str(work))
    body = step.split("\nRUN ", 1)[1].replace("\\\n", "")
    proc = subprocess.run(["sh", "-c", body], capture_output=True, text=True)
    assert (work / "runs").read_text().split() == ["git"]
    if runtime == "alpine":
        assert proc.returncode == 0, proc.stderr
        assert (work / "tools").read_text().split() == ["git"]
    else:
        assert proc.returncode == 1
        assert "the app runs git, which the distroless runtime does not have" in proc.stderr


def test_tool_probe_skips_a_package_the_mirror_no_longer_has(tmp_path) -> None:
    import shutil

    if shutil.which("git") is None or shutil.which("dpkg") is None:
        pytest.skip("needs git installed from a Debian package, as in the builder")
    app = tmp_path / "app"
    app.mkdir()
    (app / "scm.rb").write_text('`git log`\nGIT = "git"\n')
    # An archived release: the mirror has nothing.
    proc, work = _run_tool_probe(tmp_path, app, madison=False)
    assert proc.returncode == 0, proc.stderr
    assert (work / "packages").read_text() == ""
    assert "the package sources no longer have" in proc.stderr


def test_the_ca_store_the_rewrite_adds_survives_an_archived_release() -> None:
    # The original installs nothing; the runtime needs CA certificates. On a release the
    # mirror no longer serves, the builder's CA bundle comes instead of an apt install.
    text = (
        "FROM rust:1.79-bookworm\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
        'CMD ["/src/target/release/app"]\n'
    )
    result = rewrite(text, Options(runtime="slim"))
    assert result.output is not None
    builder, runtime = result.output.split("\nFROM debian:bookworm-slim\n", 1)
    assert "printf '%s\\n' ca-certificates \\\n      > /tmp/dslim/packages" in builder
    assert '*" ca-certificates "*)' in builder and 'keep "$c"' in builder
    assert "for p in $(cat /tmp/dslim/packages); do" in runtime


def test_an_apk_package_from_another_repository_comes_from_it_again() -> None:
    text = (
        "FROM php:7.4-fpm-alpine3.12\n"
        "RUN apk add gnu-libiconv --update-cache --repository "
        "http://dl-cdn.alpinelinux.org/alpine/edge/community/ --allow-untrusted\n"
        "RUN apk add --no-cache tzdata build-base autoconf\n"
        "ENV LD_PRELOAD /usr/lib/preloadable_libiconv.so php\n"
        "WORKDIR /var/www\nCOPY . .\nRUN composer install\n"
    )
    assert probes.apk_repositories(facts_of(text)) == {
        "gnu-libiconv": "--repository http://dl-cdn.alpinelinux.org/alpine/edge/community/ "
        "--allow-untrusted"
    }
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert (
        "RUN apk add --no-cache --repository http://dl-cdn.alpinelinux.org/alpine/edge/community/"
        " --allow-untrusted gnu-libiconv\n" in runtime
    )
    assert "RUN apk add --no-cache tzdata" in runtime


def test_the_original_package_upgrade_is_repeated_in_the_runtime() -> None:
    # `apk upgrade --available` after an install from edge swaps that package for the
    # release's own build: a runtime that only reinstalls would run edge's build instead.
    text = (
        "FROM alpine:3.12\n"
        "RUN apk add gnu-libiconv --repository "
        "http://dl-cdn.alpinelinux.org/alpine/edge/community/ --allow-untrusted\n"
        "RUN apk update && apk upgrade --available && apk add nginx build-base\n"
        "WORKDIR /src\nCOPY . .\nRUN make && make install\n"
        'CMD ["/usr/local/bin/app"]\n'
    )
    assert probes.package_upgrade(facts_of(text), "apk") == (
        "# The original upgraded its packages after installing them.\n"
        "RUN apk upgrade --no-cache --available"
    )
    assert probes.package_upgrade(facts_of(text), "apt") is None
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    edge = runtime.index("--allow-untrusted gnu-libiconv\n")
    assert edge < runtime.index("RUN apk upgrade --no-cache --available\n")
    # No upgrade in the original, none in the runtime.
    plain = text.replace("apk upgrade --available && ", "")
    assert probes.package_upgrade(facts_of(plain), "apk") is None
    assert "apk upgrade" not in (rewrite(plain).output or "")


def test_an_apt_dist_upgrade_is_repeated_with_its_verb() -> None:
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get dist-upgrade -y && apt-get install -y gcc make libpq5\n"
        "WORKDIR /src\nCOPY . .\nRUN make && make install\n"
        'CMD ["/usr/local/bin/app"]\n'
    )
    step = probes.package_upgrade(facts_of(text), "apt")
    assert step is not None and "apt-get dist-upgrade -y" in step
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert runtime.index("apt-get install -y") < runtime.index("apt-get dist-upgrade -y")


def test_an_https_source_on_an_old_apt_gets_its_transport_first(tmp_path) -> None:
    import subprocess

    (step,) = [s for s in probes.runtime_install("apt", ["curl"], True) if "missing=" in s]
    body = step.split("\nRUN ", 1)[1]
    script = tmp_path / "install.sh"
    script.write_text(body.replace("\\\n", ""))
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    # Only when apt has no https method and a source the build added is https (stretch).
    assert "[ ! -e /usr/lib/apt/methods/https ]" in body
    assert "apt-get update -o Dir::Etc::sourceparts=/nonexistent" in body
    assert body.index("apt-transport-https") < body.rindex("apt-get update \\")
    pattern = body.split("grep -rqsE '", 1)[1].split("'", 1)[0]
    sources = tmp_path / "sources"
    sources.mkdir()
    for line, matches in [
        ("deb https://deb.nodesource.com/node_12.x stretch main", True),
        ("deb [signed-by=/usr/share/keyrings/n.gpg] https://deb.nodesource.com/x b main", True),
        ("URIs: https://apt.postgresql.org/pub/repos/apt", True),
        ("deb http://deb.debian.org/debian stretch main", False),
    ]:
        (sources / "x.list").write_text(line + "\n")
        found = subprocess.run(["grep", "-rqsE", pattern, str(sources)]).returncode == 0
        assert found is matches, line


def test_strip_runs_on_the_binaries_that_exist_right_after_the_build() -> None:
    # The image's installer script runs /hello, which a later `cp` makes from the build's
    # output: strip runs after the build, so it strips /src/hello (the copy is stripped).
    text = (
        "FROM gcc:12-bookworm\nWORKDIR /src\nCOPY hello.c .\n"
        "RUN gcc -O2 -static -o hello hello.c\nRUN cp hello /\nADD installer /installer\n"
        'CMD ["/installer"]\n'
    )
    files = {"installer": "#!/bin/sh\nset -e\n/hello\n"}
    result = rewrite(text, Options(runtime="busybox"), files)
    assert result.output is not None, result.reason
    builder = result.output.split("\nFROM busybox", 1)[0]
    assert "RUN strip /src/hello\n" in builder
    assert builder.index("RUN strip /src/hello") < builder.index("RUN cp hello /")
    assert "COPY --from=builder /hello /hello" in result.output


def _stubbed(tmp_path, folder: str, stubs: dict[str, str]) -> dict[str, str]:
    """An environment whose PATH finds ``stubs`` (name -> sh body) in ``tmp_path/folder``."""
    where = tmp_path / folder
    where.mkdir(parents=True)
    for name, body in stubs.items():
        (where / name).write_text("#!/bin/sh\n" + body)
        (where / name).chmod(0o755)
    return {**os.environ, "PATH": f"{where}{os.pathsep}{os.environ['PATH']}"}


def _run_step(step: str, work, env: dict[str, str]):
    import shutil
    import subprocess

    body = step.split("\nRUN ", 1)[1].replace(probes.PROBE_DIR, str(work)).replace("\\\n", "")
    shell = shutil.which("sh")
    return subprocess.run([shell, "-c", body], capture_output=True, text=True, env=env)


def _jdk(tmp_path, modules: str, jdeps: str = 'echo "$JDEPS_OUT"'):
    """A stand-in JDK: jdeps prints $JDEPS_OUT, jar lists what the jar file holds, java lists
    ``modules``, jlink writes its arguments to a file."""
    return _stubbed(
        tmp_path,
        "jdk/bin",
        {
            "jdeps": jdeps + "\n",
            "jar": 'cat "$2"\n',
            "java": f"printf '{modules}'\n",
            "jlink": f'echo "$@" > {tmp_path}/jlink-args\n',
        },
    )


def test_java_runtime_step_lists_the_modules_jlink_links(tmp_path) -> None:
    app = tmp_path / "app"
    (app / "lib").mkdir(parents=True)
    (app / "app.jar").write_text("demo/Main.class\n")
    (app / "lib" / "dep.jar").write_text("dep/X.class\n")
    step = probes.java_runtime_step([str(app / "app.jar"), str(app / "lib")], 17, ("jdk.x",))
    # The JDK has jdk.zipfs but not jdk.crypto.ec (newer JDKs moved it into java.base).
    env = {**_jdk(tmp_path, "java.base@17\\njdk.zipfs@17\\n"), "JDEPS_OUT": "java.base,java.naming"}
    proc = _run_step(step, tmp_path / "dslim", env)
    assert proc.returncode == 0, proc.stderr
    args = (tmp_path / "jlink-args").read_text().split()
    assert args[:2] == ["--add-modules", "java.base,java.naming,jdk.naming.dns,jdk.zipfs,jdk.x"]
    assert "--strip-java-debug-attributes" in args and "--compress=2" in args
    assert args[-2:] == ["--output", str(tmp_path / "dslim" / "java")]
    # A fat jar's nested jars: all of Java SE, said out loud.
    (app / "app.jar").write_text("BOOT-INF/lib/dep.jar\n")
    proc = _run_step(step, tmp_path / "dslim", env)
    assert proc.returncode == 0, proc.stderr
    assert "jdeps could not list the modules" in proc.stderr and "holds jars" in proc.stderr
    mods = (tmp_path / "jlink-args").read_text().split()[1]
    assert mods == "java.se,jdk.unsupported,jdk.naming.dns,jdk.zipfs,jdk.x"


def test_java_runtime_step_stops_without_jlink_or_the_jar(tmp_path) -> None:
    import shutil

    step = probes.java_runtime_step([str(tmp_path / "missing.jar")], 11)
    assert "--strip-debug" in step and "--strip-java-debug-attributes" not in step
    env = _jdk(tmp_path, "java.base@11\\n")
    proc = _run_step(step, tmp_path / "dslim", env)
    assert proc.returncode == 1 and "missing.jar was not built" in proc.stderr
    # A PATH with mkdir and no jlink.
    (tmp_path / "jdk" / "bin" / "jlink").unlink()
    (tmp_path / "jdk" / "bin" / "mkdir").symlink_to(shutil.which("mkdir"))
    proc = _run_step(step, tmp_path / "dslim", {**env, "PATH": f"{tmp_path}/jdk/bin"})
    assert proc.returncode == 1 and "no jlink; pass --runtime slim" in proc.stderr


def test_java_runtime_check_stops_on_a_library_distroless_lacks(tmp_path) -> None:
    java = tmp_path / "dslim" / "java"
    (java / "lib" / "server").mkdir(parents=True)
    (java / "bin").mkdir()
    (java / "bin" / "java").write_text("GLIBC_2.2.5 GLIBC_2.34\n")
    for name in ("libjava.so", "server/libjvm.so", "libfontmanager.so"):
        (java / "lib" / name).write_text("")
    # ldd's answers: the JVM's own libjvm.so (not found from lib/) and glibc are fine.
    env = _stubbed(
        tmp_path,
        "stubs",
        {
            "ldd": 'case "$1" in *libfontmanager.so) echo "libfreetype.so.6 => not found" ;;\n'
            '*libextra.so) echo "libpng16.so.16 => /usr/lib/libpng16.so.16 (0x1)" ;;\n'
            '*) echo "libjvm.so => not found"; echo "libc.so.6 => /lib/libc.so.6 (0x1)" ;;\n'
            "esac\n"
        },
    )
    check = probes.java_runtime_check()
    proc = _run_step(check, tmp_path / "dslim", env)
    # java.desktop's font library only warns: it loads when the program renders text.
    assert proc.returncode == 0, proc.stderr
    assert "java.desktop links libfreetype.so.6, which distroless/cc lacks" in proc.stderr
    (java / "lib" / "libextra.so").write_text("")
    proc = _run_step(check, tmp_path / "dslim", env)
    assert proc.returncode == 1
    assert "links libraries distroless/cc lacks: libpng16.so.16; pass --runtime slim" in (
        proc.stderr
    )
    (java / "lib" / "libextra.so").unlink()
    (java / "bin" / "java").write_text("GLIBC_2.38\n")
    proc = _run_step(check, tmp_path / "dslim", env)
    assert proc.returncode == 1 and "needs glibc 2.38, newer than distroless/cc's 2.36" in (
        proc.stderr
    )


def test_java_tool_probe_finds_process_builder(tmp_path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "Scm.java").write_text('var p = new ProcessBuilder("git", "log").start();\n')
    step = probes.tool_probe([str(app)], "", "distroless-jlink")
    env = _stubbed(tmp_path, "stubs", {"git": "exit 0\n"})
    proc = _run_step(step, tmp_path / "dslim", env)
    assert proc.returncode == 1
    assert "the app runs git, which the distroless runtime does not have" in proc.stderr
    (app / "Scm.java").write_text('String name = "git";\n')  # a word, not a program it runs
    proc = _run_step(step, tmp_path / "dslim", env)
    assert proc.returncode == 0, proc.stderr


def test_dependencies_are_read_with_each_manifests_own_syntax(tmp_path) -> None:
    import shutil

    assert shutil.which("git"), "the probe keeps only programs the builder has"
    app = tmp_path / "app"
    app.mkdir()
    # The git gem shells out to git; a package.json whose repository is of type "git" and
    # a git:// source in Gemfile.lock name no dependency.
    (app / "Gemfile.lock").write_text(
        "GIT\n  remote: git://example.org/x.git\n  specs:\n    x (1.0)\n\n"
        "GEM\n  specs:\n    rails (7.0.0)\n"
    )
    (app / "package.json").write_text('{"repository": {"type": "git", "url": "git://x"}}\n')
    proc, work = _run_tool_probe(tmp_path, app)
    assert proc.returncode == 0, proc.stderr
    assert (work / "runs").read_text().split() == []
    (app / "Gemfile.lock").write_text("GEM\n  specs:\n    git (1.13.0)\n    rails (7.0.0)\n")
    proc, work = _run_tool_probe(tmp_path, app)
    assert proc.returncode == 0, proc.stderr
    assert (work / "runs").read_text().split() == ["git"]
    assert "git" in (work / "packages").read_text().split()
    # Python's names ignore case; a longer name that starts alike is another package.
    (app / "Gemfile.lock").unlink()
    (app / "requirements.txt").write_text("gitpython-extras==1\n")
    proc, work = _run_tool_probe(tmp_path, app)
    assert (work / "runs").read_text().split() == []
    (app / "requirements.txt").write_text("flask==3.0\ngitpython>=3.1 ; python_version > '3'\n")
    proc, work = _run_tool_probe(tmp_path, app)
    assert (work / "runs").read_text().split() == ["git"]


@pytest.mark.parametrize(
    "source",
    [
        # Signal K's app store: plugins are npm packages installed while the server runs.
        "npm = spawn('npm', ['--save', command, name], opts)\n",
        # A client build a rake task runs at start.
        'task :build do\n  sh "cd client && npm ci && npm run build"\nend\n',
    ],
)
def test_an_app_that_runs_a_package_manager_keeps_the_compilers(tmp_path, source) -> None:
    import shutil

    assert shutil.which("g++") and shutil.which("make"), "the probe keeps what the builder has"
    app = tmp_path / "app"
    app.mkdir()
    (app / ("client.rake" if "task" in source else "modules.js")).write_text(source)
    proc, work = _run_tool_probe(tmp_path, app)
    assert proc.returncode == 0, proc.stderr
    runs = set((work / "runs").read_text().split())
    assert {"npm", "make", "g++", "python3", "git"} <= runs
    packages = (work / "packages").read_text().split()
    # /usr/bin/g++ is the g++ package's, not only the versioned compiler's.
    assert "g++" in packages and "make" in packages
    assert "runs a package manager" in proc.stderr
    # A word that only ends like one is not one, and a command that installs nothing (a
    # comment's `npm start`, MagicMirror's "npm start" message) does not count.
    for text in ("x = 'pnpmx'\n", "// checks that `npm start` finds it\n", 'm = "npm start"\n'):
        (app / ("client.rake" if "task" in source else "modules.js")).write_text(text)
        proc, work = _run_tool_probe(tmp_path, app)
        assert (work / "runs").read_text().split() == [], text


@pytest.mark.parametrize(
    "source",
    [
        "const p = spawn('npm', ['install', name]);\n",
        # Formatted the way prettier breaks a long call: the name on the next line.
        'execFileSync(\n  "npm",\n  ["install", "--prefix", store, name],\n);\n',
    ],
)
def test_a_package_manager_the_app_runs_stops_a_distroless_build(tmp_path, source) -> None:
    import shutil
    import subprocess

    assert shutil.which("npm"), "the probe stops only for programs the builder has"
    app = tmp_path / "app"
    app.mkdir()
    (app / "store.js").write_text(source)
    work = tmp_path / "dslim"
    work.mkdir()
    step = probes.tool_probe([str(app)], "", "distroless-node")
    body = step.replace(probes.PROBE_DIR, str(work)).split("\nRUN ", 1)[1].replace("\\\n", "")
    proc = subprocess.run(["sh", "-c", body], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "the app runs npm, which the distroless runtime does not have" in proc.stderr


def test_the_build_packages_stay_only_for_an_app_that_runs_a_package_manager(tmp_path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "server.js").write_text("const s = require('./store');\n")
    headers = ("libavahi-compat-libdnssd-dev", "libjansson-dev")
    proc, work = _run_tool_probe(tmp_path, app, build_packages=headers)
    assert proc.returncode == 0, proc.stderr
    assert not set(headers) & set((work / "packages").read_text().split())
    (app / "store.js").write_text("spawn('npm', ['install', name]);\n")
    proc, work = _run_tool_probe(tmp_path, app, build_packages=headers)
    assert proc.returncode == 0, proc.stderr
    assert set(headers) <= set((work / "packages").read_text().split())
    # A package the mirror no longer has is left out: the runtime could not install it.
    (work / "packages").unlink()
    proc, work = _run_tool_probe(tmp_path, app, madison=False, build_packages=headers)
    assert not set(headers) & set((work / "packages").read_text().split())


def test_rewrites_pass_the_build_packages_the_original_kept() -> None:
    text = (
        "FROM node:18\nRUN apt-get update && apt-get install -y libjansson-dev=2.14-2 "
        "&& rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
        'CMD ["node", "server.js"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "for p in libjansson-dev; do" in result.output


def test_the_library_probe_skips_dpkg_diversion_lines(tmp_path) -> None:
    # `dpkg -S /lib64/ld-linux-x86-64.so.2` on trixie starts with "diversion by libc6 …":
    # the owner is on the line after it.
    import subprocess

    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "dpkg").write_text(
        '#!/bin/sh\necho "diversion by libc6 from: $2"\necho "diversion by libc6 to: $2.x"\n'
        'echo "libc6:amd64: $2"\n'
    )
    (stubs / "dpkg").chmod(0o755)
    step = probes.library_probe(["/x"], "apt")
    owner = step.split("a=$(", 1)[1].split("); b=", 1)[0]
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["sh", "-c", f"l=/lib64/ld-linux-x86-64.so.2; {owner}"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.stdout.strip() == "libc6"


def test_caches_of_a_build_as_another_user_are_left_out_of_the_installed_tree() -> None:
    # node-gyp's copy of node's headers under /home/node/.cache: the header filter would
    # keep its installVersion without its .h files, and node-gyp would never fetch them.
    text = (
        "FROM node:18\nWORKDIR /home/node/app\nCOPY . .\nRUN chown -R node /home/node\n"
        "USER node\nRUN npm ci && npm install -g --prefix /home/node/.local x\n"
        'CMD ["node", "server.js"]\n'
    )
    result = rewrite(text)
    assert result.output is not None
    assert "-path '/home/*/.cache' -prune" in result.output
    assert "-path '/home/*/.node-gyp' -prune" in result.output


def test_node_red_installs_its_nodes_with_npm_while_it_runs(tmp_path) -> None:
    """Node-RED's palette manager runs npm: an app that depends on it keeps what native
    nodes compile with, as an app that spawns npm itself does."""
    import json
    import shutil

    assert shutil.which("make"), "the probe keeps what the builder has"
    app = tmp_path / "app"
    app.mkdir()
    manifest = {"name": "flows", "dependencies": {"node-red": "0.15.2"}}
    (app / "package.json").write_text(json.dumps(manifest))
    proc, work = _run_tool_probe(tmp_path, app)
    assert proc.returncode == 0, proc.stderr
    assert {"npm", "make"} <= set((work / "runs").read_text().split())
    assert "runs a package manager" in proc.stderr
    # A package that only starts like it is another package.
    manifest["dependencies"] = {"node-red-contrib-foo": "1.0.0"}
    (app / "package.json").write_text(json.dumps(manifest))
    proc, work = _run_tool_probe(tmp_path, app)
    assert (work / "runs").read_text().split() == []


@pytest.mark.parametrize(
    ("image", "old"),
    [
        ("alpine:3.2", True),
        ("alpine:3.2.1", True),
        ("gliderlabs/alpine:3.1", True),
        ("node:0.12-alpine3.2", True),
        ("alpine:2.7", True),
        ("alpine:3.3", False),
        ("alpine:3.10", False),
        ("alpine:3.20", False),
        ("alpine", False),
        ("node:6.11-alpine", False),
        ("python:3.5-alpine3.4", False),
        ("debian:3.1", False),
        (None, False),
    ],
)
def test_alpine_before_3_3_has_no_no_cache(image: str | None, old: bool) -> None:
    from dockerslim_refactor.plan.probes import apk_add, old_apk

    assert old_apk(image) is old
    if old:
        assert apk_add(image, "bash git") == "apk add --update bash git && rm -rf /var/cache/apk/*"
    else:
        assert apk_add(image, "bash git") == "apk add --no-cache bash git"


def test_the_runtime_install_on_an_old_alpine_release_deletes_its_cache_instead() -> None:
    from dockerslim_refactor.plan.probes import runtime_install

    (step,) = runtime_install("apk", ["bash"], False, image="gliderlabs/alpine:3.2")
    assert step.endswith("RUN apk add --update bash && rm -rf /var/cache/apk/*")
    assert "--no-cache" not in step


def test_a_binary_built_in_the_app_folder_is_staged_once() -> None:
    """`go build -o app` in the WORKDIR: the runtime copies the binary by name, so the app
    folder's stage leaves it out (the image would hold it twice)."""
    text = (
        "FROM golang:1.22-bookworm\nWORKDIR /srv/site\nCOPY . .\n"
        'RUN CGO_ENABLED=0 go build -o bin/site .\nCMD ["./bin/site"]\n'
    )
    output = rewrite(text).output
    assert output is not None
    (stage,) = [line for line in output.splitlines() if "cp -a /srv/site/." in line]
    assert "/tmp/dslim/app/bin/site" in stage
    assert "COPY --from=builder /srv/site/bin/site /srv/site/bin/site" in output
