#!/usr/bin/env bash
# First start of the compose PostgreSQL: the warehouse database and its owner, Metabase's own database,
# and a BI login that can only read `marts` (the pipeline grants the NOLOGIN role cvm_reader on publish).
# The passwords come from the environment (.env), never from this file.
set -euo pipefail
: "${CVM_DB_PASSWORD:?}" "${BI_DB_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v cvm_password="$CVM_DB_PASSWORD" -v bi_password="$BI_DB_PASSWORD" <<'SQL'
create role cvm login password :'cvm_password';
create database cvm owner cvm;
create database metabase owner airflow;
create role cvm_reader nologin;
-- the BI login: member of cvm_reader and nothing else; it cannot reach Airflow's or Metabase's databases
create role bi login password :'bi_password' in role cvm_reader;
revoke connect on database airflow, metabase from public;
SQL
