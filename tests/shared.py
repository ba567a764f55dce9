"""Where tests find ``../shared`` (the real upstream history and the conformance sets).

A user's clone has no ``../shared`` beside it, and must still pass ``nox -s tests``:
a test that needs it skips with a one-line reason.  CI always has it, so there
(``CI`` set to ``true`` or ``1``) a missing folder fails the test instead of
hiding it behind a skip.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

__all__ = [
    "SHARED",
    "device_stand_in",
    "in_ci",
    "is_device",
    "nox_python",
    "requires_git_checkout",
    "requires_group",
    "shared_path",
]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def in_ci() -> bool:
    """Whether this run is CI's (which always has ``../shared``)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def shared_path(*parts: str) -> Path:
    """``../shared/<parts>``; skips the calling test when it is absent outside CI, fails it in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (it sits beside the project in CI and for developers)"
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def requires_group(group: str, *modules: str) -> None:
    """Skip the calling module when a module of dependency group ``group`` is missing; fail it in CI.

    The ``test`` group does not bring the code generator (openapi-python-client caps httpx below the newest
    runtime version) nor the benchmark's SDK: ``nox -s tests`` installs them beside it, and a test module that
    runs them says so here, at its top, rather than failing at import with a ``ModuleNotFoundError``.
    """
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if not missing:
        return
    reason = f"needs the {group} dependency group ({', '.join(missing)} not installed; nox -s tests installs it)"
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def requires_git_checkout() -> None:
    """Skip the calling test outside a git checkout of the project (an unpacked sdist has no ``.git``); fail it
    in CI, which always runs in one."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode == 0 and Path(done.stdout.strip()).resolve() == root:
        return
    reason = f"{root} is not a git checkout (an unpacked sdist?): this test asks git about the project's files"
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def nox_python() -> str:
    """An interpreter that has nox: the one ``nox -s tests`` runs on (it passes it), or this one if it has nox.

    nox is not in the ``test`` group (it requires attrs >= 24.1, above the runtime's floor).
    """
    given = os.environ.get("INVOICE_CLIENTS_NOX_PYTHON")
    if given:
        return given
    if importlib.util.find_spec("nox") is not None:
        return sys.executable
    reason = "needs nox: run it under nox -s tests, which passes its interpreter (INVOICE_CLIENTS_NOX_PYTHON)"
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def device_stand_in(tmp_path: Path, name: str, minor: int) -> Path:
    """A stand-in for ``/dev/<name>`` (Linux's numbers: 1, ``minor``), made with ``mknod`` in ``tmp_path`` where this
    process may make one; the real device only where this process cannot replace it (not root).

    As root, code under test that replaced its destination (a bug, or a mutant in ``nox -s mutants``) would
    otherwise replace the machine's own ``/dev/null`` for every process on it."""
    stand_in = tmp_path / f"{name}-device"
    if sys.platform == "linux":
        try:
            os.mknod(stand_in, stat.S_IFCHR | 0o666, os.makedev(1, minor))
            return stand_in
        except PermissionError:
            if os.geteuid() == 0:
                pytest.skip("root without mknod: the real device could be at stake")
    return Path(f"/dev/{name}")


def is_device(path: Path, minor: int) -> bool:
    """Whether ``path`` itself (not what a link leads to) is still the character device 1, ``minor``."""
    found = os.lstat(path)
    return stat.S_ISCHR(found.st_mode) and (sys.platform != "linux" or found.st_rdev == os.makedev(1, minor))
