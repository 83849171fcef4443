"""Great-expectations quality gates on the raw loads and on the marts before they are published.

Suites are reviewed JSON files in `expectations/raw/` and `expectations/marts/` (see
expectations/README.md); each expectation is `blocking` (the run stops with a summary naming entity,
expectation, failing count and example values, plus the Data Docs path) or `warning` (logged).
"""

from cvm.quality.gate import check_marts, check_raw
from cvm.quality.result import Finding, GateResult, QualityGateError

__all__ = ["Finding", "GateResult", "QualityGateError", "check_marts", "check_raw"]
