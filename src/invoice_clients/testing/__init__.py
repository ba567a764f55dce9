"""An offline sandbox of every vendor API, for this package's tests and for yours.

:class:`Sandbox` serves the Gcore Billing and Versori Organisations APIs (and any
registered vendor's) on loopback over real HTTP, as their specs describe:
authentication, pagination, every filter, ordering, date defaults, PDF download
and error responses, seeded with realistic invoices.  :class:`Fault` makes it
misbehave on demand: latency, 429 with ``Retry-After``, 5xx, timeouts, dropped
connections, truncated bodies.

    >>> from invoice_clients.testing import Fault, Sandbox
    >>> with Sandbox() as sandbox:
    ...     sandbox.inject(Fault.rate_limit(retry_after=0.1))   # the first request is throttled
    ...     with sandbox.gcore_client() as gcore:
    ...         invoices = list(gcore.invoices.list())            # retried, then all 31 invoices
"""

from __future__ import annotations

from .._sandbox.http import SandboxRequest
from ..vendors.gcore.sandbox import GcoreSandbox
from ..vendors.versori.sandbox import VersoriSandbox, monetary_value
from ._accessors import GcoreAccess, VersoriAccess
from ._faults import Fault

__all__ = ["Fault", "GcoreSandbox", "Sandbox", "SandboxRequest", "VersoriSandbox", "monetary_value"]


class Sandbox(GcoreAccess, VersoriAccess):
    """A stateful fake of every registered vendor's API on ``127.0.0.1`` (a free port unless ``port`` is given).

    >>> with Sandbox() as sandbox:
    ...     gcore = sandbox.gcore_client()
    ...     [invoice.number for invoice in gcore.invoices.list(currency="GBP")][:2]
    ['INV/2025/00002', 'INV/2025/00005']

    ``seed=False`` starts empty; ``gcore_api_key=`` / ``versori_api_key=`` replace the keys.  The built-in
    vendors have typed accessors (``sandbox.gcore``, ``sandbox.gcore_client()``, ``sandbox.versori_base_url``);
    any registered vendor has :meth:`api`, :meth:`client`, :meth:`async_client` and :meth:`base_url_of`.
    """
