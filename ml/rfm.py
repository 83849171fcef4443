"""Purchase histories in the BG/NBD sense, from invoices up to as_of.

Only ml/churn.py still uses this module; the models read the same summary (frequency, recency_days,
t_days, monetary_avg, ...) from dbt's intermediate.int_customer_features. Delete it with ml/value.py.

A purchase is a customer-day with billable (not credited) revenue: several invoices on one day are one
purchase. frequency = repeat purchases (purchase days - 1), recency = days from first to last purchase,
T = days from first purchase to as_of, monetary_avg = mean revenue of the repeat purchases (the first
purchase is left out, as Gamma-Gamma and Fader-Hardie-Lee do).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ml.value import billable

RFM_COLUMNS = [
    "frequency",
    "recency_days",
    "T_days",
    "days_since_last",
    "monetary_avg",
    "margin_avg",
    "first_purchase",
    "last_purchase",
    "revenue_total",
    "margin_total",
]


def purchase_days(invoices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """customer_id, day, revenue, margin: one row per customer-day with positive billable revenue."""
    inv = billable(invoices)
    inv = inv[pd.to_datetime(inv["invoice_date"]).le(pd.Timestamp(as_of))]
    days = (
        inv.assign(
            day=pd.to_datetime(inv["invoice_date"]).dt.normalize(),
            revenue=inv["amount_excl_vat"].astype(float),
            margin=inv["amount_excl_vat"].astype(float) - inv["cost_amount"].fillna(0).astype(float),
        )
        .groupby(["customer_id", "day"], as_index=False)[["revenue", "margin"]]
        .sum()
    )
    return days[days["revenue"].gt(0)]


def rfm_summary(customer_ids: pd.Series | list[str], invoices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per customer (index customer_id); customers without purchases get frequency 0 and NaN
    times (the BG/NBD model does not describe someone who never bought)."""
    ids = pd.Index(pd.unique(pd.Series(customer_ids, dtype=object)), name="customer_id")
    days = purchase_days(invoices, as_of).sort_values(["customer_id", "day"])
    days["n"] = days.groupby("customer_id").cumcount()
    g = days.groupby("customer_id")
    out = pd.DataFrame(index=ids)
    first = g["day"].min().reindex(ids)
    last = g["day"].max().reindex(ids)
    as_of_ts = pd.Timestamp(as_of)
    out["frequency"] = (g.size() - 1).reindex(ids).fillna(0).astype(int)
    out["recency_days"] = (last - first).dt.days
    out["T_days"] = (as_of_ts - first).dt.days
    out["days_since_last"] = (as_of_ts - last).dt.days
    repeat = days[days["n"] > 0].groupby("customer_id")
    out["monetary_avg"] = repeat["revenue"].mean().reindex(ids).fillna(0.0)
    out["margin_avg"] = repeat["margin"].mean().reindex(ids).fillna(0.0)
    out["first_purchase"] = first
    out["last_purchase"] = last
    out["revenue_total"] = g["revenue"].sum().reindex(ids).fillna(0.0)
    out["margin_total"] = g["margin"].sum().reindex(ids).fillna(0.0)
    return out
