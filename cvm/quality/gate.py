"""The raw and marts quality gates: run the reviewed suites with great-expectations on PostgreSQL.

The GX file context lives under `settings.gx_dir` (git-ignored: validation results and Data Docs); the
suites are (re)built from `expectations/` on every run so the repository stays the source of truth.
The raw gate checks this run's loads plus every load in force that is blocked or was never checked
(`cvm.quality.deliveries`): their rows are materialised once per entity into `raw_gate.<entity>` with the
parse-check columns, GX validates those tables (each expectation reads parsed, narrow rows instead of
re-running the parse over raw), unparsable values go to `raw.flagged_values` with file, row and column,
and every checked delivery gets its verdict in `raw.load_audit.gate_status`. The marts gate validates one
table asset per published table of the schema being checked (`marts_next` before the publish).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from psycopg import sql

from cvm.contract import BY_NAME, Entity
from cvm.quality import deliveries
from cvm.quality.queries import (
    GATE_SCHEMA,
    allowed_codes,
    checked_columns,
    flagged_insert,
    materialise,
    unique_keys,
)
from cvm.quality.result import Finding, GateResult, Located
from cvm.quality.suites import SuiteFile, gx_suite, read_suites
from cvm.retention import prune_gx_results
from cvm.settings import Settings
from cvm.warehouse import connect

log = logging.getLogger("cvm.quality")
DATASOURCE = "warehouse"
EXAMPLES = 5
ROW_COLUMNS = ["_load_id", "_row_number"]  # where a failing raw value was delivered (the load names the file)


# GX's sessions plan serially: a parallel plan of its uniqueness query builds the same hash of every key once per
# worker (three times the work on two cores), and serial queries leave a core to GX's own Python. No JIT: its
# bundled aggregate queries are compiled afresh each time and run well under the time that costs.
SESSION_OPTIONS = "-c max_parallel_workers_per_gather=0 -c jit=off"


def sqlalchemy_url(url: str) -> str:
    """psycopg URL -> SQLAlchemy URL on the psycopg 3 driver (works for unix sockets via ?host=), with the
    session options of the gates' queries."""
    scheme, rest = url.split("://", 1)
    if scheme not in ("postgresql", "postgres"):
        return url
    parts = urlsplit("postgresql+psycopg://" + rest)
    query = parse_qsl(parts.query, keep_blank_values=True)
    given = " ".join(v for k, v in query if k == "options")
    query = [(k, v) for k, v in query if k != "options"] + [("options", f"{given} {SESSION_OPTIONS}".strip())]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _strip_config_variables(root: Path) -> None:
    """GX re-reads and YAML-parses `uncommitted/config_variables.yml` on every access to a context variable
    (~400 times a gate run); the 30 comment lines of its scaffold made each parse 3x slower. Keep the values."""
    path = root / "uncommitted" / "config_variables.yml"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    kept = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if len(kept) < len(lines):
        path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def _context(settings: Settings, url: str):  # noqa: ANN202 - GX types are imported lazily
    """The file context and its datasource. A datasource already stored for this URL is kept with its assets
    (replacing it, as every run did, dropped every asset, and so every definition and checkpoint with it)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    settings.gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(settings.gx_dir))
    _strip_config_variables(Path(context.root_directory))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    wanted = sqlalchemy_url(url)
    stored = _stored(context.data_sources, DATASOURCE)
    if stored is not None and str(getattr(stored, "connection_string", "")) == wanted:
        return context, stored
    with warnings.catch_warnings():
        # add_sql, not add_postgres: only a generic SQLAlchemy URL can carry a unix-socket `?host=`
        warnings.filterwarnings("ignore", message=".*more specific PostgresDatasource.*")
        datasource = context.data_sources.add_or_update_sql(name=DATASOURCE, connection_string=wanted)
    return context, datasource


def _stored(collection, name: str):  # noqa: ANN001, ANN202
    """A GX object stored under this name, or None (GX raises a different error per collection)."""
    try:
        return collection.get(name)
    except Exception:  # noqa: BLE001 - missing or unreadable: either way it is defined anew
        return None


def _digest(suite_file: SuiteFile) -> str:
    """What a stored suite was built from: equal digests, equal suites."""
    body = {"name": suite_file.name, "expectations": suite_file.expectations}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


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


def _shown(value: object) -> str:
    """A delivered text quoted (so blanks show), a parsed number or date as written: -250.00, not Decimal(...)."""
    return repr(value) if isinstance(value, str) or value is None else str(value)


def _examples(result: dict, column: str | None, files: dict[int, str]) -> tuple:
    """The first failing values; with the file (its load's) and row they came from where GX returned them."""
    located = result.get("partial_unexpected_index_list") or []
    if located and column:
        return tuple(
            Located(
                f"{files.get(r.get('_load_id'), r.get('_load_id'))} row {r.get('_row_number')}: {_shown(r.get(column))}"
            )
            for r in located[:EXAMPLES]
        )
    return tuple((result.get("partial_unexpected_list") or [])[:EXAMPLES])


def _findings(suite_name: str, validation, files: dict[int, str]) -> list[Finding]:  # noqa: ANN001
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
        examples = _examples(result, config.kwargs.get("column"), files)
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


def _checkpoint(context, name: str, definitions: list, result_format: dict, *, reuse: bool = False):  # noqa: ANN001, ANN202
    """A checkpoint derived from this run's suites. The stored one of an earlier run may reference assets
    that `add_or_update_sql` just dropped (a daily delta delivers fewer entities), and GX cannot even load it
    to replace it: remove it at the store level, then define it anew."""
    import great_expectations as gx

    if reuse:
        stored = _stored(context.checkpoints, name)
        if stored is not None and sorted(d.name for d in stored.validation_definitions) == sorted(
            d.name for d in definitions
        ):
            return stored
    store = context.checkpoint_store
    stale = store.get_key(name=name)
    if store.has_key(stale):
        store.remove_key(stale)
    return context.checkpoints.add_or_update(
        gx.Checkpoint(name=name, validation_definitions=definitions, actions=[], result_format=result_format)
    )


@dataclass(frozen=True)
class AssetSpec:
    """What a suite validates: a table of `raw_gate` or a query."""

    table: str | None = None
    query: str | None = None

    def matches(self, asset) -> bool:  # noqa: ANN001
        if self.table is not None:
            return (
                getattr(asset, "table_name", None) == self.table and getattr(asset, "schema_name", None) == GATE_SCHEMA
            )
        return getattr(asset, "query", None) == self.query

    def add(self, datasource, name: str):  # noqa: ANN001, ANN201
        if self.table is not None:
            return _table_asset(datasource, name, self.table)
        return datasource.add_query_asset(name=name, query=self.query)


class _Validation:
    """One gate run's great-expectations context: defines and validates one suite at a time, then builds the
    Data Docs once. GX is not thread-safe (its shared YAML loader races), so use it from one thread only."""

    def __init__(self, settings: Settings, url: str, gate: str, index_columns: list[str] | None = None) -> None:
        self.settings, self.gate = settings, gate
        self.context, self.datasource = _context(settings, url)
        self.result = GateResult(gate=gate)
        self.results: dict = {}  # validation result identifier -> result, for the Data Docs and findings
        self.files: dict[int, str] = {}  # load id -> delivered file, for the examples' locations
        self._fresh: set[str] = set()  # definitions (re)defined in this run: their checkpoints are rebuilt
        self.summary_format = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": 20,
            **(
                {"unexpected_index_column_names": index_columns, "return_unexpected_index_query": False}
                if index_columns
                else {}
            ),
        }

    def define(self, name: str, suite_file: SuiteFile, asset: AssetSpec) -> object:
        """The validation definition of one suite on its asset (a table or a query). What an earlier run stored
        is used as it is when the suite file, the asset and the URL are unchanged: defining them anew wrote
        GX's YAML and JSON stores five times per suite (a quarter of a gate's own CPU time)."""
        import great_expectations as gx

        self.result.checked.append(suite_file.name)
        self.result.expectations += sum(1 for e in suite_file.expectations if e["meta"]["severity"] == "blocking")
        asset_name, digest = f"{self.gate}__{name}", _digest(suite_file)
        suite = _stored(self.context.suites, suite_file.name)
        fresh = suite is None or (suite.meta or {}).get("cvm_digest") != digest
        if fresh:
            built = gx_suite(suite_file)
            built.meta["cvm_digest"] = digest
            suite = self.context.suites.add_or_update(built)
        # get_asset / get_batch_definition, not the `assets` list: only they bind the context a run needs
        stored = None
        if asset_name in {a.name for a in self.datasource.assets}:
            stored = self.datasource.get_asset(asset_name)
            if not asset.matches(stored):
                self.datasource.delete_asset(asset_name)
                stored = None
        if stored is None:
            stored, fresh = asset.add(self.datasource, asset_name), True
        if "all_rows" in {b.name for b in stored.batch_definitions}:
            batch = stored.get_batch_definition("all_rows")
        else:
            batch, fresh = stored.add_batch_definition_whole_table("all_rows"), True
        definition = None if fresh else _stored(self.context.validation_definitions, f"{self.gate}.{name}")
        if definition is None:
            self._fresh.add(f"{self.gate}.{name}")
            definition = self.context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"{self.gate}.{name}", data=batch, suite=suite)
            )
        return definition

    def validate(self, checkpoint: str, definitions: list, *, two_pass: bool = False) -> set[str]:
        """Validate these definitions in one checkpoint; returns the names of the suites that failed.

        `two_pass`: the first pass only asks pass/fail (GX then computes each table's counts in bundled
        aggregate queries, without one example scan per expectation); the suites that failed are validated
        again with counts, examples and their file and row."""
        if two_pass:
            boolean = {"result_format": "BOOLEAN_ONLY"}
            first = _checkpoint(self.context, checkpoint, definitions, boolean, reuse=self._reusable(definitions)).run()
            failed = {v.suite_name for v in first.run_results.values() if not v.success}
            self.results.update({k: v for k, v in first.run_results.items() if v.suite_name not in failed})
            retry = [d for d in definitions if d.suite.name in failed]
            if retry:
                detail = _checkpoint(
                    self.context, f"{checkpoint}_detail", retry, self.summary_format, reuse=self._reusable(retry)
                ).run()
                self.results.update(detail.run_results)
            return failed
        reuse = self._reusable(definitions)
        run = _checkpoint(self.context, checkpoint, definitions, self.summary_format, reuse=reuse).run()
        self.results.update(run.run_results)
        return {v.suite_name for v in run.run_results.values() if not v.success}

    def _reusable(self, definitions: list) -> bool:
        return not any(d.name in self._fresh for d in definitions)

    def finish(self, started: float) -> GateResult:
        """Data Docs for this run's results (built once: UpdateDataDocsAction rebuilds the site per validation;
        the index reads every stored result, so the old ones go first, GX keeps them all), then the findings."""
        result = self.result
        result.checked.sort()  # the raw gate validates in the order the entities' parses finish
        prune_gx_results(Path(self.context.root_directory), self.settings.keep_runs)
        self.context.build_data_docs(resource_identifiers=list(self.results))
        for validation in self.results.values():
            for finding in _findings(validation.suite_name, validation, self.files):
                (result.failures if finding.severity == "blocking" else result.warnings).append(finding)
        result.data_docs_path = _docs_path(self.context)
        result.seconds = time.perf_counter() - started
        for finding in result.warnings:
            log.warning("quality warning: %s", finding)
        log.info("%s", result.summary().splitlines()[0])
        return result


def _import_gx_meanwhile() -> threading.Thread:
    """Importing great-expectations costs seconds of CPU (a third of the gate at 20,000 customers): do it in
    a thread while PostgreSQL parses the rows under check, which leaves this process waiting anyway."""
    thread = threading.Thread(target=importlib.import_module, args=("great_expectations",), name="gx-import")
    thread.start()
    return thread


def parse_workers() -> int:
    """Connections that parse entities side by side: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def _parse_entity(url: str, suite: SuiteFile, entity: Entity, load_ids: list[int]) -> None:
    with connect(url) as conn:
        # one core per entity: serial plans side by side beat one parallel plan whose leader alone writes; and no
        # JIT: compiling the inlined parse expressions cost a server with JIT 0.5-1 s per entity, more than it saves
        conn.execute("set local max_parallel_workers_per_gather = 0")
        conn.execute("set local jit = off")
        columns = checked_columns(entity, suite.expectations)
        conn.execute(
            materialise(entity, suite.casts, load_ids, columns, unique_keys(suite.expectations), suite.read_as)
        )
        codes = allowed_codes(suite.expectations)
        if suite.casts or codes:
            conn.execute(flagged_insert(entity, suite.casts, codes))


def _table_asset(datasource, asset_name: str, table: str):  # noqa: ANN001, ANN202 - GX types are imported lazily
    """A table asset: GX reads its columns from the catalogue (a query asset ran the whole query for them).
    GX 1.x deprecates `schema_name` in favour of the connection's schema; the gate's tables have their own."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*schema_name.*deprecated.*", category=DeprecationWarning)
        return datasource.add_table_asset(name=asset_name, table_name=table, schema_name=GATE_SCHEMA)


def check_raw(settings: Settings, url: str, load_ids: list[int]) -> GateResult:
    """Validate these loads, and every blocked or unchecked load in force, with `expectations/raw/*.json`.

    The entities are parsed into `raw_gate` on `parse_workers()` connections, the largest first, and each is
    validated as soon as its table is ready, while the others are still being parsed: GX's Python and its
    queries overlap the parse instead of following it (each entity commits on its own; a failed gate leaves
    its loads unchecked, and the next run deletes their flagged values and parses them again)."""
    suites = read_suites(settings.expectations_dir / "raw")
    started = time.perf_counter()
    gx_import = _import_gx_meanwhile()
    with connect(url) as conn:
        checked = sorted(set(load_ids) | set(deliveries.unchecked_loads(conn)))
        by_entity = deliveries.loads_by_entity(conn, checked)
        for name in by_entity:
            if name not in suites:
                raise FileNotFoundError(f"no raw suite {settings.expectations_dir / 'raw' / (name + '.json')}")
        if by_entity:
            log.info(
                "raw gate: checking %d deliveries of %d entities (%s)",
                len(checked),
                len(by_entity),
                ", ".join(by_entity),
            )
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(GATE_SCHEMA)))
        conn.execute("delete from raw.flagged_values where load_id = any(%s)", (checked,))
        rows = deliveries.rows_by_entity(conn, checked)
        files = dict(conn.execute("select load_id, path from raw.load_audit where load_id = any(%s)", (checked,)))
    order = sorted(by_entity, key=lambda name: -rows.get(name, 0))
    if not order:
        return GateResult(gate="raw", checked_loads=checked, seconds=time.perf_counter() - started)
    failed: set[str] = set()
    pool = ThreadPoolExecutor(max_workers=min(parse_workers(), len(order) or 1), thread_name_prefix="raw-gate")
    try:
        jobs = {pool.submit(_parse_entity, url, suites[n], BY_NAME[n], by_entity[n]): n for n in order}
        gx_import.join()  # an import error surfaces in _context's own import below
        gx = _Validation(settings, url, "raw", index_columns=ROW_COLUMNS)
        gx.files = files
        for job in as_completed(jobs):
            job.result()
            name = jobs[job]
            definition = gx.define(name, suites[name], AssetSpec(table=name))
            failed |= gx.validate(f"raw_gate__{name}", [definition], two_pass=True)
            log.info(
                "raw gate: %s (%s rows) %s after %.1fs",
                name,
                f"{rows.get(name, 0):,}",
                "failed" if suites[name].name in failed else "passed",
                time.perf_counter() - started,
            )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    result = gx.finish(started)
    verdicts: dict[int, str | None] = {}
    for name, ids in by_entity.items():
        failures = [f for f in result.failures if f.suite == suites[name].name]
        reason = f"{len(failures)} blocking expectation(s) failed: {failures[0]}"[:2000] if failures else None
        verdicts.update(dict.fromkeys(ids, reason))
    with connect(url) as conn:
        deliveries.record_verdicts(conn, verdicts)
        for name in by_entity:
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(GATE_SCHEMA, name)))
    result.checked_loads = checked
    result.flagged, result.flagged_examples = deliveries.flagged_summary(url, checked)
    result.seconds = time.perf_counter() - started
    return result


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
        assets[name] = (suite, AssetSpec(query=query))
    started = time.perf_counter()
    if not assets:
        return GateResult(gate="marts", failures=missing)
    gx = _Validation(settings, url, "marts")
    gx.validate("marts_gate", [gx.define(name, suite, spec) for name, (suite, spec) in assets.items()])
    result = gx.finish(started)
    result.failures[:0] = missing
    return result
