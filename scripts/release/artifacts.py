"""Build the sdist and the wheel once, and check them as the release workflow does before anything is published.

    python -m scripts.release.artifacts [--dist DIR] [--tag vX.Y.Z] [--pythons 3.11,3.13]

(``nox -s release`` runs it.)  In order, stopping at the first failure:

1. the changelog: every fragment readable, ``CHANGELOG.md`` names the version; with ``--tag`` (the workflow's
   tag), the tag is that version, prepared and dated, with no fragment left over;
2. build: ``python -m build`` writes the sdist, then the wheel *from the sdist* (so the sdist is complete), into
   an empty ``DIR`` (``dist/``), with the pinned backend;
3. the files: exactly one sdist and one wheel of this version; ``twine check --strict`` (the description renders
   on PyPI); ``check-wheel-contents`` with ``[tool.check-wheel-contents]``; no two files of the wheel with the
   same bytes except the generator's runtime modules, which each generated package carries as its own
   (:data:`SHARED_RUNTIME`); the metadata: metadata version 2.4, the Documentation, Changelog and Issues URLs, no
   relative link in the description (a ``docs/...`` link 404s on PyPI);
4. the sdist, unpacked outside any git checkout, installs editable (``pip install -e``) and imports the
   generated clients from its own tree;
5. the wheel alone, in a fresh virtual environment on every supported Python, runs the README's tour against the
   sandbox it ships (:mod:`scripts.release.tour`).  A supported Python that is not on the machine is skipped
   with a line, or fails the check when ``CI`` is set, as ``nox -s tests`` does.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from scripts.pythons import runs, supported
from scripts.release import tour
from scripts.release.changelog import check as check_changelog
from scripts.release.changelog import read_version

__all__ = ["SHARED_RUNTIME", "ReleaseCheckError", "check_metadata", "duplicates", "main"]

ROOT = Path(__file__).resolve().parents[2]
SHARED_RUNTIME = re.compile(
    r"^invoice_clients/_generated/[a-z_]+_client/(client\.py|errors\.py|types\.py|api/(\w+/)?__init__\.py)$"
)
"""Files openapi-python-client writes alike into every generated package: the only duplicates a wheel may hold
(besides empty files: ``py.typed`` markers)."""
URLS = ("Documentation", "Changelog", "Issues")
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


class ReleaseCheckError(Exception):
    """An artifact is not fit to publish: what, and in which file."""


def _run(command: Sequence[str], what: str, cwd: Path = ROOT) -> str:
    print(f"$ {' '.join(command)}", flush=True)
    done = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise ReleaseCheckError(f"{what}: exit {done.returncode}\n{output}")
    return output


def build(dist: Path) -> tuple[Path, Path]:
    """The sdist, then the wheel built from it, into an emptied ``dist``."""
    shutil.rmtree(dist, ignore_errors=True)
    installer = ["--installer", "uv"] if shutil.which("uv") else []
    _run([sys.executable, "-m", "build", *installer, "--outdir", str(dist), str(ROOT)], "python -m build")
    return _artifacts(dist)


def _artifacts(dist: Path) -> tuple[Path, Path]:
    version = read_version()
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    names = [path.name for path in (*sdists, *wheels)]
    wanted = [f"invoice_clients-{version}.tar.gz", f"invoice_clients-{version}-py3-none-any.whl"]
    if names != wanted or len(list(dist.iterdir())) != 2:
        raise ReleaseCheckError(f"{dist}: holds {sorted(p.name for p in dist.iterdir())}, not exactly {wanted}")
    return sdists[0], wheels[0]


def duplicates(wheel: Path) -> list[list[str]]:
    """Groups of files of ``wheel`` with identical bytes, other than the generated packages' shared runtime."""
    by_digest: dict[str, list[str]] = defaultdict(list)
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if not info.is_dir() and info.file_size and not info.filename.endswith(".dist-info/RECORD"):
                by_digest[hashlib.sha256(archive.read(info)).hexdigest()].append(info.filename)
    found = []
    for names in by_digest.values():
        if len(names) < 2:
            continue
        packages = {PurePosixPath(name).parts[2] for name in names if SHARED_RUNTIME.match(name)}
        if len(packages) == len(names):
            continue  # the generator's runtime, once in each generated package: by design
        found.append(sorted(names))
    return found


def check_metadata(wheel: Path) -> list[str]:
    """Problems in the wheel's METADATA: version, metadata version, project URLs, relative links."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = email.message_from_bytes(archive.read(name), policy=email.policy.compat32)
    problems = []
    if message["Version"] != str(read_version()):
        problems.append(f"Version {message['Version']} is not src/invoice_clients/_version.py's {read_version()}")
    if message["Metadata-Version"] != "2.4":
        said = f"Metadata-Version {message['Metadata-Version']}, not 2.4"
        problems.append(f"{said} (twine < 7, older publish actions and some mirrors refuse 2.5)")
    urls = dict(str(value).split(", ", 1) for value in message.get_all("Project-URL") or [])
    problems += [f"no Project-URL {label}" for label in URLS if not urls.get(label, "").startswith("https://")]
    description = message.get_payload()
    assert isinstance(description, str)
    relative = [link for link in _LINK.findall(description) if not re.match(r"^(https?://|mailto:|#)", link)]
    problems += [f"relative link in the PyPI description (404 on PyPI): {link}" for link in relative]
    return problems


def check_files(sdist: Path, wheel: Path) -> None:
    _run(["twine", "check", "--strict", str(sdist), str(wheel)], "twine check --strict")
    _run(["check-wheel-contents", str(wheel)], "check-wheel-contents")
    same = duplicates(wheel)
    if same:
        listed = "; ".join(", ".join(group) for group in same)
        raise ReleaseCheckError(f"{wheel.name}: files with identical contents (packaged twice?): {listed}")
    problems = check_metadata(wheel)
    if problems:
        raise ReleaseCheckError(f"{wheel.name}: " + "; ".join(problems))
    print(f"{sdist.name}, {wheel.name}: twine, check-wheel-contents, duplicates, metadata: ok", flush=True)


def check_sdist(sdist: Path) -> None:
    """The sdist unpacked outside git installs editable and imports its generated clients from its own tree."""
    with tempfile.TemporaryDirectory(prefix="invoice-clients-sdist-") as scratch:
        with tarfile.open(sdist) as archive:
            archive.extractall(scratch, filter="data")
        (tree,) = Path(scratch).iterdir()
        interpreter = tour.create_venv(sys.executable, Path(scratch) / "venv")
        tour.install(interpreter, "-e", str(tree))
        probe = (
            "import invoice_clients, invoice_clients._generated.gcore_billing_client as g;"
            "print(invoice_clients.__version__, invoice_clients.__file__, g.__file__)"
        )
        said = _run([str(interpreter), "-I", "-c", probe], "import the editable sdist", cwd=Path(scratch))
        version, package, generated = said.split()
        if version != str(read_version()) or not (package.startswith(str(tree)) and generated.startswith(str(tree))):
            raise ReleaseCheckError(f"{sdist.name}: the editable install imports {package} and {generated}")
        print(f"{sdist.name}: installs editable outside git (imports {Path(generated).parent.relative_to(tree)})")


def _pythons(wanted: str | None) -> list[str]:
    versions = supported(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8")))
    if wanted:
        versions = [v for v in versions if v in wanted.split(",")]
    found = []
    for version in versions:
        if runs(f"python{version}", version):
            found.append(version)
        elif os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise ReleaseCheckError(f"python{version} is supported but not on this machine (CI is set)")
        else:
            print(f"python{version}: not on this machine: the tour skipped", flush=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release.artifacts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where to build (emptied first)")
    parser.add_argument("--tag", help="the tag being released (vX.Y.Z): it must be the prepared version")
    parser.add_argument(
        "--pythons",
        default=os.environ.get("RELEASE_TOUR_PYTHONS") or None,
        help="the supported Pythons to run the tour on, comma-separated (default: every one; RELEASE_TOUR_PYTHONS)",
    )
    args = parser.parse_args(argv)
    try:
        problems = check_changelog(args.tag)
        if problems:
            raise ReleaseCheckError("; ".join(problems))
        sdist, wheel = build(args.dist)
        check_files(sdist, wheel)
        check_sdist(sdist)
        for version in _pythons(args.pythons):
            if tour.main(["--python", f"python{version}", "--wheel", str(wheel)]) != 0:
                raise ReleaseCheckError(f"the README's tour failed on Python {version} with {wheel.name} alone")
    except (ReleaseCheckError, tour.TourError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.dist}: {sdist.name} and {wheel.name} are fit to publish")
    return 0


if __name__ == "__main__":
    sys.exit(main())
