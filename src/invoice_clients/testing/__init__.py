"""An offline sandbox of both vendor APIs, for this package's tests and for yours.

:class:`Sandbox` serves the Gcore Billing and Versori Organisations APIs on
loopback over real HTTP, as their specs describe: authentication, pagination,
every filter, ordering, date defaults, PDF download and error responses, seeded
with realistic invoices.  :class:`Fault` makes it misbehave on demand: latency,
429 with ``Retry-After``, 5xx, timeouts, dropped connections, truncated bodies.

    >>> from invoice_clients.testing import Fault, Sandbox
    >>> with Sandbox() as sandbox:
    ...     sandbox.inject(Fault.rate_limit(retry_after=0.1))   # the first request is throttled
    ...     with sandbox.gcore_client() as gcore:
    ...         invoices = list(gcore.invoices.list())            # retried, then all 31 invoices
"""

from __future__ import annotations

from ._faults import Fault, FaultKind
from ._gcore_api import GcoreSandbox
from ._http import RecordedRequest, Reply, SandboxRequest
from ._server import Sandbox
from ._versori_api import VersoriSandbox, monetary_value

__all__ = [
    "Fault",
    "FaultKind",
    "GcoreSandbox",
    "RecordedRequest",
    "Reply",
    "Sandbox",
    "SandboxRequest",
    "VersoriSandbox",
    "monetary_value",
]
