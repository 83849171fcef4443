"""The outcome of a quality gate, independent of great-expectations' result objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cvm.errors import QualityGateError

__all__ = ["Finding", "GateResult", "QualityGateError"]


class Located(str):
    """A failing value with where it was delivered: `<file> row <n>: <value>` (shown as is, not quoted)."""


@dataclass(frozen=True)
class Finding:
    """One failed expectation."""

    suite: str  # `raw.crm_contacts`, `marts.dim_customer`
    expectation: str  # `expect_column_values_to_be_between(nps_score__value)`
    severity: str
    failing_count: int | None = None
    checked_count: int | None = None
    examples: tuple = ()
    detail: str = ""

    def __str__(self) -> str:
        parts = [f"{self.suite}: {self.expectation} [{self.severity}]"]
        if self.failing_count is not None:
            of = f" of {self.checked_count:,}" if self.checked_count is not None else ""
            parts.append(f"{self.failing_count:,}{of} rows fail")
        if self.examples:
            parts.append("e.g. " + ", ".join(v if isinstance(v, Located) else repr(v) for v in self.examples))
        if self.detail:
            parts.append(self.detail)
        return "; ".join(parts)


@dataclass
class GateResult:
    gate: str  # raw | marts
    checked: list[str] = field(default_factory=list)  # suites that ran
    failures: list[Finding] = field(default_factory=list)  # blocking
    warnings: list[Finding] = field(default_factory=list)
    data_docs_path: Path | None = None
    seconds: float = 0.0
    expectations: int = 0  # blocking expectations checked
    checked_loads: list[int] = field(default_factory=list)  # raw gate: the deliveries it judged
    flagged: int = 0  # raw gate: values that do not parse or are no allowed code (raw.flagged_values)
    flagged_examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """First line: the counts (what `cvm run` prints); then one line per finding with examples."""
        rows = sum(f.failing_count or 0 for f in self.failures)
        if self.passed:
            head = f"{self.gate} quality gate passed: {len(self.checked)} suites"
        else:
            suites = sorted({f.suite for f in self.failures})
            head = (
                f"{self.gate} quality gate FAILED: {len(self.failures)} of {self.expectations} blocking "
                f"expectations failed ({rows:,} failing rows) in {', '.join(suites)}"
            )
        head += f", {len(self.warnings)} warnings"
        if self.flagged:
            head += f", {self.flagged:,} values flagged in raw.flagged_values (unreadable or not allowed)"
        lines = [head + f" ({self.seconds:.1f}s)"]
        lines += [f"  BLOCKING {f}" for f in self.failures]
        lines += [f"  warning  {f}" for f in self.warnings]
        lines += [f"  flagged  {e}" for e in self.flagged_examples]
        if self.data_docs_path:
            lines.append(f"  Data Docs: {self.data_docs_path}")
        return "\n".join(lines)

    def raise_if_blocking(self) -> None:
        if self.failures:
            raise QualityGateError(self.summary())
