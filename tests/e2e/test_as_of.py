"""As of means as of: a run as of an earlier date on the whole landing zone publishes exactly what a run on
the landing zone truncated at that date publishes (same customers, same revenue, same contacts), and
nothing dated after the as-of date reaches its marts. The same landing zone run as of its last day shows
the later customers, so the comparison is not between two empty worlds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from landing_truncate import truncate_landing

from cvm.demo.generate import generate
from cvm.pipeline import run_all
from cvm.settings import Settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EARLY, LATE = date(2026, 6, 30), date(2026, 10, 31)


@pytest.fixture(scope="module")
def landings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("asof_demo")
    full = generate(out, customers=200, seed=11).landing
    truncated = out / "truncated"
    kept = truncate_landing(full, truncated, EARLY)
    assert kept["finance/invoices"] > 0 and kept["crm/contacts"] > 0
    return full, truncated


@pytest.fixture(scope="module")
def second_warehouse(new_warehouse) -> Iterator[str]:  # noqa: ANN001
    with new_warehouse() as url:
        yield url


def published(url: str) -> dict:
    """What a run published, keyed by the customer's source records (customer ids are run-local)."""
    with psycopg.connect(url) as conn:
        members: dict[str, list[str]] = {}
        for customer_id, record_key in conn.execute("select customer_id, record_key from marts.customer_identity_map"):
            members.setdefault(customer_id, []).append(record_key)
        key = {c: tuple(sorted(keys)) for c, keys in members.items()}
        customers = {
            key[c]: first_seen
            for c, first_seen in conn.execute(
                "select customer_id, (first_seen_at at time zone 'Europe/Amsterdam')::date from marts.dim_customer"
            )
        }
        revenue = {key[c]: r for c, r in conn.execute("select customer_id, revenue_12m from marts.customer_360")}
        contacts = Counter(
            (key[c], d, ch, reason)
            for c, d, ch, reason in conn.execute(
                "select customer_id, planned_date, channel, reason from marts.contact_plan"
            )
        )
    return {"customers": customers, "revenue": revenue, "contacts": contacts}


@pytest.fixture(scope="module")
def runs(
    landings,
    base_settings: Settings,
    warehouse_url: str,
    second_warehouse: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict]:
    full, truncated = landings
    one = base_settings.with_(home=tmp_path_factory.mktemp("asof_home"), database_url=warehouse_url)
    two = base_settings.with_(home=tmp_path_factory.mktemp("asof_home_t"), database_url=second_warehouse)
    out = {}
    run_all(EARLY.isoformat(), str(full), one)
    out["early"] = published(warehouse_url)
    run_all(LATE.isoformat(), str(full), one)
    out["late"] = published(warehouse_url)
    run_all(EARLY.isoformat(), str(truncated), two)
    out["truncated"] = published(second_warehouse)
    return out


def test_nothing_after_the_as_of_date_reaches_the_marts(runs):
    early = runs["early"]
    assert early["customers"] and all(d is None or d <= EARLY for d in early["customers"].values())
    assert all(planned > EARLY for (_, planned, _, _) in early["contacts"])
    # the same landing run as of its last day does see customers first seen later: the cut-off removed them
    assert any(d is not None and d > EARLY for d in runs["late"]["customers"].values())
    assert len(runs["late"]["customers"]) > len(early["customers"])


def test_same_customers_as_the_truncated_landing(runs):
    assert set(runs["early"]["customers"]) == set(runs["truncated"]["customers"])


def test_same_revenue_as_the_truncated_landing(runs):
    assert runs["early"]["revenue"] == runs["truncated"]["revenue"]
    assert sum(v or 0 for v in runs["early"]["revenue"].values()) > 0


def test_same_contacts_as_the_truncated_landing(runs):
    assert runs["early"]["contacts"] == runs["truncated"]["contacts"]
    assert sum(runs["early"]["contacts"].values()) > 0
