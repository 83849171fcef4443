"""Exceptions of the ingest package."""

from __future__ import annotations


class IngestError(RuntimeError):
    """Raised by `LoadReport.raise_for_rejections`: one line per rejected or failed delivery."""


class Rejected(Exception):
    """A delivery that breaks the landing contract as a whole (missing required column, empty file)."""
