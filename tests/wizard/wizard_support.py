"""What the wizard's tests share: sample projects, keystrokes and the outcome of a run. Kept
out of conftest.py so that test modules import it by a name no other test folder uses (tests/lsp
and tests/e2e have a conftest.py too, and the first one imported would answer
``from conftest import ...``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# A realistic single-stage Go service: the toolchain image ships to production.
GO_DOCKERFILE = """\
FROM golang:1.22

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /out/app ./cmd/app

EXPOSE 8080
ENTRYPOINT ["/out/app"]
"""

GO_MOD = "module example.com/app\n\ngo 1.22\n"
GO_MAIN = """\
package main

import (
\t"log"
\t"net/http"
)

func main() {
\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
\tlog.Fatal(http.ListenAndServe(":8080", nil))
}
"""

# A C program built with make: it links glibc, so alpine, busybox and scratch cannot run it,
# and what the toolchain image has, so it runs on the builder's slim release (not distroless).
C_DOCKERFILE = """\
FROM gcc:13-bookworm

RUN apt-get update
RUN apt-get install -y zlib1g-dev

WORKDIR /usr/src/crc32sum
COPY . .
RUN make && make install

ENTRYPOINT ["crc32sum"]
"""

MULTI_STAGE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
"""

ENTER = "\r"
DOWN = "\x1b[B"
CTRL_C = "\x03"
CTRL_U = "\x15"  # clear the line of a text question
ESC = "\x1b"


def go_project(folder: Path) -> Path:
    (folder / "cmd" / "app").mkdir(parents=True)
    (folder / "go.mod").write_text(GO_MOD)
    (folder / "go.sum").write_text("")
    (folder / "cmd" / "app" / "main.go").write_text(GO_MAIN)
    (folder / "Dockerfile").write_text(GO_DOCKERFILE)
    return folder / "Dockerfile"


def c_project(folder: Path) -> Path:
    (folder / "Makefile").write_text("crc32sum: main.c\n\tcc -o $@ $< -lz\n")
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    (folder / "Dockerfile").write_text(C_DOCKERFILE)
    return folder / "Dockerfile"


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def command(self) -> str:
        """The equivalent command the wizard printed last."""
        lines = self.out.splitlines()
        index = lines.index("Equivalent command:")
        return lines[index + 1].strip()


Drive = Callable[..., Outcome]
