"""``python -m scripts.drift``: see :mod:`scripts.drift.command`."""

import sys

from scripts.drift.command import main

sys.exit(main())
