"""The dbt project end to end on a hand-written warehouse (see dbt_testdata.py): real PostgreSQL,
real dbt through cvm.dbt.run_dbt, stages run once per module in pipeline order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dbt_testdata import AS_OF, RUN_ID

from cvm.dbt import DbtError, run_dbt

pytestmark = pytest.mark.slow


# --- the runner -------------------------------------------------------------------------------------------


def test_stages_build_their_tags_and_run_tests(dwh):
    prepare = dwh.runs["prepare"].by_name()
    assert "stg_crm__contacts" in prepare and "int_party_records" in prepare
    assert "int_customers" not in prepare and "customer_360" not in prepare
    customers = dwh.runs["customers"].by_name()
    assert {"int_customers", "int_invoices", "int_contact_moments", "int_tickets", "int_surveys"} <= set(customers)
    marts = dwh.runs["marts"].by_name()
    assert {
        "dim_customer",
        "customer_identity_map",
        "customer_360",
        "customer_segments",
        "mart_contact_strategy",
        "contact_plan",
        "contact_pressure",
        "segment_evaluation_monthly",
    } <= set(marts)
    # the feature table is built with the customers, before the models read it
    assert "int_customer_features" in customers and "int_customer_features" not in marts
    for stage in ("seed", "prepare", "customers", "marts"):
        run = dwh.runs[stage]
        assert run.success and not run.failed()
        assert run.count("test") > 0 or stage == "seed"
    assert dwh.runs["seed"].by_name()["channel_costs"].rows == 20
    assert dwh.runs["seed"].by_name()["contact_triggers"].rows == 6


def test_unit_tests_run_with_their_models_stage(dwh):
    """The dbt unit tests (models/**/_*__unit_tests.yml) are selected with their model's tag, so every
    pipeline build runs them before it builds the model; each one passed here."""
    units = {
        stage: {n.name: n.status for n in dwh.runs[stage].nodes if n.resource_type == "unit_test"}
        for stage in ("prepare", "customers", "marts")
    }
    assert units == {
        "prepare": {
            "requester_names_split_alike_in_every_dutch_form": "pass",
            "account_website_domain_is_the_organisations_own_host": "pass",
            "int_party_records_role_mailbox_requesters_are_organisations": "pass",
        },
        "customers": {
            "invoices_billable_revenue_and_credit_dates": "pass",
            "int_customers_survivorship_rules_and_sources": "pass",
            "customer_features_revenue_windows_credits_and_as_of": "pass",
        },
        "marts": {
            "customer_segments_since_the_current_run": "pass",
            "contact_plan_frequency_cap_counts_triggers": "pass",
            "contact_plan_budget_met_by_cheaper_channels": "pass",
            "contact_pressure_pro_rating_and_flags": "pass",
        },
    }


def test_profile_and_paths_stay_out_of_the_repo(dwh):
    import yaml

    from cvm.warehouse import connection_params

    profiles = yaml.safe_load((dwh.settings.dbt_profiles_dir / "profiles.yml").read_text())
    output = profiles["cvm"]["outputs"][profiles["cvm"]["target"]]
    params = connection_params(dwh.url)
    assert (output["type"], output["host"], output["dbname"]) == ("postgres", params["host"], params["dbname"])
    assert (dwh.settings.dbt_profiles_dir / "target" / "manifest.json").exists()
    assert (dwh.settings.dbt_profiles_dir / "logs" / "dbt.log").exists()
    assert str(dwh.settings.home) in str(dwh.settings.dbt_profiles_dir)


def test_failing_model_raises_readable_dbt_error(dwh):
    with pytest.raises(DbtError) as excinfo:
        run_dbt(
            dwh.settings,
            dwh.url,
            ["run", "--select", "customer_360"],
            vars={"as_of": AS_OF, "model_run_id": RUN_ID, "cvm_ml_schema": "no_such_schema"},
        )
    message = str(excinfo.value)
    assert "customer_360" in message and "no_such_schema" in message
    assert excinfo.value.summary is not None and excinfo.value.summary.failed()[0].name == "customer_360"


def test_each_node_reports_progress(dwh, caplog):
    """A long build shows progress: one log line per seed/model as dbt finishes it (tests only when failing)."""
    import logging
    import re

    with caplog.at_level(logging.INFO, logger="cvm.dbt"):
        run_dbt(dwh.settings, dwh.url, ["seed"], vars={"as_of": AS_OF, "model_run_id": RUN_ID})
    lines = [r.getMessage() for r in caplog.records if r.name == "cvm.dbt"]
    n = len(list((dwh.settings.dbt_project_dir / "seeds").glob("*.csv")))
    seeds = [line for line in lines if re.match(rf"^\d+ of {n} OK loaded seed file config\.\w+", line)]
    assert n >= 7 and len(seeds) == n, lines
    assert not any("\x1b[" in line for line in lines)  # no terminal colour codes in the log


# --- staging: standardisation -----------------------------------------------------------------------------


def test_latest_version_wins_by_updated_at_not_by_delivery(dwh):
    acc1 = dwh.one("select * from staging.stg_crm__accounts where account_id = 'ACC-1'")
    assert (acc1["city"], acc1["postcode"], acc1["house_number"]) == ("Amersfoort", "3811AA", "1")
    # ACC-2's older version arrived later; the newer updated_at still wins
    acc2 = dwh.one("select * from staging.stg_crm__accounts where account_id = 'ACC-2'")
    assert acc2["city"] == "Groningen"
    history = dwh.rows(
        "select city, version_rank, is_latest from staging.stg_crm__accounts_versions"
        " where account_id = 'ACC-2' order by version_rank"
    )
    assert [(r["city"], r["is_latest"]) for r in history] == [("Groningen", True), ("Oldtown", False)]


def test_phones_postcodes_house_numbers(dwh):
    rows = {r["record_key"]: r for r in dwh.rows("select * from intermediate.int_party_records")}
    assert rows["crm:contacts:CON-1"]["phone"] == "+31612345678"  # '06-12345678'
    assert rows["service:requesters:REQ-1"]["phone"] == "+31612345678"  # '+31 6 1234 5678'
    assert rows["crm:contacts:CON-2"]["phone"] == "+31687654321"  # mobile '0031 6 8765 4321' preferred
    assert rows["crm:accounts:ACC-1"]["phone"] == "+31301234567"  # '030-1234567'
    assert rows["crm:accounts:ACC-2"]["phone"] == "+31201234567"  # '+31 20 123 4567'
    assert rows["crm:contacts:CON-2"]["postcode"] == "2000BB"  # '2000 bb'
    assert (rows["crm:contacts:CON-1"]["house_number"], rows["crm:contacts:CON-1"]["house_number_addition"]) == (
        "12",
        "bis",
    )
    assert (rows["crm:accounts:ACC-2"]["house_number"], rows["crm:accounts:ACC-2"]["house_number_addition"]) == (
        "5",
        "2",
    )
    assert rows["finance:debtors:DEB-1"]["house_number_addition"] == "a"
    assert rows["finance:debtors:DEB-1"]["iban"] == "NL91ABNA0417164300"
    assert rows["crm:accounts:ACC-1"]["kvk_number"] == "12345678"
    assert rows["crm:accounts:ACC-1"]["country"] == "NL"


def test_unparsable_values_become_null(dwh):
    con2 = dwh.one("select * from staging.stg_crm__contacts where contact_id = 'CON-2'")
    assert con2["birth_date"] is None  # '1980-02-31'
    assert con2["phone"] is None  # 'not known'
    assert con2["mobile"] == "+31687654321"


def test_dutch_names_and_legal_forms(dwh):
    rows = {r["record_key"]: r for r in dwh.rows("select * from intermediate.int_party_records")}
    jan = rows["crm:contacts:CON-1"]  # last_name 'Jong, de'
    assert (jan["first_name"], jan["infix"], jan["last_name"], jan["full_name"]) == ("jan", "de", "jong", "jan de jong")
    assert (rows["marketing:subscribers:SUB-1"]["infix"], rows["marketing:subscribers:SUB-1"]["last_name"]) == (
        "de",
        "jong",
    )  # 'de Jong'
    emile = rows["crm:contacts:CON-2"]  # infix field 'van der', 'Émile'
    assert (emile["first_name"], emile["infix"], emile["last_name"]) == ("emile", "van der", "berg")
    debtor = rows["finance:debtors:DEB-3"]  # 'Berg, Emile van der'
    assert (debtor["party_kind"], debtor["first_name"], debtor["infix"], debtor["last_name"]) == (
        "person",
        "emile",
        "van der",
        "berg",
    )
    for key in ("crm:accounts:ACC-1", "finance:debtors:DEB-1", "crm:accounts:ACC-2", "finance:debtors:DEB-2"):
        assert rows[key]["legal_form"] == "bv", key  # 'B.V.', 'BV', 'b.v.'
        assert rows[key]["party_kind"] == "organisation"
    assert rows["crm:accounts:ACC-1"]["organisation_name"] == "bakkerij de jong"
    assert rows["finance:debtors:DEB-2"]["organisation_name"] == "jansen techniek"  # no KvK: legal form decides
    assert rows["service:requesters:REQ-1"]["organisation_name"] == "bakkerij de jong"
    assert rows["crm:contacts:CON-1"]["organisation_record_key"] == "crm:accounts:ACC-1"
    assert rows["crm:contacts:CON-1"]["organisation_name"] == "bakkerij de jong"


def test_email_and_consent(dwh):
    rows = {r["record_key"]: r for r in dwh.rows("select * from intermediate.int_party_records")}
    assert rows["crm:contacts:CON-1"]["email"] == "jan@bakkerijdejong.nl"  # ' JAN@BakkerijDeJong.nl '
    assert rows["crm:accounts:ACC-1"]["email_is_role"] is True  # info@
    assert rows["finance:debtors:DEB-1"]["email_is_role"] is True  # facturen@
    assert rows["crm:contacts:CON-1"]["email_is_role"] is False
    assert (rows["crm:contacts:CON-1"]["email_opt_in"], rows["crm:contacts:CON-1"]["phone_opt_in"]) == (True, False)
    assert rows["marketing:subscribers:SUB-1"]["email_opt_in"] is True  # 'j'
    assert rows["marketing:subscribers:SUB-2"]["email_opt_in"] is False  # opt_in '1' but unsubscribed
    assert rows["crm:accounts:ACC-1"]["email_opt_in"] is None  # source does not say
    assert dwh.one("select count(*) as n from intermediate.int_party_records")["n"] == 12


def test_amounts_use_the_delivery_decimal_separator(dwh):
    inv = {r["invoice_number"]: r for r in dwh.rows("select * from staging.stg_finance__invoices")}
    assert inv["INV-1"]["amount_excl_vat"] == Decimal("1234.56")  # '1.234,56' with ','
    assert inv["INV-2"]["cost_amount"] == Decimal("1000.00")  # '1.000,00'
    assert inv["INV-7"]["amount_excl_vat"] == Decimal("60.00")  # later '.' delivery wins


# --- facts --------------------------------------------------------------------------------------------------


def test_invoices_facts(dwh):
    inv = {r["invoice_id"]: r for r in dwh.rows("select * from intermediate.int_invoices")}
    assert "INV-6" not in inv  # after as_of
    assert inv["INV-5"]["invoice_date"] == date(2026, 10, 31)  # as-of day included
    assert (inv["INV-4"]["is_credited"], inv["INV-4"]["revenue"], inv["INV-4"]["margin"]) == (True, 0, 0)
    assert inv["INV-1"]["margin"] == Decimal("500.00")
    assert {r["customer_id"] for r in inv.values()} == {"C-ORG1", "C-ORG2", "C-EMILE"}


def test_contact_moments_cover_channels_with_costs(dwh):
    cm = {r["contact_moment_id"]: r for r in dwh.rows("select * from intermediate.int_contact_moments")}
    assert "crm:activities:ACT-4" not in cm  # after as_of
    assert "marketing:events:EV-2" not in cm  # an open is no contact moment
    visit = cm["crm:activities:ACT-1"]
    assert (visit["customer_id"], visit["channel"], visit["contact_cost"]) == ("C-ORG1", "visit", Decimal("150.00"))
    assert cm["crm:activities:ACT-3"]["customer_id"] == "C-ORG2"  # via the account only
    assert cm["marketing:events:EV-1"]["contact_cost"] == Decimal("0.10")  # own cost
    assert cm["marketing:events:EV-3"]["contact_cost"] == Decimal("0.05")  # newsletter from the seed
    ticket = cm["service:tickets:TCK-1"]
    assert (ticket["direction"], ticket["channel"], ticket["contact_cost"]) == ("inbound", "phone", Decimal("6.00"))
    assert cm["service:surveys:SRV-2"]["direction"] == "outbound"
    assert len(cm) == 11


def test_golden_customer_survivorship(dwh):
    org1 = dwh.one("select * from intermediate.int_customers where customer_id = 'C-ORG1'")
    assert org1["display_name"] == "Bakkerij De Jong B.V."  # CRM account over debtor
    assert (org1["street"], org1["postcode"], org1["city"]) == ("Stationsplein", "3811AA", "amersfoort")
    assert org1["kvk_number"] == "12345678"
    assert org1["email"] == "jan@bakkerijdejong.nl"  # personal beats info@
    assert (org1["email_opt_in"], org1["phone_opt_in"]) == (True, False)
    assert org1["account_manager"] == "Anna Smit"
    assert (
        org1["first_seen_at"] == dwh.one("select timestamp '2019-01-01' at time zone 'Europe/Amsterdam' as t")["t"]
    )  # DEB-1 created_at
    emile = dwh.one("select * from intermediate.int_customers where customer_id = 'C-EMILE'")
    assert (emile["email_opt_in"], emile["phone_opt_in"]) == (False, True)  # one "no" wins


# --- marts --------------------------------------------------------------------------------------------------


def test_dim_customer_and_identity_map(dwh):
    assert dwh.one("select count(*) as n from marts_next.dim_customer")["n"] == 4
    org2 = dwh.one("select * from marts_next.dim_customer where customer_id = 'C-ORG2'")
    assert (org2["email_opt_in"], org2["email_consent_unknown"]) == (False, True)
    ids = dwh.rows("select * from marts_next.customer_identity_map order by record_key")
    assert len(ids) == 12 and len({r["record_key"] for r in ids}) == 12
    deb1 = next(r for r in ids if r["record_key"] == "finance:debtors:DEB-1")
    assert (
        deb1["source_system"],
        deb1["source_entity"],
        deb1["source_record_id"],
        deb1["party_id"],
        deb1["customer_id"],
        deb1["match_probability"],
    ) == ("finance", "debtors", "DEB-1", "P-ORG1", "C-ORG1", 0.97)


def test_customer_360_values_from_the_run_and_facts(dwh):
    c360 = {r["customer_id"]: r for r in dwh.rows("select * from marts_next.customer_360")}
    assert set(c360) == {"C-ORG1", "C-ORG2", "C-EMILE", "C-PIET"}
    org1 = c360["C-ORG1"]
    assert org1["segment"] == "star"  # not 'lost' of run-old
    assert org1["revenue_12m"] == Decimal("3234.56")
    assert org1["current_value_12m"] == Decimal("1331.40")
    assert (org1["complaints_12m"], org1["last_nps"]) == (1, 6)  # SRV-2 (July) after SRV-1 (9)
    assert c360["C-PIET"]["complaints_12m"] == 1
    assert c360["C-EMILE"]["last_nps"] is None
    # reconciliation with the invoices, computed here independently of the dbt test
    rev = {
        r["customer_id"]: r["revenue"]
        for r in dwh.rows(
            "select customer_id, sum(revenue) as revenue from intermediate.int_invoices"
            " where invoice_date > %s::date - interval '12 months' group by 1",
            AS_OF,
        )
    }
    for customer_id, row in c360.items():
        assert row["revenue_12m"] == rev.get(customer_id, 0), customer_id


def test_customer_segments_since(dwh):
    seg = {r["customer_id"]: r for r in dwh.rows("select * from marts_next.customer_segments")}
    assert (seg["C-ORG1"]["segment"], seg["C-ORG1"]["segment_since"]) == ("star", date(2026, 6, 1))
    assert seg["C-ORG2"]["segment_since"] == date(2026, 2, 1)
    assert (seg["C-EMILE"]["segment"], seg["C-EMILE"]["segment_since"]) == ("dog", date(2026, 10, 1))
    assert seg["C-PIET"]["segment_since"] == date(2026, 9, 1)


def test_contact_strategy_one_row_per_segment(dwh):
    rows = {r["segment"]: r for r in dwh.rows("select * from marts_next.contact_strategy")}
    assert set(rows) == {"star", "cash_cow", "question_mark", "dog", "sleeper", "lost", "new"}
    assert rows["star"]["goal"] == "retain" and rows["dog"]["goal"] == "part ways"
    assert rows["star"]["preferred_channel"] == "visit"
    assert "30 minutes" in rows["star"]["dialogue_script"]


def _plan(dwh) -> dict[str, list[tuple]]:
    by: dict[str, list[tuple]] = {}
    for r in dwh.rows("select * from marts_next.contact_plan order by customer_id, planned_date, reason"):
        by.setdefault(r["customer_id"], []).append(
            (r["planned_date"], r["reason"], r["channel"], r["status"], r["estimated_cost"])
        )
    return by


def test_contact_plan_keeps_cap_budget_consent_and_triggers(dwh):
    by = _plan(dwh)
    # star, e-mail consent but no phone consent, an open complaint 11 days ago: the follow-up is due within
    # the hour by e-mail (no call without consent); the NPS survey is suppressed while the complaint is open;
    # company (CRM account 2020-03-15) and relationship (first purchase 2025-06-01) anniversaries; the cap
    # of 6 leaves 3 cadence visits (a trigger replaces the nearest cadence contact)
    org1 = by["C-ORG1"]
    assert [m for m in org1 if m[1] != "cadence" and m[3] == "planned"] == [
        (date(2026, 11, 1), "complaint_follow_up", "email", "planned", Decimal("1.00")),
        (date(2027, 3, 15), "company_anniversary", "email", "planned", Decimal("1.00")),
        (date(2027, 6, 1), "relationship_anniversary", "email", "planned", Decimal("1.00")),
    ]
    assert [m[1:] for m in org1 if m[3] == "suppressed"] == [("nps_survey", "survey", "suppressed", Decimal("0"))]
    assert [m[2] for m in org1 if m[1] == "cadence"] == ["visit"] * 3
    assert len([m for m in org1 if m[3] != "suppressed"]) == 6
    assert sum(m[4] for m in org1) == Decimal("453.00")
    reason = dwh.one(
        "select suppression_reason, due_within_hours from marts_next.contact_plan "
        "where customer_id = 'C-ORG1' and reason in ('nps_survey')"
    )
    assert reason["suppression_reason"] == "complaint TCK-1 open on 2026-10-31"
    assert (
        dwh.one(
            "select due_within_hours from marts_next.contact_plan where customer_id = 'C-ORG1' "
            "and reason = 'complaint_follow_up'"
        )["due_within_hours"]
        == 1
    )
    # no consent known at all: the cash cow gets printed mailings only; its company's first anniversary
    assert [m[:3] for m in by["C-ORG2"] if m[1] != "cadence"] == [
        (date(2026, 11, 20), "company_anniversary", "mailing"),
        (date(2027, 2, 1), "relationship_anniversary", "mailing"),
    ]
    assert {m[2] for m in by["C-ORG2"]} == {"mailing"} and len(by["C-ORG2"]) == 4
    # dog without e-mail consent: no newsletter, a mailing instead; no anniversary for 'part ways'
    assert [(m[2], m[1]) for m in by["C-EMILE"]] == [("mailing", "cadence")] * 2
    # complaint of C-PIET was 36 days before as_of: outside the 30-day window, and resolved 2026-09-26, more
    # than 90 days before the survey of 2027-04-27: the survey goes out
    piet = by["C-PIET"]
    assert not [m for m in piet if m[1] == "complaint_follow_up"]
    assert (date(2027, 4, 27), "nps_survey", "survey", "planned", Decimal("0.25")) in piet
    assert (date(2027, 9, 15), "relationship_anniversary", "email", "planned", Decimal("1.00")) in piet
    assert [m[2] for m in piet if m[1] == "cadence"] == ["email", "email"]
    for moments in by.values():
        for m in moments:
            assert date(2026, 11, 1) <= m[0] <= date(2027, 10, 31)
    assert not [m for ms in by.values() for m in ms if m[2] == "call"]  # only C-EMILE may be called


def test_contact_pressure_flags(dwh):
    cp = {r["customer_id"]: r for r in dwh.rows("select * from marts_next.contact_pressure")}
    org1 = cp["C-ORG1"]
    assert (org1["actual_contacts_12m"], org1["actual_inbound_contacts_12m"]) == (5, 2)
    assert org1["contact_cost_12m"] == Decimal("168.60")
    assert (org1["planned_contacts_12m"], org1["planned_cost_12m"], org1["suppressed_contacts_12m"]) == (
        6,
        Decimal("453.00"),
        1,
    )
    assert (
        org1["over_contacted"],
        org1["under_contacted"],
        org1["contact_cost_above_value"],
        org1["contact_cost_above_budget"],
    ) == (False, False, False, False)
    # the star's complaint of 2026-10-20 had no outbound contact after it: the 30-minute promise is missed
    assert (org1["promised_callbacks_12m"], org1["missed_callbacks_12m"], org1["callback_missed"]) == (1, 1, True)
    assert cp["C-ORG2"]["under_contacted"] is True  # 1 of 3.79 (known since 2025-11-20)
    assert cp["C-ORG2"]["target_contacts_12m"] == Decimal("3.79")
    # new customer known 47 days: target 4 x 47/365 = 0.52, so 2 outbound contacts is over, not under
    piet = cp["C-PIET"]
    assert (piet["target_contacts_12m"], piet["over_contacted"], piet["under_contacted"]) == (
        Decimal("0.52"),
        True,
        False,
    )
    assert piet["contact_cost_above_value"] is True  # 3.30 cost, no margin
    assert piet["contact_cost_above_budget"] is False  # 3.30 <= 100 x 47/365
    assert cp["C-EMILE"]["contact_cost_above_value"] is False


def test_inbound_guidance(dwh):
    guidance = {r["customer_id"]: r for r in dwh.rows("select * from marts_next.inbound_guidance")}
    org1 = guidance["C-ORG1"]
    assert (org1["segment"], org1["goal"], org1["callback_promised"], org1["callback_minutes"]) == (
        "star",
        "retain",
        True,
        30,
    )
    assert "30 minutes" in org1["dialogue_script"]
    assert (org1["open_complaints"], org1["open_ticket_summary"], org1["last_nps"]) == (
        1,
        "complaint TCK-1 since 2026-10-20",
        6,
    )
    assert (org1["next_planned_date"], org1["next_planned_reason"]) == (date(2026, 11, 1), "complaint_follow_up")
    assert guidance["C-PIET"]["open_complaints"] == 0 and guidance["C-PIET"]["callback_promised"] is False


def test_segment_evaluation_monthly(dwh):
    """The marts build publishes the evaluation views over empty stores; evaluating October fills one month
    (the rules themselves are tested on hand-worked cases in tests/evaluation)."""
    assert dwh.rows("select * from marts_next.segment_evaluation_monthly") == []
    october = {"as_of": AS_OF, "model_run_id": RUN_ID, "evaluation_month": "2026-10-01"}
    run_dbt(dwh.settings, dwh.url, ["build", "--select", "tag:evaluation"], vars=october)
    ev = {r["segment"]: r for r in dwh.rows("select * from marts_next.segment_evaluation_monthly")}
    assert len(ev) == 7 and {r["month"] for r in ev.values()} == {date(2026, 10, 1)}
    assert (ev["dog"]["customers"], ev["dog"]["migrations_in"]) == (1, 1)
    sleeper = ev["sleeper"]  # the sleeper who bought again in October and became a dog
    assert (sleeper["customers"], sleeper["migrations_out"], sleeper["customers_start"]) == (0, 1, 1)
    assert (sleeper["reactivated_customers"], sleeper["reactivation_rate"], sleeper["goal_status"]) == (
        1,
        Decimal("1.0000"),
        "reached",
    )
    assert sleeper["revenue_month"] == Decimal("100.00")
    star = ev["star"]
    assert star["retention_rate"] == Decimal("1.0000")
    assert star["contacts_plan"] == Decimal("0.50")  # 6 per year / 12
    assert star["contact_cost_actual"] == Decimal("6.00")  # the complaint call (inbound)


def test_the_profile_holds_no_password(base_settings, tmp_path):
    import yaml

    from cvm.dbt import write_profiles

    settings = base_settings.with_(home=tmp_path)
    path = write_profiles(settings, "postgresql://etl:s3cret@db.internal:5432/dwh")
    text = path.read_text()
    assert "s3cret" not in text
    output = yaml.safe_load(text)["cvm"]["outputs"]
    (target,) = output.values()
    assert (target["host"], target["user"], target["dbname"]) == ("db.internal", "etl", "dwh")
    assert target["password"] == "{{ env_var('CVM_DBT_PASSWORD', '') }}"


# --- the feature table ---------------------------------------------------------------------------------------


def test_invoice_credit_dates(dwh):
    inv = {r["invoice_id"]: r for r in dwh.rows("select * from intermediate.int_invoices")}
    assert inv["INV-4"]["credited_on"] == date(2026, 8, 1)  # credited in its first delivery
    assert inv["INV-8"]["credited_on"] == date(2026, 9, 15)  # credited by the delivery through 15 Sep
    assert inv["INV-9"]["credited_on"] == date(2026, 9, 15)
    assert inv["INV-1"]["credited_on"] is None
    assert (inv["INV-8"]["revenue"], inv["INV-8"]["cost"], inv["INV-8"]["margin"]) == (0, 0, 0)


def test_customer_features_as_of(dwh):
    f = {
        r["customer_id"]: r
        for r in dwh.rows("select * from intermediate.int_customer_features where cut_off_kind = 'as_of'")
    }
    assert set(f) == {"C-ORG1", "C-ORG2", "C-EMILE", "C-PIET"}
    org1 = f["C-ORG1"]
    assert org1["feature_date"] == date(2026, 10, 31)
    # INV-1 and INV-2 in the window; INV-3 (2025-06-01) before it; INV-4 credited
    assert (org1["revenue_12m"], org1["cost_12m"], org1["margin_12m"]) == (
        Decimal("3234.56"),
        Decimal("1734.56"),
        Decimal("1500.00"),
    )
    assert org1["contact_cost_12m"] == Decimal("168.60")
    assert org1["current_value_12m"] == Decimal("1331.40")
    assert (org1["revenue_previous_12m"], org1["margin_previous_12m"]) == (Decimal("500.00"), Decimal("400.00"))
    # purchase days 2025-06-01, 2025-12-01, 2026-03-01: x = 2, t_x = 273, T = 517 days
    assert (org1["purchase_days"], org1["frequency"], org1["recency_days"], org1["t_days"]) == (3, 2, 273, 517)
    assert org1["days_since_last"] == 244 and org1["purchase_days_12m"] == 2
    assert org1["monetary_avg"] == Decimal("1617.28")  # (2000 + 1234.56) / 2
    assert org1["revenue_total"] == Decimal("3734.56")
    assert (org1["outbound_contacts_12m"], org1["inbound_contacts_12m"]) == (5, 2)
    assert (org1["complaints_12m"], org1["last_nps"]) == (1, 6)
    assert org1["tenure_days"] == (date(2026, 10, 31) - date(2019, 1, 1)).days
    assert org1["customer_type"] == "organisation"
    # customer_360 shows the features of the as-of row, not a second computation
    c360 = dwh.one(
        "select revenue_12m, contact_cost_12m, frequency, recency_days from marts_next.customer_360"
        " where customer_id = 'C-ORG1'"
    )
    assert (c360["revenue_12m"], c360["contact_cost_12m"], c360["frequency"], c360["recency_days"]) == (
        Decimal("3234.56"),
        Decimal("168.60"),
        2,
        244,
    )
    piet = f["C-PIET"]
    assert (piet["frequency"], piet["t_days"], piet["monetary_avg"], piet["revenue_12m"]) == (0, None, 0, 0)


def test_customer_features_history_uses_what_was_known(dwh):
    rows = dwh.rows("select * from intermediate.int_customer_features order by customer_id, feature_date")
    org2 = {r["feature_date"]: r for r in rows if r["customer_id"] == "C-ORG2"}
    # INV-8 (80.00, 1 April) was credited by the delivery through 15 September: it counts at the
    # August month-end and no longer at the September one; INV-9 arrived credited and never counts
    assert org2[date(2026, 8, 31)]["revenue_12m"] == Decimal("140.00")
    assert org2[date(2026, 8, 31)]["purchase_days"] == 2
    assert org2[date(2026, 9, 30)]["revenue_12m"] == Decimal("60.00")
    assert org2[date(2026, 10, 31)]["purchase_days"] == 1
    kinds = {(r["feature_date"], r["cut_off_kind"]) for r in rows if r["customer_id"] == "C-ORG1"}
    month_ends = [d for d, k in kinds if k == "month_end"]
    assert len(kinds) == 14 and len(month_ends) == 11
    assert min(month_ends) == date(2025, 11, 30) and max(month_ends) == date(2026, 9, 30)
    assert (date(2025, 10, 31), "churn_cut_off") in kinds and (date(2024, 10, 31), "training_cut_off") in kinds
    org1 = {r["feature_date"]: r for r in rows if r["customer_id"] == "C-ORG1"}
    # at the February month-end only INV-3 and INV-2 were there: window (2025-02-28, 2026-02-28]
    feb = org1[date(2026, 2, 28)]
    assert (feb["revenue_12m"], feb["frequency"], feb["last_purchase_on"]) == (Decimal("2500.00"), 1, date(2025, 12, 1))
    # nobody appears at a cut-off before they were first seen or first bought
    for r in rows:
        assert r["cut_off_kind"] == "as_of" or r["known_since"] is None or r["known_since"] <= r["feature_date"]


def test_cluster_profiles_and_prospect_lookalikes(dwh):
    profiles = dwh.rows("select * from marts_next.cluster_profiles order by cluster")
    assert [(p["cluster"], p["customers"], p["profile"]) for p in profiles] == [
        (0, 2, "frequent large B2B buyers"),
        (1, 1, "one-time small B2C buyers, new"),
    ]  # only this run
    assert profiles[0]["share_of_buyers"] == Decimal("0.6667") and profiles[0]["model_run_id"] == RUN_ID
    prospects = dwh.rows("select * from marts_next.prospect_lookalikes")
    assert len(prospects) == 1
    piet = prospects[0]
    consent = dwh.one(
        "select email_opt_in, phone_opt_in, email, phone from marts_next.dim_customer where customer_id = 'C-PIET'"
    )
    assert (piet["customer_id"], piet["lookalike_score"]) == ("C-PIET", Decimal("0.1235"))
    assert piet["reasons"].startswith("postcode_area is 10")
    assert (piet["email_opt_in"], piet["phone_opt_in"]) == (consent["email_opt_in"], consent["phone_opt_in"])
    assert piet["may_email"] == (consent["email_opt_in"] and consent["email"] is not None)
    assert piet["may_call"] == (consent["phone_opt_in"] and consent["phone"] is not None)


@pytest.mark.parametrize(
    ("budget", "cadence_channels"),
    [
        (Decimal("400"), ["visit", "visit", "email"]),  # the third visit does not fit: an e-mail, not a dropped moment
        (Decimal("100"), ["email", "email", "email"]),  # no visit fits at all: six moments still, all e-mails
    ],
)
def test_budget_is_met_by_cheaper_channels_not_fewer_moments(dwh, budget, cadence_channels):
    """Last in the module: it rebuilds contact_plan with a lower star budget, then restores the seed."""
    dwh.conn.execute(
        "update config.contact_strategy set max_contact_cost_per_year = %s where segment = 'star'", (budget,)
    )
    try:
        run_dbt(
            dwh.settings, dwh.url, ["run", "--select", "contact_plan"], vars={"as_of": AS_OF, "model_run_id": RUN_ID}
        )
        org1 = _plan(dwh)["C-ORG1"]
        planned = [m for m in org1 if m[3] != "suppressed"]
        assert len(planned) == 6 and sum(m[4] for m in planned) <= budget
        assert sorted(m[2] for m in org1 if m[1] == "cadence") == sorted(cadence_channels)
    finally:
        dwh.conn.execute("update config.contact_strategy set max_contact_cost_per_year = 1200 where segment = 'star'")
        run_dbt(
            dwh.settings, dwh.url, ["run", "--select", "contact_plan"], vars={"as_of": AS_OF, "model_run_id": RUN_ID}
        )
