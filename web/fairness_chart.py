"""The deviation per doctor as a bar chart, drawn on the server as plain SVG (templates
`_deviation_chart.svg`): no script, no build step, no library. This module only places the
bars; the words (title, description, each bar's tooltip) come from the template and the
catalogue, and the numbers are in a text table beside the chart for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 12


@dataclass(frozen=True)
class Bar:
    name: str
    value: float
    x: float
    y: float
    width: float
    height: float
    above: bool

    @property
    def shown(self) -> str:
        return f"{self.value:+g}" if self.value else "0"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    zero: float  # y of the zero line
    ticks: list[tuple[float, float]]  # (value, y)
    left: int
    right: int
    low: float
    high: float


def _ticks(low: float, high: float) -> list[float]:
    span = max(high - low, 1.0)
    base = 10 ** math.floor(math.log10(span)) / 10
    step = base * 50
    for factor in (1, 2, 5, 10, 20, 50):  # the smallest round step giving at most 6 lines
        if span / (base * factor) <= 6:
            step = base * factor
            break
    first = math.ceil(low / step) * step
    out, value = [], first
    while value <= high + 1e-9:
        out.append(round(value, 6))
        value += step
    return out


def deviation_chart(values: list[tuple[str, float]]) -> Chart:
    """Bars for (name, deviation) pairs in the order given; up for above the quota."""
    low = min([0.0, *(v for _, v in values)])
    high = max([0.0, *(v for _, v in values)])
    if high - low < 1:
        high, low = max(high, 1.0), min(low, -1.0) if low < 0 else low
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * inner_h, 2)

    zero = y(0.0)
    slot = inner_w / max(len(values), 1)
    width = max(slot * 0.8, 0.5) if len(values) < 200 else slot
    bars = []
    for i, (name, value) in enumerate(values):
        top = y(max(value, 0.0))
        bottom = y(min(value, 0.0))
        bars.append(Bar(name=name, value=value, x=round(LEFT + i * slot + (slot - width) / 2, 2), y=top,
                        width=round(width, 2), height=max(round(bottom - top, 2), 0.5), above=value >= 0))
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, zero=zero, ticks=[(v, y(v)) for v in _ticks(low, high)],
                 left=LEFT, right=WIDTH - RIGHT, low=low, high=high)
