"""The evaluation rules on five customers worked out by hand: a real PostgreSQL and the real dbt models
(`tag:evaluation`), fed with hand-written month-end states, invoices, contact moments and survey answers.

September 2026 (month-end states of run R1, as of 2026-09-30):
  C1 star -> star, value 1000 -> 1200, CLV 1500 -> 1600; 2 outbound calls (8 each) + 1 inbound e-mail (4);
     invoice 500; NPS 9
  C2 cash_cow -> star, value 800 -> 900, CLV 700 -> 750; NPS 3
  C3 sleeper (no revenue) -> dog, value 0 -> 50, CLV none -> 40; invoice 50 (reactivated)
  C4 new in September, value 10, CLV 80
  C5 lost -> lost, value -20 -> -25, no CLV; one mailing (2.50)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from cvm.dbt import run_dbt
from cvm.evaluation import EvaluationTarget, evaluate_month, store_checksums
from cvm.settings import Settings
from ml.io import ensure_ml_tables

SEPTEMBER = date(2026, 9, 1)
RUN = EvaluationTarget(SEPTEMBER, "R1", date(2026, 9, 30))

HISTORY = [  # customer, month, value_class, segment, revenue_12m, current_value_12m, clv_12m
    ("C1", "2026-08-01", "high", "star", 3000, 1000, 1500),
    ("C1", "2026-09-01", "high", "star", 3500, 1200, 1600),
    ("C2", "2026-08-01", "high", "cash_cow", 2000, 800, 700),
    ("C2", "2026-09-01", "high", "star", 2100, 900, 750),
    ("C3", "2026-08-01", "none", "sleeper", 0, 0, None),
    ("C3", "2026-09-01", "low", "dog", 50, 50, 40),
    ("C4", "2026-09-01", "low", "new", 20, 10, 80),
    ("C5", "2026-08-01", "none", "lost", 0, -20, None),
    ("C5", "2026-09-01", "none", "lost", 0, -25, None),
]


@pytest.fixture(scope="module")
def hand_settings(base_settings: Settings, warehouse_url: str, tmp_path_factory) -> Settings:
    home = tmp_path_factory.mktemp("cvm_home")
    settings = base_settings.with_(home=home, database_url=warehouse_url)
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        ensure_ml_tables(conn)
        conn.execute("insert into ml.model_runs (model_run_id, as_of_date, status) values ('R1', '2026-09-30', 'ok')")
        with conn.cursor() as cur:
            cur.executemany(
                "insert into ml.segment_history (model_run_id, customer_id, month, value_class, segment, "
                "revenue_12m, current_value_12m, clv_12m) values ('R1', %s, %s, %s, %s, %s, %s, %s)",
                HISTORY,
            )
            cur.executemany(
                "insert into ml.customer_scores (model_run_id, as_of_date, customer_id, potential_score, clv_12m) "
                "values ('R1', '2026-09-30', %s, %s, %s)",
                [("C1", 900, 1500), ("C2", 100, 700), ("C3", 50, 40), ("C4", 300, 80), ("C5", 0, 0)],
            )
        conn.execute("""
            create table intermediate.int_invoices (invoice_id text, customer_id text, invoice_date date,
                revenue numeric);
            insert into intermediate.int_invoices values
                ('I1', 'C1', '2026-09-10', 500), ('I2', 'C3', '2026-09-20', 50),
                ('I0', 'C1', '2026-08-31', 999), ('I9', 'C1', '2026-10-01', 999);
            create table intermediate.int_contact_moments (contact_moment_id text, customer_id text,
                occurred_on date, direction text, contact_cost numeric);
            insert into intermediate.int_contact_moments values
                ('M1', 'C1', '2026-09-02', 'outbound', 8), ('M2', 'C1', '2026-09-30', 'outbound', 8),
                ('M3', 'C1', '2026-09-15', 'inbound', 4), ('M4', 'C5', '2026-09-05', 'outbound', 2.5),
                ('M0', 'C5', '2026-10-01', 'outbound', 100);
            create table intermediate.int_surveys (survey_id text, customer_id text, responded_at timestamptz,
                nps_score int);
            insert into intermediate.int_surveys values
                ('S1', 'C1', '2026-09-12 10:00+02', 9), ('S2', 'C2', '2026-09-30 23:30+02', 3),
                ('S0', 'C2', '2026-08-31 23:30+02', 10);
        """)
    run_dbt(settings, warehouse_url, ["seed"])
    return settings


def _segments(url: str) -> dict[str, dict]:
    with psycopg.connect(url) as conn:
        cur = conn.execute("select * from evaluation.evaluation_segments where month = %s", (SEPTEMBER,))
        cols = [c.name for c in cur.description]
        return {row[1]: dict(zip(cols, row, strict=True)) for row in cur.fetchall()}


@pytest.fixture(scope="module")
def september(hand_settings: Settings, warehouse_url: str) -> Iterator[dict[str, dict]]:
    evaluate_month(hand_settings, RUN)
    yield _segments(warehouse_url)


def test_customers_and_value_split(september) -> None:
    star = september["star"]
    assert (star["customers"], star["customers_start"]) == (2, 1)
    assert (star["value_start"], star["value_end"], star["value_change"]) == (1000, 2100, 1100)
    assert star["same_customers_growth"] == 200  # C1 only
    assert (star["migration_in_value"], star["migration_out_value"]) == (900, 0)  # C2 came in
    cash_cow = september["cash_cow"]
    assert (cash_cow["customers"], cash_cow["value_change"], cash_cow["migration_out_value"]) == (0, -800, 800)
    assert september["new"]["new_customers"] == 1 and september["new"]["migration_in_value"] == 10
    assert set(september) == {"star", "cash_cow", "question_mark", "new", "dog", "sleeper", "lost"}
    assert september["question_mark"]["customers"] == 0


def test_clv_split_like_the_value(september) -> None:
    """The CLV at both month ends from the month-end history, split the same way (a missing CLV counts 0)."""
    star, cash_cow, dog, new = (september[s] for s in ("star", "cash_cow", "dog", "new"))
    assert (star["clv_start"], star["clv_end"], star["clv_change"]) == (1500, 2350, 850)
    assert (star["clv_same_customers_growth"], star["clv_migration_in"], star["clv_migration_out"]) == (100, 750, 0)
    assert (cash_cow["clv_start"], cash_cow["clv_change"], cash_cow["clv_migration_out"]) == (700, -700, 700)
    assert (dog["clv_end"], dog["clv_migration_in"], september["sleeper"]["clv_migration_out"]) == (40, 40, 0)
    assert (new["clv_end"], new["clv_migration_in"]) == (80, 80)
    for row in september.values():
        parts = row["clv_same_customers_growth"] + row["clv_migration_in"] - row["clv_migration_out"]
        assert row["clv_change"] == parts, row["segment"]


def test_contacts_revenue_and_nps_of_the_month_only(september) -> None:
    star = september["star"]  # C1 started the month as a star; C2 as a cash cow
    assert (star["contacts_actual"], star["contact_cost_actual"], star["revenue_month"]) == (2, 20, 500)
    assert september["lost"]["contact_cost_actual"] == Decimal("2.5")
    assert september["sleeper"]["revenue_month"] == 50  # C3 bought while still a sleeper at the start
    # NPS by the segment at the month end: C1 (9, promoter) and C2 (3, detractor); C2's August answer left out
    assert (star["nps_responses"], star["avg_nps"], star["nps"]) == (2, 6, 0)
    # no plan history published: the strategy cadence (stars: 6 contacts, 1200 euro a year) for 1 customer
    assert star["plan_source"] == "strategy cadence"
    assert star["contacts_plan"] == Decimal("0.50") and star["contact_cost_plan"] == 100


def test_goals_against_targets(september) -> None:
    star, cash_cow, sleeper, lost, dog = (september[s] for s in ("star", "cash_cow", "sleeper", "lost", "dog"))
    assert (star["kpi"], star["kpi_value"], star["goal_status"]) == ("retention_rate", 1, "reached")
    assert (cash_cow["kpi_value"], cash_cow["goal_status"]) == (1, "reached")  # C2 still buys, as a star
    assert (sleeper["kpi"], sleeper["reactivated_customers"], sleeper["goal_status"]) == (
        "reactivation_rate",
        1,
        "reached",
    )
    assert (lost["kpi"], lost["kpi_value"], lost["goal_status"]) == ("reactivation_rate", 0, "missed")
    assert dog["goal_status"] == "no data"  # no customer started the month as a dog: no cost to serve
    assert september["new"]["kpi"] == "value_growth" and september["new"]["goal_status"] == "no data"
    assert all(row["goal_status_since"] == SEPTEMBER for row in september.values())


def test_migration_matrix(september, warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url) as conn:
        rows = conn.execute(
            """select from_segment, to_segment, customers, value_from, value_to
                               from evaluation.evaluation_migrations where month = %s order by 1, 2""",
            (SEPTEMBER,),
        ).fetchall()
    assert rows == [
        ("(new)", "new", 1, 0, 10),
        ("cash_cow", "star", 1, 800, 900),
        ("lost", "lost", 1, -20, -25),
        ("sleeper", "dog", 1, 0, 50),
        ("star", "star", 1, 1000, 1200),
    ]


def test_without_control_groups_the_uplift_says_so(september, warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url) as conn:
        statuses = conn.execute(
            "select distinct status from evaluation.evaluation_uplift where month = %s", (SEPTEMBER,)
        ).fetchall()
    assert statuses == [("no control group",)]


def test_published_plan_control_groups_and_a_rerun(september, hand_settings: Settings, warehouse_url: str) -> None:
    """Once the contact strategy publishes a plan history and control groups, the evaluation uses them; a
    re-run replaces exactly the month, and the goal keeps 'since' from the month before."""
    before = store_checksums(warehouse_url)
    evaluate_month(hand_settings, RUN)
    assert store_checksums(warehouse_url) == before
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("""
            create schema if not exists marts;
            create table marts.customer_360 (customer_id text, control_group boolean);
            insert into marts.customer_360 values ('C1', false), ('C2', true), ('C3', false), ('C4', false),
                ('C5', true);
            create table marts.contact_plan_history (as_of_date date, is_latest_for_as_of boolean,
                customer_id text, planned_date date, estimated_cost numeric, status text, control_group boolean);
            insert into marts.contact_plan_history values
                ('2026-07-31', true, 'C1', '2026-09-03', 150, 'planned', false),         -- an older plan
                ('2026-08-31', false, 'C1', '2026-09-05', 999, 'planned', false),        -- superseded version
                ('2026-08-31', true, 'C1', '2026-09-03', 8, 'planned', false),
                ('2026-08-31', true, 'C1', '2026-09-20', 8, 'planned', false),
                ('2026-08-31', true, 'C1', '2026-09-25', 8, 'suppressed', false),        -- not to be sent
                ('2026-08-31', true, 'C1', '2026-10-03', 8, 'planned', false),           -- next month
                ('2026-08-31', true, 'C2', '2026-09-10', 5, 'control_group', true),      -- withheld
                ('2026-08-31', true, 'C5', '2026-09-12', 3, 'planned', false),
                ('2026-09-15', true, 'C1', '2026-09-20', 150, 'planned', false);         -- published later
        """)
    evaluate_month(hand_settings, RUN)
    star = _segments(warehouse_url)["star"]
    assert (star["plan_source"], star["plan_as_of"], star["contacts_plan"], star["contact_cost_plan"]) == (
        "published plan",
        date(2026, 8, 31),
        2,
        16,
    )
    segments = _segments(warehouse_url)
    assert (segments["lost"]["contacts_plan"], segments["lost"]["contact_cost_plan"]) == (1, 3)
    assert segments["cash_cow"]["contacts_plan"] == 0  # C2's only contact was withheld: control group
    assert segments["dog"]["contacts_plan"] == 0  # a plan that planned nothing for them
    with psycopg.connect(warehouse_url) as conn:
        uplift = conn.execute(
            """select segment, treated_customers, control_customers, status
                                 from evaluation.evaluation_uplift where month = %s and metric = 'retention'
                                 and segment in ('star', 'cash_cow', 'lost') order by 1""",
            (SEPTEMBER,),
        ).fetchall()
        months = conn.execute("select count(distinct month) from evaluation.evaluation_segments").fetchone()
    # the groups of the plan published for the month, not today's customer_360 (which has C5 in control)
    assert uplift == [
        ("cash_cow", 0, 1, "not enough data"),
        ("lost", 1, 0, "not enough data"),
        ("star", 1, 0, "not enough data"),
    ]
    assert months == (1,)
