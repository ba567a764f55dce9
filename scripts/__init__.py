"""The invoice-clients toolchain: overlays, regeneration and drift checks.

Each module has one job and can be imported (by nox sessions and tests) or run
as a module from the repository root (``python -m scripts.overlay ...``).  Nothing here is imported
by the ``invoice_clients`` runtime package, and nothing here imports it (benchmarks live in ``benchmarks/``).
"""
