"""An identity landing zone from a generator the project does not use (bench only; never imports cvm.demo).

    .venv/bin/python bench/independent_landing.py --out /tmp/indep --customers 20000 --seed 7

Writes `<out>/landing/<system>/<entity>/<file>` in the landing contract of DESIGN.md (all ten entities,
so `cvm run` goes end to end) and `<out>/truth/`:
- `records.csv`: source_system, source_entity, source_record_id, party_id, customer_id, party_kind, the
  file `cvm evaluate-identity --truth` reads;
- `record_classes.csv`: per record the quirks the generator applied and the party facts a pair breakdown
  needs (household, employer, mover, address), so misses and false merges can be put in the five classes
  of issue 6;
- `manifest.json`: seed, size, shares and counts.

Its quirks are chosen to look like Dutch exports and to differ from the demo generator's: a Zipf-like head
of common surnames over a long tail, tussenvoegsels written "van der Berg", "Berg, van der", "v.d. Berg",
initials-only debtors, nicknames, company names with and without legal form or in lower case, role
mailboxes (info@, administratie@, facturen@, crediteuren@), households with a family mailbox, movers,
people at organisations with a private and a work address, typos, and a finance export in Windows-1252
with semicolons. Every share is a field of `Shares`, so each class is present in a controlled amount.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import independent_names as names
else:
    from bench import independent_names as names

END = date(2026, 9, 30)
START = date(2022, 1, 1)


@dataclass(frozen=True)
class Shares:
    """Controlled shares of each class (issue 6) and of the missing-data quirks."""

    b2b: float = 0.30  # customers that are organisations
    employees_mean: float = 1.8  # persons per organisation (geometric, at least 1)
    employee_subscriber: float = 0.40  # class 1: employee also a marketing subscriber (company field, mixed mail)
    employee_requester: float = 0.30  # class 1: employee also a service requester
    private_mail_at_work: float = 0.50  # class 1: share of those records with the private mailbox
    org_mailboxes: float = 0.30  # class 2: organisations reached through several role mailboxes
    household: float = 0.22  # class 5: consumer customers who join an existing household
    family_mailbox: float = 0.55  # class 5: households with a fam.<surname>@ mailbox
    shared_landline: float = 0.35  # class 5: households with one home phone in several members' records
    joint_account: float = 0.25  # class 5: partners paying from one joint ("en/of") IBAN
    mover: float = 0.10  # class 3: consumers (and employees) who moved
    typo: float = 0.07  # class 4: records with a typo in a name
    sparse_debtor: float = 0.35  # class 4: person debtors with only initial(s) and surname
    second_private_mail: float = 0.12  # persons with a second private mailbox used in some systems
    duplicate_in_system: float = 0.06  # the same person registered twice in one system
    paying_consumer: float = 0.78  # consumers with a finance debtor (the rest are prospects/leads)
    consumer_contact: float = 0.30
    consumer_subscriber: float = 0.55
    consumer_requester: float = 0.35
    common_surname: float = 0.45  # persons drawn from the Zipf head; the rest from the long tail


# ---------------------------------------------------------------- the world


@dataclass
class Address:
    street: str
    number: int
    addition: str
    postcode: str  # canonical 1234AB
    city: int  # index into names.CITIES

    @property
    def key(self) -> str:
        return f"{self.postcode}|{self.number}{self.addition}"


@dataclass
class Org:
    party_id: str
    customer_id: str
    core: str  # "Bakkerij Jansen"
    legal: str  # registered legal form
    legal_variants: tuple[str, ...]
    kvk: str
    vat: str
    domain: str
    address: Address
    phone: str  # digits, national format 0xx...
    multi_mailbox: bool
    iban: str
    account_id: str = ""
    employees: list[Person] = field(default_factory=list)


@dataclass
class Person:
    party_id: str
    customer_id: str
    first: str
    infix: str
    last: str
    female: bool
    birth: date
    mails: list[str]
    mobile: str
    address: Address
    iban: str
    old_address: Address | None = None
    moved_on: date | None = None
    org: Org | None = None
    work_mail: str = ""
    household: str = ""
    family_mail: str = ""
    home_phone: str = ""  # a household's landline, shared by its members


class World:
    """Draws people, organisations and households; `records()` renders their source records."""

    def __init__(self, customers: int, seed: int, shares: Shares) -> None:
        self.rng = random.Random(seed)
        self.shares = shares
        self.n_customers = customers
        self.orgs: list[Org] = []
        self.consumers: list[Person] = []
        self.households: dict[str, list[Person]] = {}
        self._party = 0
        self._customer = 0
        self._used_domains: set[str] = set()
        self._used_mails: set[str] = set()
        heads = names.COMMON_SURNAMES
        seen: set[tuple[str, str]] = set()
        self.head = [s for s in heads if not (s in seen or seen.add(s))]
        self.head_weights = [1.0 / (rank + 1) ** 0.85 for rank in range(len(self.head))]
        self.first_weights_f = [1.0 / (r + 1) ** 0.6 for r in range(len(names.FIRST_NAMES_F))]
        self.first_weights_m = [1.0 / (r + 1) ** 0.6 for r in range(len(names.FIRST_NAMES_M))]
        self.provider_names = [p for p, _ in names.PROVIDERS]
        self.provider_weights = [w for _, w in names.PROVIDERS]
        self._build()

    # ids
    def _new_party(self) -> str:
        self._party += 1
        return f"IP{self._party:07d}"

    def _new_customer(self) -> str:
        self._customer += 1
        return f"IC{self._customer:07d}"

    # draws
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def surname(self) -> tuple[str, str]:
        if self.chance(self.shares.common_surname):
            return self.rng.choices(self.head, self.head_weights)[0]
        stem = self.rng.choice(names.TAIL_STEMS)
        suffix = self.rng.choice(names.TAIL_SUFFIXES)
        infix = self.rng.choice(names.TAIL_INFIXES)
        return infix, stem + suffix

    def first_name(self, female: bool) -> str:
        if female:
            return self.rng.choices(names.FIRST_NAMES_F, self.first_weights_f)[0]
        return self.rng.choices(names.FIRST_NAMES_M, self.first_weights_m)[0]

    def address(self, business: bool = False, near: Address | None = None) -> Address:
        city = near.city if near is not None and self.chance(0.6) else self.rng.randrange(len(names.CITIES))
        area = names.CITIES[city][0]
        digits = f"{area:02d}{self.rng.randrange(10, 100):02d}"
        letters = "".join(self.rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
        street = self.rng.choice(names.BUSINESS_STREETS if business else names.STREETS)
        number = min(400, int(self.rng.lognormvariate(2.6, 0.9)) + 1) if not business else self.rng.randrange(1, 120)
        addition = self.rng.choice(["", "", "", "", "", "", "a", "b", "A", "2", "3", "hs", "bis"])
        return Address(street, number, addition, f"{digits}{letters}", city)

    def mobile(self) -> str:
        return "06" + "".join(str(self.rng.randrange(10)) for _ in range(8))

    def landline(self, city: int) -> str:
        area = names.AREA_CODES[names.CITIES[city][0]]
        return area + "".join(str(self.rng.randrange(10)) for _ in range(10 - len(area)))

    def iban(self) -> str:
        bank = self.rng.choice(["INGB", "RABO", "ABNA", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ", "RBRB"])
        account = "".join(str(self.rng.randrange(10)) for _ in range(10))
        check = 98 - int(_iban_numeric(f"{bank}{account}NL00")) % 97
        return f"NL{check:02d}{bank}{account}"

    def birth(self, low: int = 1940, high: int = 2004) -> date:
        return date(self.rng.randrange(low, high + 1), 1, 1) + timedelta(days=self.rng.randrange(365))

    def private_mail(self, first: str, infix: str, last: str, birth: date) -> str:
        f, i, la = _mail_part(first), _mail_part(infix), _mail_part(last)
        provider = self.rng.choices(self.provider_names, self.provider_weights)[0]
        patterns = [
            f"{f}.{i}{la}",
            f"{f}{i}{la}",
            f"{f[0]}{i}{la}",
            f"{f[0]}.{i}{la}",
            f"{i}{la}.{f}",
            f"{f}{birth.year % 100:02d}",
            f"{f}.{la}{birth.year}",
            f"{f}_{la}",
            f"{la}{self.rng.randrange(1, 999)}",
        ]
        for _ in range(20):
            local = self.rng.choice(patterns)
            mail = f"{local}@{provider}"
            if mail not in self._used_mails:
                self._used_mails.add(mail)
                return mail
            patterns.append(f"{f}{i}{la}{self.rng.randrange(1, 9999)}")
        raise RuntimeError("no unique mail")

    def person(self, female: bool | None = None, surname: tuple[str, str] | None = None) -> Person:
        female = self.chance(0.5) if female is None else female
        infix, last = surname or self.surname()
        first = self.first_name(female)
        birth = self.birth()
        mails = [self.private_mail(first, infix, last, birth)]
        if self.chance(self.shares.second_private_mail):
            mails.append(self.private_mail(first, infix, last, birth))
        return Person(
            party_id=self._new_party(),
            customer_id="",
            first=first,
            infix=infix,
            last=last,
            female=female,
            birth=birth,
            mails=mails,
            mobile=self.mobile(),
            address=self.address(),
            iban=self.iban(),
        )

    def org(self) -> Org:
        style = self.rng.random()
        infix, last = self.surname()
        family = f"{infix} {last}".strip()
        if style < 0.55:
            core = f"{self.rng.choice(names.TRADES)} {family}"
        elif style < 0.7:
            core = f"{family[0].upper()}{family[1:]} {self.rng.choice(names.TRADES)}"
        elif style < 0.8:
            core = f"{family[0].upper()}{family[1:]} & Zn."
        else:
            core = (self.rng.choice(names.BRAND_PARTS) + self.rng.choice(names.BRAND_PARTS).lower()).strip()
            core = f"{core} {self.rng.choice(names.BRAND_TAILS)}".strip()
        legal, variants = self.rng.choices(names.LEGAL_FORMS, [45, 15, 25, 3, 12])[0]
        domain_base = _mail_part(core.replace("&", "en").replace("Zn.", "zonen"))
        domain = f"{domain_base}.nl"
        n = 2
        while domain in self._used_domains:
            domain = f"{domain_base}{n}.nl" if self.chance(0.5) else f"{domain_base}-{_city_slug(self)}.nl"
            n += 1
        self._used_domains.add(domain)
        address = self.address(business=True)
        return Org(
            party_id=self._new_party(),
            customer_id=self._new_customer(),
            core=core,
            legal=legal,
            legal_variants=variants,
            kvk=f"{self.rng.randrange(10_000_000, 99_999_999)}",
            vat=f"NL{self.rng.randrange(100_000_000, 999_999_999)}B{self.rng.randrange(1, 4):02d}",
            domain=domain,
            address=address,
            phone=self.landline(address.city),
            multi_mailbox=self.chance(self.shares.org_mailboxes),
            iban=self.iban(),
        )

    def _build(self) -> None:
        s = self.shares
        built = 0
        while built < self.n_customers:
            if self.chance(s.b2b):
                org = self.org()
                for _ in range(max(1, min(12, int(self.rng.expovariate(1 / s.employees_mean)) + 1))):
                    p = self.person()
                    p.customer_id = org.customer_id
                    p.org = org
                    p.work_mail = self.work_mail(p, org)
                    if self.chance(s.mover):
                        self.move(p)
                    org.employees.append(p)
                self.orgs.append(org)
            else:
                joins = self.consumers and self.chance(s.household)
                if joins:
                    other = self.rng.choice(self.consumers[-400:])
                    same_name = self.chance(0.75)
                    p = self.person(female=not other.female, surname=(other.infix, other.last) if same_name else None)
                    if self.chance(0.3) and other.birth.year < 1984:  # a grown-up child rather than a partner
                        p.birth = self.birth(max(other.birth.year + 20, 1960), 2006)
                    p.address = other.address
                    hh = other.household or f"H{len(self.households) + 1:06d}"
                    other.household = p.household = hh
                    self.households.setdefault(hh, [other])
                    self.households[hh].append(p)
                    if self.chance(s.shared_landline) or other.home_phone:
                        other.home_phone = other.home_phone or self.landline(other.address.city)
                        p.home_phone = other.home_phone
                    if self.chance(s.joint_account):
                        p.iban = other.iban
                    if other.family_mail:
                        p.family_mail = other.family_mail
                    elif self.chance(s.family_mailbox):
                        provider = self.rng.choices(self.provider_names, self.provider_weights)[0]
                        base = f"fam{self.rng.choice(['.', '', '_'])}{_mail_part(other.infix + other.last)}"
                        mail = f"{base}@{provider}"
                        while mail in self._used_mails:
                            mail = f"{base}{self.rng.randrange(1, 99)}@{provider}"
                        self._used_mails.add(mail)
                        other.family_mail = p.family_mail = mail
                else:
                    p = self.person()
                p.customer_id = self._new_customer()
                if not p.household and self.chance(s.mover):
                    self.move(p)
                self.consumers.append(p)
            built += 1

    def work_mail(self, p: Person, org: Org) -> str:
        f, i, la = _mail_part(p.first), _mail_part(p.infix), _mail_part(p.last)
        local = self.rng.choice([f"{f}.{i}{la}", f"{f[0]}.{i}{la}", f"{f[0]}{i}{la}", f, f"{f}{la[0]}"])
        mail = f"{local}@{org.domain}"
        while mail in self._used_mails:
            mail = f"{local}{self.rng.randrange(2, 9)}@{org.domain}"
        self._used_mails.add(mail)
        return mail

    def move(self, p: Person) -> None:
        p.old_address = p.address
        p.address = self.address(near=p.address)
        p.moved_on = START + timedelta(days=self.rng.randrange(200, (END - START).days - 60))

    # ---------------------------------------------------------------- rendering

    def records(self) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
        """(entity path, source row, truth row) for every party-bearing record."""
        ids = _Ids(self.rng)
        for org in self.orgs:
            yield from self._org_records(org, ids)
            for p in org.employees:
                yield from self._employee_records(p, org, ids)
        for p in self.consumers:
            yield from self._consumer_records(p, ids)

    def _truth(self, party: str, customer: str, kind: str, quirks: list[str], **facts: str) -> dict[str, str]:
        return {"party_id": party, "customer_id": customer, "party_kind": kind, "quirks": ";".join(quirks), **facts}

    def org_name(self, org: Org, quirks: list[str], registered: bool = False) -> str:
        legal = org.legal if registered else self.rng.choice(org.legal_variants)
        core = org.core
        r = self.rng.random()
        if not registered and r < 0.15:
            core = core.lower()
            legal = legal.lower()
            quirks.append("name_case")
        elif not registered and r < 0.2:
            core = core.upper()
        name = f"{core} {legal}".strip()
        if not registered and self.chance(self.shares.typo):
            name = self.typo(name)
            quirks.append("typo")
        return name

    def _org_facts(self, org: Org, tag: list[str]) -> dict[str, str]:
        return {"household_id": "", "org_party_id": org.party_id, "mover": "0", "address_key": org.address.key}

    def _org_records(self, org: Org, ids: _Ids) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
        created = self.created()
        has_account = self.chance(0.88)
        base_q = ["org_mailbox"] if org.multi_mailbox else []
        mailboxes = self.rng.sample(names.ROLE_MAILBOXES[:4], k=4)
        if has_account:
            q = list(base_q)
            row = {
                "account_id": ids.next("account"),
                "company_name": self.org_name(org, q, registered=self.chance(0.7)),
                "kvk_number": self.kvk_format(org.kvk) if self.chance(0.8) else "",
                "vat_number": org.vat if self.chance(0.3) else "",
                **self.address_cols(org.address),
                "country": self.rng.choice(["NL", "NL", "Nederland", ""]),
                "phone": self.phone_format(org.phone) if self.chance(0.8) else "",
                "email": f"{mailboxes[0]}@{org.domain}" if self.chance(0.65) else "",
                "website": self.rng.choice([f"www.{org.domain}", f"https://{org.domain}", org.domain, ""]),
                "account_manager": self.rng.choice(["M. de Wit", "Sanne Pauw", "Rob Zijlstra", "K. Öztürk", ""]),
                "created_at": _ts(self.rng, created),
                "updated_at": _ts(self.rng, self.later(created)),
            }
            org.account_id = row["account_id"]
            yield (
                "crm/accounts",
                row,
                self._truth(org.party_id, org.customer_id, "organisation", q, **self._org_facts(org, q)),
            )
        n_debtors = 1 + (self.rng.choice([1, 1, 2]) if org.multi_mailbox else 0)
        for k in range(n_debtors if self.chance(0.93) else 0):
            q = list(base_q)
            with_kvk = k == 0 and self.chance(0.6)
            mailbox = mailboxes[(k + 1) % 4]
            yield (
                "finance/debtors",
                {
                    "debtor_number": ids.next("debtor"),
                    "name": self.org_name(org, q),
                    "kvk_number": self.kvk_format(org.kvk) if with_kvk else "",
                    "vat_number": org.vat if with_kvk and self.chance(0.5) else "",
                    "iban": self.iban_format(org.iban) if self.chance(0.85) else "",
                    **self.address_cols(org.address, sloppy=True),
                    "country": self.rng.choice(["NL", "NL", "NLD", ""]),
                    "email": (f"{mailbox}@{org.domain}" if self.chance(0.85) else "")
                    if org.multi_mailbox or self.chance(0.6)
                    else "",
                    "phone": self.phone_format(org.phone) if self.chance(0.5) else "",
                    "payment_terms_days": self.rng.choice(["14", "30", "30", "60"]),
                    "created_at": self.later(created).isoformat(),
                },
                self._truth(org.party_id, org.customer_id, "organisation", q, **self._org_facts(org, q)),
            )
        if org.multi_mailbox and self.chance(0.5):
            q = [*base_q, "role_requester"]
            yield (
                "service/requesters",
                {
                    "requester_id": ids.next("requester"),
                    "name": self.org_name(org, q) if self.chance(0.7) else "",
                    "email": f"{self.rng.choice(names.ROLE_MAILBOXES)}@{org.domain}",
                    "phone": self.phone_format(org.phone) if self.chance(0.5) else "",
                    "company": self.org_name(org, q) if self.chance(0.5) else "",
                    "created_at": _ts(self.rng, self.later(created)),
                },
                self._truth(org.party_id, org.customer_id, "organisation", q, **self._org_facts(org, q)),
            )

    def _person_facts(self, p: Person, address: Address | None) -> dict[str, str]:
        return {
            "household_id": p.household,
            "org_party_id": p.org.party_id if p.org else "",
            "mover": "1" if p.old_address else "0",
            "address_key": address.key if address else "",
        }

    def _address_at(self, p: Person, when: date) -> tuple[Address, list[str]]:
        if p.old_address is not None and p.moved_on is not None and when < p.moved_on:
            return p.old_address, ["mover", "old_address"]
        return p.address, (["mover"] if p.old_address else [])

    def _employee_records(self, p: Person, org: Org, ids: _Ids) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
        s = self.shares
        base = ["org_person"]
        yielded = False
        if org.account_id and self.chance(0.85):
            q = list(base)
            created = self.created()
            yield (
                "crm/contacts",
                self.contact_row(p, q, ids, org.account_id, created, work=True),
                self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, None)),
            )
            yielded = True
        if self.chance(s.employee_subscriber) or not yielded:
            q = list(base)
            private = self.chance(s.private_mail_at_work)
            when = self.created()
            addr, mq = self._address_at(p, when)
            q += mq
            yield (
                "marketing/subscribers",
                self.subscriber_row(p, q, ids, when, addr, org=org, private=private),
                self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, addr)),
            )
        if self.chance(s.employee_requester):
            q = list(base)
            private = self.chance(s.private_mail_at_work)
            yield (
                "service/requesters",
                self.requester_row(p, q, ids, org=org, private=private),
                self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, None)),
            )

    def _consumer_records(self, p: Person, ids: _Ids) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
        s = self.shares
        hq = ["household"] if p.household else []
        out = 0
        if self.chance(s.paying_consumer):
            n = 2 if self.chance(s.duplicate_in_system) or (p.old_address and self.chance(0.4)) else 1
            for k in range(n):
                q = list(hq) + (["duplicate"] if k else [])
                when = self.created() if k == 0 or p.moved_on is None else self.later(p.moved_on)
                addr, mq = self._address_at(p, when)
                q += mq
                yield (
                    "finance/debtors",
                    self.debtor_row(p, q, ids, when, addr),
                    self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, addr)),
                )
                out += 1
        if self.chance(s.consumer_contact):
            q = list(hq)
            when = self.created()
            addr, mq = self._address_at(p, when)
            q += mq
            row = self.contact_row(p, q, ids, "", when, work=False, address=addr)
            yield (
                "crm/contacts",
                row,
                self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, addr)),
            )
            out += 1
        if self.chance(s.consumer_subscriber) or out == 0:
            q = list(hq)
            when = self.created()
            addr, mq = self._address_at(p, when)
            q += mq
            yield (
                "marketing/subscribers",
                self.subscriber_row(p, q, ids, when, addr),
                self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, addr)),
            )
        if self.chance(s.consumer_requester):
            q = list(hq)
            yield (
                "service/requesters",
                self.requester_row(p, q, ids),
                self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, None)),
            )
        if p.family_mail and self._is_head(p):
            # the family mailbox record: surname only, the household's address, belongs to the head
            q = ["household", "family_mailbox", "sparse"]
            if self.chance(0.5):
                row = self.subscriber_row(p, q, ids, self.created(), p.address, family=True)
                entity = "marketing/subscribers"
            else:
                row = self.requester_row(p, q, ids, family=True)
                entity = "service/requesters"
            yield entity, row, self._truth(p.party_id, p.customer_id, "person", q, **self._person_facts(p, p.address))

    def phone_of(self, p: Person) -> str:
        return p.home_phone if p.home_phone and self.chance(0.5) else p.mobile

    def _is_head(self, p: Person) -> bool:
        return bool(p.household) and self.households[p.household][0] is p

    # ---------------------------------------------------------------- one record per system

    def name_parts(self, p: Person, quirks: list[str]) -> tuple[str, str, str]:
        first = p.first
        if first in names.NICKNAMES and self.chance(0.25):
            first = names.NICKNAMES[first]
            quirks.append("nickname")
        last = p.last
        if self.chance(self.shares.typo):
            if self.chance(0.7):
                last = self.typo(last)
            else:
                first = self.typo(first)
            quirks.append("typo")
        if self.chance(0.06):
            first = _fold(first)
            last = _fold(last)
        return first, p.infix, last

    def contact_row(
        self,
        p: Person,
        q: list[str],
        ids: _Ids,
        account_id: str,
        created: date,
        work: bool,
        address: Address | None = None,
    ) -> dict[str, str]:
        first, infix, last = self.name_parts(p, q)
        style = self.rng.random()
        if infix and style < 0.3:  # infix typed into the last name field
            infix_col, last_col = "", f"{infix} {last}"
        elif infix and style < 0.4:
            infix_col, last_col = "", f"{last}, {infix}"
        else:
            infix_col, last_col = infix, last
        if self.chance(0.08):
            first = first[0] + "."
            q.append("initial")
        if work:
            mail = p.work_mail if self.chance(0.8) else (self.rng.choice(p.mails) if self.chance(0.3) else "")
            if mail and mail != p.work_mail:
                q.append("private_mail")
        else:
            mail = self.rng.choice(p.mails) if self.chance(0.85) else ""
        addr_cols = self.address_cols(address) if address is not None and self.chance(0.9) else _blank_address()
        return {
            "contact_id": ids.next("contact"),
            "account_id": account_id,
            "first_name": first,
            "infix": infix_col,
            "last_name": last_col,
            "email": self.mail_format(mail),
            "phone": self.phone_format(p.org.phone if work and p.org else p.home_phone) if self.chance(0.4) else "",
            "mobile": self.phone_format(p.mobile) if self.chance(0.7) else "",
            "birth_date": p.birth.isoformat() if self.chance(0.25 if work else 0.6) else "",
            **addr_cols,
            "country": self.rng.choice(["NL", "", "Nederland"]) if address else "",
            "email_opt_in": self.rng.choice(["true", "false", "1", "0", ""]),
            "phone_opt_in": self.rng.choice(["true", "false", ""]),
            "created_at": _ts(self.rng, created),
            "updated_at": _ts(self.rng, self.later(created)),
        }

    def debtor_row(self, p: Person, q: list[str], ids: _Ids, created: date, addr: Address) -> dict[str, str]:
        first, infix, last = self.name_parts(p, q)
        sparse = self.chance(self.shares.sparse_debtor)
        if sparse:
            q.append("sparse")
        name = self.dutch_name(first, infix, last, initials_only=sparse)
        mail_p = 0.45 if sparse else 0.8
        mail = ""
        if self.chance(mail_p):
            mail = p.family_mail if p.family_mail and self.chance(0.35) else self.rng.choice(p.mails)
            if mail == p.family_mail:
                q.append("family_mailbox")
        return {
            "debtor_number": ids.next("debtor"),
            "name": name,
            "kvk_number": "",
            "vat_number": "",
            "iban": self.iban_format(p.iban) if self.chance(0.8) else "",
            **self.address_cols(addr, sloppy=True),
            "country": self.rng.choice(["NL", "NL", "NLD", "", "Nederland"]),
            "email": self.mail_format(mail),
            "phone": self.phone_format(self.phone_of(p)) if self.chance(0.3 if sparse else 0.55) else "",
            "payment_terms_days": "14",
            "created_at": created.isoformat(),
        }

    def subscriber_row(
        self,
        p: Person,
        q: list[str],
        ids: _Ids,
        when: date,
        addr: Address,
        org: Org | None = None,
        private: bool = True,
        family: bool = False,
    ) -> dict[str, str]:
        first, infix, last = self.name_parts(p, q)
        if family:
            mail = p.family_mail
            first, last = "", self.rng.choice([f"{infix} {last}".strip(), f"Fam. {infix} {last}".strip(), last])
        else:
            mail = self.rng.choice(p.mails) if private or org is None else p.work_mail
            if org is not None:
                q.append("private_mail" if private else "work_mail")
            style = self.rng.random()
            if style < 0.12:
                first = ""
                q.append("no_first_name")
            elif style < 0.2:
                last = ""
                q.append("no_last_name")
            else:
                last = self.infix_style(infix, last)
        unsub = ""
        if self.chance(0.15):
            unsub = self.later(when).isoformat()
        return {
            "subscriber_id": ids.next("subscriber"),
            "email": self.mail_format(mail),
            "first_name": first,
            "last_name": last,
            "company": (self.org_name(org, q) if self.chance(0.65) else "") if org is not None else "",
            "postcode": self.postcode_format(addr.postcode) if self.chance(0.35 if org else 0.55) else "",
            "opt_in": self.rng.choice(["true", "yes", "1", "true", "ja"]),
            "subscribed_at": _ts(self.rng, when),
            "unsubscribed_at": unsub,
        }

    def requester_row(
        self, p: Person, q: list[str], ids: _Ids, org: Org | None = None, private: bool = True, family: bool = False
    ) -> dict[str, str]:
        first, infix, last = self.name_parts(p, q)
        if family:
            mail = p.family_mail
            name = self.rng.choice([f"Fam. {infix} {last}".strip(), f"{infix} {last}".strip(), f"familie {last}", ""])
        else:
            mail = self.rng.choice(p.mails) if private or org is None else p.work_mail
            if org is not None:
                q.append("private_mail" if private else "work_mail")
            name = self.dutch_name(first, infix, last, initials_only=self.chance(0.2)) if self.chance(0.85) else ""
            if not name:
                q.append("no_name")
        return {
            "requester_id": ids.next("requester"),
            "name": name,
            "email": self.mail_format(mail) if self.chance(0.92) else "",
            "phone": self.phone_format(self.phone_of(p)) if self.chance(0.45) else "",
            "company": (self.org_name(org, q) if self.chance(0.55) else "") if org is not None else "",
            "created_at": _ts(self.rng, self.created()),
        }

    # ---------------------------------------------------------------- formats

    def dutch_name(self, first: str, infix: str, last: str, initials_only: bool = False) -> str:
        if initials_only:
            n = 1 if self.chance(0.7) else 2
            letters = [first[0].upper()] + [self.rng.choice("AJMPCHW") for _ in range(n - 1)]
            given = "".join(f"{c}." for c in letters)
            if self.chance(0.15):
                given = ""
        else:
            given = first
        r = self.rng.random()
        if r < 0.5:
            return " ".join(x for x in (given, self.infix_style(infix, last)) if x)
        if r < 0.8:  # "Berg, J. van den" / "Berg, van den, Jan"
            if infix and self.chance(0.5):
                return f"{last}, {given} {infix}".strip() if given else f"{last}, {infix}"
            return (
                f"{last}, {infix} {given}".replace("  ", " ").strip(", ") if infix else f"{last}, {given}".strip(", ")
            )
        if r < 0.9:  # "Berg van den, J."
            return f"{last} {infix}, {given}".replace("  ", " ").strip(", ")
        return " ".join(x for x in (given, infix, last) if x).upper()

    def infix_style(self, infix: str, last: str) -> str:
        if not infix:
            return last
        r = self.rng.random()
        short = {"van der": "v.d.", "van den": "v.d.", "van de": "v.d.", "van": "v."}.get(infix)
        if r < 0.55:
            return f"{infix} {last}"
        if r < 0.7:
            return f"{infix[0].upper()}{infix[1:]} {last}"
        if r < 0.8 and short:
            return f"{short} {last}"
        if r < 0.87 and infix in ("van der", "van den"):
            return f"v/d {last}"
        if r < 0.95:
            return f"{infix}{last}" if infix in ("de",) else f"{infix} {last}"
        return f"{last} {infix}"

    def typo(self, s: str) -> str:
        letters = [i for i, c in enumerate(s) if c.isalpha()]
        if len(letters) < 3:
            return s
        i = self.rng.choice(letters[1:])
        kind = self.rng.random()
        if kind < 0.3:  # doubled letter: Broekhhoven
            return s[:i] + s[i] + s[i:]
        if kind < 0.55 and i + 1 < len(s):  # transposition
            return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        if kind < 0.8:  # neighbouring key
            return s[:i] + _neighbour(self.rng, s[i]) + s[i + 1 :]
        return s[:i] + s[i + 1 :]  # dropped letter

    def phone_format(self, digits: str) -> str:
        if not digits:
            return ""
        national = digits[1:]
        mobile = digits.startswith("06")
        r = self.rng.random()
        if mobile:
            choices = [
                digits,
                f"06-{digits[2:]}",
                f"06 {digits[2:4]} {digits[4:6]} {digits[6:8]} {digits[8:]}",
                f"+31{national}",
                f"+31 6 {digits[2:6]} {digits[6:]}",
                f"0031 6 {digits[2:]}",
                f"+31 (0)6 {digits[2:]}",
            ]
        else:
            area = 3 if digits[:3] in names.AREA_CODES.values() else 4
            choices = [
                digits,
                f"{digits[:area]}-{digits[area:]}",
                f"({digits[:area]}) {digits[area:]}",
                f"+31 {digits[1:area]} {digits[area:]}",
                f"+31{national}",
                f"{digits[:area]} {digits[area : area + 3]} {digits[area + 3 :]}",
            ]
        return choices[min(int(r * len(choices)), len(choices) - 1)]

    def postcode_format(self, pc: str) -> str:
        r = self.rng.random()
        if r < 0.5:
            return pc
        if r < 0.8:
            return f"{pc[:4]} {pc[4:]}"
        if r < 0.95:
            return f"{pc[:4]} {pc[4:].lower()}"
        return pc.lower()

    def address_cols(self, a: Address, sloppy: bool = False) -> dict[str, str]:
        number = str(a.number)
        if a.addition:
            number += self.rng.choice([a.addition, f"-{a.addition}", f" {a.addition}"])
        city = names.CITIES[a.city][1]
        return {
            "street": a.street.upper() if sloppy and self.chance(0.1) else a.street,
            "house_number": number,
            "postcode": self.postcode_format(a.postcode) if self.chance(0.93) else "",
            "city": self.rng.choice(city) if sloppy else city[0],
        }

    def mail_format(self, mail: str) -> str:
        if not mail:
            return ""
        r = self.rng.random()
        if r < 0.08:
            local, dom = mail.split("@")
            return f"{local[:1].upper()}{local[1:]}@{dom}"
        if r < 0.1:
            return mail.upper()
        if r < 0.13:
            return f" {mail} "
        return mail

    def iban_format(self, iban: str) -> str:
        r = self.rng.random()
        if r < 0.6:
            return iban
        if r < 0.9:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban.lower()

    def kvk_format(self, kvk: str) -> str:
        return self.rng.choice([kvk, kvk, f"KvK {kvk}", f"{kvk[:4]} {kvk[4:]}", f"{kvk}0000"])

    def created(self) -> date:
        return START + timedelta(days=self.rng.randrange((END - START).days - 30))

    def later(self, d: date) -> date:
        return min(END, d + timedelta(days=self.rng.randrange(0, max(1, (END - d).days))))


class _Ids:
    """Source-native record ids, one style per system (not the demo's)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.n: dict[str, int] = {}

    def next(self, kind: str) -> str:
        n = self.n[kind] = self.n.get(kind, 0) + 1
        if kind == "account":
            return f"{1_000_000 + n * 7}"
        if kind == "contact":
            return f"0031C{n:06d}"
        if kind == "debtor":
            return f"{20_000 + n}"
        if kind == "subscriber":
            return f"{self.rng.getrandbits(64):016x}{n:06d}"
        if kind == "requester":
            return f"{360_000_000_000 + n * 13}"
        raise ValueError(kind)


def _iban_numeric(s: str) -> str:
    return "".join(str(int(c, 36)) for c in s)


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).replace("ı", "i")


def _mail_part(s: str) -> str:
    return "".join(c for c in _fold(s).lower() if c.isalnum())


def _city_slug(world: World) -> str:
    return _mail_part(world.rng.choice(names.CITIES)[1][0])


def _neighbour(rng: random.Random, c: str) -> str:
    rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
    lower = c.lower()
    for row in rows:
        if lower in row:
            i = row.index(lower)
            j = i + rng.choice([-1, 1]) if 0 < i < len(row) - 1 else (1 if i == 0 else i - 1)
            out = row[j]
            return out.upper() if c.isupper() else out
    return c


def _blank_address() -> dict[str, str]:
    return {"street": "", "house_number": "", "postcode": "", "city": ""}


def _ts(rng: random.Random, d: date) -> str:
    t = datetime(d.year, d.month, d.day, rng.randrange(7, 22), rng.randrange(60), rng.randrange(60))
    return t.isoformat(sep=rng.choice(["T", " "]))


# ---------------------------------------------------------------- facts and files

COLUMNS = {
    "crm/accounts": "account_id,company_name,kvk_number,vat_number,street,house_number,postcode,city,country,phone,"
    "email,website,account_manager,created_at,updated_at",
    "crm/contacts": "contact_id,account_id,first_name,infix,last_name,email,phone,mobile,birth_date,street,"
    "house_number,postcode,city,country,email_opt_in,phone_opt_in,created_at,updated_at",
    "crm/activities": "activity_id,contact_id,account_id,activity_type,direction,occurred_at,duration_minutes,"
    "employee,subject",
    "finance/debtors": "debtor_number,name,kvk_number,vat_number,iban,street,house_number,postcode,city,country,"
    "email,phone,payment_terms_days,created_at",
    "finance/invoices": "invoice_number,debtor_number,invoice_date,due_date,paid_date,amount_excl_vat,vat_amount,"
    "cost_amount,status",
    "marketing/subscribers": "subscriber_id,email,first_name,last_name,company,postcode,opt_in,subscribed_at,"
    "unsubscribed_at",
    "marketing/events": "event_id,subscriber_id,campaign_id,campaign_name,channel,event_type,occurred_at,cost",
    "service/requesters": "requester_id,name,email,phone,company,created_at",
    "service/tickets": "ticket_id,requester_id,created_at,resolved_at,category,channel,priority,status,satisfaction",
    "service/surveys": "survey_id,requester_id,ticket_id,sent_at,responded_at,nps_score",
}
# where each entity's file goes, and how the source system writes it
FILES = {
    "crm/accounts": "export_accounts_20260930.csv",
    "crm/contacts": "export_contactpersonen_20260930.csv",
    "crm/activities": "export_activiteiten_20260930.csv",
    "finance/debtors": "debiteuren_2026-09-30.csv",
    "finance/invoices": "verkoopfacturen_2026-09-30.csv",
    "marketing/subscribers": "audience_export_2026-09-30.csv",
    "marketing/events": "campaign_activity_2026-09-30.csv",
    "service/requesters": "users_2026-09-30.csv",
    "service/tickets": "tickets_2026-09-30.csv",
    "service/surveys": "nps_2026-09-30.csv",
}
KEYS = {
    "crm/accounts": "account_id",
    "crm/contacts": "contact_id",
    "finance/debtors": "debtor_number",
    "marketing/subscribers": "subscriber_id",
    "service/requesters": "requester_id",
}


class _Writers:
    """One csv writer per entity; finance writes Windows-1252 with semicolons, as Dutch accounting exports do."""

    def __init__(self, landing: Path) -> None:
        self.files = {}
        self.writers = {}
        self.counts: dict[str, int] = {}
        for entity, cols in COLUMNS.items():
            path = landing / entity / FILES[entity]
            path.parent.mkdir(parents=True, exist_ok=True)
            finance = entity.startswith("finance/")
            f = path.open("w", newline="", encoding="cp1252" if finance else "utf-8", errors="replace")
            self.files[entity] = f
            w = csv.writer(f, delimiter=";" if finance else ",", lineterminator="\r\n" if finance else "\n")
            w.writerow(cols.split(","))
            self.writers[entity] = (w, cols.split(","))
            self.counts[entity] = 0

    def write(self, entity: str, row: dict[str, str]) -> None:
        w, cols = self.writers[entity]
        w.writerow([row.get(c, "") for c in cols])
        self.counts[entity] += 1

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def _facts(
    world: World, entity: str, row: dict[str, str], truth: dict[str, str], out: _Writers, n: dict[str, int]
) -> None:
    """Transactions for one party-bearing record, enough for `cvm run` to go end to end."""
    rng = world.rng
    if entity == "finance/debtors":
        start = date.fromisoformat(row["created_at"])
        b2b = truth["party_kind"] == "organisation"
        rate = rng.lognormvariate(1.2 if b2b else 0.4, 0.8)  # invoices per year
        mean = rng.lognormvariate(6.5 if b2b else 4.3, 0.7)
        alive_until = END if rng.random() < 0.7 else start + timedelta(days=rng.randrange(30, 900))
        d = start
        while True:
            d += timedelta(days=max(1, int(rng.expovariate(rate / 365))))
            if d > min(END, alive_until):
                break
            n["invoice"] += 1
            amount = round(max(5.0, rng.gammavariate(2, mean / 2)), 2)
            status = rng.choices(["paid", "open", "credited"], [90, 7, 3])[0]
            due = d + timedelta(days=int(row["payment_terms_days"] or 14))
            paid = d + timedelta(days=rng.randrange(1, 60)) if status == "paid" else None
            out.write(
                "finance/invoices",
                {
                    "invoice_number": f"VF{d.year}-{n['invoice']:07d}",
                    "debtor_number": row["debtor_number"],
                    "invoice_date": d.isoformat(),
                    "due_date": due.isoformat(),
                    "paid_date": paid.isoformat() if paid and paid <= END else "",
                    "amount_excl_vat": f"{amount:.2f}",
                    "vat_amount": f"{amount * 0.21:.2f}",
                    "cost_amount": f"{amount * rng.uniform(0.4, 0.75):.2f}",
                    "status": status,
                },
            )
    elif entity == "marketing/subscribers":
        start = datetime.fromisoformat(row["subscribed_at"].replace(" ", "T")).date()
        for _ in range(rng.randrange(1, 8)):
            d = world.later(start)
            n["event"] += 1
            channel = rng.choice(["email", "newsletter", "newsletter", "mailing", "web"])
            out.write(
                "marketing/events",
                {
                    "event_id": f"E{n['event']:09d}",
                    "subscriber_id": row["subscriber_id"],
                    "campaign_id": f"CMP{d:%Y%m}",
                    "campaign_name": f"Nieuwsbrief {d:%m-%Y}",
                    "channel": channel,
                    "event_type": rng.choices(["sent", "open", "click", "bounce", "conversion"], [50, 25, 12, 3, 2])[0],
                    "occurred_at": _ts(rng, d),
                    "cost": "0.85" if channel == "mailing" else "",
                },
            )
    elif entity == "service/requesters":
        start = datetime.fromisoformat(row["created_at"].replace(" ", "T")).date()
        for _ in range(rng.randrange(1, 4)):
            d = world.later(start)
            n["ticket"] += 1
            tid = f"T{n['ticket']:08d}"
            out.write(
                "service/tickets",
                {
                    "ticket_id": tid,
                    "requester_id": row["requester_id"],
                    "created_at": _ts(rng, d),
                    "resolved_at": _ts(rng, min(END, d + timedelta(days=rng.randrange(0, 10)))),
                    "category": rng.choices(["question", "complaint", "return", "other"], [55, 20, 15, 10])[0],
                    "channel": rng.choice(["phone", "email", "chat", "web"]),
                    "priority": rng.choice(["low", "normal", "normal", "high"]),
                    "status": "solved",
                    "satisfaction": str(rng.randrange(1, 6)) if rng.random() < 0.4 else "",
                },
            )
            if rng.random() < 0.3:
                n["survey"] += 1
                out.write(
                    "service/surveys",
                    {
                        "survey_id": f"S{n['survey']:08d}",
                        "requester_id": row["requester_id"],
                        "ticket_id": tid,
                        "sent_at": _ts(rng, d),
                        "responded_at": _ts(rng, d) if rng.random() < 0.6 else "",
                        "nps_score": str(rng.choices(range(11), [1, 1, 1, 1, 2, 3, 5, 8, 10, 8, 6])[0]),
                    },
                )
    elif entity == "crm/contacts":
        for _ in range(rng.randrange(0, 4)):
            d = world.later(datetime.fromisoformat(row["created_at"].replace(" ", "T")).date())
            n["activity"] += 1
            out.write(
                "crm/activities",
                {
                    "activity_id": f"ACTV{n['activity']:08d}",
                    "contact_id": row["contact_id"],
                    "account_id": row["account_id"],
                    "activity_type": rng.choice(["call", "email", "visit", "meeting", "mailing"]),
                    "direction": rng.choice(["inbound", "outbound"]),
                    "occurred_at": _ts(rng, d),
                    "duration_minutes": str(rng.randrange(5, 90)),
                    "employee": rng.choice(["Sanne Pauw", "Rob Zijlstra", "K. Öztürk"]),
                    "subject": rng.choice(["Offerte", "Klacht", "Kennismaking", "Jaargesprek", "Factuurvraag"]),
                },
            )


def generate(out: Path, customers: int, seed: int, shares: Shares | None = None) -> dict[str, object]:
    """Write the landing zone and truth under `out`; return the manifest."""
    shares = shares or Shares()
    world = World(customers, seed, shares)
    landing = out / "landing"
    truth_dir = out / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    writers = _Writers(landing)
    n = {"invoice": 0, "event": 0, "ticket": 0, "survey": 0, "activity": 0}
    truth_cols = ["source_system", "source_entity", "source_record_id", "party_id", "customer_id", "party_kind"]
    class_cols = [*truth_cols, "quirks", "household_id", "org_party_id", "mover", "address_key"]
    with (
        (truth_dir / "records.csv").open("w", newline="", encoding="utf-8") as tf,
        (truth_dir / "record_classes.csv").open("w", newline="", encoding="utf-8") as cf,
    ):
        tw = csv.DictWriter(tf, truth_cols, extrasaction="ignore")
        cw = csv.DictWriter(cf, class_cols, extrasaction="ignore")
        tw.writeheader()
        cw.writeheader()
        for entity, row, truth in world.records():
            writers.write(entity, row)
            system, ent = entity.split("/")
            t = {"source_system": system, "source_entity": ent, "source_record_id": row[KEYS[entity]], **truth}
            tw.writerow(t)
            cw.writerow(t)
            _facts(world, entity, row, truth, writers, n)
    writers.close()
    manifest = {
        "generator": "bench/independent_landing.py",
        "seed": seed,
        "customers": customers,
        "as_of": END.isoformat(),
        "shares": asdict(shares),
        "counts": writers.counts,
        "organisations": len(world.orgs),
        "consumers": len(world.consumers),
        "households": len(world.households),
    }
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    manifest = generate(Path(args.out), args.customers, args.seed)
    print(json.dumps(manifest["counts"]))


if __name__ == "__main__":
    main()
