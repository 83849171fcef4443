"""What the report shows, read from the published marts (and the per-customer evaluation store for the
scatter). The report computes nothing the marts do not hold: every figure is a sum or a row of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cvm.evaluation.months import add_months
from cvm.warehouse import connect

PUBLISHED = "marts"


class ReportError(RuntimeError):
    """The month has not been evaluated (or the marts do not publish the evaluation yet)."""


@dataclass(frozen=True)
class ReportData:
    month: date
    model_run_id: str
    run_as_of: date
    segments: pd.DataFrame  # marts.segment_evaluation_monthly of the month
    trend: pd.DataFrame  # the same for the 12 months up to the month (evaluated months only)
    migrations: pd.DataFrame  # marts.segment_migrations_monthly of the month
    uplift: pd.DataFrame  # marts.segment_uplift_monthly of the month
    customers: pd.DataFrame  # evaluation.evaluation_customer_months of the month (scatter)

    def headline(self) -> dict[str, float]:
        """The figures at the top of the report: straight sums over the month's segment rows."""
        s = self.segments
        judged = s[s["goal_status"] != "no data"]
        return {
            "customers": float(s["customers"].sum()),
            "value_end": float(s["value_end"].sum()),
            "value_change": float(s["value_change"].sum()),
            "same_customers_growth": float(s["same_customers_growth"].sum()),
            "net_migration_value": float((s["migration_in_value"] - s["migration_out_value"]).sum()),
            "contact_cost_actual": float(s["contact_cost_actual"].sum()),
            "goals_reached": float((judged["goal_status"] == "reached").sum()),
            "goals_judged": float(len(judged)),
        }


def _frame(conn, query: str, params: tuple = ()) -> pd.DataFrame:  # noqa: ANN001
    cur = conn.execute(query, params)
    frame = pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])
    for column in frame.columns:  # numeric -> float for charts; dates and text stay as they are
        if frame[column].map(lambda v: v.__class__.__name__ == "Decimal").any():
            frame[column] = frame[column].astype(float)
    return frame


def load_report_data(url: str, month: date) -> ReportData:
    with connect(url, autocommit=True) as conn:
        if not conn.execute(f"select to_regclass('{PUBLISHED}.segment_evaluation_monthly')").fetchone()[0]:
            raise ReportError("the published marts have no segment_evaluation_monthly: run the pipeline first")
        segments = _frame(
            conn, f"select * from {PUBLISHED}.segment_evaluation_monthly where month = %s order by segment", (month,)
        )
        if segments.empty:
            raise ReportError(f"{month:%Y-%m} has not been evaluated yet: `cvm evaluate --month {month:%Y-%m}`")
        trend = _frame(
            conn,
            f"""select month, segment, customers, value_end
                                 from {PUBLISHED}.segment_evaluation_monthly
                                 where month > %s and month <= %s order by month, segment""",
            (add_months(month, -12), month),
        )
        migrations = _frame(
            conn,
            f"select * from {PUBLISHED}.segment_migrations_monthly where month = %s order by from_segment, to_segment",
            (month,),
        )
        uplift = _frame(
            conn,
            f"select * from {PUBLISHED}.segment_uplift_monthly where month = %s order by segment, metric",
            (month,),
        )
        customers = _frame(
            conn,
            """select customer_id, segment, value_end, potential_score, run_as_of
                                    from evaluation.evaluation_customer_months
                                    where month = %s and segment is not null order by customer_id""",
            (month,),
        )
    run_as_of = customers["run_as_of"].iloc[0] if not customers.empty else month
    return ReportData(
        month, str(segments["model_run_id"].iloc[0]), run_as_of, segments, trend, migrations, uplift, customers
    )
