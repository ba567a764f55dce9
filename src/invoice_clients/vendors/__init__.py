"""The vendors: one folder each, registered here (see :mod:`._registry`).

Nothing here is public API (``__all__`` is empty): applications name a vendor with ``invoice_clients.Vendor``
and import its clients from ``invoice_clients``; the registry is how this package's own layers (the command
line, the sandbox) find its vendors, not an extension point, since a vendor's client is written on the
package's private transport and base classes (docs/maintainers/adding-a-vendor.md).  The names below are
imported here for those layers.

The built-in vendors are registered by module name and imported on the registry's first use (``all_vendors``,
``get``, ``register``...), not at ``import invoice_clients``: a vendor's package imports its client, and with
it httpx and the generated code (docs/maintainers/benchmarks.md: startup).
"""

from __future__ import annotations

from ._registry import CliOption as CliOption
from ._registry import SandboxAPI as SandboxAPI
from ._registry import VendorPlugin as VendorPlugin
from ._registry import all_vendors as all_vendors
from ._registry import get as get
from ._registry import register as register
from ._registry import register_builtin
from ._registry import unregister as unregister
from ._vendor_names import Vendor as Vendor

__all__: list[str] = []

# The built-in vendors, in the order the command line lists them (each module's ``PLUGIN``).
register_builtin(f"{__name__}.gcore", f"{__name__}.versori")
