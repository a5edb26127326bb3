"""What we know about base images: image references, toolchain images, their libc, shell,
default environment, and the runtime image that matches a builder image."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Debian releases in the order they appeared; a glibc binary runs on the same or a newer one.
DEBIAN_CODENAMES = ("buster", "bullseye", "bookworm", "trixie")
DEFAULT_DEBIAN = "bookworm"
# Every Debian codename, for telling a release tag (``debian:jessie``) from another word.
DEBIAN_RELEASES = (
    "wheezy",
    "jessie",
    "stretch",
    *DEBIAN_CODENAMES,
    "forky",
)
UBUNTU_CODENAMES = ("bionic", "focal", "jammy", "noble")
# Operating system images, whose own command is a shell (``name`` of the repository).
OS_IMAGES = frozenset(
    {"debian", "ubuntu", "alpine", "busybox", "centos", "fedora", "rockylinux", "almalinux"}
    | {"amazonlinux", "oraclelinux"}
)

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Pinned runtime images the rewriter may choose.
ALPINE = "alpine:3.20"
BUSYBOX = "busybox:1.36.1"
SCRATCH = "scratch"
DISTROLESS_STATIC = "gcr.io/distroless/static-debian12"
DISTROLESS_CC = "gcr.io/distroless/cc-debian12"


def debian_slim(codename: str = DEFAULT_DEBIAN) -> str:
    return f"debian:{codename}-slim"


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference: ``[registry/]repository[:tag][@digest]``."""

    text: str
    registry: str | None
    repository: str
    """Without the registry and the ``library/`` prefix (``golang``, ``bitnami/node``)."""
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The last path component of the repository (``golang``, ``sdk`` for dotnet/sdk)."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def has_variables(self) -> bool:
        return "$" in self.text

    @property
    def pinned(self) -> bool:
        """Has a digest, or a tag other than ``latest``."""
        return bool(self.digest) or (self.tag is not None and self.tag != "latest")

    @property
    def version(self) -> str | None:
        """The leading version of the tag (``3.12`` for ``3.12-slim-bookworm``)."""
        if not self.tag:
            return None
        match = re.match(r"v?(\d+(?:\.\d+)*)", self.tag)
        return match.group(1) if match else None

    @property
    def variant_words(self) -> tuple[str, ...]:
        """The tag split at ``-`` (``("3.12", "slim", "bookworm")``)."""
        return tuple(self.tag.split("-")) if self.tag else ()

    @property
    def debian_codename(self) -> str | None:
        for word in self.variant_words:
            if word in DEBIAN_RELEASES:
                return word
        return None

    @property
    def is_alpine(self) -> bool:
        return self.repository == "alpine" or any(
            w.startswith("alpine") for w in self.variant_words
        )


def parse_image(text: str) -> ImageRef:
    rest = text
    digest = None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
    registry = None
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    tag = None
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    repository = rest.lower()
    if repository.startswith("library/"):
        repository = repository[len("library/") :]
    return ImageRef(text, registry, repository, tag, digest)


@dataclass(frozen=True)
class BaseImageInfo:
    """Facts about a base image family that matter for the rewrite."""

    ecosystem: str | None
    """The toolchain it ships (``go``, ``rust``, ``c``, ``python``, ``node``, ``java``, ``dotnet``)
    or ``None`` for an OS or runtime image."""
    libc: str
    """``glibc``, ``musl`` or ``none`` (scratch, distroless/static)."""
    has_shell: bool
    env: tuple[tuple[str, str], ...] = ()
    """Environment the image sets that matters for finding artifacts (GOPATH, CARGO_HOME, PATH)."""
    is_toolchain: bool = False


_GO_ENV = (
    ("GOPATH", "/go"),
    ("PATH", "/go/bin:/usr/local/go/bin:" + DEFAULT_PATH),
)
_RUBY_ENV = (
    ("GEM_HOME", "/usr/local/bundle"),
    ("BUNDLE_APP_CONFIG", "/usr/local/bundle"),
    ("PATH", "/usr/local/bundle/bin:" + DEFAULT_PATH),
)
_RUST_ENV = (
    ("CARGO_HOME", "/usr/local/cargo"),
    ("PATH", "/usr/local/cargo/bin:" + DEFAULT_PATH),
)


def base_image_info(ref: ImageRef) -> BaseImageInfo:
    """Best knowledge of ``ref``; unknown images are taken as glibc with a shell."""
    repo = ref.repository
    name = ref.name
    libc = "musl" if ref.is_alpine else "glibc"
    if repo == "scratch":
        return BaseImageInfo(None, "none", False)
    if repo in {"busybox"}:
        return BaseImageInfo(None, "musl" if "musl" in ref.variant_words else "glibc", True)
    if "distroless" in repo:
        if name.startswith("static"):
            return BaseImageInfo(None, "none", "debug" in ref.variant_words)
        return BaseImageInfo(None, "glibc", "debug" in ref.variant_words)
    if name in {"golang", "go"}:
        return BaseImageInfo("go", libc, True, _GO_ENV, True)
    if name == "rust":
        return BaseImageInfo("rust", libc, True, _RUST_ENV, True)
    if name in {"gcc", "clang", "buildpack-deps"}:
        return BaseImageInfo("c", libc, True, (), True)
    if name in {"python", "pypy"}:
        slim = "slim" in ref.variant_words or ref.is_alpine
        return BaseImageInfo("python", libc, True, (), not slim)
    if name == "node":
        slim = "slim" in ref.variant_words or ref.is_alpine
        return BaseImageInfo("node", libc, True, (), not slim)
    if name in {"maven", "gradle"}:
        return BaseImageInfo("java", libc, True, (), True)
    if name in {"eclipse-temurin", "openjdk", "amazoncorretto", "ibmjava", "sapmachine"} or (
        repo == "java"  # the deprecated official image: openjdk's JDK unless the tag says jre
    ):
        jdk = not any(w == "jre" or w.startswith("jre") for w in ref.variant_words)
        return BaseImageInfo("java", libc, True, (), jdk)
    if name == "ruby":
        slim = "slim" in ref.variant_words or ref.is_alpine
        return BaseImageInfo("ruby", libc, True, _RUBY_ENV, not slim)
    if name in {"elixir", "erlang", "haskell", "dart", "clojure", "swift", "crystal"}:
        # Full images carry compilers and headers for native extensions; slim and alpine
        # variants do not (haskell's slim still carries GHC).
        slim = ("slim" in ref.variant_words and name != "haskell") or ref.is_alpine
        return BaseImageInfo(None, libc, True, (), not slim)
    if name == "mono" and "slim" not in ref.variant_words:
        return BaseImageInfo("dotnet", libc, True, (), True)
    if repo.endswith("dotnet/sdk") or repo.endswith("dotnet/core/sdk"):
        return BaseImageInfo("dotnet", libc, True, (), True)
    # The retired Docker Hub names: microsoft/dotnet:2.1-sdk, microsoft/aspnetcore-build.
    if repo == "microsoft/aspnetcore-build" or (
        repo == "microsoft/dotnet" and "sdk" in ref.variant_words
    ):
        return BaseImageInfo("dotnet", libc, True, (), True)
    return BaseImageInfo(None, libc, True)


# Words with which an image's name or tag says it is for building or developing
# (``nvidia/cuda:12.2-devel``, ``acme/build-base``, ``decarabas/monodev``).
_DEVELOPMENT_WORDS = frozenset({"dev", "devel", "sdk", "build", "builder", "toolchain"})


def alpine_version(ref: ImageRef) -> str | None:
    """The alpine release an image's tag names: the tag of an ``alpine`` image (``3.2``,
    ``latest``, ``edge``), the ``alpineX.Y`` word of another (``node:0.12-alpine3.2``);
    ``None`` when it names none (``node:6.11-alpine``)."""
    if ref.name == "alpine":
        return ref.tag
    return next((w[6:] for w in ref.variant_words if w.startswith("alpine")), "") or None


def named_development_image(ref: ImageRef) -> bool:
    """An image this tool knows nothing else about whose name or tag marks it as a
    development or build image: it carries compilers and headers, like a toolchain image.
    Official images (one path component) and operating systems are judged by what is known
    of them instead."""
    if "/" not in ref.repository or ref.name in OS_IMAGES:
        return False
    if base_image_info(ref).ecosystem is not None:
        return False
    words = set(re.split(r"[-_.]", ref.name)) | set(ref.variant_words)
    return bool(words & _DEVELOPMENT_WORDS) or ref.name.endswith(("dev", "devel", "sdk"))


def java_major(ref: ImageRef) -> str | None:
    """The Java major version an image ships (``21`` for ``maven:3.9-eclipse-temurin-21``,
    ``11`` for ``adoptopenjdk/maven-openjdk11``: the repository's own name counts too)."""
    words = ref.variant_words + tuple(re.split(r"[-_]", ref.name.rsplit("/", 1)[-1]))
    for i, word in enumerate(words):
        if word in {
            "temurin",
            "corretto",
            "amazoncorretto",
            "jdk",
            "openjdk",
            "sapmachine",
            "zulu",
        } and i + 1 < len(words):
            match = re.match(r"(\d+)", words[i + 1])
            if match:
                return match.group(1)
        match = re.fullmatch(r"(?:jdk|openjdk|java)(\d+)", word)
        if match:
            return match.group(1)
    if ref.name in {"eclipse-temurin", "openjdk", "amazoncorretto", "sapmachine"} and ref.version:
        return ref.version.split(".")[0]
    return None


def probable_java_major(ref: ImageRef) -> str | None:
    """The Java major an official image whose tag names none was most likely built with, or
    ``None``. The clojure images of Leiningen before 2.9 and Boot before 2.8 (up to 2018)
    were built on openjdk:8; later tags moved with the default JDK. A guess: the rewrite
    checks it in the builder."""
    if ref.repository != "clojure" or ref.digest or java_major(ref):
        return None
    words = ref.variant_words
    for tool, last in (("lein", (2, 9)), ("boot", (2, 8))):
        if len(words) >= 2 and words[0] == tool:
            match = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)*", words[1])
            if match and (int(match.group(1)), int(match.group(2))) < last:
                return "8"
    return None


def interpreter_runtime(ref: ImageRef, ecosystem: str, flavour: str = "runtime") -> str | None:
    """The slim image of the same interpreter and version as a builder image, or ``None``.
    For .NET, ``flavour`` picks ``aspnet``, ``runtime`` or ``runtime-deps``."""
    if ecosystem in {"python", "node", "ruby"} and ref.name == ecosystem and not ref.digest:
        words = [w for w in ref.variant_words if w not in {"slim", "latest"}]
        if ref.is_alpine:
            # Alpine is the family's small image already: the same one, without the build.
            return f"{ref.repository}:{'-'.join(words)}" if words else None
        # Tags that name no version move together with their slim twin: node:latest and
        # node:slim, node:lts and node:lts-slim are the same version on the same release.
        moving = {"lts", "current"} if ecosystem == "node" else set()
        if words and (re.match(r"\d", words[0]) or words[0] in moving):
            version, rest = words[0], [w for w in words[1:] if w in DEBIAN_RELEASES]
        elif all(w in DEBIAN_RELEASES for w in words):
            version, rest = "", words
        else:
            return None
        # python:3.12-slim-bookworm and ruby:3.3-slim-bookworm, but node:20-bookworm-slim.
        parts = [version, *rest, "slim"] if ecosystem == "node" else [version, "slim", *rest]
        return f"{ref.repository}:{'-'.join(p for p in parts if p)}"
    if ecosystem == "java":
        major = java_major(ref)
        if not major:
            return None
        suffix = "-alpine" if ref.is_alpine else ""
        for word in ref.variant_words:
            if word in UBUNTU_CODENAMES:
                suffix = f"-{word}"
        return f"eclipse-temurin:{major}-jre{suffix}"
    if ecosystem == "dotnet":
        return dotnet_runtime(ref, flavour)
    return None


def dotnet_runtime(ref: ImageRef, flavour: str) -> str | None:
    """The runtime image published with a .NET SDK image, by the naming scheme of its
    repository, or ``None`` (a digest, a mono or an unknown image).

    - ``mcr.microsoft.com/dotnet[/core]/sdk:TAG`` → ``…/aspnet|runtime|runtime-deps:TAG``
      (``core/aspnet`` for 3.x).
    - ``microsoft/dotnet:2.1-sdk-stretch`` → ``…:2.1-aspnetcore-runtime-stretch-slim``: the
      retired Docker Hub scheme, where the runtimes of 2.1 and later are ``-slim``.
    - ``microsoft/aspnetcore-build:2.0`` → ``microsoft/aspnetcore:2.0``.

    An untagged SDK maps to the untagged runtime: ``latest`` of both is the newest release.
    An SDK patch tag (``8.0.100``, the SDK's feature band) is not a runtime version: the
    runtime gets the release (``8.0``)."""
    if ref.digest:
        return None
    words = list(ref.variant_words)
    if words and re.fullmatch(r"\d+\.\d+\.\d{3,}", words[0]):
        words[0] = words[0].rsplit(".", 1)[0]
    tag = "-".join(words)
    repo = ref.repository
    registry = f"{ref.registry}/" if ref.registry else ""
    if repo.endswith("dotnet/sdk") or repo.endswith("dotnet/core/sdk"):
        # The SDK's Debian tags name the full release (3.1-buster), the runtime's the slim
        # image of it (3.1-buster-slim); newer SDK tags are slim already (8.0-bookworm-slim).
        tag = "-".join(_slim_after_codename(words))
        prefix = repo[: -len("sdk")]
        return f"{registry}{prefix}{flavour}" + (f":{tag}" if tag and tag != "latest" else "")
    if repo == "microsoft/aspnetcore-build":
        version = re.match(r"\d+\.\d+", tag)
        if tag and not version:
            return None
        runtime = "microsoft/aspnetcore"
        if flavour == "runtime-deps":
            return None  # the ASP.NET images have no runtime-deps twin
        return f"{runtime}:{version.group(0)}" if version else runtime
    if repo != "microsoft/dotnet" or "sdk" not in words:
        return None
    at = words.index("sdk")
    version, rest = words[:at], words[at + 1 :]
    # 2.0 SDK tags name the SDK's own version after "sdk": 2.0.6-sdk-2.1.101-stretch.
    rest = [w for w in rest if not re.fullmatch(r"\d+(?:\.\d+)*", w)]
    if len(version) > 1 or (version and not re.fullmatch(r"\d+\.\d+(?:\.\d+)?", version[0])):
        return None
    release = re.match(r"(\d+)\.(\d+)", version[0]) if version else None
    modern = release is None or (int(release.group(1)), int(release.group(2))) >= (2, 1)
    if flavour == "aspnet":
        if not modern:
            # Before 2.1 ASP.NET Core came as its own image, microsoft/aspnetcore:2.0.
            return f"microsoft/aspnetcore:{release.group(0)}" if release else None
        flavour = "aspnetcore-runtime"
    if modern:
        rest = _slim_after_codename(rest)
    return "microsoft/dotnet:" + "-".join([*version, flavour, *rest])


def _slim_after_codename(words: list[str]) -> list[str]:
    """``[3.1, buster]`` → ``[3.1, buster, slim]``: .NET runtimes on Debian are slim images."""
    out: list[str] = []
    for i, word in enumerate(words):
        out.append(word)
        if word in DEBIAN_RELEASES and (i + 1 == len(words) or words[i + 1] != "slim"):
            out.append("slim")
    return out


# The Debian release the official rust images of a version were built on: a version's tag
# is built while it is the newest release, on the Debian stable of that time. The first
# version of each release range.
_RUST_RELEASES = ((36, "buster"), (54, "bullseye"), (70, "bookworm"), (89, "trixie"))


# The same for the golang images, from docker-library/golang's generate-stackbrew-library.sh:
# a new default release moves the supported versions along with it (1.12 became buster in
# 2019), except where the script pins one (1.8 stayed on jessie when 1.9 came on stretch).
_GOLANG_RELEASES = ((4, "jessie"), (9, "stretch"), (11, "buster"), (16, "bullseye"))
_GOLANG_RELEASES += ((19, "bookworm"), (24, "trixie"))


# The same for the haskell images, from haskell/docker-haskell: 8.0 to 8.6 on stretch, 8.8 to
# 9.4 on buster, 9.6 and 9.8 moved to bullseye when buster's support ended. The tag of a
# series' last minor (``haskell:8``) is that minor's.
_HASKELL_RELEASES = {(8, 0): "stretch", (8, 8): "buster", (9, 6): "bullseye"}
_HASKELL_LAST_MINOR = {8: 10}


def _haskell_codename(ref: ImageRef) -> str | None:
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.\d+)*", ref.version or "")
    if not match or ref.variant_words[1:]:
        return None
    major = int(match.group(1))
    minor = int(match.group(2)) if match.group(2) else _HASKELL_LAST_MINOR.get(major)
    if minor is None or (major, minor) < (8, 0) or (major, minor) >= (9, 10):
        return None  # before 8.0 or after 9.8: no guess
    found = None
    for first, codename in sorted(_HASKELL_RELEASES.items()):
        if (major, minor) >= first:
            found = codename
    return found


def probable_codename(ref: ImageRef) -> str | None:
    """The Debian release an official toolchain image whose tag names none is most likely
    on (``rust:1.51`` was built on buster, ``golang:1.8`` on stretch), or ``None``. A guess:
    the rewrite checks it in the builder."""
    if ref.repository == "rustlang/rust" and not ref.digest:
        # The Rust project's nightly images, rebuilt every night from docker-rust's
        # templates on their default Debian release, as rust:latest is: the current
        # Debian stable (trixie since August 2025; bookworm before).
        return DEBIAN_CODENAMES[-1] if ref.tag in {"nightly", "nightly-slim"} else None
    if ref.repository == "haskell" and not ref.digest:
        return _haskell_codename(ref)
    table = {"rust": _RUST_RELEASES, "golang": _GOLANG_RELEASES}.get(ref.repository)
    if table is None or ref.digest or ref.is_alpine:
        return None
    if not ref.tag or ref.tag in {"latest", "slim"}:
        return DEBIAN_CODENAMES[-1]  # the current Debian stable
    match = re.fullmatch(r"1\.(\d+)(?:\.\d+)?", ref.version or "")
    if not match or any(w != "slim" for w in ref.variant_words[1:]):
        return None
    minor = int(match.group(1))
    found = None
    for first, codename in table:
        if minor >= first:
            found = codename
    return found


def builder_codename(ref: ImageRef) -> tuple[str, bool]:
    """The Debian release a builder image is based on, and whether the tag says so."""
    codename = ref.debian_codename
    if codename:
        return codename, True
    return DEFAULT_DEBIAN, False
