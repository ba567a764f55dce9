"""The API check: a break of the public API since the last release fails unless a breaking fragment names it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.manifest import ROOT
from tests.shared import requires_group

requires_group("test", "griffe")

from scripts.release import api  # noqa: E402 (after the group check)

GENERATED = shutil.ignore_patterns("gcore_billing_client", "versori_organisations_client", "__pycache__")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the API as it is in this tree: the last release, for these tests."""
    path = tmp_path_factory.mktemp("api") / "snapshot.json"
    assert api.main(["--refresh", "--snapshot", str(path)]) == 0
    return path


def _changed(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of src/ with each file's ``old`` text replaced by ``new``."""
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src", source, ignore=GENERATED)
    for name, (old, new) in edits.items():
        path = source / "invoice_clients" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return source


def _check(source: Path, snapshot: Path, fragments: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    fragments.mkdir(exist_ok=True)
    status = api.main(["--source", str(source), "--snapshot", str(snapshot), "--fragments", str(fragments)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_the_api_as_it_is_has_no_break(baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, said = _check(ROOT / "src", baseline, tmp_path / "none", capsys)
    assert (status, said.strip()) == (0, f"public API: 0 break(s) since the last release, all in the changelog "
                                         f"({', '.join(api.PUBLIC)})")  # fmt: skip


def test_a_removed_export_fails_until_a_breaking_fragment_names_it(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like ``invoice_clients.cli.app``, removed from ``cli.__all__`` with nobody told (issue 34)."""
    source = _changed(tmp_path, {"__init__.py": ('    "RetryPolicy",\n', "")})
    path = source / "invoice_clients" / "__init__.py"
    path.write_text(path.read_text().replace("from ._http.retry import RetryPolicy\n", ""))
    status, said = _check(source, baseline, tmp_path / "changelog.d", capsys)
    assert status == 1
    assert "error: `RetryPolicy`: RetryPolicy: Public object was removed" in said
    assert "error: 1 break(s) of the public API since the last release that no changelog.d/*.breaking.md names" in said
    (tmp_path / "changelog.d" / "31.changed.md").write_text("`RetryPolicy` is gone.\n")  # not marked breaking
    assert _check(source, baseline, tmp_path / "changelog.d", capsys)[0] == 1
    (tmp_path / "changelog.d" / "31.breaking.md").write_text("`invoice_clients.RetryPolicy` is gone: use X.\n")
    status, said = _check(source, baseline, tmp_path / "changelog.d", capsys)
    assert status == 0 and "breaking (in the changelog): `RetryPolicy`: RetryPolicy: Public object was removed" in said


def test_a_constructor_changed_in_a_private_module_is_the_public_names_break(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``SyncPager``/``AsyncPager`` share ``_Pager.__init__``: griffe follows the public names to it (issue 34's
    eebc02f comparison found their constructors changed that way)."""
    source = _changed(tmp_path, {"_model/money.py": ("def quantize(self)", "def quantize(self, places: int)")})
    status, said = _check(source, baseline, tmp_path / "changelog.d", capsys)
    assert (
        status == 1 and "error: `Money`: _model.money.Money.quantize(places): Parameter was added as required" in said
    )
    (tmp_path / "changelog.d" / "x.breaking.md").write_text("`Money.quantize()` now takes the places.\n")
    assert _check(source, baseline, tmp_path / "changelog.d", capsys)[0] == 0


def test_a_struct_whose_fields_are_reordered_is_a_break(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Money`` is a msgspec Struct, whose ``__init__`` griffe cannot see: ``scripts/docs_structs.py`` writes it, so
    that swapping its two fields (which breaks ``Money(Decimal("1"), "EUR")``) is reported."""
    fields = (
        '    amount: Decimal\n    """The exact amount, as many places as the vendor sent'
        ' (``Decimal("1512.500000000000")``); negative for a\n    credit note."""\n    currency: str\n'
    )
    swapped = "    currency: str\n    amount: Decimal\n"
    source = _changed(tmp_path, {"_model/money.py": (fields, swapped)})
    status, said = _check(source, baseline, tmp_path / "changelog.d", capsys)
    assert status == 1 and "error: `Money`: _model.money.Money.__init__(amount): Positional parameter was moved" in said


def test_the_committed_snapshot_reads_and_covers_the_four_public_modules() -> None:
    old, names = api._from_snapshot(api.SNAPSHOT.read_text(encoding="utf-8"))
    for module in api.PUBLIC:
        assert old.modules_collection.get_member(module).is_module
    public = {name for publics in names.values() for name in publics}
    assert {"GcoreBilling", "Money", "testing.Sandbox", "cli.main"} <= public
    assert not {"CursorPager", "testing.SandboxCore", "cli.build_program", "vendors.register"} & public  # issue 33


def test_the_committed_snapshot_names_no_machine_path() -> None:
    """The snapshot is compared on every machine: where the tree sat when it was written is not part of it."""
    text = api.SNAPSHOT.read_text(encoding="utf-8")
    assert '"filepath"' not in text and str(ROOT) not in text
