"""The generated clients, in a namespace this distribution owns.

Produced into the repository's ``generated/`` (``nox -s regenerate``, gated by ``nox -s check``); the
repository links them here (``gcore_billing_client -> ../../../generated/gcore_billing_client``), and the wheel
copies them here (``[tool.hatch.build.targets.wheel.force-include]``).  Their own imports are relative, so the
generated code runs unchanged under this name.  Applications import :mod:`invoice_clients`, not these.
"""
