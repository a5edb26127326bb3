"""dockerslim_refactor.analysis.packages: package installs, index updates, cache cleanups, build
packages."""

from __future__ import annotations

import pytest

from dockerslim_refactor.analysis.packages import (
    BUILD_PACKAGES,
    cache_cleanups,
    index_updates,
    is_build_package,
    package_installs,
    removed_packages,
)
from dockerslim_refactor.shell import parse_shell


def installs(script: str, workdir: str | None = "/") -> list[tuple[str, tuple[str, ...]]]:
    return [(i.manager, i.packages) for i in package_installs(parse_shell(script, workdir))]


# --------------------------------------------------------------------------------------------
# Installs: manager and packages


@pytest.mark.parametrize(
    "script",
    [
        pytest.param("apt-get update", id="apt-update"),
        pytest.param("apt-get remove -y curl", id="apt-remove"),
        pytest.param("apk del .build-deps", id="apk-del"),
        pytest.param("dnf remove gcc", id="dnf-remove"),
        pytest.param("pip list", id="pip-list"),
        pytest.param("pip download flask", id="pip-download"),
        pytest.param("python -m venv /opt/venv", id="python-m-venv"),
        pytest.param("python -c 'import pip'", id="python-c"),
        pytest.param("npm run build", id="npm-run"),
        pytest.param("yarn build", id="yarn-script"),
        pytest.param("yarn --version", id="yarn-version"),
        pytest.param("pnpm run test", id="pnpm-run"),
        pytest.param("go build -o /app .", id="go-build"),
        pytest.param("cargo build --release", id="cargo-build"),
        pytest.param("composer dump-autoload", id="composer-dump"),
        pytest.param("gem list", id="gem-list"),
        pytest.param("echo apt-get install curl", id="mentioned-in-echo"),
        pytest.param("sudo -u app", id="sudo-without-command"),
    ],
)
def test_not_an_install(script: str) -> None:
    assert installs(script) == []


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param(
            "apt-get install -y --no-install-recommends curl=7.88* ca-certificates",
            [("apt", ("curl=7.88*", "ca-certificates"))],
            id="apt-get",
        ),
        pytest.param("apt install -y git", [("apt", ("git",))], id="apt"),
        pytest.param(
            "apt-get -o Dpkg::Options::=--force-confnew -t bookworm-backports install -y gcc",
            [("apt", ("gcc",))],
            id="apt-options-with-values",
        ),
        pytest.param(
            "DEBIAN_FRONTEND=noninteractive apt-get -qq install make",
            [("apt", ("make",))],
            id="apt-env-prefix",
        ),
        pytest.param("sudo -E apt-get install -y vim", [("apt", ("vim",))], id="sudo"),
        pytest.param(
            "env DEBIAN_FRONTEND=noninteractive apt-get install -y vim",
            [("apt", ("vim",))],
            id="env-wrapper",
        ),
        pytest.param(
            "apk add --no-cache --virtual .build-deps gcc musl-dev",
            [("apk", ("gcc", "musl-dev"))],
            id="apk-virtual-not-a-package",
        ),
        pytest.param("apk add -t .deps curl", [("apk", ("curl",))], id="apk-virtual-short"),
        pytest.param(
            "dnf install -y --setopt=install_weak_deps=False gcc",
            [("dnf", ("gcc",))],
            id="dnf",
        ),
        pytest.param(
            "yum -y --enablerepo epel install jq", [("yum", ("jq",))], id="yum-value-option"
        ),
        pytest.param("microdnf install -y tar", [("microdnf", ("tar",))], id="microdnf"),
        pytest.param("zypper --non-interactive install git", [("zypper", ("git",))], id="zypper"),
        pytest.param("zypper -n in curl", [("zypper", ("curl",))], id="zypper-in"),
        pytest.param(
            "pip install flask==3.0 'gunicorn>=21'",
            [("pip", ("flask==3.0", "gunicorn>=21"))],
            id="pip",
        ),
        pytest.param("pip3 install requests", [("pip", ("requests",))], id="pip3"),
        pytest.param("pip3.11 install requests", [("pip", ("requests",))], id="pip3.11"),
        pytest.param("python -m pip install -U pip", [("pip", ("pip",))], id="python-m-pip"),
        pytest.param("python3 -u -m pip install x", [("pip", ("x",))], id="python3-flag-m-pip"),
        pytest.param(
            "/usr/local/bin/python3.12 -m pip install x", [("pip", ("x",))], id="python-path"
        ),
        pytest.param("uv pip install --system x", [("pip", ("x",))], id="uv-pip"),
        pytest.param("pip install -e .", [("pip", (".",))], id="pip-editable"),
        pytest.param("pip install -r requirements.txt", [("pip", ())], id="pip-requirements"),
        pytest.param("npm install", [("npm", ())], id="npm-install-project"),
        pytest.param("npm ci", [("npm", ())], id="npm-ci"),
        pytest.param("npm i express", [("npm", ("express",))], id="npm-i"),
        pytest.param("npm add -D typescript", [("npm", ("typescript",))], id="npm-add"),
        pytest.param("npm install -g pm2@5", [("npm", ("pm2@5",))], id="npm-global"),
        pytest.param("yarn", [("yarn", ())], id="bare-yarn"),
        pytest.param("yarn install --frozen-lockfile", [("yarn", ())], id="yarn-install"),
        pytest.param("yarn add react", [("yarn", ("react",))], id="yarn-add"),
        pytest.param("yarn global add serve", [("yarn", ("serve",))], id="yarn-global-add"),
        pytest.param("pnpm install --frozen-lockfile", [("pnpm", ())], id="pnpm-install"),
        pytest.param("pnpm i", [("pnpm", ())], id="pnpm-i"),
        pytest.param("pnpm add -g zx", [("pnpm", ("zx",))], id="pnpm-add-global"),
        pytest.param(
            "gem install bundler -v 2.4.0 --no-document", [("gem", ("bundler",))], id="gem"
        ),
        pytest.param("composer install --no-dev", [("composer", ())], id="composer-install"),
        pytest.param(
            "composer require monolog/monolog:^3.0",
            [("composer", ("monolog/monolog:^3.0",))],
            id="composer-require",
        ),
        pytest.param(
            "composer global require laravel/installer",
            [("composer", ("laravel/installer",))],
            id="composer-global",
        ),
        pytest.param(
            "cargo install --locked --version 14.0.0 ripgrep",
            [("cargo", ("ripgrep",))],
            id="cargo",
        ),
        pytest.param("cargo install --path .", [("cargo", (".",))], id="cargo-path"),
        pytest.param(
            "go install golang.org/x/tools/cmd/goimports@latest",
            [("go", ("golang.org/x/tools/cmd/goimports@latest",))],
            id="go-install",
        ),
        pytest.param(
            "go install -ldflags '-s -w' ./...", [("go", ("./...",))], id="go-install-module"
        ),
        pytest.param("go install", [("go", ())], id="go-install-bare"),
        pytest.param(
            "apt-get update && apt-get install -y gcc && pip install x",
            [("apt", ("gcc",)), ("pip", ("x",))],
            id="several-in-order",
        ),
        pytest.param("if true; then apk add curl; fi", [("apk", ("curl",))], id="nested-in-if"),
        # gliderlabs/alpine's helper for `apk add --update` with the cache deleted.
        pytest.param(
            "apk-install -t build-deps go git", [("apk", ("go", "git"))], id="apk-install"
        ),
    ],
)
def test_installs(script: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert installs(script) == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param(
            'buildDeps=" gcc \\\n  rsync libpq-dev "; apt-get install -y $buildDeps curl',
            [("apt", ("gcc", "rsync", "libpq-dev", "curl"))],
            id="variable",
        ),
        pytest.param(
            "deps='make g++'; apk add --virtual .b ${deps}",
            [("apk", ("make", "g++"))],
            id="braces",
        ),
        # A value only known when the build runs stays as written.
        pytest.param(
            'deps="$(cat pkgs.txt)"; apt-get install -y $deps',
            [("apt", ("$deps",))],
            id="computed",
        ),
        pytest.param("apt-get install -y $UNSET", [("apt", ("$UNSET",))], id="unset"),
    ],
)
def test_package_lists_in_variables(script: str, expected) -> None:
    assert installs(script) == expected


def test_removal_through_a_variable() -> None:
    script = parse_shell(
        'buildDeps="gcc rsync"; apt-get install -y $buildDeps && apt-get purge -y ${buildDeps}',
        "/",
    )
    (install,) = package_installs(script)
    assert removed_packages(install, script) == {"gcc", "rsync"}


def test_apk_install_group_is_removed_by_apk_del() -> None:
    script = parse_shell("apk-install -t build-deps go git && go build && apk del build-deps", "/")
    (install,) = package_installs(script)
    assert removed_packages(install, script) == {"go", "git"}


def test_install_keeps_original_command() -> None:
    (install,) = package_installs(parse_shell("cd /src && sudo pip install --user .", "/"))
    assert install.command.name == "sudo"
    assert install.command.cwd == "/src"
    assert install.command.has_flag("--user")


# --------------------------------------------------------------------------------------------
# Install attributes


@pytest.mark.parametrize(
    ("script", "files"),
    [
        pytest.param("pip install flask", (), id="none"),
        pytest.param("pip install -r requirements.txt", ("requirements.txt",), id="short"),
        pytest.param(
            "pip install --requirement=a.txt -r b.txt -c constraints.txt",
            ("a.txt", "b.txt"),
            id="long-eq-and-short",
        ),
        pytest.param("pip install -rreq.txt", ("req.txt",), id="attached"),
    ],
)
def test_pip_requirement_files(script: str, files: tuple[str, ...]) -> None:
    (install,) = package_installs(parse_shell(script))
    assert install.requirement_files == files


@pytest.mark.parametrize(
    ("script", "no_cache"),
    [
        pytest.param("apk add curl", False, id="apk"),
        pytest.param("pip install x", False, id="pip"),
        pytest.param("apt-get install -y curl", False, id="apt-never"),
        pytest.param("dnf install -y --setopt=keepcache=0 gcc", False, id="dnf-setopt"),
        pytest.param("apk add --no-cache curl", True, id="apk-no-cache"),
        pytest.param("apk-install curl", True, id="apk-install-deletes-its-cache"),
        pytest.param("pip install --no-cache-dir x", True, id="pip-no-cache-dir"),
        pytest.param("pip --no-cache-dir install x", True, id="pip-global-option"),
        pytest.param("PIP_NO_CACHE_DIR=1 pip install x", True, id="pip-env"),
        pytest.param("composer install --no-cache", True, id="composer-no-cache"),
    ],
)
def test_no_cache(script: str, no_cache: bool) -> None:
    (install,) = package_installs(parse_shell(script))
    assert install.no_cache is no_cache


@pytest.mark.parametrize(
    ("script", "global_install"),
    [
        pytest.param("npm install express", False, id="npm-local"),
        pytest.param("pip install --user x", False, id="pip-user"),
        pytest.param("yarn add serve", False, id="yarn-add"),
        pytest.param("pnpm add zx", False, id="pnpm-add"),
        pytest.param("composer require a/b", False, id="composer-require"),
        pytest.param("apt-get install -y curl", False, id="apt"),
        pytest.param("npm install -g pm2", True, id="npm-g"),
        pytest.param("npm install --global pm2", True, id="npm-global"),
        pytest.param("npm install --location=global pm2", True, id="npm-location"),
        pytest.param("yarn global add serve", True, id="yarn-global"),
        pytest.param("pnpm add -g zx", True, id="pnpm-g"),
        pytest.param("composer global require a/b", True, id="composer-global"),
        pytest.param("gem install rails", True, id="gem"),
        pytest.param("cargo install ripgrep", True, id="cargo"),
        pytest.param("go install example.com/cmd@v1", True, id="go"),
    ],
)
def test_global_install(script: str, global_install: bool) -> None:
    (install,) = package_installs(parse_shell(script))
    assert install.global_install is global_install


@pytest.mark.parametrize(
    ("script", "dev"),
    [
        pytest.param("npm ci --omit=dev", False, id="npm-omit-dev"),
        pytest.param("npm ci --omit dev", False, id="npm-omit-dev-separate"),
        pytest.param("npm install --production", False, id="npm-production"),
        pytest.param("npm install --only=production", False, id="npm-only-production"),
        pytest.param("NODE_ENV=production npm ci", False, id="npm-node-env"),
        pytest.param("npm install -g typescript", False, id="npm-global"),
        pytest.param("yarn install --production", False, id="yarn-production"),
        pytest.param("yarn --prod", False, id="bare-yarn-prod"),
        pytest.param("yarn global add serve", False, id="yarn-global"),
        pytest.param("pnpm install --prod", False, id="pnpm-prod"),
        pytest.param("pnpm i -P", False, id="pnpm-P"),
        pytest.param("composer install --no-dev", False, id="composer-no-dev"),
        pytest.param("pip install -r requirements.txt", False, id="pip"),
        pytest.param("npm ci", True, id="npm-ci"),
        pytest.param("npm install", True, id="npm-install"),
        pytest.param("npm install --production=false", True, id="npm-production-false"),
        pytest.param("yarn", True, id="bare-yarn"),
        pytest.param("yarn install --frozen-lockfile", True, id="yarn-install"),
        pytest.param("pnpm install", True, id="pnpm-install"),
        pytest.param("composer install", True, id="composer-install"),
    ],
)
def test_dev(script: str, dev: bool) -> None:
    (install,) = package_installs(parse_shell(script))
    assert install.dev is dev


# --------------------------------------------------------------------------------------------
# Index updates


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("apt-get install -y curl", [], id="apt-install"),
        pytest.param("apt-get upgrade -y", [], id="apt-upgrade"),
        pytest.param("apk add --update curl", [], id="apk-add-update"),
        pytest.param("echo apt-get update", [], id="echoed"),
        pytest.param("apt-get update", ["apt-get update"], id="apt-get"),
        pytest.param("apt update -qq", ["apt update -qq"], id="apt"),
        pytest.param("sudo apt-get -q update", ["sudo apt-get -q update"], id="sudo-apt"),
        pytest.param("apk update", ["apk update"], id="apk"),
        pytest.param("yum makecache", ["yum makecache"], id="yum-makecache"),
        pytest.param("dnf makecache --refresh", ["dnf makecache --refresh"], id="dnf"),
        pytest.param("zypper refresh", ["zypper refresh"], id="zypper-refresh"),
        pytest.param(
            "zypper --gpg-auto-import-keys ref",
            ["zypper --gpg-auto-import-keys ref"],
            id="zypper-ref",
        ),
        pytest.param(
            "apt-get update && apt-get install -y x && apk update",
            ["apt-get update", "apk update"],
            id="several",
        ),
    ],
)
def test_index_updates(script: str, expected: list[str]) -> None:
    assert [c.text for c in index_updates(parse_shell(script))] == expected


# --------------------------------------------------------------------------------------------
# Cache cleanups


@pytest.mark.parametrize(
    ("script", "workdir", "expected"),
    [
        pytest.param("rm -rf /app/build", "/", [], id="rm-elsewhere"),
        pytest.param("rm -rf /var/lib/apt", "/", [], id="rm-parent-of-lists"),
        pytest.param("rm -rf /tmpdata/x", "/", [], id="rm-tmp-lookalike"),
        pytest.param("rm -rf *", "/app", [], id="rm-relative-elsewhere"),
        pytest.param("rm -rf cache", None, [], id="rm-relative-unknown-cwd"),
        pytest.param("apt-get autoremove -y", "/", [], id="apt-autoremove"),
        pytest.param("npm cache verify", "/", [], id="npm-cache-verify"),
        pytest.param("go clean -testcache", "/", [], id="go-clean-testcache"),
        pytest.param("echo rm -rf /var/lib/apt/lists/*", "/", [], id="echoed"),
        pytest.param(
            "rm -rf /var/lib/apt/lists/*", "/", ["rm -rf /var/lib/apt/lists/*"], id="apt-lists"
        ),
        pytest.param(
            "rm -rf /var/cache/apt/archives/*.deb /x",
            "/",
            ["rm -rf /var/cache/apt/archives/*.deb /x"],
            id="apt-archives",
        ),
        pytest.param("rm -rf /var/cache/apk/*", "/", ["rm -rf /var/cache/apk/*"], id="apk-dir"),
        pytest.param("rm -rf /root/.cache", "/", ["rm -rf /root/.cache"], id="root-cache"),
        pytest.param("rm -rf ~/.cache/pip", "/", ["rm -rf ~/.cache/pip"], id="tilde-cache"),
        pytest.param('rm -rf "$HOME/.cache"', "/", ['rm -rf "$HOME/.cache"'], id="home-var-cache"),
        pytest.param("rm -rf /tmp/*", "/", ["rm -rf /tmp/*"], id="tmp"),
        pytest.param("rm -rf /var/cache/yum", "/", ["rm -rf /var/cache/yum"], id="yum-dir"),
        pytest.param("rm -rf /var/cache/dnf/*", "/", ["rm -rf /var/cache/dnf/*"], id="dnf-dir"),
        pytest.param("rm -rf ~/.npm /root/.npm", "/", ["rm -rf ~/.npm /root/.npm"], id="npm-dir"),
        pytest.param(
            "rm -rf /usr/local/share/.cache/yarn",
            "/",
            ["rm -rf /usr/local/share/.cache/yarn"],
            id="yarn-dir",
        ),
        pytest.param("rm -rf $GOPATH/pkg/mod", "/", ["rm -rf $GOPATH/pkg/mod"], id="gopath-mod"),
        pytest.param(
            "rm -rf ${GOPATH}/pkg/mod/cache", "/", ["rm -rf ${GOPATH}/pkg/mod/cache"], id="gopath"
        ),
        pytest.param(
            "cd /var/lib/apt/lists && rm -rf *",
            "/",
            ["rm -rf *"],
            id="rm-relative-to-tracked-cwd",
        ),
        pytest.param("rm -r -f -- /tmp/x", "/", ["rm -r -f -- /tmp/x"], id="rm-dashdash"),
        pytest.param("sudo rm -rf /tmp/x", "/", ["sudo rm -rf /tmp/x"], id="sudo-rm"),
        pytest.param("apt-get clean", "/", ["apt-get clean"], id="apt-get-clean"),
        pytest.param("apt clean", "/", ["apt clean"], id="apt-clean"),
        pytest.param("apk cache clean", "/", ["apk cache clean"], id="apk-cache-clean"),
        pytest.param("yum clean all", "/", ["yum clean all"], id="yum-clean"),
        pytest.param("dnf clean all", "/", ["dnf clean all"], id="dnf-clean"),
        pytest.param("zypper clean -a", "/", ["zypper clean -a"], id="zypper-clean"),
        pytest.param("npm cache clean --force", "/", ["npm cache clean --force"], id="npm-cache"),
        pytest.param("yarn cache clean", "/", ["yarn cache clean"], id="yarn-cache"),
        pytest.param("pip cache purge", "/", ["pip cache purge"], id="pip-cache"),
        pytest.param(
            "python3 -m pip cache purge", "/", ["python3 -m pip cache purge"], id="python-m-pip"
        ),
        pytest.param("go clean -cache", "/", ["go clean -cache"], id="go-clean-cache"),
        pytest.param(
            "go clean -modcache -cache", "/", ["go clean -modcache -cache"], id="go-modcache"
        ),
        pytest.param("composer clear-cache", "/", ["composer clear-cache"], id="composer"),
        pytest.param(
            "apt-get install -y x && apt-get clean && rm -rf /var/lib/apt/lists/*",
            "/",
            ["apt-get clean", "rm -rf /var/lib/apt/lists/*"],
            id="typical-chain",
        ),
    ],
)
def test_cache_cleanups(script: str, workdir: str | None, expected: list[str]) -> None:
    assert [c.text for c in cache_cleanups(parse_shell(script, workdir))] == expected


# --------------------------------------------------------------------------------------------
# Build packages


@pytest.mark.parametrize(
    ("name", "build"),
    [
        pytest.param("curl", False, id="curl"),
        pytest.param("ca-certificates", False, id="ca-certificates"),
        pytest.param("libpq5", False, id="runtime-lib"),
        pytest.param("python3", False, id="python3"),
        pytest.param("udev", False, id="dev-without-dash"),
        pytest.param("devscripts-extra", False, id="dev-prefix"),
        pytest.param("$BUILD_DEPS", False, id="expansion"),
        pytest.param("", False, id="empty"),
        pytest.param("gcc", True, id="gcc"),
        pytest.param("g++", True, id="gxx"),
        pytest.param("build-essential", True, id="build-essential"),
        pytest.param("build-base", True, id="build-base"),
        pytest.param("musl-dev", True, id="musl-dev"),
        pytest.param("libssl-dev", True, id="dev-suffix"),
        pytest.param("openssl-devel", True, id="devel-suffix"),
        pytest.param("linux-headers", True, id="linux-headers"),
        pytest.param("linux-headers-amd64", True, id="linux-headers-arch"),
        pytest.param("kernel-headers", True, id="headers-suffix"),
        pytest.param("gcc=12.*", True, id="apt-pin"),
        pytest.param("gcc~12", True, id="apk-fuzzy-pin"),
        pytest.param("gcc>=1", True, id="ge-pin"),
        pytest.param("libc6-dev:amd64", True, id="arch-qualifier"),
        pytest.param("gcc-12", True, id="versioned-compiler"),
        pytest.param("GCC", True, id="case-insensitive"),
        pytest.param("pkg-config", True, id="pkg-config"),
        pytest.param("git", True, id="git"),
    ],
)
def test_is_build_package(name: str, build: bool) -> None:
    assert is_build_package(name) is build


def test_build_packages_set_is_consistent() -> None:
    assert {"gcc", "make", "cmake", "autoconf", "libtool", "git", "musl-dev"} <= BUILD_PACKAGES
    assert all(is_build_package(name) for name in BUILD_PACKAGES)
    assert "curl" not in BUILD_PACKAGES
