"""One self-contained HTML file per evaluated month: inline CSS and SVG, no script, font or image from
outside, so it opens offline and can be mailed. Every chart is a `<figure data-chart=...>` and every headline
figure a `<data data-figure=... value=...>`, which is what the tests (and a screen reader) find."""

from __future__ import annotations

from html import escape

from cvm.report import charts
from cvm.report.data import ReportData
from cvm.report.labels import labels, number, percent

EURO = "€\u00a0"  # never a line break between the sign and the amount

CHARTS: tuple[str, ...] = ("scatter", "trend", "migrations", "costs", "pressure", "goals", "uplift")

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222; margin: 0;
       background: #f4f5f7; }
main { max-width: 880px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 4px; }
.sub { color: #666; margin: 0 0 18px; font-size: 13px; }
.kpis { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; margin-bottom: 18px; }
.kpi { background: #fff; border-radius: 8px; padding: 10px 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.kpi .label { font-size: 11px; color: #666; text-transform: uppercase; letter-spacing: .03em; }
.kpi data { display: block; font-size: 20px; white-space: nowrap; font-weight: 650; margin-top: 4px; }
.kpi .detail { font-size: 11px; color: #666; }
figure { background: #fff; border-radius: 8px; margin: 0 0 16px; padding: 14px 16px;
         box-shadow: 0 1px 2px rgba(0,0,0,.08); }
figcaption p { color: #666; font-size: 12px; margin: 0 0 8px; }
svg { max-width: 100%; height: auto; }
footer { color: #888; font-size: 11px; text-align: center; padding: 8px; }
"""


def _kpi(key: str, label: str, value: float, shown: str, detail: str = "") -> str:
    detail_html = f'<div class="detail">{escape(detail)}</div>' if detail else ""
    return (
        f'<div class="kpi"><div class="label">{escape(label)}</div>'
        f'<data data-figure="{key}" value="{value:.2f}">{escape(shown)}</data>{detail_html}</div>'
    )


def _figure(name: str, title: str, note: str, svg: str) -> str:
    return (
        f'<figure id="chart-{name}" data-chart="{name}"><figcaption><h2>{escape(title)}</h2>'
        f"<p>{escape(note)}</p></figcaption>{svg}</figure>"
    )


def render_report(data: ReportData, language: str = "en") -> str:
    L = labels(language)
    h = data.headline()
    month = f"{data.month:%Y-%m}"
    pressure_as_of = data.segments["pressure_as_of"].dropna()
    confidence = data.uplift["confidence_z"].dropna()
    conf = (
        {1.96: "95%", 1.645: "90%", 2.576: "99%"}.get(round(float(confidence.iloc[0]), 3), "z")
        if not confidence.empty
        else "95%"
    )
    kpis = "".join(
        [
            _kpi("customers", L["customers"], h["customers"], number(h["customers"], language)),
            _kpi("value_end", L["value"], h["value_end"], EURO + number(h["value_end"], language)),
            _kpi(
                "value_change",
                L["value_change"],
                h["value_change"],
                EURO + number(h["value_change"], language),
                f"{L['same_growth']} {EURO}{number(h['same_customers_growth'], language)}, "
                f"{L['migration']} {EURO}{number(h['net_migration_value'], language)}",
            ),
            _kpi(
                "contact_cost_actual",
                L["contact_cost"],
                h["contact_cost_actual"],
                EURO + number(h["contact_cost_actual"], language),
            ),
            _kpi(
                "goals_reached",
                L["goals_reached"],
                h["goals_reached"],
                f"{int(h['goals_reached'])} / {int(h['goals_judged'])}",
                percent(h["goals_reached"] / h["goals_judged"], language, 0) if h["goals_judged"] else "",
            ),
        ]
    )
    figures = [
        _figure("scatter", L["scatter"], L["scatter_note"], charts.scatter(data.customers, L, language)),
        _figure("trend", L["trend"], L["trend_note"], charts.trend(data.trend, L, language)),
        _figure("migrations", L["migrations"], L["migrations_note"], charts.heatmap(data.migrations, L, language)),
        _figure("costs", L["costs"], L["costs_note"], charts.costs(data.segments, L, language)),
        _figure(
            "pressure",
            L["pressure"],
            L["pressure_note"].format(as_of=pressure_as_of.max() if not pressure_as_of.empty else "–"),
            charts.pressure(data.segments, L, language),
        ),
        _figure("goals", L["goals"], L["goals_note"], charts.goals(data.segments, L, language)),
        _figure("uplift", L["uplift"], L["uplift_note"].format(conf=conf), charts.uplift(data.uplift, L, language)),
    ]
    subtitle = L["subtitle"].format(month=month, run=data.model_run_id, as_of=data.run_as_of)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(L['title'])} {month}</title><style>{CSS}</style></head>"
        f'<body><main data-month="{month}"><h1>{escape(L["title"])} · {month}</h1>'
        f'<p class="sub">{escape(subtitle)}</p><section class="kpis">{kpis}</section>'
        + "".join(figures)
        + f"<footer>{escape(L['generated'])}: marts.segment_evaluation_monthly, segment_migrations_monthly, "
        "segment_uplift_monthly</footer></main></body></html>\n"
    )
