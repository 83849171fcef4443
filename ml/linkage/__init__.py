"""Identity resolution: standardise -> block -> compare -> score -> cluster -> customers -> ids.

Each step is its own module with pure functions over DataFrames; `run.py` wires them to the warehouse.
"""

from __future__ import annotations

from ml.linkage.run import LinkageResult, LinkageSummary, resolve, run_linkage

__all__ = ["LinkageResult", "LinkageSummary", "resolve", "run_linkage"]
