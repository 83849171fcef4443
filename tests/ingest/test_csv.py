"""CSV deliveries against a real PostgreSQL: what lands in raw, quarantine and load_audit."""

from __future__ import annotations

import gzip
import logging

import pytest

from cvm.ingest import IngestError, load_landing

pytestmark = pytest.mark.usefixtures("fresh_raw")


def audit(conn, load_id):
    return conn.execute(
        "select status, rows_read, rows_loaded, rows_quarantined, error, options, decimal_separator"
        " from raw.load_audit where load_id = %s",
        (load_id,),
    ).fetchone()


def test_simple_delivery_lands_as_text_with_lineage(warehouse_url, landing, deliver, conn):
    deliver(
        "crm/accounts/2026-10-01_full.csv",
        "account_id,company_name,postcode,created_at\nA1, Bakkerij de Jong B.V. ,1234 AB,2026-01-05\n"
        'A2,"Jansen, Piet",,""\n',
    )
    report = load_landing(warehouse_url, landing)
    [d] = report.deliveries
    assert (d.status, d.rows_loaded, d.rows_quarantined) == ("loaded", 2, 0)
    assert report.load_ids == [d.load_id]
    rows = conn.execute(
        "select account_id, company_name, postcode, created_at, city, _load_id, _source_file, _row_number,"
        " _extra from raw.crm_accounts order by _row_number"
    ).fetchall()
    assert rows == [
        (
            "A1",
            " Bakkerij de Jong B.V. ",
            "1234 AB",
            "2026-01-05",
            None,
            d.load_id,
            "crm/accounts/2026-10-01_full.csv",
            1,
            None,
        ),
        ("A2", "Jansen, Piet", None, None, None, d.load_id, "crm/accounts/2026-10-01_full.csv", 2, None),
    ]
    status, read, loaded, quarantined, error, options, decimal = audit(conn, d.load_id)
    assert (status, read, loaded, quarantined, error, decimal) == ("loaded", 2, 2, 0, None, ".")
    assert options["delimiter"] == "," and options["encoding"] == "utf-8" and options["method"] == "copy"
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


def test_all_ten_raw_tables_exist_even_without_deliveries(warehouse_url, landing, conn):
    from cvm.contract import ENTITIES
    from cvm.ingest import ensure_raw_schema

    ensure_raw_schema(warehouse_url)
    ensure_raw_schema(warehouse_url)  # idempotent
    tables = {r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'raw'")}
    assert tables == {e.name for e in ENTITIES} | {"load_audit", "quarantine", "flagged_values"}
    cols = [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw'"
            " and table_name = 'service_surveys' order by ordinal_position"
        )
    ]
    assert cols == [
        "survey_id",
        "requester_id",
        "ticket_id",
        "sent_at",
        "responded_at",
        "nps_score",
        "_load_id",
        "_source_file",
        "_row_number",
        "_loaded_at",
        "_extra",
    ]


def test_redelivery_is_skipped_also_under_another_name(warehouse_url, landing, deliver, conn):
    content = "survey_id,requester_id,nps_score\nS1,R1,9\nS2,R2,3\n"
    deliver("service/surveys/2026-10-01.csv", content)
    first = load_landing(warehouse_url, landing)
    assert [d.status for d in first.deliveries] == ["loaded"]
    again = load_landing(warehouse_url, landing)
    assert [d.status for d in again.deliveries] == ["skipped"] and again.load_ids == []
    deliver("service/surveys/2026-10-02_resent.csv", content)
    third = load_landing(warehouse_url, landing)
    statuses = {d.path: d.status for d in third.deliveries}
    assert statuses == {
        "service/surveys/2026-10-01.csv": "skipped",
        "service/surveys/2026-10-02_resent.csv": "skipped",
    }
    resent = [d for d in third.deliveries if d.path.endswith("_resent.csv")][0]
    assert f"identical to load {first.load_ids[0]}" in resent.error
    assert conn.execute("select count(*) from raw.service_surveys").fetchone()[0] == 2
    assert conn.execute("select status, count(*) from raw.load_audit group by 1 order by 1").fetchall() == [
        ("loaded", 1),
        ("skipped", 3),
    ]


def test_incremental_deliveries_append_in_path_order(warehouse_url, landing, deliver, conn):
    deliver("crm/contacts/2026-10-02_changes.csv", "contact_id,last_name\nC1,Jong\n")
    deliver("crm/contacts/2026-10-01_full.csv", "contact_id,last_name\nC1,de Jong\nC2,Bakker\n")
    report = load_landing(warehouse_url, landing)
    assert [d.path for d in report.deliveries] == [
        "crm/contacts/2026-10-01_full.csv",
        "crm/contacts/2026-10-02_changes.csv",
    ]
    assert report.load_ids == sorted(report.load_ids)
    rows = conn.execute(
        "select contact_id, last_name, _load_id from raw.crm_contacts order by _load_id, _row_number"
    ).fetchall()
    assert rows == [
        ("C1", "de Jong", report.load_ids[0]),
        ("C2", "Bakker", report.load_ids[0]),
        ("C1", "Jong", report.load_ids[1]),
    ]


def test_wrong_field_count_is_quarantined_and_the_rest_loads(warehouse_url, landing, deliver, conn, caplog):
    deliver(
        "crm/contacts/2026-10-01_full.csv",
        "contact_id,last_name,first_name\nC1,Jong,Jan\nC2,Bakker\nC3,Visser,Els,extra\nC4,Smit,Ali\n",
    )
    with caplog.at_level(logging.INFO, logger="cvm.ingest"):
        [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded, d.rows_quarantined) == ("loaded", 2, 2)
    rows = conn.execute("select contact_id, _row_number from raw.crm_contacts order by 2").fetchall()
    assert rows == [("C1", 1), ("C4", 4)]
    bad = conn.execute(
        "select load_id, row_number, raw_line, reason, source_file from raw.quarantine order by row_number"
    ).fetchall()
    assert bad == [
        (
            d.load_id,
            2,
            "C2,Bakker\n",
            "crm/contacts/2026-10-01_full.csv row 2: expected 3 fields, got 2",
            "crm/contacts/2026-10-01_full.csv",
        ),
        (
            d.load_id,
            3,
            "C3,Visser,Els,extra\n",
            "crm/contacts/2026-10-01_full.csv row 3: expected 3 fields, got 4",
            "crm/contacts/2026-10-01_full.csv",
        ),
    ]
    assert audit(conn, d.load_id)[:4] == ("loaded", 4, 2, 2)
    assert audit(conn, d.load_id)[5]["method"] == "validated"
    assert "crm/contacts/2026-10-01_full.csv: load" in caplog.text and "2 quarantined" in caplog.text


def test_broken_quoting_is_quarantined(warehouse_url, landing, deliver, conn):
    deliver("crm/contacts/x.csv", 'contact_id,last_name\nC1,Jong\nC2,Bakker\nC3,"Visser\n')
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded, d.rows_quarantined) == ("loaded", 2, 1)
    loaded = conn.execute("select contact_id, last_name from raw.crm_contacts order by 1").fetchall()
    assert loaded == [("C1", "Jong"), ("C2", "Bakker")]
    assert conn.execute("select row_number, raw_line, reason from raw.quarantine").fetchall() == [
        (3, 'C3,"Visser\n', "crm/contacts/x.csv row 3: broken quoting (unexpected end of data)")
    ]


def test_bad_dates_load_unchanged(warehouse_url, landing, deliver, conn):
    deliver("service/tickets/t.csv", "ticket_id,requester_id,created_at\nT1,R1,31-02-2026\nT2,R1,2026-13-45\n")
    [d] = load_landing(warehouse_url, landing).deliveries
    assert d.status == "loaded" and d.rows_loaded == 2
    assert conn.execute("select created_at from raw.service_tickets order by 1").fetchall() == [
        ("2026-13-45",),
        ("31-02-2026",),
    ]


def test_invalid_utf8_bytes_quarantine_only_their_row(warehouse_url, landing, deliver, conn):
    body = (
        "contact_id,last_name,city\nC1,Müller,Den Haag\n".encode()
        + b"C2,Bad\xff\xfeName,Utrecht\n"
        + "C3,Çelik,Zwolle\n".encode()
    )
    deliver("crm/contacts/x.csv", body)
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded, d.rows_quarantined) == ("loaded", 2, 1)
    assert conn.execute("select last_name from raw.crm_contacts order by _row_number").fetchall() == [
        ("Müller",),
        ("Çelik",),
    ]
    row_number, raw_line, reason = conn.execute("select row_number, raw_line, reason from raw.quarantine").fetchone()
    assert row_number == 2 and raw_line == "C2,Bad\\xff\\xfeName,Utrecht\n"
    assert reason == "crm/contacts/x.csv row 2 column last_name: bytes that are not valid utf-8"


def test_empty_file_is_rejected(warehouse_url, landing, deliver, conn):
    deliver("crm/accounts/empty.csv", b"")
    report = load_landing(warehouse_url, landing)
    [d] = report.rejected
    assert d.status == "rejected" and "crm/accounts/empty.csv: empty file (0 bytes)" in d.error
    assert audit(conn, d.load_id)[0] == "rejected"
    with pytest.raises(IngestError, match="crm/accounts/empty.csv"):
        report.raise_for_rejections()


def test_header_only_file_loads_zero_rows(warehouse_url, landing, deliver, conn):
    deliver("crm/accounts/none.csv", "account_id,company_name\n")
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded) == ("loaded", 0)
    assert audit(conn, d.load_id)[:4] == ("loaded", 0, 0, 0)
    assert conn.execute("select count(*) from raw.crm_accounts").fetchone()[0] == 0


def test_one_megabyte_field(warehouse_url, landing, deliver, conn):
    big = "x" * 1_000_000
    deliver(
        "crm/activities/a.csv",
        f"activity_id,activity_type,occurred_at,subject\nA1,call,2026-01-01,{big}\nA2,visit,2026-01-02,short\n",
    )
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded) == ("loaded", 2)
    assert conn.execute("select activity_id, length(subject) from raw.crm_activities order by 1").fetchall() == [
        ("A1", 1_000_000),
        ("A2", 5),
    ]


def test_missing_required_column_rejects_the_delivery(warehouse_url, landing, deliver, conn):
    deliver("finance/invoices/2026-10-01.csv", "invoice_number,invoice_date,status\nI1,2026-01-01,paid\n")
    report = load_landing(warehouse_url, landing)
    [d] = report.rejected
    assert d.error.startswith(
        "finance/invoices/2026-10-01.csv: missing required column(s) debtor_number, amount_excl_vat"
    )
    assert report.load_ids == []
    assert conn.execute("select count(*) from raw.finance_invoices").fetchone()[0] == 0
    assert audit(conn, d.load_id)[0] == "rejected"
    with pytest.raises(IngestError, match="debtor_number, amount_excl_vat"):
        report.raise_for_rejections()


def test_semicolon_windows_1252_decimal_comma(warehouse_url, landing, deliver, conn):
    text = (
        "invoice_number;debtor_number;invoice_date;amount_excl_vat;vat_amount;status;omschrijving\r\n"
        "F-1;D1;2026-01-05;1.234,56;259,26;paid;Koffie café € 5\r\n"
        "F-2;D2;2026-01-06;12,50;2,63;open;Hüsken\r\n"
    )
    deliver("finance/invoices/export.csv", text.encode("cp1252"))
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded) == ("loaded", 2)
    rows = conn.execute(
        "select invoice_number, amount_excl_vat, vat_amount, _extra from raw.finance_invoices order by 1"
    ).fetchall()
    assert rows == [
        ("F-1", "1.234,56", "259,26", {"omschrijving": "Koffie café € 5"}),
        ("F-2", "12,50", "2,63", {"omschrijving": "Hüsken"}),
    ]
    _, _, _, _, _, options, decimal = audit(conn, d.load_id)
    assert decimal == ","
    assert (options["encoding"], options["delimiter"], options["decimal_separator"]) == ("cp1252", ";", ",")


def test_source_yml_configures_encoding_and_decimal(warehouse_url, landing, deliver, conn):
    deliver("finance/_source.yml", "encoding: windows-1252\ndelimiter: ';'\ndecimal_separator: ','\n")
    deliver(
        "finance/invoices/a.csv",
        "invoice_number;debtor_number;invoice_date;amount_excl_vat;status\nF-1;D1;2026-01-05;100;paid\n".encode(
            "cp1252"
        ),
    )
    [d] = load_landing(warehouse_url, landing).deliveries
    options = audit(conn, d.load_id)[5]
    assert (options["encoding"], options["encoding_source"], options["decimal_separator"]) == (
        "cp1252",
        "configured",
        ",",
    )
    assert audit(conn, d.load_id)[6] == ","


def test_quoted_newlines_and_bom(warehouse_url, landing, deliver, conn):
    deliver(
        "crm/activities/a.csv",
        b"\xef\xbb\xbf" + b"activity_id,activity_type,occurred_at,subject\r\n"
        b'A1,call,2026-01-01,"line one\r\nline two, with ""quotes"""\r\nA2,visit,2026-01-02,x\r\n',
    )
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded) == ("loaded", 2)
    rows = conn.execute("select activity_id, subject, _row_number from raw.crm_activities order by 3").fetchall()
    assert rows == [("A1", 'line one\r\nline two, with "quotes"', 1), ("A2", "x", 2)]
    assert audit(conn, d.load_id)[5]["bom"] is True


def test_gzip_delivery(warehouse_url, landing, deliver, conn):
    deliver(
        "marketing/subscribers/s.csv.gz",
        gzip.compress(b"subscriber_id,email,opt_in\nM1,a@example.nl,true\nM2,b@example.nl,false\n"),
    )
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded) == ("loaded", 2)
    assert conn.execute("select subscriber_id, email, opt_in from raw.marketing_subscribers order by 1").fetchall() == [
        ("M1", "a@example.nl", "true"),
        ("M2", "b@example.nl", "false"),
    ]
    assert audit(conn, d.load_id)[5]["format"] == "csv.gz"


def test_unknown_extra_columns_kept_in_extra(warehouse_url, landing, deliver, conn):
    deliver("service/requesters/r.csv", "requester_id,Name,loyalty_tier,notes\nR1,Ans,gold,\nR2,Bob,,hi\n")
    [d] = load_landing(warehouse_url, landing).deliveries
    rows = conn.execute("select requester_id, name, _extra from raw.service_requesters order by 1").fetchall()
    assert rows == [
        ("R1", "Ans", {"loyalty_tier": "gold", "notes": None}),
        ("R2", "Bob", {"loyalty_tier": None, "notes": "hi"}),
    ]
    assert d.rows_loaded == 2


def test_row_numbers_restart_per_delivery_in_one_run(warehouse_url, landing, deliver, conn):
    deliver("crm/contacts/a.csv", "contact_id,last_name\n" + "".join(f"C{i},x\n" for i in range(1500)))
    deliver("crm/contacts/b.csv", "contact_id,last_name\n" + "".join(f"D{i},y\n" for i in range(700)))
    ids = load_landing(warehouse_url, landing).load_ids
    rows = conn.execute(
        "select _load_id, min(_row_number), max(_row_number), count(*) from raw.crm_contacts group by 1 order by 1"
    ).fetchall()
    assert rows == [(ids[0], 1, 1500, 1500), (ids[1], 1, 700, 700)]
    first = conn.execute("select _row_number from raw.crm_contacts where contact_id = 'C0'").fetchone()
    assert first == (1,)
    # the lineage defaults are folded once per delivery's COPY: each delivery keeps its own id and file
    lineage = conn.execute("select distinct _load_id, _source_file from raw.crm_contacts order by 1").fetchall()
    assert lineage == [(ids[0], "crm/contacts/a.csv"), (ids[1], "crm/contacts/b.csv")]


def test_windows_line_endings_take_the_fast_path(warehouse_url, landing, deliver, conn):
    """Windows exports end every record with CRLF and often quote every field: still one COPY, no fallback."""
    deliver(
        "finance/invoices/2026-10-01_full.csv",
        b'"invoice_number","debtor_number","invoice_date","amount_excl_vat","status"\r\n'
        b'"F1","D1","2026-01-01","10.00","paid"\r\n'
        b'"F2","D1","2026-01-02","","open"\r\n'
        b'"F3","D2","2026-01-03","7.50","paid"\r\n\r\n',
    )
    report = load_landing(warehouse_url, landing)
    assert [d.status for d in report.deliveries] == ["loaded"]
    method, loaded = conn.execute("select options->>'method', rows_loaded from raw.load_audit").fetchone()
    assert (method, loaded) == ("copy", 3)
    rows = conn.execute(
        "select invoice_number, amount_excl_vat, status, _row_number from raw.finance_invoices order by 4"
    ).fetchall()
    assert rows == [("F1", "10.00", "paid", 1), ("F2", None, "open", 2), ("F3", "7.50", "paid", 3)]
