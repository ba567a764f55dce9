"""What the ``deps`` session installed: each runtime dependency's version, held to the resolution's pins.

``nox -s deps`` compiles ``pyproject.toml``'s runtime dependencies with uv at ``lowest-direct`` (or ``highest``),
installs them as constraints beside the test group, then runs ``python -m scripts.deps report PINS`` before the
suites: it prints the version of every runtime dependency (and what each pulls in) and fails if one is not the
pinned version, so a run that says "lowest" really ran on the lowest.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from scripts.errors import ToolchainError
from scripts.manifest import ROOT

__all__ = ["declared_runtime", "main", "pinned", "report"]

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_runtime(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The normalised names of ``[project] dependencies``, in their order."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [_normal(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]) for requirement in project["dependencies"]]


def pinned(pins: Path) -> dict[str, str]:
    """``name -> version`` of a ``uv pip compile`` output."""
    found = {}
    for line in pins.read_text(encoding="utf-8").splitlines():
        if match := _PIN.match(line.strip()):
            found[_normal(match[1])] = match[2]
    if not found:
        raise ToolchainError(str(pins), "no pinned requirement (name==version) found")
    return found


def report(pins: Path) -> list[str]:
    """One line per pinned package (direct dependencies first); :class:`ToolchainError` on a version that differs."""
    wanted = pinned(pins)
    direct = declared_runtime()
    lines, wrong = [], []
    for name in [*direct, *sorted(set(wanted) - set(direct))]:
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "(not installed)"
        pin = wanted.get(name, "(not pinned)")
        lines.append(f"  {name:<20} {installed:<24} {'direct' if name in direct else ''}")
        if installed != pin:
            wrong.append(f"{name} {installed} (pinned {pin})")
    if wrong:
        raise ToolchainError(str(pins), f"installed versions differ from the pins: {', '.join(wrong)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.deps", description=__doc__)
    parser.add_argument("command", choices=["report"])
    parser.add_argument("pins", type=Path, help="the output of uv pip compile")
    args = parser.parse_args(argv)
    try:
        lines = report(args.pins)
    except (ToolchainError, OSError) as error:
        print(f"deps: error: {error}", file=sys.stderr)
        return 1
    print(f"runtime dependencies as installed ({args.pins.name}):")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
