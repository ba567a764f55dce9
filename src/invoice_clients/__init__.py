"""Typed clients for vendor invoice APIs.

Applications import this package only; the generated packages
(``gcore_billing_client``, ``versori_organisations_client``) are its engine.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
