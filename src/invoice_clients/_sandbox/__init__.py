"""The sandbox's HTTP vocabulary and PDF: what the vendors' sandbox servers and :mod:`invoice_clients.testing`
share.

Owns the request and reply types and the small helpers that build replies (:mod:`.http`), and the one-page PDF a
sandbox serves for an invoice (:mod:`.pdf`).  It is a package of its own, not part of ``testing/``, because
``invoice_clients.testing`` imports the vendors' sandboxes, which import this vocabulary: inside ``testing/``, a
vendor's sandbox imported first would import ``testing/__init__`` half-way through its own import.

May import: the standard library, :mod:`invoice_clients._exceptions` and the layers below it (HTTP, model,
paging); nothing of the clients, vendors or ``testing`` (``tests/test_layers.py``).
"""
