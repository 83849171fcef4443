"""Read the reviewed suite files of `expectations/` into great-expectations suites.

A suite file is a plain GX suite (`name`, `expectations: [{type, kwargs, meta}]`, `meta`) so GX itself
could load it; thresholds are the expectations' `mostly` and every expectation carries
`meta.severity` = `blocking` (the run stops) or `warning` (reported, the run goes on).
Raw suites may add `meta.casts` = {column: date|timestamp|integer|amount}: the gate's query then adds
`<column>__invalid` (the delivered text when it does not parse, else NULL) and, for integer and amount,
`<column>__value` (the parsed number) for range checks, and `meta.read_as` = {column: text|code}: the gate
checks that column in the form staging reads it (`raw.cvm_text` / `raw.cvm_code`). See expectations/README.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("blocking", "warning")
CAST_KINDS = ("date", "timestamp", "integer", "amount")
READ_AS = ("text", "code")  # raw.cvm_text / raw.cvm_code: the form staging reads a column in


@dataclass(frozen=True)
class SuiteFile:
    name: str  # `raw.crm_accounts`, `marts.dim_customer`
    table: str  # `crm_accounts`, `dim_customer`
    expectations: tuple[dict, ...]
    casts: dict[str, str]
    path: Path
    read_as: dict[str, str] = field(default_factory=dict)  # column -> text | code (`meta.read_as`)


def read_suite(path: Path) -> SuiteFile:
    """Parse and validate one suite file; errors name the file and the expectation."""
    data = json.loads(path.read_text(encoding="utf-8"))
    expectations = tuple(data.get("expectations") or ())
    for i, exp in enumerate(expectations):
        severity = (exp.get("meta") or {}).get("severity")
        if severity not in SEVERITIES:
            raise ValueError(f"{path}: expectation {i} ({exp.get('type')}) needs meta.severity in {SEVERITIES}")
        if not exp.get("type") or not isinstance(exp.get("kwargs"), dict):
            raise ValueError(f"{path}: expectation {i} needs a type and kwargs")
    casts = dict((data.get("meta") or {}).get("casts") or {})
    for column, kind in casts.items():
        if kind not in CAST_KINDS:
            raise ValueError(f"{path}: cast of {column} must be one of {CAST_KINDS}, got {kind!r}")
    read_as = dict((data.get("meta") or {}).get("read_as") or {})
    for column, kind in read_as.items():
        if kind not in READ_AS or column in casts:
            raise ValueError(f"{path}: read_as of {column} must be one of {READ_AS} on a column without a cast")
    return SuiteFile(data.get("name") or path.stem, path.stem, expectations, casts, path, read_as)


def read_suites(directory: Path) -> dict[str, SuiteFile]:
    """Suites of one layer directory (`expectations/raw` or `expectations/marts`) by table name."""
    return {p.stem: read_suite(p) for p in sorted(Path(directory).glob("*.json"))}


def gx_suite(suite: SuiteFile):  # noqa: ANN201 - great_expectations is imported lazily (slow import)
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    gx_suite = gx.ExpectationSuite(name=suite.name)
    for exp in suite.expectations:
        gx_suite.add_expectation_configuration(
            ExpectationConfiguration(type=exp["type"], kwargs=dict(exp["kwargs"]), meta=dict(exp.get("meta") or {}))
        )
    return gx_suite
