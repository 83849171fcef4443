"""The monthly evaluation end to end on 300 demo customers: the pipeline publishes as of 2026-10-31, then the
real `cvm_monthly_evaluation` DAG (dag.test) evaluates August, September and October 2026. Checks that a
re-run of the middle month changes nothing, that the stores reconcile with the model run's month-end states
and facts computed here independently, that the report's figures equal the marts, and how the report looks
in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from datetime import date
from pathlib import Path

import psycopg
import pytest

from cvm.settings import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AS_OF = date(2026, 10, 31)
MONTHS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = PROJECT_ROOT / ".cvm" / "test-output" / "evaluation"


def _rows(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, airflow_settings, warehouse_url):
    """A published warehouse as of 2026-10-31 (stages run directly: the pipeline DAG has its own e2e test)."""
    from cvm.demo import generate
    from cvm.pipeline import run_all

    out = tmp_path_factory.mktemp("demo")
    generate(out, customers=300, seed=7, end_date=AS_OF)
    settings = airflow_settings.with_(database_url=warehouse_url, landing=out / "landing")
    ctx = run_all(AS_OF.isoformat(), str(out / "landing"), settings)
    return settings, ctx.run_id


def _evaluate(settings, month: date):
    from cvm.airflow_run import run_evaluation_dag

    saved = dict(os.environ)
    try:
        return run_evaluation_dag(settings, month)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def evaluated(demo, warehouse_url):
    """Three consecutive months through the DAG, then the middle one again; checksums before and after."""
    from cvm.evaluation import store_checksums

    settings, run_id = demo
    results = [_evaluate(settings, month) for month in MONTHS]
    before = store_checksums(warehouse_url)
    rerun = _evaluate(settings, MONTHS[1])
    after = store_checksums(warehouse_url)
    return {
        "results": results,
        "rerun": rerun,
        "before": before,
        "after": after,
        "run_id": run_id,
        "settings": settings,
    }


def test_three_consecutive_months_through_the_dag(evaluated, warehouse_url) -> None:
    for result in [*evaluated["results"], evaluated["rerun"]]:
        assert result.state == "success", result.failed_tasks
    rows = _rows(
        warehouse_url, "select month, model_run_id, status, report_path from ops.evaluation_runs order by month"
    )
    assert [r[0] for r in rows] == list(MONTHS)
    assert {r[1] for r in rows} == {evaluated["run_id"]}  # the first published run on/after each month end
    assert all(r[2] == "reported" and Path(r[3]).is_file() for r in rows)
    for store in ("evaluation_segments", "evaluation_migrations", "evaluation_customer_months"):
        counts = dict(_rows(warehouse_url, f"select month, count(*) from evaluation.{store} group by 1"))
        assert set(counts) == set(MONTHS) and all(n > 0 for n in counts.values()), store
    assert _rows(warehouse_url, "select count(*) from marts.segment_evaluation_monthly") == [(21,)]  # 3 x 7


def test_rerunning_the_middle_month_changes_nothing(evaluated) -> None:
    before, after = evaluated["before"], evaluated["after"]
    assert len(before) == 12  # 4 stores x 3 months
    assert after == before


def test_stores_reconcile_with_the_month_end_states_and_facts(evaluated, warehouse_url) -> None:
    """September, recomputed here from ml.segment_history and the facts, independently of the dbt models."""
    run_id, month = evaluated["run_id"], MONTHS[1]
    expected = dict(
        _rows(
            warehouse_url,
            """
        select segment, count(*) from ml.segment_history where model_run_id = %s and month = %s group by 1""",
            (run_id, month),
        )
    )
    got = dict(
        _rows(
            warehouse_url,
            "select segment, customers from marts.segment_evaluation_monthly where month = %s and customers > 0",
            (month,),
        )
    )
    assert got == expected
    matrix = _rows(
        warehouse_url,
        """
        select coalesce(s.segment, '(new)'), coalesce(e.segment, '(gone)'), count(*)
        from (select * from ml.segment_history where model_run_id = %s and month = %s) e
        full join (select * from ml.segment_history where model_run_id = %s and month = %s - interval '1 month') s
            using (customer_id)
        group by 1, 2 order by 1, 2""",
        (run_id, month, run_id, month),
    )
    published = _rows(
        warehouse_url,
        "select from_segment, to_segment, customers from marts.segment_migrations_monthly"
        " where month = %s order by 1, 2",
        (month,),
    )
    assert published == matrix
    assert sum(r[2] for r in matrix if r[0] != r[1]) > 0, "the demo has customers changing segment"
    (value_end, growth, moved_in, moved_out, change, cost, revenue) = _rows(
        warehouse_url,
        """
        select sum(value_end), sum(same_customers_growth), sum(migration_in_value), sum(migration_out_value),
               sum(value_change), sum(contact_cost_actual), sum(revenue_month)
        from marts.segment_evaluation_monthly where month = %s""",
        (month,),
    )[0]
    (history_value,) = _rows(
        warehouse_url,
        "select sum(current_value_12m) from ml.segment_history where model_run_id = %s and month = %s",
        (run_id, month),
    )[0]
    assert value_end == pytest.approx(history_value)
    assert change == pytest.approx(growth + moved_in - moved_out)
    # the CLV at both month ends from the same history, split the same way
    clv_end, clv_change, clv_growth, clv_in, clv_out = _rows(
        warehouse_url,
        """
        select sum(clv_end), sum(clv_change), sum(clv_same_customers_growth), sum(clv_migration_in),
               sum(clv_migration_out)
        from marts.segment_evaluation_monthly where month = %s""",
        (month,),
    )[0]
    history_clv, history_clv_before = _rows(
        warehouse_url,
        """
        select sum(clv_12m) filter (where month = %s), sum(clv_12m) filter (where month = %s - interval '1 month')
        from ml.segment_history where model_run_id = %s""",
        (month, month, run_id),
    )[0]
    assert clv_end == pytest.approx(history_clv) and clv_end > 0
    assert clv_change == pytest.approx(history_clv - history_clv_before) and clv_change != 0
    assert clv_change == pytest.approx(clv_growth + clv_in - clv_out)
    # in the run's own as-of month the history holds the run's scores
    (october_clv,) = _rows(
        warehouse_url, "select sum(clv_end) from marts.segment_evaluation_monthly where month = %s", (MONTHS[2],)
    )[0]
    (scores_clv,) = _rows(
        warehouse_url, "select sum(clv_12m) from ml.customer_scores where model_run_id = %s", (run_id,)
    )[0]
    assert float(october_clv) == pytest.approx(float(scores_clv), abs=0.05)
    (fact_cost,) = _rows(
        warehouse_url,
        """
        select sum(contact_cost) from intermediate.int_contact_moments
        where occurred_on >= %s and occurred_on < %s + interval '1 month'
          and customer_id in (select customer_id from ml.segment_history where model_run_id = %s
                              and month in (%s, %s - interval '1 month'))""",
        (month, month, run_id, month, month),
    )[0]
    (fact_revenue,) = _rows(
        warehouse_url,
        """
        select sum(revenue) from intermediate.int_invoices
        where invoice_date >= %s and invoice_date < %s + interval '1 month'""",
        (month, month),
    )[0]
    assert cost == pytest.approx(fact_cost) and cost > 0
    assert revenue == pytest.approx(fact_revenue) and revenue > 0
    statuses = _rows(
        warehouse_url,
        "select kpi_value, target, direction, goal_status from "
        "marts.segment_evaluation_monthly where kpi_value is not null",
    )
    for kpi_value, target, direction, status in statuses:
        reached = kpi_value >= target if direction == "at_least" else kpi_value <= target
        assert status == ("reached" if reached else "missed")


def test_goal_since_carries_over_from_the_month_before(evaluated, warehouse_url) -> None:
    rows = _rows(
        warehouse_url,
        """
        select cur.segment, cur.goal_status, prev.goal_status, cur.goal_status_since, prev.goal_status_since
        from marts.segment_evaluation_monthly cur
        join marts.segment_evaluation_monthly prev
          on prev.segment = cur.segment and prev.month = cur.month - interval '1 month'
        where cur.month = %s""",
        (MONTHS[2],),
    )
    assert len(rows) == 7
    for segment, status, previous, since, previous_since in rows:
        assert since == (previous_since if status == previous else MONTHS[2]), segment


def _figures(html: str) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r'<data data-figure="([a-z_]+)" value="([-0-9.]+)">', html)}


def test_report_figures_equal_the_marts(evaluated, warehouse_url, monkeypatch, tmp_path, capsys) -> None:
    from cvm.cli import main

    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("CVM_HOME", str(tmp_path))
    out = tmp_path / "report-en.html"
    assert main(["report", "--month", "2026-10", "--out", str(out)]) == 0
    html = out.read_text()
    customers, value, change, cost, reached, judged = _rows(
        warehouse_url,
        """
        select sum(customers), sum(value_end), sum(value_change), sum(contact_cost_actual),
               count(*) filter (where goal_status = 'reached'), count(*) filter (where goal_status <> 'no data')
        from marts.segment_evaluation_monthly where month = '2026-10-01'""",
    )[0]
    figures = _figures(html)
    assert figures == pytest.approx(
        {
            "customers": float(customers),
            "value_end": float(value),
            "value_change": float(change),
            "contact_cost_actual": float(cost),
            "goals_reached": float(reached),
        },
        abs=0.01,
    )
    assert f"{int(reached)} / {int(judged)}" in html
    assert html.count('class="status"') == 7
    # the heat map shows every cell of the published migration matrix
    cells = [int(n.replace(",", "")) for n in re.findall(r'class="cell">([0-9,]+)<', html)]
    migrated = _rows(warehouse_url, "select customers from marts.segment_migrations_monthly where month = '2026-10-01'")
    assert sorted(cells) == sorted(n for (n,) in migrated)
    # self-contained: no script, stylesheet, image or font fetched from anywhere
    assert not re.search(r"<script|<link|<img|@import|url\(|https?://(?!www\.w3\.org/2000/svg)", html)

    dutch = tmp_path / "report-nl.html"
    assert main(["report", "--month", "2026-10", "--out", str(dutch), "--lang", "nl"]) == 0
    nl = dutch.read_text()
    assert _figures(nl) == figures
    assert "Doelen gehaald en gemist" in nl and 'lang="nl"' in nl and "Goals reached and missed" not in nl
    capsys.readouterr()


def test_cli_status_names_the_reports_and_evaluate_refuses_an_uncovered_month(
    evaluated, warehouse_url, monkeypatch, capsys
) -> None:
    from cvm.cli import main

    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    # the DAG's report for each month; a later `cvm report` (2026-10 in the test above) names its own file
    assert "evaluated 2026-10 with run" in status and "cvm-evaluation-2026-09.html" in status
    assert main(["evaluate", "--month", "2025-01"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no published pipeline run covers 2025-01" in err[0]
    with pytest.raises(SystemExit):
        main(["report", "--month", "2026-1"])
    assert "not a month" in capsys.readouterr().err


def test_uplift_against_a_control_group_matches_a_hand_computation(evaluated, warehouse_url) -> None:
    """With control groups published (simulated here: every second customer by a hash), the uplift per segment
    is treated minus control with a normal-approximation interval, recomputed here in Python."""
    from cvm.evaluation import evaluate_month, resolve

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("alter table marts.customer_360 add column if not exists control_group boolean")
        conn.execute("update marts.customer_360 set control_group = abs(hashtext(customer_id)) % 2 = 0")
    settings = evaluated["settings"]
    evaluate_month(settings, resolve(settings, MONTHS[2]))
    rows = _rows(
        warehouse_url,
        """
        select segment, treated_customers, control_customers, status, uplift, ci_low, ci_high
        from marts.segment_uplift_monthly where month = %s and metric = 'revenue_per_customer'""",
        (MONTHS[2],),
    )
    by_segment = {r[0]: r[1:] for r in rows}
    ok = [s for s, r in by_segment.items() if r[2] == "ok"]
    small = [s for s, r in by_segment.items() if r[2] == "not enough data"]
    assert ok and small, by_segment
    for segment in small:
        assert min(by_segment[segment][0], by_segment[segment][1]) < 30
    segment = max(ok, key=lambda s: by_segment[s][0] + by_segment[s][1])
    observed = _rows(
        warehouse_url,
        """
        select control_group, revenue_month::float from evaluation.evaluation_customer_months
        where month = %s and segment_start = %s""",
        (MONTHS[2], segment),
    )
    treated = [v for c, v in observed if not c]
    control = [v for c, v in observed if c]
    uplift = statistics.mean(treated) - statistics.mean(control)
    se = (statistics.variance(treated) / len(treated) + statistics.variance(control) / len(control)) ** 0.5
    n_t, n_c, _, got_uplift, low, high = by_segment[segment]
    assert (n_t, n_c) == (len(treated), len(control))
    assert float(got_uplift) == pytest.approx(uplift, abs=1e-3)
    assert float(low) == pytest.approx(uplift - 1.96 * se, abs=1e-3)
    assert float(high) == pytest.approx(uplift + 1.96 * se, abs=1e-3)


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed (/usr/bin/chromium: apt-get install chromium); .ci/run installs it",
)
def test_report_in_headless_chromium(evaluated, warehouse_url, tmp_path) -> None:
    """Opened the way a marketer opens it: every chart drawn and every headline figure on the page."""
    from cvm.report import CHARTS, load_report_data, render_report

    page = tmp_path / "report.html"
    page.write_text(render_report(load_report_data(warehouse_url, MONTHS[2]), "en"))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "report-2026-10.png"
    screenshot.unlink(missing_ok=True)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--hide-scrollbars",
    ]
    dom = subprocess.run(
        [str(CHROMIUM), *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180, check=True
    ).stdout
    subprocess.run(
        [str(CHROMIUM), *flags, "--window-size=920,3900", f"--screenshot={screenshot}", page.as_uri()],
        capture_output=True,
        timeout=180,
        check=True,
    )
    for chart in CHARTS:
        match = re.search(rf'<figure id="chart-{chart}" data-chart="{chart}">(.*?)</figure>', dom, re.S)
        assert match, f"chart {chart} missing from the rendered page"
        assert "<svg" in match.group(1) and re.search(r"<(circle|rect|line|polyline) ", match.group(1)), chart
    # the test above published control groups: the uplift chart draws intervals, not only "not enough data"
    uplift = re.search(r'<figure id="chart-uplift".*?</figure>', dom, re.S).group(0)
    assert "<circle" in uplift and "not enough data" in uplift
    for figure in ("customers", "value_end", "value_change", "contact_cost_actual", "goals_reached"):
        assert f'data-figure="{figure}"' in dom, figure
    assert screenshot.stat().st_size > 50_000  # a drawn page, not a blank one
    shutil.copy(screenshot, tmp_path / screenshot.name)
