"""The period a listing selects (``--month``, ``--last-month``, ``--from``/``--to``), as the summary line says it
and as file names take it: ``-o 'unpaid-{month}.csv'``, ``--dir 'pdfs/{month}'``, ``--name '{month}-{id}.pdf'``.

Placeholders: ``{month}`` (``2026-03``: the month chosen by ``--month`` or ``--last-month``, or one that
``--from``/``--to`` span exactly), ``{from}`` and ``{to}`` (the range's days, ``2026-03-01``), ``{vendor}``.  Dates
take a format (``{month:%Y%m}``, ``{from:%d.%m.%Y}``); ``{{`` and ``}}`` are braces.  An unknown placeholder, or one
the command's options do not give a value (``{month}`` with ``--from`` alone), is a usage error before anything
is sent: a cron job must never write every month to one literal ``unpaid-{month}.csv``.
"""

from __future__ import annotations

import datetime
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._grammar import UsageError

__all__ = ["PERIOD_FIELDS", "Month", "PathTemplate", "Period", "fields_of", "require"]

PERIOD_FIELDS = ("month", "from", "to", "vendor")
"""What ``-o``, ``--dir`` (and, with an invoice's own fields, ``--name``) may name."""


class Month(datetime.date):
    """A calendar month, held as its first day: ``2026-03`` unless a format is given (``{month:%Y%m}``)."""

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __format__(self, spec: str) -> str:
        return self.strftime(spec) if spec else str(self)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True, slots=True)
class Period:
    """The days a listing selects (either end may be open), and the option that chose them."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    chosen_by: str = ""
    """``--month``, ``--last-month``, or empty (``--from``/``--to``, or nothing)."""

    @property
    def month(self) -> Month | None:
        """The calendar month the period is exactly, if it is one."""
        start, end = self.start, self.end
        if start is None or end is None or start.day != 1 or _next_month(start) - datetime.timedelta(days=1) != end:
            return None
        return Month(start.year, start.month, 1)

    def describe(self) -> str:
        """How the summary line names it: ``for 2026-03``, ``for 2026-10 (last month)``, ``for
        2026-01-01..2026-03-31`` (an open end left out: ``for 2026-01-01..``), as the table's period column writes a
        range; empty for no dates."""
        month = self.month
        if month is not None:
            return f"for {month} (last month)" if self.chosen_by == "--last-month" else f"for {month}"
        if self.start is None and self.end is None:
            return ""
        return f"for {self.start or ''}..{self.end or ''}"

    def values(self, vendor: str) -> dict[str, Any]:
        """The placeholders' values (``None`` where the options give none)."""
        return {"month": self.month, "from": self.start, "to": self.end, "vendor": vendor}


def fields_of(template: str, option: str) -> list[str]:
    """The placeholders of ``template``; a usage error naming ``option`` if it is not a template."""
    try:
        return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as error:
        raise UsageError(f"{option}: {template!r} is not a template ({error}; {{{{ and }}}} are braces)") from None


_NEEDS = {
    "month": "--month or --last-month (or --from and --to spanning one calendar month)",
    "from": "--from (or --month, --last-month)",
    "to": "--to (or --month, --last-month)",
}


def require(option: str, field: str, value: object) -> None:
    """A usage error if a placeholder has no value in this run."""
    if value is None:
        raise UsageError(f"{option}: {{{field}}} needs {_NEEDS[field]}")


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """``-o``/``--dir`` with placeholders from :data:`PERIOD_FIELDS` (checked when made)."""

    template: str
    option: str

    def __post_init__(self) -> None:
        for field in fields_of(self.template, self.option):
            if field not in PERIOD_FIELDS:
                known = ", ".join("{" + name + "}" for name in PERIOD_FIELDS)
                raise UsageError(f"{self.option}: no placeholder {{{field}}}; the placeholders are {known}")

    def render(self, values: Mapping[str, Any]) -> str:
        """The path, every placeholder given its value; a usage error for one this run has no value for."""
        for field in fields_of(self.template, self.option):
            require(self.option, field, values.get(field))
        try:
            return string.Formatter().vformat(self.template, (), values)
        except (ValueError, TypeError) as error:  # a format the value does not take
            raise UsageError(f"{self.option}: {self.template!r}: {error}") from None
