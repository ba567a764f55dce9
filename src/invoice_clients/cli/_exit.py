"""Exit codes of the ``invoice-clients`` command and the one-line messages behind them.

Scripts and schedulers branch on these, so they are part of the interface:

=====  ==========================================================
code   meaning
=====  ==========================================================
0      success
1      an unexpected error (a bug: please report it)
2      bad arguments (unknown option, malformed date, a filter the vendor does not have, ...)
3      bad or missing credentials (401/403, key variable unset)
4      rate limited, still after the client's retries (429)
5      network failure: cannot connect (a proxy's refusal and a certificate that failed verification included),
       or timed out
6      not found (404)
7      the API failed: a 5xx after retries, or a response that does not fit its spec or its size limit
8      cannot write the output (``-o``, ``--dir``, standard output): no such directory, permission denied, disk full
9      the configuration: a CA file (``SSL_CERT_FILE``, ``SSL_CERT_DIR``) or a proxy variable that cannot be used,
       or a base URL with no invoice listing there (a listing's 404: ``*_BASE_URL``, ``--base-url``)
130    interrupted (Ctrl-C)
141    standard output was closed by its reader (``| head``): the command stops quietly
=====  ==========================================================

Code 8 is not folded into 2: a missing directory may be a typo, but a full disk
or a read-only mount is not a usage error, and a scheduler should tell "the
API is fine, our disk is not" from both.  Code 9 is not folded into 2 either:
the command was right, the machine's set-up (its CA file, its proxy variable,
the base URL it points at) is not, which is often someone else's to fix; nor
into 6: a listing's path is the API's own, so its 404 says the server is not
the API, not that an invoice is missing.  Usage errors print their message
on one line (``invoice-clients: error: --payment-state: ...``), never a usage
block.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from .. import _exceptions as errors

__all__ = ["MEANINGS", "SEVERITY", "ExitCode", "exit_code_for", "exit_codes_help", "worst"]


class ExitCode(IntEnum):
    """Documented exit codes (see the module docstring)."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    CREDENTIALS = 3
    RATE_LIMITED = 4
    NETWORK = 5
    NOT_FOUND = 6
    API_FAILURE = 7
    OUTPUT_FILE = 8
    CONFIGURATION = 9
    INTERRUPTED = 130
    STDOUT_CLOSED = 141


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.UNEXPECTED: "unexpected error (a bug: please report it)",
    ExitCode.USAGE: "bad arguments (unknown option, malformed date, a filter the vendor does not have)",
    ExitCode.CREDENTIALS: "bad or missing credentials (401/403, key variable unset)",
    ExitCode.RATE_LIMITED: "rate limited, still after the client's retries (429)",
    ExitCode.NETWORK: "network failure: cannot connect (a proxy refused, a certificate failed), or timed out",
    ExitCode.NOT_FOUND: "not found (404)",
    ExitCode.API_FAILURE: "the API failed: a 5xx after retries, or a response that does not fit its spec",
    ExitCode.OUTPUT_FILE: "cannot write the output (-o, --dir, standard output): no directory, permission, full disk",
    ExitCode.CONFIGURATION: (
        "configuration: a CA file or proxy variable that cannot be used; a base URL with no listing"
    ),
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    ExitCode.STDOUT_CLOSED: "standard output was closed by its reader (| head): the command stops quietly",
}
"""What each code means, in ``--help``, the README's table and the docs' (tests hold them together)."""

SEVERITY: tuple[ExitCode, ...] = (
    ExitCode.UNEXPECTED,
    ExitCode.CREDENTIALS,
    ExitCode.OUTPUT_FILE,
    ExitCode.API_FAILURE,
    ExitCode.RATE_LIMITED,
    ExitCode.NETWORK,
    ExitCode.NOT_FOUND,
)
"""The codes of failures that do not stop a batch (``invoices pdf --dir``), most serious first: a batch with
several kinds of failure exits with the first of these it met.  A bug first; then what will fail every
remaining item too and needs a person (the key, the disk); then the API's failures; then what a later run may
not meet (rate limits, the network); a missing invoice last."""


def worst(codes: Iterable[ExitCode]) -> ExitCode:
    """The most serious of ``codes`` by :data:`SEVERITY` (``OK`` for none)."""
    found = set(codes)
    return next((code for code in SEVERITY if code in found), ExitCode.OK)


def exit_codes_help() -> str:
    """The exit codes as a ``--help`` epilog paragraph."""
    rows = [f"  {int(code):>3}  {meaning}" for code, meaning in MEANINGS.items()]
    return "\n".join(["Exit codes:", *rows])


_CODES: tuple[tuple[tuple[type[BaseException], ...], ExitCode], ...] = (
    ((errors.AuthenticationError, errors.PermissionDeniedError, errors.CredentialsError), ExitCode.CREDENTIALS),
    ((errors.ConfigurationError,), ExitCode.CONFIGURATION),
    ((errors.RateLimitError,), ExitCode.RATE_LIMITED),
    ((errors.APIConnectionError,), ExitCode.NETWORK),
    ((errors.NotFoundError,), ExitCode.NOT_FOUND),
    ((errors.APIStatusError, errors.ResponseValidationError, errors.ResponseTooLargeError), ExitCode.API_FAILURE),
    ((OSError,), ExitCode.OUTPUT_FILE),  # the -o path cannot be written (LocalFileError is an OSError)
    ((errors.InvalidArgumentError,), ExitCode.USAGE),
)
"""Error classes to exit codes, the first that matches wins: a 404 is not found before it is an API failure."""


def exit_code_for(error: errors.InvoiceClientsError | OSError) -> ExitCode:
    """The exit code for an error the facade raised."""
    return next((code for kinds, code in _CODES if isinstance(error, kinds)), ExitCode.UNEXPECTED)
