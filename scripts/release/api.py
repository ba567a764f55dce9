"""The public API against the last release's: a break fails unless the changelog says it is breaking.

    python -m scripts.release.api            # check (nox -s lint runs it; nox -s api too)
    python -m scripts.release.api --refresh  # accept the API as it is now: rewrite the snapshot

griffe reads the four public modules (:data:`PUBLIC`: ``invoice_clients``, ``.testing``, ``.cli``,
``.vendors``) from ``src/`` without importing them, and compares them with ``api/snapshot.json``: the API of the
last release, written by ``--refresh`` (``nox -s release -- prepare`` runs it, so the commit a release tag points
at holds that release's API; until the first release it is the API agreed so far).  The snapshot is griffe's own
JSON of the objects those modules expose, their classes' bases and the modules holding them, so a shallow
checkout, an unpacked sdist and CI all compare against the same thing without the release's git tag.

Every break griffe finds (a public name removed, a parameter removed, renamed, reordered or made required, a
default changed, a class's kind changed...) fails the check, unless a ``breaking`` fragment in ``changelog.d/``
names the public name in a code span (```SyncPager```, ```Money.quantize()```, ```cli.app```,
```invoice_clients.testing.Sandbox```):
the users who read the release notes are told, and the policy makes the next release a minor one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import griffe

from scripts.docs_structs import StructInit
from scripts.release.changelog import FRAGMENTS, Fragment, fragments

__all__ = ["PUBLIC", "SNAPSHOT", "Break", "breaks", "load", "main", "snapshot", "uncovered"]

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "invoice_clients"
PUBLIC = ("invoice_clients", "invoice_clients.testing", "invoice_clients.cli", "invoice_clients.vendors")
SNAPSHOT = ROOT / "api" / "snapshot.json"


def load(source: Path = ROOT / "src") -> griffe.Module:
    """The package as griffe reads it from ``source`` (statically: nothing is imported), aliases resolved, and
    each msgspec Struct given the constructor msgspec makes (:mod:`scripts.docs_structs`, as the reference)."""
    loader = griffe.GriffeLoader(search_paths=[str(source)], extensions=griffe.load_extensions(StructInit))
    package = loader.load(PACKAGE)
    loader.resolve_aliases(implicit=False, external=False)
    assert isinstance(package, griffe.Module)
    return package


def _public_members(module: Any) -> Iterator[tuple[str, Any]]:
    for name, member in module.members.items():
        if member.is_public:
            yield name, member


def _reached(package: griffe.Module) -> dict[str, set[str]]:
    """Every object path the public API reaches (public names, their targets, their classes' bases), with the
    public names (``SyncPager``, ``cli.app``) it is reached by."""
    reached: dict[str, set[str]] = {}
    for module_path in PUBLIC:
        module = package.modules_collection.get_member(module_path)
        reached.setdefault(module_path, set())
        prefix = module_path.removeprefix(PACKAGE).lstrip(".")
        for name, member in _public_members(module):
            public = f"{prefix}.{name}" if prefix else name
            reached.setdefault(member.path, set()).add(public)
            target = member.final_target if member.is_alias else member
            reached.setdefault(target.path, set()).add(public)
            if target.is_class:
                for base in target.mro():
                    reached.setdefault(base.path, set()).add(public)
    return reached


def _prune(data: dict[str, Any], path: str, keep: set[str], in_class: bool) -> None:
    """Drop from griffe's JSON what the public API does not reach, and what no comparison reads."""
    for key in ("docstring", "filepath", "relative_filepath", "relative_package_filepath"):
        data.pop(key, None)  # this machine's paths are no part of the API
    members = data.get("members", {})
    for name in list(members):
        member_path = f"{path}.{name}"
        private = name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
        if (in_class and private) or (not in_class and member_path not in keep):
            del members[name]
            continue
        _prune(members[name], member_path, keep, in_class or members[name].get("kind") == "class")


def snapshot(package: griffe.Module) -> str:
    """The snapshot's text: griffe's JSON of what the public API reaches, with the public names it is reached by."""
    reached = _reached(package)
    keep = {".".join(path.split(".")[:i]) for path in reached for i in range(1, path.count(".") + 2)}
    data = json.loads(package.as_json(full=False))
    _prune(data, PACKAGE, keep, in_class=False)
    names = {path: sorted(publics) for path, publics in sorted(reached.items()) if publics}
    document = {"about": "the public API of the last release: python -m scripts.release.api", "public_names": names}
    return json.dumps({**document, "api": data}, indent=1, sort_keys=True) + "\n"


def _from_snapshot(text: str) -> tuple[griffe.Module, dict[str, list[str]]]:
    """The snapshot as a griffe package in a collection of its own (so aliases resolve), and its public names."""
    document = json.loads(text)
    decoded = json.loads(json.dumps(document["api"]), object_hook=griffe.json_decoder)
    collection = griffe.ModulesCollection()
    package = griffe.Module(PACKAGE, modules_collection=collection)
    for name, member in decoded.members.items():
        package.set_member(name, member)
    package.exports = decoded.exports
    collection.set_member(PACKAGE, package)
    return package, dict(document["public_names"])


@dataclass(frozen=True)
class Break:
    """A break griffe found: the public names it affects and griffe's explanation."""

    names: tuple[str, ...]
    explanation: str

    def line(self) -> str:
        return f"{' / '.join(f'`{name}`' for name in self.names)}: {self.explanation}"


def _names(path: str, public_names: dict[str, list[str]]) -> tuple[str, ...]:
    """The public names behind ``path``: those of the longest reached prefix."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        found = public_names.get(".".join(parts[:end]))
        if found:
            return tuple(found)
    return (path,)


def _explain(breakage: griffe.Breakage) -> str:
    """``Money.quantize(places): Parameter was added as required`` (griffe's own wording of the kind)."""
    subject = breakage.obj.path.removeprefix(f"{PACKAGE}.")
    values = (breakage.old_value, breakage.new_value)
    parameter = next((value.name for value in values if isinstance(value, griffe.Parameter)), None)
    if parameter is not None:
        subject += f"({parameter})"
        if breakage.kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
            old, new = (value.default if isinstance(value, griffe.Parameter) else None for value in values)
            return f"{subject}: {breakage.kind.value}: {old} -> {new}"
    return f"{subject}: {breakage.kind.value}"


def breaks(old: griffe.Module, public_names: dict[str, list[str]], new: griffe.Module) -> list[Break]:
    """What in ``new`` breaks code written against ``old``, per public module, each break once."""
    found: dict[str, Break] = {}
    for module_path in PUBLIC:
        before = old.modules_collection.get_member(module_path)
        after = new.modules_collection.get_member(module_path)
        for breakage in griffe.find_breaking_changes(before, after):
            explanation = _explain(breakage)
            key = f"{breakage.obj.path} {explanation}"
            found.setdefault(key, Break(_names(breakage.obj.path, public_names), explanation))
    return list(found.values())


def uncovered(found: list[Break], pending: list[Fragment]) -> list[Break]:
    """The breaks no ``breaking`` fragment names (one of the break's public names, in a code span)."""
    text = "\n".join(fragment.text for fragment in pending if fragment.breaking)
    spans = {span.removeprefix(f"{PACKAGE}.").split("(")[0] for span in re.findall(r"`([^`]+)`", text)}
    return [item for item in found if not any(_names_it(span, item.names) for span in spans)]


def _names_it(span: str, names: tuple[str, ...]) -> bool:
    """Whether a code span names one of ``names`` or something inside it (```Money.quantize``` names ``Money``)."""
    return any(span == name or span.startswith(f"{name}.") for name in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release.api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--refresh", action="store_true", help=f"rewrite {SNAPSHOT.relative_to(ROOT)} from src/")
    parser.add_argument("--source", type=Path, default=ROOT / "src", help="the package's parent directory")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--fragments", type=Path, default=FRAGMENTS)
    args = parser.parse_args(argv)
    current = load(args.source)
    if args.refresh:
        args.snapshot.parent.mkdir(parents=True, exist_ok=True)
        args.snapshot.write_text(snapshot(current), encoding="utf-8")
        print(f"wrote {args.snapshot}: the public API of {', '.join(PUBLIC)} as it is now")
        return 0
    try:
        old, public_names = _from_snapshot(args.snapshot.read_text(encoding="utf-8"))
        pending = fragments(args.fragments)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    found = breaks(old, public_names, current)
    missing = uncovered(found, pending)
    for item in found:
        mark = "error" if item in missing else "breaking (in the changelog)"
        print(f"{mark}: {item.line()}", file=sys.stderr if item in missing else sys.stdout)
    if missing:
        print(
            f"error: {len(missing)} break(s) of the public API since the last release that no changelog.d/*.breaking.md"
            " names: keep the old API, or add a breaking fragment naming each in a code span (docs/maintainers/"
            "releasing.md); after a release, python -m scripts.release.api --refresh",
            file=sys.stderr,
        )
        return 1
    print(f"public API: {len(found)} break(s) since the last release, all in the changelog ({', '.join(PUBLIC)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
