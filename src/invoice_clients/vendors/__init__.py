"""The vendors: one folder each, registered here (see :mod:`._registry`)."""

from __future__ import annotations

from . import gcore, versori
from ._registry import CliOption, SandboxAPI, VendorPlugin, all_vendors, get, register, unregister
from ._vendor_names import Vendor

__all__ = ["CliOption", "SandboxAPI", "Vendor", "VendorPlugin", "all_vendors", "get", "register", "unregister"]

register(gcore.PLUGIN)  # the built-in vendors, in the order the command line lists them
register(versori.PLUGIN)
