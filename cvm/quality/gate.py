"""The raw and marts quality gates: run the reviewed suites with great-expectations on PostgreSQL.

The GX file context lives under `settings.gx_dir` (git-ignored: validation results and Data Docs); the
suites are (re)built from `expectations/` on every run so the repository stays the source of truth.
The raw gate validates one query asset per entity, filtered on the run's load ids; the marts gate one
table asset per published table of the schema being checked (`marts_next` before the publish).
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from psycopg import sql

from cvm.contract import BY_NAME
from cvm.quality.queries import raw_query
from cvm.quality.result import Finding, GateResult
from cvm.quality.suites import SuiteFile, gx_suite, read_suites
from cvm.settings import Settings
from cvm.warehouse import connect

log = logging.getLogger("cvm.quality")
DATASOURCE = "warehouse"
EXAMPLES = 5


def sqlalchemy_url(url: str) -> str:
    """psycopg URL -> SQLAlchemy URL on the psycopg 3 driver (works for unix sockets via ?host=)."""
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + rest
    return url


def _context(settings: Settings, url: str):  # noqa: ANN202 - GX types are imported lazily
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    settings.gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(settings.gx_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    with warnings.catch_warnings():
        # add_sql, not add_postgres: only a generic SQLAlchemy URL can carry a unix-socket `?host=`
        warnings.filterwarnings("ignore", message=".*more specific PostgresDatasource.*")
        datasource = context.data_sources.add_or_update_sql(name=DATASOURCE, connection_string=sqlalchemy_url(url))
    return context, datasource


def _docs_path(context) -> Path | None:  # noqa: ANN001
    for site in context.get_docs_sites_urls():
        site_url = site.get("site_url") or ""
        if site_url.startswith("file://"):
            return Path(unquote(urlsplit(site_url).path))
    return None


def _describe(config) -> str:  # noqa: ANN001
    kwargs = config.kwargs
    target = kwargs.get("column") or ", ".join(kwargs.get("column_list") or ())
    extras = [f"{k}={kwargs[k]}" for k in ("value_set", "min_value", "max_value", "regex", "mostly") if k in kwargs]
    inner = ", ".join(x for x in [target, *extras] if x)
    return f"{config.type}({inner})"


def _findings(suite_name: str, validation) -> list[Finding]:  # noqa: ANN001
    out = []
    for res in validation.results:
        if res.success:
            continue
        config = res.expectation_config
        result = res.result or {}
        info = res.exception_info or {}
        detail = ""
        if info.get("raised_exception"):
            detail = "error: " + str(info.get("exception_message") or "").strip().splitlines()[0][:300]
        elif result.get("observed_value") is not None:
            detail = f"observed {result['observed_value']}"
        elif config.type == "expect_column_to_exist":
            detail = "column missing"
        examples = tuple((result.get("partial_unexpected_list") or [])[:EXAMPLES])
        out.append(
            Finding(
                suite=suite_name,
                expectation=_describe(config),
                severity=(config.meta or {}).get("severity", "blocking"),
                failing_count=result.get("unexpected_count"),
                checked_count=result.get("element_count"),
                examples=examples,
                detail=detail,
            )
        )
    return out


def _run(settings: Settings, url: str, gate: str, assets: dict[str, tuple[SuiteFile, object]]) -> GateResult:
    """Validate each (suite, asset-builder) pair in one checkpoint that also updates the Data Docs."""
    import great_expectations as gx

    started = time.perf_counter()
    result = GateResult(gate=gate)
    if not assets:
        return result
    context, datasource = _context(settings, url)
    definitions = []
    for name, (suite_file, make_asset) in assets.items():
        asset_name = f"{gate}__{name}"
        if asset_name in {a.name for a in datasource.assets}:
            datasource.delete_asset(asset_name)
        asset = make_asset(datasource, asset_name)
        batch = asset.add_batch_definition_whole_table("all_rows")
        suite = context.suites.add_or_update(gx_suite(suite_file))
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"{gate}.{name}", data=batch, suite=suite)
            )
        )
        result.checked.append(suite_file.name)
    # The checkpoint is derived from this run's suites. The stored one of an earlier run may reference assets
    # that `add_or_update_sql` just dropped (a daily delta delivers fewer entities), and GX cannot even load it
    # to replace it: remove it at the store level, then define it anew.
    store = context.checkpoint_store
    stale = store.get_key(name=f"{gate}_gate")
    if store.has_key(stale):
        store.remove_key(stale)
    # Data Docs are built once for the whole run (UpdateDataDocsAction rebuilds the site per validation).
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{gate}_gate",
            validation_definitions=definitions,
            actions=[],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20},
        )
    )
    run = checkpoint.run()
    context.build_data_docs(resource_identifiers=list(run.run_results))
    for validation in run.run_results.values():
        for finding in _findings(validation.suite_name, validation):
            (result.failures if finding.severity == "blocking" else result.warnings).append(finding)
    result.data_docs_path = _docs_path(context)
    result.seconds = time.perf_counter() - started
    for finding in result.warnings:
        log.warning("quality warning: %s", finding)
    log.info("%s", result.summary().splitlines()[0])
    return result


def _entities_in_loads(url: str, load_ids: list[int]) -> tuple[list[str], bool]:
    """Entities with rows in these loads, and whether the server has pg_input_is_valid (PG 16+)."""
    with connect(url) as conn:
        pg16 = conn.info.server_version >= 160000
        if not load_ids:
            return [], pg16
        rows = conn.execute(
            "select distinct system || '_' || entity from raw.load_audit"
            " where load_id = any(%s) and status = 'loaded' and rows_loaded > 0 order by 1",
            (list(load_ids),),
        ).fetchall()
    return [r[0] for r in rows], pg16


def check_raw(settings: Settings, url: str, load_ids: list[int]) -> GateResult:
    """Validate the rows of these loads with `expectations/raw/<system>_<entity>.json`."""
    entities, pg16 = _entities_in_loads(url, load_ids)
    suites = read_suites(settings.expectations_dir / "raw")
    assets = {}
    for name in entities:
        suite = suites.get(name)
        if suite is None:
            raise FileNotFoundError(f"no raw suite {settings.expectations_dir / 'raw' / (name + '.json')}")
        query = raw_query(BY_NAME[name], suite.casts, load_ids, pg16=pg16)
        assets[name] = (suite, lambda ds, asset_name, q=query: ds.add_query_asset(name=asset_name, query=q))
    return _run(settings, url, "raw", assets)


def check_marts(settings: Settings, url: str, schema: str = "marts_next") -> GateResult:
    """Validate every table of the output contract in `schema`; a missing table is a blocking failure."""
    suites = read_suites(settings.expectations_dir / "marts")
    with connect(url) as conn:
        present = {
            r[0]
            for r in conn.execute("select table_name from information_schema.tables where table_schema = %s", (schema,))
        }
    assets = {}
    missing = []
    for name, suite in suites.items():
        if name not in present:
            missing.append(Finding(suite.name, f"table {schema}.{name} exists", "blocking", detail="table missing"))
            continue
        query = sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(name)).as_string(None)
        assets[name] = (suite, lambda ds, asset_name, q=query: ds.add_query_asset(name=asset_name, query=q))
    result = _run(settings, url, "marts", assets)
    result.failures[:0] = missing
    return result
