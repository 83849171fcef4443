"""What a `load_landing` run did, per delivery, in a form the DAG and the CLI can act on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cvm.ingest.errors import IngestError


@dataclass(frozen=True)
class DeliveryResult:
    system: str
    entity: str
    path: str  # `<system>/<entity>/<file>` relative to the landing zone
    status: str  # loaded | skipped | rejected | failed
    rows_loaded: int = 0
    rows_quarantined: int = 0
    load_id: int | None = None
    error: str | None = None
    rows_read: int = 0
    seconds: float = 0.0
    bytes: int = 0


@dataclass
class LoadReport:
    deliveries: list[DeliveryResult] = field(default_factory=list)

    @property
    def load_ids(self) -> list[int]:
        """Load ids of deliveries loaded in this run (what the raw quality gate checks)."""
        return [d.load_id for d in self.deliveries if d.status == "loaded" and d.load_id is not None]

    @property
    def rejected(self) -> list[DeliveryResult]:
        return [d for d in self.deliveries if d.status in ("rejected", "failed")]

    def raise_for_rejections(self) -> None:
        if self.rejected:
            # one line, the way the CLI reports it: every refused delivery with its reason
            lines = [f"{d.status}: {d.error or d.path}" for d in self.rejected]
            noun = "delivery" if len(lines) == 1 else "deliveries"
            raise IngestError(f"{len(lines)} {noun} not loaded: " + " | ".join(lines))

    def summary(self) -> str:
        """One line per entity: deliveries by status, rows loaded and quarantined."""
        per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for d in self.deliveries:
            row = per[f"{d.system}/{d.entity}"]
            row[d.status] += 1
            row["rows"] += d.rows_loaded
            row["quarantined"] += d.rows_quarantined
        header = f"{'entity':<24}{'loaded':>8}{'skipped':>9}{'rejected':>10}{'failed':>8}{'rows':>12}{'quarant.':>10}"
        lines = [header, "-" * len(header)]
        for name in sorted(per):
            r = per[name]
            lines.append(
                f"{name:<24}{r['loaded']:>8}{r['skipped']:>9}{r['rejected']:>10}{r['failed']:>8}"
                f"{r['rows']:>12,}{r['quarantined']:>10,}"
            )
        if not per:
            lines.append("(no deliveries found)")
        lines += [f"  {d.status}: {d.error}" for d in self.rejected]
        return "\n".join(lines)
