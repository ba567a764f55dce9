"""Gcore's seed: 30 invoices and credit notes over 2025-2026 for two clients, in EUR, USD and GBP, with totals
from tens to tens of thousands, negative credit notes, every payment state, and one draft without dates.

Fixed, so tests and demos are reproducible.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .sandbox import GcoreSandbox

__all__ = ["seed_gcore"]

_CURRENCIES = ("EUR", "USD", "GBP")
_STATES = ("not_paid", "in_payment", "paid", "partial")  # the seed's rotation (credit notes are "reversed")


def seed_gcore(gcore: GcoreSandbox) -> None:
    """Add the 30 seed invoices (ids 1-30)."""
    for n in range(1, 31):
        year, month = (2025, n) if n <= 12 else (2026, (n - 13) % 12 + 1)
        start = datetime.date(year, month, 1)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        refund = n % 7 == 0
        untaxed = Decimal(37 * n**2 + 19) + Decimal(n) / 100
        sign = Decimal(-1) if refund else Decimal(1)
        gcore.add_invoice(
            id=n,
            name=f"{'RINV' if refund else 'INV'}/{year}/{n:05d}",
            move_type="out_refund" if refund else "out_invoice",
            currency=_CURRENCIES[n % 3],
            invoice_date=end.isoformat(),
            invoice_date_due=(end + datetime.timedelta(days=30)).isoformat(),
            billing_period_from=start.isoformat(),
            billing_period_to=end.isoformat(),
            amount_untaxed=sign * untaxed,
            amount_tax=sign * (untaxed * Decimal("0.21")).quantize(Decimal("0.01")),
            amount_total=sign * (untaxed + (untaxed * Decimal("0.21")).quantize(Decimal("0.01"))),
            payment_state="reversed" if refund else _STATES[n % 4],
            client_id=4242 if n % 2 else 5151,
            payer_id=4242 if n % 2 else 9090,
            invoice_id=1000 + n,
            created_at=f"{end.isoformat()}T09:00:00Z",
            updated_at=f"{end.isoformat()}T09:30:00Z",
        )
    gcore.add_invoice(
        id=31,
        name="INV/DRAFT/00031",
        invoice_date=None,
        invoice_date_due=None,
        billing_period_from=None,
        billing_period_to=None,
        amount_untaxed="0",
        amount_tax="0",
        amount_total="0",
        invoice_id=None,
        created_at="2026-07-01T09:00:00Z",
        updated_at="2026-07-01T09:00:00Z",
    )
