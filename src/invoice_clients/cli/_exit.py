"""Exit codes of the ``invoice-clients`` command and the one-line messages behind them.

Scripts and schedulers branch on these, so they are part of the interface:

=====  ==========================================================
code   meaning
=====  ==========================================================
0      success
1      an unexpected error (a bug: please report it)
2      bad arguments (unknown option, malformed date, an -o path that cannot be written, ...)
3      bad or missing credentials (401/403, key variable unset)
4      rate limited, still after the client's retries (429)
5      network failure: cannot connect, or timed out
6      not found (404)
7      the API failed: a 5xx after retries, or a response that does not fit its spec or its size limit
8      cannot write the output file (``-o``) or standard output: no such directory, permission denied, disk full
130    interrupted (Ctrl-C)
141    standard output was closed by its reader (``| head``): the command stops quietly
=====  ==========================================================

Code 8 is not folded into 2: a missing directory may be a typo, but a full disk
or a read-only mount is not a usage error, and a scheduler should tell "the
API is fine, our disk is not" from both.  Usage errors print their message on
one line (``invoice-clients: error: --payment-state: ...``), never a usage
block.
"""

from __future__ import annotations

from enum import IntEnum

from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    CredentialsError,
    InvalidArgumentError,
    InvoiceClientsError,
    LocalFileError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
)

__all__ = ["ExitCode", "exit_code_for"]


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
    INTERRUPTED = 130
    STDOUT_CLOSED = 141


def exit_code_for(error: InvoiceClientsError | OSError) -> ExitCode:
    """The exit code for an error the facade raised."""
    if isinstance(error, AuthenticationError | PermissionDeniedError | CredentialsError):
        return ExitCode.CREDENTIALS
    if isinstance(error, RateLimitError):
        return ExitCode.RATE_LIMITED
    if isinstance(error, APIConnectionError):
        return ExitCode.NETWORK
    if isinstance(error, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(error, ServerError | ResponseValidationError | ResponseTooLargeError | APIStatusError):
        return ExitCode.API_FAILURE
    if isinstance(error, LocalFileError | OSError):  # the -o path cannot be written (LocalFileError is an OSError)
        return ExitCode.OUTPUT_FILE
    if isinstance(error, InvalidArgumentError):
        return ExitCode.USAGE
    return ExitCode.UNEXPECTED
