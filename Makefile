# Two commands on a fresh machine with only Python 3.11+: `make demo` and `make test`.
# Everything is installed into .venv from uv.lock; uv itself is bootstrapped with pip when missing.

PYTHON ?= python3
VENV   := .venv
BOOT   := .cvm/bootstrap
UV     := $(shell command -v uv 2>/dev/null || echo $(BOOT)/bin/uv)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test lint bench clean db-stop

install: $(VENV)/.installed

$(BOOT)/bin/uv:
	@echo "uv not found: bootstrapping it into $(BOOT) with pip"
	@mkdir -p .cvm
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/python -m pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: every stage imports Airflow, dbt, great-expectations and pandas; without .pyc files
# (PYTHONDONTWRITEBYTECODE set, a read-only venv) each process compiles them again, ~2x the import CPU.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

demo: install  ## generate demo data, run the whole pipeline through Airflow, print where the marts are
	$(VENV)/bin/cvm demo

test: install  ## the test suite (real PostgreSQL: CVM_DATABASE_URL, else the embedded one)
	$(VENV)/bin/python -m pytest -q

lint: install  ## ruff (check + format) over the Python, sqlfluff over the dbt models (dbt_project/.sqlfluff)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd dbt_project && ../$(VENV)/bin/sqlfluff lint models --processes 2 --disable-progress-bar

bench: install  ## per-stage time and memory at 2,000 and 20,000 customers -> bench/RESULTS.md
	$(VENV)/bin/python bench/bench_pipeline.py --customers 2000 20000

db-stop: install
	$(VENV)/bin/cvm db stop

clean: db-stop
	rm -rf .cvm $(VENV)
