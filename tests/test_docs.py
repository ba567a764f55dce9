"""The documentation site: every public name is in the API reference and documented, field by field; the
pictures say what the code does; the docs build strictly (``nox -s docs``, which runs mkdocs itself).

The docs' code examples run in ``tests/test_readme.py``, with the README's.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

import invoice_clients
import invoice_clients.cli
import invoice_clients.testing
from invoice_clients.cli import ExitCode
from invoice_clients.cli._exit import MEANINGS, exit_code_for
from invoice_clients.cli._output import COLUMNS
from scripts.manifest import ROOT

DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
PUBLIC = {
    "invoice_clients": invoice_clients,
    "invoice_clients.testing": invoice_clients.testing,
    "invoice_clients.cli": invoice_clients.cli,
}
RESOURCES = (
    "invoice_clients.vendors.gcore.client.GcoreInvoices",
    "invoice_clients.vendors.gcore.client.AsyncGcoreInvoices",
    "invoice_clients.vendors.versori.client.VersoriInvoices",
    "invoice_clients.vendors.versori.client.AsyncVersoriInvoices",
)
"""Not exported by name, but what every user calls: ``client.invoices``."""


def _directives() -> set[str]:
    found = set()
    for page in REFERENCE.glob("*.md"):
        found |= set(re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE))
    return found


def _public_names() -> Iterator[tuple[str, object]]:
    for module_name, module in PUBLIC.items():
        for name in module.__all__:
            if name.startswith("__"):
                continue
            yield f"{module_name}.{name}", getattr(module, name)


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_public_name_is_in_the_reference() -> None:
    shown = {id(_resolve(path)) for path in _directives() if path.count(".") and not path.endswith(".testing")}
    missing = [path for path, obj in _public_names() if id(obj) not in shown and not isinstance(obj, str)]
    missing += [path for path in RESOURCES if id(_resolve(path)) not in shown]
    assert not missing, f"add a '::: NAME' to a page of docs/reference/: {missing}"


def test_the_reference_shows_only_public_names() -> None:
    """The other way round: a name removed from ``__all__`` leaves the reference too (the public API decided in
    issue 33), and nothing private is documented as if users could import it."""
    public = {path for path, _ in _public_names()} | set(RESOURCES) | set(PUBLIC)
    shown = sorted(_directives() - public)
    assert not shown, f"docs/reference/ documents names that are not public: {shown}"


def _field_docstrings(cls: type) -> set[str]:
    """The names of ``cls``'s class-body annotations followed by a string: attribute docstrings."""
    tree = ast.parse(inspect.getsource(cls).lstrip())
    body = tree.body[0].body  # type: ignore[attr-defined]
    documented = set()
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            documented.add(node.target.id)
    return documented


def _objects() -> Iterator[tuple[str, object]]:
    yield from _public_names()
    for path in RESOURCES:
        yield path, _resolve(path)


@pytest.mark.parametrize(("path", "obj"), list(_objects()), ids=lambda value: value if isinstance(value, str) else "")
def test_every_public_name_field_and_method_is_documented(path: str, obj: object) -> None:
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return  # a constant: documented where it is described
    assert inspect.getdoc(obj), f"{path} has no docstring"
    if not inspect.isclass(obj):
        return
    undocumented = []
    if dataclasses.is_dataclass(obj) or issubclass(obj, msgspec.Struct):  # Invoice, Money, LineItem are Structs
        fields = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else obj.__struct_fields__
        documented = _field_docstrings(obj)
        undocumented += [name for name in fields if name not in documented]
    if issubclass(obj, enum.Enum):
        return  # members are their values
    for name, member in vars(obj).items():
        if name.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property | classmethod)):
            continue
        function = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
        if not inspect.getdoc(function):
            undocumented.append(f"{name}()")
    assert not undocumented, f"{path}: document {undocumented}"


# -- the pictures ---------------------------------------------------------------------------------------------


def _mermaid(page: Path, title: str) -> str:
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    chosen = [block for block in blocks if title in block]
    assert len(chosen) == 1, f"{page}: one mermaid block titled {title!r}"
    return chosen[0]


def test_the_exception_tree_is_the_hierarchy_with_its_exit_codes() -> None:
    block = _mermaid(REFERENCE / "errors.md", "title: Exceptions")
    labels = dict(re.findall(r"(\w+)\[\"?(\w+)", block))
    codes = {labels[node]: int(code) for node, code in re.findall(r"(\w+)\[\"?\w+[^\]]*exit (\d+)", block)}
    edges = {(labels[parent], labels[child]) for parent, child in re.findall(r"(\w+) --> (\w+)", block)}
    exceptions = {name for name in invoice_clients.__all__ if name.endswith("Error")}
    assert set(labels.values()) == exceptions
    for parent, child in edges:
        assert getattr(invoice_clients, parent) in getattr(invoice_clients, child).__bases__, (parent, child)
    assert {child for _, child in edges} == exceptions - {"InvoiceClientsError"}  # every one placed
    for name, code in codes.items():
        cls = getattr(invoice_clients, name)
        assert exit_code_for(cls.__new__(cls)) == code, name
    assert set(codes) == exceptions


def test_the_exit_code_tables_are_the_commands() -> None:
    for page in (REFERENCE / "errors.md", DOCS / "cli.md"):
        rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", page.read_text(encoding="utf-8"), flags=re.MULTILINE))
        assert {int(code) for code in rows} == {int(code) for code in ExitCode}, page
    assert set(MEANINGS) == set(ExitCode)


def test_the_columns_table_is_the_csv() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = text[text.index("## CSV columns") :]
    rows = re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)
    assert rows == list(COLUMNS)


def test_the_benchmark_picture_is_the_quoted_runs() -> None:
    import json

    from benchmarks.chart import render

    results = json.loads((DOCS / "assets" / "bench-results.json").read_text(encoding="utf-8"))
    assert (DOCS / "assets" / "benchmarks.svg").read_text(encoding="utf-8") == render(results)
    page = (DOCS / "maintainers" / "benchmarks.md").read_text(encoding="utf-8")
    assert "](../assets/benchmarks.svg)" in page
    for name, check in results["targets"].items():
        verdict = "met" if check["met"] else "MISSED"
        row = f"  {name:<28} {check['value']:8.2f}  {check['target']:>8}  {verdict:>8}"
        assert row in page, row
