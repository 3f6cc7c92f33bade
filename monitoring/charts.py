"""Charts for the dashboard as small SVG documents built on the server.

Pure functions of already-loaded numbers: no database, no request, no
JavaScript and nothing fetched from another site. Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from typing import TypeVar

Number = int | Decimal
V = TypeVar("V")

BAR_COLOR = "#417690"
TEXT_STYLE = 'font-family="sans-serif" font-size="11" fill="#666"'


def fill_days(*, values: dict[date, V], start: date, days: int, zero: V) -> list[tuple[date, V]]:
    """Return one (day, value) pair per day from ``start``, with ``zero`` for days without data."""
    return [(day, values.get(day, zero)) for day in (start + timedelta(days=n) for n in range(days))]


def scale(value: Number, *, maximum: Number, length: float) -> float:
    """Return the length of a bar for ``value`` when ``maximum`` fills ``length``."""
    if maximum <= 0 or value <= 0:
        return 0.0
    return round(float(length) * float(value) / float(maximum), 1)


def format_number(value: Number) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"


def day_bars(
    *,
    values: Sequence[tuple[date, Number]],
    label: str,
    width: int = 640,
    height: int = 160,
    color: str = BAR_COLOR,
) -> str:
    """Return a column chart with one bar per day, the top value and the first and last day."""
    top, bottom, left = 16, 18, 4
    plot_height = height - top - bottom
    maximum = max((value for _, value in values), default=0)
    slot = (width - left) / max(len(values), 1)
    parts = [svg_open(width=width, height=height, label=label)]
    parts.append(
        f'<text x="{left}" y="11" {TEXT_STYLE}>{escape(label)} · max {format_number(maximum)}</text>'
    )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width}" y2="{top + plot_height}" stroke="#ccc"/>'
    )
    for index, (day, value) in enumerate(values):
        bar = scale(value, maximum=maximum, length=plot_height)
        x = round(left + index * slot + slot * 0.1, 1)
        parts.append(
            f'<rect x="{x}" y="{round(top + plot_height - bar, 1)}" width="{round(slot * 0.8, 1)}" '
            f'height="{bar}" fill="{color}"><title>{day:%Y-%m-%d}: {format_number(value)}</title></rect>'
        )
    if values:
        parts.append(f'<text x="{left}" y="{height - 4}" {TEXT_STYLE}>{values[0][0]:%d %b}</text>')
        parts.append(
            f'<text x="{width}" y="{height - 4}" text-anchor="end" {TEXT_STYLE}>{values[-1][0]:%d %b}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(
    *, rows: Sequence[tuple[str, Number]], label: str, width: int = 640, color: str = BAR_COLOR
) -> str:
    """Return a bar chart with one labelled horizontal bar per row, its value at the end."""
    row_height, top, label_width, value_width = 22, 18, 150, 90
    height = top + row_height * max(len(rows), 1) + 4
    maximum = max((value for _, value in rows), default=0)
    plot_width = width - label_width - value_width
    parts = [svg_open(width=width, height=height, label=label)]
    parts.append(f'<text x="0" y="11" {TEXT_STYLE}>{escape(label)}</text>')
    for index, (name, value) in enumerate(rows):
        y = top + index * row_height
        bar = scale(value, maximum=maximum, length=plot_width)
        parts.append(
            f'<text x="0" y="{y + 15}" font-family="sans-serif" font-size="12">{escape(name)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar}" height="{row_height - 6}" fill="{color}">'
            f"<title>{escape(name)}: {format_number(value)}</title></rect>"
        )
        parts.append(
            f'<text x="{label_width + bar + 6}" y="{y + 15}" font-family="sans-serif" font-size="12">'
            f"{format_number(value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_open(*, width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    )
