"""The package's rooms keep their dependency direction: integrations depend on the core, never
the reverse, and the request path never loads the fleet engine."""

import ast
from pathlib import Path

from django.conf import settings

PACKAGE = settings.BASE_DIR / "pgschemas"


def module_name(path: Path) -> str:
    parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every pgschemas module that ``path`` imports, anywhere in it (functions included), but
    for imports made only for type checkers (``if TYPE_CHECKING:``)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    tree = ast.parse(path.read_text())
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("pgschemas")}


GRAPH = {module_name(path): imports(path) for path in PACKAGE.rglob("*.py")}


def reachable_from(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module in seen or module not in GRAPH:
            continue
        seen.add(module)
        todo.extend(GRAPH[module])
    return seen


def test_the_request_path_never_loads_the_fleet_engine_or_an_integration():
    for start in ("pgschemas.middleware", "pgschemas.postgresql_backend.base"):
        loaded = reachable_from(start)
        assert not {m for m in loaded if m.startswith(("pgschemas.fleet", "pgschemas.contrib"))}


def test_only_integrations_import_integrations():
    for module, imported in GRAPH.items():
        if not module.startswith("pgschemas.contrib"):
            assert not {m for m in imported if m.startswith("pgschemas.contrib")}, module


def test_no_import_circle_in_the_package():
    for module in GRAPH:
        others = set().union(*(reachable_from(m) for m in GRAPH[module] if m != module))
        assert module not in others, f"{module} imports itself through {sorted(GRAPH[module])}"


def test_no_module_is_over_250_lines():
    long = {
        module_name(path): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > 250
    }
    assert not long
