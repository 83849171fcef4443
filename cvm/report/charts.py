"""The seven charts of the monthly report, each a function from the report data to one SVG string."""

from __future__ import annotations

import pandas as pd

from cvm.report.labels import number, percent
from cvm.report.svg import (
    GRID,
    INK,
    MUTED,
    STATUS_COLOURS,
    Svg,
    colour,
    linear,
    nice_ticks,
    ordered,
    short,
    symlog,
    symlog_ticks,
)


def _legend(svg: Svg, x: float, y: float, segments: list[str], L: dict[str, str], counts: dict[str, int]) -> None:
    for i, segment in enumerate(segments):
        svg.circle(x + 5, y + i * 18 - 4, 5, colour(segment))
        suffix = f" ({counts[segment]})" if segment in counts else ""
        svg.text(x + 15, y + i * 18, L.get(segment, segment) + suffix, size=11)


def scatter(customers: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """Value x potential per customer, coloured by segment, on signed log axes."""
    svg = Svg(700, 400, L["scatter"])
    left, top, right, bottom = 60, 15, 540, 350
    xs = customers["value_end"].fillna(0).astype(float).map(symlog)
    ys = customers["potential_score"].fillna(0).astype(float).map(symlog)
    x_lo, x_hi = min(xs.min(), 0) - 0.2, xs.max() + 0.2
    y_lo, y_hi = min(ys.min(), 0) - 0.1, ys.max() + 0.2
    fx, fy = linear(x_lo, x_hi, left, right), linear(y_lo, y_hi, bottom, top)
    for tick in symlog_ticks(-1e7, 1e7):
        if x_lo <= symlog(tick) <= x_hi:
            svg.line(fx(symlog(tick)), top, fx(symlog(tick)), bottom)
            svg.text(fx(symlog(tick)), bottom + 15, short(tick), size=10, anchor="middle", fill=MUTED)
        if y_lo <= symlog(tick) <= y_hi:
            svg.line(left, fy(symlog(tick)), right, fy(symlog(tick)))
            svg.text(left - 5, fy(symlog(tick)) + 3, short(tick), size=10, anchor="end", fill=MUTED)
    for (_, row), x, y in zip(customers.iterrows(), xs, ys, strict=True):
        svg.circle(
            fx(x),
            fy(y),
            3.2,
            colour(row["segment"]),
            opacity=0.7,
            tip=f"{row['customer_id']} · {L.get(row['segment'], row['segment'])} · "
            f"€{number(row['value_end'], lang)} · {number(row['potential_score'], lang)}",
        )
    svg.text((left + right) / 2, bottom + 35, L["x_value"], anchor="middle", fill=MUTED)
    svg.text(15, (top + bottom) / 2, L["y_potential"], anchor="middle", fill=MUTED, rotate=-90)
    counts = customers["segment"].value_counts().to_dict()
    _legend(svg, right + 25, top + 20, ordered(list(counts)), L, counts)
    return svg.render()


def _lines(svg: Svg, frame: pd.DataFrame, column: str, box: tuple[int, int, int, int], title: str, lang: str) -> None:
    left, top, right, bottom = box
    months = sorted(frame["month"].unique())
    values = frame[column].astype(float)
    ticks = nice_ticks(min(values.min(), 0), max(values.max(), 1), 4)
    fx = linear(0, max(len(months) - 1, 1), left + 10, right - 10)
    fy = linear(ticks[0], ticks[-1], bottom, top)
    svg.text(left, top - 8, title, size=11, weight="600")
    for tick in ticks:
        svg.line(left, fy(tick), right, fy(tick))
        svg.text(left - 5, fy(tick) + 3, short(tick), size=10, anchor="end", fill=MUTED)
    for i, month in enumerate(months):
        if len(months) <= 6 or i % 2 == 0 or i == len(months) - 1:
            svg.text(fx(i), bottom + 14, f"{month:%Y-%m}", size=9, anchor="middle", fill=MUTED)
    index = {m: i for i, m in enumerate(months)}
    for segment in ordered(list(frame["segment"])):
        part = frame[frame["segment"] == segment].sort_values("month")
        points = [(fx(index[m]), fy(float(v))) for m, v in zip(part["month"], part[column], strict=True)]
        if len(points) > 1:
            svg.polyline(points, colour(segment))
        for (x, y), v, m in zip(points, part[column], part["month"], strict=True):
            svg.circle(x, y, 3, colour(segment), tip=f"{segment} {m:%Y-%m}: {number(float(v), lang)}")


def trend(frame: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """Customers and 12-month value per segment over the evaluated months of the last year."""
    svg = Svg(820, 280, L["trend"])
    _lines(svg, frame, "customers", (50, 30, 360, 240), L["trend_customers"], lang)
    _lines(svg, frame, "value_end", (440, 30, 700, 240), L["trend_value"], lang)
    _legend(svg, 720, 40, ordered(list(frame["segment"])), L, {})
    return svg.render()


def heatmap(migrations: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """From x to segment matrix of customers; the diagonal (stayed) in grey, moves in orange."""
    rows = ordered(list(migrations["from_segment"]))
    cols = ordered(list(migrations["to_segment"]))
    cell_w, cell_h, left, top = 78, 30, 120, 60
    svg = Svg(left + cell_w * len(cols) + 20, top + cell_h * len(rows) + 20, L["migrations"])
    counts = {(r.from_segment, r.to_segment): (int(r.customers), float(r.value_to)) for r in migrations.itertuples()}
    moved = [n for (f, t), (n, _) in counts.items() if f != t] or [1]
    stayed = [n for (f, t), (n, _) in counts.items() if f == t] or [1]
    svg.text(left - 8, top - 40, f"{L['from']} ↓  {L['to']} →", size=10, anchor="end", fill=MUTED)
    for j, col in enumerate(cols):
        svg.text(left + j * cell_w + cell_w / 2, top - 8, L.get(col, col), size=10, anchor="middle", weight="600")
    for i, row in enumerate(rows):
        y = top + i * cell_h
        svg.text(left - 8, y + cell_h / 2 + 4, L.get(row, row), size=10, anchor="end", weight="600")
        for j, col in enumerate(cols):
            x = left + j * cell_w
            n, value = counts.get((row, col), (0, 0.0))
            if row == col:
                share = n / max(stayed)
                fill = f"rgba(70, 90, 120, {0.12 + 0.6 * share:.2f})"
            else:
                share = n / max(moved)
                fill = f"rgba(230, 97, 1, {0.08 + 0.85 * share:.2f})" if n else "#fafafa"
            svg.rect(x + 1, y + 1, cell_w - 2, cell_h - 2, fill, tip=f"{row} → {col}: {n} · €{number(value, lang)}")
            svg.text(
                x + cell_w / 2,
                y + cell_h / 2 + 4,
                number(n, lang) if n else "·",
                size=11,
                anchor="middle",
                fill="#fff" if share > 0.55 else INK,
                cls="cell",
            )
    return svg.render()


def _hbars(
    svg: Svg,
    rows: list[str],
    series: list[tuple[str, str, dict[str, float]]],
    box: tuple[int, int, int],
    lang: str,
    log: bool,
    L: dict[str, str],
) -> None:
    """Grouped horizontal bars: one group per row, one bar per series, value written after the bar."""
    left, top, right = box
    per_bar, gap = 13, 12
    group = per_bar * len(series) + gap
    values = [v for _, _, data in series for v in data.values()] or [1]
    hi = max(max(values), 1)
    scale = (lambda v: symlog(max(v, 0))) if log else (lambda v: max(v, 0))
    fx = linear(0, scale(hi) * 1.05, left, right)
    ticks = [t for t in symlog_ticks(0, hi * 1.05) if t > 0] if log else nice_ticks(0, hi, 4)
    bottom = top + group * len(rows)
    for tick in ticks:
        svg.line(fx(scale(tick)), top, fx(scale(tick)), bottom)
        svg.text(fx(scale(tick)), bottom + 13, short(tick), size=9, anchor="middle", fill=MUTED)
    for i, row in enumerate(rows):
        y = top + i * group
        svg.text(left - 8, y + group / 2, L.get(row, row), size=11, anchor="end", weight="600")
        for k, (name, fill, data) in enumerate(series):
            value = data.get(row, 0.0)
            svg.rect(left, y + k * per_bar, fx(scale(value)) - left, per_bar - 2, fill, tip=f"{name}: {value}")
            svg.text(fx(scale(value)) + 4, y + k * per_bar + 9, number(value, lang), size=9, fill=MUTED)
    for k, (name, fill, _) in enumerate(series):
        svg.rect(left + k * 150, bottom + 25, 10, 10, fill)
        svg.text(left + k * 150 + 14, bottom + 34, name, size=10)


def costs(segments: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """Contact costs (actual and planned) against one month of value, per segment, with cost per euro."""
    rows = ordered(list(segments["segment"]))
    s = segments.set_index("segment")
    series = [
        (L["cost_bar"], "#d73027", s["contact_cost_actual"].astype(float).to_dict()),
        (L["plan_bar"], "#fc8d59", s["contact_cost_plan"].astype(float).to_dict()),
        (L["value_bar"], "#4575b4", (s["value_end"].astype(float) / 12).to_dict()),
    ]
    svg = Svg(820, 60 + 51 * len(rows) + 40, L["costs"])
    _hbars(svg, rows, series, (120, 20, 640), lang, True, L)
    svg.text(700, 14, "€ / € " + L["value_bar"], size=10, anchor="middle", fill=MUTED)
    for i, row in enumerate(rows):
        ratio = s.loc[row, "contact_cost_per_value_euro"]
        svg.text(
            700, 20 + i * 51 + 25, "–" if pd.isna(ratio) else number(float(ratio), lang, 3), size=11, anchor="middle"
        )
    return svg.render()


def pressure(segments: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """Customers flagged over- and under-contacted per segment (published contact pressure)."""
    rows = ordered(list(segments["segment"]))
    s = segments.set_index("segment")
    series = [
        (L["over"], "#d73027", s["over_contacted"].astype(float).to_dict()),
        (L["under"], "#4575b4", s["under_contacted"].astype(float).to_dict()),
    ]
    svg = Svg(820, 60 + 38 * len(rows) + 30, L["pressure"])
    _hbars(svg, rows, series, (120, 20, 740), lang, False, L)
    return svg.render()


def _kpi(value: float | None, kpi: str, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    return number(value, lang, 2) if kpi == "cost_to_serve" else percent(value, lang)


def goals(segments: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """Per segment: goal, KPI, measured value against the target, reached / missed and since when."""
    rows = ordered(list(segments["segment"]))
    s = segments.set_index("segment")
    svg = Svg(820, 40 + 30 * len(rows), L["goals"])
    headers = [
        (10, L["segment"]),
        (130, L["goal_col"]),
        (250, L["kpi_col"]),
        (420, L["kpi_col"] + " ="),
        (520, L["target_col"]),
        (610, ""),
        (720, L["since"]),
    ]
    for x, title in headers:
        svg.text(x, 18, title, size=10, fill=MUTED, weight="600")
    for i, segment in enumerate(rows):
        r = s.loc[segment]
        y = 44 + i * 30
        if i % 2 == 0:
            svg.rect(0, y - 19, 820, 30, "#f6f6f6")
        status = str(r["goal_status"])
        kpi = str(r["kpi"])
        svg.circle(16, y - 4, 5, colour(segment))
        svg.text(26, y, L.get(segment, segment), size=11, weight="600")
        svg.text(130, y, L.get(str(r["goal"]), str(r["goal"])), size=11)
        svg.text(250, y, L.get(kpi, kpi), size=11)
        svg.text(420, y, _kpi(r["kpi_value"], kpi, lang), size=11, weight="600", cls="kpi-value")
        op = "≥" if r["direction"] == "at_least" else "≤"
        svg.text(520, y, f"{op} {_kpi(r['target'], kpi, lang)}", size=11)
        svg.rect(610, y - 14, 90, 20, STATUS_COLOURS.get(status, "#999"), rx=10)
        svg.text(655, y, L.get(status, status), size=11, anchor="middle", fill="#fff", weight="600", cls="status")
        svg.text(720, y, f"{r['goal_status_since']:%Y-%m}", size=11)
    return svg.render()


METRICS = ("retention", "revenue_per_customer", "value_development")


def uplift(frame: pd.DataFrame, L: dict[str, str], lang: str) -> str:
    """Treated minus control per segment and metric: a dot with its confidence interval, or why not."""
    rows = ordered(list(frame["segment"]))
    panel_w, row_h, left, top = 250, 30, 110, 40
    svg = Svg(left + panel_w * len(METRICS) + 20, top + row_h * len(rows) + 20, L["uplift"])
    for k, metric in enumerate(METRICS):
        part = frame[frame["metric"] == metric].set_index("segment")
        x0, x1 = left + k * panel_w + 10, left + (k + 1) * panel_w - 10
        ok = part[part["status"] == "ok"]
        reach = max([abs(float(v)) for v in pd.concat([ok["ci_low"], ok["ci_high"]])] + [1e-9])
        fx = linear(-reach * 1.1, reach * 1.1, x0, x1)
        svg.text((x0 + x1) / 2, 16, L[metric], size=11, anchor="middle", weight="600")
        svg.line(fx(0), top - 12, fx(0), top + row_h * len(rows) - 10, stroke=MUTED, dash="3 3")
        for i, segment in enumerate(rows):
            y = top + i * row_h
            if k == 0:
                svg.text(left - 8, y + 4, L.get(segment, segment), size=11, anchor="end", weight="600")
            svg.line(x0, y + row_h / 2, x1, y + row_h / 2, stroke=GRID)
            if segment not in part.index:
                continue
            r = part.loc[segment]
            sizes = f"n={int(r['treated_customers'])}/{int(r['control_customers'])}"
            if r["status"] != "ok":
                svg.text(
                    (x0 + x1) / 2,
                    y + 4,
                    f"{L[str(r['status'])]} ({sizes})",
                    size=10,
                    anchor="middle",
                    fill=MUTED,
                    cls="uplift-status",
                )
                continue
            fmt = (lambda v: percent(v, lang)) if metric == "retention" else (lambda v: number(v, lang, 0))
            svg.line(fx(float(r["ci_low"])), y, fx(float(r["ci_high"])), y, stroke=colour(segment), width=2)
            svg.circle(
                fx(float(r["uplift"])),
                y,
                4.5,
                colour(segment),
                tip=f"{fmt(float(r['uplift']))} [{fmt(float(r['ci_low']))}, {fmt(float(r['ci_high']))}]",
            )
            svg.text(x1, y + 13, f"{fmt(float(r['uplift']))} · {sizes}", size=9, anchor="end", fill=MUTED)
    return svg.render()
