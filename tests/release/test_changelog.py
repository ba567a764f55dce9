"""The version policy and the changelog: what the next release is called, what it says, and the one version source."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from scripts.manifest import ROOT
from scripts.release import changelog
from scripts.release.changelog import Version, bump_kind, fragments, next_release, notes, prepare, read_version

UNRELEASED = """# Changelog

## 0.1.0 - unreleased

The first release.

### Added

- The first things.
"""
RELEASED = """# Changelog

Intro.

## 0.1.0 - 2026-12-10

### Added

- The first things.
"""


def _tree(tmp_path: Path, text: str, **pending: str) -> tuple[Path, Path, Path]:
    log, directory, version = tmp_path / "CHANGELOG.md", tmp_path / "changelog.d", tmp_path / "_version.py"
    log.write_text(text, encoding="utf-8")
    directory.mkdir()
    for name, body in pending.items():
        (directory / name.replace("__", ".")).write_text(body, encoding="utf-8")
    version.write_text('"""v"""\n\n__version__ = "0.1.0"\n', encoding="utf-8")
    return log, directory, version


def test_the_changelog_names_the_current_version_and_its_fragments_read() -> None:
    assert changelog.check() == []
    current = read_version()
    assert f"## {current} - " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f'__version__ = "{current}"' in (ROOT / "src" / "invoice_clients" / "_version.py").read_text()


@pytest.mark.parametrize(
    ("breaking", "current", "kind"),
    [(True, "0.1.3", "minor"), (False, "0.1.3", "patch"), (True, "1.4.2", "major"), (False, "1.4.2", "patch")],
)
def test_the_policy_bumps_the_minor_version_for_a_break_before_one(breaking: bool, current: str, kind: str) -> None:
    assert bump_kind(breaking, Version.parse(current)) == kind
    assert str(Version.parse("0.1.3").bumped("minor")) == "0.2.0"
    assert str(Version.parse("0.1.3").bumped("patch")) == "0.1.4"


def test_after_a_release_a_breaking_fragment_makes_the_next_one_minor(tmp_path: Path) -> None:
    log, directory, version = _tree(
        tmp_path, RELEASED, **{"drift-gcore-billing-abc__breaking__md": "Gcore's invoice list no longer accepts `x`.\n",
                               "42__fixed__md": "`invoices pdf` keeps going after a failed download.\n"}
    )  # fmt: skip
    planned = next_release(Version(0, 1, 0), RELEASED, fragments(directory))
    assert planned is not None and (str(planned.version), planned.bump) == ("0.2.0", "minor")
    assert "drift-gcore-billing-abc.breaking.md is breaking" in planned.reason
    release = prepare(today=datetime.date(2027, 1, 15), changelog=log, directory=directory, version_file=version)
    assert str(release.version) == "0.2.0"
    assert read_version(version) == Version(0, 2, 0)
    assert list(directory.iterdir()) == []  # consumed
    text = log.read_text(encoding="utf-8")
    assert text.index("## 0.2.0 - 2027-01-15") < text.index("## 0.1.0 - 2026-12-10") > text.index("Intro.")
    section = notes(text, Version(0, 2, 0))
    assert section.index("### Breaking changes") < section.index("### Fixed")
    assert "- Gcore's invoice list no longer accepts `x`." in section
    assert notes(text, Version(0, 1, 0)) == "### Added\n\n- The first things.\n"


def test_a_non_breaking_fragment_makes_a_patch_and_none_makes_nothing(tmp_path: Path) -> None:
    _, directory, _ = _tree(tmp_path, RELEASED, **{"x__added__md": "Something.\n"})
    planned = next_release(Version(0, 1, 0), RELEASED, fragments(directory))
    assert planned is not None and str(planned.version) == "0.1.1"
    assert next_release(Version(0, 1, 0), RELEASED, []) is None


def test_before_the_first_release_fragments_join_the_unreleased_version(tmp_path: Path) -> None:
    """0.1.0 was written by hand as unreleased: a drift merge before that release goes into 0.1.0, not 0.1.1."""
    log, directory, version = _tree(
        tmp_path, UNRELEASED, **{"drift-gcore-billing-abc__added__md": "Gcore's invoice list accepts `order_by`.\n"}
    )
    planned = next_release(Version(0, 1, 0), UNRELEASED, fragments(directory))
    assert planned is not None and (str(planned.version), planned.bump) == ("0.1.0", "first")
    prepare(today=datetime.date(2026, 12, 20), changelog=log, directory=directory, version_file=version)
    after = log.read_text(encoding="utf-8")
    assert "## 0.1.0 - 2026-12-20" in after and "unreleased" not in after
    section = notes(after, Version(0, 1, 0))
    assert section.count("### Added") == 1 and section.rstrip().endswith("- Gcore's invoice list accepts `order_by`.")
    assert section.startswith("The first release.")


def test_a_release_tag_must_be_the_prepared_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log, directory, version = _tree(tmp_path, UNRELEASED)
    monkeypatch.setattr(changelog, "CHANGELOG", log)
    monkeypatch.setattr(changelog, "FRAGMENTS", directory)
    monkeypatch.setattr(changelog, "VERSION_FILE", version)
    assert changelog.check("v0.1.0") == ["CHANGELOG.md: 0.1.0 is still unreleased: run nox -s release -- prepare first"]
    assert "tag v0.2.0 is not the version" in changelog.check("v0.2.0")[0]
    assert "is not a version" in changelog.check("latest")[0]
    prepare(today=datetime.date(2026, 12, 20), changelog=log, directory=directory, version_file=version)
    assert changelog.check("v0.1.0") == []
    (directory / "late__fixed__md".replace("__", ".")).write_text("Late.\n")
    assert changelog.check("v0.1.0") == ["changelog.d: 1 fragment(s) not in 0.1.0's notes: run prepare first"]


def test_a_file_that_is_not_a_fragment_is_named(tmp_path: Path) -> None:
    _, directory, _ = _tree(tmp_path, RELEASED, **{"oops__feature__md": "x\n"})
    with pytest.raises(ValueError, match=r"oops\.feature\.md: not a changelog fragment: name it <name>\.<type>\.md"):
        fragments(directory)
    shutil.rmtree(directory)
    directory.mkdir()
    (directory / "empty.fixed.md").write_text("\n")
    with pytest.raises(ValueError, match=r"empty\.fixed\.md: empty"):
        fragments(directory)


def test_notes_for_a_version_the_changelog_lacks_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"no section for 9\.9\.9"):
        notes(RELEASED, Version(9, 9, 9))
