"""The model layer: what a listing yields and how wire data becomes it.

Owns :class:`~.invoice.Invoice` and its line items and enums (:mod:`.invoice`), :class:`~.money.Money`
(:mod:`.money`), fields parsed on first access (:mod:`.lazy`), the declarative checks of wire values
(:mod:`.wire_checks`) and the decoding of a body into models or a typed error (:mod:`.parsing`).

May import: the standard library, :mod:`invoice_clients._exceptions` and the HTTP layer
(:mod:`invoice_clients._http`: key redaction for error excerpts, the transport's failure text); nothing of the
paging or client layers above it (``tests/test_layers.py``).
"""
