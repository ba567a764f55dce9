"""``python -m invoice_clients``: the command line."""

from invoice_clients.cli import main

main()
