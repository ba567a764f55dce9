"""The API reference's griffe extension: the docstrings' Sphinx roles as cross-references the build checks.

The docstrings are written for ``help()`` and editors as much as for the site, in reST's roles
(``:class:`~invoice_clients.Money```).  mkdocstrings reads Markdown, where such a role would show as
``:class:`` and code.  This turns each role whose target is public (``invoice_clients.…`` with no segment
starting with ``_``) into an autorefs link, which ``mkdocs build --strict`` fails on when nothing in the
reference documents the target; a role naming a private or relative target becomes plain code.  ``~`` shows the
last name only, as in Sphinx.  Doctest examples (``>>>`` lines and their output, up to a blank line) become
fenced ``pycon`` blocks, so that Markdown never reads their brackets as links.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRoles", "rewrite"]

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([^`<>]+)`")


def _public(target: str) -> bool:
    parts = target.split(".")
    return parts[0] == "invoice_clients" and all(part and not part.startswith("_") for part in parts[1:])


def _fence_examples(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.lstrip().startswith(">>>"):
            out.append(line)
            index += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index].removeprefix(indent))
            index += 1
        out += [f"{indent}```pycon", *(f"{indent}{row}" for row in block), f"{indent}```"]
    return "\n".join(out)


def rewrite(text: str) -> str:
    """``text`` with every Sphinx role replaced and every doctest fenced (see the module docstring)."""

    def replace(match: re.Match[str]) -> str:
        short, target = match[1] == "~", match[2].strip()
        shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        return f"[`{shown}`][{target}]" if _public(target) else f"`{shown}`"

    parts = re.split(r"(```.*?```)", _fence_examples(text), flags=re.DOTALL)  # roles inside code stay as written
    return "".join(part if part.startswith("```") else _ROLE.sub(replace, part) for part in parts)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
