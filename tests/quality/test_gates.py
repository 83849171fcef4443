"""Quality gates against real loads on PostgreSQL: clean passes, blocking stops, warnings go on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cvm.ingest import load_landing
from cvm.quality import QualityGateError, check_marts, check_raw

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def load(warehouse_url, conn, tmp_path):
    """Load {relative path: text} deliveries into an empty raw layer; returns the run's load ids."""
    conn.execute("drop schema if exists raw cascade")

    def run(files: dict[str, str | bytes]) -> list[int]:
        landing = tmp_path / "landing"
        for rel, content in files.items():
            path = landing / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
        report = load_landing(warehouse_url, landing)
        report.raise_for_rejections()
        return report.load_ids

    return run


SURVEYS = "survey_id,requester_id,ticket_id,sent_at,responded_at,nps_score\n"
INVOICES = (
    "invoice_number;debtor_number;invoice_date;due_date;paid_date;amount_excl_vat;vat_amount;cost_amount;status\n"
)


def test_clean_load_passes_and_writes_data_docs(settings, warehouse_url, load):
    ids = load(
        {
            "service/surveys/1.csv": SURVEYS + "S1,R1,T1,2026-01-05T10:00:00,2026-01-06,9\nS2,R2,,2026-01-05,,\n",
            "finance/invoices/1.csv": INVOICES + "F1;D1;2026-01-05;2026-02-04;;1.234,56;259,26;800,00;open\n"
            "F2;D1;2026-01-06;2026-02-05;2026-01-20;12,50;2,63;5;paid\n",
        }
    )
    result = check_raw(settings, warehouse_url, ids)
    assert result.passed, result.summary()
    assert result.failures == [] and result.warnings == []
    assert sorted(result.checked) == ["raw.finance_invoices", "raw.service_surveys"]
    assert result.data_docs_path is not None and result.data_docs_path.is_file()
    assert result.data_docs_path.is_relative_to(settings.gx_dir)
    assert "<html" in result.data_docs_path.read_text().lower()
    result.raise_if_blocking()  # no exception


def test_the_given_loads_and_every_unchecked_one_are_checked_once(settings, warehouse_url, load, conn):
    ids = load(
        {
            "service/surveys/1.csv": SURVEYS + "S1,R1,,2026-01-05,,7\n",
            "service/requesters/1.csv": "requester_id,name\nR1,Ans\n",
        }
    )
    surveys_only = [ids[1]]  # sorted path order: requesters, then surveys
    result = check_raw(settings, warehouse_url, surveys_only)  # requesters were never checked: included
    assert result.checked == ["raw.service_requesters", "raw.service_surveys"] and result.passed
    assert result.checked_loads == ids
    gates = conn.execute("select gate_status from raw.load_audit order by load_id").fetchall()
    assert gates == [("passed",), ("passed",)]
    assert check_raw(settings, warehouse_url, []).checked == []  # both passed: nothing left to check


def test_a_later_run_with_fewer_entities_reuses_the_gx_project(settings, warehouse_url, load):
    """Daily deltas deliver a subset of the entities: the gate of the next run must not trip over the
    previous run's checkpoint, which referenced assets of entities this run does not check."""
    ids = load(
        {
            "service/surveys/1.csv": SURVEYS + "S1,R1,,2026-01-05,,7\n",
            "service/requesters/1.csv": "requester_id,name\nR1,Ans\n",
        }
    )
    first = check_raw(settings, warehouse_url, ids)
    assert sorted(first.checked) == ["raw.service_requesters", "raw.service_surveys"] and first.passed
    second = check_raw(settings, warehouse_url, [ids[1]])  # same gx_dir, surveys only
    assert second.checked == ["raw.service_surveys"] and second.passed
    third = check_raw(settings, warehouse_url, ids)
    assert len(third.checked) == 2 and third.passed
    # three runs, keep_runs 2: each suite keeps its two newest results and Data Docs pages (GX deletes none)
    settings = settings.with_(keep_runs=2)
    assert check_raw(settings, warehouse_url, [ids[1]]).passed
    for store in ("uncommitted/validations", "uncommitted/data_docs/local_site/validations"):
        for suite in ("service_surveys", "service_requesters"):
            kept = {p.parent for p in (settings.gx_dir / "gx" / store / "raw" / suite).rglob("*") if p.is_file()}
            assert len(kept) == 2, (store, suite)


def test_duplicate_ids_and_nps_11_block_with_counts_and_examples(settings, warehouse_url, load):
    rows = "S1,R1,,2026-01-05,,9\nS1,R2,,2026-01-05,,11\nS3,R3,,2026-01-05,,4\n"
    ids = load({"service/surveys/1.csv": SURVEYS + rows})
    result = check_raw(settings, warehouse_url, ids)
    assert not result.passed
    by_expectation = {
        f.expectation.split("(")[0] + "(" + f.expectation.split("(")[1].split(",")[0]: f for f in result.failures
    }
    dup = by_expectation["expect_column_values_to_be_unique(survey_id__in_load)"]
    assert dup.suite == "raw.service_surveys" and dup.failing_count == 2 and dup.severity == "blocking"
    # a duplicate id is shown with the file and rows it was delivered on, as '<load>:<id>'
    assert [e.split(":")[0] for e in dup.examples] == ["service/surveys/1.csv row 1", "service/surveys/1.csv row 2"]
    nps = by_expectation["expect_column_values_to_be_between(nps_score__value"]
    assert nps.failing_count == 1 and nps.examples == ("service/surveys/1.csv row 2: 11",)
    with pytest.raises(QualityGateError) as exc:
        result.raise_if_blocking()
    message = str(exc.value)
    assert "raw.service_surveys: expect_column_values_to_be_between(nps_score__value" in message
    assert message.splitlines()[0].startswith(
        "raw quality gate FAILED: 2 of 6 blocking expectations failed (3 failing rows) in raw.service_surveys"
    )
    assert "1 of 3 rows fail; e.g. service/surveys/1.csv row 2: 11" in message
    assert "expect_column_values_to_be_unique(survey_id__in_load)" in message
    assert str(result.data_docs_path) in message


TICKETS = "ticket_id,requester_id,created_at,resolved_at,category,channel\n"


def test_codes_are_judged_as_staging_reads_them(settings, warehouse_url, load, conn):
    """`Complaint`, ` COMPLAINT ` and `complaint` are the allowed `complaint` for the gate as for staging (one
    function, raw.cvm_code); ` klacht ` and `KLACHT` are both `klacht`, which is no allowed category: it blocks,
    with one line naming the file, row and column."""
    ids = load(
        {
            "service/tickets/1.csv": TICKETS + "T1,R1,2026-01-05,,Complaint,Phone\n"
            "T2,R1,2026-01-05,, COMPLAINT ,  EMAIL \n"
            "T3,R2,2026-01-05,,complaint,CHAT\n"
        }
    )
    clean = check_raw(settings, warehouse_url, ids)
    assert clean.passed, clean.summary()
    staged = conn.execute("select distinct raw.cvm_code(category) from raw.service_tickets").fetchall()
    assert staged == [("complaint",)]

    ids = load({"service/tickets/1.csv": TICKETS + "T1,R1,2026-01-05,, klacht ,phone\nT2,R1,2026-01-05,,KLACHT,web\n"})
    result = check_raw(settings, warehouse_url, ids)
    [blocking] = [f for f in result.failures if "category" in f.expectation]
    assert blocking.suite == "raw.service_tickets" and blocking.failing_count == 2
    assert blocking.examples == ("service/tickets/1.csv row 1: 'klacht'", "service/tickets/1.csv row 2: 'klacht'")
    line = str(blocking)
    assert "\n" not in line and "expect_column_values_to_be_in_set(category" in line
    assert "service/tickets/1.csv row 1: 'klacht'" in line


def test_an_unknown_code_a_mostly_check_tolerates_loads_flagged_with_file_and_row(settings, warehouse_url, load, conn):
    """One 'klacht' among 150 tickets is within the category check's `mostly` (the delivery passes), but it
    is not silently one complaint fewer: it is flagged with its file, row, column and the allowed values."""
    rows = "".join(f"T{i},R1,2026-01-05,,complaint,phone\n" for i in range(149)) + "T149,R1,2026-01-05,, Klacht ,web\n"
    ids = load({"service/tickets/1.csv": TICKETS + rows})
    result = check_raw(settings, warehouse_url, ids)
    assert result.passed, result.summary()
    assert result.flagged == 1
    [example] = result.flagged_examples
    assert example.startswith("service/tickets/1.csv row 150 column category: 'klacht' (not an allowed value (")
    assert "complaint" in example
    flagged = conn.execute("select column_name, value from raw.flagged_values where load_id = any(%s)", (ids,))
    assert flagged.fetchall() == [("category", "klacht")]


def test_one_unknown_invoice_status_among_many_blocks(settings, warehouse_url, load):
    """The invoice status decides revenue (a credited invoice is not billable), so its allowed-value check has
    no `mostly`: one `gecrediteerd` among 200 invoices would otherwise count as billable revenue without a word."""
    rows = "".join(f"F{i};D1;2026-01-05;2026-02-04;;100,00;21,00;50,00;Paid\n" for i in range(1, 200))
    ids = load({"finance/invoices/1.csv": INVOICES + rows + "F200;D1;2026-01-05;;;100,00;21,00;50,00;gecrediteerd\n"})
    result = check_raw(settings, warehouse_url, ids)
    [blocking] = result.failures
    assert blocking.expectation.startswith("expect_column_values_to_be_in_set(status")
    assert (blocking.failing_count, blocking.examples) == (1, ("finance/invoices/1.csv row 200: 'gecrediteerd'",))


def test_bad_dates_load_but_the_gate_flags_them(settings, warehouse_url, load):
    ids = load(
        {
            "service/tickets/1.csv": "ticket_id,requester_id,created_at,resolved_at,category,channel\n"
            "T1,R1,2026-01-05T09:00:00,31-02-2026,question,phone\n"
            "T2,R1,2026-02-30,,complaint,email\n"
            "T3,R2,2026-03-01 10:00,,other,chat\n"
        }
    )
    result = check_raw(settings, warehouse_url, ids)
    [blocking] = result.failures
    assert blocking.expectation.startswith("expect_column_values_to_be_null(created_at__invalid")
    assert (blocking.failing_count, blocking.examples) == (1, ("service/tickets/1.csv row 2: '2026-02-30'",))
    [warning] = result.warnings
    assert warning.expectation.startswith("expect_column_values_to_be_null(resolved_at__invalid")
    assert warning.examples == ("service/tickets/1.csv row 1: '31-02-2026'",)


def test_warning_only_failure_passes_with_warnings(settings, warehouse_url, load):
    ids = load({"marketing/subscribers/1.csv": "subscriber_id,email\nM1,a@example.nl\nM2,not-an-email\nM3,c@example\n"})
    result = check_raw(settings, warehouse_url, ids)
    assert result.passed and result.failures == []
    [warning] = result.warnings
    assert warning.severity == "warning" and warning.failing_count == 2
    assert set(warning.examples) == {
        "marketing/subscribers/1.csv row 2: 'not-an-email'",
        "marketing/subscribers/1.csv row 3: 'c@example'",
    }
    assert "warning  raw.marketing_subscribers: expect_column_values_to_match_regex(email" in result.summary()
    result.raise_if_blocking()


def test_marts_gate(settings, warehouse_url, conn, tmp_path):
    expectations = tmp_path / "expectations"
    (expectations / "marts").mkdir(parents=True)
    # the shipped suite leaves value checks to dbt (test_marts_split.py); the gate still runs any it is given
    suite = json.loads((REPO / "expectations" / "marts" / "dim_customer.json").read_text())
    suite["expectations"] += [
        {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": "customer_id"},
            "meta": {"severity": "blocking"},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "customer_type", "value_set": ["organisation", "person"]},
            "meta": {"severity": "blocking"},
        },
    ]
    (expectations / "marts" / "dim_customer.json").write_text(json.dumps(suite))
    shutil.copy(REPO / "expectations" / "marts" / "customer_360.json", expectations / "marts")
    settings = settings.with_(expectations_dir=expectations)
    conn.execute("drop schema if exists marts_test cascade")
    conn.execute("create schema marts_test")
    conn.execute(
        "create table marts_test.dim_customer (customer_id text, customer_type text, display_name text,"
        " email text, phone text, kvk_number text, first_seen_at date)"
    )
    conn.execute(
        "insert into marts_test.dim_customer values ('C1', 'person', 'Jan', null, null, null, null),"
        " ('C2', 'organisation', 'Bakker BV', null, null, '12345678', null)"
    )
    result = check_marts(settings, warehouse_url, schema="marts_test")
    assert [str(f) for f in result.failures] == [
        "marts.customer_360: table marts_test.customer_360 exists [blocking]; table missing"
    ]
    assert result.checked == ["marts.dim_customer"]
    conn.execute("insert into marts_test.dim_customer values ('C2', 'alien', 'X', null, null, null, null)")
    result = check_marts(settings, warehouse_url, schema="marts_test")
    failed = {f.expectation.split("(")[0]: f for f in result.failures if f.suite == "marts.dim_customer"}
    assert failed["expect_column_values_to_be_unique"].examples == ("C2", "C2")
    assert failed["expect_column_values_to_be_in_set"].examples == ("alien",)
    with pytest.raises(QualityGateError, match="marts.dim_customer"):
        result.raise_if_blocking()


def test_every_suite_file_is_valid_and_every_entity_has_one():
    from cvm.contract import ENTITIES
    from cvm.publish import CONTRACT_TABLES
    from cvm.quality.queries import in_load_columns
    from cvm.quality.suites import read_suites

    raw = read_suites(REPO / "expectations" / "raw")
    marts = read_suites(REPO / "expectations" / "marts")
    assert set(raw) == {e.name for e in ENTITIES}
    # a marts suite only where GX checks what dbt does not (test_marts_split), always on a mart publish requires
    assert set(marts) <= set(CONTRACT_TABLES)
    for suite in raw.values():
        types = [e["type"] for e in suite.expectations]
        assert "expect_table_row_count_to_be_between" in types
        # ids unique within their delivery: '<load id>:<id>' (cvm.quality.queries.IN_LOAD)
        assert in_load_columns(suite.expectations), suite.name


def test_a_warm_gx_project_is_reused_until_a_suite_file_changes(settings, warehouse_url, load, tmp_path):
    """The second run of an unchanged suite rewrites none of GX's stores (its YAML and JSON writes were a
    quarter of the gate's own CPU time); an edited suite file is validated as edited, on the next run."""
    expectations = tmp_path / "expectations"
    shutil.copytree(REPO / "expectations", expectations)
    settings = settings.with_(expectations_dir=expectations)
    ids = load({"service/surveys/1.csv": SURVEYS + "S1,R1,,2026-01-05,,9\n"})
    assert check_raw(settings, warehouse_url, ids).passed
    gx = settings.gx_dir / "gx"
    stores = [gx / "great_expectations.yml", gx / "checkpoints" / "raw_gate__service_surveys.json"]
    stores += [gx / "validation_definitions" / "raw.service_surveys.json", *(gx / "expectations").rglob("*.json")]
    before = {p: p.stat().st_mtime_ns for p in stores}
    assert all(p.is_file() for p in before) and len(before) >= 4
    assert check_raw(settings, warehouse_url, ids).passed
    assert {p: p.stat().st_mtime_ns for p in stores} == before  # nothing defined anew

    path = expectations / "raw" / "service_surveys.json"
    suite = json.loads(path.read_text())
    between = next(e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_between")
    between["kwargs"]["max_value"] = 5  # an NPS of 9 now fails
    between["meta"]["severity"] = "blocking"
    path.write_text(json.dumps(suite))
    edited = check_raw(settings, warehouse_url, ids)
    assert not edited.passed
    assert [f.failing_count for f in edited.failures] == [1], edited.summary()
