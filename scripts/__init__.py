"""The invoice-clients toolchain: overlays, regeneration and drift checks.

Each module has one job and can be imported (by nox sessions and tests) or run
as a script (``python scripts/overlay.py ...``).  Nothing here is imported by
the ``invoice_clients`` runtime package.
"""
