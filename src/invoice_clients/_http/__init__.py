"""The HTTP layer: sending one request and getting its body back, or a typed error.

Owns the senders, the sync and async request loops (:mod:`.sender`), every decision about a call's attempts
(:mod:`.retry`: what is retried, how long to wait, when to stop), the typed errors of a failed request
(:mod:`.failures`), the total deadline and cancellation of blocking I/O (:mod:`.deadline`, :mod:`.cancel`), our
httpx transports over httpcore's pools (:mod:`.pools`) and the two network backends under them
(:mod:`.deadline_backend`, :mod:`.asyncio_backend`), bounded body reading (:mod:`.body`), where the key may be
sent (:mod:`.security`), proxies and TLS trust (:mod:`.proxies`, :mod:`.trust`).

May import: httpx, httpcore, the standard library, :mod:`invoice_clients._exceptions`,
:mod:`invoice_clients._redaction` and :mod:`invoice_clients._version`; nothing of the model, paging or client
layers (``[tool.importlinter]``).
"""
