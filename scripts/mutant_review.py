"""Judging a mutmut run: which survivors are reviewed equivalents, each module's score, the table.

No I/O beyond reading the equivalents file: :mod:`scripts.mutants` runs mutmut and hands the outcome here.

A mutant is named by mutmut after its module, its function and a number
(``invoice_clients._http.retry.x_parse_retry_after__mutmut_17``); the number changes whenever the function gains
or loses a mutation point, and the dotted path changes when the file moves.  An equivalent is therefore
identified by what stays: its target's name, its function's qualified name and the mutation itself, the lines
as they were and as mutated (whitespace at the ends dropped), as in::

    [[equivalent]]
    target = "retry"
    function = "parse_retry_after"
    was = 'return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else None'
    now = 'return max(0.0, seconds) if seconds == seconds and seconds != float("INF") else None'
    reason = "float() reads infinity in any case: the same value"

An entry that matches no surviving mutant is stale (the mutant is killed now, or the code changed) and fails
the run: an allowance nobody needs would hide the next real survivor with the same shape.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts.errors import ToolchainError

__all__ = [
    "KILLED",
    "SURVIVED",
    "Equivalent",
    "Mutant",
    "Score",
    "function_of",
    "load_equivalents",
    "mutation_of",
    "render_table",
    "score",
    "toml_entry",
]

KILLED = frozenset({"killed", "timeout"})
"""mutmut's statuses that mean a test noticed the mutant (a timeout is a test that no longer ends)."""
SURVIVED = frozenset({"survived", "no tests"})
"""Statuses of a mutant no test noticed (``no tests``: none of the selected tests even reaches its function)."""


@dataclass(frozen=True, slots=True)
class Mutant:
    """One mutant as mutmut reported it."""

    name: str
    """mutmut's name, e.g. ``invoice_clients._http.retry.xǁRetryPolicyǁnext_delay__mutmut_3``."""
    status: str
    """mutmut's status: ``killed``, ``survived``, ``no tests``, ``timeout``, ..."""
    was: str = ""
    """The original lines the mutation changes (filled for survivors only)."""
    now: str = ""
    """The same lines, mutated."""

    @property
    def function(self) -> str:
        return function_of(self.name)


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A reviewed survivor: no test can tell it from the original, for ``reason``."""

    target: str
    function: str
    was: str
    now: str
    reason: str
    where: str
    """The entry's place in the equivalents file, for messages."""

    def matches(self, target: str, mutant: Mutant) -> bool:
        return (self.target, self.function, self.was, self.now) == (target, mutant.function, mutant.was, mutant.now)


@dataclass(frozen=True, slots=True)
class Score:
    """One module's outcome."""

    target: str
    mutants: int
    killed: int
    survived: tuple[Mutant, ...]
    """Survivors no equivalent covers."""
    equivalent: int
    unexpected: tuple[Mutant, ...]
    """Mutants in no known state (suspicious, segfault, not checked...): the run itself went wrong."""
    threshold: float

    @property
    def value(self) -> float:
        """(killed + listed equivalents) / mutants; 1.0 for a module with no mutants."""
        return (self.killed + self.equivalent) / self.mutants if self.mutants else 1.0

    @property
    def passed(self) -> bool:
        return self.value >= self.threshold and not self.unexpected


def function_of(mutant_name: str) -> str:
    """The qualified name of a mutant's function: ``RetryPolicy.next_delay``, ``parse_retry_after``."""
    mangled = mutant_name.rpartition(".")[2].partition("__mutmut_")[0]
    if mangled.startswith("xǁ"):
        _, cls, method = mangled.split("ǁ", 2)
        return f"{cls}.{method}"
    if mangled.startswith("x_"):
        return mangled[2:]
    raise ValueError(f"not a mutmut mutant name: {mutant_name!r}")


def mutation_of(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a unified diff (as ``mutmut show`` prints), each stripped, joined."""
    removed, added = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.append(line[1:].strip())
        elif line.startswith("+"):
            added.append(line[1:].strip())
    return "\n".join(removed), "\n".join(added)


def load_equivalents(path: Path) -> list[Equivalent]:
    """The entries of the equivalents file; a malformed one is a :class:`ToolchainError` naming it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ToolchainError(str(path), f"cannot read the equivalent mutants: {exc}") from None
    entries = data.get("equivalent", [])
    if set(data) - {"equivalent"} or not isinstance(entries, list):
        raise ToolchainError(str(path), "expected only [[equivalent]] tables")
    result = []
    fields = ("target", "function", "was", "now", "reason")
    for index, entry in enumerate(entries):
        where = f"{path}: equivalent[{index}]"
        if not isinstance(entry, dict) or set(entry) != set(fields):
            raise ToolchainError(where, f"needs exactly the keys {', '.join(fields)}")
        if not all(isinstance(entry[name], str) for name in fields) or not entry["reason"].strip():
            raise ToolchainError(where, "every key is a string, and the reason is not blank")
        result.append(
            Equivalent(**{name: entry[name].strip() for name in fields}, where=f"{where} ({entry['function']})")
        )
    return result


def score(
    target: str, mutants: Iterable[Mutant], equivalents: Sequence[Equivalent], threshold: float
) -> tuple[Score, list[Equivalent]]:
    """A module's score, and the equivalents of ``target`` that matched one of its survivors."""
    mine = [entry for entry in equivalents if entry.target == target]
    used: list[Equivalent] = []
    killed = equivalent = total = 0
    survived: list[Mutant] = []
    unexpected: list[Mutant] = []
    for mutant in mutants:
        total += 1
        if mutant.status in KILLED:
            killed += 1
        elif mutant.status == "survived" and (match := [e for e in mine if e.matches(target, mutant)]):
            equivalent += 1
            used += [entry for entry in match if entry not in used]
        elif mutant.status in SURVIVED:
            survived.append(mutant)
        else:
            unexpected.append(mutant)
    result = Score(target, total, killed, tuple(survived), equivalent, tuple(unexpected), threshold)
    return result, used


def render_table(scores: Sequence[Score]) -> str:
    """The per-module table: mutants, killed, survived, equivalent, score, threshold."""
    header = ("module", "mutants", "killed", "survived", "equivalent", "score", "threshold", "")
    rows = [header]
    for s in scores:
        verdict = "ok" if s.passed else "FAIL"
        rows.append(
            (
                s.target,
                str(s.mutants),
                str(s.killed),
                str(len(s.survived)),
                str(s.equivalent),
                f"{s.value:.1%}",
                f"{s.threshold:.0%}",
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def toml_entry(target: str, mutant: Mutant) -> str:
    """A ready-to-review ``[[equivalent]]`` entry for ``mutant`` (its reason left for the reviewer)."""
    return "\n".join(
        [
            "[[equivalent]]",
            f"target = {_toml_string(target)}",
            f"function = {_toml_string(mutant.function)}",
            f"was = {_toml_string(mutant.was)}",
            f"now = {_toml_string(mutant.now)}",
            'reason = ""',
        ]
    )


def _toml_string(text: str) -> str:
    if "\n" in text or "'" in text:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return f"'{text}'"
