"""The house rules of ARCHITECTURE.md: room sizes and who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "facilitator")
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 400
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    """Every module of the house by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The modules of the house that ``name`` imports, at any level of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                targets.add(submodule if submodule in MODULES else origin)
    return {target for target in targets if target in MODULES and target != name}


def _import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        graph.add_edges_from((name, target) for target in _imports(name, path))
    return graph


def _layer(name: str) -> int:
    """graph/ (0) ← storage (1) ← web rooms (2) ← serve (3) ← cli (4)."""
    if name.startswith("graph"):
        return 0
    if name.startswith("facilitator.storage"):
        return 1
    return {"facilitator.serve": 3, "facilitator.cli": 4}.get(name, 2)


def test_the_import_analysis_sees_the_known_arrows():
    graph = _import_graph()
    assert graph.has_edge("facilitator.cli", "facilitator.serve")
    assert graph.has_edge("facilitator.storage.graph_state", "graph.model")
    assert graph.has_edge("graph.io", "graph.formats.graphml")


def test_there_is_no_import_circle():
    assert list(nx.simple_cycles(_import_graph())) == []


def test_each_room_imports_only_the_rooms_below_it():
    wrong = [
        f"{importer} → {imported}"
        for importer, imported in _import_graph().edges
        if _layer(imported) > _layer(importer)
    ]
    assert wrong == []


def test_the_domain_knows_nothing_of_the_web_or_the_disk_format():
    for name, path in MODULES.items():
        if _layer(name) == 0:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
            imported = {
                alias.name.partition(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, ast.Import)
                for alias in node.names
            } | {
                (node.module or "").partition(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and not node.level
            }
            assert not imported & {"flask", "sqlite3", "sqlite_utils", "facilitator"}, name


def _sizes() -> list[tuple[str, str, int]]:
    """(what, where, lines) for every module, class and function of the house."""
    sizes = []
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        sizes.append(("module", name, len(source.splitlines())))
        for node in ast.walk(ast.parse(source)):
            lines = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
            if isinstance(node, ast.ClassDef):
                sizes.append(("class", f"{name}.{node.name}", lines))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                sizes.append(("function", f"{name}:{node.name}", lines))
    return sizes


LIMITS = {"module": MAX_MODULE_LINES, "class": MAX_CLASS_LINES, "function": MAX_FUNCTION_LINES}


@pytest.mark.parametrize(
    "what",
    ["class", "module", "function"],
)
def test_no_room_outgrows_its_limit(what):
    too_big = [
        f"{where} ({lines} lines)"
        for kind, where, lines in _sizes()
        if kind == what and lines > LIMITS[what]
    ]
    assert too_big == []


def test_the_architecture_page_names_every_room_on_one_page():
    """A newcomer asking "where is X?" finds every module of the house on ARCHITECTURE.md."""
    page = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = sorted(
        str(path.relative_to(ROOT))
        for path in _modules().values()
        if path.name != "__init__.py" and f"`{path.name}`" not in page
    )
    assert missing == [], (
        f"ARCHITECTURE.md does not name {missing}: add each, in backticks with a few words, "
        "to its room's row (anyone adding a module may edit that row)"
    )
    assert len(page.splitlines()) <= 80, "ARCHITECTURE.md is one page"
