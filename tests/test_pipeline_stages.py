"""The stage wrapper of cvm.pipeline: figures into the run log, bad data as one line, bugs with traceback."""

from __future__ import annotations

import logging

import pytest

from cvm import pipeline, runlog


def test_stage_figures_and_failures_reach_the_run_log(settings, caplog) -> None:
    ctx = pipeline.RunContext(run_id="stage-test", as_of="2026-10-31", landing="/nowhere")
    url = settings.database_url
    runlog.start_run(url, ctx.run_id, ctx.as_of, ctx.landing)
    with caplog.at_level(logging.INFO, logger="cvm.pipeline"):
        with pipeline._stage("identity", ctx, settings) as figures:
            figures["records"] = 12
        with pytest.raises(pipeline.DataError), pipeline._stage("ingest", ctx, settings):
            raise pipeline.DataError("finance/invoices/x.csv: missing required column(s) status")
        with pytest.raises(RuntimeError), pipeline._stage("models", ctx, settings):
            raise RuntimeError("boom")
    failed = {r.getMessage().split()[1]: r for r in caplog.records if "FAILED" in r.getMessage()}
    assert failed["ingest"].exc_info is None  # bad data: one line saying what and where
    assert failed["models"].exc_info is not None  # a bug: the traceback is kept
    run = runlog.last_runs(url, limit=1)[0]
    assert run["status"] == "failed"
    stages = run["stages"]
    assert stages["identity"]["status"] == "ok" and stages["identity"]["records"] == 12
    assert stages["identity"]["peak_rss_mb"] > 0
    assert stages["ingest"] == {
        **stages["ingest"],
        "status": "failed",
        "error": "finance/invoices/x.csv: missing required column(s) status",
    }
