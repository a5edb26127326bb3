"""Every choice a rewrite depends on, in one frozen value shared by the CLI, wizard and server."""

from __future__ import annotations

from dataclasses import dataclass

RUNTIME_CHOICES = ("auto", "alpine", "busybox", "scratch", "distroless", "slim")
LINKAGE_CHOICES = ("auto", "static", "dynamic")


@dataclass(frozen=True)
class Options:
    runtime: str = "auto"
    """Preferred runtime base family; a base that cannot run the program is never chosen."""
    runtime_image: str | None = None
    """An exact runtime image, overriding the choice (the user vouches that it can run it)."""
    stage_name: str = "builder"
    keep: tuple[str, ...] = ()
    """Extra builder paths to copy into the runtime stage (``PATH`` or ``SRC:DEST``)."""
    artifacts: tuple[str, ...] = ()
    """Artifact paths that replace what the detector found (``PATH`` or ``SRC:DEST``)."""
    runtime_packages: tuple[str, ...] = ()
    """Extra OS packages for the runtime stage (Debian names)."""
    keep_root: bool = False
    linkage: str = "auto"
    """``static`` links native programs statically, ``dynamic`` keeps the build as written."""
    strip: bool = True
    """Strip symbols from native binaries in the builder (they are not needed at run time)."""
    split_chains: bool = True
    """Split ``&&`` chains into separate RUN lines in the builder stage."""
    disabled_rules: frozenset[str] = frozenset()
