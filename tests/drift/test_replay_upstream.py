"""Every published revision of both upstream documents, judged by today's drift check.

``../shared/upstream/`` holds the vendors' real history (Gcore: 586 revisions in
three successive locations; Versori: 4).  The expected verdict of each revision
is derived at test time from the documents, relative to whatever is vendored,
never listed per file and never pinned to one vendored revision (the drift bot's
pull requests change what is vendored, and merging one must keep these green):

* Gcore's revisions fall in three groups, a fact of the history: before the ERP
  operations existed, with them but without ``order_by``, with ``order_by``; the
  two later groups differ, for a client, in ``order_by`` alone;
* before the ERP operations: breaking, exactly our three operations removed;
* a revision that means what the vendored spec means: no change;
* the two later groups' verdicts differ exactly by ``order_by``: added in one,
  removed in the other, whichever one the vendored spec is closer to;
* Versori: one meaning for a client throughout, so one verdict (no change when
  the vendored spec means it too), and every overlay action applies.

The changelog (``--history``) compares each revision with the one before, so
its table is a fact of the archive alone; only its last line, the newest
revision against the vendored spec, follows what is vendored, and is held to
the replay's own verdict of that revision.

Then ``--write`` absorbs the newest revision of each API in a throw-away copy of the
repository (starting, for Gcore, from the newest revision without ``order_by``, so
there is always something to absorb), ``check`` passes there, and the facade's
tests pass on the regenerated code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scripts.documents import load_overlay
from scripts.drift.check import ApiReport, DriftReport
from scripts.drift.history import Revision, judged, read_revisions
from scripts.fetch import fetch
from scripts.manifest import ROOT, Api, load_manifest
from scripts.overlay import apply_overlay
from scripts.regenerate import check
from scripts.specselect import find_operations, select
from scripts.yamlio import load_yaml
from tests.shared import requires_group, shared_path

from .conftest import Drift, tree_digest

requires_group("codegen", "openapi_python_client", "ruff")
pytestmark = pytest.mark.timeout(1200)  # the first test judges all 590 revisions (a session fixture): minutes

GCORE, VERSORI = "gcore-billing", "versori-organisations"
ARCHIVES = {GCORE: "gcore-billing-history.tar.xz", VERSORI: "versori-organisations-history.tar.xz"}
GCORE_LOCATIONS = {"services_documented": 388, "services_docs_mintlify": 190, "services_docs_mintlify_enriched": 8}
LIST = "v1_erp_invoices_list"
_DOCS = {"description", "summary", "example", "examples", "title", "externalDocs", "x-spec-enum-id"}


def _api(name: str) -> Api:
    (api,) = load_manifest(ROOT / "specs" / "manifest.toml").select(name)
    return api


@pytest.fixture(scope="session")
def histories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both archives unpacked (tarfile's ``data`` filter: no links out, no absolute paths) into a temp dir."""
    root = tmp_path_factory.mktemp("upstream")
    unpacked = {}
    for api, name in ARCHIVES.items():
        with tarfile.open(shared_path("upstream", name)) as archive:
            archive.extractall(root, filter="data")
        unpacked[api] = root / api
    return unpacked


@pytest.fixture(scope="session")
def replayed(histories: dict[str, Path]) -> dict[str, list[tuple[Revision, ApiReport]]]:
    """Every revision of each history with its drift report (judged once for the session)."""
    results: dict[str, list[tuple[Revision, ApiReport]]] = {}
    for api, folder in histories.items():
        results[api] = []
        for revision, _, outcome in judged(_api(api), read_revisions(folder)):
            assert isinstance(outcome, ApiReport), f"{revision.name}: {outcome}"
            results[api].append((revision, outcome))
    return results


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip(value) for key, value in node.items() if key not in _DOCS}
    if isinstance(node, list):
        return [_strip(value) for value in node]
    return node


def _meaning(document: dict[str, Any], api: Api) -> str:
    """The selection without documentation, info or tags: what a client could notice (``security: []`` at the
    top means what no ``security`` means: no global requirement)."""
    selected = select(document, api.operations)
    ignored = {"info", "tags"} | ({"security"} if selected.get("security") == [] else set())
    return json.dumps(_strip({k: v for k, v in selected.items() if k not in ignored}), sort_keys=True)


def _without_order_by(document: dict[str, Any]) -> dict[str, Any]:
    path, method, operation = find_operations(document)[LIST]
    parameters = [p for p in operation["parameters"] if p.get("name") != "order_by"]
    changed = {**operation, "parameters": parameters}
    item = {**document["paths"][path], method: changed}
    return {**document, "paths": {**document["paths"], path: item}}


def _status(report: ApiReport) -> int:
    return DriftReport([report]).exit_status


def _has_order_by(document: dict[str, Any]) -> bool:
    return any(p.get("name") == "order_by" for p in find_operations(document)[LIST][2].get("parameters", []))


def _group(api: Api, document: dict[str, Any]) -> str:
    if not set(api.operations) & find_operations(document).keys():
        return "before ERP"
    return "order_by" if _has_order_by(document) else "without order_by"


def test_every_gcore_revision_has_the_verdict_its_rule_expects(
    replayed: dict[str, list[tuple[Revision, ApiReport]]],
) -> None:
    api = _api(GCORE)
    vendored = _meaning(load_yaml(api.spec_path), api)
    vendored_without = _meaning(_without_order_by(load_yaml(api.spec_path)), api)
    locations = Counter(revision.name.split("/")[0] for revision, _ in replayed[GCORE])
    assert locations == GCORE_LOCATIONS
    groups: dict[str, list[tuple[Revision, ApiReport]]] = {}
    meanings: dict[str, set[str]] = {}
    for revision, report in replayed[GCORE]:
        document = report.fetched.document if report.fetched else {}
        group = _group(api, document)
        groups.setdefault(group, []).append((revision, report))
        if group != "before ERP":
            meanings.setdefault(group, set()).add(_meaning(document, api))
            without = _meaning(_without_order_by(document), api)
            assert without == _meaning(_without_order_by(groups[group][0][1].fetched.document), api), revision.name
    # Facts of the history: the three groups, and one meaning each for the two later ones.
    assert {group: len(members) for group, members in groups.items()} == {
        "before ERP": 238,
        "without order_by": 335,
        "order_by": 13,
    }
    assert {group: len(found) for group, found in meanings.items()} == {"without order_by": 1, "order_by": 1}
    wrong = []
    verdicts: dict[str, set[tuple[int, tuple[tuple[str, bool, str], ...]]]] = {}
    for group, members in groups.items():
        for revision, report in members:
            document = report.fetched.document if report.fetched else {}
            changes = tuple(sorted((c.kind, c.breaking, c.subject or c.location) for c in report.changes))
            verdicts.setdefault(group, set()).add((_status(report), changes))
            if group == "before ERP":
                expected = (2, tuple(sorted(("operation-removed", True, op) for op in api.operations)))
                if (_status(report), changes) != expected:
                    wrong.append((revision.name, group, _status(report), changes))
                continue
            if report.stale_overlays:
                wrong.append((revision.name, "overlay", [a.index for a in report.stale_overlays]))
            if _meaning(document, api) == vendored and (_status(report), changes) != (0, ()):
                wrong.append((revision.name, "means what is vendored", _status(report), changes))
    assert wrong == []
    # Revisions that mean the same are judged the same; the later groups differ by order_by alone.
    assert {group: len(found) for group, found in verdicts.items()} == {group: 1 for group in groups}
    ((with_status, with_changes),) = verdicts["order_by"]
    ((without_status, without_changes),) = verdicts["without order_by"]
    only_with = set(with_changes) - set(without_changes)
    only_without = set(without_changes) - set(with_changes)
    list_path = find_operations(load_yaml(api.spec_path))[LIST][0]
    order_by = f"GET {list_path} parameter query:order_by"
    if _has_order_by(load_yaml(api.spec_path)):  # the vendored spec has it: revisions without it removed it
        assert (only_with, only_without) == (set(), {("parameter-removed", True, order_by)})
    else:
        assert (only_with, only_without) == ({("parameter-added", False, order_by)}, set())
    if vendored_without in {
        _meaning(_without_order_by(members[0][1].fetched.document), api)
        for members in [groups["order_by"]]
        if members[0][1].fetched
    }:
        # The vendored spec means what one of the two groups means: that group is no change at all.
        assert (0, ()) in {(with_status, with_changes), (without_status, without_changes)}


def test_every_versori_revision_has_the_verdict_of_what_it_means(
    replayed: dict[str, list[tuple[Revision, ApiReport]]],
) -> None:
    api = _api(VERSORI)
    revisions = replayed[VERSORI]
    assert len(revisions) == 4
    meanings, verdicts = set(), set()
    for revision, report in revisions:
        document = report.fetched.document if report.fetched else {}
        assert "security" not in document, revision.name  # a fact of the history: published without it
        assert [a.status for a in report.overlays] == ["applies"] * len(report.overlays), revision.name
        meanings.add(_meaning(document, api))
        verdicts.add((_status(report), tuple(sorted(change.place for change in report.changes))))
    # A fact of the history: one meaning for a client throughout; so one verdict, whatever is vendored.
    assert len(meanings) == 1 and len(verdicts) == 1
    ((status, changes),) = verdicts
    if meanings == {_meaning(load_yaml(api.spec_path), api)}:
        assert (status, changes) == (0, ())
    else:  # the vendored spec is another revision (a newer one absorbed): every published one differs from it
        assert status in {1, 2} and changes


def test_history_is_a_changelog_of_what_upstream_did(
    drift_cli: Drift, replayed: dict[str, list[tuple[Revision, ApiReport]]]
) -> None:
    """Each revision against the one before: the same table whatever is vendored."""
    result = drift_cli("--history", shared_path("upstream", ARCHIVES[GCORE]), "--format", "json")
    data = result.json
    assert data["revisions"] == 586 and data["mode"] == "changelog"
    rows = [
        (
            step["revisions"],
            step["exit_status"],
            step["events"],
            sorted((c["kind"], c["breaking"]) for c in step["changes"]),
        )
        for step in data["timeline"]
    ]
    added = sorted(("operation-added", False) for _ in _api(GCORE).operations)
    assert rows == [
        (238, 0, ["first revision: 0 of the 3 operations"], []),
        (150, 1, [], added),
        (185, 0, ["moved from `gcore-billing/services_documented/` to `gcore-billing/services_docs_mintlify/`"], []),
        (5, 1, [], [("parameter-added", False)]),
        (
            8,
            0,
            ["moved from `gcore-billing/services_docs_mintlify/` to `gcore-billing/services_docs_mintlify_enriched/`"],
            [],
        ),
    ]
    steps = data["timeline"]
    assert steps[0]["first"] == "gcore-billing/services_documented/20250829T101207-641193ed7.yaml"
    assert steps[1]["first"] == "gcore-billing/services_documented/20260406T103731-4ef2a86d5.yaml"
    assert steps[3]["first"] == "gcore-billing/services_docs_mintlify/20260709T072430-607418582.yaml"
    assert steps[3]["changes"][0]["message"] == "optional parameter query:order_by was added"
    assert steps[-1]["last"].startswith("gcore-billing/services_docs_mintlify_enriched/20260820T")
    # The overlay: every action matches nothing before the operations exist, and all apply from then on.
    actions = len(load_overlay(_api(GCORE).overlay_path).actions)
    assert {o["to"] for o in steps[0]["overlays"]} == {"no-match"} and len(steps[0]["overlays"]) == actions
    assert {(o["from"], o["to"]) for o in steps[1]["overlays"]} == {("no-match", "applies")}
    # The exit status is the newest revision's verdict against the vendored spec (whatever it is), spelled out:
    # the verdict the replay gives that revision.
    newest = data["newest_against_vendored"]
    assert result.status == data["exit_status"] == newest["exit_status"]
    revision, report = replayed[GCORE][-1]
    assert steps[-1]["last"] == f"{GCORE}/{revision.name}"
    assert newest["exit_status"] == _status(report)
    assert sorted(c["location"] for c in newest["changes"]) == sorted(c.location for c in report.changes)
    markdown = drift_cli("--history", shared_path("upstream", ARCHIVES[VERSORI]))
    _, versori_newest = replayed[VERSORI][-1]
    assert markdown.status == _status(versori_newest)
    assert "| 4 | `versori-organisations/20240913T164326-2155eea.yaml`" in markdown.out
    assert "first revision: 1 of the 1 operation |" in markdown.out
    vendored_version = load_yaml(_api(VERSORI).spec_path)["info"]["version"]
    (against,) = [line for line in markdown.out.splitlines() if line.startswith("Against the vendored spec")]
    assert against.startswith(f"Against the vendored spec (info.version `{vendored_version}`): ")
    assert f"(exit {_status(versori_newest)});" in against


def test_history_against_the_vendored_spec_on_request(
    drift_cli: Drift, replayed: dict[str, list[tuple[Revision, ApiReport]]]
) -> None:
    result = drift_cli("--history", shared_path("upstream", ARCHIVES[GCORE]), "--against-vendored", "--format", "json")
    data = result.json
    assert data["mode"] == "against-vendored" and data["revisions"] == 586
    timeline = [(step["revisions"], step["exit_status"]) for step in data["timeline"]]
    # One line per run of revisions the replay judges alike against the vendored spec (whatever it is): before
    # the ERP operations, without order_by, with it; a line's exit status is its revisions' verdict.
    runs: list[tuple[int, int]] = []
    verdict: object = None
    for _, report in replayed[GCORE]:
        now = (_status(report), sorted((c.kind, c.location, c.subject) for c in report.changes))
        if now == verdict:
            runs[-1] = (runs[-1][0] + 1, runs[-1][1])
        else:
            runs.append((1, now[0]))
        verdict = now
    assert timeline == runs
    # Whatever is vendored, the three groups of the history are judged apart (they differ from each other).
    assert [count for count, _ in timeline] == [238, 335, 13]
    assert timeline[0] == (238, 2)  # before the ERP operations: all three operations removed
    assert result.status == timeline[-1][1]


def _newest(histories: dict[str, Path], api: str) -> Path:
    return max((p for p in histories[api].rglob("*.yaml")), key=lambda p: p.name)


def _clone(tmp_path: Path) -> Path:
    """The inputs --write touches, and what the facade tests import, copied: never the real repository."""
    clone = tmp_path / "clone"
    for name in ("specs", "overlays", "generated"):
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    return clone


def _facade_tests(clone: Path, *tests: str) -> subprocess.CompletedProcess[str]:
    """The facade's tests in a subprocess, importing the clone's generated packages first."""
    # The facade imports the generated packages as invoice_clients._generated.*, links to generated/: a copy of
    # src/ (links kept) in the clone makes them the clone's.
    shutil.copytree(ROOT / "src", clone / "src", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(clone / "src"), str(ROOT)])}
    probe = (
        "import os, invoice_clients._generated.versori_organisations_client as v; print(os.path.realpath(v.__file__))"
    )
    where = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert where.stdout.startswith(str((clone / "generated").resolve())), where.stdout
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_write_absorbs_the_newest_gcore_revision(drift_cli: Drift, histories: dict[str, Path], tmp_path: Path) -> None:
    """From the newest revision without ``order_by`` (vendored first, whatever main holds) to the newest."""
    clone = _clone(tmp_path)
    revisions = sorted(histories[GCORE].rglob("*.yaml"), key=lambda p: p.name)
    without = [p for p in revisions if _group(_api(GCORE), fetch(str(p)).document) == "without order_by"][-1]
    start = drift_cli("--api", GCORE, "--upstream", without, "--write", root=clone)
    assert start.status in {0, 1, 2}, start.err
    newest = _newest(histories, GCORE)
    result = drift_cli("--api", GCORE, "--upstream", newest, "--write", root=clone)
    assert result.status == 1, result.err
    assert "optional parameter query:order_by was added" in result.out
    assert (
        "order_by"
        in (clone / "generated" / "gcore_billing_client" / "api")
        .joinpath("erp_invoices", "v1_erp_invoices_list.py")
        .read_text()
    )
    outcome = check(clone)
    assert not outcome.changed and not outcome.warnings
    again = drift_cli("--api", GCORE, "--upstream", newest, "--format", "json", root=clone)
    assert (again.status, again.json["changes"]) == (0, [])
    assert {o["status"] for o in again.json["overlays"]} == {"applies"}
    # The manifest keeps the URL it watches; the provenance names it, not the local file's path.
    (api,) = load_manifest(clone / "specs" / "manifest.toml", clone).select(GCORE)
    assert api.upstream == _api(GCORE).upstream
    assert f"a local copy ({newest.name}) of {api.upstream}" in api.provenance.source
    assert str(newest.parent) not in (clone / "specs" / "manifest.toml").read_text()
    assert str(newest.parent) not in api.spec_path.read_text()
    done = _facade_tests(clone, "tests/vendors/gcore/test_gcore_operations.py")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_write_absorbs_the_newest_versori_revision_once(
    drift_cli: Drift, histories: dict[str, Path], tmp_path: Path, replayed: dict[str, list[tuple[Revision, ApiReport]]]
) -> None:
    """The newest revision: nothing to absorb when the vendored spec means it; else absorbed, and then nothing."""
    clone = _clone(tmp_path)
    before = tree_digest(clone)
    newest = _newest(histories, VERSORI)
    result = drift_cli("--api", VERSORI, "--upstream", newest, "--write", root=clone)
    _, report = replayed[VERSORI][-1]
    assert result.status == _status(report), result.err
    if result.status == 0:
        assert "--write: nothing to absorb" in result.out
        assert tree_digest(clone) == before
    else:
        assert "--write: vendored the upstream selection of versori-organisations" in result.out
    outcome = check(clone)
    assert not outcome.changed and not outcome.warnings
    written = tree_digest(clone)
    again = drift_cli("--api", VERSORI, "--upstream", newest, "--write", root=clone)
    assert (again.status, tree_digest(clone)) == (0, written)
    if written != before:  # regenerated: the facade's tests on that code
        done = _facade_tests(clone, "tests/vendors/versori/test_versori.py")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    # Otherwise nothing was regenerated (the tree is byte for byte the repository's), so the facade's own test
    # run already covers this code: no need to run it again here.


@pytest.mark.parametrize("name", [GCORE, VERSORI])
def test_every_overlay_action_applies_to_the_vendored_spec_and_the_newest_revision(
    name: str, histories: dict[str, Path]
) -> None:
    api = _api(name)
    overlay = load_overlay(api.overlay_path, api.overlay)
    newest = fetch(str(_newest(histories, name))).document
    for label, document in (("vendored", load_yaml(api.spec_path)), ("newest", newest)):
        _, actions = apply_overlay(select(document, api.operations), overlay, lenient=True)
        assert [(a.index, a.status) for a in actions] == [(a.index, "applies") for a in actions], label
        assert len(actions) == len(overlay.actions)
