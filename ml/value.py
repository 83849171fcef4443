"""Current customer value over the 12-month window (as_of - 12 months, as_of], the as-of day included.

Only ml/churn.py still uses this module (it derives its own training features from the facts); every
other model reads these figures from dbt's intermediate.int_customer_features, which owns the rule.
Delete this module once churn reads the feature table (its 'churn_cut_off' rows and purchase_days_12m).

current_value_12m = revenue - invoice costs - contact costs: what the customer earned us this year after
the cost to serve (a visit by an account manager costs more than an e-mail, after the seed articles).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

VALUE_COLUMNS = ["revenue_12m", "cost_12m", "contact_cost_12m", "current_value_12m"]


def window_start(as_of: date, months: int = 12) -> pd.Timestamp:
    """Exclusive start of the window: as_of minus `months` calendar months (29 Feb -> 28 Feb)."""
    return pd.Timestamp(as_of) - pd.DateOffset(months=months)


def in_window(dates: pd.Series, as_of: date, months: int = 12) -> pd.Series:
    d = pd.to_datetime(dates)
    return d.gt(window_start(as_of, months)) & d.le(pd.Timestamp(as_of))


def billable(invoices: pd.DataFrame) -> pd.DataFrame:
    """Invoices that count as a sale: not credited (status 'credited' or is_credited)."""
    credited = invoices.get("is_credited", pd.Series(False, index=invoices.index)).fillna(False).astype(bool)
    if "status" in invoices:
        credited |= invoices["status"].astype(str).str.lower().eq("credited")
    return invoices[~credited & invoices["customer_id"].notna()]


def current_value(
    customer_ids: pd.Series | list[str], invoices: pd.DataFrame, contacts: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """One row per customer (index customer_id) with revenue_12m, cost_12m, contact_cost_12m,
    current_value_12m; zeros for customers without invoices or contacts in the window."""
    ids = pd.Index(pd.unique(pd.Series(customer_ids, dtype=object)), name="customer_id")
    inv = billable(invoices)
    inv = inv[in_window(inv["invoice_date"], as_of)]
    sums = inv.groupby("customer_id")[["amount_excl_vat", "cost_amount"]].sum()
    out = pd.DataFrame(index=ids)
    out["revenue_12m"] = sums["amount_excl_vat"].reindex(ids).fillna(0.0).astype(float)
    out["cost_12m"] = sums["cost_amount"].reindex(ids).fillna(0.0).astype(float)
    cm = contacts[contacts["customer_id"].notna()]
    cm = cm[in_window(cm["occurred_on"], as_of)]
    out["contact_cost_12m"] = cm.groupby("customer_id")["contact_cost"].sum().reindex(ids).fillna(0.0).astype(float)
    out["current_value_12m"] = out["revenue_12m"] - out["cost_12m"] - out["contact_cost_12m"]
    return out.round(2)
