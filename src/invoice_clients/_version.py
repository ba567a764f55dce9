"""The distribution version, in a module of its own so any module can import it without cycles.

The one place the version is written: the build reads it (``[tool.hatch.version]`` in ``pyproject.toml``), and
``nox -s release -- prepare`` rewrites it (docs/maintainers/releasing.md).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
