"""The product code keeps small rooms: no file over MAX_LINES, no import circle.

``bench/`` stands on the product and ``testbed/`` alone: it imports no module of ``tests/``.
The Home Assistant tests mirror the integration: a ``test_<platform>.py`` for every entity
platform, the reliability tests in ``reliability/`` folders.

The import graph is read with ``ast`` (nothing is imported): every ``import`` and
``from ... import`` inside a package counts, also those under ``TYPE_CHECKING`` and
inside functions, since a circle there is a circle of meaning all the same.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each product package: (directory, its dotted name).
PACKAGES = (
    (ROOT / "custom_components" / "odoo_epaper", "odoo_epaper"),
    (ROOT / "satellite" / "src" / "epaper_satellite", "epaper_satellite"),
    *((path, path.name) for path in sorted((ROOT / "odoo_addon").iterdir()) if path.is_dir()),
)
MAX_LINES = 400
INTEGRATION = ROOT / "custom_components" / "odoo_epaper"
INTEGRATION_TESTS = ROOT / "tests" / "components" / "odoo_epaper"
# Over the limit when this test came, each under another change at the time: to be split,
# then taken off this list. Every other product file must stay within MAX_LINES.
NOT_YET_SPLIT: frozenset[str] = frozenset()


def _modules(directory: Path, name: str) -> dict[str, Path]:
    """Map the dotted name of every module of a package to its file."""
    modules: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.py")):
        parts = [name, *path.relative_to(directory).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Return the modules of the same package that ``module`` imports."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [origin] + [f"{origin}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in known and target != module:
                found.add(target)
    return found


def _imported_modules(path: Path) -> set[str]:
    """Return the absolute module names that the file at ``path`` imports (not relative ones)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


def _graph(directory: Path, name: str) -> dict[str, set[str]]:
    known = _modules(directory, name)
    graph = {module: _imports(module, path, known) for module, path in known.items()}
    # "from . import x" where x is a module reaches x, not the package's __init__.
    for module, edges in graph.items():
        children = {edge for edge in edges if edge.rpartition(".")[0] in edges}
        graph[module] = (edges - {child.rpartition(".")[0] for child in children}) | children
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize(("directory", "name"), PACKAGES, ids=[name for _, name in PACKAGES])
def test_no_import_circle(directory: Path, name: str) -> None:
    """No module of a product package reaches itself through its imports."""
    assert _cycles(_graph(directory, name)) == []


@pytest.mark.parametrize(("directory", "name"), PACKAGES, ids=[name for _, name in PACKAGES])
def test_no_file_over_the_limit(directory: Path, name: str) -> None:
    """Every product file holds at most MAX_LINES lines (but those NOT_YET_SPLIT)."""
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in directory.rglob("*.py")
    }
    over = {path: size for path, size in sizes.items() if size > MAX_LINES}
    assert {path: size for path, size in over.items() if path not in NOT_YET_SPLIT} == {}


def test_the_circle_finder_finds_circles() -> None:
    """A two-module circle and a type-only import back are both found."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize("path", sorted((ROOT / "bench").rglob("*.py")), ids=lambda path: path.name)
def test_bench_imports_nothing_from_tests(path: Path) -> None:
    """A benchmark takes its helpers from ``testbed/``, never from the test suite."""
    imported = _imported_modules(path)
    assert {module for module in imported if module.partition(".")[0] == "tests"} == set()
    # Nor as pytest plugins (module names in strings, e.g. ``pytest_plugins``).
    strings = {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert {text for text in strings if re.fullmatch(r"tests(\.\w+)+", text)} == set()


def test_the_import_reader_sees_tests_imports(tmp_path: Path) -> None:
    """Plain, from- and function-level imports are all read; relative ones are not absolute."""
    module = tmp_path / "module.py"
    module.write_text(
        "import tests.conftest\n"
        "from tests.components import helpers\n"
        "from . import sibling\n"
        "def late():\n"
        "    from testbed.broker import Broker\n",
        encoding="utf-8",
    )
    assert _imported_modules(module) == {"tests.conftest", "tests.components", "testbed.broker"}


def _platforms() -> list[str]:
    """Return the entity platforms the integration forwards to (``PLATFORMS`` in __init__.py)."""
    tree = ast.parse((INTEGRATION / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "PLATFORMS"
            and isinstance(node.value, ast.List)
        ):
            return [
                element.attr.lower()
                for element in node.value.elts
                if isinstance(element, ast.Attribute)
            ]
    raise AssertionError("no PLATFORMS list in custom_components/odoo_epaper/__init__.py")


def test_every_platform_has_its_test_file() -> None:
    """Each entity platform module has its test_<platform>.py beside the integration's tests."""
    platforms = _platforms()
    assert platforms, "PLATFORMS is empty"
    assert [p for p in platforms if not (INTEGRATION / f"{p}.py").is_file()] == []
    missing = [p for p in platforms if not (INTEGRATION_TESTS / f"test_{p}.py").is_file()]
    assert missing == []


def test_reliability_tests_live_in_their_folder() -> None:
    """No test file names itself a reliability test outside a ``reliability/`` folder."""
    stray = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_reliability*.py")
        if "reliability" not in path.relative_to(ROOT).parts[:-1]
    ]
    assert stray == []
    assert (INTEGRATION_TESTS / "reliability" / "__init__.py").is_file()
