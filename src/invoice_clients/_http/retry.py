"""When to retry, and how long to wait: the single retry policy both transports obey.

Retried: connection errors, timeouts, a connection dropped mid-response, and
the statuses 408, 429, 502, 503 and 504.  Never any other 4xx (retrying a bad
key or a missing invoice only delays the error), never 500, which signals a
bug rather than a transient condition, and never a certificate that fails
verification or a proxy's refusal: the same certificate, the same proxy, fail
the same way again (the transport tells them apart).  Waits grow exponentially with jitter;
a ``Retry-After`` header replaces the computed wait.  Attempts and total time
are both bounded, so a client never hangs on a server that keeps saying later:
``max_elapsed`` is a hard bound on a whole call (attempts, reads and back-off),
together with the client's or the call's ``deadline``, whichever is earlier.

    >>> client = SomeVendorClient(retry=RetryPolicy(max_attempts=6, max_elapsed=120.0))
"""

from __future__ import annotations

import datetime
import email.utils
import random
from dataclasses import dataclass, field

from .._exceptions import InvalidArgumentError

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How persistently to retry transient failures.

    ``max_attempts`` counts the first try (1 disables retries).  The n-th retry
    waits ``initial_delay * 2**(n-1)`` capped at ``max_delay``, reduced by up to
    ``jitter`` (a fraction) at random so that many clients do not retry in
    lock-step.  A ``Retry-After`` up to ``max_retry_after`` seconds is obeyed
    instead; a longer one ends the retries at once.  No wait is started that
    would end after ``max_elapsed`` seconds from the first attempt, and a call
    still running then is stopped (``APITimeoutError``): see ``deadline``.
    """

    max_attempts: int = 4
    """Attempts in all, the first included (1: no retry)."""
    initial_delay: float = 0.5
    """Seconds before the first retry; each later one doubles it."""
    max_delay: float = 8.0
    """The longest computed wait, in seconds."""
    jitter: float = 0.25
    """The fraction (0-1) by which a computed wait is shortened at random."""
    max_retry_after: float = 60.0
    """The longest ``Retry-After`` obeyed, in seconds; a longer one ends the retries at once."""
    max_elapsed: float = 90.0
    """Seconds from the first attempt after which no wait starts, and a call still running stops."""
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    """The source of the jitter (seed your own for reproducible waits)."""

    def __post_init__(self) -> None:
        # InvalidArgumentError is a ValueError, as these used to be
        if self.max_attempts < 1:
            raise InvalidArgumentError("max_attempts must be at least 1")
        if min(self.initial_delay, self.max_delay, self.max_retry_after) < 0:
            raise InvalidArgumentError("delays must not be negative")
        if not self.max_elapsed > 0:
            raise InvalidArgumentError("max_elapsed must be positive: it bounds the total time of every call")
        if not 0 <= self.jitter <= 1:
            raise InvalidArgumentError("jitter is a fraction between 0 and 1")

    def backoff(self, retry_number: int) -> float:
        """The computed wait before retry number ``retry_number`` (1-based), jitter applied."""
        base = min(self.max_delay, self.initial_delay * 2.0 ** (retry_number - 1))
        return base * (1 - self.jitter * self.rng.random())

    def next_delay(self, *, attempt: int, elapsed: float, retry_after: float | None) -> float | None:
        """Seconds to wait before another attempt, or ``None`` to give up.

        ``attempt`` is the number of attempts made so far; ``retry_after`` the
        server's hint for this failure, if it gave one.
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            delay = retry_after
        else:
            delay = self.backoff(attempt)
        if elapsed + delay > self.max_elapsed:
            return None
        return delay


def parse_retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait per a ``Retry-After`` header: delta-seconds (decimals tolerated) or an HTTP date.

    Returns ``None`` for a missing or unparseable header; a date in the past is 0.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    current = now or datetime.datetime.now(datetime.UTC)
    return max(0.0, (when - current).total_seconds())
