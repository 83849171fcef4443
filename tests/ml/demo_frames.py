"""Demo exports -> customers and invoices frames keyed by the true customer ids.

For model backtests without the warehouse: the finance invoices of `cvm.demo.generate`, each debtor mapped
to its customer through truth/records.csv (identity resolution is tested elsewhere).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CONTACT_COLUMNS = ["contact_moment_id", "customer_id", "occurred_on", "channel", "direction", "contact_cost"]


def demo_frames(root: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(customers, invoices, contacts) in the int_customers / int_invoices / int_contact_moments shapes;
    contacts is empty (the models must not need it)."""
    truth = pd.read_csv(root / "truth" / "records.csv", dtype=str)
    debtors = truth[truth["source_system"].eq("finance") & truth["source_entity"].eq("debtors")]
    owner = debtors.set_index("source_record_id")["customer_id"]
    files = sorted((root / "landing" / "finance" / "invoices").glob("*.csv"))
    inv = pd.concat(pd.read_csv(f, dtype=str) for f in files).drop_duplicates("invoice_number", keep="last")
    invoices = pd.DataFrame(
        {
            "invoice_id": inv["invoice_number"],
            "customer_id": inv["debtor_number"].map(owner),
            "invoice_date": pd.to_datetime(inv["invoice_date"]).dt.date,
            "amount_excl_vat": inv["amount_excl_vat"].astype(float),
            "cost_amount": inv["cost_amount"].astype(float),
            "status": inv["status"],
            "is_credited": inv["status"].eq("credited"),
        }
    )
    truth_customers = pd.read_csv(root / "truth" / "customers.csv", dtype=str)
    customers = pd.DataFrame(
        {
            "customer_id": truth_customers["customer_id"],
            "customer_type": truth_customers["customer_type"],
            "first_seen_at": pd.to_datetime(truth_customers["acquired_at"], utc=True),
        }
    )
    contacts = pd.DataFrame({c: pd.Series(dtype=float if c == "contact_cost" else object) for c in CONTACT_COLUMNS})
    return customers, invoices, contacts
