"""Published sizes of common base images, and the estimate a rewrite shows: the original's final
base image before, the rewrite's runtime base after.

A figure is the compressed (download) size of the linux/amd64 image as its publisher lists it,
in MB (10^6 bytes), with the date the listed image was pushed and where the figure comes from.
It is the base image alone: the layers a Dockerfile adds come on top, before and after, and are
not estimated. An image the table does not know, a company image or a reference with variables
is "size unknown"; a tag the table does not list falls back to the nearest tag it does list for
the same repository and variant, and says which one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from dockerslim_refactor.analysis.images import (
    DEBIAN_RELEASES,
    UBUNTU_CODENAMES,
    ImageRef,
    parse_image,
)

if TYPE_CHECKING:
    from dockerslim_refactor.document import Document

BASIS = (
    "published compressed (download) sizes of the base images, linux/amd64; "
    "the layers the Dockerfile adds are not counted"
)
UNKNOWN = "size unknown"
NOTE = "compressed base images, without your layers"

# docker-library/repo-info lists, for every official image tag, the compressed transfer size of
# each platform's image (repos/<image>/remote/<tag>.md). Tags that are no longer built are read
# from an earlier revision of the same file.
_REPO_INFO = "docker-library/repo-info repos/{}/remote/{}.md"
_DISTROLESS_README = "GoogleContainerTools/distroless README: static-debian12 'is around 2 MiB'"
_DISTROLESS_APPROXIMATE = (
    "approximate: the distroless project publishes no figure for it; third-party write-ups "
    "(a base-image comparison 'as of mid-2025', a design record for Rust services) give ~20 MB"
)


@dataclass(frozen=True)
class PublishedSize:
    """One base image's published compressed size."""

    repository: str
    """``golang``, ``gcr.io/distroless/static-debian12``: the registry only when not Docker Hub."""
    tags: tuple[str, ...]
    """The tag the figure was listed for, then the tags that named the same image then."""
    megabytes: float
    taken: str | None
    """The figure's date (ISO): when the listed image was pushed, or when the publisher's statement
    was read; ``None`` for ``scratch``."""
    source: str
    approximate: bool = False
    """No publisher's figure: a rough figure from third-party write-ups."""

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tags[0]}" if self.tags else self.repository


def _repo_info(
    image: str, tags: tuple[str, ...], megabytes: float, taken: str, note: str
) -> PublishedSize:
    return PublishedSize(
        image, tags, megabytes, taken, f"{_REPO_INFO.format(image, tags[0])} ({note})"
    )


SCRATCH = PublishedSize("scratch", (), 0.0, None, "the empty image: nothing to download")

# fmt: off
TABLE: tuple[PublishedSize, ...] = (
    # Toolchains: what single-stage Dockerfiles start FROM.
    _repo_info("golang", ("1.22", "1.22-bookworm"), 299.4, "2024-09-05", "Go 1.22.6, Debian 12"),
    _repo_info("golang", ("1.22-alpine", "1.22-alpine3.20"), 73.3, "2024-07-02", "Go 1.22.5"),
    _repo_info("golang", ("1.25-bookworm",), 289.7, "2026-07-14", "Go 1.25.12"),
    _repo_info("rust", ("1.79", "1.79-bookworm"), 527.0, "2024-07-23", "Rust 1.79.0, Debian 12"),
    _repo_info("gcc", ("13", "13-bookworm"), 497.2, "2026-08-31", "GCC 13.4.0, Debian 12"),
    _repo_info("node", ("20", "20-bookworm"), 397.7, "2025-01-14", "Node.js 20.18.1, Debian 12"),
    _repo_info("node", ("22", "22-bookworm"), 408.5, "2026-09-19", "Node.js 22.23.2, Debian 12"),
    _repo_info("python", ("3.12", "3.12-trixie"), 410.9, "2026-08-13", "Python 3.12.14, Debian 13"),
    _repo_info("ruby", ("3.3", "3.3-trixie"), 417.6, "2026-08-25", "Ruby 3.3.12, Debian 13"),
    _repo_info("php", ("8.2-apache", "8.2-apache-bookworm"), 176.4, "2025-06-10",
               "PHP 8.2.28, Debian 12"),
    _repo_info("eclipse-temurin", ("21-jdk", "21"), 230.1, "2026-09-09", "JDK 21.0.12, Ubuntu"),
    _repo_info("maven", ("3.9-eclipse-temurin-21",), 242.7, "2026-08-21", "JDK 21.0.12, Ubuntu"),
    # Runtimes: what the rewrite's runtime stage starts FROM.
    _repo_info("node", ("20-slim", "20-bookworm-slim"), 70.7, "2025-01-14",
               "Node.js 20.18.1, Debian 12"),
    _repo_info("node", ("22-slim", "22-bookworm-slim"), 79.9, "2026-09-19",
               "Node.js 22.23.2, Debian 12"),
    _repo_info("node", ("22-alpine", "22-alpine3.24"), 60.7, "2026-09-23", "Node.js 22.23.3"),
    _repo_info("python", ("3.12-slim", "3.12-slim-trixie"), 43.2, "2026-08-05",
               "Python 3.12.13, Debian 13"),
    _repo_info("ruby", ("3.3-slim", "3.3-slim-trixie"), 81.4, "2026-09-17",
               "Ruby 3.3.12, Debian 13"),
    _repo_info("eclipse-temurin", ("21-jre",), 121.1, "2026-09-09", "JRE 21.0.12, Ubuntu"),
    _repo_info("eclipse-temurin", ("17-jre",), 115.6, "2026-09-09", "JRE 17.0.20, Ubuntu"),
    # Operating systems and minimal bases.
    _repo_info("debian", ("bookworm", "12"), 48.5, "2026-08-04", "Debian 12"),
    _repo_info("debian", ("bookworm-slim", "12-slim"), 28.2, "2026-08-04", "Debian 12"),
    _repo_info("ubuntu", ("22.04", "jammy"), 29.7, "2026-07-31", "Ubuntu 22.04"),
    _repo_info("ubuntu", ("24.04", "noble"), 29.8, "2026-09-11", "Ubuntu 24.04"),
    _repo_info("alpine", ("3.20",), 3.6, "2025-12-07", "Alpine 3.20.8"),
    _repo_info("busybox", ("1.36.1", "1.36", "1.36.1-glibc", "1.36-glibc"), 2.2, "2024-05-08",
               "BusyBox 1.36.1, glibc build"),
    PublishedSize("gcr.io/distroless/static-debian12", ("latest", "nonroot"), 2.1, "2026-12-06",
                  _DISTROLESS_README),
    PublishedSize("gcr.io/distroless/base-debian12", ("latest", "nonroot"), 20.0, "2025-06-30",
                  _DISTROLESS_APPROXIMATE, approximate=True),
    PublishedSize("gcr.io/distroless/cc-debian12", ("latest", "nonroot"), 20.0, "2025-06-30",
                  _DISTROLESS_APPROXIMATE, approximate=True),
)
# fmt: on

# The same images under other names: Docker Hub's own, and public mirrors of the official ones.
_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_MIRRORS = {"public.ecr.aws": "docker/library/", "mirror.gcr.io": "library/"}


@cache
def _by_repository() -> dict[str, tuple[PublishedSize, ...]]:
    found: dict[str, list[PublishedSize]] = {}
    for entry in TABLE:
        found.setdefault(entry.repository, []).append(entry)
    return {name: tuple(entries) for name, entries in found.items()}


def _repository(ref: ImageRef) -> str:
    """The table's name for ``ref``'s repository."""
    registry = (ref.registry or "").lower()
    if not registry or registry in _DOCKER_HUB:
        return ref.repository
    prefix = _MIRRORS.get(registry)
    if prefix and ref.repository.startswith(prefix):
        return ref.repository[len(prefix) :]
    return f"{registry}/{ref.repository}"


Version = tuple[int, ...]


def _words(tag: str, relaxed: bool) -> tuple[Version | None, frozenset[str]]:
    """The tag's leading version and its other words (``1.22-bookworm`` -> ``(1, 22)``,
    ``{bookworm}``). ``relaxed`` drops the OS release (``bookworm``, ``alpine3.20`` -> ``alpine``),
    for a tag whose release the table does not list."""
    words = [w for w in tag.split("-") if w and w != "latest"]
    version = None
    if words and re.fullmatch(r"v?\d+(?:\.\d+)*", words[0]):
        version = tuple(int(part) for part in words.pop(0).lstrip("v").split("."))
    if relaxed:
        words = [
            "alpine" if w.startswith("alpine") else w
            for w in words
            if w not in DEBIAN_RELEASES and w not in UBUNTU_CODENAMES
        ]
    return version, frozenset(words)


def _nearness(wanted: Version | None, listed: Version | None) -> tuple[int, ...]:
    """Higher is nearer: the longest common leading part, then the smallest step at the first
    part that differs, then the newer version. Without a wanted version (``latest``), the newest."""
    if listed is None:
        return (-1,)
    if wanted is None:
        return (0, 0, *listed)
    common = 0
    while common < min(len(wanted), len(listed)) and wanted[common] == listed[common]:
        common += 1
    step = 0
    if common < len(wanted) and common < len(listed):
        step = abs(wanted[common] - listed[common])
    return (1 + common, -step, *listed)


@dataclass(frozen=True)
class SizeLookup:
    """What the table knows of one image."""

    image: str
    """As written in the Dockerfile."""
    entry: PublishedSize | None
    exact: bool = False
    """The table lists this very tag (not the nearest one)."""

    @property
    def known(self) -> bool:
        return self.entry is not None

    @property
    def megabytes(self) -> float | None:
        return self.entry.megabytes if self.entry is not None else None

    def figure(self) -> str:
        """``≈ 299 MB``, ``~20 MB`` for an approximate figure, ``0 MB`` for ``scratch``, or
        ``size unknown``."""
        if self.entry is None:
            return UNKNOWN
        if self.entry is SCRATCH:
            return megabytes_text(0)
        mark = "~" if self.entry.approximate else "≈ "
        return mark + megabytes_text(self.entry.megabytes)

    def detail(self) -> str:
        """:meth:`figure`, with the tag the figure is for when it is another (``≈ 299 MB (as
        golang:1.22)``) and whether it is approximate."""
        if self.entry is None:
            return UNKNOWN
        notes = []
        if not self.exact:
            notes.append(f"as {self.entry.reference}")
        if self.entry.approximate:
            notes.append("approximate")
        suffix = f" ({', '.join(notes)})" if notes else ""
        return self.figure() + suffix

    def text(self) -> str:
        """``golang:1.22 ≈ 299 MB``, ``golang:1.23 ≈ 299 MB (as golang:1.22)``."""
        return f"{self.image} {self.detail()}"

    def as_dict(self) -> dict[str, object]:
        entry = self.entry
        return {
            "image": self.image,
            "megabytes": entry.megabytes if entry else None,
            "matched": entry.reference if entry else None,
            "exact": self.exact,
            "approximate": entry.approximate if entry else False,
            "taken": entry.taken if entry else None,
            "source": entry.source if entry else None,
        }


def megabytes_text(megabytes: float) -> str:
    if megabytes >= 1000:
        return f"{megabytes / 1000:.1f} GB"
    if megabytes >= 10 or megabytes == 0:
        return f"{megabytes:.0f} MB"
    return f"{megabytes:.1f}".rstrip("0").rstrip(".") + " MB"


def lookup(image: str) -> SizeLookup:
    """The table's figure for ``image``: its tag, else the nearest tag of the same repository and
    variant (the OS release aside when no listed tag has it), else unknown."""
    ref = parse_image(image.strip())
    if not ref.repository or ref.has_variables:
        return SizeLookup(image, None)
    name = _repository(ref)
    if name == "scratch":
        return SizeLookup(image, SCRATCH, exact=True)
    entries = _by_repository().get(name, ())
    if not entries or (ref.digest and not ref.tag):
        return SizeLookup(image, None)  # a digest alone does not say which image it is
    tag = ref.tag or "latest"
    for entry in entries:
        if tag in entry.tags:
            return SizeLookup(image, entry, exact=True)
    for relaxed in (False, True):
        version, variant = _words(tag, relaxed)
        best: tuple[tuple[int, ...], PublishedSize] | None = None
        for entry in entries:
            for listed in entry.tags:
                listed_version, listed_variant = _words(listed, relaxed)
                if listed_variant != variant:
                    continue
                score = _nearness(version, listed_version)
                if best is None or score > best[0]:
                    best = (score, entry)
        if best is not None:
            return SizeLookup(image, best[1])
    return SizeLookup(image, None)


@dataclass(frozen=True)
class SizeEstimate:
    """The base image before the rewrite and the runtime base after it."""

    before: SizeLookup
    after: SizeLookup

    def summary(self) -> str:
        """``golang:1.22 ≈ 299 MB → alpine:3.20 ≈ 3.6 MB``."""
        return f"{self.before.text()} → {self.after.text()}"

    def line(self) -> str:
        """The sentence the CLI and ``analyze`` print."""
        return f"estimated size {self.summary()} ({NOTE})"

    def short(self) -> str:
        """``≈ 299 MB → 3.6 MB``, for a title."""
        if not (self.before.known or self.after.known):
            return UNKNOWN
        after = self.after.figure()
        if self.before.known and not (self.after.entry and self.after.entry.approximate):
            after = after.removeprefix("≈ ")
        return f"{self.before.figure()} → {after}"

    def as_dict(self) -> dict[str, object]:
        return {"before": self.before.as_dict(), "after": self.after.as_dict(), "basis": BASIS}


def estimate(before: str, after: str) -> SizeEstimate:
    return SizeEstimate(lookup(before), lookup(after))


def final_base(document: Document) -> str:
    """The image the final stage starts from, through the stages it is built ``FROM``, with the
    global ARG defaults expanded."""
    from dockerslim_refactor.analysis.facts import global_arg_defaults
    from dockerslim_refactor.analysis.model import expand

    args = global_arg_defaults(document)
    stage = document.stages[-1]
    seen = {stage.index}
    while True:
        parent = stage.parent
        if parent is None:
            named = document.stage_by_name(expand(stage.base, args))
            parent = named.index if named is not None and named.index < stage.index else None
        if parent is None or parent in seen:
            return expand(stage.base, args)
        seen.add(parent)
        stage = document.stages[parent]
