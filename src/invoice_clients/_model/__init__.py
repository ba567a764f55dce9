"""The model layer: what a listing yields and how wire data becomes it.

Owns :class:`~.invoice.Invoice` and its line items and enums (:mod:`.invoice`), :class:`~.money.Money`
(:mod:`.money`), fields built on first read (:mod:`.lazy`), what the vendors' decoders share (:mod:`.decoding`:
msgspec, string rules, a misfit's message, the generated models behind ``.raw``) and JSON read without a typed
decoder (:mod:`.parsing`).

May import: msgspec, the standard library, :mod:`invoice_clients._exceptions`, :mod:`invoice_clients._redaction`
(the key scrubbed from quoted values); nothing of the HTTP layer (the sender turns a
misfit into a typed error), nor of the paging or client layers (``[tool.importlinter]``).
"""
