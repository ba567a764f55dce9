"""The public ``Sandbox``'s typed accessors of the built-in vendors (``sandbox.gcore``, ``sandbox.gcore_client()``,
``sandbox.versori``...): thin, typed views of :class:`~._server.SandboxCore`'s ``api``, ``base_url_of`` and
``client``."""

from __future__ import annotations

from typing import Unpack, cast

from ..vendors.gcore.client import AsyncGcoreBilling, GcoreBilling
from ..vendors.gcore.sandbox import GcoreSandbox
from ..vendors.versori.client import AsyncVersori, Versori
from ..vendors.versori.sandbox import VersoriSandbox
from ._server import AsyncClientOptions, ClientOptions, SandboxCore

__all__ = ["GcoreAccess", "VersoriAccess"]


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


class VersoriAccess(SandboxCore):
    """Versori's API here: its state, its base URL and ready-made clients."""

    @property
    def versori(self) -> VersoriSandbox:
        """The Versori API's state: organisations and their invoices, and its clock (``today``)."""
        return cast(VersoriSandbox, self.api("versori"))

    @property
    def versori_base_url(self) -> str:
        """Versori's base URL here (``<url>/api/organisations/v1``): ``VERSORI_BASE_URL`` / ``base_url=``."""
        return self.base_url_of("versori")

    @property
    def organisation_ids(self) -> list[str]:
        """The Versori organisations the sandbox knows (seeded: ``org_acme``, ``org_tokyo``, ``org_kuwait``)."""
        return sorted(self.versori.invoices)

    def versori_client(self, **options: Unpack[ClientOptions]) -> Versori:
        """A :class:`Versori` pointed at this sandbox with its key (short retry delays unless ``retry``).

        Closing it drops the Versori faults still queued (see :meth:`inject`).
        """
        return cast(Versori, self.client("versori", **options))

    def async_versori_client(self, **options: Unpack[AsyncClientOptions]) -> AsyncVersori:
        """The asyncio twin of :meth:`versori_client`."""
        return cast(AsyncVersori, self.async_client("versori", **options))
