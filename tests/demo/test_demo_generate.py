"""End-to-end tests of the demo generator on real generated files (no mocks, no database)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tracemalloc
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cvm.contract import BY_PATH, ENTITIES, PARTY_ENTITIES
from cvm.demo import GenerateSummary, generate
from cvm.demo.identifiers import iban_is_valid

END = date(2026, 10, 31)
PARTY_KEYS = {
    "crm/accounts": "account_id",
    "crm/contacts": "contact_id",
    "finance/debtors": "debtor_number",
    "marketing/subscribers": "subscriber_id",
    "service/requesters": "requester_id",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> GenerateSummary:
    return generate(tmp_path_factory.mktemp("demo") / "out", customers=2000, seed=11, end_date=END)


def _load(summary: GenerateSummary, path: str) -> pd.DataFrame:
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False).assign(_file=f.name) for f in summary.files[path]]
    return pd.concat(frames, ignore_index=True)


def _latest(summary: GenerateSummary, path: str) -> pd.DataFrame:
    """The latest delivered version of every record (files are in chronological order)."""
    return _load(summary, path).drop_duplicates(BY_PATH[path].key, keep="last")


def _truth(summary: GenerateSummary) -> pd.DataFrame:
    return pd.read_csv(summary.truth_records, dtype=str, keep_default_na=False)


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", customers=300, seed=5, end_date=END)
    b = generate(tmp_path / "b", customers=300, seed=5, end_date=END)
    c = generate(tmp_path / "c", customers=300, seed=6, end_date=END)
    da, db, dc = _digest(a.out), _digest(b.out), _digest(c.out)
    assert da == db
    assert set(da) == set(dc)
    differing = [name for name in da if da[name] != dc[name] and name.startswith("landing/")]
    assert len(differing) > 0.9 * sum(1 for n in da if n.startswith("landing/"))
    assert a.counts == b.counts


def test_rerun_into_same_directory_replaces_previous_run(tmp_path: Path) -> None:
    generate(tmp_path, customers=50, seed=1, end_date=date(2025, 6, 30))
    second = generate(tmp_path, customers=50, seed=1, end_date=END)
    on_disk = {p for p in (tmp_path / "landing").rglob("*.csv")}
    assert on_disk == {p for files in second.files.values() for p in files}


def test_every_entity_has_deliveries_with_exactly_the_contract_header(demo: GenerateSummary) -> None:
    assert set(demo.files) == {e.path for e in ENTITIES}
    for entity in ENTITIES:
        files = demo.files[entity.path]
        assert len(files) >= 2, entity.path
        assert [f.name for f in files] == sorted(f.name for f in files), "names must sort chronologically"
        for f in files:
            assert f.parent == demo.landing / entity.system / entity.entity
            with f.open(encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh))
                assert tuple(header) == entity.columns, f
                widths = {len(row) for row in csv.reader(fh)}
                assert widths <= {len(entity.columns)}
        assert demo.counts[entity.path] > 0
    assert [f.name for f in demo.files["crm/contacts"]] == ["2026-08-31_full.csv", "2026-10-31_delta.csv"]
    assert demo.files["finance/invoices"][-1].name == "2026-10-31.csv"
    manifest = json.loads(demo.manifest.read_text())
    assert manifest["seed"] == 11 and manifest["customers"] == 2000 and manifest["end_date"] == "2026-10-31"
    assert manifest["counts"] == demo.counts


def test_every_party_record_is_in_truth_exactly_once(demo: GenerateSummary) -> None:
    truth = _truth(demo)
    assert not truth.duplicated(["source_system", "source_entity", "source_record_id"]).any()
    assert {f"{s}_{e}" for s, e in zip(truth.source_system, truth.source_entity, strict=True)} == set(PARTY_ENTITIES)
    for path, key in PARTY_KEYS.items():
        records = set(_load(demo, path)[key])
        system, entity = path.split("/")
        in_truth = truth[(truth.source_system == system) & (truth.source_entity == entity)]
        assert set(in_truth.source_record_id) == records, path
    assert set(truth.party_kind) == {"person", "organisation"}
    kinds = truth.groupby("source_entity").party_kind.agg(set).to_dict()
    assert kinds["accounts"] == {"organisation"}
    assert kinds["contacts"] == kinds["subscribers"] == kinds["requesters"] == {"person"}
    assert kinds["debtors"] == {"person", "organisation"}
    # one party belongs to one customer; every customer exists in customers.csv
    assert (truth.groupby("party_id").customer_id.nunique() == 1).all()
    customers = pd.read_csv(demo.truth_customers, dtype=str)
    assert len(customers) == 2000 and customers.customer_id.is_unique
    assert set(truth.customer_id) <= set(customers.customer_id)


def test_customers_mix_and_latent_parameters(demo: GenerateSummary) -> None:
    cust = pd.read_csv(demo.truth_customers)
    b2b_share = (cust.customer_type == "organisation").mean()
    assert 0.35 < b2b_share < 0.45
    spend = cust.groupby("customer_type").mean_spend.median()
    assert spend["organisation"] > 5 * spend["person"]
    assert cust.purchase_rate_per_year.gt(0).all() and cust.dropout_probability.between(0, 1).all()
    assert pd.to_datetime(cust.acquired_at).max() <= pd.Timestamp(END)
    # signal for CLV models: a higher purchase rate means more invoices (same acquisition cohort mix)
    assert cust.purchase_rate_per_year.corr(cust.invoices, method="spearman") > 0.3
    # some customers are lapsed, some acquired recently
    assert cust.dropped_out_at.notna().mean() > 0.2
    assert (pd.to_datetime(cust.acquired_at) > pd.Timestamp("2026-05-01")).mean() > 0.05
    # every customer with purchases pays through a debtor; invoice count in truth equals the files
    assert cust.invoices.sum() == demo.counts["finance/invoices"]


def test_invoices_are_valid_and_never_after_end_date(demo: GenerateSummary) -> None:
    inv = _load(demo, "finance/invoices")
    debtors = _load(demo, "finance/debtors")
    assert inv.invoice_number.is_unique
    assert inv.debtor_number.isin(debtors.debtor_number).all()
    dates = pd.to_datetime(inv.invoice_date)
    assert dates.max() <= pd.Timestamp(END) and dates.min() >= pd.Timestamp("2023-11-01")
    amount = inv.amount_excl_vat.astype(float)
    assert (amount > 0).all()
    assert inv.amount_excl_vat.str.fullmatch(r"\d+\.\d{2}").all()
    vat_rate = (inv.vat_amount.astype(float) / amount).round(2)
    assert set(vat_rate) <= {0.09, 0.21} and (vat_rate == 0.21).mean() > 0.8
    cost_share = inv.cost_amount.astype(float) / amount
    assert cost_share.between(0.49, 0.86).all()
    assert (pd.to_datetime(inv.due_date) > dates).all()
    status = inv.status.value_counts(normalize=True)
    assert set(status.index) == {"open", "paid", "credited"}
    assert 0.01 < status["credited"] < 0.06
    paid = inv[inv.status == "paid"]
    assert (paid.paid_date != "").all() and (inv[inv.status != "paid"].paid_date == "").all()
    assert pd.to_datetime(paid.paid_date).max() <= pd.Timestamp(END)
    # each quarterly delivery only holds invoices of its quarter
    for f in demo.files["finance/invoices"]:
        part = inv[inv._file == f.name]
        assert part.invoice_date.max() <= f.stem
    # debtor exists no later than its invoices' delivery
    created = debtors.set_index("debtor_number").created_at
    assert (inv.invoice_date >= inv.debtor_number.map(created)).all()
    # B2B spends more per invoice than B2C
    truth = _truth(demo)
    kind = truth[truth.source_entity == "debtors"].set_index("source_record_id").party_kind
    per_kind = amount.groupby(inv.debtor_number.map(kind)).median()
    assert per_kind["organisation"] > 4 * per_kind["person"]


def test_no_timestamp_after_end_date_anywhere(demo: GenerateSummary) -> None:
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}")
    for path in demo.files:
        frame = _load(demo, path)
        for column in frame.columns:
            values = frame[column][frame[column].str.match(iso)]
            if len(values) and column not in ("_file", "due_date"):  # a due date may lie ahead
                assert values.str[:10].max() <= END.isoformat(), (path, column)


def test_foreign_keys_point_at_records_of_the_same_system(demo: GenerateSummary) -> None:
    accounts = set(_load(demo, "crm/accounts").account_id)
    contacts = _load(demo, "crm/contacts")
    assert set(contacts.account_id) - {""} <= accounts
    acts = _load(demo, "crm/activities")
    assert set(acts.contact_id) - {""} <= set(contacts.contact_id)
    assert set(acts.account_id) - {""} <= accounts
    assert set(acts.activity_type) == {"visit", "call", "email", "meeting", "mailing"}
    assert set(acts.direction) == {"inbound", "outbound"}
    assert acts.activity_id.is_unique
    events = _load(demo, "marketing/events")
    subscribers = _load(demo, "marketing/subscribers")
    assert events.subscriber_id.isin(subscribers.subscriber_id).all()
    assert set(events.event_type) == {"sent", "open", "click", "bounce", "unsubscribe", "conversion"}
    assert set(events.channel) == {"email", "newsletter", "mailing", "social", "web"}
    paid = events[events.cost != ""]
    assert set(paid.channel) <= {"mailing", "social"} and len(paid) > 0
    requesters = _load(demo, "service/requesters")
    tickets = _load(demo, "service/tickets")
    surveys = _load(demo, "service/surveys")
    assert tickets.requester_id.isin(requesters.requester_id).all()
    assert surveys.requester_id.isin(requesters.requester_id).all()
    assert set(surveys.ticket_id) - {""} <= set(tickets.ticket_id)
    assert (surveys.ticket_id == "").sum() > 0, "relationship surveys have no ticket"
    assert set(tickets.category) == {"question", "complaint", "return", "other"}
    assert set(tickets.channel) == {"phone", "email", "chat", "web"}
    assert set(tickets.satisfaction) == {"", "1", "2", "3", "4", "5"} or set(tickets.satisfaction) <= {
        "",
        "1",
        "2",
        "3",
        "4",
        "5",
    }
    nps = surveys.nps_score[surveys.nps_score != ""].astype(int)
    assert nps.between(0, 10).all() and nps.nunique() >= 8


def test_snapshot_and_delta_exercise_incremental_loading(demo: GenerateSummary) -> None:
    for path in ("crm/accounts", "crm/contacts"):
        frame = _load(demo, path)
        key = BY_PATH[path].key
        full = frame[frame._file.str.endswith("_full.csv")]
        delta = frame[frame._file.str.endswith("_delta.csv")]
        redelivered = delta[delta[key].isin(full[key])]
        new = delta[~delta[key].isin(full[key])]
        assert len(redelivered) > 0.05 * len(full), path
        assert len(new) > 0, path
        before = full.set_index(key).updated_at
        assert (redelivered.updated_at.values > redelivered[key].map(before).values).all()
        assert (full.updated_at <= "2026-08-31T23:59:59").all()
        assert (redelivered.updated_at > "2026-08-31T23:59:59").all()
    subs = _load(demo, "marketing/subscribers")
    delta = subs[subs._file.str.endswith("_delta.csv")]
    assert (delta.unsubscribed_at != "").any()


def _person_frames(demo: GenerateSummary) -> pd.DataFrame:
    """Contacts, subscribers, requesters and B2C debtors with their normalised e-mail and party."""
    truth = _truth(demo)
    rows = []
    for path, key in PARTY_KEYS.items():
        frame = _latest(demo, path)
        system, entity = path.split("/")
        t = truth[(truth.source_system == system) & (truth.source_entity == entity)]
        frame = frame.merge(t, left_on=key, right_on="source_record_id")
        frame["email_norm"] = frame.email.str.strip().str.lower()
        rows.append(frame[["source_entity", "source_record_id", "party_id", "customer_id", "party_kind", "email_norm"]])
    return pd.concat(rows, ignore_index=True)


def test_messiness_duplicates_within_one_system(demo: GenerateSummary) -> None:
    truth = _truth(demo)
    for entity, minimum in (("contacts", 0.02), ("debtors", 0.01), ("subscribers", 0.015), ("requesters", 0.02)):
        part = truth[truth.source_entity == entity]
        per_party = part.groupby("party_id").size()
        share = (per_party > 1).mean()
        assert minimum < share < 0.12, (entity, share)
    # two debtor numbers of one customer both carry invoices in at least some cases
    inv = _load(demo, "finance/invoices")
    debtors = truth[truth.source_entity == "debtors"].set_index("source_record_id")
    customer_of = inv.debtor_number.map(debtors.customer_id)
    assert (inv.groupby(customer_of).debtor_number.nunique() > 1).sum() > 5


def test_messiness_shared_mailboxes_and_addresses(demo: GenerateSummary) -> None:
    people = _person_frames(demo)
    persons = people[(people.party_kind == "person") & (people.email_norm != "")]
    shared = persons.groupby("email_norm").party_id.nunique()
    shared = shared[shared > 1]
    assert len(shared) >= 10
    assert any(e.startswith("info@") for e in shared.index)
    assert any(e.startswith("fam.") for e in shared.index)
    # households: different customers at one address (finance knows the current address)
    debtors = _latest(demo, "finance/debtors").merge(_truth(demo), left_on="debtor_number", right_on="source_record_id")
    debtors = debtors[(debtors.street != "") & (debtors.postcode != "")]
    debtors["addr"] = (
        debtors.postcode.str.replace(" ", "").str.upper()
        + "|"
        + debtors.house_number.str.extract(r"^(\d+)", expand=False)
    )
    per_address = debtors.groupby("addr").customer_id.nunique()
    assert (per_address > 1).sum() >= 10


def test_messiness_name_and_format_variants(demo: GenerateSummary) -> None:
    contacts = _load(demo, "crm/contacts")
    debtors = _load(demo, "finance/debtors")
    accounts = _load(demo, "crm/accounts")
    # "de Jong" vs "Jong, de" vs "De Jong"
    assert contacts.last_name.str.match(r"^(de|van|van der|van den|ter|'t) [A-Z]").any()
    assert contacts.last_name.str.match(r"^(De|Van|Van der|Van den|Ter) [A-Z]").any()
    assert contacts.last_name.str.contains(r"^[A-Z][a-z]+, (?:de|van|van der|van den|ter)$").any()
    assert debtors.name.str.contains(r"^[A-Z][a-z]+, ").any()
    assert debtors.name.str.match(r"^[A-Z]\. ").any()
    assert (contacts.last_name.str.isupper() & (contacts.last_name.str.len() > 3)).any()
    # legal form spellings
    names = pd.concat([accounts.company_name, debtors.name])
    for form in (r" B\.V\.$", r" BV$", r" b\.v\.$", r" N\.V\.$|NV$", r" V\.O\.F\.$|VOF$", r"Holding"):
        assert names.str.contains(form).any(), form
    # phone formats
    phones = pd.concat([contacts.phone, contacts.mobile, debtors.phone, accounts.phone])
    phones = phones[phones != ""]
    shapes = {re.sub(r"\d", "9", p) for p in phones}
    for shape in ("99-99999999", "+99 9 9999 9999", "9999999999", "999-9999999", "+99999999999"):
        assert shape in shapes, shape
    # postcodes
    postcodes = pd.concat([contacts.postcode, debtors.postcode, accounts.postcode])
    kinds = Counter(
        "missing" if p == "" else re.sub(r"[A-Z]", "A", re.sub(r"[a-z]", "a", re.sub(r"\d", "9", p))) for p in postcodes
    )
    for shape in ("9999 AA", "9999AA", "9999 aa", "missing"):
        assert kinds[shape] > 0, shape
    assert kinds["9999 AA"] > 0.4 * (sum(kinds.values()) - kinds["missing"])
    # house number additions
    assert debtors.house_number.str.contains(r"^\d+(?:a|-2| bis|-A|A| a)$").any()
    # e-mail noise
    emails = pd.concat([contacts.email, debtors.email])
    assert (emails != emails.str.strip()).any() and emails.str.contains("[A-Z]").any()


def test_messiness_namesakes_nicknames_typos_and_movers(demo: GenerateSummary) -> None:
    truth = _truth(demo)
    contacts = _latest(demo, "crm/contacts").merge(truth, left_on="contact_id", right_on="source_record_id")
    contacts["full"] = (contacts.first_name + " " + contacts.infix + " " + contacts.last_name).str.lower()
    contacts["full"] = contacts.full.str.replace(r"\s+", " ", regex=True)
    # namesakes: one spelled name, several real persons
    per_name = contacts.groupby("full").party_id.nunique()
    assert (per_name > 1).sum() >= 3
    assert per_name.get("jan de vries", 0) + per_name.get("maria jansen", 0) >= 1
    # nicknames: one person under different first names across systems
    subs = _latest(demo, "marketing/subscribers").merge(truth, left_on="subscriber_id", right_on="source_record_id")
    both = contacts.merge(subs, on="party_id", suffixes=("_crm", "_mkt"))
    both = both[(both.first_name_crm != "") & (both.first_name_mkt != "")]
    different = both[both.first_name_crm.str.lower() != both.first_name_mkt.str.lower()]
    pairs = set(zip(different.first_name_crm.str.title(), different.first_name_mkt.str.title(), strict=True))
    nickname_pairs = {
        ("Johannes", "Jan"),
        ("Jan", "Johannes"),
        ("Johannes", "Hans"),
        ("Hans", "Johannes"),
        ("Wilhelmus", "Wim"),
        ("Wim", "Wilhelmus"),
        ("Cornelis", "Kees"),
        ("Kees", "Cornelis"),
        ("Elisabeth", "Lisa"),
        ("Lisa", "Elisabeth"),
        ("Elisabeth", "Els"),
        ("Els", "Elisabeth"),
        ("Hendrik", "Henk"),
        ("Henk", "Hendrik"),
        ("Maria", "Mieke"),
        ("Mieke", "Maria"),
        ("Petrus", "Piet"),
        ("Piet", "Petrus"),
        ("Jacobus", "Jaap"),
        ("Jaap", "Jacobus"),
    }
    assert pairs & nickname_pairs
    assert len(different) > 0.1 * len(both)
    # people who moved: the CRM (first delivery) has another postcode than finance for the same person
    full = _load(demo, "crm/contacts")
    full = full[full._file.str.endswith("_full.csv")].merge(truth, left_on="contact_id", right_on="source_record_id")
    debtors = _latest(demo, "finance/debtors").merge(truth, left_on="debtor_number", right_on="source_record_id")
    norm = lambda s: s.str.replace(" ", "").str.upper()  # noqa: E731
    moved = full.assign(pc=norm(full.postcode)).merge(debtors.assign(pc=norm(debtors.postcode)), on="party_id")
    moved = moved[(moved.pc_x != "") & (moved.pc_y != "") & moved.account_id.eq("")]
    assert 0.01 < (moved.pc_x != moved.pc_y).mean() < 0.2


def test_ids_differ_per_system_and_identifiers_are_valid(demo: GenerateSummary) -> None:
    assert _load(demo, "crm/accounts").account_id.str.fullmatch(r"ACC-\d{6}").all()
    assert _load(demo, "crm/contacts").contact_id.str.fullmatch(r"CON-\d{6}").all()
    debtors = _load(demo, "finance/debtors")
    assert debtors.debtor_number.str.fullmatch(r"\d{6,}").all()
    assert _load(demo, "marketing/subscribers").subscriber_id.str.fullmatch(r"[0-9a-f-]{36}").all()
    ibans = debtors.iban[debtors.iban != ""]
    assert len(ibans) > 0.7 * len(debtors)
    assert all(iban_is_valid(i) for i in ibans)
    assert ibans.str.contains(" ").any() and ibans.str.contains("^nl").any()
    kvk = debtors.kvk_number[debtors.kvk_number != ""]
    assert kvk.str.fullmatch(r"[1-9]\d{7}").all() and len(kvk) > 100
    vat = pd.concat([debtors.vat_number, _load(demo, "crm/accounts").vat_number])
    assert vat[vat != ""].str.fullmatch(r"NL\d{9}B\d{2}").all()
    # B2B debtors carry the company name; B2C debtors carry no KvK
    truth = _truth(demo)
    kind = debtors.debtor_number.map(truth[truth.source_entity == "debtors"].set_index("source_record_id").party_kind)
    assert (debtors.kvk_number[kind == "person"] == "").all()


def test_contact_intensity_follows_customer_value(demo: GenerateSummary) -> None:
    truth = _truth(demo)
    cust = pd.read_csv(demo.truth_customers).set_index("customer_id")
    subs = truth[truth.source_entity == "subscribers"].set_index("source_record_id").customer_id
    events = _load(demo, "marketing/events")
    sent = events[events.event_type == "sent"].subscriber_id.map(subs).value_counts()
    cust["sent"] = sent.reindex(cust.index).fillna(0)
    b2c = cust[cust.customer_type == "person"]
    top = b2c[b2c.contact_intensity >= b2c.contact_intensity.quantile(0.75)]
    bottom = b2c[b2c.contact_intensity <= b2c.contact_intensity.quantile(0.25)]
    assert top.sent.mean() > 1.5 * bottom.sent.mean()


def test_memory_stays_bounded_when_customers_grow(tmp_path: Path) -> None:
    """Five times more customers must not need more memory: nothing per customer is kept across chunks."""
    peaks = {}
    for n in (1000, 5000):
        tracemalloc.start()
        try:
            generate(tmp_path / str(n), customers=n, seed=3, end_date=END)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peaks[5000] < peaks[1000] + 2_000_000, peaks
    assert peaks[5000] < 40_000_000, peaks


def test_volume_multiplies_activities_and_events_and_one_is_the_default(tmp_path: Path) -> None:
    """The opt-in benchmark knob: at 1 the very same bytes as without it, at 3 about three times the
    activities and campaign events for the same customers and invoices."""
    base = generate(tmp_path / "base", customers=200, seed=41, end_date=END)
    one = generate(tmp_path / "one", customers=200, seed=41, end_date=END, volume=1.0)
    three = generate(tmp_path / "three", customers=200, seed=41, end_date=END, volume=3.0)
    assert _digest(base.out) == _digest(one.out)
    assert "volume" not in json.loads(base.manifest.read_text())
    assert json.loads(three.manifest.read_text())["volume"] == 3.0
    for path in ("crm/activities", "marketing/events"):
        assert 2.4 < three.counts[path] / base.counts[path] < 3.6, path
    assert three.counts["finance/invoices"] == base.counts["finance/invoices"]
    with pytest.raises(ValueError, match="volume"):
        generate(tmp_path / "bad", customers=1, seed=1, end_date=END, volume=0.5)
