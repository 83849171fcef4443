"""The monthly evaluation DAG as Airflow sees it: schedule, catchup, the sensor first, wiring."""

from __future__ import annotations

from datetime import datetime

import pytest

from cvm.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / "cvm_monthly_evaluation.py"))
    assert bag.import_errors == {}
    return bag.dags["cvm_monthly_evaluation"]


def test_monthly_cron_with_catchup(dag) -> None:
    assert dag.catchup is True
    assert dag.max_active_runs == 1
    assert dag.timetable.summary == "0 7 3 * *"
    assert set(dag.tags) == {"cvm", "evaluation"}


def test_waits_for_a_published_warehouse_then_evaluates_then_reports(dag) -> None:
    assert set(dag.task_ids) == {"published_warehouse", "evaluate", "report"}
    sensor = dag.get_task("published_warehouse")
    assert sensor.mode == "reschedule" and sensor.poke_interval == 1800
    assert "evaluate" in sensor.get_flat_relative_ids(upstream=False)
    assert "report" in dag.get_task("evaluate").get_flat_relative_ids(upstream=False)
    assert all(task.retries >= 2 for task in dag.tasks)


def test_catchup_runs_fall_on_the_third_of_each_month(dag) -> None:
    import pendulum

    after = pendulum.datetime(2026, 3, 10, tz="Europe/Amsterdam")
    info = dag.timetable.next_dagrun_info(last_automated_data_interval=None, restriction=_restriction(after))
    assert info is not None
    run_at = pendulum.instance(info.run_after).in_tz("Europe/Amsterdam")
    assert (run_at.month, run_at.day, run_at.hour) == (4, 3, 7)


def _restriction(earliest: datetime):
    from airflow.timetables.base import TimeRestriction

    return TimeRestriction(earliest=earliest, latest=None, catchup=True)
