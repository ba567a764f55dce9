"""The generated clients, in a namespace this distribution owns.

Produced into the repository's ``generated/`` (``nox -s regenerate``, gated by ``nox -s check``); the
repository links them here (``gcore_billing_client -> ../../../generated/gcore_billing_client``), and the wheel
copies them here (``[tool.hatch.build.targets.wheel.force-include]``).  Their own imports are relative, so the
generated code runs unchanged under this name.  Applications import :mod:`invoice_clients`, not these.

A source tree without the links (an unpacked sdist: hatch writes no symlinks into it) still has ``generated/``
beside ``src/``: the package path then reaches it, so ``pip install -e`` of an sdist imports the same code.
"""

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_TREE = _HERE.parents[2] / "generated"  # src/invoice_clients/_generated -> the source tree's generated/
if not (_HERE / "gcore_billing_client").is_dir() and (_TREE / "gcore_billing_client").is_dir():
    __path__.append(str(_TREE))
