"""``invoices pdf --dir DIR``: every PDF a listing selects, into one folder, without a shell loop.

The listing comes first, whole (its rows are small), so that every file name is known, and checked, before
anything is downloaded: two invoices the ``--name`` template gives one name, or a name that would be empty or
hidden, are a usage error (exit code 2) with nothing written.  Then the PDFs are fetched ``--jobs`` at a time
(default 4) through one client, each written as ``download_pdf(to=)`` writes a path (atomically: a failure
leaves no partial file).  A failure is one line on stderr naming the invoice, and the rest are still fetched;
the command then exits with the most serious failure's code (:data:`~._exit.SEVERITY`), else 0.  One summary
line on stderr at the end (not with ``--quiet``).

``--skip-existing`` keeps a file that already looks complete: a regular file of at least
:data:`MIN_PDF_BYTES`, starting with ``%PDF-`` and holding ``%%EOF`` in its last KiB (the same end marker the
download itself requires of a body without framing).  Anything else at the name is fetched again and replaced.
"""

from __future__ import annotations

import errno
import os
import stat
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._exceptions import InvoiceClientsError
from .._model.invoice import Invoice
from ._exit import SEVERITY, ExitCode, exit_code_for, worst
from ._grammar import UsageError
from ._period import PERIOD_FIELDS, fields_of, require

__all__ = [
    "BATCH_HELP",
    "DEFAULT_JOBS",
    "DEFAULT_NAME",
    "MAX_JOBS",
    "MIN_PDF_BYTES",
    "NAME_FIELDS",
    "Batch",
    "NameTemplate",
    "Outcome",
    "describe",
    "exit_status",
    "looks_complete",
    "path_safe",
    "prepare_directory",
    "summary",
]

DEFAULT_NAME = "{number}.pdf"
"""The invoice number made path-safe: ``INV/2026/00042`` is ``INV-2026-00042.pdf``."""
NAME_FIELDS = (
    "id", "number", "vendor", "kind", "payment_state", "client_id", "payer_id", "currency",
    "issue_date", "due_date", "period_start", "period_end",
)  # fmt: skip
"""What ``--name`` may use, each an :class:`~invoice_clients.Invoice` field (dates take a format:
``{issue_date:%Y-%m}``), besides the period's ``{month}``, ``{from}`` and ``{to}``."""
_TEMPLATE_FIELDS = (*NAME_FIELDS, *(name for name in PERIOD_FIELDS if name not in NAME_FIELDS))
DEFAULT_JOBS = 4
MAX_JOBS = 8
MIN_PDF_BYTES = len(b"%PDF-") + len(b"%%EOF")
_TAIL = 1024
_MAX_NAME_BYTES = 255  # a file name's limit on the usual file systems
_UNSAFE = frozenset('/\\:*?"<>|')


BATCH_HELP = f"""
With --dir, the listing is read first and every file name checked (two invoices given one name is an error,
before anything is fetched); then the PDFs are fetched --jobs at a time, each written atomically (no partial
file, ever). A failure is one line naming the invoice, and the rest are still fetched; the command then exits
with the most serious failure's code ({", then ".join(str(int(code)) for code in SEVERITY)}), else 0. A summary
line ends it (not with --quiet).

--name fields: {", ".join("{" + name + "}" for name in _TEMPLATE_FIELDS)}; dates take a format
({{issue_date:%Y-%m}}); {{month}}, {{from}} and {{to}} are the period selected, as in --dir. Each value is made
path-safe (INV/2026/00001 is INV-2026-00001). --skip-existing keeps a file that starts with %PDF- and holds %%EOF
in its last KiB; anything else there is fetched again.
"""
"""The ``--help`` of a batch (``invoices pdf``)."""


def path_safe(text: str) -> str:
    """``text`` with every character a file name should not hold replaced by ``-``: separators, what Windows
    refuses (``:*?"<>|``) and invisible or control characters; so ``INV/2026/00042`` is ``INV-2026-00042``."""
    return "".join(
        "-" if char in _UNSAFE or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in text
    )


class _PathSafe(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        return path_safe(super().format_field("" if value is None else value, format_spec))


@dataclass(frozen=True, slots=True)
class NameTemplate:
    """A ``--name`` template: :meth:`str.format` fields from :data:`NAME_FIELDS` and the period's (``{month}``,
    ``{from}``, ``{to}``: see :mod:`._period`), each value made path-safe."""

    template: str
    period: Mapping[str, Any] = field(default_factory=dict)
    """The period's placeholders' values (:meth:`within`); ``None`` where the run's options give none."""

    def __post_init__(self) -> None:
        fields = fields_of(self.template, "--name")
        parsed = list(string.Formatter().parse(self.template))
        for literal, _, _, _ in parsed:
            if set(literal) & {"/", "\\", "\0"}:
                raise UsageError(f"--name: {self.template!r} is a file name, not a path (no / or \\)")
        for name in fields:
            if name not in _TEMPLATE_FIELDS:
                raise UsageError(f"--name: no field {{{name}}}; the fields are {', '.join(_TEMPLATE_FIELDS)}")
        if not any(name in NAME_FIELDS for name in fields):
            raise UsageError(f"--name: {self.template!r} names no invoice field, so every invoice would get one name")

    def within(self, period: Mapping[str, Any]) -> NameTemplate:
        """This template with the period's values (a usage error for a period field the run gives no value)."""
        for name in fields_of(self.template, "--name"):
            if name in PERIOD_FIELDS and name not in NAME_FIELDS:
                require("--name", name, period.get(name))
        return NameTemplate(self.template, period)

    def render(self, invoice: Invoice) -> str:
        """The file name of ``invoice``; :class:`UsageError` if it would be empty, hidden or too long."""
        values = {name: getattr(invoice, name) for name in NAME_FIELDS}
        values = {
            **self.period,
            **{name: str(value) if isinstance(value, str) else value for name, value in values.items()},
        }
        try:
            name = _PathSafe().vformat(self.template, (), values)
        except (ValueError, TypeError, KeyError) as error:  # a format spec the value does not take; no period
            raise UsageError(f"--name: {self.template!r} for invoice {invoice.id}: {error}") from None
        if not name.strip() or name.startswith(".") or name.strip(".") == "":
            raise UsageError(
                f"--name: {self.template!r} gives invoice {invoice.id} the file name {name!r} "
                "(empty or hidden); use {id}"
            )
        if len(os.fsencode(name)) > _MAX_NAME_BYTES:
            raise UsageError(f"--name: invoice {invoice.id}'s file name is longer than {_MAX_NAME_BYTES} bytes")
        return name


def looks_complete(path: Path) -> bool:
    """Whether ``path`` is a regular file that looks like a whole PDF (see the module docstring)."""
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size < MIN_PDF_BYTES:
                return False
            if file.read(len(b"%PDF-")) != b"%PDF-":
                return False
            file.seek(max(0, info.st_size - _TAIL))
            return b"%%EOF" in file.read(_TAIL)
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class Outcome:
    """One invoice's result: ``written`` bytes, or ``skipped``, or a failure's code and message."""

    invoice: Invoice
    name: str
    written: int = 0
    skipped: bool = False
    code: ExitCode = ExitCode.OK
    message: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    """Every PDF of a listing into ``directory``, named by ``names``, ``jobs`` downloads at a time."""

    directory: Path
    names: NameTemplate
    skip_existing: bool = False
    jobs: int = DEFAULT_JOBS

    def plan(self, invoices: Iterable[Invoice]) -> list[tuple[Invoice, str]]:
        """Each invoice with its file name; :class:`UsageError` if two share one (nothing is fetched then)."""
        planned: list[tuple[Invoice, str]] = []
        taken: dict[str, Invoice] = {}
        for invoice in invoices:
            name = self.names.render(invoice)
            key = os.path.normcase(name).casefold()  # one file on a case-insensitive file system
            if key in taken:
                raise UsageError(
                    f"--name: {self.names.template!r} gives invoices {taken[key].id} and {invoice.id} "
                    f"the same file name {name!r}; add {{id}} or {{number}}"
                )
            taken[key] = invoice
            planned.append((invoice, name))
        return planned

    def run(
        self,
        planned: Sequence[tuple[Invoice, str]],
        download: Callable[[Invoice, Path], int],
        report: Callable[[Outcome], None],
    ) -> list[Outcome]:
        """Fetch every planned PDF, ``self.jobs`` at a time, calling ``report`` with each outcome as it comes."""
        outcomes: list[Outcome] = []
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="invoice-clients-pdf")
        try:
            futures: Mapping[Future[Outcome], None] = {
                pool.submit(self._one, invoice, name, download): None for invoice, name in planned
            }
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                report(outcome)
        finally:
            # Ctrl-C (or a bug) while waiting: nothing more starts; the caller's client.close() ends what is in
            # flight, and each download's temporary file goes with it.
            pool.shutdown(wait=False, cancel_futures=True)
        return outcomes

    def _one(self, invoice: Invoice, name: str, download: Callable[[Invoice, Path], int]) -> Outcome:
        path = self.directory / name
        if self.skip_existing and looks_complete(path):
            return Outcome(invoice, name, skipped=True)
        try:
            return Outcome(invoice, name, written=download(invoice, path))
        except OSError as error:  # before InvoiceClientsError: LocalFileError is both
            reason = error.strerror or str(error)
            return Outcome(invoice, name, code=ExitCode.OUTPUT_FILE, message=f"cannot write {path}: {reason}")
        except InvoiceClientsError as error:
            return Outcome(invoice, name, code=exit_code_for(error), message=str(error))
        except Exception as error:  # a bug: said, counted, and the rest still fetched
            return Outcome(invoice, name, code=ExitCode.UNEXPECTED, message=f"unexpected {type(error).__name__}")


def summary(outcomes: Sequence[Outcome], directory: Path, period: str = "") -> str:
    """``wrote 12 PDFs for 2026-03 to DIR (3 skipped: already there; 1 failed)``; ``period`` as
    :meth:`~._period.Period.describe` says it."""
    written = sum(1 for outcome in outcomes if outcome.code is ExitCode.OK and not outcome.skipped)
    notes = []
    if skipped := sum(1 for outcome in outcomes if outcome.skipped):
        notes.append(f"{skipped} skipped: already there")
    if failed := sum(1 for outcome in outcomes if outcome.code is not ExitCode.OK):
        notes.append(f"{failed} failed")
    text = " ".join(part for part in (f"wrote {written} PDF{'' if written == 1 else 's'}", period) if part)
    text = f"{text} to {directory}"
    return f"{text} ({'; '.join(notes)})" if notes else text


def exit_status(outcomes: Sequence[Outcome]) -> int:
    """The most serious failure's code (:func:`~._exit.worst`), 0 if none failed."""
    return int(worst(outcome.code for outcome in outcomes if outcome.code is not ExitCode.OK))


def describe(outcome: Outcome) -> str:
    """The one line of a failure: the invoice (number and id) and what went wrong."""
    number = outcome.invoice.number
    who = f"{number} (id {outcome.invoice.id})" if number else f"id {outcome.invoice.id}"
    return f"{who}: {outcome.message}"


def prepare_directory(directory: Path) -> None:
    """Create ``directory`` (and its parents) if it is missing; an ``OSError`` if that fails or it is a file."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory))
    directory.mkdir(parents=True, exist_ok=True)
