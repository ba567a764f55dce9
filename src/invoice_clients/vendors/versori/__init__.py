"""Versori Organisations API: an organisation's invoices over a date range (no paging), or its upcoming one."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..._exceptions import InvalidArgumentError
from ..._model.invoice import Invoice
from .._registry import CliOption, VendorPlugin, deferred, settings_of
from .client import AsyncVersori, Versori
from .wire import SANDBOX_PREFIX, check_organisation, resolve_range

__all__ = ["PLUGIN", "AsyncVersori", "Versori"]

_CLI_OPTIONS = (
    CliOption(
        "start", "--from", "First day, inclusive (Gcore: of the invoice date; Versori: of the billing period's start).",
        "date", "YYYY-MM-DD",
    ),
    CliOption("end", "--to", "Last day, inclusive.", "date", "YYYY-MM-DD"),
    CliOption("organisation", "--organisation", "Versori organisation id.", "str", "ORG_ID", repeat=True),
    CliOption("upcoming", "--upcoming", "Versori: the upcoming invoice.", "bool"),
)  # fmt: skip


def _cli_list(client: Versori, options: Mapping[str, Any]) -> Iterable[Invoice]:
    """The command line's listing: invoices whose billing period *starts* in the range (``select="starting"``), so
    that monthly exports hold each invoice once; several ``--organisation`` are one listing each, in the order
    given (the ``client_id`` column names each); refusals name the options, before anything is sent."""
    organisations = tuple(dict.fromkeys(options.get("organisation") or ()))
    if not organisations:
        raise InvalidArgumentError("--vendor versori needs --organisation")
    for organisation in organisations:
        check_organisation(organisation, "--organisation")
    start, end = options.get("start"), options.get("end")
    if options.get("upcoming"):
        if start is not None or end is not None:
            raise InvalidArgumentError("--upcoming takes no dates (--from, --to, --month, --last-month)")
        return itertools.chain.from_iterable(_upcoming(client, organisation) for organisation in organisations)
    start, end = resolve_range(start, end, today=client.invoices.today(), names=("--from", "--to"))
    return itertools.chain.from_iterable(
        client.invoices.list(organisation, start, end, select="starting") for organisation in organisations
    )


def _upcoming(client: Versori, organisation: str) -> list[Invoice]:
    found = client.invoices.upcoming(organisation)
    return [] if found is None else [found]


def _demo_steps(api: Any, out: Path) -> Sequence[Sequence[str]]:
    return [
        ["invoices", "list", "--vendor", "versori", "--organisation", "org_acme", "--from", "2026-01-01"],
        ["invoices", "list", "--vendor", "versori", "--organisation", "org_kuwait", "--from", "2026-01-01",
         "--format", "jsonl"],
    ]  # fmt: skip


def _describe(api: Any) -> str:
    organisations = sorted(api.invoices)
    text = f"(organisations {', '.join(organisations)})"
    if organisations:
        example = f"invoice-clients invoices list --vendor versori --organisation {organisations[0]} --from 2026-01-01"
        text += f"\n  try: {example}"
    return text


_SANDBOX = deferred(f"{__name__}.sandbox", "VersoriSandbox")

PLUGIN = VendorPlugin(
    name="versori",
    display_name="Versori",
    **settings_of(Versori),
    client=Versori,
    async_client=AsyncVersori,
    sandbox_prefix=SANDBOX_PREFIX,
    sandbox_base_path=SANDBOX_PREFIX,
    sandbox_api=lambda key, forbidden: _SANDBOX(api_key=key, forbidden_key=forbidden),
    seed=deferred(f"{__name__}.seed", "seed_versori"),
    cli_options=_CLI_OPTIONS,
    cli_list=_cli_list,
    cli_usage="only --organisation, --from, --to and --upcoming apply to --vendor versori",
    cli_listing_not_found="no such organisation there",
    describe_sandbox=_describe,
    demo_steps=_demo_steps,
)
