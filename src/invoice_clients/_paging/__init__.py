"""The paging layer: every invoice of a listing exactly once, or a typed error.

Owns the sans-I/O listing core that decides which page to fetch next and what to yield (:mod:`.listing`), the
sync and async drivers over it with their prefetching (:mod:`.pagination`), the prefetch threads
(:mod:`.workers`) and paging by cursor (:mod:`.cursor`).

May import: the standard library, :mod:`invoice_clients._exceptions`, the HTTP layer (cancellation of the
prefetch threads' requests) and the model layer (what a page holds); nothing of the clients above it
(``[tool.importlinter]``).
"""
