"""Python-side normalisation on top of dbt's int_party_records: keys the comparisons and blocks need.

dbt already lowercases, folds accents and splits infixes; this module is defensive about the cases a
source still gets through ('jong, de' left in last_name), maps nicknames to one canonical first name,
and derives phonetic and partial keys (postcode 4 digits, e-mail without role mailboxes) for blocking.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a standardisation seed (dbt_project/seeds/<name>.csv): the one list dbt and Python share."""
    with (SEEDS_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f))


@cache
def nicknames() -> dict[str, frozenset[str]]:
    """Nickname/short form -> the formal first names it can stand for (seed name_nicknames; 'nel' is
    Cornelia or Petronella)."""
    out: dict[str, set[str]] = {}
    for r in seed_rows("name_nicknames"):
        out.setdefault(r["nickname"].lower(), set()).add(r["formal_first_name"].lower())
    return {k: frozenset(v) for k, v in out.items()}


def formal_names(first: str | None) -> frozenset[str]:
    """The name itself and every formal name it can be short for."""
    if not first:
        return frozenset()
    return frozenset({first}) | nicknames().get(first, frozenset())


def related_first_names(a: str | None, b: str | None) -> bool:
    """Same name, or nickname and formal name of one another ('kees'/'cornelis', 'nel'/'petronella')."""
    return bool(a and b and formal_names(a) & formal_names(b))


@cache
def infixes() -> tuple[str, ...]:
    """Dutch surname prefixes, longest first so 'van der' wins over 'van' (seed name_infixes)."""
    return tuple(sorted({r["infix"].lower() for r in seed_rows("name_infixes")}, key=len, reverse=True))


@cache
def public_email_domains() -> frozenset[str]:
    """Mail providers anyone can use: a shared domain there says nothing (seed public_email_domains)."""
    return frozenset(r["domain"].lower() for r in seed_rows("public_email_domains"))


@cache
def _mailboxes() -> tuple[frozenset[str], tuple[str, ...]]:
    rows = seed_rows("generic_mailboxes")
    exact = frozenset(r["local_part"].lower() for r in rows if r["match"] == "exact")
    prefixes = tuple(r["local_part"].lower() for r in rows if r["match"] == "prefix")
    return exact, prefixes


def is_generic_mailbox(email: str | None) -> bool:
    """info@, facturen@, crediteuren@ (exact local part) or fam.jansen@ (prefix followed by . - _ or
    the end): a mailbox shared by several people, so it does not identify a person (seed
    generic_mailboxes)."""
    if not email or "@" not in email:
        return False
    local = email.split("@", 1)[0].lower()
    exact, prefixes = _mailboxes()
    if local in exact:
        return True
    return any(local == p or (local.startswith(p) and local[len(p)] in ".-_") for p in prefixes)


def is_family_mailbox(local: str, surnames: Mapping[str, object]) -> bool:
    """'famjansen', 'famdejong78', 'familievandijk': a family prefix written straight against a surname
    the records carry (digits dropped). Shared by a household like fam.jansen@; the surname must be a
    known one, so 'famke.jansen' (a first name) stays personal."""
    slug = re.sub(r"[^a-z]", "", local)
    return any(slug.startswith(p) and slug[len(p) :] in surnames for p in _mailboxes()[1])


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].lower() or None


_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z' ]+")


def fold(text: object) -> str | None:
    """Lowercase, strip accents and punctuation, collapse spaces; None for blank."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    s = _SPACES.sub(" ", _NON_ALNUM.sub(" ", s)).strip()
    return s or None


def split_infix(last_name: str | None, infix: str | None) -> tuple[str | None, str | None]:
    """('jong, de', None) and ('de jong', None) -> ('jong', 'de'); a given infix is kept."""
    if not last_name:
        return last_name, infix
    if "," in last_name:
        name, _, rest = last_name.partition(",")
        return name.strip(), fold(rest) or infix
    if infix:
        return last_name, infix
    for candidate in infixes():
        if last_name.startswith(candidate + " ") and len(last_name) > len(candidate) + 1:
            return last_name[len(candidate) + 1 :].strip(), candidate
    return last_name, infix


def canonical_first_name(first_name: str | None) -> str | None:
    """Canonical form of the first given name (the first of its formal names); None for a bare initial
    ('d.'), which neither confirms nor contradicts a full name."""
    if not first_name:
        return None
    first = first_name.split(" ")[0]
    if len(first) == 1:
        return None
    mapped = nicknames().get(first)
    return min(mapped) if mapped else first


def first_initials(first_name: str | None) -> str | None:
    """Initials a person with this first name may use: 'tinus' -> 'mt' (Martinus); 'm' -> 'm'."""
    if not first_name:
        return None
    first = first_name.split(" ")[0]
    return "".join(sorted({n[0] for n in formal_names(first)}))


@cache
def _nicknames_of() -> dict[str, frozenset[str]]:
    """Formal first name -> the nicknames it goes by ('johannes' -> 'hans', 'jan', ...)."""
    out: dict[str, set[str]] = {}
    for nick, forms in nicknames().items():
        for form in forms:
            out.setdefault(form, set()).add(nick)
    return {k: frozenset(v) for k, v in out.items()}


def called_initials(first_name: str | None) -> str | None:
    """Initials of the names a person with this first name is called by ('johannes' -> 'hjj..': Hans,
    Jan): a ledger or helpdesk may abbreviate the call name ('H. Woldeers' for Johannes called Hans)
    rather than the formal one. Weaker than `first_initials`: a household has its own Hendrika."""
    if not first_name:
        return None
    first = first_name.split(" ")[0]
    called = {n for form in formal_names(first) for n in _nicknames_of().get(form, frozenset())}
    return "".join(sorted({n[0] for n in called})) or None


def dutch_phonetic(name: str | None) -> str | None:
    """A small Dutch-aware phonetic key: ij/ei/y, ch/g, dt/d/t, ph/f, c/k, z/s, v/f, doubled letters.

    Used for blocking only (so 'Jansen'/'Janssen'/'Janzen' and 'Meijer'/'Meyer'/'Meier' meet); the
    comparison itself still uses Jaro-Winkler on the real names.
    """
    if not name:
        return None
    s = re.sub(r"[^a-z]", "", name)
    if not s:
        return None
    for a, b in (
        ("sch", "s"),
        ("ch", "g"),
        ("ij", "y"),
        ("ei", "y"),
        ("ey", "y"),
        ("ie", "i"),
        ("ph", "f"),
        ("dt", "t"),
        ("ck", "k"),
        ("c", "k"),
        ("q", "k"),
        ("x", "ks"),
        ("z", "s"),
        ("v", "f"),
        ("w", "f"),
        ("oe", "u"),
        ("ou", "au"),
        ("th", "t"),
    ):
        s = s.replace(a, b)
    s = re.sub(r"d$", "t", s)
    s = re.sub(r"(.)\1+", r"\1", s)
    # keep the first letter, drop later vowels: vowels are where spelling variants differ most
    return s[0] + re.sub(r"[aeiouy]", "", s[1:])


_LOCAL_SEPARATORS = re.compile(r"[._+-]+")


def name_vocabulary(
    first_names: pd.Series, last_names: pd.Series, infixes_: pd.Series
) -> tuple[frozenset[str], dict[str, tuple[str, str | None]]]:
    """First names and surnames as they occur in the records themselves ('vandenberg' -> ('berg',
    'van den')): the words a mailbox name is read against, so no name list is built in."""
    firsts = frozenset(n for n in first_names.dropna().unique() if len(n) > 1 and n.isalpha())
    slugs: dict[str, tuple[str, str | None]] = {}
    pairs = pd.DataFrame({"last": last_names, "infix": infixes_}).dropna(subset=["last"])
    counts = pairs.fillna({"infix": ""}).value_counts()
    for (last, infix), _n in counts.items():  # most frequent spelling first
        slug = re.sub(r"[^a-z]", "", f"{infix}{last}")
        if len(slug) >= 3:
            slugs.setdefault(slug, (last, infix or None))
    return firsts, slugs


def names_from_email(
    local: str, firsts: frozenset[str], surnames: dict[str, object]
) -> tuple[str | None, str | None, str | None]:
    """(first name, initial, surname slug) read from a mailbox name: 'jan.jansen', 'j.jansen',
    'jjansen', 'jansen.jan', 'janjansen', 'fam.jansen' (digits dropped); Nones where it says nothing.

    A sparse record (a subscriber with only an e-mail and a postcode) gets the name its owner typed
    into the address; it is read only against names other records carry."""
    prefixes = _mailboxes()[1]
    tokens = [t for t in _LOCAL_SEPARATORS.split(re.sub(r"\d+", "", local)) if t]
    if len(tokens) == 2:
        a, b = tokens
        if a in prefixes and b in surnames:
            return None, None, b
        if b in surnames and (a in firsts or len(a) == 1):
            return (a if len(a) > 1 else None), a[0], b
        if a in surnames and b in firsts:
            return b, b[0], a
        return None, None, None
    if len(tokens) != 1:
        return None, None, None
    t = tokens[0]
    if t in firsts:
        return t, t[0], None
    if t in surnames:
        return None, None, t
    if len(t) >= 5 and t[1:] in surnames:
        return None, t[0], t[1:]
    for i in range(2, len(t) - 2):
        if t[:i] in firsts and t[i:] in surnames:
            return t[:i], t[0], t[i:]
    return None, None, None


def fill_names_from_email(df: pd.DataFrame) -> pd.DataFrame:
    """Persons without a first or last name get the one their e-mail address spells, where it does
    (`names_from_email`); a stated name is never overwritten. Marks `name_from_email`."""
    persons = df["party_kind"].eq("person") & df["email"].notna()
    lacking = persons & (df["first_name"].isna() | df["last_name"].isna())
    df["name_from_email"] = False
    if not lacking.any():
        return df
    firsts, slugs = name_vocabulary(df["first_name"], df["last_name"], df["infix"])
    local = df.loc[lacking, "email"].str.split("@").str[0]
    parsed = pd.DataFrame(
        _umap(local, lambda v: names_from_email(v, firsts, slugs)).tolist(),
        index=local.index,
        columns=["first", "initial", "surname"],
    )
    last_missing = df.loc[parsed.index, "last_name"].isna() & parsed["surname"].notna()
    surname = parsed.loc[last_missing, "surname"].map(slugs)
    df.loc[surname.index, "last_name"] = surname.str[0]
    df.loc[surname.index, "infix"] = surname.str[1]
    # 'jong588@live.nl' of a debtor 'de Jong' spells its surname, not a first name 'Jong'
    own_surname = parsed["first"].eq(df.loc[parsed.index, "last_name"])
    first_missing = (
        df.loc[parsed.index, "first_name"].isna() & (parsed["first"].notna() | parsed["initial"].notna()) & ~own_surname
    )
    first = parsed.loc[first_missing, "first"].fillna(parsed.loc[first_missing, "initial"])
    df.loc[first.index, "first_name"] = first
    df.loc[parsed.index, "name_from_email"] = (last_missing | first_missing).to_numpy()
    return df


def _digits(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = re.sub(r"\D", "", str(value))
    return s or None


def _clean_upper(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    return s or None


def _clean_lower(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = str(value).strip().lower()
    return s or None


def _umap(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """series.map(fn) computed once per distinct value: names and domains repeat, so at 400k records
    this is several times faster than calling fn per row."""
    values = series.dropna().unique()
    out = series.map(dict(zip(values, map(fn, values), strict=True)))
    return out.astype(object).where(out.notna(), None)


def prepare_records(records: pd.DataFrame) -> pd.DataFrame:
    """int_party_records -> the same rows indexed by record_key with linkage keys added.

    Added: first_name_std (nickname-canonical), last_name/infix re-split, last_name_key (phonetic),
    organisation_key (folded organisation name), email_key (personal e-mail; role mailboxes removed for
    persons because a shared info@ or fam.jansen@ says nothing about which person it is), work_domain
    (e-mail domain unless a public provider), postcode4, address_key, employer (empty here: `run.resolve`
    fills it in once the organisations are resolved).
    """
    df = records.copy()
    df = df.set_index("record_key", drop=False)
    df.index.name = None
    for col in ("first_name", "infix", "last_name", "full_name", "organisation_name", "city"):
        if col not in df.columns:
            df[col] = None
    # split 'jong, de' before folding, which would drop the comma
    raw_last = _umap(df["last_name"], lambda v: None if v is None or pd.isna(v) else str(v).lower().strip())
    split = [split_infix(ln, fold(inf)) for ln, inf in zip(raw_last, df["infix"], strict=True)]
    df["last_name"] = [fold(s[0]) for s in split]
    df["infix"] = [s[1] for s in split]
    for col in ("first_name", "full_name", "organisation_name", "city"):
        df[col] = _umap(df[col], fold).astype(object)
    # 'Boer, M. de' split by a source as first name 'de': a surname prefix is never a first name
    df["first_name"] = _umap(df["first_name"], lambda s: None if s in infixes() else s).astype(object)
    df["email"] = _umap(df["email"], _clean_lower).astype(object) if "email" in df else None
    df = fill_names_from_email(df)
    df["first_name_std"] = _umap(df["first_name"], canonical_first_name).astype(object)
    df["first_initial"] = _umap(df["first_name"], lambda s: s[0] if s else None).astype(object)
    df["first_initials"] = _umap(df["first_name"], first_initials).astype(object)
    df["called_initials"] = _umap(df["first_name"], called_initials).astype(object)
    df["first_name_raw"] = _umap(
        df["first_name"], lambda s: s.split(" ")[0] if s and len(s.split(" ")[0]) > 1 else None
    )
    df["last_name_key"] = _umap(df["last_name"], dutch_phonetic).astype(object)
    # prefix and surname as one word ('vandenberg'), for comparing surnames whose prefix is mistyped
    full_surname = (df["infix"].fillna("") + df["last_name"].fillna("")).where(df["last_name"].notna())
    df["surname_full"] = _umap(full_surname, lambda s: re.sub(r"[^a-z]", "", s) or None).astype(object)
    df["organisation_key"] = df["organisation_name"].astype(object)
    # a CRM contact without a company field works at its account: give it the account's name, so a
    # subscriber who typed that company meets it (class 1: people at an organisation)
    if "organisation_record_key" in df:
        account_name = df["organisation_record_key"].map(df["organisation_key"].dropna())
        df["organisation_key"] = df["organisation_key"].where(df["organisation_key"].notna(), account_name)
    is_role = df.get("email_is_role", pd.Series(False, index=df.index)).fillna(False).astype(bool)
    is_role |= _umap(df["email"], is_generic_mailbox).eq(True)
    surnames = name_vocabulary(df["first_name"], df["last_name"], df["infix"])[1]
    is_role |= _umap(df["email"], lambda e: is_family_mailbox(e.split("@")[0], surnames)).eq(True)
    df["email_is_generic"] = is_role
    is_person = df["party_kind"].eq("person")
    df["email_key"] = df["email"].where(~(is_role & is_person)).astype(object)
    # a mailbox name with digits ('jvisser1984') is chosen once and reused at other providers
    local = _umap(df["email_key"], lambda e: e.split("@")[0])
    distinctive = local.str.len().ge(6) & local.str.contains(r"\d", regex=True).eq(True)
    df["email_local"] = local.where(distinctive).astype(object)
    domain = _umap(df["email"], email_domain)
    df["work_domain"] = domain.where(~domain.isin(public_email_domains())).astype(object)
    df["phone"] = _umap(df["phone"], _clean_lower).astype(object)
    df["postcode"] = _umap(df["postcode"], _clean_upper).astype(object)
    df["postcode4"] = _umap(df["postcode"], lambda p: p[:4] if p and len(p) >= 4 else None).astype(object)
    df["house_number"] = _umap(df["house_number"], _digits).astype(object)
    df["house_number_addition"] = _umap(df["house_number_addition"], _clean_lower).astype(object)
    has_address = df["postcode"].notna() & df["house_number"].notna()
    df["address_key"] = (df["postcode"] + ":" + df["house_number"]).where(has_address).astype(object)
    for col in ("kvk_number",):
        df[col] = _umap(df[col], _digits).astype(object)
    if "personal_id" not in df.columns:
        df["personal_id"] = None
    for col in ("iban", "vat_number", "personal_id"):
        df[col] = _umap(df[col], _clean_upper).astype(object)
    df["birth_date"] = pd.to_datetime(df["birth_date"], errors="coerce")
    df["birth_date_key"] = df["birth_date"].dt.strftime("%Y-%m-%d").where(df["birth_date"].notna()).astype(object)
    df["first_seen_at"] = pd.to_datetime(df.get("first_seen_at"), errors="coerce", utc=True)
    df["employer"] = None
    return df
