"""The official ``-onbuild`` images written out: ``FROM node:0.10-onbuild`` builds the context
in ONBUILD triggers that the file does not show. Their Dockerfiles are short and fixed (the
variants were retired in 2017 and 2018), so the rewrite can put their steps after a ``FROM``
of the plain image of the same tag and rewrite that file.

Each entry is the parent image's own steps (run when it was built) and its triggers (run
right after the child's ``FROM``), as docker-library and nodejs/docker-node published them.
golang's triggers run ``go-wrapper``, which the plain golang images of those years have too;
the Go detector reads what it builds (the binary is named after the sources' import comment,
else the folder)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dockerslim_refactor.analysis.images import ImageRef, parse_image
from dockerslim_refactor.document import DockerfileError, Document, parse

_NODE_BODY = ("RUN mkdir -p /usr/src/app", "WORKDIR /usr/src/app")
_NODE_TRIGGERS = (
    "COPY package.json /usr/src/app/",
    "RUN npm install",
    "COPY . /usr/src/app",
)
_NODE_CMD = 'CMD [ "npm", "start" ]'
# From Node.js 4 on, the template passed a NODE_ENV build argument through.
_NODE_ENV = ("ARG NODE_ENV", "ENV NODE_ENV $NODE_ENV")

_PYTHON_BODY = ("RUN mkdir -p /usr/src/app", "WORKDIR /usr/src/app")
_PYTHON_TRIGGERS = (
    "COPY requirements.txt /usr/src/app/",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "COPY . /usr/src/app",
)

_GOLANG_BODY = ("RUN mkdir -p /go/src/app", "WORKDIR /go/src/app")
_GOLANG_CMD = 'CMD ["go-wrapper", "run"]'
_GOLANG_TRIGGERS = (
    "COPY . /go/src/app",
    "RUN go-wrapper download",
    "RUN go-wrapper install",
)

_RUBY_BODY = (
    "RUN bundle config --global frozen 1",
    "RUN mkdir -p /usr/src/app",
    "WORKDIR /usr/src/app",
)
_RUBY_TRIGGERS = (
    "COPY Gemfile /usr/src/app/",
    "COPY Gemfile.lock /usr/src/app/",
    "RUN bundle install",
    "COPY . /usr/src/app",
)


@dataclass(frozen=True)
class Expansion:
    document: Document
    """The file with the parent's steps and triggers after a FROM of the plain image."""
    image: str
    """The ``-onbuild`` image as written."""
    plain: str
    """The plain image of the same tag the new FROM names."""
    from_line: int
    added: int
    """How many lines were inserted after the FROM (for mapping lines back)."""
    analysis: Any = None
    """The expanded file's :class:`~dockerslim_refactor.analysis.model.Analysis`, once made."""

    def original_line(self, line: int) -> int:
        """The line of the original file that a line of the expanded one comes from (the FROM
        for the inserted steps)."""
        if line <= self.from_line:
            return line
        if line <= self.from_line + self.added:
            return self.from_line
        return line - self.added


def _steps(ref: ImageRef, sets_command: bool) -> tuple[str, ...] | None:
    """The parent's steps then its triggers, for an official ``-onbuild`` image, or ``None``."""
    if ref.digest or ref.registry not in (None, "docker.io", "index.docker.io"):
        return None
    words = ref.variant_words
    if "onbuild" not in words or words[-1] != "onbuild":
        return None
    if ref.repository == "node":
        version = words[0] if len(words) > 1 else ""
        old = version.startswith("0.")
        command = () if sets_command else (_NODE_CMD,)
        return (*_NODE_BODY, *command, *(() if old else _NODE_ENV), *_NODE_TRIGGERS)
    if ref.repository == "python":
        return (*_PYTHON_BODY, *_PYTHON_TRIGGERS)
    if ref.repository == "ruby":
        return (*_RUBY_BODY, *_RUBY_TRIGGERS)
    if ref.repository == "golang":
        command = () if sets_command else (_GOLANG_CMD,)
        return (*_GOLANG_BODY, *command, *_GOLANG_TRIGGERS)
    return None


def plain_image(text: str) -> str:
    """``node:0.10-onbuild`` → ``node:0.10``, ``node:onbuild`` → ``node``."""
    name, _, tag = text.rpartition(":")
    plain = re.sub(r"-?onbuild$", "", tag)
    return f"{name}:{plain}" if plain else name


def expand(document: Document) -> Expansion | None:
    """The single-stage ``document`` on an official ``-onbuild`` image with its parent's steps
    written out, or ``None`` (another image, several stages, an ``ARG`` in the image)."""
    if len(document.stages) != 1:
        return None
    stage = document.stages[0]
    if "$" in stage.base:
        return None
    ref = parse_image(stage.base)
    # The file's own CMD replaces the parent's, and its ENTRYPOINT resets it: the parent's
    # CMD is written out only when it is the one the image runs.
    own = stage.last("ENTRYPOINT") is not None or stage.last("CMD") is not None
    steps = _steps(ref, own)
    if steps is None:
        return None
    plain = plain_image(stage.base)
    from_ins = stage.from_instruction
    original = document.source(from_ins.start_line, from_ins.end_line)
    if original.count(stage.base) != 1:
        return None
    nl = document.newline
    block = [
        f"# {stage.base}, written out: the steps of that image and of its ONBUILD triggers," + nl,
        f"# which ran here after FROM, on the plain image of the same tag ({plain})." + nl,
        *(step + nl for step in steps),
    ]
    written = original.replace(stage.base, plain)
    if not written.endswith(("\n", "\r")):
        written += nl  # the FROM was the file's last line, without a line end
    lines = list(document.lines)
    # A FROM written over continuation lines keeps its count of lines.
    lines[from_ins.start_line - 1 : from_ins.end_line] = [written, *block]
    try:
        expanded = parse(("\ufeff" if document.bom else "") + "".join(lines))
    except DockerfileError:
        return None
    return Expansion(expanded, stage.base, plain, from_ins.end_line, len(block))
