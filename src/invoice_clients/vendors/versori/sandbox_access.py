"""The public ``Sandbox``'s typed Versori accessors (``sandbox.versori``, ``sandbox.versori_client()``...)."""

from __future__ import annotations

from typing import Unpack, cast

from ...testing._server import AsyncClientOptions, ClientOptions, SandboxCore
from .client import AsyncVersori, Versori
from .sandbox import VersoriSandbox

__all__ = ["VersoriAccess"]


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
