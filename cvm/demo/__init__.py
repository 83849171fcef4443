"""Demo data generator: messy landing deliveries for all contract entities, plus the truth behind them.

`generate(out, customers, seed)` writes `out/landing/<system>/<entity>/<delivery>.csv` and
`out/truth/{records.csv,customers.csv,manifest.json}`; see `cvm.demo.generate`.
"""

from cvm.demo.generate import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
