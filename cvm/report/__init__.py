"""The monthly marketing report: one self-contained HTML file per evaluated month (`cvm report`)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from cvm.report.data import ReportData, ReportError, load_report_data
from cvm.report.html import CHARTS, render_report
from cvm.settings import Settings

log = logging.getLogger("cvm.report")


def default_report_path(settings: Settings, month: date) -> Path:
    return settings.home / "reports" / f"cvm-evaluation-{month:%Y-%m}.html"


def write_monthly_report(settings: Settings, month: date, out: Path | None = None, language: str | None = None) -> Path:
    """Render the month's report from the published marts and record where it is (for `cvm status`)."""
    from cvm.evaluation import record_report
    from cvm.warehouse import warehouse_url

    url = warehouse_url(settings)
    path = Path(out) if out else default_report_path(settings, month)
    html = render_report(load_report_data(url, month), language or settings.report_language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    record_report(url, month, str(path.resolve()))
    log.info("report for %s written to %s (%d kB)", f"{month:%Y-%m}", path, len(html) // 1024)
    return path


__all__ = [
    "CHARTS",
    "ReportData",
    "ReportError",
    "default_report_path",
    "load_report_data",
    "render_report",
    "write_monthly_report",
]
