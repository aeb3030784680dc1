"""The code's shape, checked: no import circles, one "today", route modules that only route, and
one refusal type.

Import circles: every `import` and `from ... import` in ret_app (also those inside functions, which
hide a circle but do not remove it) is an edge from its module to the module it names; the graph
must have no cycle. `from package import name` counts as an edge to package.name when that is a
module, else to the package itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "ret_app"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in APP.rglob("*.py")}


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ret_app"):
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not target.startswith("ret_app"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
    return {name for name in found if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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


def test_the_graph_sees_the_imports():
    """The checker itself: it finds module-level and function-level imports, and a planted circle."""
    graph = import_graph()
    assert "ret_app.kernel.uow" in graph["ret_app.audit"]
    assert "ret_app.cases.lifecycle" in graph["ret_app.cases.norms"]
    planted = {name: set(edges) for name, edges in graph.items()}
    planted["ret_app.kernel.dates"].add("ret_app.audit")
    assert cycles(planted)


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_the_kernel_imports_no_domain():
    allowed = ("ret_app.kernel.", "ret_app.extensions", "ret_app.models")
    for name, edges in import_graph().items():
        if name.startswith("ret_app.kernel"):
            outside = sorted(edge for edge in edges if not edge.startswith(allowed))
            assert not outside, f"{name} imports {outside}"


# --- one "today" ----------------------------------------------------------------------------

NAIVE_NOW = re.compile(r"\b(?:date|datetime)\.today\(\)|\bdatetime\.(?:now|utcnow)\(\s*\)|\butcfromtimestamp\(")


def test_one_today_in_the_application():
    """The Netherlands' date everywhere: never the server's (`date.today()`), never a naive now."""
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in APP.rglob("*.py") for number, line in enumerate(path.read_text().splitlines(), 1)
                 if NAIVE_NOW.search(line)]
    assert offenders == []


def test_the_check_for_today_would_catch_it():
    assert NAIVE_NOW.search("today = date.today()")
    assert NAIVE_NOW.search("now = datetime.now()")
    assert not NAIVE_NOW.search("now = datetime.now(timezone.utc)")
    assert not NAIVE_NOW.search("today = dates.today()")


# --- route modules only route ---------------------------------------------------------------

ROUTE_MODULES = sorted(p for p in APP.rglob("*.py") if p.name == "routes.py" or p.name.endswith("_routes.py"))
FORBIDDEN_IN_ROUTES = re.compile(r"\.commit\(|\.rollback\(|\baudit\.record\(|\bflush\(")


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_route_modules_do_not_commit_roll_back_or_audit(path):
    """The unit of work commits; loaders, services and the web helpers audit."""
    offenders = [f"{number}: {line.strip()}" for number, line in enumerate(path.read_text().splitlines(), 1)
                 if FORBIDDEN_IN_ROUTES.search(line)]
    assert offenders == []


def test_one_refusal_type():
    """A business rule refuses with ret_app.kernel.errors.RuleError; no module defines its own."""
    defined = [f"{path.relative_to(ROOT)}: {node.name}" for path in APP.rglob("*.py")
               for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)
               and any(isinstance(base, ast.Name) and base.id == "Exception" for base in node.bases)
               and path.relative_to(APP).as_posix() != "kernel/errors.py"]
    # Not a refusal: a stored file that is gone or altered.
    assert defined == ["ret_app/referrals/attachments.py: AttachmentMissing"], defined
