"""Gcore Billing Reseller API: ERP invoices (list, get, PDF), offset-paginated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..._models import Invoice
from .._registry import VendorPlugin
from .cli import add_commands
from .client import AsyncGcoreBilling, GcoreBilling
from .wire import FILTERS, ORDERING_OPTION, SANDBOX_PREFIX

__all__ = ["PLUGIN", "AsyncGcoreBilling", "GcoreBilling"]


def _cli_list(client: GcoreBilling, options: Mapping[str, Any]) -> Iterable[Invoice]:
    arguments: dict[str, Any] = {spec.name: options.get(spec.cli.name) for spec in FILTERS}
    return client.invoices.list(**arguments, ordering=options.get(ORDERING_OPTION.name))


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
        ["invoices", "get", "1", "--format", "jsonl"],
        ["invoices", "pdf", "1", "-o", str(out / "invoice-1.pdf")],
    ]


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
