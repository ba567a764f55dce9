"""What is retried, how long to wait, and when to stop: every decision about a call's attempts, in one place.

Retried: a connection that fails or times out, one dropped mid-response, and the statuses 408, 429, 502, 503 and
504.  Never any other status (retrying a bad key or a missing invoice only delays the error; a 500 signals a bug,
not a passing condition), never a certificate that fails verification nor a proxy's refusal (the same
certificate, the same proxy, fail the same way again), never a body that does not fit.

How long: :class:`RetryPolicy`'s wait, doubling with jitter, or the server's ``Retry-After`` in its place.

When to stop: when the attempts run out, when a wait would end after ``max_elapsed`` or the call's deadline, when
the deadline passes, or when the client is closed.  :class:`Attempts` holds one call's count and clock and says
which; the senders (:mod:`.sender`) only send, read and wait, and raise what it tells them to.

    >>> client = SomeVendorClient(retry=RetryPolicy(max_attempts=6, max_elapsed=120.0))
"""

from __future__ import annotations

import datetime
import email.utils
import enum
import random
import time
from dataclasses import dataclass, field

from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    CertificateVerificationError,
    InvalidArgumentError,
    ProxyError,
    RateLimitError,
)

__all__ = [
    "DEADLINE_EPSILON",
    "NEVER_RETRIED",
    "RETRYABLE_STATUSES",
    "Attempts",
    "RetryPolicy",
    "Stop",
    "parse_retry_after",
    "should_retry",
]

RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})
NEVER_RETRIED = (CertificateVerificationError, ProxyError)
"""Connection failures that the next attempt would meet again."""
DEADLINE_EPSILON = 0.01
"""Seconds before the deadline at which a call counts as out of time (no attempt or wait starts)."""


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


def should_retry(failure: APIError, cause: BaseException | None = None) -> bool:
    """Whether another attempt may succeed where ``failure`` did (``cause``: the exception it was made from).

    A status is retried by :data:`RETRYABLE_STATUSES`.  A connection failure is, unless it is one of
    :data:`NEVER_RETRIED` or was made from anything but a timeout, a network error or the server breaking the
    protocol (httpx's ``TimeoutException``, ``NetworkError``, ``RemoteProtocolError``): an invalid URL or a
    protocol error of ours fails again.  Anything else (a body too large, or that does not fit) never is.
    """
    if isinstance(failure, APIStatusError):
        return failure.status_code in RETRYABLE_STATUSES
    if not isinstance(failure, APIConnectionError) or isinstance(failure, NEVER_RETRIED):
        return False
    if cause is None:
        return True
    import httpx  # here: importing the package imports no httpx

    return isinstance(cause, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


class Stop(enum.Enum):
    """Why a call makes no further attempt: the sender raises the matching error."""

    FAILED = "the failure is final, or the policy gives up on it"
    DEADLINE = "the call's time is up"
    CLOSED = "the client, or the listing the call is for, was closed"


class Attempts:
    """One call's attempts: how long the next may take, whether and after what wait a failure is retried, and
    when to stop (:class:`Stop`).  No I/O and no messages: both senders act on what it says."""

    __slots__ = ("attempt", "budget", "ends_at", "policy", "started")

    def __init__(self, policy: RetryPolicy, deadline: float | None) -> None:
        self.policy = policy
        self.budget = policy.max_elapsed if deadline is None else min(deadline, policy.max_elapsed)
        """Seconds the whole call may take, retries and back-off included."""
        self.started = time.monotonic()
        self.ends_at = self.started + self.budget
        self.attempt = 0

    def next_attempt(self) -> float | Stop:
        """Count a new attempt: the seconds left for it, or :attr:`Stop.DEADLINE` when none are."""
        self.attempt += 1
        left = self.ends_at - time.monotonic()
        return Stop.DEADLINE if left <= DEADLINE_EPSILON else left

    def after_failure(
        self, failure: APIError, *, cause: BaseException | None = None, closed: bool = False
    ) -> float | Stop:
        """Seconds to wait before retrying ``failure``, or why to stop (``closed``: the call was cancelled).

        A connection failure that took the time left is the deadline's; a wait that would end after the deadline
        is not started.
        """
        if closed:
            return Stop.CLOSED
        now = time.monotonic()
        if isinstance(failure, APIConnectionError) and now >= self.ends_at - DEADLINE_EPSILON:
            return Stop.DEADLINE
        if not should_retry(failure, cause):
            return Stop.FAILED
        retry_after = failure.retry_after if isinstance(failure, RateLimitError) else None
        delay = self.policy.next_delay(attempt=self.attempt, elapsed=now - self.started, retry_after=retry_after)
        if delay is None or now + delay >= self.ends_at - DEADLINE_EPSILON:
            return Stop.FAILED
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
