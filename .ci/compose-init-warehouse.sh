#!/usr/bin/env bash
# First start of the compose PostgreSQL: the warehouse database and its owner, Metabase's own database,
# and a BI login that can only read `marts` (the pipeline grants the NOLOGIN role cvm_reader on publish).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
create role cvm login password '${CVM_DB_PASSWORD:-cvm}';
create database cvm owner cvm;
create database metabase owner airflow;
create role cvm_reader nologin;
create role bi login password 'bi' in role cvm_reader;
SQL
