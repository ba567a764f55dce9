"""``invoices totals``: what a listing adds up to, per currency (and per client, state or month with ``--by``).

A reconciliation without a spreadsheet pipeline: the same filters as ``export``, and exact sums of the amounts
*as the export writes them* (``--amounts minor``: each amount with its currency's places, then added), so the
totals are the column sums of that export to the last cent.  Amounts of different currencies are never added:
the currency is always part of a row's key.  Credit notes count negative (``--move-type out_invoice`` leaves them
out).  A column is empty for a group where any invoice lacks that amount (Versori sends only totals): never a
partial sum that looks whole.

Neither vendor's API says how much of a ``partial`` invoice is still due (only its full amounts), so the total of
``--unpaid`` is what the unpaid invoices were issued for, not what is still owed on them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .._model.invoice import Invoice
from .._model.money import Money
from ._amounts import Amounts
from ._grammar import UsageError
from ._workbook import Cell

__all__ = ["AMOUNT_COLUMNS", "GROUPS", "Total", "add_up", "group_keys", "total_cells", "total_columns"]


def _month(invoice: Invoice) -> str | None:
    """The month ``--month`` selects an invoice by: its invoice date's (Versori, with none: its period's start)."""
    day: datetime.date | None = invoice.issue_date or invoice.period_start
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


GROUPS: dict[str, tuple[str, Callable[[Invoice], str | None]]] = {
    "client": ("client_id", lambda invoice: invoice.client_id),
    "state": ("payment_state", lambda invoice: None if invoice.payment_state is None else str(invoice.payment_state)),
    "month": ("month", _month),
}
"""``--by`` names: each the column it adds (named as the export's) and the invoice's value for it."""
AMOUNT_COLUMNS = ("subtotal", "tax", "total")


def group_keys(given: Iterable[str]) -> tuple[str, ...]:
    """The ``--by`` values (each comma-separated, repeatable) as group names, each once, in the order given; a
    usage error naming the option for anything else."""
    names: dict[str, None] = {}
    for value in given:
        for name in value.split(","):
            name = name.strip()
            if name not in GROUPS:
                raise UsageError(f"--by: {name!r} is not one of {', '.join(GROUPS)}")
            names[name] = None
    return tuple(names)


def total_columns(by: Sequence[str]) -> tuple[str, ...]:
    """The columns of the totals of ``by``: the groups', the currency, the count, the amounts."""
    return (*(GROUPS[name][0] for name in by), "currency", "invoices", *AMOUNT_COLUMNS)


@dataclass(slots=True)
class Total:
    """One row: the group's key (``by``'s values, then the currency), how many invoices, and their sums (``None``
    where an invoice of the group had no such amount)."""

    key: tuple[str | None, ...]
    currency: str
    invoices: int = 0
    sums: dict[str, Money | None] = field(default_factory=dict)

    def add(self, invoice: Invoice, amounts: Amounts) -> None:
        """Count ``invoice`` and add its amounts as ``amounts`` writes them."""
        first = self.invoices == 0
        self.invoices += 1
        for name in AMOUNT_COLUMNS:
            money = getattr(invoice, name)
            if money is None:
                self.sums[name] = None
                continue
            written = Money(amounts.decimal(money), money.currency)
            if first:
                self.sums[name] = written
            elif (so_far := self.sums[name]) is not None:
                self.sums[name] = so_far + written


def add_up(invoices: Iterable[Invoice], by: Sequence[str], amounts: Amounts) -> list[Total]:
    """The totals of ``invoices`` per ``by`` and currency, sorted by key (an empty value last) and currency."""
    rows: dict[tuple[str | None, ...], Total] = {}
    for invoice in invoices:
        key = (*(GROUPS[name][1](invoice) for name in by), invoice.currency)
        total = rows.get(key)
        if total is None:
            total = rows[key] = Total(key[:-1], invoice.currency)
        total.add(invoice, amounts)
    return [rows[key] for key in sorted(rows, key=_sort_key)]


def _sort_key(key: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, value or "") for value in key)


def total_cells(total: Total) -> Iterator[Cell]:
    """One total as a row of cells, in :func:`total_columns` order."""
    yield from total.key
    yield total.currency
    yield total.invoices
    for name in AMOUNT_COLUMNS:
        money = total.sums.get(name)
        yield None if money is None else _unsigned_zero(money.amount)


def _unsigned_zero(amount: Decimal) -> Decimal:
    """A zero sum without its sign (credit notes that cancel their invoices add up to ``-0.00``)."""
    return amount if amount else amount.copy_abs()
