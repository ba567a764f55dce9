"""Regenerate the client packages: vendored spec + overlay -> openapi-python-client.

For every API in ``specs/manifest.toml`` this loads the vendored spec, applies
its overlay strictly (a target matching nothing is an error), writes the
effective spec, runs the pinned generator on it and stamps the package with
the hashes of everything that went in.  The whole ``generated/`` tree is built
in a staging directory first and swapped in only when every API succeeded, so
a failure leaves the committed code untouched.

    python -m scripts.regenerate            # regenerate, then show what changed
    python -m scripts.regenerate --check    # CI gate: fail with the diff on drift

Exit status: 0 success (or no drift), 1 drift found by ``--check``, 2 bad input (a malformed file, a
vendored spec edited by hand, an overlay that no longer applies, a spec the generator rejects), one
line per problem naming the file and place.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scripts.documents import load_openapi, load_overlay
from scripts.errors import ToolchainError
from scripts.manifest import ROOT, Api, Manifest, load_manifest, sha256_file
from scripts.overlay import apply_overlay
from scripts.treediff import compare_trees, render_diff
from scripts.yamlio import dump_yaml

__all__ = ["STAMP_NAME", "Outcome", "build_tree", "check", "expected_stamp", "main", "regenerate"]

STAMP_NAME = "_stamp.json"
GENERATED = "generated"

_README = """\
# generated/ — do not edit

Everything here is produced by `nox -s regenerate` from `specs/` and `overlays/`
(see the project README).  Edits made by hand are overwritten by the next
regeneration and rejected by `nox -s check`.  Fix problems in an overlay, in the
generator config (`specs/codegen/`) or in the `invoice_clients` facade instead.

| API | package | effective spec |
| --- | --- | --- |
"""


@dataclass(frozen=True)
class Outcome:
    """What a regeneration or check found: warnings and a rendered diff."""

    warnings: tuple[str, ...]
    summary: str
    diff: str

    @property
    def changed(self) -> bool:
        return bool(self.summary)


def toolchain_versions() -> dict[str, str]:
    """Versions of the tools whose output is committed; recorded in every stamp."""
    return {tool: importlib.metadata.version(tool) for tool in ("openapi-python-client", "ruff")}


def expected_stamp(api: Api, effective_sha256: str | None = None) -> dict[str, object]:
    """The stamp a package generated now from ``api``'s inputs would carry."""
    stamp: dict[str, object] = {
        "api": api.name,
        "note": "written by nox -s regenerate; the hashes of every input of this package",
        "toolchain": toolchain_versions(),
        "inputs": {
            "spec": {"path": api.spec, "sha256": sha256_file(api.spec_path)},
            "overlay": {"path": api.overlay, "sha256": sha256_file(api.overlay_path)},
            "generator_config": {"path": api.generator_config, "sha256": sha256_file(api.config_path)},
        },
    }
    if effective_sha256 is not None:
        stamp["effective_spec"] = {"path": f"{GENERATED}/{api.effective_spec_name}", "sha256": effective_sha256}
    return stamp


def build_api(api: Api, stage: Path) -> list[str]:
    """Generate ``api``'s package and effective spec into ``stage``; return warnings."""
    spec = load_openapi(api.spec_path, api.spec)
    overlay = load_overlay(api.overlay_path, api.overlay)
    patched, results = apply_overlay(spec, overlay, document_name=api.spec)
    warnings = [
        f"{overlay.place(r.index)}: target {r.target} changes nothing in {api.spec} (is it obsolete?)"
        for r in results
        if r.status == "no-op"
    ]
    header = (
        f"# Effective spec of {api.title}: {api.spec} patched by {api.overlay}.\n"
        "# Written by `nox -s regenerate`; this is exactly what the generator compiled. Do not edit.\n"
    )
    effective = stage / api.effective_spec_name
    effective.write_text(header + dump_yaml(patched), encoding="utf-8")
    package_dir = stage / api.package
    _run_generator(api, effective, package_dir)
    (package_dir / "py.typed").write_text("", encoding="utf-8")
    stamp = expected_stamp(api, hashlib.sha256(effective.read_bytes()).hexdigest())
    (package_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return warnings


def _run_generator(api: Api, effective: Path, package_dir: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "NO_COLOR": "1", "COLUMNS": "200"}
    command = [
        sys.executable, "-m", "openapi_python_client", "generate",
        "--path", str(effective),
        "--config", str(api.config_path),
        "--meta", "none",
        "--output-path", str(package_dir),
        "--fail-on-warning",
    ]  # fmt: skip
    try:
        completed = subprocess.run(
            command, cwd=effective.parent, env=env, capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(api.generator_config, f"cannot run openapi-python-client: {exc}") from None
    output = completed.stdout + "\n" + completed.stderr
    if completed.returncode != 0 or not package_dir.is_dir():
        where = f"{api.spec} + {api.overlay}"
        rejected = _validation_problems(output)
        if rejected:
            raise GeneratorRejectedError(
                where, [f"the generator rejects the effective spec at {place}: {what}" for place, what in rejected]
            )
        raise ToolchainError(
            where, f"openapi-python-client failed (exit {completed.returncode}): {_first_problem(output)}"
        )
    for cache in package_dir.rglob("__pycache__"):
        shutil.rmtree(cache)
    shutil.rmtree(package_dir / ".ruff_cache", ignore_errors=True)


class GeneratorRejectedError(ToolchainError):
    """The generator refused the effective spec: one ``where: problem`` line per place it names."""

    def __init__(self, where: str, problems: list[str]) -> None:
        super().__init__(where, problems[0])
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(f"{self.where}: {problem}" for problem in self.problems)


_UNION_BRANCH = re.compile(
    r"\.(?:str-enum|list|literal|function-[a-z]+|constrained-[a-z]+)\[.*$|\.(?:Reference|Schema)$"
)
_PYDANTIC_TAIL = re.compile(r"\s*\[type=[^,\]]+(?:, input_value=(?P<value>.*?), input_type=[^\]]+)?\]\s*$")


def _validation_problems(output: str) -> list[tuple[str, str]]:
    """``(place, message)`` for each error of the generator's "N validation errors for OpenAPI" block.

    The generator's summary line ("Failed to parse OpenAPI document") names nothing; its pydantic
    block names the place (``paths./x.get.parameters.0.other.schema.other.minimum``).  The
    ``other`` steps and union branches are its model's, not the document's, so they are dropped,
    and a place reported once per union branch is reported once.
    """
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"^\d+ validation errors? for ", line)), None)
    if start is None:
        return []
    problems: dict[str, str] = {}
    index = start + 1
    while index < len(lines):
        place_line = lines[index]
        if not place_line.strip():
            break
        if place_line.startswith(" "):
            index += 1
            continue
        message = lines[index + 1].strip() if index + 1 < len(lines) else ""
        place = _UNION_BRANCH.sub("", place_line.strip())
        place = ".".join(step for step in place.split(".") if step != "other")
        tail = _PYDANTIC_TAIL.search(message)
        if tail:
            value = tail["value"]
            message = message[: tail.start()] + (f" (got {value})" if value is not None else "")
        problems.setdefault(place, message)
        index += 2
    return list(problems.items())


def _first_problem(output: str) -> str:
    """The generator's first warning or error, squeezed onto one line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        lowered = line.lower()
        if (
            lowered.startswith(("warning parsing", "error", "unable", "cannot", "could not", "skipping integration"))
            or "traceback" in lowered
        ):
            detail = next((nxt for nxt in lines[index + 1 : index + 3] if not nxt.startswith(("{", "}"))), "")
            return f"{line} {detail}".strip()
    return lines[-1] if lines else "no output"


def build_tree(manifest: Manifest, stage: Path) -> list[str]:
    """Build the complete ``generated/`` tree for every API into ``stage``."""
    warnings: list[str] = []
    rows = []
    for api in manifest.apis:
        warnings.extend(build_api(api, stage))
        rows.append(f"| {api.title} (`{api.name}`) | `{api.package}` | `{api.effective_spec_name}` |\n")
    (stage / "README.md").write_text(_README + "".join(rows), encoding="utf-8")
    return warnings


def provenance_problems(manifest: Manifest) -> list[str]:
    """Vendored specs whose bytes no longer match the sha256 the manifest records, one line each."""
    problems = []
    for api in manifest.apis:
        actual = sha256_file(api.spec_path)
        if actual != api.provenance.sha256:
            problems.append(
                f"{api.spec}: sha256 {actual[:12]}… is not the {api.provenance.sha256[:12]}… recorded in "
                f"specs/manifest.toml, so it was edited by hand (regenerating cannot fix that): revert it "
                f"(git checkout -- {api.spec}) and fix upstream's mistakes in {api.overlay}, or vendor an "
                f"upstream copy and record it (nox -s spec-drift -- --write, or its date and sha256 in the manifest)"
            )
    return problems


def require_provenance(manifest: Manifest) -> None:
    """Refuse to compile a vendored spec that is not the copy the manifest records.

    Each spec is parsed first, so a malformed one is reported as such (file, line) rather than as
    a checksum mismatch.  Raised before anything is generated: ``generated/`` stays untouched.
    """
    for api in manifest.apis:
        load_openapi(api.spec_path, api.spec)
    problems = provenance_problems(manifest)
    if problems:
        raise ProvenanceError(problems)


class ProvenanceError(ToolchainError):
    """Vendored specs edited by hand: one line per spec."""

    def __init__(self, problems: list[str]) -> None:
        where, _, what = problems[0].partition(": ")
        super().__init__(where, what)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


def stamp_problems(manifest: Manifest, generated: Path) -> list[str]:
    """Committed stamps whose recorded inputs differ from the current ones."""
    problems = []
    for api in manifest.apis:
        path = generated / api.package / STAMP_NAME
        label = f"{GENERATED}/{api.package}/{STAMP_NAME}"
        try:
            stamp = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{label}: missing")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{label}: malformed JSON: {exc}")
            continue
        expected = expected_stamp(api)
        for key in ("toolchain", "inputs"):
            if stamp.get(key) != expected[key]:
                stale = _stale_entries(stamp.get(key), expected[key])
                problems.append(f"{label}: stale stamp, {key} changed: {stale}")
    return problems


def _stale_entries(recorded: object, current: object) -> str:
    if not isinstance(recorded, dict) or not isinstance(current, dict):
        return "unreadable"
    return ", ".join(sorted(key for key in current if recorded.get(key) != current[key])) or "unreadable"


def regenerate(root: Path = ROOT) -> Outcome:
    """Rebuild ``root/generated`` atomically; return what changed."""
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    target = root / GENERATED
    stage = Path(tempfile.mkdtemp(prefix=".generated-new-", dir=root))
    stage.chmod(0o755)  # mkdtemp makes it private; generated/ is an ordinary directory
    old = root / f".generated-old-{os.getpid()}"
    try:
        require_provenance(manifest)
        warnings = build_tree(manifest, stage)
        diff = compare_trees(target, stage)
        outcome = Outcome(tuple(warnings), diff.summary(), render_diff(diff, target, stage, GENERATED))
        if diff:
            if target.exists():
                target.rename(old)
            try:
                stage.rename(target)
            except OSError:
                if old.exists():
                    old.rename(target)
                raise
        return outcome
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def check(root: Path = ROOT) -> Outcome:
    """Build into a temporary directory and compare with the committed tree."""
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    target = root / GENERATED
    require_provenance(manifest)
    with tempfile.TemporaryDirectory(prefix="invoice-clients-check-") as tmp:
        stage = Path(tmp)
        warnings = build_tree(manifest, stage)
        problems = stamp_problems(manifest, target)
        diff = compare_trees(target, stage)
        return Outcome(tuple(warnings + problems), diff.summary(), render_diff(diff, target, stage, GENERATED))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="regenerate.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 with the diff if generated/ is not what the inputs produce",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        outcome = check(args.root) if args.check else regenerate(args.root)
    except ToolchainError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    if args.check:
        problems = [w for w in outcome.warnings if "stale stamp" in w or "missing" in w]
        for warning in outcome.warnings:
            print(f"{'error' if warning in problems else 'warning'}: {warning}", file=sys.stderr)
        if outcome.changed:
            print(outcome.diff, end="")
            print(f"\ngenerated/ is out of date with specs/ + overlays/:\n{outcome.summary}", file=sys.stderr)
            print("run `nox -s regenerate` and commit the result", file=sys.stderr)
        if outcome.changed or problems:
            return 1
        print("generated/ matches specs/ + overlays/", file=sys.stderr)
        return 0
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not outcome.changed:
        print("no changes")
        return 0
    print(f"changed files in generated/:\n{outcome.summary}\n")
    print(outcome.diff, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
