"""The version, the version policy and the changelog: what the next release is called and what it says.

    python -m scripts.release.changelog next            # the next release's version, and why
    python -m scripts.release.changelog prepare [X.Y.Z] # write it: CHANGELOG.md, _version.py, fragments consumed
    python -m scripts.release.changelog notes X.Y.Z     # that release's section of CHANGELOG.md (release notes)
    python -m scripts.release.changelog check [--tag vX.Y.Z]  # fragments readable; CHANGELOG names the version

**One version source**: ``src/invoice_clients/_version.py``.  The build reads it (``[tool.hatch.version]``), the
package and the command line import it, and :func:`prepare` rewrites it.

**The changelog** is for users: ``CHANGELOG.md``, one section per release (``## 0.2.0 - 2027-01-15``), written
from fragments.  Each change that users notice adds one file to ``changelog.d/``, ``<name>.<type>.md`` (a
sentence or two in users' words; ``type`` is one of :data:`TYPES`), so that concurrent pull requests (the drift
bot's included) never edit the same lines.  :func:`prepare` gathers them into the release's section and deletes
them.  The first release's section was written by hand, as ``## 0.1.0 - unreleased``: while the newest section is
the current version, unreleased, the next release *is* that version and the fragments join its section.

**The version policy** (before 1.0.0): a breaking change to the facade's API, or a breaking upstream change,
bumps the minor version (0.1.x -> 0.2.0); anything else bumps the patch version.  From 1.0.0 on, a breaking change
bumps the major version.  A change is breaking when its fragment's type is ``breaking``.

Standard library only: the scheduled spec-drift job (:mod:`scripts.drift.changelog`) runs on a Python with nox
alone.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CHANGELOG",
    "FRAGMENTS",
    "TYPES",
    "VERSION_FILE",
    "Fragment",
    "Release",
    "Version",
    "bump_kind",
    "fragments",
    "main",
    "next_release",
    "notes",
    "prepare",
    "read_version",
    "sections",
]

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = ROOT / "CHANGELOG.md"
FRAGMENTS = ROOT / "changelog.d"
VERSION_FILE = ROOT / "src" / "invoice_clients" / "_version.py"
TYPES = {
    "breaking": "Breaking changes",
    "security": "Security",
    "added": "Added",
    "changed": "Changed",
    "fixed": "Fixed",
}
"""Fragment types, in the order a section lists them, and their headings."""
UNRELEASED = "unreleased"

_FRAGMENT = re.compile(rf"^(?P<name>[A-Za-z0-9][A-Za-z0-9._+-]*)\.(?P<type>{'|'.join(TYPES)})\.md$")
_VERSION_LINE = re.compile(r'^__version__ = "(?P<version>[^"]+)"$', re.MULTILINE)
_HEADING = re.compile(r"^## (?P<version>\d+\.\d+\.\d+) - (?P<date>\d{4}-\d{2}-\d{2}|unreleased)$", re.MULTILINE)


@dataclass(frozen=True, order=True)
class Version:
    """A release number ``MAJOR.MINOR.PATCH`` (pre-releases are not part of the policy)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a version MAJOR.MINOR.PATCH")
        return cls(*(int(part) for part in match.groups()))

    def bumped(self, kind: str) -> Version:
        if kind == "major":
            return Version(self.major + 1, 0, 0)
        if kind == "minor":
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def bump_kind(breaking: bool, current: Version) -> str:
    """The policy: ``minor`` for a breaking change before 1.0 (``major`` after), else ``patch``."""
    if breaking:
        return "minor" if current.major == 0 else "major"
    return "patch"


def read_version(path: Path = VERSION_FILE) -> Version:
    match = _VERSION_LINE.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f'{path}: no line __version__ = "X.Y.Z"')
    return Version.parse(match["version"])


def write_version(version: Version, path: Path = VERSION_FILE) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(_VERSION_LINE.sub(f'__version__ = "{version}"', text, count=1), encoding="utf-8")


@dataclass(frozen=True)
class Fragment:
    """One change, in users' words: ``changelog.d/<name>.<type>.md``."""

    path: Path
    name: str
    type: str
    text: str

    @property
    def breaking(self) -> bool:
        return self.type == "breaking"

    def bullet(self) -> str:
        lines = self.text.strip().splitlines()
        return "\n".join([f"- {lines[0]}", *(f"  {line}" if line.strip() else "" for line in lines[1:])])


def fragments(directory: Path = FRAGMENTS) -> list[Fragment]:
    """The fragments waiting for the next release, in section order; a file that is not one is an error."""
    found = []
    for path in sorted(directory.iterdir()) if directory.is_dir() else ():
        if path.name in {"README.md", ".gitkeep"}:
            continue
        match = _FRAGMENT.match(path.name)
        if match is None:
            kinds = ", ".join(TYPES)
            raise ValueError(f"{path}: not a changelog fragment: name it <name>.<type>.md, type one of {kinds}")
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise ValueError(f"{path}: empty: say in users' words what changed for them")
        found.append(Fragment(path, match["name"], match["type"], text))
    order = list(TYPES)
    return sorted(found, key=lambda fragment: (order.index(fragment.type), fragment.name))


@dataclass(frozen=True)
class Section:
    """A release's section of ``CHANGELOG.md``: its heading's version and date (``unreleased``), and its body."""

    version: Version
    date: str
    start: int  # offset of the heading in the text
    end: int  # offset where the next section starts (or the end)

    @property
    def released(self) -> bool:
        return self.date != UNRELEASED


def sections(text: str) -> list[Section]:
    """The sections of ``CHANGELOG.md``'s text, newest first (as written)."""
    headings = list(_HEADING.finditer(text))
    return [
        Section(
            Version.parse(h["version"]),
            h["date"],
            h.start(),
            headings[i + 1].start() if i + 1 < len(headings) else len(text),
        )
        for i, h in enumerate(headings)
    ]


@dataclass(frozen=True)
class Release:
    """What the next release is: its version, the bump that made it (``first`` for an unreleased version) and why."""

    version: Version
    bump: str
    reason: str


def next_release(current: Version, changelog: str, pending: list[Fragment]) -> Release | None:
    """The version the policy gives the next release, or ``None`` when there is nothing to release."""
    newest = next(iter(sections(changelog)), None)
    if newest is not None and newest.version == current and not newest.released:
        return Release(current, "first", f"{current} is not released yet: its section in CHANGELOG.md takes these")
    if not pending:
        return None
    breaking = [fragment.path.name for fragment in pending if fragment.breaking]
    kind = bump_kind(bool(breaking), current)
    if breaking:
        why = f"{', '.join(breaking)} {'is' if len(breaking) == 1 else 'are'} breaking"
    else:
        why = "no pending change is breaking"
    return Release(current.bumped(kind), kind, why)


def _merge(body: str, pending: list[Fragment]) -> str:
    """``body`` (a section's text under its heading) with each fragment's bullet added under its type's heading."""
    parts = re.split(r"^(### .+)$", body.strip("\n"), flags=re.MULTILINE)
    intro, blocks = parts[0].strip("\n"), {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts), 2)}
    order = list(blocks)
    for fragment in pending:
        heading = f"### {TYPES[fragment.type]}"
        if heading not in blocks:
            blocks[heading] = ""
            order.append(heading)
        blocks[heading] = "\n".join(filter(None, [blocks[heading], fragment.bullet()]))
    known = [f"### {title}" for title in TYPES.values()]
    order.sort(key=lambda h: known.index(h) if h in known else len(known))
    chunks = [intro] if intro else []
    chunks += [f"{heading}\n\n{blocks[heading]}" for heading in order]
    return "\n\n".join(chunks) + "\n"


def render(changelog: str, release: Version, date: str, pending: list[Fragment]) -> str:
    """``CHANGELOG.md`` with ``release``'s section dated ``date``: the unreleased one completed, or a new one."""
    found = next((s for s in sections(changelog) if s.version == release), None)
    if found is not None and found.released:
        raise ValueError(f"CHANGELOG.md already has {release}, released {found.date}")
    if found is None:
        first = next(iter(sections(changelog)), None)
        at = first.start if first is not None else len(changelog)
        block = f"## {release} - {date}\n\n{_merge('', pending)}\n"
        return changelog[:at] + block + changelog[at:]
    body = changelog[found.start : found.end].split("\n", 1)[1]
    block = f"## {release} - {date}\n\n{_merge(body, pending)}\n"
    return changelog[: found.start] + block + changelog[found.end :]


def prepare(
    version: Version | None = None,
    *,
    today: datetime.date | None = None,
    changelog: Path = CHANGELOG,
    directory: Path = FRAGMENTS,
    version_file: Path = VERSION_FILE,
) -> Release:
    """Cut the next release in the working tree: its section in ``CHANGELOG.md``, ``_version.py``; fragments gone."""
    current, text, pending = read_version(version_file), changelog.read_text(encoding="utf-8"), fragments(directory)
    planned = next_release(current, text, pending)
    if planned is None and version is None:
        raise ValueError(f"{directory}: no changelog fragment and {current} is released: nothing to release")
    release = planned if version is None else Release(version, "given", "named on the command line")
    assert release is not None
    if release.version < current or (release.version == current and release.bump != "first"):
        raise ValueError(f"{release.version} does not come after {current}")
    date = (today or datetime.datetime.now(datetime.UTC).date()).isoformat()
    changelog.write_text(render(text, release.version, date, pending), encoding="utf-8")
    write_version(release.version, version_file)
    for fragment in pending:
        fragment.path.unlink()
    return release


def notes(changelog: str, version: Version) -> str:
    """The body of ``version``'s section (its release notes), without the heading."""
    found = next((s for s in sections(changelog) if s.version == version), None)
    if found is None:
        raise ValueError(f"CHANGELOG.md has no section for {version}")
    return changelog[found.start : found.end].split("\n", 1)[1].strip() + "\n"


def check(tag: str | None = None) -> list[str]:
    """Problems with the changelog as it stands (empty when none); with ``tag``, the release it must describe."""
    problems: list[str] = []
    try:
        pending = fragments(FRAGMENTS)
        current = read_version(VERSION_FILE)
    except (OSError, ValueError) as exc:
        return [str(exc)]
    text = CHANGELOG.read_text(encoding="utf-8")
    listed = {section.version: section for section in sections(text)}
    if current not in listed:
        problems.append(f"CHANGELOG.md: no section for the current version {current} (src/invoice_clients/_version.py)")
    if tag is not None:
        try:
            tagged = Version.parse(tag)
        except ValueError as exc:
            return [*problems, f"tag {tag!r}: {exc}"]
        if tagged != current:
            problems.append(f"tag {tag} is not the version src/invoice_clients/_version.py names ({current})")
        elif current in listed and not listed[current].released:
            problems.append(f"CHANGELOG.md: {current} is still unreleased: run nox -s release -- prepare first")
        if pending:
            problems.append(f"changelog.d: {len(pending)} fragment(s) not in {current}'s notes: run prepare first")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release.changelog", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("next", help="the next release's version under the policy, and why")
    prepared = commands.add_parser("prepare", help="write the next release: CHANGELOG.md, _version.py")
    prepared.add_argument("version", nargs="?", help="X.Y.Z (default: the policy's)")
    shown = commands.add_parser("notes", help="a release's notes, from CHANGELOG.md")
    shown.add_argument("version", help="X.Y.Z or vX.Y.Z")
    checked = commands.add_parser("check", help="fragments readable; CHANGELOG.md names the current version")
    checked.add_argument("--tag", help="vX.Y.Z being released: it must be the current, prepared version")
    args = parser.parse_args(argv)
    try:
        if args.command == "next":
            current = read_version()
            planned = next_release(current, CHANGELOG.read_text(encoding="utf-8"), fragments())
            print(
                f"{planned.version} ({planned.bump}: {planned.reason})"
                if planned
                else f"nothing to release ({current})"
            )
        elif args.command == "prepare":
            release = prepare(Version.parse(args.version) if args.version else None)
            print(f"prepared {release.version} ({release.bump}: {release.reason}): CHANGELOG.md, {VERSION_FILE.name}")
        elif args.command == "notes":
            sys.stdout.write(notes(CHANGELOG.read_text(encoding="utf-8"), Version.parse(args.version)))
        else:
            problems = check(args.tag)
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1 if problems else 0
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
