"""Fixtures for toolchain tests: throw-away copies of the repository's inputs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.manifest import ROOT


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (caches excluded), to prove a tree untouched."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of specs/, overlays/ and generated/ that a test may break at will."""
    copy = tmp_path / "repo"
    for name in ("specs", "overlays", "generated"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def run_script() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m scripts.NAME`` as a maintainer would, capturing its output."""

    def run(name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", f"scripts.{name}", *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run
