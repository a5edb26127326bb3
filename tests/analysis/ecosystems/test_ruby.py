"""The Ruby detector: bundler and gem installs on the official images, where the gems are,
the slim runtime of the same Ruby, and the app copied to / without a folder of its own."""

from __future__ import annotations

import dockerfile
import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import ruby
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(text: str, options: Options | None = None) -> BuildInfo | None:
    return run_detector(ruby.detect, text, options)


def rails(image: str = "ruby:3.3", extra: str = "") -> str:
    return (
        f"FROM {image}\nRUN apt-get update && apt-get install -y libpq-dev nodejs\n"
        f"WORKDIR /app\nCOPY Gemfile Gemfile.lock ./\n{extra}RUN bundle install\nCOPY . .\n"
        "RUN bundle exec rake assets:precompile\n"
        'CMD ["bundle", "exec", "rails", "server", "-b", "0.0.0.0"]\n'
    )


@pytest.mark.parametrize(
    ("image", "runtime"),
    [
        ("ruby:3.3", "ruby:3.3-slim"),
        ("ruby:3.3.1-bookworm", "ruby:3.3.1-slim-bookworm"),
        ("ruby:2.6-stretch", "ruby:2.6-slim-stretch"),  # an old release stays the same
        ("ruby:3.2-slim", "ruby:3.2-slim"),
        ("ruby:3.2-alpine3.19", "ruby:3.2-alpine3.19"),
    ],
)
def test_runtime_is_the_same_ruby_without_compilers(image: str, runtime: str) -> None:
    build = detect(rails(image))
    assert build is not None
    assert (build.ecosystem, build.linkage, build.runtime_image) == ("ruby", "interpreter", runtime)


def test_what_the_build_added_and_the_app_are_copied_and_the_gem_cache_is_dropped() -> None:
    build = detect(rails())
    assert build is not None
    assert [(a.path, a.dest, a.kind) for a in build.artifacts] == [
        ("/tmp/dslim/root/", "/", "installed-tree"),
        ("/app", "/app", "directory"),
    ]
    assert build.marker_line == 2 and "-path /app -prune" in build.final_steps[0]
    assert build.builder_steps[-1].endswith("RUN rm -rf /usr/local/bundle/cache")
    assert build.lines == (5, 7)  # bundle install and the asset build


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param("ENV BUNDLE_PATH=/gems\n", "/gems", id="bundle-path-env"),
        pytest.param("RUN bundle config set --global path /opt/gems\n", "/opt/gems", id="config"),
        pytest.param("ENV GEM_HOME=/srv/gems\n", "/srv/gems", id="gem-home"),
    ],
)
def test_the_note_names_where_the_gems_are(extra: str, expected: str) -> None:
    build = detect(rails(extra=extra))
    assert build is not None
    assert any(expected in f.message for f in build.findings)


def test_a_tool_the_build_downloaded_comes_along() -> None:
    # gosu fetched to /usr/local/bin and chmod-ed: the collected tree has it, and the replayed
    # chmod finds it in the runtime.
    text = rails(
        extra="RUN curl -o /usr/local/bin/gosu https://x/gosu && chmod +x /usr/local/bin/gosu\n"
    )
    result = rewrite(text)
    assert result.output is not None
    runtime = result.output.rsplit("\nFROM ", 1)[1]
    assert "COPY --from=builder /tmp/dslim/root/ /" in runtime
    assert "chmod +x /usr/local/bin/gosu" in runtime and "if [ -e" not in runtime


def test_app_copied_to_root_is_found_at_build_time() -> None:
    # No WORKDIR: `COPY . .` puts the app in /, which cannot be copied whole.
    text = 'FROM ruby:2.7\nCOPY . .\nRUN bundle install\nCMD ["ruby", "app.rb"]\n'
    build = detect(text)
    assert build is not None
    assert [(a.path, a.dest, a.kind) for a in build.artifacts] == [
        ("/tmp/dslim/root/", "/", "installed-tree")
    ]
    assert build.marker_line == 2 and "find /" in build.final_steps[0]
    assert any("no app folder" in f.message for f in build.findings)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('FROM ruby:3.3\nCOPY app.rb .\nCMD ["ruby", "app.rb"]\n', id="no-install"),
        pytest.param(
            'FROM ubuntu:22.04\nRUN apt-get install -y ruby && gem install rack\nCMD ["rackup"]\n',
            id="distribution-ruby",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


def test_rewrite_is_valid_and_stable() -> None:
    result = rewrite(rails())
    assert result.output is not None
    stages = dockerfile.parse_string(result.output)
    froms = [i.value[0] for i in stages if i.cmd == "FROM"]
    assert froms == ["ruby:3.3", "ruby:3.3-slim"]
    runtime = result.output.split("\nFROM ruby:3.3-slim", 1)[1]
    # nodejs is kept (the original kept it), the -dev headers are not.
    assert "nodejs" in runtime and "libpq-dev" not in runtime
    assert "ldd" in result.output  # the native extensions' libraries are found in the builder
    assert rewrite(result.output).output is None
