"""Hypothesis strategies for the property tests: a small grammar of realistic Dockerfiles, and
mutations of the sample files (cuts, deletions, duplicates, shuffles, junk, unterminated
heredocs, very long lines, binary and random unicode)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PATHS = sorted((ROOT / "samples").glob("*.Dockerfile"))
BEFORE_PATHS = [p for p in SAMPLE_PATHS if ".before." in p.name]


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # bytes first: keep CRLF as it is


SAMPLES = {p.name: _read(p) for p in SAMPLE_PATHS}
BEFORE = {p.name: _read(p) for p in BEFORE_PATHS}

LONG_LINE = 100_000

# -- building blocks ---------------------------------------------------------------------------


@dataclass
class Ins:
    """One instruction being generated: its keyword, the pieces of its argument text (joined by
    continuations or spaces when rendered), and heredoc bodies that follow it."""

    keyword: str
    pieces: list[str]
    heredocs: list[tuple[str, list[str]]]
    """(terminator line, body lines) for each heredoc, in order."""


@st.composite
def keyword_case(draw: st.DrawFn, keyword: str) -> str:
    return draw(st.sampled_from([keyword] * 6 + [keyword.lower(), keyword.capitalize()]))


BASES = {
    "go": ["golang:1.22", "golang:1.22-alpine", "golang:1.21-bookworm", "golang:${GO_VERSION}"],
    "rust": ["rust:1.79", "rust:1.79-bookworm", "rust:1.79-alpine", "rust:latest"],
    "node": ["node:20", "node:20-bookworm", "node:18-alpine", "node"],
    "python": ["python:3.12", "python:3.12-slim", "python:3.11-bookworm"],
    "java": ["maven:3.9-eclipse-temurin-21", "gradle:8-jdk21", "eclipse-temurin:21-jdk"],
    "dotnet": ["mcr.microsoft.com/dotnet/sdk:8.0"],
    "c": ["gcc:13", "debian:bookworm", "ubuntu:22.04", "alpine:3.20", "buildpack-deps:bookworm"],
    "none": ["nginx:1.27", "alpine:3.20", "scratch", "busybox:1.36", "registry.local:5000/x/y"],
}

INSTALLS = {
    "apt": [
        "apt-get update",
        "apt-get install -y --no-install-recommends gcc make libssl-dev pkg-config",
        "apt-get install -y git curl ca-certificates",
        "rm -rf /var/lib/apt/lists/*",
    ],
    "apk": ["apk add --no-cache build-base git", "apk add --no-cache --virtual .deps gcc musl-dev"],
    "yum": ["yum install -y gcc make", "yum clean all"],
}

BUILDS = {
    "go": [
        ["go mod download"],
        ["CGO_ENABLED=0 go build -o {bin} ./cmd/app"],
        ["go build -ldflags='-s -w' -o {bin} ."],
        ["GOOS=linux go build -a -installsuffix cgo -o {bin} ."],
        ["go vet ./...", "go test ./..."],
    ],
    "rust": [
        ["cargo build --release"],
        ["cargo build --release --locked --bin app"],
        ["rustup target add x86_64-unknown-linux-musl"],
        ["cargo build --release --target x86_64-unknown-linux-musl"],
        ["cp target/release/app {bin}"],
    ],
    "node": [["npm ci"], ["npm install"], ["npm run build"], ["npm prune --omit=dev"], ["yarn"]],
    "python": [
        ["pip install -r requirements.txt"],
        ["pip install --no-cache-dir ."],
        ["python -m pip install --upgrade pip"],
    ],
    "java": [["mvn -B package -DskipTests"], ["./gradlew build --no-daemon"], ["mvn -q verify"]],
    "dotnet": [["dotnet restore"], ["dotnet publish -c Release -o /out"]],
    "c": [
        ["./configure --prefix=/usr/local", "make -j$(nproc)", "make install"],
        ["cmake -S . -B build", "cmake --build build --parallel"],
        ["gcc -O2 -o {bin} main.c"],
        ["make", "cp app {bin}"],
    ],
    "none": [["echo built"], ["wget -q -O /tmp/x.tgz https://example.com/x.tgz"]],
}

MISC_COMMANDS = [
    "cd /src",
    "cd app",
    "mkdir -p /out",
    'echo "hello world" > /etc/motd',
    "useradd -r -u 1000 app",
    "chmod +x /entrypoint.sh",
    "set -eux",
    "true",
    "ls -la | grep -v total",
    "test -f go.mod || exit 1",
    "export PATH=/usr/local/bin:$PATH",
    "if [ -f Makefile ]; then make; fi",
    "for f in *.sh; do chmod +x $f; done",
    "(cd sub && make)",
    "X=$(uname -m) && echo $X",
    "echo 'single quoted' \"double $HOME\"",
    "strip {bin}",
    "",
]

CMDS = {
    "go": [
        '["{bin}"]',
        "{bin}",
        '["{bin}", "serve", "--port", "8080"]',
        '["./app"]',
        '["{bin}", "-config", "/etc/app.conf"]',
    ],
    "rust": ['["{bin}"]', '["/app/target/release/app"]', "{bin} --verbose", "{bin} /etc/app.conf"],
    "node": ['["node", "dist/server.js"]', '["npm", "start"]', "node index.js /etc/app.conf"],
    "python": ['["gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi"]', "python app.py"],
    "java": ['["java", "-jar", "target/app.jar"]', "java -jar build/libs/app.jar"],
    "dotnet": ['["dotnet", "/out/app.dll"]'],
    "c": ['["{bin}"]', "{bin}", '["/usr/local/bin/app"]', '["{bin}", "/etc/app.conf"]'],
    "none": ['["nginx", "-g", "daemon off;"]', '["sh"]', "bash", '["/bin/sh", "-c", "./run"]'],
}

BINARIES = ["/out/app", "/usr/local/bin/app", "/go/bin/server", "/app/server", "app", "/bin/tool"]

SIMPLE_ARGS = {
    "WORKDIR": ["/src", "/app", "/go/src/app", "/usr/src/app", "app", "$HOME/build", "C:\\app"],
    "ENV": [
        "A=1",
        'A=1 B="two words"',
        "PATH=/usr/local/go/bin:$PATH",
        "NODE_ENV production",
        "CGO_ENABLED=0",
        "PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1",
        "GOFLAGS=-mod=vendor",
        "DEBIAN_FRONTEND=noninteractive",
    ],
    "LABEL": [
        'maintainer="dev@example.com"',
        "org.opencontainers.image.source=https://github.com/a/b version=1.0",
        '"com.example.key with space"="a value"',
        "a=b c=d",
    ],
    "USER": ["1000", "app:app", "root", "nobody", "65534:65534", "0"],
    "EXPOSE": ["8080", "80 443", "9000/tcp", "53/udp", "$PORT", "3000 3001/tcp"],
    "ARG": ["VERSION", "GO_VERSION=1.22", "TARGETOS TARGETARCH", 'MSG="hi there"', "BUILDPLATFORM"],
    "HEALTHCHECK": [
        "--interval=30s --timeout=3s CMD curl -f http://localhost:8080/ || exit 1",
        "NONE",
        'CMD ["/app", "health"]',
        "--start-period=5s CMD wget -q -O- localhost",
    ],
    "STOPSIGNAL": ["SIGTERM", "SIGQUIT", "9"],
    "VOLUME": ["/data", '["/data", "/logs"]', "/var/lib/app /tmp"],
    "SHELL": ['["/bin/bash", "-o", "pipefail", "-c"]', '["/bin/sh", "-c"]'],
    "MAINTAINER": ["someone <someone@example.com>"],
    "ONBUILD": ["RUN make", "COPY . /src", "ADD . /app"],
    "ADD": [
        "https://example.com/archive.tar.gz /tmp/",
        "--chown=app:app src /app/src",
        "app.tar.gz /opt/",
        "--checksum=sha256:0123abcd https://example.com/f /f",
    ],
}

COPIES = [
    ". .",
    "--chown=1000:1000 . /app",
    "--link package*.json ./",
    '["go.mod", "go.sum", "./"]',
    "go.mod go.sum ./",
    "requirements.txt .",
    "--from=golang:1.22 /usr/local/go/bin/gofmt /usr/local/bin/",
    "--chmod=755 entrypoint.sh /entrypoint.sh",
    "src/ /src/",
    "app.conf /etc/app.conf",
    "app.conf /etc/",
]

MOUNTS = [
    "--mount=type=cache,target=/root/.cache/go-build",
    "--mount=type=cache,target=/usr/local/cargo/registry",
    "--mount=type=secret,id=npmrc,target=/root/.npmrc",
    "--mount=type=bind,source=.,target=/src",
    "--network=none",
]

HEREDOC_NAMES = ["EOF", "EOT", "END", "SCRIPT", "one.txt", "conf"]
HEREDOC_BODY = [
    "set -e",
    "echo hello",
    "go build -o /out/app .",
    "cargo build --release",
    "# not a comment in a heredoc",
    "",
    "listen=:9000",
    "echo $HOME ${PATH}",
    "  indented line",
    "FROM not-an-instruction",
]

COMMENTS = ["# build the app", "# install deps", "#", "#comment without space", "# escape=`"]


# -- the grammar -------------------------------------------------------------------------------


@st.composite
def json_array(draw: st.DrawFn, words: list[str]) -> str:
    sep = draw(st.sampled_from([", ", ",", " , "]))
    inner = sep.join('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in words)
    pad = draw(st.sampled_from(["", "", " "]))
    return f"[{pad}{inner}{pad}]"


@st.composite
def heredoc_marker(draw: st.DrawFn) -> tuple[str, tuple[str, list[str]]]:
    """A heredoc marker word (``<<EOF``, ``<<-'EOT'``…) and its (terminator, body)."""
    name = draw(st.sampled_from(HEREDOC_NAMES))
    strip = draw(st.booleans())
    quote = draw(st.sampled_from(["", "", "'", '"']))
    body = draw(st.lists(st.sampled_from(HEREDOC_BODY), max_size=4))
    if strip:
        body = ["\t" + line for line in body]
        terminator = draw(st.sampled_from(["", "\t", "\t\t"])) + name
    else:
        terminator = name
    return f"<<{'-' if strip else ''}{quote}{name}{quote}", (terminator, body)


@st.composite
def run_script(draw: st.DrawFn, eco: str, binary: str) -> list[str]:
    """A realistic RUN body as a list of commands (joined later with operators)."""
    commands: list[str] = []
    if draw(st.booleans()):
        commands += draw(st.sampled_from(list(INSTALLS.values())))[: draw(st.integers(1, 4))]
    build = draw(st.lists(st.sampled_from(BUILDS[eco]), min_size=1, max_size=2))
    for step in build:
        commands += step
    if draw(st.integers(0, 3)) == 0:
        position = draw(st.integers(0, len(commands)))
        commands.insert(position, draw(st.sampled_from(MISC_COMMANDS)))
    return [c.format(bin=binary) for c in commands if c] or ["true"]


@st.composite
def run_instruction(draw: st.DrawFn, eco: str, binary: str, shell_json: bool = True) -> Ins:
    flags = draw(st.lists(st.sampled_from(MOUNTS), max_size=2, unique=True))
    form = draw(st.sampled_from(["shell"] * 6 + ["json", "heredoc", "heredoc-cmd"]))
    if form == "json" and shell_json:
        script = " && ".join(draw(run_script(eco, binary)))
        return Ins("RUN", [*flags, draw(json_array(["/bin/sh", "-c", script]))], [])
    if form == "heredoc":
        marker, (terminator, body) = draw(heredoc_marker())
        body = body + [c.format(bin=binary) for c in draw(run_script(eco, binary))]
        return Ins("RUN", [*flags, marker], [(terminator, body)])
    if form == "heredoc-cmd":
        marker, doc = draw(heredoc_marker())
        target = draw(st.sampled_from(["cat", "sh", "python3", "tee /etc/motd"]))
        return Ins("RUN", [*flags, f"{target} {marker}"], [doc])
    commands = draw(run_script(eco, binary))
    pieces = [*flags]
    first = True
    for command in commands:
        if first:
            pieces.append(command)
            first = False
            continue
        op = draw(st.sampled_from(["&&"] * 5 + [";", "||"]))
        # The operator ends the previous piece or starts the next one.
        if draw(st.booleans()):
            pieces[-1] = f"{pieces[-1]} {op}"
            pieces.append(command)
        else:
            pieces.append(f"{op} {command}")
    return Ins("RUN", pieces, [])


@st.composite
def copy_instruction(draw: st.DrawFn, stage_names: list[str]) -> Ins:
    kind = draw(st.sampled_from(["plain"] * 4 + ["from", "heredoc", "two-heredocs"]))
    if kind == "from" and stage_names:
        source = draw(st.sampled_from(stage_names))
        return Ins("COPY", [f"--from={source}", "/out/app", "/usr/local/bin/app"], [])
    if kind == "heredoc":
        marker, doc = draw(heredoc_marker())
        return Ins("COPY", [marker, "/etc/app.conf"], [doc])
    if kind == "two-heredocs":
        first, doc1 = draw(heredoc_marker())
        second, doc2 = draw(heredoc_marker())
        if doc2[0].lstrip("\t") == doc1[0].lstrip("\t"):
            return Ins("COPY", [first, "/etc/app.conf"], [doc1])
        return Ins("COPY", [first, second, "/dst/"], [doc1, doc2])
    return Ins("COPY", [draw(st.sampled_from(COPIES))], [])


@st.composite
def simple_instruction(draw: st.DrawFn, keyword: str) -> Ins:
    value = draw(st.sampled_from(SIMPLE_ARGS[keyword]))
    words = value.split(" ")
    if keyword in {"ENV", "LABEL"} and len(words) > 1 and '"' not in value:
        return Ins(keyword, words, [])  # may be split over continuation lines
    return Ins(keyword, [value], [])


@st.composite
def command_instruction(draw: st.DrawFn, keyword: str, eco: str, binary: str) -> Ins:
    value = draw(st.sampled_from(CMDS[eco])).format(bin=binary)
    if keyword == "ENTRYPOINT" and draw(st.booleans()):
        value = draw(st.sampled_from(['["/entrypoint.sh"]', f'["{binary}"]', "/entrypoint.sh"]))
    return Ins(keyword, [value], [])


@st.composite
def from_instruction(draw: st.DrawFn, eco: str, name: str | None) -> Ins:
    pieces = []
    if draw(st.integers(0, 4)) == 0:
        pieces.append(
            draw(st.sampled_from(["--platform=$BUILDPLATFORM", "--platform=linux/amd64"]))
        )
    pieces.append(draw(st.sampled_from(BASES[eco])))
    if name:
        pieces += [draw(st.sampled_from(["AS", "as", "As"])), name]
    return Ins("FROM", pieces, [])


@st.composite
def stage_body(draw: st.DrawFn, eco: str, binary: str, stage_names: list[str]) -> list[Ins]:
    """The instructions of a stage after its FROM, built around a recipe of the ecosystem."""
    body: list[Ins] = []
    if draw(st.booleans()):
        body.append(Ins("WORKDIR", [draw(st.sampled_from(SIMPLE_ARGS["WORKDIR"][:5]))], []))
    body.append(draw(copy_instruction(stage_names)))
    for _ in range(draw(st.integers(1, 3))):
        body.append(draw(run_instruction(eco, binary)))
    extra = draw(
        st.lists(
            st.sampled_from(
                ["ENV", "LABEL", "ARG", "RUN", "COPY", "WORKDIR", "USER", "EXPOSE", "ADD"]
                + ["HEALTHCHECK", "STOPSIGNAL", "VOLUME", "SHELL", "MAINTAINER", "ONBUILD"]
            ),
            max_size=5,
        )
    )
    for keyword in extra:
        if keyword == "RUN":
            ins = draw(run_instruction(eco, binary))
        elif keyword == "COPY":
            ins = draw(copy_instruction(stage_names))
        else:
            ins = draw(simple_instruction(keyword))
        body.insert(draw(st.integers(0, len(body))), ins)
    if draw(st.integers(0, 3)):
        body.append(draw(simple_instruction("EXPOSE")))
    tail = draw(st.sampled_from([["CMD"], ["ENTRYPOINT"], ["ENTRYPOINT", "CMD"], []]))
    for keyword in tail:
        body.append(draw(command_instruction(keyword, eco, binary)))
    return body


@dataclass
class Layout:
    escape: str
    newline: str
    indent: str


@st.composite
def render_instruction(draw: st.DrawFn, ins: Ins, layout: Layout) -> list[str]:
    """Physical lines (without line endings) of one instruction."""
    esc = layout.escape
    keyword = draw(keyword_case(ins.keyword))
    lead = draw(st.sampled_from(["", "", "", "  ", "\t"]))
    lines = [f"{lead}{keyword}"]
    for index, piece in enumerate(ins.pieces):
        if not piece:
            continue
        if index and draw(st.integers(0, 3)) == 0:
            # A continuation: escape, optional trailing blanks, then comment or blank lines.
            lines[-1] += " " + esc + draw(st.sampled_from(["", "", " ", "\t"]))
            for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
                lines.append(draw(st.sampled_from(["    # inside a continuation", "", "  #"])))
            lines.append(layout.indent + piece)
        else:
            lines[-1] += " " + piece
    for terminator, body in ins.heredocs:
        lines += body
        lines.append(terminator)
    return lines


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    """A Dockerfile from the grammar: directives, global ARGs, one to three stages built around
    an ecosystem's recipe, every instruction form, continuations with the file's escape
    character, comments, blank lines, heredocs, lower-case keywords, CRLF and a BOM."""
    escape = draw(st.sampled_from(["\\"] * 4 + ["`"]))
    layout = Layout(
        escape=escape,
        newline=draw(st.sampled_from(["\n"] * 4 + ["\r\n"])),
        indent=draw(st.sampled_from(["    ", "  ", "\t", ""])),
    )
    lines: list[str] = []

    directives = []
    if draw(st.booleans()):
        directives.append(
            draw(
                st.sampled_from(["# syntax=docker/dockerfile:1", "#syntax = docker/dockerfile:1.7"])
            )
        )
    if escape == "`" or draw(st.integers(0, 4)) == 0:
        directives.append(draw(st.sampled_from(["# escape=", "#escape = ", "# ESCAPE="])) + escape)
    if draw(st.integers(0, 4)) == 0:
        directives.append(draw(st.sampled_from(["# check=skip=all", "# check=error=true"])))
    lines += draw(st.permutations(directives))
    if directives and draw(st.booleans()):
        lines.append("")

    global_args: list[Ins] = []
    if draw(st.integers(0, 3)) == 0:
        global_args.append(
            Ins("ARG", [draw(st.sampled_from(["GO_VERSION=1.22", "BASE", "V=1"]))], [])
        )

    eco = draw(
        st.sampled_from(["go", "go", "rust", "node", "python", "java", "dotnet", "c", "none"])
    )
    binary = draw(st.sampled_from(BINARIES))
    stages: list[list[Ins]] = []
    stage_names: list[str] = []
    for _ in range(draw(st.sampled_from([0] * 6 + [1, 2]))):
        name = draw(st.sampled_from(["deps", "build", "builder", "base", "test"]))
        if name in stage_names:
            continue
        stage_eco = draw(st.sampled_from([eco, "none"]))
        stage = [draw(from_instruction(stage_eco, name))]
        stage += draw(stage_body(stage_eco, binary, stage_names))[: draw(st.integers(1, 4))]
        stages.append(stage)
        stage_names.append(name)
    final_name = draw(st.sampled_from([None] * 4 + ["final", "runtime"]))
    stages.append(
        [draw(from_instruction(eco, final_name)), *draw(stage_body(eco, binary, stage_names))]
    )

    for ins in [*global_args, *(i for stage in stages for i in stage)]:
        if draw(st.integers(0, 4)) == 0:
            comment = draw(st.sampled_from(["", "", *COMMENTS]))
            if all(line.startswith("#") for line in lines):
                comment = comment.replace("escape=", "escape is")  # no late directive here
            lines.append(comment)
        lines += draw(render_instruction(ins, layout))

    text = layout.newline.join(lines)
    if draw(st.integers(0, 9)):
        text += layout.newline
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


# -- mutations of the samples ------------------------------------------------------------------

JUNK = st.text(
    alphabet=st.sampled_from(list("\\`\"'<>#$&|;{}[]()=- \t\r\n\x0b\x0c\x85\u2028\ufeffaZ9é💥")),
    max_size=12,
)


@st.composite
def long_line(draw: st.DrawFn) -> str:
    filler = draw(st.sampled_from(["a", "x ", "é", "\\", "&& true ", "<<EOF"]))
    body = (filler * (LONG_LINE // len(filler) + 1))[:LONG_LINE]
    prefix = draw(st.sampled_from(["", "RUN ", "RUN echo ", "# ", "ENV X=", "LABEL a=", "COPY "]))
    return prefix + body + "\n"


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` after one to three mutations."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        kind = draw(
            st.sampled_from(
                ["cut", "cut-lines", "delete", "duplicate", "shuffle", "junk", "heredoc"]
                + ["long-line", "lower", "crlf", "bom", "escape", "join", "unicode"]
            )
        )
        n = len(lines)
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n, i + 4)))
        if kind == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "cut-lines":
            text = "".join(lines[:i])
        elif kind == "delete":
            text = "".join(lines[:i] + lines[j:])
        elif kind == "duplicate":
            at = draw(st.integers(0, n))
            lines[at:at] = lines[i:j]
            text = "".join(lines)
        elif kind == "shuffle":
            lines[i:j] = draw(st.permutations(lines[i:j]))
            text = "".join(lines)
        elif kind == "junk":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(JUNK) + text[at:]
        elif kind == "heredoc":
            marker = draw(st.sampled_from(["RUN <<EOF", "COPY <<-EOT /x", "RUN cat <<'A' <<B"]))
            lines.insert(i, f"{marker}\necho unterminated\n")
            text = "".join(lines)
        elif kind == "long-line":
            lines.insert(i, draw(long_line()))
            text = "".join(lines)
        elif kind == "lower":
            lines[i] = lines[i].lower()
            text = "".join(lines)
        elif kind == "crlf":
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        elif kind == "bom":
            text = "\ufeff" + text
        elif kind == "escape":
            text = "# escape=`\n" + text
        elif kind == "join":
            joined = "".join(line.rstrip("\r\n") + " " for line in lines[i:j])
            text = "".join(lines[:i]) + joined + "".join(lines[j:])
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    return text


@st.composite
def mutated_samples(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(SAMPLES)))
    return draw(mutated(SAMPLES[name]))


def any_dockerfile_text() -> st.SearchStrategy[str]:
    """Everything text-level: grammar files (most), mutated samples, mutated grammar files and
    arbitrary unicode."""
    return st.one_of(
        dockerfiles(),
        mutated_samples(),
        dockerfiles().flatmap(mutated),
        st.text(max_size=200),
    )


@st.composite
def dockerfile_bytes(draw: st.DrawFn) -> bytes:
    """What a file on disk may hold: encoded text from the strategies above, junk bytes
    inserted into it, or random binary."""
    kind = draw(st.sampled_from(["text"] * 5 + ["junk-bytes", "binary"]))
    if kind == "binary":
        return draw(st.binary(max_size=300))
    data = draw(any_dockerfile_text()).encode("utf-8", "surrogatepass")
    if kind == "junk-bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


# -- shell scripts -----------------------------------------------------------------------------


@st.composite
def shell_scripts(draw: st.DrawFn) -> str:
    """RUN bodies as the shell view sees them: realistic commands joined by operators and
    newlines, with heredocs, subshells and junk spliced in."""
    eco = draw(st.sampled_from(sorted(BUILDS)))
    binary = draw(st.sampled_from(BINARIES))
    commands = draw(run_script(eco, binary))
    commands += draw(st.lists(st.sampled_from([c for c in MISC_COMMANDS if c]), max_size=3))
    commands = draw(st.permutations(commands))
    text = commands[0]
    for command in commands[1:]:
        op = draw(st.sampled_from([" && ", " || ", "; ", "\n", " | ", " &&\n", " & "]))
        text += op + command.format(bin=binary)
    if draw(st.integers(0, 3)) == 0:
        marker, (terminator, body) = draw(heredoc_marker())
        text = f"cat {marker} > /etc/x && {text}\n" + "".join(f"{b}\n" for b in body) + terminator
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(JUNK) + text[at:]
    return text
