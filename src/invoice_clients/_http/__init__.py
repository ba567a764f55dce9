"""The HTTP layer: sending one request and getting its body back, or a typed error.

Owns the transport (authentication, deadlines, size limits, retries, error mapping: :mod:`.transport`), the
retry policy (:mod:`.retry`), the total deadline and cancellation of blocking I/O (:mod:`.deadline`,
:mod:`.cancel`), our httpx transports over httpcore's pools (:mod:`.pools`) and the two network backends under
them (:mod:`.deadline_backend`, :mod:`.asyncio_backend`), bounded body reading (:mod:`.body`) and the API key
with its redaction (:mod:`.security`).

May import: httpx, httpcore, the standard library, :mod:`invoice_clients._exceptions` and
:mod:`invoice_clients._version`; nothing of the model, paging or client layers above it (``tests/test_layers.py``).
"""
