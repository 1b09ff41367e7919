"""Geometry of the dashboard's SVG charts; templates draw them (and escape every label)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 150
PLOT_WIDTH = 300
COLUMN_AREA = 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    y: int
    width: float
    second_width: float | None = None  # a lighter bar behind (e.g. total behind weighted)


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 90


def bar_chart(rows: list[tuple[str, float, str]], behind: list[float] | None = None) -> BarChart:
    """Horizontal bars scaled to the largest value (of `rows` and `behind`)."""
    top = max([v for _, v, _ in rows] + (behind or []) + [0.0])
    scale = PLOT_WIDTH / top if top > 0 else 0.0
    bars = [
        Bar(
            label=label,
            value=value,
            display=display,
            y=i * (BAR_HEIGHT + BAR_GAP),
            width=max(value * scale, 0.0),
            second_width=behind[i] * scale if behind else None,
        )
        for i, (label, value, display) in enumerate(rows)
    ]
    return BarChart(bars=bars, height=max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT))


@dataclass(frozen=True)
class Column:
    label: str
    display: str
    x: int
    height: float
    y: float


def column_chart(rows: list[tuple[str, float, str]], width: int = 36) -> list[Column]:
    """Vertical columns (one per month), scaled to the tallest."""
    top = max([v for _, v, _ in rows] + [0.0])
    columns = []
    for i, (label, value, display) in enumerate(rows):
        height = COLUMN_AREA * value / top if top > 0 else 0.0
        columns.append(Column(label, display, i * (width + 6), height, COLUMN_AREA - height))
    return columns


def money(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} days"


def hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 60:.0f} min" if value < 1 else f"{value:.1f} h"
