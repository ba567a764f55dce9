"""The public ``Sandbox``'s typed Gcore accessors (``sandbox.gcore``, ``sandbox.gcore_client()``...)."""

from __future__ import annotations

from typing import Unpack, cast

from ...testing._server import AsyncClientOptions, ClientOptions, SandboxCore
from .client import AsyncGcoreBilling, GcoreBilling
from .sandbox import GcoreSandbox

__all__ = ["GcoreAccess"]


class GcoreAccess(SandboxCore):
    """Gcore's API here: its state, its base URL (the server root) and ready-made clients."""

    @property
    def gcore(self) -> GcoreSandbox:
        """The Gcore API's state: add or remove invoices, make links or counts lie, fail downloads."""
        return cast(GcoreSandbox, self.api("gcore"))

    @property
    def gcore_base_url(self) -> str:
        """Gcore's base URL here (the server root): ``GCORE_BASE_URL`` / ``base_url=`` for your own client."""
        return self.base_url_of("gcore")

    def gcore_client(self, **options: Unpack[ClientOptions]) -> GcoreBilling:
        """A :class:`GcoreBilling` pointed at this sandbox with its key (short retry delays unless ``retry``).

        Closing it drops the Gcore faults still queued (see :meth:`inject`).
        """
        return cast(GcoreBilling, self.client("gcore", **options))

    def async_gcore_client(self, **options: Unpack[AsyncClientOptions]) -> AsyncGcoreBilling:
        """The asyncio twin of :meth:`gcore_client`."""
        return cast(AsyncGcoreBilling, self.async_client("gcore", **options))
