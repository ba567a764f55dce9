"""Gcore Billing Reseller API: ERP invoices (list, get, PDF), offset-paginated."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..._exceptions import InvalidArgumentError
from ..._model.invoice import UNPAID_STATES, Invoice
from ..._paging.listing import SortKey
from .._registry import CliOption, VendorPlugin, deferred, settings_of
from .cli import add_commands
from .client import AsyncGcoreBilling, GcoreBilling
from .sort_keys import sort_key
from .wire import CLI_LABELS, FILTERS, ORDERING_OPTION, SANDBOX_PREFIX, Filter, GcoreFilters

__all__ = ["PLUGIN", "AsyncGcoreBilling", "GcoreBilling"]


MAX_LISTINGS = 32
"""The most listings one command may merge (the product of the repeated filters' values): each is a pager of its
own, paging ahead, so a slip such as 40 currencies times 3 states is refused rather than sent."""
UNPAID_OPTION = CliOption(
    "unpaid", "--unpaid",
    f"Gcore: every state not fully paid ({', '.join(UNPAID_STATES)}): --payment-state for each.", "bool",
)  # fmt: skip


def _cli_list(client: GcoreBilling, options: Mapping[str, Any]) -> Iterable[Invoice]:
    """The command line's listing: checked first with its option names in any refusal.

    The API takes one value of each filter per request, so a repeated option (``--currency``, ``--client-id``,
    ``--payer-id``, ``--payment-state``; ``--unpaid`` is three states) means the union: one listing for each
    combination of the values given, merged in the requested ordering, each invoice once (see :func:`_merged`).
    """
    arguments: dict[str, Any] = {spec.name: options.get(spec.cli.name) for spec in FILTERS}
    arguments["ordering"] = options.get(ORDERING_OPTION.name)
    if options.get(UNPAID_OPTION.name):
        if arguments["payment_state"]:
            raise InvalidArgumentError(
                f"--unpaid and --payment-state: give one (--unpaid is {', '.join(UNPAID_STATES)})"
            )
        arguments["payment_state"] = UNPAID_STATES
    repeated = {spec.name: spec for spec in FILTERS if spec.cli.repeat}
    values = {name: _distinct(spec, arguments.pop(name) or ()) for name, spec in repeated.items()}
    filters = GcoreFilters.build(arguments, CLI_LABELS)
    combinations = list(itertools.product(*(found or (None,) for found in values.values())))
    if len(combinations) > MAX_LISTINGS:
        given = " x ".join(f"{len(found)} {repeated[name].cli.flag}" for name, found in values.items() if found)
        raise InvalidArgumentError(f"{given} is {len(combinations)} listings; at most {MAX_LISTINGS} in one run")
    listings = [client.invoices.list(**arguments, **dict(zip(values, chosen, strict=True))) for chosen in combinations]
    if len(listings) == 1:
        return listings[0]
    return _merged(listings, sort_key([item.value for item in filters.ordering]))


def _distinct(spec: Filter, given: Iterable[Any]) -> tuple[Any, ...]:
    """The values of a repeated filter, each checked (a refusal names the option) and given once (``eur`` and
    ``EUR`` are one currency)."""
    return tuple(dict.fromkeys(spec.check(spec.cli.flag, value) for value in given))


def _merged(listings: Sequence[Iterable[Invoice]], key: Callable[[Invoice], SortKey]) -> Iterator[Invoice]:
    """The listings (one per combination of repeated filters: the API takes one value each) merged in their common
    ordering, each invoice once.

    Each listing keeps its guarantee (every invoice matching it throughout that listing, exactly once); an
    invoice whose state changes from one requested state to another while they run could be in two listings,
    and is yielded once (the first time it is met).  One that moves into a requested state behind its listing's
    position may be missed, as by any single listing.
    """
    seen: set[str] = set()
    for invoice in heapq.merge(*listings, key=key):
        if invoice.id not in seen:
            seen.add(invoice.id)
            yield invoice


def _demo_steps(api: Any, out: Path) -> Sequence[Sequence[str]]:
    return [
        ["invoices", "list", "--vendor", "gcore", "--currency", "EUR", "--ordering", "-invoice_date"],
        ["invoices", "export", "--move-type", "out_refund", "-o", str(out / "credit-notes.csv")],
        ["invoices", "export", "--month", "2026-03", "--unpaid", "-o", str(out / "unpaid-{month}.csv")],
        ["invoices", "totals", "--unpaid", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "client"],
        ["invoices", "get", "1", "--format", "jsonl"],
        ["invoices", "pdf", "1", "-o", str(out / "invoice-1.pdf")],
        ["invoices", "pdf", "--month", "2026-03", "--dir", str(out / "pdfs-2026-03")],
    ]  # fmt: skip


_SANDBOX = deferred(f"{__name__}.sandbox", "GcoreSandbox")

PLUGIN = VendorPlugin(
    name="gcore",
    display_name="Gcore",
    **settings_of(GcoreBilling),
    client=GcoreBilling,
    async_client=AsyncGcoreBilling,
    sandbox_prefix=SANDBOX_PREFIX,
    sandbox_base_path="",
    sandbox_api=lambda key, forbidden: _SANDBOX(api_key=key, forbidden_key=forbidden),
    seed=deferred(f"{__name__}.seed", "seed_gcore"),
    cli_options=(*(spec.cli for spec in FILTERS), UNPAID_OPTION, ORDERING_OPTION),
    cli_list=_cli_list,
    cli_commands=add_commands,
    describe_sandbox=lambda api: f"({len(api.invoices)} invoices)",
    demo_steps=_demo_steps,
)
