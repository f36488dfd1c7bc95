"""The tree shows the design, and keeps showing it: the rules of the layout, checked on the source.

- no import cycle between the project's modules, counting imports inside functions;
- at most 15 loose modules in `domain/` and in `app/` (the rest live in sub-packages by subdomain);
- every module in `activities/` defines an activity or is a contract of one (no I/O library);
- no runtime file over 450 lines; no `os._exit` outside `infra/`; no "issue N" in runtime code;
- `domain/` stays pure: no I/O library, no Temporal, no other room of the project.

The rooms are listed per test. `workflows/`, `cli/` and `web/` are restructured apart from the
others (ROOMS_B): their checks are the same, marked so a reader sees which rooms each covers.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS_A = ("domain", "app", "activities", "adapters", "infra")
ROOMS_B = ("workflows", "cli", "web")
TOP_MODULES = ("worker",)
PROJECT = (*ROOMS_A, *ROOMS_B, *TOP_MODULES)
MAX_LOOSE = 15
MAX_LINES = 450
IO_LIBRARIES = ("asyncpg", "aiosmtplib", "temporalio.client", "httpx", "socket", "subprocess")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for room in PROJECT:
        if (ROOT / f"{room}.py").exists():
            found[room] = ROOT / f"{room}.py"
            continue
        for path in sorted((ROOT / room).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every import statement that runs (at module level or inside a function), not those
    under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


@cache
def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for name, path in known.items():
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif node.level == 0 and node.module:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def in_rooms(module: str, rooms: tuple[str, ...]) -> bool:
    return module.split(".")[0] in rooms


def test_no_import_cycle_among_rooms_a():
    """domain, app, activities, adapters, infra (and the worker): no cycle, counting imports in
    functions."""
    bad = [c for c in cycles(graph()) if any(in_rooms(m, (*ROOMS_A, *TOP_MODULES)) for m in c)]
    assert not bad, bad


def test_no_import_cycle_among_rooms_b():
    """workflows, cli, web."""
    bad = [c for c in cycles(graph()) if all(in_rooms(m, ROOMS_B) for m in c)]
    assert not bad, bad


@pytest.mark.parametrize("room", ["domain", "app"])
def test_few_loose_modules(room: str):
    loose = sorted(p.name for p in (ROOT / room).glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE, loose


def test_activities_define_activities_or_contracts():
    """A module of activities/ defines an `@activity.defn`, or is a contract (messages, a protocol,
    pure helpers the workflow shares) that imports no I/O library."""
    offenders = []
    for path in sorted((ROOT / "activities").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "__init__.py" or "@activity.defn" in text:
            continue
        imported = {n.module if isinstance(n, ast.ImportFrom) else a.name
                    for n in _imports(ast.parse(text)) for a in n.names} - {None}
        if any(m == lib or m.startswith(lib + ".") for m in imported for lib in IO_LIBRARIES):
            offenders.append(path.name)
    assert not offenders, offenders


def test_domain_is_pure():
    """No I/O, no Temporal, no other room of the project in domain/."""
    edges = graph()
    bad = {m: sorted(t for t in targets if not t.startswith("domain")) for m, targets in edges.items()
           if m.startswith("domain") and any(not t.startswith("domain") for t in targets)}
    assert not bad, bad
    for path in (ROOT / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                assert not name.startswith(("temporalio", "asyncpg", "aiosmtplib", "httpx")), (path, name)


def _runtime_files(rooms: tuple[str, ...]) -> list[Path]:
    files = []
    for room in rooms:
        files += [ROOT / f"{room}.py"] if (ROOT / f"{room}.py").exists() else sorted((ROOT / room).rglob("*.py"))
    return files


@pytest.mark.parametrize("rooms", [(*ROOMS_A, *TOP_MODULES), ROOMS_B], ids=["rooms_a", "rooms_b"])
def test_no_long_runtime_file(rooms):
    long = {str(p.relative_to(ROOT)): n for p in _runtime_files(rooms)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


@pytest.mark.parametrize("rooms", [(*ROOMS_A, *TOP_MODULES), ROOMS_B], ids=["rooms_a", "rooms_b"])
def test_no_hard_exit_outside_infra(rooms):
    found = [str(p.relative_to(ROOT)) for p in _runtime_files(rooms)
             if "os._exit" in p.read_text(encoding="utf-8") and not p.relative_to(ROOT).parts[0] == "infra"]
    assert not found, found


ISSUE_N = re.compile(r"\bissues? \d+", re.IGNORECASE)


@pytest.mark.parametrize("rooms", [(*ROOMS_A, *TOP_MODULES), ROOMS_B], ids=["rooms_a", "rooms_b"])
def test_no_issue_numbers_in_runtime_code(rooms):
    """Say what a thing is, not which ticket brought it."""
    found = {}
    for p in _runtime_files(rooms):
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if ISSUE_N.search(line):
                found.setdefault(str(p.relative_to(ROOT)), []).append(n)
    assert not found, found


def test_no_issue_numbers_in_docs_and_pyproject():
    texts = [ROOT / "pyproject.toml", ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found = {str(p.relative_to(ROOT)): [n for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                                         if ISSUE_N.search(line)] for p in texts}
    found = {k: v for k, v in found.items() if v}
    assert not found, found


def _function_imports_without_a_reason(path: Path) -> list[int]:
    """Imports inside a function with no comment saying why: on their line, or on the line just
    above their group of imports. Imports in a function are for the Temporal sandbox or for a
    heavy, rarely needed library; a cycle is not a reason."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    bare = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or "#" in lines[node.lineno - 1]:
                continue
            above = node.lineno - 2
            while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith(("import ", "from "))):
                above -= 1
            if above < 0 or not lines[above].lstrip().startswith(("#", "with workflow.unsafe.imports_passed_through")):
                bare.append(node.lineno)
    return bare


@pytest.mark.parametrize("rooms", [(*ROOMS_A, *TOP_MODULES), ROOMS_B], ids=["rooms_a", "rooms_b"])
def test_imports_inside_functions_say_why(rooms):
    found = {str(p.relative_to(ROOT)): lines for p in _runtime_files(rooms) if (lines := _function_imports_without_a_reason(p))}
    assert not found, found
