"""The true world: customers (organisations with their persons, or single persons) in clean form.

One chunk of customers at a time; nothing here knows about source systems or messiness. Households and
office buildings are formed inside a chunk, so shared addresses need no global state.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from cvm.demo import history, identifiers, names

B2B_SHARE = 0.40
CONTACTS_PER_ORG = (1, 2, 3, 4)
CONTACTS_PER_ORG_WEIGHTS = (0.35, 0.30, 0.20, 0.15)
NAMESAKE_RATE = 0.015  # persons given one of the COMMON_NAMES on purpose
MOVED_RATE = 0.06  # persons whose CRM address is the old one (finance has the new one)
HOUSEHOLD_RATE = 0.08  # B2C customers living at the address of another B2C customer
FAMILY_MAILBOX_RATE = 0.35  # of those households: one shared e-mail address
OFFICE_BUILDING_RATE = 0.15  # organisations in the same building as another organisation
SHARED_MAILBOX_RATE = 0.12  # organisations whose contacts all use info@<domain>

_SURNAME_WEIGHTS = tuple(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(names.SURNAMES))))
_CITY_WEIGHTS = tuple(itertools.accumulate(c[4] for c in names.CITIES))


@dataclass(slots=True)
class Address:
    street: str
    number: int
    addition: str
    pc_number: int
    pc_letters: str
    city_index: int

    @property
    def city(self) -> str:
        return names.CITIES[self.city_index][0]


@dataclass(slots=True)
class Person:
    party_id: str
    index: int  # global person counter: source of unique phone numbers and e-mail tags
    gender: str
    first: str  # formal first name
    call: str  # the name used day to day (a nickname or the formal name)
    infix: str
    last: str
    birth: date
    email: str
    mobile: str  # national significant number
    landline: str  # national significant number or ""
    address: Address
    old_address: Address | None = None  # before moving; the CRM was never updated
    private_email: str = ""


@dataclass(slots=True)
class Organisation:
    party_id: str
    index: int
    name: str  # without legal form
    legal_form: str
    kvk: str
    vat: str
    iban: str
    address: Address
    phone: str
    domain: str
    shared_mailbox: bool
    account_manager: str


@dataclass(slots=True)
class Customer:
    index: int
    customer_id: str
    kind: str  # organisation | person
    acquired: int  # day ordinal of the first purchase
    rate: float
    dropout: float
    mean_spend: float
    intensity: float  # how much attention the company gives this customer (value based)
    purchases: list[tuple[int, float]]
    dropped_at: int | None
    payment_terms: int
    iban: str
    org: Organisation | None
    persons: list[Person] = field(default_factory=list)


@dataclass
class Counters:
    """Global sequence numbers: they make party ids and identifying numbers unique across chunks."""

    parties: int = 0
    persons: int = 0
    orgs: int = 0


class WorldBuilder:
    """Builds chunks of customers; salts come from the seed so another seed gives other numbers."""

    def __init__(self, seed: int, start: date, end: date, total: int) -> None:
        self.start_day = start.toordinal()
        self.end_day = end.toordinal()
        self.end = end
        self.total = total
        salt_rng = random.Random(f"cvm-demo-salts:{seed}")
        self.salts = {
            k: salt_rng.randrange(1, 10**12) for k in ("kvk", "vat", "iban", "mobile", "landline", "email", "brand")
        }
        self.email_modulus = 10 ** max(3, len(str(5 * total)))
        self.counters = Counters()

    def _party_id(self) -> str:
        self.counters.parties += 1
        return f"P{self.counters.parties:08d}"

    def build_chunk(self, first_index: int, size: int, gen: np.random.Generator, rng: random.Random) -> list[Customer]:
        """Customers first_index .. first_index + size - 1, in acquisition order."""
        lo, hi = first_index / self.total, (first_index + size) / self.total
        span = self.end_day - 7 - self.start_day
        acquired = self.start_day + (history.acquisition_days(gen, lo, hi, size) * span).astype(np.int64)
        is_b2b = gen.random(size) < B2B_SHARE
        draws = {
            kind: history.draw_latent(gen, pri, size)
            for kind, pri in (("organisation", history.B2B), ("person", history.B2C))
        }
        customers: list[Customer] = []
        prev_b2c: Customer | None = None
        prev_b2b: Customer | None = None
        for i in range(size):
            kind = "organisation" if is_b2b[i] else "person"
            pri = history.B2B if is_b2b[i] else history.B2C
            d = draws[kind]
            rate, dropout, nu = float(d.rate[i]), float(d.dropout[i]), float(d.nu[i])
            first_day = int(acquired[i])
            purchases, dropped = history.simulate_purchases(
                rng, first_day, self.end_day, rate, dropout, pri.spend_p, nu
            )
            mean_spend = pri.spend_p / nu
            value = rate * mean_spend * (1.0 - dropout)
            intensity = min(3.0, max(0.3, (value / history.TYPICAL_YEARLY_VALUE[kind]) ** 0.5))
            index = first_index + i
            cust = Customer(
                index=index,
                customer_id=f"C{index + 1:07d}",
                kind=kind,
                acquired=first_day,
                rate=rate,
                dropout=dropout,
                mean_spend=mean_spend,
                intensity=intensity,
                purchases=purchases,
                dropped_at=dropped,
                payment_terms=14,
                iban="",
                org=None,
            )
            if is_b2b[i]:
                self._add_organisation(cust, rng, prev_b2b)
                prev_b2b = cust
            else:
                self._add_consumer(cust, rng, prev_b2c)
                prev_b2c = cust
            customers.append(cust)
        return customers

    # -- organisations ---------------------------------------------------------------------------------

    def _brand(self, org_index: int) -> tuple[str, str]:
        """A unique brand name (bijective in the org counter) and its web domain."""
        code = identifiers.scramble(org_index, 24**4 * 4, self.salts["brand"])
        sylls = []
        rest = code % 24**4
        for _ in range(4):
            rest, k = divmod(rest, 24)
            sylls.append(names.BRAND_SYLLABLES[k])
        brand = "".join(sylls) + ("", "a", "o", "x")[code // 24**4]
        return brand.capitalize(), brand + ".nl"

    def _add_organisation(self, cust: Customer, rng: random.Random, neighbour: Customer | None) -> None:
        self.counters.orgs += 1
        idx = self.counters.orgs
        brand, domain = self._brand(idx)
        prefix, suffix = rng.choice(names.COMPANY_SECTORS)
        style = rng.random()
        if style < 0.55:
            core = f"{brand} {suffix}"
        elif style < 0.8:
            infix, last = self._surname(rng)
            core = f"{prefix} {names.capitalised_infix(infix)} {last}" if infix else f"{prefix} {last}"
        else:
            core = brand
        forms = names.LEGAL_FORMS
        legal = rng.choices([f[0] for f in forms], weights=[f[1] for f in forms])[0]
        if neighbour is not None and neighbour.org is not None and rng.random() < OFFICE_BUILDING_RATE:
            base = neighbour.org.address
            address = Address(
                base.street,
                base.number,
                rng.choice(("", "a", "b", "-1", "-2", "-3")),
                base.pc_number,
                base.pc_letters,
                base.city_index,
            )
        else:
            address = self._address(rng, business=True)
        area = names.CITIES[address.city_index][3]
        cust.org = Organisation(
            party_id=self._party_id(),
            index=idx,
            name=core,
            legal_form=legal,
            kvk=identifiers.kvk_number(idx, self.salts["kvk"]),
            vat=identifiers.vat_number(idx, self.salts["vat"]) if legal else "",
            iban=identifiers.nl_iban(2 * idx, self.salts["iban"]),
            address=address,
            phone=identifiers.landline_number(2 * idx, self.salts["landline"], area),
            domain=domain,
            shared_mailbox=rng.random() < SHARED_MAILBOX_RATE,
            account_manager=rng.choice(names.EMPLOYEES),
        )
        cust.iban = cust.org.iban
        cust.payment_terms = rng.choice((14, 30, 30, 30, 60))
        n_contacts = rng.choices(CONTACTS_PER_ORG, weights=CONTACTS_PER_ORG_WEIGHTS)[0]
        for _ in range(n_contacts):
            person = self._person(rng, min_age=23, max_age=66)
            first = names.slug(person.call)
            last = names.slug(names.full_last_name(person.infix, person.last))
            pattern = rng.random()
            if cust.org.shared_mailbox:
                person.email = f"info@{domain}"
            elif pattern < 0.6:
                person.email = f"{first}.{last}@{domain}"
            elif pattern < 0.85:
                person.email = f"{first[0]}.{last}@{domain}"
            else:
                person.email = f"{first}@{domain}"
            cust.persons.append(person)

    # -- consumers -------------------------------------------------------------------------------------

    def _add_consumer(self, cust: Customer, rng: random.Random, neighbour: Customer | None) -> None:
        household = neighbour is not None and rng.random() < HOUSEHOLD_RATE
        person = self._person(rng, min_age=19, max_age=85)
        if household and neighbour is not None:
            other = neighbour.persons[0]
            person.address = Address(
                other.address.street,
                other.address.number,
                other.address.addition,
                other.address.pc_number,
                other.address.pc_letters,
                other.address.city_index,
            )
            person.old_address = None
            if rng.random() < 0.7:  # spouse or grown-up child with the same surname
                person.infix, person.last = other.infix, other.last
            person.landline = other.landline
            if rng.random() < FAMILY_MAILBOX_RATE:
                # the chunk is built before anything is written, so both members can get the mailbox
                family = names.slug(names.full_last_name(other.infix, other.last))
                other.email = person.email = f"fam.{family}@{other.email.split('@')[1]}"
        cust.iban = identifiers.nl_iban(2 * person.index + 1, self.salts["iban"])
        cust.persons.append(person)

    # -- building blocks -------------------------------------------------------------------------------

    def _surname(self, rng: random.Random) -> tuple[str, str]:
        return rng.choices(names.SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]

    def _address(self, rng: random.Random, business: bool, city_index: int | None = None) -> Address:
        if city_index is None:
            city_index = rng.choices(range(len(names.CITIES)), cum_weights=_CITY_WEIGHTS)[0]
        city = names.CITIES[city_index]
        streets = names.BUSINESS_STREETS if business else names.RESIDENTIAL_STREETS
        addition = rng.choice(identifiers.HOUSE_ADDITIONS[1:]) if rng.random() < 0.15 else ""
        return Address(
            rng.choice(streets),
            int(rng.paretovariate(1.2) * 3) % 250 + 1,
            addition,
            rng.randint(city[1], city[2]),
            identifiers.postcode_letters(rng),
            city_index,
        )

    def _person(self, rng: random.Random, min_age: int, max_age: int) -> Person:
        self.counters.persons += 1
        idx = self.counters.persons
        if rng.random() < NAMESAKE_RATE:
            gender, call, infix, last = rng.choice(names.COMMON_NAMES)
            first = call
        else:
            gender = "M" if rng.random() < 0.5 else "F"
            first, nicks = rng.choice(names.MALE_FIRST if gender == "M" else names.FEMALE_FIRST)
            call = rng.choice(nicks) if nicks and rng.random() < 0.6 else first
            infix, last = self._surname(rng)
        age_days = rng.randint(min_age * 365, max_age * 365)
        address = self._address(rng, business=False)
        old = self._address(rng, business=False) if rng.random() < MOVED_RATE else None
        area = names.CITIES[address.city_index][3]
        landline = identifiers.landline_number(2 * idx + 1, self.salts["landline"], area) if rng.random() < 0.35 else ""
        tag = identifiers.scramble(idx, self.email_modulus, self.salts["email"])
        fs, ls = names.slug(call), names.slug(names.full_last_name(infix, last))
        local = rng.choice((f"{fs}.{ls}{tag}", f"{fs[0]}{ls}{tag}", f"{fs}{tag}", f"{ls}.{fs}{tag}"))
        email = f"{local}@{rng.choice(names.EMAIL_DOMAINS)}"
        return Person(
            party_id=self._party_id(),
            index=idx,
            gender=gender,
            first=first,
            call=call,
            infix=infix,
            last=last,
            birth=date.fromordinal(self.end_day - age_days),
            email=email,
            mobile=identifiers.mobile_number(idx, self.salts["mobile"]),
            landline=landline,
            address=address,
            old_address=old,
            private_email=email,
        )
