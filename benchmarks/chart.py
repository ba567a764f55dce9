"""The benchmark results as one SVG picture, from the JSON ``benchmarks.bench`` writes.

    python -m benchmarks.chart bench-results.json -o bench-results.svg

Two panels: every target as the margin by which it is met (the measured value against its target, turned so
that right of the line is better: ``5 / 6.45`` for a ratio that must stay under 5 would be wrong, so a
"``>=``" target is ``value / target`` and a "``<=``" one ``target / value``), and the listing's seconds per
client beside the bound.  Hand-written SVG (no plotting library): text and rectangles, nothing a browser or a
diff viewer cannot show.  ``nox -s bench`` writes it next to ``bench-results.json``; the picture in
``docs/maintainers/benchmarks.md`` is this module's drawing of the run quoted there, whose JSON is committed
beside it (a test renders it again and compares).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["main", "margin", "render"]

_WIDTH = 760
_LABEL = 250  # the labels' column
_BAR = 22
_GAP = 8
_MET, _MISSED, _NEUTRAL, _LINE, _TEXT = "#2e7d32", "#c62828", "#5c6bc0", "#424242", "#212121"
_MARGIN_RANGE = (0.25, 16.0)  # the margins' axis: a margin outside is drawn at its end


def margin(value: float, target: str) -> float:
    """How far inside its target ``value`` is: above 1 when met (``target`` is ``">= 5.0"`` or ``"<= 1.25"``)."""
    sense, number = target.split()
    limit = float(number)
    if sense == ">=":
        return value / limit
    return limit / value if value > 0 else float("inf")


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}" '
        f'fill="{_TEXT}">{escape(content)}</text>'
    )


def _bars(
    rows: Sequence[tuple[str, float, str, str]], top: float, scale_max: float, line_at: float | None, line_label: str
) -> tuple[list[str], float]:
    """Horizontal bars ``(label, value, note, colour)`` from ``top``; a dashed line at ``line_at``; the next y."""
    span = _WIDTH - _LABEL - 90
    parts = []
    y = top
    for label, value, note, colour in rows:
        width = span * min(value, scale_max) / scale_max
        parts.append(_text(_LABEL - 8, y + _BAR * 0.7, label, anchor="end"))
        parts.append(f'<rect x="{_LABEL}" y="{y:.1f}" width="{width:.1f}" height="{_BAR}" fill="{colour}"/>')
        parts.append(_text(_LABEL + width + 6, y + _BAR * 0.7, note, size=11))
        y += _BAR + _GAP
    if line_at is not None:
        x = _LABEL + span * line_at / scale_max
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{y - _GAP + 4:.1f}" stroke="{_LINE}" '
            'stroke-width="1.5" stroke-dasharray="5,3"/>'
        )
        parts.append(_text(x, y + 10, line_label, anchor="middle", size=11))
        y += 14
    return parts, y


def _margins(rows: Sequence[tuple[str, float, str, bool]], top: float) -> tuple[list[str], float]:
    """Each target's margin as a bar from the target line, on a log scale (a doubling is the same length either
    way: 2x inside and 2x outside look alike), right and green when met, left and red when missed."""
    low, high = math.log2(_MARGIN_RANGE[0]), math.log2(_MARGIN_RANGE[1])
    span = _WIDTH - _LABEL - 170
    origin = _LABEL + span * -low / (high - low)
    parts = []
    y = top
    for label, factor, note, met in rows:
        at = _LABEL + span * (min(max(math.log2(factor), low), high) - low) / (high - low)
        left, width = min(at, origin), abs(at - origin)
        parts.append(_text(_LABEL - 8, y + _BAR * 0.7, label, anchor="end"))
        parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{_BAR}" '
            f'fill="{_MET if met else _MISSED}"/>'
        )
        parts.append(_text(_LABEL + span + 10, y + _BAR * 0.7, note, size=11))
        y += _BAR + _GAP
    parts.append(
        f'<line x1="{origin:.1f}" y1="{top - 4:.1f}" x2="{origin:.1f}" y2="{y - _GAP + 4:.1f}" stroke="{_LINE}" '
        'stroke-width="1.5" stroke-dasharray="5,3"/>'
    )
    for factor in (0.5, 2, 4, 8):
        x = _LABEL + span * (math.log2(factor) - low) / (high - low)
        parts.append(_text(x, y + 10, f"{factor:g}x", anchor="middle", size=10))
    parts.append(_text(origin, y + 10, "target", anchor="middle", size=10))
    return parts, y + 14


def render(results: dict[str, Any]) -> str:
    """The SVG document for ``results`` (``bench-results.json``'s content, a full run or a ``--quick`` one)."""
    rows = []
    for name, check in results["targets"].items():
        factor = margin(check["value"], check["target"])
        rows.append((name, factor, f"{check['value']:.2f} ({check['target']}): {factor:.2f}x", bool(check["met"])))
    parts = [
        _text(12, 24, "Targets: how far inside each one (log scale; right of the line: met)", size=14, weight="bold")
    ]
    drawn, y = _margins(rows, 40)
    parts += drawn
    listing = results["listing"]
    seconds: dict[str, float] = listing["seconds"]
    title = (
        f"Listing {listing['invoices']:,} invoices, {listing['latency_ms']:.0f} ms latency (the last two: none): "
        f"seconds, median of {listing.get('rounds', 1)} rounds"
    )
    parts.append(_text(12, y + 30, title, size=14, weight="bold"))
    clients = [(name, value, f"{value:.2f} s", _NEUTRAL) for name, value in seconds.items()]
    drawn, y = _bars(clients, y + 46, max(seconds.values()) * 1.1, listing["bound_seconds"], "the bound")
    parts += drawn
    machine = results.get("machine", {})
    footer = f"{machine.get('cpus', '?')} x {machine.get('cpu', '?')}, Python {machine.get('python', '?')}"
    parts.append(_text(12, y + 22, footer, size=10))
    height = y + 34
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" font-family="sans-serif">'
    )
    background = f'<rect width="{_WIDTH}" height="{height:.0f}" fill="#ffffff"/>'
    return "\n".join([head, background, *parts, "</svg>"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chart", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a bench-results.json")
    parser.add_argument("-o", "--output", type=Path, default=Path("bench-results.svg"), help="the SVG to write")
    args = parser.parse_args(argv)
    try:
        results = json.loads(args.results.read_text(encoding="utf-8"))
        svg = render(results)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {args.results}: {error!r}", file=sys.stderr)
        return 2
    args.output.write_text(svg, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
