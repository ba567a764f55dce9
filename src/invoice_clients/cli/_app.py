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
:mod:`invoice_clients.cli._exit`).  The commands are data (:mod:`._grammar`), built
when the command runs, so a vendor registered before that has its options too.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import httpx

from .._base import SyncClientBase
from .._exceptions import InvoiceClientsError, RateLimitError
from .._models import Invoice
from .._security import _is_loopback, scrub_live, visible
from .._version import __version__
from ..vendors import CliOption, VendorPlugin, all_vendors, get
from ._exit import ExitCode, exit_code_for
from ._grammar import Argument, Command, Group, Option
from ._output import STDOUT, OutputFormat, open_output, write_invoices
from ._parser import run_program
from ._stdout import guarded, stdout_closed

__all__ = ["PROG", "VendorCommands", "build_program", "main"]

PROG = "invoice-clients"


def say(message: str) -> None:
    """One line of news on stderr (``wrote 31 invoices to q.csv``): plain text, whatever the terminal."""
    print(message, file=sys.stderr, flush=True)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``invoice-clients: error: message`` on stderr (one line) and exit with ``code``."""
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(int(code))


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
        raise SystemExit(stdout_closed())
    reason = error.strerror or str(error)
    where = "standard output" if path is None or str(path) == STDOUT else str(path)
    fail(f"cannot write {where}: {reason}", ExitCode.OUTPUT_FILE)


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
    from rich.console import Console  # only for a terminal: a pipe never loads it
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed} invoices"), TimeElapsedColumn())
    console = Console(stderr=True, highlight=False)
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("listing", total=None)
        for invoice in invoices:
            progress.advance(task)
            yield invoice


BASE_URL = Option(
    "base_url", ("--base-url",), "API base URL (default: the vendor's; or its *_BASE_URL).", metavar="URL"
)
OUTPUT = Option("output", ("--output", "-o"), "Write to this file instead of stdout (- for stdout).", "path", "FILE")
_FORMATS = tuple(str(member) for member in OutputFormat)


def format_option(default: OutputFormat) -> Option:
    """``-f/--format``, defaulting to ``default``."""
    return Option("output_format", ("--format", "-f"), "Output format.", "choice", choices=_FORMATS, default=default)


def _declared_options() -> dict[str, CliOption]:
    """Every vendor's listing options by flag; the first declaration of a flag names and documents it."""
    options: dict[str, CliOption] = {}
    for plugin in all_vendors():
        for option in plugin.cli_options:
            options.setdefault(option.flag, option)
    return options


def _filter_option(declared: CliOption) -> Option:
    kind: Any = declared.kind
    return Option(declared.name, (declared.flag,), declared.help, kind, declared.metavar, declared.choices)


def filter_options() -> tuple[Option, ...]:
    """``--vendor`` and every vendor's declared filters: the options of ``invoices list`` and ``export``."""
    vendors = tuple(plugin.name for plugin in all_vendors())
    vendor = Option("vendor", ("--vendor",), "Which API to read.", "choice", choices=vendors, default=vendors[0])
    return (vendor, *(_filter_option(option) for option in _declared_options().values()))


def _listing(
    vendor: str, output_format: OutputFormat, output: Path | None, base_url: str | None, given: Mapping[str, Any]
) -> None:
    """List with ``vendor``'s client; ``given`` holds every filter option by its ``dest`` (the vendor's name)."""
    plugin = get(vendor)
    own = {option.flag: option for option in plugin.cli_options}
    options: dict[str, Any] = {}
    foreign = []
    for flag, option in _declared_options().items():
        value = given.get(option.name)
        if value is None or value is False:
            continue
        if flag not in own:
            foreign.append(flag)
            continue
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
        say(f"wrote {count} invoices to {output}")


def _listing_command(name: str, default_format: OutputFormat, help_text: str) -> Command:
    def run(**given: Any) -> None:
        vendor, output_format = given.pop("vendor"), OutputFormat(given.pop("output_format"))
        _listing(vendor, output_format, given.pop("output"), given.pop("base_url"), given)

    vendor, *filters = filter_options()
    return Command(name, help_text, run, (vendor, format_option(default_format), OUTPUT, BASE_URL, *filters))


@dataclasses.dataclass(frozen=True, slots=True)
class VendorCommands:
    """What a vendor's ``cli_commands`` gets: a way to add commands under ``invoices``, and the shared pieces."""

    add_command: Callable[[Command], object]
    command: type[Command]
    option: type[Option]
    argument: type[Argument]
    output_format: type[OutputFormat]
    format_option: Callable[[OutputFormat], Option]
    base_url_option: Option
    client_for: Callable[[VendorPlugin, str | None], SyncClientBase]
    fail_for: Callable[[InvoiceClientsError], NoReturn]
    fail_output: Callable[[Path | None, OSError], NoReturn]
    scrubbed: Callable[[Iterable[Invoice]], Iterator[Invoice]]
    write_invoices: Callable[..., int]
    say: Callable[[str], None]


def _demo(directory: Path | None) -> int:
    from ._demo import run_demo

    return run_demo(directory)


def _sandbox(port: int, host: str) -> int:
    from ._serve import run_sandbox

    return run_sandbox(host, port)


_DEMO_DIR = "Where to write the demo's CSV and PDF (default: a new temporary directory, kept and printed)."


def build_program() -> Group:
    """The whole command tree, from the vendors registered now."""
    names = ", ".join(plugin.display_name for plugin in all_vendors())
    root = Group(PROG, f"Read invoices from {names}: list, export, fetch PDFs.", version=__version__)
    invoices = Group("invoices", "List, export and fetch invoices.")
    root.add(invoices)
    invoices.add(_listing_command("list", OutputFormat.TABLE, "List invoices (every page), as a table by default."))
    invoices.add(
        _listing_command("export", OutputFormat.CSV, "Export invoices, as CSV by default; -o writes a file atomically.")
    )
    context = VendorCommands(
        add_command=invoices.add, command=Command, option=Option, argument=Argument, output_format=OutputFormat,
        format_option=format_option, base_url_option=BASE_URL, client_for=client_for, fail_for=fail_for,
        fail_output=fail_output, scrubbed=_scrubbed, write_invoices=write_invoices, say=say,
    )  # fmt: skip
    for plugin in all_vendors():  # commands of one vendor (``invoices get``, ``invoices pdf``)
        if plugin.cli_commands is not None:
            plugin.cli_commands(context)
    root.add(
        Command(
            "demo", "Run the CLI against the offline sandbox: no account needed.", _demo,
            (Option("directory", ("--dir",), _DEMO_DIR, "path", "DIR"),),
        )
    )  # fmt: skip
    sandbox_options = (
        Option("port", ("--port",), "Port to listen on (default: a free one).", "int", "PORT", default=0),
        Option("host", ("--host",), "Loopback address to listen on.", "str", "HOST", default="127.0.0.1"),
    )
    sandbox_help = (
        "Serve the offline sandbox (every vendor's API) until Ctrl-C, printing the environment to point the CLI at it."
    )
    root.add(Command("sandbox", sandbox_help, _sandbox, sandbox_options))
    return root


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run ``argv`` (default ``sys.argv[1:]``) and exit with its status.

    Usage errors are one line (:mod:`._parser`); so is a failure to write standard output, and a closed one ends
    the command quietly (:mod:`._stdout`).
    """
    arguments = sys.argv[1:] if argv is None else argv
    try:
        status = guarded(lambda: run_program(build_program(), arguments, PROG))
    except KeyboardInterrupt:
        print(f"{PROG}: aborted", file=sys.stderr)
        status = int(ExitCode.INTERRUPTED)
    raise SystemExit(status)
