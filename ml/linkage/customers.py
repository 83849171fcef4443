"""Customers from parties: a person who belongs to an organisation joins the organisation's customer.

Evidence, strongest first: a CRM contact's organisation_record_key (contact -> account; an account
not among the records, e.g. one whose only version was updated after the as-of date, still holds its
contacts together in one organisation customer keyed on the account), then the
person's company name equal to an organisation party's name as `company_key` reads both ('&'/'en' and
'Zn.'/'Zonen' alike, seed company_name_words; or one slip away from exactly one long name), when one
organisation party bears that name, then the person's work e-mail domain equal to one organisation party's
domain, or spelling one organisation party's name (zenbelrostox.nl, 'Zenbelrostox'). A person party
votes over its records; without any link the person is a customer on their own (B2C).
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from ml.linkage.standardise import seed_rows

CRM_LINK_WEIGHT = 10.0  # an explicit CRM account link outweighs any number of company-name matches
NAME_LINK_WEIGHT = 1.0
ACCOUNT_PREFIX = "account:"  # org_party label of a CRM account absent from the records

MIN_FUZZY_KEY = 10  # a one-letter slip is only read as a typo in a company name at least this long


@cache
def _company_words() -> dict[str, str]:
    """Seed company_name_words: 'en' -> '' (left out), 'zn' -> 'zonen'."""
    return {r["written"].lower(): r["reads_as"].lower() for r in seed_rows("company_name_words")}


def company_key(name: str | None) -> str | None:
    """A company name (as dbt's organisation_name gives it: folded, no legal form) as a comparison key:
    'jansen & zn', 'jansen en zonen' -> 'jansen zonen' (seed company_name_words)."""
    if not isinstance(name, str) or not name:
        return None
    words = _company_words()
    return " ".join(w for w in (words.get(w, w) for w in re.findall(r"[a-z0-9']+", name)) if w) or None


def _deletions(key: str) -> set[str]:
    """The key and every string one character shorter: two keys one typo apart (a wrong, dropped or
    doubled letter) share one of these."""
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


def _name_links(records: pd.DataFrame, party: pd.Series) -> pd.DataFrame:
    """Person record -> organisation party via the company name (record_key, org_party, weight).
    `_name_candidates` read every organisation party a company field may name.

    The names are compared as `company_key` ('Jansen & Zn. B.V.' = 'jansen en zonen'); a company field
    that names no organisation exactly is read as a typo of the one organisation name one slip away
    ('Tandartsprajtijk X'), if the name is long and that organisation is the only one so close. A name
    several organisation parties bear ('Bakkerij Jansen') links to none: the postcode a person gives is
    their home's, which does not say which of them they work at."""
    cand = _name_candidates(records, party)
    links = cand[cand.groupby("record_key")["org_party"].transform("nunique").eq(1)]
    links = links[["record_key", "org_party"]].drop_duplicates()
    links["weight"] = NAME_LINK_WEIGHT
    return links


def _name_candidates(records: pd.DataFrame, party: pd.Series) -> pd.DataFrame:
    """Person record -> every organisation party its company field names (record_key, org_party)."""
    orgs = records[records["party_kind"].eq("organisation") & records["organisation_key"].notna()]
    org_names = (
        pd.DataFrame(
            {
                "key": orgs["organisation_key"].map(company_key).to_numpy(),
                "org_party": party.loc[orgs.index].to_numpy(),
            }
        )
        .dropna(subset=["key"])
        .drop_duplicates()
    )
    persons = records[records["party_kind"].eq("person") & records["organisation_key"].notna()]
    if persons.empty or org_names.empty:
        return pd.DataFrame(columns=["record_key", "org_party"])
    person_keys = persons["organisation_key"].map(company_key)
    known = set(org_names["key"])
    fuzzy = _fuzzy_keys(set(person_keys.dropna()) - known, org_names)
    person_keys = person_keys.where(person_keys.isin(known), person_keys.map(fuzzy))
    cand = person_keys.dropna().rename("key").to_frame().reset_index(names="record_key").merge(org_names, on="key")
    return cand[["record_key", "org_party"]].drop_duplicates()


def _colleague_namesakes(records: pd.DataFrame, party: pd.Series, chosen: pd.Series) -> pd.Series:
    """person party -> organisation party, for a person left unlinked whose company field names several
    organisations ('Bakkerij Jansen'): the one of them where a linked employee has the same first name
    and surname. The same full name at the same organisation is one person, written twice."""
    persons = records[records["party_kind"].eq("person")]
    full = (persons["first_name_std"] + " " + persons["surname_full"]).dropna()
    person_party = party.loc[full.index]
    employees = pd.DataFrame({"full": full, "org_party": person_party.map(chosen)}).dropna().drop_duplicates()
    cand = _name_candidates(records[~party.isin(chosen.index)], party)
    if cand.empty or employees.empty:
        return pd.Series(dtype=object)
    cand["full"] = cand["record_key"].map(full)
    cand["person_party"] = cand["record_key"].map(party)
    hits = cand.merge(employees, on=["full", "org_party"])[["person_party", "org_party"]].drop_duplicates()
    hits = hits[hits.groupby("person_party")["org_party"].transform("nunique").eq(1)]
    return hits.set_index("person_party")["org_party"]


def _fuzzy_keys(unknown: set[str], org_names: pd.DataFrame) -> dict[str, str]:
    """Company key -> the one organisation key it equals once each drops at most one letter (a typo, a
    dropped or doubled letter; both at least `MIN_FUZZY_KEY` long, that key held by one organisation party)."""
    owners = org_names.groupby("key")["org_party"].nunique()
    keys = [k for k in owners.index[owners.eq(1)] if len(k) >= MIN_FUZZY_KEY]
    index: dict[str, set[str]] = {}
    for k in keys:
        for d in _deletions(k):
            index.setdefault(d, set()).add(k)
    out = {}
    for u in unknown:
        if len(u) < MIN_FUZZY_KEY:
            continue
        near = set().union(*(index.get(d, set()) for d in _deletions(u)))
        if len(near) == 1:
            out[u] = next(iter(near))
    return out


def org_domains(records: pd.DataFrame) -> pd.DataFrame:
    """Organisation record -> each domain it holds (record_key, domain): its e-mail's work_domain and its
    website_domain (dbt: a CRM account's own website host, null for shared hosts such as facebook.com).
    An organisation's employees mail from the domain its website runs on, so an account without an
    e-mail, or with a role mailbox elsewhere, still names its domain. A record counts once per domain."""
    orgs = records[records["party_kind"].eq("organisation")]
    cols = [c for c in ("work_domain", "website_domain") if c in orgs.columns]
    parts = [pd.DataFrame({"record_key": v.index, "domain": v.to_numpy()}) for v in (orgs[c].dropna() for c in cols)]
    if not parts:
        return pd.DataFrame(columns=["record_key", "domain"])
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _domain_owners(records: pd.DataFrame, party: pd.Series) -> pd.Series:
    """work_domain -> the organisation party holding most of the organisation records at that domain (by
    e-mail or website, `org_domains`), if one holds strictly the most: a domain several organisation
    parties read is usually one organisation and a requester typed apart from it."""
    held = org_domains(records)
    domains = pd.DataFrame({"work_domain": held["domain"], "org_party": party.loc[held["record_key"]].to_numpy()})
    domains = domains.value_counts().rename("n").reset_index()
    domains = domains[domains["n"].eq(domains.groupby("work_domain")["n"].transform("max"))]
    domains = domains[domains.groupby("work_domain")["org_party"].transform("nunique").eq(1)]
    return domains.set_index("work_domain")["org_party"]


def _employee_domains(records: pd.DataFrame, employers: pd.DataFrame, owners: pd.Series) -> pd.Series:
    """work_domain -> organisation party, for a domain no organisation record is read at: the employer
    most of the persons writing from it are linked to (CRM account links weigh as in the vote, over
    company fields), if one holds strictly the most. Colleagues share their employer's mail domain
    (p.jansen@dtb.nl at Drukkerij ten Boomken), whatever the domain spells."""
    linked = employers.merge(
        records.loc[records["party_kind"].eq("person"), ["work_domain"]].dropna(),
        left_on="record_key",
        right_index=True,
    )
    linked = linked[~linked["work_domain"].isin(owners.index)]
    if linked.empty:
        return pd.Series(dtype=object)
    counts = linked.groupby(["work_domain", "org_party"])["weight"].sum().rename("n").reset_index()
    counts = counts[counts["n"].eq(counts.groupby("work_domain")["n"].transform("max"))]
    counts = counts[counts.groupby("work_domain")["org_party"].transform("nunique").eq(1)]
    return counts.set_index("work_domain")["org_party"]


def _domain_links(records: pd.DataFrame, owners: pd.Series) -> pd.DataFrame:
    """Person record -> organisation party via the work e-mail domain (public providers are already
    excluded from work_domain): anouk@bakkerijvandam.nl works where info@bakkerijvandam.nl is read."""
    persons = records[records["party_kind"].eq("person") & records["work_domain"].notna()]
    if persons.empty or owners.empty:
        return pd.DataFrame(columns=["record_key", "org_party", "weight"])
    links = persons[["work_domain"]].reset_index(names="record_key")
    links["org_party"] = links["work_domain"].map(owners)
    links = links.dropna(subset=["org_party"])[["record_key", "org_party"]].drop_duplicates()
    links["weight"] = NAME_LINK_WEIGHT
    return links


MIN_STEM = 4  # shorter domain names ('bv.nl', 'abc.nl') say too little about a company name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text)


def _domain_stems(domain: str) -> list[str]:
    """'bakkerij-vandam.nl' -> 'bakkerijvandam': the registered name of a domain without its extension;
    also without a trailing place or number ('koeltechnieksmit-apeldoorn.nl', 'transportjansen2.nl'), as
    a company registers its name once more when the plain name is taken."""
    parts = domain.split(".")
    label = parts[-2] if len(parts) >= 2 else parts[0]
    stems = {_slug(label), _slug(re.sub(r"\d+$", "", label))}
    if "-" in label:
        stems.add(_slug(label.rsplit("-", 1)[0]))
    return sorted(s for s in stems if len(s) >= MIN_STEM)


def _name_variants(name: str) -> set[str]:
    """A company name as its domain may spell it: as written, as `company_key` reads it, with '&' as 'en'
    and the seed's abbreviations written out ('jansen & zn' -> 'jansen en zonen'), and with the seed's
    words abbreviated ('gebroeders de vries' -> 'gebr de vries'; seed company_name_words). dbt's
    organisation_name has already dropped the '&'."""
    words = _company_words()
    short = {reads: written for written, reads in words.items() if reads}
    tokens = re.findall(r"[a-z0-9']+|&", name)
    spelt_out = " ".join("en" if t == "&" else words.get(t) or t for t in tokens)
    key = company_key(name) or ""
    # a seed word after the name is joined to it with 'en' ('koster zn', left of '& Zn.', is kosterenzonen.nl)
    joined = " ".join(f"en {w}" if i and w in short else w for i, w in enumerate(key.split()))
    variants = {name, key, spelt_out, joined}
    variants |= {" ".join(short.get(w, w) for w in v.split()) for v in (key, spelt_out, joined)}
    return variants


def _name_stems(name: str) -> list[str]:
    """A company name's leading words run together: 'fatratrakax bakery' -> 'fatratrakax',
    'fatratrakaxbakery'; one of them is what a company registers as its domain. 'De Jong & Zn.' is
    registered as dejongzn, dejongzonen or dejongenzonen (`_name_variants`)."""
    out: list[str] = []
    for v in _name_variants(name):
        words = [_slug(w) for w in v.split()]
        out += ["".join(words[: i + 1]) for i in range(len(words))]
    return sorted({s for s in out if len(s) >= MIN_STEM})


def _domain_name_links(records: pd.DataFrame, party: pd.Series) -> pd.DataFrame:
    """Person record -> organisation party whose name the work e-mail domain spells: lotte@zenbelrostox.nl
    works at 'Zenbelrostox', m.kok@fatratrakax.nl at 'Fatratrakax Bakery', jan@dejongenzonen.nl at
    'De Jong & Zn.', when the organisation's own records carry no e-mail. Only a domain name that spells
    exactly one organisation party links."""
    orgs = records[records["party_kind"].eq("organisation") & records["organisation_key"].notna()]
    persons = records[records["party_kind"].eq("person") & records["work_domain"].notna()]
    if persons.empty or orgs.empty:
        return pd.DataFrame(columns=["record_key", "org_party", "weight"])
    org_party = party.loc[orgs.index].to_numpy()
    stems = pd.DataFrame(
        [(s, p) for name, p in zip(orgs["organisation_key"], org_party, strict=True) for s in _name_stems(name)],
        columns=["stem", "org_party"],
    ).drop_duplicates()
    stems = stems[stems.groupby("stem")["org_party"].transform("nunique").eq(1)]
    person_stems = persons["work_domain"].map(_domain_stems).explode().dropna().rename("stem")
    person_stems = person_stems.to_frame().reset_index(names="record_key")
    links = person_stems.merge(stems, on="stem")[["record_key", "org_party"]].drop_duplicates()
    links = links[links.groupby("record_key")["org_party"].transform("nunique").eq(1)]
    links["weight"] = NAME_LINK_WEIGHT
    return links


def _same_name_same_town(orgs: pd.DataFrame, org_customer: pd.Series) -> pd.Series:
    """org customer label -> the one it pays as: two organisation customers (and only two) with the same
    `company_key` in the same town, whose KvK numbers, mail domains, addresses and phone numbers do not
    differ (a missing one is no disagreement), are one organisation whose CRM account and ledger debtor
    were resolved apart (issue class 2). The larger (then the first) label stays; one step, no chains."""
    df = pd.DataFrame(
        {
            "key": orgs["organisation_key"].map(company_key),
            "customer": org_customer.loc[orgs.index],
            "city": orgs["city"],
            "kvk": orgs["kvk_number"],
            "domain": orgs["work_domain"],
            "address": orgs["address_key"],
            "phone": orgs["phone"],
        }
    ).dropna(subset=["key"])
    df = df[df.groupby("key")["customer"].transform("nunique").eq(2)]
    per = df.groupby(["key", "customer"]).agg(
        n=("city", "size"),
        city=("city", lambda v: frozenset(v.dropna())),
        kvk=("kvk", lambda v: frozenset(v.dropna())),
        domain=("domain", lambda v: frozenset(v.dropna())),
        address=("address", lambda v: frozenset(v.dropna())),
        phone=("phone", lambda v: frozenset(v.dropna())),
    )
    per = per.reset_index()
    out: dict[str, str] = {}
    for _, pair in per.groupby("key"):
        a, b = (r for _, r in pair.sort_values(["n", "customer"], ascending=[False, True]).iterrows())
        differ = any(a[c] and b[c] and not a[c] & b[c] for c in ("kvk", "domain", "address", "phone"))
        touched = b["customer"] in out or a["customer"] in out or b["customer"] in out.values()
        if a["city"] & b["city"] and not differ and not touched:
            out[b["customer"]] = a["customer"]
    return pd.Series(out, dtype=object)


def _absent_accounts(account: pd.Series, party: pd.Series, other: list[pd.DataFrame]) -> pd.Series:
    """Contact record -> org_party for contacts of an account the records lack: the organisation party
    its contacts' company names and work domains point to most (it may hold the account's invoices),
    else a customer of its own named after the account (`ACCOUNT_PREFIX`)."""
    label = (ACCOUNT_PREFIX + account).astype(object)
    if account.empty or not other:
        return label
    person = pd.DataFrame({"account": account.to_numpy(), "person_party": party.loc[account.index].to_numpy()})
    links = pd.concat(other, ignore_index=True)
    links["person_party"] = party.loc[links["record_key"]].to_numpy()
    votes = (
        person.drop_duplicates()
        .merge(links, on="person_party")
        .groupby(["account", "org_party"], as_index=False)["weight"]
        .sum()
    )
    votes = votes.sort_values(["account", "weight", "org_party"], ascending=[True, False, True])
    target = votes.drop_duplicates("account").set_index("account")["org_party"]
    return label.where(~account.isin(target.index), account.map(target))


def employer_links(records: pd.DataFrame, party: pd.Series, owners: pd.Series | None = None) -> pd.DataFrame:
    """Every link from a person record to an organisation party (record_key, org_party, weight): its CRM
    account (an account the records lack gets a label of its own, `_absent_accounts`), its company
    field (`_name_links`), its work mail domain (held by the organisation, or by most of the colleagues
    writing from it) and a domain spelling an organisation's name. `party` needs only the organisation
    records' labels: persons are linked one record at a time, so the links can inform person matching.
    `owners`: `_domain_owners` of these records and parties, when the caller has it already."""
    party = party.astype(str)
    kind = records["party_kind"]
    crm = records[kind.eq("person") & records["organisation_record_key"].notna()]
    account = crm["organisation_record_key"].astype(str)
    present = account.isin(records.index[kind.eq("organisation")])
    # an account the records lack is still one paying relationship: its contacts share a customer named
    # after the account, which its own records join once they are delivered (an id change, recorded)
    crm_links = pd.DataFrame(
        {
            "record_key": crm.index,
            "org_party": party.reindex(account.where(present)).to_numpy(dtype=object),
            "weight": CRM_LINK_WEIGHT,
        }
    )
    owners = _domain_owners(records, party) if owners is None else owners
    name_links = _name_links(records, party)
    employers = pd.concat([crm_links.dropna(subset=["org_party"]), name_links], ignore_index=True)
    person_owners = pd.concat([owners, _employee_domains(records, employers, owners)])
    other = [
        f for f in (name_links, _domain_links(records, person_owners), _domain_name_links(records, party)) if len(f)
    ]
    crm_links["org_party"] = crm_links["org_party"].where(
        present.to_numpy(), _absent_accounts(account[~present], party, other).reindex(account.index).to_numpy()
    )
    parts = [f for f in (crm_links, *other) if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else crm_links


def record_employers(records: pd.DataFrame, org_party: pd.Series) -> pd.Series:
    """Person record -> the organisation party its links point to most (by weight), where one does
    strictly: the employer a CRM contact, a subscriber naming the company and a requester writing from
    the work domain have in common, whatever each record spells. `org_party`: organisation record ->
    party label; each person record stands for itself (its party is not known yet)."""
    persons = records.index[records["party_kind"].eq("person")]
    links = employer_links(records, pd.concat([org_party, pd.Series(persons, index=persons)]))
    if links.empty:
        return pd.Series(dtype=object)
    votes = links.groupby(["record_key", "org_party"], as_index=False)["weight"].sum()
    top = votes["weight"].eq(votes.groupby("record_key")["weight"].transform("max"))
    votes = votes[top]
    votes = votes[votes.groupby("record_key")["org_party"].transform("size").eq(1)]
    return votes.set_index("record_key")["org_party"]


def assign_customers(records: pd.DataFrame, party: pd.Series) -> pd.DataFrame:
    """record_key -> customer group label and customer_type.

    `records`: prepared int_party_records indexed by record_key (party_kind, organisation_record_key,
    organisation_key, postcode4). `party`: record_key -> party label (unique across kinds).
    Customer labels are 'org:<party>' or 'person:<party>'; `ids.py` makes stable ids of them.
    """
    party = party.astype(str)
    kind = records["party_kind"]
    owners = _domain_owners(records, party)
    links = employer_links(records, party, owners)
    links["person_party"] = party.loc[links["record_key"]].to_numpy() if len(links) else []
    votes = links.groupby(["person_party", "org_party"], as_index=False)["weight"].sum()
    votes = votes.sort_values(["person_party", "weight", "org_party"], ascending=[True, False, True])
    chosen = votes.drop_duplicates("person_party").set_index("person_party")["org_party"]
    chosen = pd.concat([chosen, _colleague_namesakes(records, party, chosen)])

    record_party = party.loc[records.index].astype(str)
    is_org = kind.eq("organisation")
    attached = ~is_org & record_party.isin(chosen.index)
    customer = ("person:" + record_party).astype(object)
    # an organisation party at another's domain (a role mailbox resolved apart) pays as that one
    held = org_domains(records)
    moved = (
        pd.DataFrame({"party": record_party.loc[held["record_key"]].to_numpy(), "owner": held["domain"].map(owners)})
        .dropna()
        .query("party != owner")
        .drop_duplicates("party")
        .set_index("party")["owner"]
    )
    moved = moved[~moved.index.isin(moved.to_numpy())]  # one step: an owner is never moved itself
    org_customer = record_party.map(moved).fillna(record_party)
    same_name = _same_name_same_town(records[is_org], org_customer[is_org])
    org_customer = org_customer.map(same_name).fillna(org_customer)
    customer = customer.where(~is_org, "org:" + org_customer)
    employer = record_party.map(chosen).fillna("").astype(str)
    employer = employer.map(moved).fillna(employer)
    customer = customer.where(~attached, "org:" + employer.map(same_name).fillna(employer))
    customer_type = pd.Series("person", index=records.index)
    customer_type[customer.str.startswith("org:")] = "organisation"
    return pd.DataFrame({"customer": customer, "customer_type": customer_type})
