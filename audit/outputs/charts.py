"""Geometry of the report's inline SVG charts, computed here so the template only draws.

Each bar carries its number as text, so the charts do not rely on colour alone; the same figures
are in the totals tables beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.findings import FINDING_KINDS, SEVERITIES
from audit.outputs.model import HistoryPoint, Totals

LABEL_W = 150  # room for the touchpoint names left of the bars
BAR_W = 420
ROW_H = 26


@dataclass
class Segment:
    name: str  # kind or severity: also the CSS class that colours it
    count: int
    x: float
    y: float
    w: float
    h: float


@dataclass
class Bar:
    label: str
    total: int
    segments: list[Segment] = field(default_factory=list)
    label_x: float = 0
    label_y: float = 0
    total_x: float = 0
    total_y: float = 0


@dataclass
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    legend: list[str]


def touchpoint_chart(totals: Totals) -> Chart | None:
    """Horizontal bars: findings per touchpoint, stacked by kind."""
    if not totals.by_touchpoint_kind:
        return None
    top = max(totals.by_touchpoint.values()) or 1
    bars = []
    for i, (tp, kinds) in enumerate(totals.by_touchpoint_kind.items()):
        y = 24 + i * ROW_H
        label = tp if len(tp) <= 22 else tp[:21] + "…"
        bar = Bar(label, sum(kinds.values()), label_x=LABEL_W - 6, label_y=y + 15)
        x = float(LABEL_W)
        for kind in FINDING_KINDS + tuple(k for k in kinds if k not in FINDING_KINDS):
            n = kinds.get(kind, 0)
            if n:
                w = BAR_W * n / top
                bar.segments.append(Segment(kind, n, x, y, w, ROW_H - 6))
                x += w
        bar.total_x, bar.total_y = x + 6, y + 15
        bars.append(bar)
    legend = [k for k in FINDING_KINDS if totals.by_kind.get(k)]
    return Chart("Findings per touchpoint, by kind", LABEL_W + BAR_W + 60, 24 + len(bars) * ROW_H + 8,
                 bars, legend)


def trend_chart(history: list[HistoryPoint]) -> Chart | None:
    """Columns: findings per run of the same config, stacked by severity (only with >1 run)."""
    if len(history) < 2:
        return None
    points = history[-30:]
    top = max(h.total for h in points) or 1
    col, gap, plot_h, base = 28, 12, 140, 170
    bars = []
    for i, h in enumerate(points):
        x = 40 + i * (col + gap)
        bar = Bar(f"#{h.run_id}", h.total, label_x=x + col / 2, label_y=base + 16)
        y = float(base)
        for sev in SEVERITIES:
            n = h.by_severity.get(sev, 0)
            if n:
                hh = plot_h * n / top
                y -= hh
                bar.segments.append(Segment(sev, n, x, y, col, hh))
        bar.total_x, bar.total_y = x + col / 2, y - 4
        bars.append(bar)
    return Chart("Findings per run (same config)", 40 + len(points) * (col + gap) + 20, base + 26,
                 bars, list(SEVERITIES))
