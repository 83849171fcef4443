"""Latent buying behaviour: BG/NBD purchases with Gamma-Gamma spend, drawn per chunk of customers.

The parameters are drawn vectorised with numpy (one call per chunk, not per customer) and written to
truth, so a CLV model fitted on the generated invoices can be checked against what really drove them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Priors:
    """Population priors of one customer type (rates per year, spend in euros excl. VAT)."""

    rate_shape: float
    rate_scale: float  # purchase rate per year ~ Gamma(shape, scale)
    dropout_a: float
    dropout_b: float  # dropout probability after each purchase ~ Beta(a, b)
    spend_p: float  # transaction value ~ Gamma(p, 1/nu)
    spend_q: float
    spend_gamma: float  # nu ~ Gamma(q, 1/gamma): mean spend p/nu, E = p * gamma / (q - 1)


B2C = Priors(rate_shape=1.3, rate_scale=2.0, dropout_a=1.2, dropout_b=5.0, spend_p=5.0, spend_q=4.0, spend_gamma=66.0)
B2B = Priors(
    rate_shape=1.6, rate_scale=4.0, dropout_a=1.2, dropout_b=10.0, spend_p=4.0, spend_q=4.0, spend_gamma=1050.0
)

# Typical expected yearly spend per type: the yardstick for "higher-value customers get more contact".
TYPICAL_YEARLY_VALUE = {"person": 2.6 * 110.0, "organisation": 6.4 * 1400.0}


@dataclass(frozen=True)
class LatentDraws:
    """Per-customer latent parameters for one chunk (numpy arrays of equal length)."""

    rate: np.ndarray  # purchases per year while alive
    dropout: np.ndarray  # probability to drop out after each purchase
    nu: np.ndarray  # Gamma-Gamma scale parameter; mean spend = p / nu


def draw_latent(gen: np.random.Generator, priors: Priors, n: int) -> LatentDraws:
    rate = gen.gamma(priors.rate_shape, priors.rate_scale, n)
    dropout = gen.beta(priors.dropout_a, priors.dropout_b, n)
    nu = gen.gamma(priors.spend_q, 1.0 / priors.spend_gamma, n)
    return LatentDraws(rate=rate, dropout=dropout, nu=nu)


def acquisition_days(gen: np.random.Generator, lo: float, hi: float, n: int, growth: float = 0.6) -> np.ndarray:
    """Sorted acquisition positions in [lo, hi) of the window's unit interval, with a growing intake.

    Each chunk covers one stratum of the cumulative distribution, so customers come out in acquisition
    order (ids then increase with time, as in a real CRM) without ever sorting all customers.
    """
    u = np.sort(gen.uniform(lo, hi, n))
    # inverse CDF of density (1 + growth * t) / (1 + growth / 2) on [0, 1]
    c = 1.0 + growth / 2.0
    return (-1.0 + np.sqrt(1.0 + 2.0 * growth * u * c)) / growth


def simulate_purchases(
    rng: random.Random, first_day: int, end_day: int, rate: float, dropout: float, spend_p: float, nu: float
) -> tuple[list[tuple[int, float]], int | None]:
    """BG/NBD: buy at acquisition, then Poisson(rate) purchases; after each one drop out with p.

    Returns the purchases (day ordinal, amount excl. VAT) and the day the customer dropped out (None when
    still alive at end_day).
    """
    purchases: list[tuple[int, float]] = []
    day = float(first_day)
    per_day = rate / DAYS_PER_YEAR
    scale = 1.0 / nu
    while True:
        amount = max(round(rng.gammavariate(spend_p, scale), 2), 1.0)
        purchases.append((int(day), amount))
        if rng.random() < dropout:
            return purchases, int(day)
        day += rng.expovariate(per_day) if per_day > 0 else end_day + 1
        if day > end_day:
            return purchases, None
