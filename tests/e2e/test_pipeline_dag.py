"""End to end: ~300 demo customers through the real Airflow DAG (dag.test) on a real PostgreSQL.

Asserts the invariants of the output contract, not just that tables exist.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import psycopg
import pytest

from cvm.contract import BY_NAME, PARTY_ENTITIES
from cvm.publish import CONTRACT_TABLES

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory, airflow_settings, warehouse_url):
    from cvm.airflow_run import run_pipeline_dag
    from cvm.demo import generate

    out = tmp_path_factory.mktemp("demo")
    generate(out, customers=300, seed=7, end_date=AS_OF)
    # a real export quirk on top of the demo mess: a requester with nothing but an id and a date
    extra = out / "landing" / "service" / "requesters" / "2026-10-31_manual.csv"
    extra.write_text("requester_id,name,email,phone,company,created_at\nR-NAMELESS,,,,,2026-05-01T10:00:00\n")
    # the Airflow home stays the migrated test one; the warehouse is this session's database
    settings = airflow_settings.with_(database_url=warehouse_url, landing=out / "landing")
    saved = dict(os.environ)
    try:
        result = run_pipeline_dag(settings, AS_OF, out / "landing")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return result, out


def _rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def test_dag_run_succeeds(pipeline_run) -> None:
    result, _ = pipeline_run
    assert result.state == "success", result.failed_tasks
    assert result.failed_tasks == []


# views over the evaluation store, which the monthly evaluation DAG fills (tests/evaluation); published empty here
MONTHLY_EVALUATION_VIEWS = {"segment_evaluation_monthly", "segment_migrations_monthly", "segment_uplift_monthly"}


def test_every_contract_table_is_published_with_rows(pipeline_run, warehouse_url) -> None:
    for table in CONTRACT_TABLES:
        (count,) = _rows(warehouse_url, f"select count(*) from marts.{table}")[0]
        assert count > 0 or table in MONTHLY_EVALUATION_VIEWS, table
    assert _rows(
        warehouse_url, "select count(*) from information_schema.schemata where schema_name = 'marts_next'"
    ) == [(0,)], "the build schema is swapped in, not left behind"


def test_every_party_record_maps_exactly_once(pipeline_run, warehouse_url) -> None:
    expected = 0
    for name in PARTY_ENTITIES:
        entity = BY_NAME[name]
        (n,) = _rows(
            warehouse_url,
            f"select count(distinct {entity.key}) from raw.{name} "
            f"where {entity.key} is not null and btrim({entity.key}) <> ''",
        )[0]
        expected += n
    dupes = _rows(
        warehouse_url,
        """
        select source_system, source_entity, source_record_id, count(*) from marts.customer_identity_map
        group by 1, 2, 3 having count(*) > 1""",
    )
    assert dupes == []
    (mapped,) = _rows(warehouse_url, "select count(*) from marts.customer_identity_map")[0]
    assert mapped == expected
    unmapped = _rows(
        warehouse_url,
        """
        select count(*) from marts.customer_identity_map m
        left join marts.dim_customer d using (customer_id) where d.customer_id is null""",
    )
    assert unmapped == [(0,)]


def test_customer_360_one_row_per_customer_and_all_segmented(pipeline_run, warehouse_url) -> None:
    (n_dim, n_360, n_distinct) = _rows(
        warehouse_url,
        """
        select (select count(*) from marts.dim_customer),
               (select count(*) from marts.customer_360),
               (select count(distinct customer_id) from marts.customer_360)""",
    )[0]
    assert n_dim == n_360 == n_distinct
    missing = _rows(
        warehouse_url,
        """
        select count(*) from marts.dim_customer d left join marts.customer_360 c using (customer_id)
        where c.customer_id is null or c.segment is null""",
    )
    assert missing == [(0,)]
    (no_segment,) = _rows(
        warehouse_url,
        """
        select count(*) from marts.dim_customer d left join marts.customer_segments s using (customer_id)
        where s.segment is null""",
    )[0]
    assert no_segment == 0


def test_revenue_reconciles_with_invoices_loaded(pipeline_run, warehouse_url) -> None:
    """Revenue in customer_360 = amount_excl_vat of the non-credited invoices in (as_of - 12 months, as_of],
    computed here straight from raw (latest version of each invoice), independently of dbt."""
    (raw_revenue,) = _rows(
        warehouse_url,
        f"""
        with latest as (
            select distinct on (i.invoice_number) i.invoice_number, i.invoice_date, i.status,
                   case when a.decimal_separator = ','
                        then replace(replace(btrim(i.amount_excl_vat), '.', ''), ',', '.')
                        else btrim(i.amount_excl_vat) end as amount
            from raw.finance_invoices i join raw.load_audit a on a.load_id = i._load_id
            order by i.invoice_number, i._load_id desc, i._row_number desc)
        select coalesce(sum(amount::numeric), 0) from latest
        where lower(btrim(status)) <> 'credited'
          and invoice_date::date > date '{AS_OF}' - interval '12 months' and invoice_date::date <= date '{AS_OF}'
    """,
    )[0]
    (mart_revenue,) = _rows(warehouse_url, "select sum(revenue_12m) from marts.customer_360")[0]
    assert raw_revenue > 0
    assert float(mart_revenue) == pytest.approx(float(raw_revenue), abs=0.01)


def test_status_and_run_log(pipeline_run, warehouse_url) -> None:
    rows = _rows(warehouse_url, "select status, as_of, stages from ops.pipeline_runs order by started_at desc limit 1")
    status, as_of, stages = rows[0]
    assert status == "published"
    assert as_of == AS_OF
    assert {"ingest", "identity", "models", "publish"} <= set(stages)
    assert stages["ingest"]["rows"] > 0


def test_identity_quality_against_truth(pipeline_run, warehouse_url) -> None:
    """A first bar for the linkage: most true duplicates are found and few distinct parties are merged."""
    import pandas as pd

    _, out = pipeline_run
    truth = pd.read_csv(Path(out) / "truth" / "records.csv", dtype=str)
    mapped = pd.DataFrame(
        _rows(
            warehouse_url,
            """
        select source_system, source_entity, source_record_id, party_id from marts.customer_identity_map""",
        ),
        columns=["source_system", "source_entity", "source_record_id", "pred_party"],
    )
    joined = truth.merge(mapped, on=["source_system", "source_entity", "source_record_id"])
    assert len(joined) == len(truth)
    # pairwise precision/recall over records sharing a true party vs a predicted party
    from itertools import combinations

    def pairs(df: pd.DataFrame, col: str) -> set[tuple[int, int]]:
        out_pairs: set[tuple[int, int]] = set()
        for _, idx in df.groupby(col).groups.items():
            out_pairs.update(combinations(sorted(idx), 2))
        return out_pairs

    true_pairs, pred_pairs = pairs(joined, "party_id"), pairs(joined, "pred_party")
    tp = len(true_pairs & pred_pairs)
    precision = tp / max(len(pred_pairs), 1)
    recall = tp / max(len(true_pairs), 1)
    assert precision > 0.9, precision
    assert recall > 0.6, recall


def test_a_record_without_any_name_is_still_a_named_customer(pipeline_run, warehouse_url) -> None:
    rows = _rows(
        warehouse_url,
        """
        select d.display_name, d.customer_type from marts.customer_identity_map m
        join marts.dim_customer d using (customer_id)
        where m.source_system = 'service' and m.source_record_id = 'R-NAMELESS'""",
    )
    assert rows == [("service requesters R-NAMELESS", "person")]


def test_cli_status_and_identity_evaluation(pipeline_run, warehouse_url, monkeypatch, capsys) -> None:
    from cvm.cli import main

    _, out = pipeline_run
    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert "status published" in status and "as of 2026-10-31" in status
    n_360 = _rows(warehouse_url, "select count(*) from marts.customer_360")[0][0]
    assert any(line.split()[:2] == ["marts.customer_360", str(n_360)] for line in status.splitlines())

    assert main(["evaluate-identity", "--truth", str(Path(out) / "truth")]) == 0
    lines = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert set(lines) == {"party", "customer"}
    assert float(lines["party"][2]) > 0.9  # precision column


def test_cli_reports_errors_as_one_line(monkeypatch, capsys, warehouse_url, tmp_path) -> None:
    from cvm.cli import main

    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    for argv, needle in [
        (["run", "--no-airflow", "--landing", str(tmp_path / "missing")], "does not exist"),
        (["evaluate-identity", "--truth", str(tmp_path / "nowhere")], "no truth file"),
    ]:
        assert main(argv) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        assert err[0].startswith("cvm: error:") and needle in err[0]
