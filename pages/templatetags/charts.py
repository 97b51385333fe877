"""Charts drawn on the server as inline SVG: no JavaScript, readable without styles, printable.

``{% bar_chart rows %}`` takes a list of ``Bar`` (or dicts with ``label`` and ``value``, and
optionally ``display`` for the printed figure and ``part`` for a second, darker value inside the
bar, e.g. disbursed inside approved). Bars are scaled to the largest value (or ``scale``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

ROW_HEIGHT = 26
LABEL_WIDTH = 38  # per cent of the width given to the labels
VALUE_WIDTH = 18  # per cent given to the printed figures


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | float
    display: str = ""
    part: Decimal | int | float | None = None


def _bar(row: Any) -> Bar:
    if isinstance(row, Bar):
        return row
    return Bar(
        label=str(row["label"]),
        value=row["value"] or 0,
        display=str(row.get("display", "")),
        part=row.get("part"),
    )


@register.simple_tag
def bar_chart(rows: Any, title: str = "", scale: Any = None) -> SafeString:
    bars = [_bar(row) for row in rows]
    if not bars:
        return SafeString("")
    top = Decimal(str(scale)) if scale else max((Decimal(str(b.value)) for b in bars), default=Decimal(0))
    span = 100 - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * len(bars)

    def width(value: Any) -> str:
        if not top:
            return "0"
        return f"{min(Decimal(str(value)) / top, Decimal(1)) * span:.2f}"

    def row_svg(index: int, bar: Bar) -> SafeString:
        y = index * ROW_HEIGHT
        part = (
            format_html(
                '<rect class="chart-part" x="{}%" y="{}" width="{}%" height="{}"></rect>',
                LABEL_WIDTH,
                y + 4,
                width(bar.part),
                ROW_HEIGHT - 8,
            )
            if bar.part is not None
            else ""
        )
        return format_html(
            '<g><text class="chart-label" x="0" y="{}">{}</text>'
            '<rect class="chart-bar" x="{}%" y="{}" width="{}%" height="{}"><title>{}: {}</title></rect>{}'
            '<text class="chart-value" x="{}%" y="{}">{}</text></g>',
            y + ROW_HEIGHT - 9,
            bar.label,
            LABEL_WIDTH,
            y + 4,
            width(bar.value),
            ROW_HEIGHT - 8,
            bar.label,
            bar.display or bar.value,
            part,
            100 - VALUE_WIDTH + 1,
            y + ROW_HEIGHT - 9,
            bar.display or bar.value,
        )

    body = format_html_join("", "{}", ((row_svg(i, b),) for i, b in enumerate(bars)))
    return format_html(
        '<figure class="chart"><svg role="img" aria-label="{}" width="100%" height="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>{}</figure>',
        title,
        height,
        body,
        format_html("<figcaption>{}</figcaption>", title) if title else "",
    )
