"""The flow of the code: files come in through lib/ingest into lib/store, numbers are made in
lib/figures, lib/datamanager reads them for everyone, and only lib/public decides what a
viewer sees; lib/app is the Streamlit glue. No import runs back up, no module imports another
that imports it back (at any depth, lazy imports inside functions included), and no module
reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"
# Leading-underscore names that are public by convention (namedtuple's API).
PUBLIC_UNDERSCORE = {"_replace", "_asdict", "_fields", "_make"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lib_graph(root: Path = LIB) -> dict[str, set[str]]:
    """Module -> the lib modules it imports (a ``from lib.x import y`` counts as lib.x.y
    when y is a module, else as lib.x)."""
    paths = {module_name(p, root.parent): p for p in root.rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        found = set()
        for m in imports(path):
            while m and m not in paths:
                m = m.rpartition(".")[0]
            if m and m != name and not name.startswith(m + ".") and m != "lib":
                found.add(m)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def private_reaches(path: Path) -> list[str]:
    """``x._name`` where x is not self/cls, and ``from m import _name``: another module's or
    object's private name used from outside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            if node.attr.startswith("__") or node.attr in PUBLIC_UNDERSCORE:
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno} import {alias.name}")
    return found


@pytest.mark.parametrize("layer", ["ingest", "figures", "store", "est"])
def test_no_import_runs_back_up(layer):
    for path in sorted((LIB / layer).glob("*.py")):
        bad = {
            m
            for m in imports(path)
            if m.startswith(("lib.public", "streamlit", "lib.app", "lib.datamanager"))
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_figures_are_numbers_only():
    for path in sorted((LIB / "figures").glob("*.py")):
        assert not {m for m in imports(path) if m.startswith("lib.i18n")}, path.name


def test_only_the_app_package_imports_streamlit():
    for path in sorted(LIB.rglob("*.py")):
        if path.relative_to(LIB).parts[0] == "app":
            continue
        assert not {m for m in imports(path) if m.startswith("streamlit")}, path.name


def test_no_import_cycles():
    assert cycles(lib_graph()) == []


# The private names a library leaves no public way around, each isolated in one function
# with a test that fails when the library changes: argparse's gettext hook (lib/cli.py,
# tests/test_cli.py::test_argparse_speaks_swedish). Streamlit's legacy pages/ flag in
# lib/app/navigation.py is not a leading-underscore name; tests/test_navigation.py holds it.
ISOLATED = {"cli.py ._"}


def test_no_private_names_across_modules():
    """Pages and lib reach into nothing private but the isolated calls above."""
    found = []
    for path in sorted([*LIB.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]):
        found += private_reaches(path)
    assert {f.split(":")[0] + " " + f.split(" ", 1)[1] for f in found} <= ISOLATED
    assert len(found) == len(ISOLATED)


def test_the_checks_can_fail(tmp_path):
    """The scanners see an import of the public layer, a cycle through a lazy import, and a
    private call on another object."""
    sample = tmp_path / "x.py"
    sample.write_text("from lib.public import views\nimport lib.public.disclosure\n")
    assert {"lib.public", "lib.public.views", "lib.public.disclosure"} <= imports(sample)
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "one.py").write_text("from lib import two\n")
    (lib / "two.py").write_text("def f():\n    from lib.one import g\n")
    assert cycles(lib_graph(lib)) == [["lib.one", "lib.two"]]
    private = tmp_path / "p.py"
    private.write_text("store._writing()\nself._ok()\nrow._replace(a=1)\n")
    assert private_reaches(private) == ["p.py:1 ._writing"]
