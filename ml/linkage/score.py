"""Match probabilities: a Fellegi-Sunter model whose m/u probabilities are estimated by EM.

Why not recordlinkage's ECMClassifier: it needs binary features and treats a missing value as a
disagreement, while here a missing e-mail must be neutral and names have graded levels. The model below
is the same unsupervised Fellegi-Sunter idea with categorical levels: EM over the distinct comparison
patterns (weighted by how often each occurs, so memory is bounded by the number of patterns, not pairs),
with Dirichlet pseudo-counts towards sensible defaults so that a handful of pairs gives stable estimates
and a large run lets the data speak. Missing (-1) contributes nothing to a pair's weight.

Two business rules sit on top (names are not identifiers; conflicting hard facts mean two parties):
pairs agreeing on names only are capped at `name_only_max_probability`, and pairs with a conflicting
first/last name or birth date (persons) or KvK number (organisations) are capped at
`conflict_max_probability`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ml.linkage.compare import INITIAL_CALLED, INITIAL_FITS, NAME_CLOSE, NAME_EXACT, NAME_SIMILAR, Field

# Default m (matches) and u (non-matches among *candidate pairs*) per level, lowest level first.
# u is among candidates, not random pairs: blocking already brings families and namesakes together.
PRIORS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "first_name": ((0.03, 0.07, 0.15, 0.75), (0.81, 0.08, 0.05, 0.06)),
    "last_name": ((0.03, 0.07, 0.15, 0.75), (0.50, 0.10, 0.15, 0.25)),
    "organisation_name": ((0.05, 0.10, 0.25, 0.60), (0.85, 0.07, 0.04, 0.04)),
    "email": ((0.35, 0.65), (0.97, 0.03)),
    "email_3": ((0.33, 0.05, 0.62), (0.9695, 0.0005, 0.03)),  # persons: other / same mailbox name / same
    "phone": ((0.35, 0.65), (0.90, 0.10)),
    "address": ((0.20, 0.03, 0.12, 0.65), (0.62, 0.16, 0.10, 0.12)),
    "birth_date": ((0.04, 0.06, 0.90), (0.985, 0.01, 0.005)),
    "iban": ((0.20, 0.80), (0.97, 0.03)),
    "personal_id": ((0.10, 0.90), (0.999, 0.001)),
    "kvk": ((0.05, 0.95), (0.995, 0.005)),
    "organisation": ((0.15, 0.15, 0.70), (0.55, 0.15, 0.30)),
    # differ / fits only a call name ('h.' for Johannes called Hans) / fits; among same-surname
    # candidates ~1 in 7 share an initial
    "initial": ((0.05, 0.05, 0.90), (0.82, 0.04, 0.14)),
    "email_domain": ((0.20, 0.80), (0.90, 0.10)),
    "house_number": ((0.15, 0.85), (0.85, 0.15)),  # small numbers (1-30) recur across a customer base
    "vat": ((0.05, 0.95), (0.995, 0.005)),
}
ORGANISATION_NAME_PROBABILITY = 0.95  # floor for an exact, not common company name with nothing against it
MAILBOX_PROBABILITY = 0.99  # floor for the same personal mailbox with an agreeing name (`mailbox_vouched`)
MONOTONE_METHODS = ("name", "organisation", "date")
LAMBDA_PRIOR = 0.1  # share of candidate pairs that are matches, before the data says otherwise
EPS = 1e-6


@dataclass
class FellegiSunter:
    """Categorical Fellegi-Sunter with EM. Fit on level frames from `compare.compare_levels`."""

    fields: tuple[Field, ...]
    prior_strength: float = 50.0  # pseudo-pairs behind the default m/u of each field
    max_iter: int = 200
    tol: float = 1e-6
    lambda_: float = LAMBDA_PRIOR
    m: dict[str, np.ndarray] = field(default_factory=dict)
    u: dict[str, np.ndarray] = field(default_factory=dict)
    iterations: int = 0

    def _priors(self, f: Field) -> tuple[np.ndarray, np.ndarray]:
        key = f.name if len(PRIORS.get(f.name, ((),))[0]) == f.levels else f"{f.name}_{f.levels}"
        if key in PRIORS:
            m0, u0 = (np.asarray(p, dtype=float) for p in PRIORS[key])
        else:  # agreement rarer among non-matches, whatever the field
            m0 = np.linspace(0.1, 1.0, f.levels)
            u0 = m0[::-1].copy()
        return m0 / m0.sum(), u0 / u0.sum()

    def fit(self, levels: pd.DataFrame) -> FellegiSunter:
        names = [f.name for f in self.fields]
        if len(levels) == 0:
            for f in self.fields:
                self.m[f.name], self.u[f.name] = self._priors(f)
            return self
        patterns = levels[names].value_counts().reset_index(name="n")
        weights = patterns["n"].to_numpy(dtype=float)
        codes = {n: patterns[n].to_numpy(dtype=int) for n in names}
        priors = {f.name: self._priors(f) for f in self.fields}
        self.m = {n: priors[n][0].copy() for n in names}
        self.u = {n: priors[n][1].copy() for n in names}
        lam = self.lambda_
        for it in range(1, self.max_iter + 1):
            g = self._posterior(codes, lam)
            wm, wu = weights * g, weights * (1.0 - g)
            new_lam = (wm.sum() + self.prior_strength * LAMBDA_PRIOR) / (weights.sum() + self.prior_strength)
            change = abs(new_lam - lam)
            for f in self.fields:
                c = codes[f.name]
                present = c >= 0
                m_counts = np.bincount(c[present], weights=wm[present], minlength=f.levels)[: f.levels]
                u_counts = np.bincount(c[present], weights=wu[present], minlength=f.levels)[: f.levels]
                m0, u0 = priors[f.name]
                new_m = (m_counts + self.prior_strength * m0) / (m_counts.sum() + self.prior_strength)
                new_u = (u_counts + self.prior_strength * u0) / (u_counts.sum() + self.prior_strength)
                change = max(change, np.abs(new_m - self.m[f.name]).max(), np.abs(new_u - self.u[f.name]).max())
                self.m[f.name], self.u[f.name] = new_m, new_u
            lam = new_lam
            self.iterations = it
            if change < self.tol:
                break
        self.lambda_ = float(lam)
        return self

    def weight(self, f: Field) -> np.ndarray:
        """Natural-log Bayes factor per level. Graded fields are made non-decreasing in the level: EM on
        blocked pairs (all from a name pass agree on names) can otherwise learn that an exact name is
        weaker evidence than a close one, which no steward would accept."""
        weight = np.log(np.clip(self.m[f.name], EPS, None)) - np.log(np.clip(self.u[f.name], EPS, None))
        if f.method in MONOTONE_METHODS:
            weight = np.maximum.accumulate(weight)
        return weight

    def _log_odds(self, codes: dict[str, np.ndarray], lam: float) -> np.ndarray:
        n = len(next(iter(codes.values())))
        score = np.full(n, np.log(max(lam, EPS) / max(1 - lam, EPS)))
        for f in self.fields:
            c = codes[f.name]
            score += np.where(c >= 0, self.weight(f)[np.clip(c, 0, f.levels - 1)], 0.0)
        return score

    def _posterior(self, codes: dict[str, np.ndarray], lam: float) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self._log_odds(codes, lam)))

    def predict_proba(self, levels: pd.DataFrame, adjustment: np.ndarray | None = None) -> pd.Series:
        """Match probability per pair; `adjustment` adds per-pair log-odds (term frequencies)."""
        codes = {f.name: levels[f.name].to_numpy(dtype=int) for f in self.fields}
        if len(levels) == 0:
            return pd.Series(dtype=float, index=levels.index)
        score = self._log_odds(codes, self.lambda_)
        if adjustment is not None:
            score = score + adjustment
        return pd.Series(1.0 / (1.0 + np.exp(-score)), index=levels.index)

    def field_weights(self, levels: pd.DataFrame) -> pd.DataFrame:
        """Per pair and field the log2 Bayes factor its level contributed (0 when missing): the
        explanation of a match probability."""
        out = pd.DataFrame(index=levels.index)
        for f in self.fields:
            c = levels[f.name].to_numpy(dtype=int)
            weight = self.weight(f) / np.log(2)
            out[f.name] = np.where(c >= 0, weight[np.clip(c, 0, f.levels - 1)], 0.0)
        return out

    def weights_table(self) -> dict[str, dict[str, list[float]]]:
        """m, u per field and level, for the run's params (explains what the model learned)."""
        return {
            n: {"m": [round(float(v), 6) for v in self.m[n]], "u": [round(float(v), 6) for v in self.u[n]]}
            for n in self.m
        }


def _agrees(levels: pd.DataFrame, name: str, top: int = 1) -> pd.Series:
    return levels[name].ge(top) if name in levels else pd.Series(False, index=levels.index)


def personal_anchor(levels: pd.DataFrame) -> pd.Series:
    """A personal identifier (one person's number, never shared by a household) agrees and something
    else does too: the same person however mistyped or swapped the names and birth date are."""
    other = (
        _agrees(levels, "last_name", NAME_SIMILAR)
        | _agrees(levels, "first_name", NAME_SIMILAR)
        | _agrees(levels, "address", 2)
        | _agrees(levels, "birth_date", 1)
    )
    return _agrees(levels, "personal_id") & other


def mailbox_typo(levels: pd.DataFrame) -> pd.Series:
    """The same personal mailbox (family and role mailboxes never reach `email_key`), the surname
    agreeing and the first names a typo apart ('Eva'/'Eba', 'Ida'/'Isa', 'Thijs'/'Thiks'): one person
    typing their name twice. Two people sharing one personal mailbox have different names, not a
    keystroke apart, and no birth date may disagree. Likewise an initial that fits only the name the
    other side is called by ('H. Woldeers' and Johannes 'Hans' Woldeers writing from one mailbox)."""
    if "email" not in levels:
        return pd.Series(False, index=levels.index)
    typo = levels["first_name"].eq(NAME_SIMILAR) | (levels["first_name"].eq(-1) & levels["initial"].eq(INITIAL_CALLED))
    return levels["email"].eq(2) & typo & levels["last_name"].ge(NAME_CLOSE) & levels["birth_date"].ne(0)


def vouched(levels: pd.DataFrame) -> pd.Series:
    """Birth date equal and another identifier (e-mail, phone, IBAN, full address) agreeing: enough to
    outweigh a mistyped or swapped name. Spouses rarely share a birth date, so households stay apart.
    Also a first-name typo within one personal mailbox (`mailbox_typo`)."""
    if "birth_date" not in levels:
        return pd.Series(False, index=levels.index)
    others = sum(levels[n].ge(3 if n == "address" else 1).astype(int) for n in ("email", "phone", "iban", "address"))
    return (levels["birth_date"].eq(2) & others.ge(1)) | personal_anchor(levels) | mailbox_typo(levels)


def birth_date_outweighed(levels: pd.DataFrame) -> pd.Series:
    """A different birth date on a pair that agrees on the full name and on two identifiers, one of them
    personal (e-mail, IBAN): a mistyped date (FEBRL corrupts whole dates). A father and son of one name
    at one address share a phone or an address, rarely an e-mail or an account."""
    if "birth_date" not in levels:
        return pd.Series(False, index=levels.index)
    full_name = _agrees(levels, "first_name", NAME_CLOSE) & _agrees(levels, "last_name", NAME_CLOSE)
    personal = _agrees(levels, "email") | _agrees(levels, "iban")
    ids = sum(_agrees(levels, n, 3 if n == "address" else 1).astype(int) for n in ("email", "phone", "iban", "address"))
    return (full_name & personal & ids.ge(2)) | personal_anchor(levels)


def mailbox_vouched(levels: pd.DataFrame, name_from_mailbox: np.ndarray | None = None) -> pd.Series:
    """The same personal mailbox (role and family mailboxes never reach `email_key`) with the same first
    name as stated (not read off that mailbox, `name_from_mailbox`), or with the same phone and no
    clearly different first name or initial: one person whose surname is spelt, parsed or married
    differently, or who moved (issue 6, class 3). Two people sharing one personal mailbox have different
    first names, so they stay capped."""
    if "email" not in levels:
        return pd.Series(False, index=levels.index)
    same_mail = levels["email"].eq(2)
    first = levels["first_name"]
    stated = ~pd.Series(name_from_mailbox, index=levels.index) if name_from_mailbox is not None else True
    same_first = first.ge(NAME_CLOSE) & stated
    return same_mail & (same_first | (first.ne(0) & levels["initial"].ne(0) & _agrees(levels, "phone")))


def apply_rules(
    proba: pd.Series,
    levels: pd.DataFrame,
    fields: tuple[Field, ...],
    party_kind: str,
    name_only_max_probability: float = 0.5,
    conflict_max_probability: float = 0.05,
    namesake: np.ndarray | None = None,
    name_from_mailbox: np.ndarray | None = None,
) -> pd.Series:
    """Cap probabilities the independence model overstates (see module docstring). `namesake`: per pair
    the chance that a name agreement alone means one person (`namesake_probability`); a name-only pair
    gets at most that, so a common name falls below the review band instead of filling it."""
    out = proba.copy()
    identifying = [f.name for f in fields if f.identifying]
    # an address counts as identifying only with the house number (level 3)
    agree = pd.Series(False, index=levels.index)
    for name in identifying:
        top = {"address": 3, "birth_date": 2}.get(name, 1)
        agree |= levels[name].ge(top)
    if party_kind == "organisation":
        agree |= levels["organisation_name"].eq(3)  # an exact organisation name is near-unique in a customer base
        # a company name a typo apart, mailed from the same own (not public) domain: one organisation's
        # mailboxes (info@, facturen@ and crediteuren@ at one domain), as in 'De Jong & Zn' / 'De Joong & Zn'
        agree |= levels["organisation_name"].ge(NAME_CLOSE) & _agrees(levels, "email_domain")
        # a record without a company name (a helpdesk requester writing from contact@) at the same own domain
        agree |= levels["organisation_name"].eq(-1) & _agrees(levels, "email_domain")
        conflict = levels["kvk"].eq(0)
    else:
        # the same full name at the same organisation (account, company field) identifies a person
        full_name = levels["first_name"].ge(NAME_CLOSE) & levels["last_name"].ge(NAME_CLOSE)
        agree |= levels["organisation"].ge(1) & full_name
        # surname at the same organisation with no first name to contradict it (the initial may confirm);
        # the cluster guard stops such a record from joining two colleagues
        agree |= (
            levels["organisation"].eq(2)
            & levels["last_name"].eq(NAME_EXACT)
            & levels["first_name"].eq(-1)
            & ~levels["initial"].isin([0, INITIAL_CALLED])
        )
        # the same first name at the same organisation, no surname on a side to contradict it
        agree |= levels["organisation"].eq(2) & levels["first_name"].eq(NAME_EXACT) & levels["last_name"].eq(-1)
        # the surname at one address with no first name on a side (a debtor 'Visser' at the subscriber's
        # postcode); the initial may confirm. A household's surname-only record is kept from joining two
        # members by the cluster constraints (`constraints.py`): it joins the one it fits best.
        agree |= (
            levels["address"].ge(2)
            & levels["last_name"].eq(NAME_EXACT)
            & levels["first_name"].eq(-1)
            & ~levels["initial"].isin([0, INITIAL_CALLED])
        )
        # ... and a debtor 'Steenbeek, S.' with a subscriber 'Sophie Steenberk' there, or a contact
        # 'S. Steenberk' at Sophie's organisation: a mistyped surname needs the initial to confirm it
        agree |= (
            (levels["address"].ge(2) | levels["organisation"].eq(2))
            & levels["last_name"].ge(NAME_CLOSE)
            & levels["first_name"].eq(-1)
            & levels["initial"].eq(INITIAL_FITS)
        )
        # the same full name (exact or a typo apart) within one postcode (house number unknown on a side)
        agree |= levels["address"].ge(2) & full_name
        # different names mean two people, unless the birth date and another identifier both agree
        # (a swapped or mistyped name on the same person, as in FEBRL; spouses rarely share a birth date)
        name_conflict = (
            levels["first_name"].between(0, NAME_SIMILAR - 1)
            | levels["last_name"].between(0, NAME_SIMILAR - 1)
            | levels["initial"].eq(0)
        )
        mailbox = mailbox_vouched(levels, name_from_mailbox)
        conflict = (levels["birth_date"].eq(0) & ~birth_date_outweighed(levels)) | (
            name_conflict & ~vouched(levels) & ~mailbox
        )
    name_only_cap = np.full(len(out), name_only_max_probability)
    if namesake is not None:
        name_only_cap = np.where(np.isnan(namesake), name_only_cap, np.minimum(name_only_cap, namesake))
    out = out.where(agree, np.minimum(out, name_only_cap))
    if party_kind == "person":
        # one person's own mailbox, named alike: strong evidence whatever the address (class 3)
        out = out.where(~(mailbox & levels["birth_date"].ne(0)), np.maximum(out, MAILBOX_PROBABILITY))
    if party_kind == "organisation":
        # the same company name and nothing that differs (no number, mailbox domain or address against
        # it): at even odds or better on the name's rarity alone it is the same organisation; the name's
        # evidence is otherwise understated when nothing else can be compared (an account and a debtor
        # typed with different details missing)
        differs = pd.Series(False, index=levels.index)
        for f in fields:
            if f.name != "organisation_name":
                differs |= levels[f.name].eq(0) | (f.name == "address") & levels[f.name].eq(1)
        # a name a typo apart counts when the full address agrees ('Dtasmart Groep' at Datasmart's door)
        typo_here = levels["organisation_name"].eq(NAME_CLOSE) & levels["address"].eq(3)
        sole_name = (levels["organisation_name"].eq(3) | typo_here) & ~differs & out.ge(0.5)
        out = out.where(~sole_name, np.maximum(out, ORGANISATION_NAME_PROBABILITY))
    out = out.where(~conflict, np.minimum(out, conflict_max_probability))
    return out


NAME_FIELDS = ("first_name", "last_name", "initial")
TF_MIN, TF_MAX = -2.5, 1.0  # bounds of the term-frequency adjustment (log-odds)


def term_frequency_adjustment(levels: pd.DataFrame, records: pd.DataFrame, field: str, column: str) -> np.ndarray:
    """Log-odds adjustment for exact agreement on a common or rare value (Jansen, de Vries vs Broekhoven).

    log(P(two random records share a value) / frequency of this value): negative for common surnames,
    positive (bounded) for rare ones; 0 where the field does not agree exactly.
    """
    if len(levels) == 0 or field not in levels:
        return np.zeros(len(levels))
    values = records[column].dropna()
    if values.empty:
        return np.zeros(len(levels))
    tf = values.value_counts(normalize=True)
    expected = float((tf**2).sum())
    value = records[column].reindex(levels.index.get_level_values(0)).map(tf).to_numpy(dtype=float)
    adj = np.clip(np.log(expected / np.where(np.isnan(value), expected, value)), TF_MIN, TF_MAX)
    return np.where(levels[field].to_numpy() == NAME_EXACT, adj, 0.0)


def names_from_mailbox(levels: pd.DataFrame, records: pd.DataFrame) -> np.ndarray:
    """Per pair: either side's name was read off its e-mail address (`standardise.fill_names_from_email`)."""
    if len(levels) == 0 or "name_from_email" not in records:
        return np.zeros(len(levels), dtype=bool)
    flag = records["name_from_email"].fillna(False).astype(bool)
    left = flag.reindex(levels.index.get_level_values(0)).fillna(False).to_numpy(dtype=bool)
    right = flag.reindex(levels.index.get_level_values(1)).fillna(False).to_numpy(dtype=bool)
    return left | right


def namesake_probability(levels: pd.DataFrame, records: pd.DataFrame) -> np.ndarray:
    """Per person pair: the chance that its name agreement alone means one person, 1 / (1 + the records
    expected to carry that name by chance), from the name frequencies of these records themselves (a
    term-frequency adjustment: 'Jan Jansen' is shared by many, 'Ids Broekhoven' by few). An exact name
    counts by its own frequency, a close one by its phonetic key or initial; NaN where no name agrees."""
    if len(levels) == 0:
        return np.zeros(0)
    left = levels.index.get_level_values(0)
    n = int(records["last_name"].notna().sum())

    def freq(column: str) -> np.ndarray:
        tf = records[column].dropna().value_counts(normalize=True)
        return np.nan_to_num(records[column].reindex(left).map(tf).to_numpy(dtype=float), nan=1.0)

    first, last = levels["first_name"].to_numpy(), levels["last_name"].to_numpy()
    f_first = np.select(
        [first == NAME_EXACT, (first >= NAME_SIMILAR) | levels["initial"].ge(INITIAL_CALLED).to_numpy()],
        [freq("first_name_std"), freq("first_initial")],
        default=1.0,
    )
    f_last = np.select([last == NAME_EXACT, last >= NAME_SIMILAR], [freq("last_name"), freq("last_name_key")], 1.0)
    p = 1.0 / (1.0 + max(n - 1, 0) * f_first * f_last)
    return np.where((f_first < 1.0) | (f_last < 1.0), p, np.nan)


def score_pairs(
    levels: pd.DataFrame,
    fields: tuple[Field, ...],
    party_kind: str,
    threshold: float,
    name_only_max_probability: float = 0.5,
    adjustment: np.ndarray | None = None,
    namesake: np.ndarray | None = None,
    name_from_mailbox: np.ndarray | None = None,
) -> tuple[pd.DataFrame, FellegiSunter]:
    """Fit the model on these pairs and return record_key_l, record_key_r, match_probability, is_match.
    `name_from_mailbox`: per pair, a side's name was read off its e-mail address (`mailbox_vouched`)."""
    model = FellegiSunter(fields).fit(levels)
    if namesake is not None and len(levels):
        # the name's own evidence is its frequency (namesake odds); the other fields still count, so a
        # rare name with a different e-mail and phone is less likely than a rare name with nothing else
        others = model.field_weights(levels).drop(columns=list(NAME_FIELDS), errors="ignore").sum(axis=1)
        logit = np.log(np.clip(namesake, EPS, 1 - EPS) / np.clip(1 - namesake, EPS, 1)) + others.to_numpy() * np.log(2)
        namesake = np.where(np.isnan(namesake), np.nan, 1.0 / (1.0 + np.exp(-logit)))
    proba = apply_rules(
        model.predict_proba(levels, adjustment),
        levels,
        fields,
        party_kind,
        name_only_max_probability,
        namesake=namesake,
        name_from_mailbox=name_from_mailbox,
    )
    out = pd.DataFrame(
        {
            "record_key_l": levels.index.get_level_values(0).astype(str) if len(levels) else [],
            "record_key_r": levels.index.get_level_values(1).astype(str) if len(levels) else [],
            "match_probability": proba.to_numpy(dtype=float),
        }
    )
    out["is_match"] = out["match_probability"].ge(threshold)
    out["vouched"] = vouched(levels).to_numpy() if len(levels) and party_kind == "person" else False
    out["dates_outweighed"] = (
        birth_date_outweighed(levels).to_numpy() if len(levels) and party_kind == "person" else False
    )
    return out, model
