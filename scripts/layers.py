"""What import-linter cannot check of ``src/invoice_clients``'s shape, measured from its source.

The layers, the vendors' independence, cycles between sibling packages and modules, and imports of a
dependency's private Python modules are import-linter's contracts (``[tool.importlinter]`` in pyproject.toml,
``lint-imports`` in ``nox -s lint``).  What they cannot express is measured here, by walking the AST of every
module the package owns (``_generated/`` is the code generator's output and is left out):

- ``top_modules``: modules directly in ``invoice_clients/`` besides ``__init__``, ``__main__`` and ``_version``
  (a count, not an import);
- ``private_imports``: imports of another module's underscore *name* (``from ._a import _b`` where ``_b`` is not
  a module: module privacy stays in module names, a name offered to other modules has none);
- ``dependency_privates``: httpx's or httpcore's private names (``from httpx import _x``, or ``x._name`` where
  ``x`` is not ``self``/``cls`` and ``_name`` is a private name their code defines), and imports of a
  dependency's private *compiled* module (``msgspec._core``), which import-linter's graph of Python files
  cannot see;
- ``cycles``: import cycles through a package and a module inside it (``a`` imports ``a.b``, which imports ``a``),
  which import-linter's ``acyclic_siblings`` does not look at (every import counts, deferred and
  ``TYPE_CHECKING`` ones too).

``python -m scripts.layers`` prints the figures, one a line, with every offending place.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scripts.manifest import ROOT

__all__ = ["PACKAGE", "Place", "Shape", "measure", "module_name"]

PACKAGE = ROOT / "src" / "invoice_clients"
_EXEMPT_TOP = {"__init__", "__main__", "_version"}
_SKIPPED = "_generated"
DEPENDENCIES = ("httpx", "httpcore")
"""The dependencies whose private names are looked for (the generated code's ``_get_kwargs`` is the generator's
interface, inside our own package, and is not counted)."""


@dataclass(frozen=True, slots=True, order=True)
class Place:
    """One offending line: ``path:line what``."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.what}"


@dataclass(slots=True)
class Shape:
    """The figures, and the places behind them."""

    top_modules: list[str] = field(default_factory=list)
    private_imports: list[Place] = field(default_factory=list)
    dependency_privates: list[Place] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """``invoice_clients.a.b`` for ``src/invoice_clients/a/b.py`` (``.../a/__init__.py`` -> ``invoice_clients.a``)."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(package: Path) -> Iterator[Path]:
    for path in sorted(package.rglob("*.py")):
        if _SKIPPED not in path.relative_to(package).parts:
            yield path


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` names."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def measure(package: Path = PACKAGE) -> Shape:
    """The shape of ``package`` (see the module docstring)."""
    root = package.name
    sources = {module_name(path, package): path for path in _sources(package)}
    known = set(sources) | {f"{root}.{_SKIPPED}"}
    trees = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in sources.items()}
    theirs = _defined_private_names(ast.parse(path.read_text(encoding="utf-8")) for path in _dependency_sources())
    shape = Shape(top_modules=sorted(path.stem for path in package.glob("*.py") if path.stem not in _EXEMPT_TOP))
    imports: dict[str, set[str]] = {}

    def is_module(name: str) -> bool:
        return name in known or any(name.startswith(k + ".") for k in known if k.endswith(_SKIPPED))

    for name, tree in trees.items():
        path = sources[name]
        where = path.relative_to(package.parent).as_posix()
        edges = imports.setdefault(name, set())
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == root:
                        edges.add(alias.name)
                    elif _compiled_private(alias.name):
                        shape.dependency_privates.append(Place(where, node.lineno, f"import {alias.name}"))
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(node, name, is_package)
                if source.split(".")[0] != root:
                    if _compiled_private(source) or any(
                        _compiled_private(f"{source}.{a.name}")
                        or (source.split(".")[0] in DEPENDENCIES and _private(a.name))
                        for a in node.names
                    ):
                        shape.dependency_privates.append(Place(where, node.lineno, f"from {source} import ..."))
                    continue
                for alias in node.names:
                    child = f"{source}.{alias.name}"
                    if is_module(child):
                        edges.add(child)
                        continue
                    edges.add(source)
                    if _private(alias.name) and source != name:
                        shape.private_imports.append(Place(where, node.lineno, f"{alias.name} from {source}"))
            elif isinstance(node, ast.Attribute):
                owner = node.value.id if isinstance(node.value, ast.Name) else ""
                if node.attr in theirs and owner not in {"self", "cls"}:
                    shape.dependency_privates.append(Place(where, node.lineno, f".{node.attr}"))
        edges.discard(name)
    for places in (shape.private_imports, shape.dependency_privates):
        places.sort()
    every_cycle = _cycles({k: {v for v in vs if v in trees} for k, vs in imports.items()})
    shape.cycles = [cycle for cycle in every_cycle if _through_a_package(cycle)]
    return shape


def _through_a_package(cycle: list[str]) -> bool:
    """Whether ``cycle`` holds a package and a module inside it (any other cycle runs between sibling packages
    or modules somewhere, where import-linter's ``acyclic_siblings`` finds it)."""
    return any(inner.startswith(outer + ".") for outer in cycle for inner in cycle)


def _compiled_private(module: str) -> bool:
    """Whether ``module`` is a dependency's private module that is not Python source (``msgspec._core``)."""
    top, *rest = module.split(".")
    if top in sys.stdlib_module_names or not any(_private(part) for part in rest):
        return False
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin is not None and not spec.origin.endswith(".py")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _dependency_sources() -> Iterator[Path]:
    for dependency in DEPENDENCIES:
        spec = importlib.util.find_spec(dependency)
        assert spec is not None and spec.origin is not None, f"{dependency} is not installed"
        yield from sorted(Path(spec.origin).parent.rglob("*.py"))


def _defined_private_names(trees: Iterable[ast.Module]) -> set[str]:
    """Every ``_name`` the code of ``trees`` defines: functions, classes, attributes it assigns, arguments."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return {name for name in names if _private(name)}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def main() -> int:
    """Print the figures and the places behind them."""
    shape = measure()
    print(f"top_modules: {len(shape.top_modules)} ({', '.join(shape.top_modules)})")
    print(f"private_imports: {len(shape.private_imports)}")
    for place in shape.private_imports:
        print(f"  {place}")
    print(f"dependency_privates: {len(shape.dependency_privates)}")
    for place in shape.dependency_privates:
        print(f"  {place}")
    print(f"cycles: {len(shape.cycles)}")
    for cycle in shape.cycles:
        print(f"  {' <-> '.join(cycle)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
