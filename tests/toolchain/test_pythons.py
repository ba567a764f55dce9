"""The test matrix's Pythons: the classifiers, held to requires-python, and found where pyenv keeps them."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from scripts.manifest import ROOT
from scripts.pythons import expose, find_installed, supported

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_supported_pythons_start_at_requires_python_and_skip_none() -> None:
    pythons = supported(PYPROJECT)
    floor = re.fullmatch(r">=\s*(3\.\d+)", PYPROJECT["project"]["requires-python"])
    assert floor is not None, "requires-python is a plain lower bound"
    minors = [int(version.split(".")[1]) for version in pythons]
    assert pythons[0] == floor[1]
    assert minors == list(range(minors[0], minors[0] + len(minors))), pythons
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in pythons  # this run is on one of them


def _install(root: Path, name: str, version: str, target: str | None = None) -> Path:
    binary = root / "versions" / name / "bin" / f"python{version}"
    binary.parent.mkdir(parents=True)
    if target is None:
        binary.write_text("#!/bin/sh\nexit 1\n")
    else:
        binary.symlink_to(target)
    return binary


def test_the_newest_release_is_found_and_other_builds_are_not(tmp_path: Path) -> None:
    for name in ("3.12.1", "3.12.10", "3.12.9", "3.12.11t", "3.12-dev", "my-3.12.12-venv"):
        _install(tmp_path, name, "3.12")
    _install(tmp_path, "3.13.0", "3.12")  # the wrong minor's binary name never matches
    assert find_installed("3.12", tmp_path) == tmp_path / "versions" / "3.12.10" / "bin" / "python3.12"
    assert find_installed("3.11", tmp_path) is None


def test_a_launcher_runs_the_pyenv_version_and_goes_when_it_does(tmp_path: Path) -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    root, launchers = tmp_path / "pyenv", tmp_path / "launchers"
    installed = _install(root, f"{version}.99", version, target=sys.executable)
    environ = {"PYENV_ROOT": str(root), "PATH": str(tmp_path / "nothing")}  # python3.X is not on this PATH
    assert expose([version, "3.99"], launchers, environ) == [version]
    launcher = launchers / f"python{version}"
    probe = [str(launcher), "-c", "import sys; print(sys.version_info[:2])"]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == str(sys.version_info[:2])
    assert not (launchers / "python3.99").exists()
    installed.unlink()  # uninstalled since: the launcher goes too
    assert expose([version], launchers, environ) == []
    assert not launcher.exists()
