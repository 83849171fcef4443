"""The compose stack, checked without a Docker engine: services, healthchecks, the shared Airflow anchor,
volumes, the variables the DAGs read, the image built from the lock file, and no secret in the file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from cvm.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
}
ONE_SHOT = {"airflow-init", "metabase-init"}  # run to completion; the others wait for them to succeed
SECRET = re.compile(r"\$\{([A-Z0-9_]+):\?[^}]*\}")
# CVM_* variables the code reads that a deployment may leave unset: safe defaults, the Airflow connection
# instead of CVM_DATABASE_URL, and CVM_DBT_PASSWORD, which cvm.dbt sets itself for dbt's profile
OPTIONAL_CVM = {"CVM_AS_OF", "CVM_LOG_LEVEL", "CVM_DATABASE_NAME", "CVM_DEBUG", "CVM_DATABASE_URL", "CVM_DBT_PASSWORD"}


@pytest.fixture(scope="module")
def text() -> str:
    return COMPOSE.read_text()


@pytest.fixture(scope="module")
def compose(text: str) -> dict:
    return yaml.safe_load(text)  # YAML merge keys (<<) are resolved: each service as compose sees it


def test_the_services_of_the_stack(compose) -> None:
    assert set(compose["services"]) == AIRFLOW_SERVICES | {"postgres", "redis", "metabase", "metabase-init"}
    commands = {name: compose["services"][name].get("command") for name in AIRFLOW_SERVICES - {"airflow-init"}}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-worker": "celery worker",
        "airflow-triggerer": "triggerer",
    }


def test_every_long_running_service_has_a_healthcheck_and_one_shots_are_awaited(compose) -> None:
    services = compose["services"]
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert service.get("restart") == "always", name
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert services["metabase-init"]["depends_on"]["metabase"] == {"condition": "service_healthy"}


def test_airflow_services_share_the_x_airflow_common_anchor(text, compose) -> None:
    assert "x-airflow-common: &airflow-common" in text
    common = compose["x-airflow-common"]
    for name in AIRFLOW_SERVICES:
        assert re.search(rf"^  {name}:\n    <<: \*airflow-common$", text, re.M), name
        service = compose["services"][name]
        assert service["image"] == common["image"] and service["build"] == "."
        assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
    env = common["environment"]
    assert (
        env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
        or "@redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
    )
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")


def test_volumes_are_declared_and_mounted(compose) -> None:
    declared = set(compose["volumes"])
    assert {"postgres-db", "airflow-logs"} <= declared
    used = set()
    for service in compose["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if not source.startswith((".", "/", "$")):
                used.add(source)
    assert used == declared
    assert "/data/landing:ro" in " ".join(compose["x-airflow-common"]["volumes"])  # the landing zone, read-only
    init = " ".join(compose["services"]["postgres"]["volumes"])
    assert "compose-init-warehouse.sh:/docker-entrypoint-initdb.d/" in init
    assert (PROJECT_ROOT / ".ci" / "compose-init-warehouse.sh").exists()


def _cvm_variables_read() -> set[str]:
    """Every CVM_* variable the package (which the DAGs call) reads from the environment."""
    found: set[str] = set()
    for path in (PROJECT_ROOT / "cvm").rglob("*.py"):
        found |= set(re.findall(r"""(?:environ|env)(?:\.get\(|\[)\s*["'](CVM_[A-Z_]+)["']""", path.read_text()))
    return found


def test_every_variable_the_dags_read_is_set(compose) -> None:
    env = compose["x-airflow-common"]["environment"]
    read = _cvm_variables_read()
    assert {"CVM_HOME", "CVM_LANDING", "CVM_DBT_TASKS", "CVM_DBT_MANIFEST"} <= read
    assert read - OPTIONAL_CVM <= set(env), f"read by the code but not set: {read - OPTIONAL_CVM - set(env)}"
    assert env["CVM_DBT_TASKS"] == "cosmos"
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "false"  # no run reports to cosmos' vendor
    # the warehouse: an Airflow connection (or CVM_DATABASE_URL), for the stages and for cosmos' dbt profile
    assert env.get("AIRFLOW_CONN_CVM_WAREHOUSE", "").startswith("postgres://") or env.get("CVM_DATABASE_URL")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/cvm/dags"


def test_the_image_installs_from_the_lock_file() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.\d+-python3\.11$", dockerfile, re.M)
    assert "COPY --chown=airflow:root pyproject.toml uv.lock" in dockerfile
    assert (
        "uv export --frozen --no-dev" in dockerfile
        and "pip install --no-cache-dir -r /tmp/requirements.txt" in dockerfile
    )
    assert "pip install --no-cache-dir --no-deps -e ." in dockerfile  # the project itself adds no resolution
    assert "python -m cvm.dbt_tasks" in dockerfile  # the manifest the cosmos groups are rendered from
    for folder in ("cvm", "ml", "dags", "dbt_project", "expectations", "bi"):
        assert f"COPY --chown=airflow:root {folder} ./{folder}" in dockerfile
    # the Airflow version of the image is the locked one
    pinned = re.search(r'"apache-airflow==([\d.]+)"', (PROJECT_ROOT / "pyproject.toml").read_text()).group(1)
    assert f"apache/airflow:{pinned}-" in dockerfile


def test_no_secret_in_the_compose_file_and_env_example_lists_every_one(text) -> None:
    secrets = set(SECRET.findall(text))
    assert {
        "POSTGRES_PASSWORD",
        "CVM_DB_PASSWORD",
        "BI_DB_PASSWORD",
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
        "MB_ADMIN_PASSWORD",
    } <= secrets
    example = dict(
        line.split("=", 1)
        for line in (PROJECT_ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert secrets <= set(example), f"missing from .env.example: {secrets - set(example)}"
    assert all(example[name] == "change-me" for name in secrets - {"MB_ADMIN_EMAIL"})
    # no literal credentials: every password-like value and every URL's password is a ${...:?} reference
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        if m := re.match(r"\s+[A-Z_]*(?:PASSWORD|PASS|SECRET|KEY)[A-Z_]*:\s*(.+?)\s*$", code):
            assert SECRET.fullmatch(m.group(1)), line
        for url_password in re.findall(r"://[^:/@\s]+:(\$\{[^}]*\}|[^@\s]*)@", code):
            assert SECRET.fullmatch(url_password), line
    init = (PROJECT_ROOT / ".ci" / "compose-init-warehouse.sh").read_text()
    assert "password :'cvm_password'" in init and "password :'bi_password'" in init


def test_the_bi_login_is_only_a_cvm_reader() -> None:
    init = (PROJECT_ROOT / ".ci" / "compose-init-warehouse.sh").read_text()
    (bi,) = [line for line in init.splitlines() if line.startswith("create role bi ")]
    assert bi.endswith("in role cvm_reader;")
    assert "revoke connect on database airflow, metabase from public" in init
    assert not re.search(r"grant .* to bi\b", init, re.I)


def _compose_cli() -> list[str] | None:
    """`docker compose` (the v2 plugin) or `docker-compose` (Debian's package: no engine needed for `config`)."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0
    ):
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_docker_compose_config_accepts_the_file(tmp_path: Path, text: str) -> None:
    """The file as compose itself resolves it: anchors merged, `.env` interpolated, every secret required."""
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no `docker compose` / `docker-compose` CLI on this machine (Debian: apt install docker-compose)")
    secrets = set(SECRET.findall(text))
    example = (PROJECT_ROOT / ".env.example").read_text()
    # a distinct value per secret, so each can be traced to where compose put it
    values = {name: f"{name.lower()}-value" for name in secrets}
    env_text = "\n".join(
        f"{line.split('=', 1)[0]}={values[line.split('=', 1)[0]]}" if line.split("=", 1)[0] in values else line
        for line in example.splitlines()
    )
    process_env = {k: v for k, v in os.environ.items() if k not in secrets and not k.startswith("CVM_")}

    def config(env_file_text: str) -> subprocess.CompletedProcess:
        env_file = tmp_path / "compose.env"
        env_file.write_text(env_file_text)
        command = [*cli, "--env-file", str(env_file), "-f", str(COMPOSE), "config"]
        return subprocess.run(command, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT, env=process_env)

    result = config(env_text)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    services = rendered["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "redis", "metabase", "metabase-init"}
    assert set(rendered["volumes"]) == {"postgres-db", "airflow-logs"}
    for name, service in services.items():
        assert name in ONE_SHOT or service["healthcheck"]["test"], name
    read = _cvm_variables_read() - OPTIONAL_CVM
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert read <= set(env), (name, read - set(env))
        # the secrets arrive interpolated from .env, in every Airflow container alike
        assert env["AIRFLOW__CORE__FERNET_KEY"] == values["AIRFLOW_FERNET_KEY"], name
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == values["AIRFLOW_JWT_SECRET"], name
        assert f":{values['POSTGRES_PASSWORD']}@postgres/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert f":{values['CVM_DB_PASSWORD']}@postgres:5432/cvm" in env["AIRFLOW_CONN_CVM_WAREHOUSE"]
        assert any(str(v).endswith(":/data/landing:ro") for v in services[name]["volumes"]), name
    assert services["metabase-init"]["environment"]["BI_DB_PASSWORD"] == values["BI_DB_PASSWORD"]
    assert values["BI_DB_PASSWORD"] not in str(services["metabase"]["environment"])  # Metabase's own db is apart

    missing = config("")
    assert missing.returncode != 0 and "set in .env" in missing.stderr  # no secret, no stack
