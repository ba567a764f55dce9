"""Compare two directory trees and render what changed as a unified diff.

Used by ``nox -s regenerate`` (to show what a regeneration changed) and by
``nox -s check`` (to show how the committed code differs from what the specs
and overlays produce).  Byte caches are never compared.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TreeDiff", "compare_trees", "list_files", "render_diff"]

_IGNORED_DIRS = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"}


@dataclass(frozen=True)
class TreeDiff:
    """Relative paths added, removed and modified between an old and a new tree."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def summary(self) -> str:
        """One line per changed file, ``A``/``D``/``M`` first, sorted."""
        rows = [("A", p) for p in self.added] + [("D", p) for p in self.removed] + [("M", p) for p in self.modified]
        return "\n".join(f"{flag} {path}" for flag, path in sorted(rows, key=lambda row: row[1]))


def list_files(root: Path) -> set[str]:
    """Every file under ``root`` as a POSIX path relative to it, caches excluded."""
    if not root.is_dir():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not _IGNORED_DIRS.intersection(path.relative_to(root).parts)
    }


def compare_trees(old: Path, new: Path) -> TreeDiff:
    """What changed going from tree ``old`` to tree ``new``."""
    old_files, new_files = list_files(old), list_files(new)
    modified = sorted(p for p in old_files & new_files if (old / p).read_bytes() != (new / p).read_bytes())
    return TreeDiff(tuple(sorted(new_files - old_files)), tuple(sorted(old_files - new_files)), tuple(modified))


def render_diff(diff: TreeDiff, old: Path, new: Path, label: str) -> str:
    """A unified diff of every changed file, paths shown as ``a/LABEL/...``."""
    chunks: list[str] = []
    for path in sorted(diff.added + diff.removed + diff.modified):
        before = _lines(old / path) if path not in diff.added else []
        after = _lines(new / path) if path not in diff.removed else []
        chunks.extend(
            difflib.unified_diff(
                before,
                after,
                fromfile="/dev/null" if path in diff.added else f"a/{label}/{path}",
                tofile="/dev/null" if path in diff.removed else f"b/{label}/{path}",
            )
        )
    return "".join(chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return [f"<binary file, {path.stat().st_size} bytes>\n"]
