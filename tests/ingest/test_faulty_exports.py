"""Issue 12, findings 4-6 at the loader: UTF-16 exports, a corrected file under a known name, an empty landing
zone; one bad delivery never stops the others and the audit records the true reason in one line."""

from __future__ import annotations

import codecs
import logging

import pytest

from cvm.errors import DeliveryError
from cvm.ingest import load_landing

REQUESTERS = "requester_id,name,email\nR1,Ans Jansen,ans@example.nl\nR2,Jöran de Vries,joran@example.nl\n"


def _audit(conn) -> list[tuple]:
    return conn.execute("select path, status, error, options->>'encoding' from raw.load_audit order by path").fetchall()


@pytest.mark.parametrize(("codec", "bom"), [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_with_a_bom_is_decoded(warehouse_url, fresh_raw, landing, deliver, codec, bom):
    deliver("service/requesters/2026-01.csv", bom + REQUESTERS.replace("\n", "\r\n").encode(codec))
    report = load_landing(warehouse_url, landing)
    assert [d.status for d in report.deliveries] == ["loaded"]
    rows = fresh_raw.execute("select requester_id, name, email from raw.service_requesters order by 1").fetchall()
    assert rows == [("R1", "Ans Jansen", "ans@example.nl"), ("R2", "Jöran de Vries", "joran@example.nl")]
    assert _audit(fresh_raw)[0][3] == codec


def test_broken_utf16_is_rejected_in_one_line_and_the_other_deliveries_still_load(
    warehouse_url, fresh_raw, landing, deliver, caplog
):
    deliver("service/requesters/a.csv", codecs.BOM_UTF16_LE + REQUESTERS.encode("utf-16-le") + b"\x00")  # odd length
    deliver("service/requesters/b.csv", "requester_id,na\x00me\nR9,x\n")  # a NUL byte in the header
    deliver("service/requesters/c.csv", REQUESTERS.replace("R1", "R3").replace("R2", "R4"))
    with caplog.at_level(logging.INFO, logger="cvm.ingest"):
        report = load_landing(warehouse_url, landing)
    statuses = {d.path: d.status for d in report.deliveries}
    assert statuses["service/requesters/c.csv"] == "loaded"
    assert statuses["service/requesters/a.csv"] == "rejected"
    assert statuses["service/requesters/b.csv"] == "rejected"
    audit = {path: (status, error) for path, status, error, _ in _audit(fresh_raw)}
    size = (landing / "service/requesters/a.csv").stat().st_size
    assert audit["service/requesters/a.csv"] == (
        "rejected",
        f"service/requesters/a.csv: not valid utf-16-le at "
        f"byte {size - 1} (truncated data); re-export the file as UTF-8 "
        "or UTF-16 with a BOM",
    )
    assert audit["service/requesters/b.csv"] == (
        "rejected",
        "service/requesters/b.csv: NUL bytes in the header (column 2): not a text CSV export",
    )
    assert all(r.exc_info is None for r in caplog.records)  # a data error is one line, no traceback
    ids = fresh_raw.execute("select requester_id from raw.service_requesters order by 1").fetchall()
    assert ids == [("R3",), ("R4",)]


def test_a_changed_file_under_a_known_name_is_a_correction_that_replaces_its_rows(
    warehouse_url, fresh_raw, landing, deliver, caplog
):
    deliver("service/requesters/2026-01.csv", REQUESTERS + "R5,Removed Later,r5@example.nl\n")
    [first] = load_landing(warehouse_url, landing).load_ids
    deliver("service/requesters/2026-01.csv", REQUESTERS.replace("Ans Jansen", "Ans Jansen-Bakker"))
    with caplog.at_level(logging.WARNING, logger="cvm.ingest"):
        [second] = load_landing(warehouse_url, landing).load_ids
    rows = fresh_raw.execute("select _load_id, requester_id, name from raw.service_requesters order by 2").fetchall()
    assert rows == [(second, "R1", "Ans Jansen-Bakker"), (second, "R2", "Jöran de Vries")]  # R5 is gone
    audit = fresh_raw.execute("select load_id, status, replaced_by from raw.load_audit order by 1").fetchall()
    assert audit == [(first, "replaced", second), (second, "loaded", None)]
    [notice] = [r.getMessage() for r in caplog.records if "correction" in r.getMessage()]
    assert notice == (
        f"service/requesters/2026-01.csv: changed since load {first}: treated as a correction, "
        f"its 3 rows replaced by load {second}"
    )
    # the same content again under another name is still recognised as loaded
    deliver("service/requesters/copy.csv", REQUESTERS.replace("Ans Jansen", "Ans Jansen-Bakker"))
    assert [d.status for d in load_landing(warehouse_url, landing).deliveries][-1] == "skipped"


def test_an_empty_landing_zone_fails_at_once(warehouse_url, fresh_raw, landing):
    (landing / "finance" / "invoices").mkdir(parents=True)  # folders, but not a single delivery
    with pytest.raises(DeliveryError, match=f"no deliveries under {landing}"):
        load_landing(warehouse_url, landing)


def test_cvm_run_through_airflow_fails_at_once_on_an_empty_landing_zone(landing, monkeypatch, capsys):
    """Before Airflow loads (tens of seconds): one line naming the folder, no DAG run, no traceback."""
    from cvm.cli import main

    (landing / "crm" / "contacts").mkdir(parents=True)
    monkeypatch.delenv("CVM_DEBUG", raising=False)
    monkeypatch.setattr("cvm.airflow_run.run_pipeline_dag", lambda *a: pytest.fail("Airflow was started"))
    assert main(["run", "--landing", str(landing), "--as-of", "2026-10-31"]) == 1
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        f"cvm: error: no deliveries under {landing} (expected <system>/<entity>/<file>.csv|.csv.gz|.jsonl|.parquet, "
        "e.g. finance/invoices/2026-10-31.csv)"
    ]
    assert "Traceback" not in out + err


def test_an_empty_landing_zone_fails_the_dags_systems_task_and_the_run(settings, warehouse_url, conn, landing):
    """Under the scheduler the DAG's first look at the landing zone fails; the run is recorded failed, not running."""
    from cvm import pipeline

    (landing / "finance").mkdir()
    ctx = pipeline.start_run("2026-10-31", str(landing), settings)
    with pytest.raises(DeliveryError, match=f"no deliveries under {landing}"):
        pipeline.landing_systems(ctx, settings)
    query = "select status, stages from ops.pipeline_runs where run_id = %s"
    status, stages = conn.execute(query, (ctx.run_id,)).fetchone()
    assert status == "failed" and stages["ingest"]["status"] == "failed"
    assert stages["ingest"]["error"].startswith(f"no deliveries under {landing}")


def test_source_yml_declares_the_delivery_mode_per_entity(warehouse_url, fresh_raw, landing, deliver):
    deliver("service/_source.yml", "mode: incremental\nentities:\n  requesters:\n    mode: snapshot\n")
    deliver("service/requesters/a.csv", REQUESTERS)
    deliver("service/surveys/a.csv", "survey_id,requester_id,ticket_id,sent_at,responded_at,nps_score\nS1,R1,,,,8\n")
    load_landing(warehouse_url, landing)
    modes = fresh_raw.execute("select entity, options->>'mode' from raw.load_audit order by 1").fetchall()
    assert modes == [("requesters", "snapshot"), ("surveys", "incremental")]

    deliver("service/_source.yml", "mode: full\n")  # a typo in the settings rejects the delivery, in one line
    deliver("service/requesters/b.csv", REQUESTERS.replace("R1", "R7"))
    [result] = [d for d in load_landing(warehouse_url, landing).deliveries if d.path.endswith("b.csv")]
    assert result.status == "rejected"
    source_yml = landing / "service" / "_source.yml"
    assert result.error == f"{source_yml}: mode must be one of incremental, snapshot, got 'full'"
