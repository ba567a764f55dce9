"""The model layer: what a listing yields and how wire data becomes it.

Owns :class:`~.invoice.Invoice` and its line items and enums (:mod:`.invoice`), :class:`~.money.Money`
(:mod:`.money`), fields built on first read (:mod:`.lazy`), what the vendors' decoders share (:mod:`.decoding`:
msgspec, string rules, a misfit's message, the generated models behind ``.raw``) and the turning of a misfit
into a typed error (:mod:`.parsing`).

May import: the standard library, :mod:`invoice_clients._exceptions` and the HTTP layer
(:mod:`invoice_clients._http`: key redaction for error excerpts, the transport's failure text); nothing of the
paging or client layers above it (``tests/test_layers.py``).
"""
