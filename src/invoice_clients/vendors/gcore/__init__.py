"""Gcore Billing Reseller API: ERP invoices (list, get, PDF), offset-paginated."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..._model.invoice import Invoice
from ..._paging.listing import SortKey
from .._registry import VendorPlugin
from .cli import add_commands
from .client import AsyncGcoreBilling, GcoreBilling
from .sort_keys import sort_key
from .wire import CLI_LABELS, FILTERS, ORDERING_OPTION, SANDBOX_PREFIX, GcoreFilters

__all__ = ["PLUGIN", "AsyncGcoreBilling", "GcoreBilling"]


def _cli_list(client: GcoreBilling, options: Mapping[str, Any]) -> Iterable[Invoice]:
    """The command line's listing: checked first with its option names in any refusal; several payment states
    (``--payment-state`` repeated) are one listing each, merged (see :func:`_merged`)."""
    arguments: dict[str, Any] = {spec.name: options.get(spec.cli.name) for spec in FILTERS}
    arguments["ordering"] = options.get(ORDERING_OPTION.name)
    states = tuple(dict.fromkeys(arguments.pop("payment_state") or ()))
    filters = GcoreFilters.build(arguments, CLI_LABELS)
    if len(states) <= 1:
        return client.invoices.list(**arguments, payment_state=states[0] if states else None)
    listings = [client.invoices.list(**arguments, payment_state=state) for state in states]
    return _merged(listings, sort_key([item.value for item in filters.ordering]))


def _merged(listings: Sequence[Iterable[Invoice]], key: Callable[[Invoice], SortKey]) -> Iterator[Invoice]:
    """The listings (one per payment state: the API takes one) merged in their common ordering, each invoice once.

    Each listing keeps its guarantee (every invoice in its state throughout that listing, exactly once); an
    invoice whose state changes from one requested state to another while they run could be in two listings,
    and is yielded once (the first time it is met).  One that moves into a requested state behind its listing's
    position may be missed, as by any single listing.
    """
    seen: set[str] = set()
    for invoice in heapq.merge(*listings, key=key):
        if invoice.id not in seen:
            seen.add(invoice.id)
            yield invoice


def _sandbox_api(key: str, forbidden: str) -> Any:
    from .sandbox import GcoreSandbox  # imported when a sandbox starts, not with the client

    return GcoreSandbox(api_key=key, forbidden_key=forbidden)


def _seed(api: Any) -> None:
    from .seed import seed_gcore

    seed_gcore(api)


def _demo_steps(api: Any, out: Path) -> Sequence[Sequence[str]]:
    return [
        ["invoices", "list", "--vendor", "gcore", "--currency", "EUR", "--ordering", "-invoice_date"],
        ["invoices", "export", "--move-type", "out_refund", "-o", str(out / "credit-notes.csv")],
        ["invoices", "export", "--month", "2026-03", "--payment-state", "not_paid", "--payment-state", "partial",
         "-o", str(out / "unpaid-2026-03.csv")],
        ["invoices", "get", "1", "--format", "jsonl"],
        ["invoices", "pdf", "1", "-o", str(out / "invoice-1.pdf")],
        ["invoices", "pdf", "--month", "2026-03", "--dir", str(out / "pdfs-2026-03")],
    ]  # fmt: skip


PLUGIN = VendorPlugin(
    name="gcore",
    display_name="Gcore",
    env_var=GcoreBilling.ENV_VAR,
    base_url_env_var=GcoreBilling.BASE_URL_ENV_VAR,
    default_base_url=GcoreBilling.DEFAULT_BASE_URL,
    client=GcoreBilling,
    async_client=AsyncGcoreBilling,
    sandbox_prefix=SANDBOX_PREFIX,
    sandbox_base_path="",
    sandbox_api=_sandbox_api,
    seed=_seed,
    cli_options=(*(spec.cli for spec in FILTERS), ORDERING_OPTION),
    cli_list=_cli_list,
    cli_commands=add_commands,
    describe_sandbox=lambda api: f"({len(api.invoices)} invoices)",
    demo_steps=_demo_steps,
)
