"""Versori's seed: ``org_acme`` (GBP, six monthly invoices with product lines, and an upcoming one),
``org_tokyo`` (JPY, no minor unit) and ``org_kuwait`` (KWD, three minor-unit digits).
"""

from __future__ import annotations

import datetime

from .sandbox import VersoriSandbox, monetary_value

__all__ = ["seed_versori"]


def seed_versori(versori: VersoriSandbox) -> None:
    """Add the seed organisations and their invoices."""
    for month in range(1, 7):
        start = datetime.date(2026, month, 1)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        versori.add_invoice(
            "org_acme",
            start,
            end,
            monetary_value(120 + month, 5 * month, "GBP"),
            products=[
                ("Integration runs", 1000 * month, monetary_value(100, 5 * month, "GBP")),
                ("Platform seat", 2, monetary_value(20 + month, 0, "GBP")),
            ],
        )
    versori.add_invoice(
        "org_acme", datetime.date(2026, 7, 1), datetime.date(2026, 7, 31), monetary_value(42, 50), upcoming=True
    )
    versori.add_invoice(
        "org_tokyo", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), monetary_value(15000, 0, "JPY")
    )
    versori.add_invoice(
        "org_kuwait", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), monetary_value(12, 5, "KWD")
    )
