"""Exceptions of the ingest package (user errors are part of `cvm.errors`)."""

from __future__ import annotations

from cvm.errors import DeliveryError


class IngestError(DeliveryError):
    """Raised by `LoadReport.raise_for_rejections`: one line per rejected or failed delivery."""


class Rejected(Exception):
    """A delivery that breaks the landing contract as a whole (missing required column, empty file)."""
