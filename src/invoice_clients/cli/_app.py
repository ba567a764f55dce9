"""The ``invoice-clients`` command: invoices to a terminal, a spreadsheet or a script.

    invoice-clients invoices list   --vendor NAME [its options]
    invoice-clients invoices export --month 2026-11 --payment-state not_paid --payment-state partial -o unpaid.csv
    invoice-clients invoices get 1
    invoice-clients invoices pdf 1 -o invoice-1.pdf
    invoice-clients invoices pdf --last-month --dir pdfs --skip-existing --quiet
    invoice-clients demo

Keys come from each vendor's ``*_API_KEY`` variable; its ``*_BASE_URL`` (or
``--base-url``) points at another server, such as the sandbox.  ``--vendor`` and
the listing options come from the vendor registry (:mod:`invoice_clients.vendors`).
Errors are one line on stderr with a documented exit code (see
:mod:`._exit`).  The commands are data (:mod:`._grammar`), built
when the command runs, so a vendor registered before that has its options too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import errno
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import httpx
import msgspec

from .._base import SyncClientBase
from .._exceptions import (
    AuthenticationError,
    InvoiceClientsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from .._http.proxies import PROXY_VARIABLES
from .._http.security import is_loopback
from .._http.trust import CA_VARIABLES, SYSTEM_CERTS_VARIABLE
from .._model.invoice import Invoice
from .._redaction import scrub_live, visible
from .._version import __version__
from ..vendors import CliOption, VendorPlugin, all_vendors, get
from ._amounts import Amounts, AmountStyle
from ._batch import (
    BATCH_HELP,
    DEFAULT_JOBS,
    DEFAULT_NAME,
    MAX_JOBS,
    Batch,
    NameTemplate,
    Outcome,
    describe,
    exit_status,
    prepare_directory,
    summary,
)
from ._exit import ExitCode, exit_code_for, exit_codes_help
from ._grammar import Argument, Command, Group, Option, UsageError
from ._output import (
    COLUMNS,
    STDOUT,
    OutputFormat,
    Written,
    open_binary_output,
    open_output,
    write_invoice_workbook,
    write_invoices,
    write_rows,
)
from ._parser import run_program
from ._period import PathTemplate, Period
from ._stdout import guarded, stdout_closed
from ._totals import GROUPS, add_up, group_keys, total_cells, total_columns
from ._workbook import write_workbook

__all__ = ["PROG", "VendorCommands", "build_program", "main"]

PROG = "invoice-clients"


def say(message: str) -> None:
    """One line of news on stderr (``wrote 31 invoices to q.csv``): plain text, whatever the terminal."""
    print(message, file=sys.stderr, flush=True)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``invoice-clients: error: message`` on stderr (one line) and exit with ``code``."""
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(int(code))


def fail_for(error: InvoiceClientsError, plugin: VendorPlugin | None = None, *, listing: bool = False) -> NoReturn:
    """One line for an error the facade raised, with the documented exit code, and what to do about it where the
    command line knows better than the library: the key's variable for a 401 or 403, and for a 404 on a
    ``listing`` (whose path is the API's own), that the base URL is probably wrong (exit code 9)."""
    message, code = str(error), exit_code_for(error)
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        message += f" (retry after {error.retry_after:g} s)"
    if plugin is not None:
        key, url = plugin.env_var, plugin.base_url_env_var
        if isinstance(error, AuthenticationError):
            message += (
                f"; {key} was refused: check that it is the whole key (echo ${{#{key}}} prints its length, not the "
                f"key), still valid, and for this server ({url} or --base-url)"
            )
        elif isinstance(error, PermissionDeniedError):
            message += f"; the key in {key} is valid but may not read this: use a key with access to these invoices"
        elif listing and isinstance(error, NotFoundError):
            if plugin.cli_listing_not_found:
                message += f"; {plugin.cli_listing_not_found}, or {url} (or --base-url) is wrong"
            else:
                message = f"{url} (or --base-url) is probably wrong: no invoice listing there ({message})"
                code = ExitCode.CONFIGURATION
    fail(message, code)


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
        if parsed.scheme == "http" and not is_loopback(parsed.host):
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
            else msgspec.structs.replace(item, description=safe)
            for item in invoice.line_items
        )
        if any(new is not old for new, old in zip(items, invoice.line_items, strict=True)):
            changes["line_items"] = items
        yield msgspec.structs.replace(invoice, **changes) if changes else invoice


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
OUTPUT = Option(
    "output", ("--output", "-o"),
    "Write to this file instead of stdout (- for stdout); {month}, {from}, {to} and {vendor} are filled in.",
    "path", "FILE",
)  # fmt: skip
QUIET = Option("quiet", ("--quiet", "-q"), "Print nothing on stderr but errors (no summary line): for cron.", "bool")
AMOUNTS = Option(
    "amounts", ("--amounts",),
    "minor: each amount with its currency's minor-unit places (6470.02 EUR; half-even where the vendor sent more "
    "significant places); exact: the vendor's decimal as sent (6470.020000000000).",
    "choice", choices=tuple(str(style) for style in AmountStyle), default=AmountStyle.MINOR,
)  # fmt: skip
MONTH = Option(
    "month", ("--month",), "A calendar month: the same as --from its first day and --to its last.", "month", "YYYY-MM"
)
LAST_MONTH = Option(
    "last_month", ("--last-month",), "The calendar month before this one (today in the local time zone).", "bool"
)
_TEXT_FORMATS = tuple(str(member) for member in OutputFormat if member is not OutputFormat.XLSX)
_FROM, _TO = "--from", "--to"


def format_option(default: OutputFormat, workbook: bool = False) -> Option:
    """``-f/--format``, defaulting to ``default``; ``xlsx`` among the choices when ``workbook`` (a listing's: the
    command writes it with :func:`write_invoice_workbook`)."""
    choices = (*_TEXT_FORMATS, str(OutputFormat.XLSX)) if workbook else _TEXT_FORMATS
    return Option("output_format", ("--format", "-f"), "Output format.", "choice", choices=choices, default=default)


def _declared_options() -> dict[str, CliOption]:
    """Every vendor's listing options by flag; the first declaration of a flag names and documents it."""
    options: dict[str, CliOption] = {}
    for plugin in all_vendors():
        for option in plugin.cli_options:
            options.setdefault(option.flag, option)
    return options


def _filter_option(declared: CliOption) -> Option:
    kind: Any = declared.kind
    return Option(
        declared.name, (declared.flag,), declared.help, kind, declared.metavar, declared.choices, repeat=declared.repeat
    )


def _has_dates(flags: Iterable[str]) -> bool:
    """Whether ``--from`` and ``--to`` are among ``flags``: then ``--month`` and ``--last-month`` apply."""
    return {_FROM, _TO} <= set(flags)


def filter_options() -> tuple[Option, ...]:
    """``--vendor``, ``--month``/``--last-month`` and every vendor's declared filters: the options of
    ``invoices list`` and ``export``."""
    vendors = tuple(plugin.name for plugin in all_vendors())
    vendor = Option("vendor", ("--vendor",), "Which API to read.", "choice", choices=vendors, default=vendors[0])
    declared = _declared_options()
    months = (MONTH, LAST_MONTH) if _has_dates(declared) else ()
    return (vendor, *months, *(_filter_option(option) for option in declared.values()))


def listing_options(plugin: VendorPlugin) -> tuple[Option, ...]:
    """The filters of one vendor's listing (``--month``/``--last-month`` first when it has dates), as ``invoices
    list`` names them: what a vendor's own command over a listing offers (``invoices pdf --dir``)."""
    declared = _declared_options()
    flags = [option.flag for option in plugin.cli_options]
    months = (MONTH, LAST_MONTH) if _has_dates(flags) else ()
    return (*months, *(_filter_option(declared[flag]) for flag in flags))


def _today() -> datetime.date:
    """Today in the local time zone: what "last month" is relative to."""
    return datetime.date.today()


def month_range(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``first``'s month."""
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first.replace(day=1), following - datetime.timedelta(days=1)


def last_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the calendar month before ``today``'s."""
    return month_range(today.replace(day=1) - datetime.timedelta(days=1))


def _range_pairs(declared: Mapping[str, CliOption]) -> list[tuple[CliOption, CliOption]]:
    """Declared date options that bound one range: ``--from``/``--to``, ``--X-from``/``--X-to``."""
    pairs = []
    for flag, option in declared.items():
        if option.kind == "date" and (flag == _FROM or flag.endswith("-from")):
            partner = declared.get(flag.removesuffix("from") + "to")
            if partner is not None and partner.kind == "date":
                pairs.append((option, partner))
    return pairs


def _is_given(value: Any) -> bool:
    return value is not None and value is not False and value != ()


def listing_filters(
    plugin: VendorPlugin, given: Mapping[str, Any], today: Callable[[], datetime.date] = _today
) -> dict[str, Any]:
    """The options to call ``plugin.cli_list`` with, by the vendor's names, from the values given (by ``dest``).

    ``--month``/``--last-month`` become ``--from``/``--to``; a month with either, both months, an inverted range
    and another vendor's option are usage errors naming the options (exit code 2), before anything is sent.
    """
    return selection(plugin, given, today)[0]


def selection(
    plugin: VendorPlugin, given: Mapping[str, Any], today: Callable[[], datetime.date] = _today
) -> tuple[dict[str, Any], Period]:
    """:func:`listing_filters`, and the period they select (what the summary line and ``{month}`` say)."""
    declared = _declared_options()
    values = {name: value for name, value in given.items() if name not in {MONTH.dest, LAST_MONTH.dest}}
    month, previous = given.get(MONTH.dest), given.get(LAST_MONTH.dest)
    chosen_by = ""
    if month is not None or previous:
        if month is not None and previous:
            fail(f"{MONTH.name} and {LAST_MONTH.name}: give one", ExitCode.USAGE)
        chosen_by = MONTH.name if month is not None else LAST_MONTH.name
        start, end = declared[_FROM].name, declared[_TO].name
        if _is_given(values.get(start)) or _is_given(values.get(end)):
            fail(f"{chosen_by} cannot be combined with {_FROM} or {_TO}: it sets both", ExitCode.USAGE)
        values[start], values[end] = month_range(month) if month is not None else last_month(today())
    for first, last in _range_pairs(declared):
        low, high = values.get(first.name), values.get(last.name)
        if low is not None and high is not None and low > high:
            fail(f"{first.flag} {low} is after {last.flag} {high}: the range is empty", ExitCode.USAGE)
    own = {option.flag: option for option in plugin.cli_options}
    options: dict[str, Any] = {}
    foreign = []
    for flag, option in declared.items():
        value = values.get(option.name)
        if not _is_given(value):
            continue
        if flag not in own:
            foreign.append(flag)
            continue
        options[own[flag].name] = value
    if foreign:
        fail(plugin.cli_usage or f"{', '.join(foreign)}: not an option of --vendor {plugin.name}", ExitCode.USAGE)
    if plugin.cli_list is None:
        fail(f"--vendor {plugin.name} cannot list invoices", ExitCode.USAGE)
    dates = (values.get(declared[_FROM].name), values.get(declared[_TO].name)) if _FROM in declared else (None, None)
    return options, Period(*dates, chosen_by=chosen_by)


def output_path(path: Path, option: str, values: Mapping[str, Any]) -> Path:
    """``path`` (``-o``, ``--dir``) with its placeholders filled in (see :mod:`._period`); ``-`` as it is.  A usage
    error ends the command for an unknown placeholder or one without a value."""
    if str(path) == STDOUT:
        return path
    try:
        return Path(PathTemplate(str(path), option).render(values))
    except UsageError as error:
        fail(str(error), ExitCode.USAGE)


def _rounded_note(written: Written) -> str:
    notes = []
    if written.rounded:
        amounts = "amount" if written.rounded == 1 else "amounts"
        notes.append(
            f"{written.rounded} {amounts} rounded half-even to the currency's minor unit; --amounts exact keeps them"
        )
    if written.as_text:
        amounts = "amount" if written.as_text == 1 else "amounts"
        notes.append(f"{written.as_text} {amounts} written as text: more digits than a spreadsheet's number holds")
    return f" ({'; '.join(notes)})" if notes else ""


def refuse_terminal(output: Path | None) -> None:
    """A usage error for a workbook bound for a terminal (binary: it would garble the screen)."""
    if (output is None or str(output) == STDOUT) and sys.stdout.isatty():
        fail(
            "--format xlsx: a workbook is a binary file: give -o FILE.xlsx (or redirect standard output)",
            ExitCode.USAGE,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _Listing:
    """What ``list``/``export`` and ``totals`` share: the vendor, the invoices selected, where the output goes."""

    plugin: VendorPlugin
    options: Mapping[str, Any]
    """The vendor's filters, for its ``cli_list``."""
    period: Period
    output_format: OutputFormat
    output: Path | None
    base_url: str | None
    amounts: AmountStyle
    quiet: bool

    @classmethod
    def of(cls, given: dict[str, Any]) -> _Listing:
        """The listing ``given`` (every option by its ``dest``) asks for: checked, its output path decided."""
        plugin = get(given.pop("vendor"))
        output_format, amounts = OutputFormat(given.pop("output_format")), AmountStyle(given.pop("amounts"))
        output, base_url, quiet = given.pop("output"), given.pop("base_url"), given.pop("quiet")
        options, period = selection(plugin, given)
        assert plugin.cli_list is not None  # selection said so otherwise
        if output is not None:
            output = output_path(output, OUTPUT.name, period.values(plugin.name))
        if output_format is OutputFormat.XLSX:
            refuse_terminal(output)
        return cls(plugin, options, period, output_format, output, base_url, amounts, quiet)

    @contextlib.contextmanager
    def invoices(self) -> Iterator[Iterator[Invoice]]:
        """The invoices, with a progress line; any failure, of the listing or the output, is the command's."""
        assert self.plugin.cli_list is not None
        try:
            with client_for(self.plugin, self.base_url) as client:
                yield _scrubbed(_with_progress(self.plugin.cli_list(client, self.options)))
        except OSError as error:  # before InvoiceClientsError: LocalFileError is both
            fail_output(self.output, error)
        except InvoiceClientsError as error:
            fail_for(error, self.plugin, listing=True)

    def report(self, done: str, written: Written) -> None:
        """Say on standard error what was done (``"wrote"``), unless ``--quiet``."""
        if self.quiet:
            return
        invoices = "invoice" if written.count == 1 else "invoices"
        text = " ".join(part for part in (f"{done} {written.count} {invoices}", self.period.describe()) if part)
        if self.output is not None and str(self.output) != STDOUT:
            say(f"{text} to {self.output}{_rounded_note(written)}")
        elif written.rounded or written.as_text:
            say(f"{text}{_rounded_note(written)}")


def _export(listing: _Listing) -> None:
    """``invoices list``/``export``: the invoices ``listing`` selects, written as it says."""
    with listing.invoices() as rows:
        if listing.output_format is OutputFormat.XLSX:
            with open_binary_output(listing.output, sys.stdout.buffer) as binary:
                written = write_invoice_workbook(rows, binary, listing.amounts)
        else:
            with open_output(listing.output, sys.stdout) as stream:
                written = write_invoices(rows, listing.output_format, stream, listing.amounts)
    listing.report("wrote", written)


_LISTING_EPILOG = f"""
--month, --last-month, --from and --to select Gcore invoices by invoice date, and Versori invoices by the start
of their billing period (so consecutive months never share an invoice; the API's own from/to would select
every period that overlaps the range). --currency, --client-id, --payer-id, --payment-state and --organisation
may be repeated, for the union: the APIs take one value per request, so each value (each combination, for
several) is a listing of its own, merged in the requested ordering, each invoice once. --unpaid is every
payment state not fully paid. Any other option given twice is an error.

-o takes {{month}}, {{from}}, {{to}} and {{vendor}} (-o unpaid-{{month}}.xlsx). For a spreadsheet, -f xlsx:
amounts are numbers at their currency's places, dates are dates, in any locale. The CSV is for tools: UTF-8 (no
byte-order mark), a header row, '.' as the decimal point.

Columns (csv, jsonl, xlsx):
  {", ".join(COLUMNS[:8])},
  {", ".join(COLUMNS[8:])}
"""


def environment_help() -> str:
    """The environment variables the command reads, as a ``--help`` epilog paragraph (docs/network.md says more)."""
    plugins = all_vendors()
    *proxies, no_proxy = PROXY_VARIABLES
    rows = (
        (", ".join(plugin.env_var for plugin in plugins), "the API keys (never an option: shell history shows those)"),
        (", ".join(plugin.base_url_env_var for plugin in plugins), "another server than the vendor's (or --base-url)"),
        (", ".join(proxies), "the proxy to go through: http://[user:password@]host:port"),
        (no_proxy, "hosts reached directly: .corp.example,10.0.0.0/8 (* for all)"),
        (", ".join(CA_VARIABLES), "the CA certificates to trust (a PEM file; a hashed directory)"),
        (f"{SYSTEM_CERTS_VARIABLE}=1", "trust the operating system's certificate store"),
    )
    width = max(len(name) for name, _ in rows) + 2
    return "\n".join(["Environment (proxy variables in lower case too):", *(f"  {n:<{width}}{t}" for n, t in rows)])


def _epilog() -> str:
    """What ends every command's ``--help``: the environment it reads, and its exit codes."""
    return f"{environment_help()}\n\n{exit_codes_help()}"


def _listing_command(name: str, default_format: OutputFormat, help_text: str) -> Command:
    def run(**given: Any) -> None:
        _export(_Listing.of(given))

    vendor, *filters = filter_options()
    options = (vendor, format_option(default_format, workbook=True), OUTPUT, AMOUNTS, QUIET, BASE_URL, *filters)
    return Command(name, help_text, run, options, epilog=f"{_LISTING_EPILOG}\n{_epilog()}")


def _totals(by: tuple[str, ...], given: dict[str, Any]) -> None:
    """``invoices totals``: the listing ``given`` selects, added up per currency and ``by`` (see :mod:`._totals`)."""
    try:
        groups = group_keys(by)
    except UsageError as error:
        fail(str(error), ExitCode.USAGE)
    listing = _Listing.of(given)
    amount = Amounts(listing.amounts)
    columns = total_columns(groups)
    with listing.invoices() as invoices:
        totals = add_up(invoices, groups, amount)
        rows = [list(total_cells(total)) for total in totals]
        if listing.output_format is OutputFormat.XLSX:
            with open_binary_output(listing.output, sys.stdout.buffer) as binary:
                as_text = write_workbook(binary, "totals", columns, rows)
        else:
            with open_output(listing.output, sys.stdout) as stream:
                write_rows(columns, rows, listing.output_format, stream)
            as_text = 0
    listing.report("added up", Written(sum(total.invoices for total in totals), amount.rounded, as_text))


_TOTALS_HELP = "Totals per currency (and client, state or month: --by) of what export would write: exact sums."
_TOTALS_EPILOG = """
The same filters as export. Each total is the exact sum of the amounts as export writes them (--amounts), so it
is the column sum of that export; currencies are never added together. Credit notes count negative. Neither API
says how much of a partial invoice is still due: a total of --unpaid is what those invoices were issued for.
--by client,state,month (or --by repeated) adds a column and a row per value: month is the invoice date's (for
Versori, the billing period's start), as --month selects.
"""


def _totals_command() -> Command:
    def run(**given: Any) -> None:
        _totals(given.pop("by"), given)

    vendor, *filters = filter_options()
    by = Option("by", ("--by",), f"Also group by {', '.join(GROUPS)} (comma-separated).", "str", "GROUPS", repeat=True)
    options = (vendor, by, format_option(OutputFormat.TABLE, workbook=True), OUTPUT, AMOUNTS, QUIET, BASE_URL, *filters)
    return Command("totals", _TOTALS_HELP, run, options, epilog=f"{_TOTALS_EPILOG}\n{_epilog()}")


def pdf_batch(
    plugin: VendorPlugin,
    base_url: str | None,
    given: Mapping[str, Any],
    batch: Batch,
    quiet: bool,
    download: Callable[[Any, Invoice, Path], int],
) -> int:
    """Every PDF of ``plugin``'s listing (``given``: its filters by ``dest``) into ``batch.directory``, fetched by
    ``download(client, invoice, path)``; returns the exit status (see :mod:`._batch`)."""
    if not 1 <= batch.jobs <= MAX_JOBS:
        fail(f"--jobs: {batch.jobs} is not between 1 and {MAX_JOBS}", ExitCode.USAGE)
    options, period = selection(plugin, given)
    assert plugin.cli_list is not None  # selection said so otherwise
    values = period.values(plugin.name)
    batch = dataclasses.replace(
        batch, directory=output_path(batch.directory, "--dir", values), names=batch.names.within(values)
    )
    try:
        prepare_directory(batch.directory)
    except OSError as error:
        fail_output(batch.directory, error)

    def report(outcome: Outcome) -> None:
        if outcome.code is not ExitCode.OK:
            print(f"{PROG}: error: {describe(outcome)}", file=sys.stderr, flush=True)

    try:
        with client_for(plugin, base_url) as client:
            planned = batch.plan(_scrubbed(_with_progress(plugin.cli_list(client, options))))
            outcomes = batch.run(planned, lambda invoice, path: download(client, invoice, path), report)
    except InvoiceClientsError as error:  # the listing failed: nothing is known to fetch
        fail_for(error, plugin, listing=True)
    if not quiet:
        say(summary(outcomes, batch.directory, period.describe()))
    return exit_status(outcomes)


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
    fail_for: Callable[..., NoReturn]
    """:func:`fail_for`: ``(error, plugin=None, *, listing=False)``."""
    fail_output: Callable[[Path | None, OSError], NoReturn]
    scrubbed: Callable[[Iterable[Invoice]], Iterator[Invoice]]
    write_invoices: Callable[..., Written]
    say: Callable[[str], None]
    fail: Callable[[str, ExitCode], NoReturn]
    quiet_option: Option
    listing_options: Callable[[VendorPlugin], tuple[Option, ...]]
    """The filters of a vendor's listing (``--month`` included), by the names :attr:`listing_filters` reads."""
    listing_filters: Callable[[VendorPlugin, Mapping[str, Any]], dict[str, Any]]
    """The given filter values, checked, as the vendor's ``cli_list`` takes them (usage errors end the command)."""
    epilog: str
    """The exit codes, for a command's ``--help``."""
    batch: type[Batch]
    name_template: type[NameTemplate]
    pdf_batch: Callable[..., int]
    """:func:`pdf_batch`: a listing's PDFs into a folder."""
    batch_help: str
    output_path: Callable[[Path, str, Mapping[str, Any]], Path]
    """:func:`output_path`: ``-o``/``--dir`` with its placeholders filled in (or a usage error)."""
    default_name: str
    default_jobs: int
    max_jobs: int
    usage: ExitCode = ExitCode.USAGE
    not_found: ExitCode = ExitCode.NOT_FOUND


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
    root = Group(PROG, f"Read invoices from {names}: list, export, fetch PDFs.", version=__version__, epilog=_epilog())
    invoices = Group("invoices", "List, export and fetch invoices.")
    root.add(invoices)
    invoices.add(_listing_command("list", OutputFormat.TABLE, "List invoices (every page), as a table by default."))
    invoices.add(
        _listing_command("export", OutputFormat.CSV, "Export invoices, as CSV by default; -o writes a file atomically.")
    )
    invoices.add(_totals_command())
    context = VendorCommands(
        add_command=invoices.add, command=Command, option=Option, argument=Argument, output_format=OutputFormat,
        format_option=format_option, base_url_option=BASE_URL, client_for=client_for, fail_for=fail_for,
        fail_output=fail_output, scrubbed=_scrubbed, write_invoices=write_invoices, say=say, fail=fail,
        quiet_option=QUIET, listing_options=listing_options, listing_filters=listing_filters,
        epilog=_epilog(), batch=Batch, name_template=NameTemplate, pdf_batch=pdf_batch,
        batch_help=BATCH_HELP, output_path=output_path, default_name=DEFAULT_NAME, default_jobs=DEFAULT_JOBS,
        max_jobs=MAX_JOBS,
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
