"""The outcome of a quality gate, independent of great-expectations' result objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class QualityGateError(RuntimeError):
    """A blocking expectation failed; the message is the gate's summary."""


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
            parts.append("e.g. " + ", ".join(repr(v) for v in self.examples))
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

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        head = (
            f"{self.gate} quality gate {'passed' if self.passed else 'FAILED'}: {len(self.checked)} suites, "
            f"{len(self.failures)} blocking failures, {len(self.warnings)} warnings ({self.seconds:.1f}s)"
        )
        lines = [head]
        lines += [f"  BLOCKING {f}" for f in self.failures]
        lines += [f"  warning  {f}" for f in self.warnings]
        if self.data_docs_path:
            lines.append(f"  Data Docs: {self.data_docs_path}")
        return "\n".join(lines)

    def raise_if_blocking(self) -> None:
        if self.failures:
            raise QualityGateError(self.summary())
