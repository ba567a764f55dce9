"""The CPythons the test matrix runs on, and where to find them.

The supported versions are the ``Programming Language :: Python :: X.Y`` classifiers of ``pyproject.toml``: one
list that the docs, the package's metadata and ``nox -s tests`` share (a test holds it to ``requires-python``).

nox finds an interpreter on ``PATH``.  pyenv keeps the other versions under ``$PYENV_ROOT/versions`` behind shims
that only run the *selected* version, so ``python3.12`` fails although 3.12 is installed (the machine image CI
runs on is such a machine).  :func:`expose` writes a small launcher for each such version into a directory that
the noxfile puts in front of ``PATH``: the launchers are named ``pythonX.Y`` only, so nothing else is shadowed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["expose", "find_installed", "runs", "supported"]

_CLASSIFIER = re.compile(r"Programming Language :: Python :: (3\.\d+)")
_RELEASE = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def supported(pyproject: Mapping[str, Any]) -> list[str]:
    """The ``X.Y`` versions the classifiers name, oldest first."""
    found = {m[1] for c in pyproject["project"].get("classifiers", ()) if (m := _CLASSIFIER.fullmatch(c))}
    return sorted(found, key=lambda version: tuple(int(part) for part in version.split(".")))


def runs(command: str, version: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``command`` (on ``environ``'s ``PATH``) starts and is CPython ``version`` (a shim for another is not)."""
    probe = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"
    try:
        done = subprocess.run(
            [command, "-c", probe], capture_output=True, text=True, timeout=30, check=False, env=dict(environ)
        )
    except OSError:
        return False
    return done.returncode == 0 and done.stdout.split() == ["CPython", *version.split(".")]


def find_installed(version: str, pyenv_root: Path) -> Path | None:
    """The newest ``X.Y.Z`` release of ``version`` installed under ``pyenv_root/versions``, if any."""
    best: tuple[tuple[int, ...], Path] | None = None
    for entry in (pyenv_root / "versions").glob(f"{version}.*"):
        release = _RELEASE.fullmatch(entry.name)  # 3.12.1, not 3.12.1t, 3.13-dev or a virtualenv
        binary = entry / "bin" / f"python{version}"
        if release and f"{release[1]}.{release[2]}" == version and binary.is_file():
            key = tuple(int(part) for part in release.groups())
            if best is None or key > best[0]:
                best = (key, binary)
    return None if best is None else best[1]


def expose(versions: Iterable[str], directory: Path, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Write a ``pythonX.Y`` launcher in ``directory`` for each version ``PATH`` cannot run but pyenv has.

    Returns the versions given a launcher (the caller puts ``directory`` in front of ``PATH`` when there are
    any).  A version neither on ``PATH`` nor under pyenv is left alone: nox skips it (fails it in CI).
    """
    pyenv_root = Path(environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    exposed = []
    for version in versions:
        launcher = directory / f"python{version}"
        if not launcher.exists() and runs(f"python{version}", version, environ):
            continue
        binary = find_installed(version, pyenv_root)
        if binary is None:
            launcher.unlink(missing_ok=True)  # (one left by an earlier run, for a version since removed)
            continue
        directory.mkdir(parents=True, exist_ok=True)
        launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(str(binary))} "$@"\n', encoding="utf-8")
        launcher.chmod(0o755)
        exposed.append(version)
    return exposed
