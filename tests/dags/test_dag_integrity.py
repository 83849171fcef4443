"""DAG integrity (Astronomer's template): the DAG folder imports cleanly, and every DAG is tagged, retried and
wired the way the pipeline promises."""

from __future__ import annotations

import pytest

from cvm.pipeline import STAGES
from cvm.settings import PROJECT_ROOT

APPROVED_TAGS = {"cvm", "warehouse", "evaluation"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert "cvm_pipeline" in dagbag.dags


def test_tags_and_retries(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert set(dag.tags) <= APPROVED_TAGS, f"{dag_id} has unapproved tags {set(dag.tags) - APPROVED_TAGS}"
        for task in dag.tasks:
            assert task.retries >= 2, f"{dag_id}.{task.task_id} retries={task.retries}"


def test_pipeline_runs_every_stage_in_order(dagbag) -> None:
    dag = dagbag.dags["cvm_pipeline"]
    assert set(STAGES) | {"start", "systems"} == set(dag.task_ids)
    # a straight line from ingest to publish: each stage's downstream contains the next stage
    for earlier, later in zip(STAGES, STAGES[1:], strict=False):
        assert later in dag.get_task(earlier).get_flat_relative_ids(upstream=False), (earlier, later)
    assert dag.get_task("publish").outlets, "publish must announce the marts Asset for data-aware schedules"
    assert not dag.catchup
