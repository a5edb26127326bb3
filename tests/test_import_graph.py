"""No import cycles between the package's modules: every module under refactor/ is read with
``ast`` (never imported), its imports become edges of a graph between package modules, and a
cycle in that graph fails the test with the cycle spelt out, import lines included.

What counts as an edge ``a -> b`` (``a`` imports ``b``):

* ``import b`` and ``from b import x``, at module level or inside a function or class;
  imports under ``if TYPE_CHECKING:`` do not count (they never run);
* ``from p import name`` also depends on ``p.name`` when that is a module (and then on
  ``p`` only as a parent package, below);
* importing ``p.q.b`` also depends on the ``__init__`` of ``p.q`` and ``p``, since Python runs
  them first; except from a module inside that package, whose own import already ran it.
  (An explicit ``from p.q import x`` inside ``p.q`` still counts: it needs ``p.q`` to have
  finished.)

The same graph keeps the front ends apart: a front end (a module or package under
``frontends/``) imports no other front end, and outside ``frontends/`` only the router
(``commands``) imports one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = "dockerslim_refactor"
SOURCE = Path(__file__).resolve().parent.parent / "refactor"

Graph = Mapping[str, set[str]]


# -- reading the package -----------------------------------------------------------------------


def module_name(path: Path, root: Path = SOURCE, package: str = PACKAGE) -> str:
    """``refactor/a/b.py`` -> ``dockerslim_refactor.a.b``; a package's ``__init__.py`` is the
    package itself."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth, skipping ``if TYPE_CHECKING:``
    bodies (their ``else:`` runs)."""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Import, ast.ImportFrom)):
            yield current
            continue
        if isinstance(current, ast.If) and _is_type_checking(current.test):
            stack.extend(current.orelse)
            continue
        stack.extend(ast.iter_child_nodes(current))


def _resolve_from(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imports_of(
    source: str, module: str, modules: set[str], is_package: bool = False
) -> dict[str, int]:
    """The package modules that ``module`` (whose code is ``source``) depends on, each with the
    line of the first import that brings it in."""
    found: dict[str, int] = {}

    def add(target: str, line: int, implicit: bool = False) -> None:
        # A name that is not a module (``import a.b`` where ``b`` is missing) counts as the
        # nearest enclosing module.
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if not target or target == module:
            return
        if implicit and (module + ".").startswith(target + "."):
            return  # the importer's own package: already imported before the importer ran
        found.setdefault(target, line)

    def add_with_parents(target: str, line: int) -> None:
        add(target, line)
        for parent in _ancestors(target):
            add(parent, line, implicit=True)

    nodes = sorted(_import_nodes(ast.parse(source)), key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add_with_parents(alias.name, node.lineno)
            continue
        base = _resolve_from(node, module, is_package)
        submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
        # ``from p import m`` of submodules only needs ``p`` started, as ``import p.m`` does;
        # any other name needs ``p``'s ``__init__`` to have got that far.
        add(base, node.lineno, implicit=len(submodules) == len(node.names))
        for parent in _ancestors(base):
            add(parent, node.lineno, implicit=True)
        for target in submodules:
            add(target, node.lineno)
    return found


def package_graph(root: Path = SOURCE, package: str = PACKAGE) -> dict[str, dict[str, int]]:
    """module -> {imported package module: line of the import}, for every module under
    ``root``."""
    files = {module_name(p, root, package): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    return {
        name: imports_of(path.read_text("utf-8"), name, modules, path.name == "__init__.py")
        for name, path in files.items()
    }


# -- cycles ------------------------------------------------------------------------------------


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph`` (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def find_cycles(graph: Graph) -> list[list[str]]:
    """One concrete cycle ``[a, b, ..., a]`` per strongly connected component that has one (a
    component of two or more modules, or a module that imports itself), shortest first from
    the component's first module."""
    cycles = []
    for component in strongly_connected(graph):
        members = set(component)
        start = component[0]
        if len(component) == 1 and start not in graph.get(start, ()):
            continue
        # Breadth-first from ``start`` inside the component, back to ``start``.
        previous: dict[str, str] = {}
        frontier = [start]
        found = None
        while frontier and found is None:
            following = []
            for node in frontier:
                for child in sorted(graph.get(node, ())):
                    if child == start:
                        found = node
                        break
                    if child in members and child not in previous:
                        previous[child] = node
                        following.append(child)
                if found is not None:
                    break
            frontier = following
        assert found is not None  # a strongly connected component always closes
        path = [found]
        while path[-1] != start:
            path.append(previous[path[-1]])
        cycles.append([start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start])
    return cycles


def describe(cycle: list[str], lines: Mapping[str, Mapping[str, int]]) -> str:
    steps = [
        f"{a} (line {lines[a][b]}) -> {b}" if a in lines and b in lines[a] else f"{a} -> {b}"
        for a, b in zip(cycle, cycle[1:], strict=False)
    ]
    return "\n    ".join(steps)


# -- the package -------------------------------------------------------------------------------


def test_package_has_no_import_cycle() -> None:
    lines = package_graph()
    graph = {module: set(targets) for module, targets in lines.items()}
    assert len(graph) > 20 and f"{PACKAGE}.shell.syntax" in graph  # the walk found the package
    cycles = find_cycles(graph)
    reports = []
    for cycle in cycles:
        # Every import inside the cycle's component: a cycle is gone once enough of them are.
        component = next(c for c in strongly_connected(graph) if cycle[0] in c)
        inside = [
            f"{a}:{lines[a][b]} imports {b}"
            for a in component
            for b in sorted(graph[a])
            if b in component
        ]
        reports.append(
            f"import cycle {' -> '.join(cycle)}:\n    {describe(cycle, lines)}\n"
            f"  all imports among its {len(component)} modules:\n    " + "\n    ".join(inside)
        )
    assert not cycles, "\n".join(reports)


# -- front ends --------------------------------------------------------------------------------

FRONT_ENDS = f"{PACKAGE}.frontends"
# The modules outside frontends/ that may import a front end: the router the console script
# and ``python -m dockerslim_refactor`` run.
ROUTERS = frozenset({f"{PACKAGE}.commands"})


def front_end_of(module: str) -> str | None:
    """The front end ``module`` belongs to (``p.frontends.lsp.server`` -> ``p.frontends.lsp``),
    ``None`` outside the front ends and for the ``frontends`` package itself."""
    if not module.startswith(FRONT_ENDS + "."):
        return None
    return ".".join(module.split(".")[: FRONT_ENDS.count(".") + 2])


def front_end_violations(lines: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Every import that reaches a front end from another front end, or from outside the front
    ends other than from a router; one line each, ``module:line imports target``."""
    found = []
    for module, targets in sorted(lines.items()):
        own = front_end_of(module)
        for target, line in sorted(targets.items()):
            other = front_end_of(target)
            if other is None or other == own:
                continue
            if own is None and module in ROUTERS:
                continue
            whose = f"front end {own}" if own else "a module outside the front ends"
            found.append(f"{module}:{line} imports {target} ({whose} -> front end {other})")
    return found


def test_front_ends_import_no_other_front_end() -> None:
    lines = package_graph()
    assert f"{PACKAGE}.frontends.cli" in lines and f"{PACKAGE}.frontends.lsp.server" in lines
    assert not (violations := front_end_violations(lines)), "\n".join(violations)


def test_the_router_reaches_every_front_end() -> None:
    lines = package_graph()
    front_ends = {front_end_of(m) for m in lines} - {None}
    routed = {front_end_of(t) for router in ROUTERS for t in lines[router]} - {None}
    assert front_ends == routed, f"not routed: {sorted(front_ends - routed)}"


def test_front_end_violations_are_found() -> None:
    p = "dockerslim_refactor"
    modules = {
        p,
        f"{p}.api",
        f"{p}.commands",
        f"{p}.frontends",
        f"{p}.frontends.cli",
        f"{p}.frontends.wizard",
        f"{p}.frontends.lsp",
        f"{p}.frontends.lsp.server",
        f"{p}.frontends.lsp.engine",
    }
    sources = {
        # A lazy import inside a function counts; one under TYPE_CHECKING does not.
        f"{p}.frontends.cli": (
            "from typing import TYPE_CHECKING\n"
            "from dockerslim_refactor import api\n"
            "if TYPE_CHECKING:\n"
            "    from dockerslim_refactor.frontends import lsp\n"
            "def main():\n"
            "    from dockerslim_refactor.frontends import wizard\n"
        ),
        f"{p}.frontends.lsp.server": "from dockerslim_refactor.frontends.lsp import engine\n",
        f"{p}.frontends.lsp.engine": "import dockerslim_refactor.frontends.cli\n",
        f"{p}.commands": "from dockerslim_refactor.frontends import cli, lsp, wizard\n",
        f"{p}.api": "from dockerslim_refactor.frontends.wizard import main\n",
    }
    lines = {name: imports_of(code, name, modules) for name, code in sources.items()}
    assert front_end_violations(lines) == [
        f"{p}.api:1 imports {p}.frontends.wizard "
        f"(a module outside the front ends -> front end {p}.frontends.wizard)",
        f"{p}.frontends.cli:6 imports {p}.frontends.wizard "
        f"(front end {p}.frontends.cli -> front end {p}.frontends.wizard)",
        f"{p}.frontends.lsp.engine:1 imports {p}.frontends.cli "
        f"(front end {p}.frontends.lsp -> front end {p}.frontends.cli)",
    ]


# -- self-tests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        pytest.param({"a": {"b"}, "b": {"c"}, "c": set()}, [], id="chain"),
        pytest.param({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}, [], id="diamond"),
        pytest.param({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]], id="two"),
        pytest.param({"a": {"a"}}, [["a", "a"]], id="self"),
        pytest.param(
            {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}},
            [["a", "b", "c", "a"]],
            id="three-with-tails",
        ),
        pytest.param(
            {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"c"}},
            [["a", "b", "a"], ["c", "d", "e", "c"]],
            id="two-components",
        ),
        pytest.param(
            # A long way and a short way round: the short one is reported.
            {"a": {"b", "x"}, "b": {"c"}, "c": {"d"}, "d": {"a"}, "x": {"a"}},
            [["a", "x", "a"]],
            id="shortest",
        ),
        pytest.param({"a": {"missing"}}, [], id="edge-out-of-graph"),
    ],
)
def test_find_cycles(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert sorted(find_cycles(graph)) == expected


def test_find_cycles_deep_chain_does_not_recurse() -> None:
    size = 5000
    graph = {f"m{i}": {f"m{i + 1}"} for i in range(size)}
    graph[f"m{size}"] = {"m0"}
    (cycle,) = find_cycles(graph)
    assert len(cycle) == size + 2 and cycle[0] == cycle[-1] == "m0"


def test_imports_of_reads_what_runs() -> None:
    modules = {"p", "p.a", "p.b", "p.c", "p.sub", "p.sub.d", "p.sub.e", "p.t"}
    source = """
from __future__ import annotations
import os
from typing import TYPE_CHECKING
import p.sub.d
from p import b, CONSTANT
from . import c as c_module
from .sub import e

if TYPE_CHECKING:
    from p import t
else:
    import p.a

def later():
    from p.sub import missing_name
"""
    found = imports_of(source, "p.x", modules | {"p.x"})
    assert found == {
        "p.sub.d": 5,
        "p.sub": 5,  # implied by `import p.sub.d`; p itself is the importer's own package
        "p": 6,  # named by `from p import`
        "p.b": 6,
        "p.c": 7,
        "p.sub.e": 8,
        "p.a": 13,
    }


def test_imports_of_own_package_init_is_implicit_only_from_outside() -> None:
    modules = {"p", "p.q", "p.q.r", "p.q.s"}
    inside = imports_of("import p.q.s\nfrom p.q import name\n", "p.q.r", modules)
    assert inside == {"p.q.s": 1, "p.q": 2}  # the explicit `from p.q import` counts
    implicit_only = imports_of("from p.q.s import name\n", "p.q.r", modules)
    assert implicit_only == {"p.q.s": 1}
    outside = imports_of("from p.q.s import name\n", "p.other", modules | {"p.other"})
    assert outside == {"p.q.s": 1, "p.q": 1}


def test_relative_imports_from_a_package_init() -> None:
    modules = {"p", "p.q", "p.q.r", "p.s"}
    assert imports_of("from . import r\nfrom .. import s\n", "p.q", modules, True) == {
        "p.q.r": 1,
        "p.s": 2,
    }


# -- what a cold start loads -------------------------------------------------------------------


def _loaded_after(code: str, cwd: Path | None = None) -> set[str]:
    """The modules that running ``code`` in a fresh Python adds to ``sys.modules``."""
    import json
    import subprocess
    import sys

    probe = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_pragmas_do_not_load_the_analysis() -> None:
    loaded = _loaded_after("import dockerslim_refactor.pragmas")
    assert {m for m in loaded if m.startswith(PACKAGE)} == {PACKAGE, f"{PACKAGE}.pragmas"}


def test_config_lookup_without_a_file_reads_no_toml(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n", "utf-8")
    loaded = _loaded_after(
        "from dockerslim_refactor.config import ConfigFinder\n"
        "assert ConfigFinder().find('Dockerfile') is None",
        cwd=tmp_path,
    )
    assert not loaded & {"tomllib", "tomli", f"{PACKAGE}.discovery", f"{PACKAGE}.document"}
