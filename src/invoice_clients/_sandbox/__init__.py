"""The sandbox's HTTP vocabulary and PDF: what the vendors' sandbox servers and :mod:`invoice_clients.testing`
share.

Owns the request and reply types and the small helpers that build replies (:mod:`.http`), and the one-page PDF a
sandbox serves for an invoice (:mod:`.pdf`).  A package of its own, below the vendors, because the vendors'
sandbox APIs use it and a vendor imports nothing of ``testing``, which imports the vendors.

May import: the standard library and the layers below it (paging, HTTP, model, :mod:`invoice_clients._exceptions`);
nothing of the clients (``_base``), the vendors or ``testing`` (``[tool.importlinter]``).
"""
