"""A small hand-written export in the shapes real Dutch tools produce — not the demo generator's — through
every stage: Windows-1252 + semicolons + decimal commas (configured per source), CRLF and every field
quoted, JSON lines, gzip, extra and missing columns, entities that were not delivered at all. The expected
parties, customers and revenue are worked out by hand."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import psycopg
import pytest

from cvm.pipeline import run_all

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AS_OF = date(2026, 10, 31)
INVOICES = [  # number, debtor, date, amount (Dutch notation), cost, status
    ("F1", "1001", "2025-10-31", "1.000,00", "600,00", "paid"),  # on the window's open edge: not in 12m
    ("F2", "1001", "2025-11-01", "1.234,56", "700,00", "paid"),
    ("F3", "1001", "2026-10-31", "100,00", "50,00", "paid"),  # on as_of: counts
    ("F4", "1001", "2026-06-01", "999,99", "0,00", "credited"),  # credited: no revenue
    ("F5", "1002", "2026-05-05", "80,50", "30,00", "paid"),
    ("F6", "1003", "2026-11-01", "5.000,00", "3.000,00", "paid"),  # after as_of: not used
    ("F7", "1003", "2026-02-14", "4.321,00", "2.000,00", "open"),
]


def write_landing(root: Path) -> Path:
    landing = root / "landing"

    def put(rel: str, data: bytes) -> None:
        path = landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    put(
        "crm/accounts/2026-10-01_export.csv",
        (
            "account_id;company_name;kvk_number;postcode;city;email;phone;created_at;updated_at;segment_code\r\n"
            "A-1;Bakkerij Hé B.V.;12345678;1234 ab;Utrecht;info@bakkerijhe.nl;030-1234567;"
            "2021-03-01;2026-09-01;GOLD\r\n"
            "A-2;Van der Berg Installatie BV;87654321;5678CD;Eindhoven;contact@vdberg.nl;+31 40 123 4567;"
            "2022-05-01;2026-09-01;SILVER\r\n"
        ).encode("cp1252"),
    )
    put("crm/_source.yml", b"encoding: cp1252\n")  # delimiters are sniffed per file
    put(
        "crm/contacts/2026-10-01_export.csv",
        (
            '"contact_id","account_id","first_name","infix","last_name","email","mobile","email_opt_in",'
            '"phone_opt_in","created_at"\r\n'
            '"C-1","A-1","Jan","de","Vries","jan@bakkerijhe.nl","06-12345678","ja","nee","2021-03-01"\r\n'
            '"C-2","","Els","","Jansen","els.jansen@gmail.com","+31 6 2345 6789","1","1","2023-01-10"\r\n'
            '"C-3","A-2","Pieter","van der","Berg","pieter@vdberg.nl","0612121212","true","false","2022-05-01"\r\n'
        ).encode("cp1252"),
    )
    put("finance/_source.yml", b"encoding: cp1252\ndelimiter: ';'\ndecimal_separator: ','\n")
    put(
        "finance/debtors/2026-10-01.csv",
        (
            "debtor_number;name;kvk_number;iban;postcode;email\r\n"
            "1001;Bakkerij He BV;12345678;NL91ABNA0417164300;1234AB;administratie@bakkerijhe.nl\r\n"
            "1002;E. Jansen;;NL20INGB0001234567;3511AA;els.jansen@gmail.com\r\n"
            "1003;Van der Berg Installatie B.V.;87654321;;5678 CD;facturen@vdberg.nl\r\n"
        ).encode("cp1252"),
    )
    header = (
        "invoice_number;debtor_number;invoice_date;due_date;paid_date;amount_excl_vat;vat_amount;cost_amount;status"
    )
    lines = [header] + [f"{n};{d};{day};;;{amount};;{cost};{status}" for n, d, day, amount, cost, status in INVOICES]
    put("finance/invoices/2026-10-01.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    put(
        "marketing/subscribers/2026-10-01.jsonl",
        (
            "\n".join(
                json.dumps(r)
                for r in [
                    {
                        "subscriber_id": "s1",
                        "email": "Jan@BakkerijHe.nl ",
                        "first_name": "Jan",
                        "last_name": "de Vries",
                        "company": "Bakkerij Hé",
                        "opt_in": "1",
                        "subscribed_at": "2022-01-01",
                    },
                    {
                        "subscriber_id": "s2",
                        "email": "els.jansen@gmail.com",
                        "first_name": "Els",
                        "last_name": "Jansen",
                        "opt_in": True,
                        "subscribed_at": "2023-02-01",
                        "utm_source": "facebook",
                    },
                ]
            )
            + "\n"
        ).encode(),
    )
    put(
        "service/requesters/2026-10-01.csv.gz",
        gzip.compress(
            b"requester_id,name,email,phone,company,created_at\n"
            b'R1,"Jansen, Els",els.jansen@gmail.com,0623456789,,2024-01-01\n'
            b"R2,P. van der Berg,pieter@vdberg.nl,,Van der Berg Installatie,2024-02-01\n"
        ),
    )
    put(
        "service/tickets/2026-10-01.csv.gz",
        gzip.compress(
            b"ticket_id,requester_id,created_at,resolved_at,category,channel,priority,status,satisfaction\n"
            b"T1,R1,2026-10-20T10:00:00,,complaint,phone,high,open,\n"
            b"T2,R2,2026-03-01 09:00,2026-03-02,question,email,low,closed,4\n"
        ),
    )
    return landing


@pytest.fixture(scope="module")
def published(tmp_path_factory, base_settings, warehouse_url):
    root = tmp_path_factory.mktemp("foreign")
    settings = base_settings.with_(home=root / "home", database_url=warehouse_url, landing=write_landing(root))
    run_all(AS_OF.isoformat(), str(settings.landing), settings)
    return warehouse_url


def _query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_parties_and_customers_are_resolved_as_worked_out_by_hand(published) -> None:
    rows = _query(
        published,
        """
        select m.source_system || ':' || m.source_entity || ':' || m.source_record_id, d.display_name
        from marts.customer_identity_map m join marts.dim_customer d using (customer_id)""",
    )
    customer_of = dict(rows)
    assert len(customer_of) == 12
    bakery = {"crm:accounts:A-1", "finance:debtors:1001", "crm:contacts:C-1", "marketing:subscribers:s1"}
    berg = {"crm:accounts:A-2", "finance:debtors:1003", "crm:contacts:C-3", "service:requesters:R2"}
    els = {"crm:contacts:C-2", "finance:debtors:1002", "marketing:subscribers:s2", "service:requesters:R1"}
    assert {customer_of[k] for k in bakery} == {"Bakkerij Hé B.V."}  # Windows-1252 é survives
    assert {customer_of[k] for k in berg} == {"Van der Berg Installatie BV"}
    assert {customer_of[k] for k in els} == {"Els Jansen"}
    (parties,) = _query(published, "select count(distinct party_id) from marts.customer_identity_map")[0]
    assert parties == 5  # two organisations, Jan, Pieter and Els


def test_revenue_and_complaints_from_dutch_notation(published) -> None:
    rows = _query(
        published,
        """
        select d.display_name, c.revenue_12m, c.cost_12m, c.complaints_12m
        from marts.customer_360 c join marts.dim_customer d using (customer_id)""",
    )
    values = {name: (float(revenue), float(cost), int(complaints)) for name, revenue, cost, complaints in rows}
    assert values == {
        "Bakkerij Hé B.V.": (1334.56, 750.0, 0),  # F2 + F3; F1 on the window's open edge, F4 credited
        "Els Jansen": (80.5, 30.0, 1),  # one complaint ticket in the window
        "Van der Berg Installatie BV": (4321.0, 2000.0, 0),  # F6 is after as_of
    }


def test_standardised_contact_details(published) -> None:
    rows = {
        r[0]: r[1:]
        for r in _query(
            published,
            """
        select display_name, phone, postcode, kvk_number from marts.dim_customer""",
        )
    }
    assert rows == {
        "Bakkerij Hé B.V.": ("+31301234567", "1234AB", "12345678"),
        "Van der Berg Installatie BV": ("+31401234567", "5678CD", "87654321"),
        "Els Jansen": ("+31623456789", "3511AA", None),
    }
