"""The PHP detector: composer installs and compiled extensions on the official images, the
same image as the runtime, the tree the build added found at build time, composer left out."""

from __future__ import annotations

import dockerfile
import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import php
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(text: str, options: Options | None = None) -> BuildInfo | None:
    return run_detector(php.detect, text, options)


APACHE = (
    "FROM php:8.2-apache\n"
    "RUN apt-get update && apt-get install -y git unzip libzip-dev libpng-dev\n"
    "RUN docker-php-ext-install zip gd && a2enmod rewrite\n"
    "COPY --from=composer:2 /usr/bin/composer /usr/bin/composer\n"
    "WORKDIR /var/www/html\nCOPY . .\nRUN composer install --no-dev --optimize-autoloader\n"
)


def test_same_image_with_the_tree_and_the_app() -> None:
    build = detect(APACHE)
    assert build is not None
    assert (build.ecosystem, build.linkage, build.runtime_image) == (
        "php",
        "interpreter",
        "php:8.2-apache",
    )
    assert [(a.path, a.dest, a.kind) for a in build.artifacts] == [
        ("/tmp/dslim/root/", "/", "installed-tree"),
        ("/var/www/html", "/var/www/html", "directory"),
    ]
    assert build.lines == (3, 7) and build.marker_line == 2
    (collect,) = build.final_steps
    # composer was put there to run once: it stays behind.
    assert "-e '^/usr/bin/composer$'" in collect
    assert "/var/lib/ucf/registry" in collect  # generated extension .ini files are packages'


def test_composer_stays_when_the_command_runs_it() -> None:
    build = detect(APACHE + 'CMD ["composer", "run", "serve"]\n')
    assert build is not None
    assert "composer$'" not in build.final_steps[0]


@pytest.mark.parametrize(
    "run",
    [
        "php composer.phar install",
        "composer require monolog/monolog",
        "pecl install redis && docker-php-ext-enable redis",
    ],
)
def test_build_steps(run: str) -> None:
    build = detect(f"FROM php:8.3-fpm\nWORKDIR /app\nCOPY . .\nRUN {run}\n")
    assert build is not None and build.lines == (4,)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('FROM php:8.2-cli\nCOPY . /app\nCMD ["php", "/app/a.php"]\n', id="no-build"),
        pytest.param(
            "FROM ubuntu:22.04\nRUN apt-get install -y php-cli composer && composer install\n",
            id="distribution-php",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


def test_rewrite_keeps_the_inherited_command_and_drops_build_packages() -> None:
    # No CMD: the runtime is the same image, so its command is the same as the original's.
    result = rewrite(APACHE)
    assert result.output is not None
    parsed = dockerfile.parse_string(result.output)
    assert [i.value[0] for i in parsed if i.cmd == "FROM"] == ["php:8.2-apache"] * 2
    runtime = result.output.rsplit("\nFROM php:8.2-apache", 1)[1]
    install = next(line for line in runtime.splitlines() if "for p in" in line)
    for dropped in ("git", "unzip", "libzip-dev", "libpng-dev"):
        assert f" {dropped} " not in install
    assert "COPY --from=builder /tmp/dslim/installed /tmp/dslim/installed" in runtime
    assert '[ -L "$f" ] && [ ! -e "$f" ]' in runtime  # links to packages it lacks go
    assert rewrite(result.output).output is None


COMPANY = (
    "FROM example/symfony-base:php8.2\nWORKDIR /var/www/html\nCOPY . /var/www/html\n"
    "RUN apk add --no-cache yarn && composer i --no-scripts && yarn install --immutable "
    "&& yarn prod && apk del yarn\nEXPOSE 80\n"
)


def test_a_companys_php_image_is_its_own_runtime() -> None:
    """composer runs on an image the tool knows nothing of, which brings PHP and composer:
    the runtime is that image, as for the official ones."""
    build = detect(COMPANY)
    assert build is not None
    assert (build.ecosystem, build.runtime_image) == ("php", "example/symfony-base:php8.2")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "FROM example/base:1\nRUN apk add php82 composer && composer install\n",
            id="php-from-the-distribution",
        ),
        pytest.param(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN composer install\n", id="a-node-image"
        ),
        pytest.param(
            "FROM example/base:1\nWORKDIR /app\nCOPY . .\nRUN composer dump-autoload\n",
            id="no-install",
        ),
    ],
)
def test_not_a_companys_php_image(text: str) -> None:
    assert detect(text) is None


def test_node_modules_of_an_asset_build_stay_when_no_node_is_left() -> None:
    """yarn came and went in the same RUN: node_modules hold what only the asset build ran.
    The builder stages the app without them when node is gone, and the runtime copies that."""
    import shutil
    import subprocess

    result = rewrite(COMPANY)
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)
    builder, runtime = result.output.split("\nFROM example/symfony-base:php8.2\n", 1)
    assert "COPY --from=builder /tmp/dslim/apps/var/www/html /var/www/html" in runtime
    lines = builder.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("RUN set -e; for p in "))
    last = next(i for i in range(first, len(lines)) if lines[i].strip() == "done")
    run = "\n".join(lines[first : last + 1])[len("RUN ") :].replace("\\\n", "")
    assert "/tmp/dslim/apps" in run and "cp -a" in run
    for node, kept in (("", False), ("node", True)):
        # The staging step itself, on a folder with and without node on PATH.
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            app, bindir = Path(tmp, "app"), Path(tmp, "bin")
            (app / "node_modules" / "x").mkdir(parents=True)
            (app / "public").mkdir()
            bindir.mkdir()
            # Only the tools the step runs, so that the machine's own node stays out of it.
            for tool in ("mkdir", "cp", "rm"):
                (bindir / tool).symlink_to(shutil.which(tool))
            if node:
                (bindir / "node").write_text("#!/bin/sh\n")
                (bindir / "node").chmod(0o755)
            script = run.replace("/var/www/html=", f"{app}=").replace(
                "/tmp/dslim/apps", f"{tmp}/stage"
            )
            subprocess.run(
                ["/bin/sh", "-c", script],
                check=True,
                env={"PATH": str(bindir)},
            )
            staged = Path(tmp, "stage", "var/www/html")
            assert (staged / "public").is_dir()
            assert (staged / "node_modules").exists() == kept
