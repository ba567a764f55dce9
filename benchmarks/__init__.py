"""Benchmarks of the runtime and the toolchain, run with ``python -m benchmarks.bench`` (``nox -s bench``).

Kept apart from ``scripts/`` (the toolchain): a benchmark imports the runtime and the official Gcore SDK.
"""
