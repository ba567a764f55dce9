"""The vendors: one folder each, registered here (see :mod:`._registry`).

The built-in vendors are registered by module name and imported on the registry's first use (``all_vendors``,
``get``, ``register``...), not at ``import invoice_clients``: a vendor's package imports its client, and with
it httpx and the generated code (docs/maintainers/benchmarks.md: startup).
"""

from __future__ import annotations

from ._registry import (
    CliOption,
    SandboxAPI,
    VendorPlugin,
    all_vendors,
    get,
    register,
    register_builtin,
    unregister,
)
from ._vendor_names import Vendor

__all__ = ["CliOption", "SandboxAPI", "Vendor", "VendorPlugin", "all_vendors", "get", "register", "unregister"]

# The built-in vendors, in the order the command line lists them (each module's ``PLUGIN``).
register_builtin(f"{__name__}.gcore", f"{__name__}.versori")
