"""The ``invoice-clients`` command: invoices to a terminal, a spreadsheet or a script.

    invoice-clients invoices list   --vendor NAME [its options]
    invoice-clients invoices export --vendor NAME --from 2026-01-01 -o q1.csv
    invoice-clients invoices get 42
    invoice-clients invoices pdf 42 -o invoice-42.pdf
    invoice-clients demo

Keys come from each vendor's ``*_API_KEY`` variable; its ``*_BASE_URL`` (or
``--base-url``) points at another server, such as the sandbox.  ``--vendor`` and
the listing options come from the vendor registry (:mod:`invoice_clients.vendors`).
Errors are one line on stderr with a documented exit code (see
:mod:`invoice_clients.cli._exit`).
"""

from __future__ import annotations

import dataclasses
import datetime
import errno
import inspect
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .._base import SyncClientBase
from .._exceptions import InvoiceClientsError, RateLimitError
from .._models import Invoice
from .._security import _is_loopback, scrub_live, visible
from .._version import __version__
from ..vendors import CliOption, VendorPlugin, all_vendors, get
from ._exit import ExitCode, exit_code_for
from ._output import STDOUT, OutputFormat, open_output, write_invoices
from ._stdout import guarded, stdout_closed
from ._usage import run_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="invoice-clients",
    help=f"Read invoices from {', '.join(p.display_name for p in all_vendors())}: list, export, fetch PDFs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
invoices_app = typer.Typer(help="List, export and fetch invoices.", no_args_is_help=True)
app.add_typer(invoices_app, name="invoices")

_stderr = Console(stderr=True, highlight=False)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``invoice-clients: error: message`` on stderr (one line) and exit with ``code``."""
    _stderr.print(f"invoice-clients: error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(int(code))


def fail_for(error: InvoiceClientsError) -> NoReturn:
    """One line for an error the facade raised, with the documented exit code."""
    message = str(error)
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        message += f" (retry after {error.retry_after:g} s)"
    fail(message, exit_code_for(error))


def fail_output(path: Path | None, error: OSError) -> NoReturn:
    """One line naming the user's file (never a temporary one; ``None`` or ``-``: standard output) for an output
    that cannot be written; nothing at all if its reader has gone (a closed pipe: ``| head``)."""
    if error.errno == errno.EPIPE:
        raise typer.Exit(stdout_closed())
    reason = error.strerror or str(error)
    where = "standard output" if path is None or str(path) == STDOUT else str(path)
    fail(f"cannot write {where}: {reason}", ExitCode.OUTPUT_FILE)


def _date(value: str | None, option: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _cli_checks(env_key: str, env_url: str, base_url: str | None) -> str | None:
    """The base URL to use, after the checks the facade also makes, worded for the command line.

    The facade's messages advise Python (``api_key=...``, ``allow_insecure_http=True``);
    a command-line user sets an environment variable or an option.  There is no
    ``--api-key`` on purpose: a key on the command line ends up in shell history
    and ``ps``.
    """
    if not os.environ.get(env_key, "").strip():
        fail(f"no API key: set {env_key} (invoice-clients sandbox prints a test key)", ExitCode.CREDENTIALS)
    url = base_url or os.environ.get(env_url) or None
    source = "--base-url" if base_url else env_url
    if url is not None:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError):
            fail(f"{source}: {url!r} is not a URL", ExitCode.USAGE)
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            fail(f"{source}: {url!r} is not an absolute http(s) URL", ExitCode.USAGE)
        if parsed.scheme == "http" and not _is_loopback(parsed.host):
            fail(
                f"{source}: refusing to send the API key over plain HTTP to {parsed.host}; use https "
                "(plain http only to this machine, e.g. the sandbox)",
                ExitCode.USAGE,
            )
    return url


def client_for(plugin: VendorPlugin, base_url: str | None) -> SyncClientBase:
    """``plugin``'s client, after the command line's own checks of its key and base URL."""
    return plugin.client(base_url=_cli_checks(plugin.env_var, plugin.base_url_env_var, base_url))


_TEXT_FIELDS = ("id", "number", "kind", "currency", "payment_state", "document_url")


def _safe(text: str) -> str:
    """``text``, unless it shows a key: then scrubbed (and made visible first, if that is what reveals it)."""
    scrubbed = scrub_live(text)
    if scrubbed != text:
        return scrubbed
    shown = visible(text)
    scrubbed_shown = scrub_live(shown)
    return text if scrubbed_shown == shown else scrubbed_shown


def _scrubbed(invoices: Iterable[Invoice]) -> Iterator[Invoice]:
    """The invoices, with any echo of the API key in their text replaced by ``***`` before it is printed.

    A hostile server can put the key in an invoice's number or URL (also split
    by invisible characters a terminal would drop); the library hands data back
    as received, but the command line never prints the key.  Each text is
    scrubbed once, and an invoice is copied only when something changed.
    """
    for invoice in invoices:
        changes: dict[str, object] = {}
        for name in _TEXT_FIELDS:
            value = getattr(invoice, name)
            if isinstance(value, str) and (safe := _safe(value)) != value:
                changes[name] = safe
        items = tuple(
            item
            if (safe := _safe(item.description)) == item.description
            else dataclasses.replace(item, description=safe)
            for item in invoice.line_items
        )
        if any(new is not old for new, old in zip(items, invoice.line_items, strict=True)):
            changes["line_items"] = items
        yield dataclasses.replace(invoice, **changes) if changes else invoice  # type: ignore[arg-type]


def _with_progress(invoices: Iterable[Invoice]) -> Iterator[Invoice]:
    """Count invoices on a stderr progress line, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield from invoices
        return
    columns = (SpinnerColumn(), TextColumn("{task.completed} invoices"), TimeElapsedColumn())
    with Progress(*columns, console=_stderr, transient=True) as progress:
        task = progress.add_task("listing", total=None)
        for invoice in invoices:
            progress.advance(task)
            yield invoice


BaseUrl = Annotated[
    str | None,
    typer.Option("--base-url", metavar="URL", help="API base URL (default: the vendor's; or its *_BASE_URL)."),
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to this file instead of stdout (- for stdout)."),
]


def _listing(
    vendor: str, output_format: OutputFormat, output: Path | None, base_url: str | None, given: Mapping[str, Any]
) -> None:
    """List with ``vendor``'s client; ``given`` holds every listing option by parameter name."""
    plugin = get(vendor)
    own = {option.flag: option for option in plugin.cli_options}
    options: dict[str, Any] = {}
    foreign = []
    for flag, option in _OPTIONS.items():
        value = given.get(option.name)
        if value is None or value is False:
            continue
        if flag not in own:
            foreign.append(flag)
            continue
        if own[flag].kind == "date":
            value = _date(value, flag)
        elif isinstance(value, StrEnum):
            value = value.value
        options[own[flag].name] = value
    if foreign:
        fail(plugin.cli_usage or f"{', '.join(foreign)}: not an option of --vendor {plugin.name}", ExitCode.USAGE)
    if plugin.cli_list is None:
        fail(f"--vendor {plugin.name} cannot list invoices", ExitCode.USAGE)
    try:
        with client_for(plugin, base_url) as client:
            rows = plugin.cli_list(client, options)
            with open_output(output, sys.stdout) as stream:
                count = write_invoices(_scrubbed(_with_progress(rows)), output_format, stream)
    except OSError as error:  # before InvoiceClientsError: LocalFileError is both
        fail_output(output, error)
    except InvoiceClientsError as error:
        fail_for(error)
    if output is not None and str(output) != STDOUT:
        _stderr.print(f"wrote {count} invoices to {output}", markup=False)


def _declared_options() -> dict[str, CliOption]:
    """Every vendor's listing options by flag; the first declaration of a flag names and documents it."""
    options: dict[str, CliOption] = {}
    for plugin in all_vendors():
        for option in plugin.cli_options:
            options.setdefault(option.flag, option)
    return options


_OPTIONS = _declared_options()
_VENDOR_NAMES = StrEnum("VendorName", {plugin.name: plugin.name for plugin in all_vendors()})  # type: ignore[misc]
_TYPES: dict[str, Any] = {"str": str | None, "int": int | None, "date": str | None, "bool": bool}


def _parameter(option: CliOption) -> inspect.Parameter:
    kind: Any = _TYPES.get(option.kind)
    if option.kind == "choice":
        choices = StrEnum(option.name, {choice: choice for choice in option.choices})  # type: ignore[misc]
        kind = choices | None
    info = typer.Option(option.flag, metavar=option.metavar, help=option.help)
    default = False if option.kind == "bool" else None
    return inspect.Parameter(
        option.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info]
    )


def _listing_command(default_format: OutputFormat, name: str, help_text: str) -> None:
    def command(**given: Any) -> None:
        vendor = given.pop("vendor")
        _listing(str(vendor.value), given.pop("output_format"), given.pop("output"), given.pop("base_url"), given)

    first = all_vendors()[0].name
    fixed = [
        ("vendor", Annotated[_VENDOR_NAMES, typer.Option(help="Which API to read.")], _VENDOR_NAMES(first)),
        ("output_format", Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")],
         default_format),
        ("output", Output, None),
        ("base_url", BaseUrl, None),
    ]  # fmt: skip
    parameters = [
        inspect.Parameter(pname, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        for pname, annotation, default in fixed
    ]
    parameters += [_parameter(option) for option in _OPTIONS.values()]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__name__ = name
    invoices_app.command(name, help=help_text)(command)


_listing_command(OutputFormat.TABLE, "list", "List invoices (every page), as a table by default.")
_listing_command(OutputFormat.CSV, "export", "Export invoices, as CSV by default; -o writes a file atomically.")


# Commands of one vendor (``invoices get``, ``invoices pdf``) are added by the vendor itself.
_CONTEXT = SimpleNamespace(
    invoices_app=invoices_app,
    BaseUrl=BaseUrl,
    OutputFormat=OutputFormat,
    client_for=client_for,
    fail_for=fail_for,
    fail_output=fail_output,
    scrubbed=lambda invoices: _scrubbed(invoices),
    write_invoices=write_invoices,
    stderr=_stderr,
)
for _plugin in all_vendors():
    if _plugin.cli_commands is not None:
        _plugin.cli_commands(_CONTEXT)


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            metavar="DIR",
            help="Where to write the demo's CSV and PDF (default: a new temporary directory, kept and printed).",
        ),
    ] = None,
) -> None:
    """Run the CLI against the offline sandbox: no account needed."""
    from ._demo import run_demo

    raise typer.Exit(run_demo(directory))


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on (default: a free one).")] = 0,
    host: Annotated[str, typer.Option(metavar="HOST", help="Loopback address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve the offline sandbox (every vendor's API) until Ctrl-C, printing the environment to point the CLI at it."""
    from ._serve import run_sandbox

    raise typer.Exit(run_sandbox(host, port))


def _show_version(value: bool) -> None:
    if value:
        print(f"invoice-clients {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Read invoices from vendor APIs: list, export to CSV/JSONL, fetch PDFs."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: usage errors are one line (see :mod:`invoice_clients.cli._usage`); so is a
    failure to write standard output, and a closed one ends the command quietly (:mod:`._stdout`)."""
    raise SystemExit(guarded(lambda: run_app(app, argv)))
