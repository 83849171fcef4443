# The project image for docker-compose.yml: Airflow 3 with the warehouse code and its locked dependencies.
FROM apache/airflow:3.3.2-python3.11

USER airflow
WORKDIR /opt/cvm
COPY --chown=airflow:root pyproject.toml uv.lock README.md ./
# exactly the versions of uv.lock (the same the tests ran with), not a fresh resolution
RUN pip install --no-cache-dir uv==0.13.* \
 && uv export --frozen --no-dev --no-hashes --no-emit-project -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY --chown=airflow:root cvm ./cvm
COPY --chown=airflow:root ml ./ml
COPY --chown=airflow:root dags ./dags
COPY --chown=airflow:root dbt_project ./dbt_project
COPY --chown=airflow:root expectations ./expectations
COPY --chown=airflow:root bi ./bi
RUN pip install --no-cache-dir --no-deps -e .
# the dbt manifest the cosmos task groups are rendered from (CVM_DBT_MANIFEST): parsing the DAG never runs dbt
RUN python -m cvm.dbt_tasks /opt/cvm/dbt_project/target/manifest.json
