"""A few SVG primitives for the report's charts: text stays text (searchable, translatable, testable), and
the file needs no library, script or font from outside."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

SEGMENTS: tuple[str, ...] = ("star", "cash_cow", "question_mark", "new", "dog", "sleeper", "lost")
COLOURS: dict[str, str] = {
    "star": "#1b9e77",
    "cash_cow": "#d95f02",
    "question_mark": "#7570b3",
    "new": "#e7298a",
    "dog": "#66a61e",
    "sleeper": "#e6ab02",
    "lost": "#a6761d",
}
INK, MUTED, GRID = "#222", "#666", "#e3e3e3"
STATUS_COLOURS = {"reached": "#1a9850", "missed": "#d73027", "no data": "#999"}


def colour(segment: str) -> str:
    return COLOURS.get(segment, "#888")


def ordered(segments: Sequence[str]) -> list[str]:
    """Segments in the strategy's order, unknown ones (such as '(new)') after them."""
    present = list(dict.fromkeys(segments))
    return [s for s in SEGMENTS if s in present] + sorted(s for s in present if s not in SEGMENTS)


class Svg:
    def __init__(self, width: int, height: int, label: str) -> None:
        self.width, self.height, self.label = width, height, label
        self.parts: list[str] = []

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str,
        tip: str | None = None,
        stroke: str | None = None,
        rx: float = 0,
    ) -> None:
        extra = f' stroke="{stroke}"' if stroke else ""
        body = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
            f'rx="{rx}" fill="{fill}"{extra}>{body}</rect>'
        )

    def circle(self, cx: float, cy: float, r: float, fill: str, tip: str | None = None, opacity: float = 1) -> None:
        body = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" fill="{fill}" fill-opacity="{opacity}">{body}</circle>'
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1, dash: str | None = None
    ) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="{width}"{extra}/>'
        )

    def polyline(self, points: Sequence[tuple[float, float]], stroke: str, width: float = 2) -> None:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="{width}"/>')

    def text(
        self,
        x: float,
        y: float,
        content: str,
        size: int = 11,
        anchor: str = "start",
        fill: str = INK,
        weight: str | None = None,
        rotate: float | None = None,
        cls: str | None = None,
    ) -> None:
        extra = f' font-weight="{weight}"' if weight else ""
        extra += f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
        extra += f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}"{extra}>{escape(content)}</text>'
        )

    def render(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" aria-label="{escape(self.label)}" '
            f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">' + "".join(self.parts) + "</svg>"
        )


def linear(d0: float, d1: float, r0: float, r1: float) -> Callable[[float], float]:
    span = (d1 - d0) or 1.0
    return lambda v: r0 + (v - d0) / span * (r1 - r0)


def symlog(value: float) -> float:
    """Signed log10(1 + |v|): spreads skewed euro amounts, keeps zero and negatives."""
    return math.copysign(math.log10(1 + abs(value)), value)


def symlog_ticks(lo: float, hi: float) -> list[float]:
    ticks = [0.0]
    for power in range(1, 8):
        for sign in (1, -1):
            v = sign * 10.0**power
            if lo <= v <= hi:
                ticks.append(v)
    return sorted(ticks)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [math.floor(lo / step) * step]
    while ticks[-1] < hi:  # the last tick is at or above the highest value
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def short(value: float) -> str:
    """Axis labels: 1500 -> '1.5k', 2000000 -> '2M'."""
    size = abs(value)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"
