"""ml.io.copy_frame writes COPY's text format per column: every kind of value the models write must arrive
as the same value, NULLs as NULL and text with tabs, newlines and backslashes intact."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import psycopg

from ml.io import copy_frame


def test_copy_frame_round_trips_every_kind_of_value(conn: psycopg.Connection) -> None:
    conn.execute("drop table if exists public.copy_frame_check")
    conn.execute(
        """create table public.copy_frame_check (
            n integer, x double precision, amount numeric, flag boolean, label text, day date,
            at timestamptz, params jsonb, maybe_n bigint, maybe_flag boolean)"""
    )
    frame = pd.DataFrame(
        {
            "n": np.array([1, -2, 3], dtype="int64"),
            "x": [0.1, np.nan, 1e-05],
            "amount": [Decimal("12.34"), None, Decimal("-0.5")],
            "flag": np.array([True, False, True]),
            "label": ["Loïs Kok-Brûlé", "tab\there\nnew line \\ back", ""],
            "day": [date(2026, 10, 31), None, date(2024, 2, 29)],
            "at": pd.to_datetime(["2026-10-31 12:00:00+00:00", None, "2024-02-29 23:59:59+00:00"], utc=True),
            "params": [{"r": 0.24, "fit": "ok"}, None, [1, 2]],
            "maybe_n": pd.array([7, None, 9], dtype="Int64"),
            "maybe_flag": pd.array([None, True, False], dtype="boolean"),
        }
    )
    assert copy_frame(conn, "public.copy_frame_check", frame, list(frame.columns)) == 3
    rows = conn.execute("select * from public.copy_frame_check order by n").fetchall()
    conn.execute("drop table public.copy_frame_check")
    assert rows == [
        (-2, None, None, False, "tab\there\nnew line \\ back", None, None, None, None, True),
        (
            1,
            0.1,
            Decimal("12.34"),
            True,
            "Loïs Kok-Brûlé",
            date(2026, 10, 31),
            datetime(2026, 10, 31, 12, tzinfo=UTC),
            {"r": 0.24, "fit": "ok"},
            7,
            None,
        ),
        (
            3,
            1e-05,
            Decimal("-0.5"),
            True,
            "",
            date(2024, 2, 29),
            datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
            [1, 2],
            9,
            False,
        ),
    ]
