"""School budgets by fund source and category.

LCFF base follows average daily attendance (ADA) by grade span at the year's shipped rate table
(``gapwatch.resources.lcff_tables``: whole-dollar adjusted rates, 2021-22 to 2025-26); other
years use the 2024-25 base rates of ``lcff_base_rates`` (K-3 +10.4%, 9-12 +2.6% span
adjustments) moved by ``lcff_cola``. The district's supplemental (20% of base x unduplicated
share) and concentration (65% of base x the share above 55%) grants are computed from the year's
unduplicated share (an approximation: LCFF uses a three-year rolling average) and partly
allocated to schools by their unduplicated pupils, imperfectly (noise). Title I goes to Title I
schools per SED student, the district equity index to the highest-need schools, IDEA
(federal other) per student with an IEP, and local funds lean toward affluent schools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.resources.lcff_tables import SPANS, rate_tables
from gapwatch.synth import demographics as demo
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.streams import stream

FUND_SOURCES = ("LCFF_BASE", "LCFF_SUPP_CONC", "TITLE_I", "EQUITY_INDEX", "STATE_OTHER",
                "FEDERAL_OTHER", "LOCAL")
CATEGORIES = ("TEACHERS", "SUPPORT_STAFF", "ADMIN", "SERVICES", "SUPPLIES", "OTHER")
#: How each fund source is spent (shares of TEACHERS .. OTHER; approximation).
SPLIT = np.array([
    [0.62, 0.10, 0.09, 0.07, 0.04, 0.08],
    [0.30, 0.35, 0.00, 0.15, 0.08, 0.12],
    [0.35, 0.30, 0.00, 0.20, 0.10, 0.05],
    [0.30, 0.50, 0.00, 0.20, 0.00, 0.00],
    [0.00, 0.00, 0.00, 0.50, 0.30, 0.20],
    [0.00, 0.70, 0.00, 0.30, 0.00, 0.00],
    [0.00, 0.00, 0.00, 0.30, 0.50, 0.20],
])
STAFF_CATEGORIES = (0, 1, 2)
STATE_OTHER_PER_PUPIL = 300.0
IDEA_PER_SWD = 1500.0


@dataclass
class Budgets:
    year: np.ndarray  # int16
    school: np.ndarray  # int32
    fund: np.ndarray  # int8 into FUND_SOURCES
    category: np.ndarray  # int8 into CATEGORIES
    cents: np.ndarray  # int64
    fte: np.ndarray  # float64 (NaN = not a staff line)


def title1(pop: Population, layout: Layout, first_year: int, p: SynthParams) -> np.ndarray:
    """Title I schools: SED share in the first year at or above ``title1_threshold``."""
    e = pop.enrollments
    m = e.year == first_year
    n = np.bincount(e.school[m], minlength=layout.n)
    sed = np.bincount(e.school[m], weights=e.sed[m], minlength=layout.n)
    return sed / np.maximum(n, 1) >= p.title1_threshold


def generate(pop: Population, layout: Layout, years: list[int], days: list[int],
             is_title1: np.ndarray, p: SynthParams, seed: int) -> Budgets:
    e = pop.enrollments
    rates = p.lcff_base_rates
    span_rate = np.array([rates["K-3"] * 1.104, rates["4-6"], rates["7-8"],
                          rates["9-12"] * 1.026])
    tables = rate_tables()
    span_of_grade = np.array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3])  # TK .. 12
    rank = np.argsort(np.argsort(layout.need)) / max(layout.n - 1, 1)
    out: list[Budgets] = []
    for t, (year, n_days) in enumerate(zip(years, days, strict=True)):
        rng = stream(seed, "budgets", t)
        m = np.flatnonzero(e.year == year)
        s = e.school[m]
        ada_w = (e.days_enrolled[m] - e.days_absent[m]) / n_days
        enr_w = e.days_enrolled[m] / n_days
        if year in tables:  # the year's whole-dollar adjusted rates
            year_rate = np.array([tables[year].adjusted_base(s) for s in SPANS], dtype=float)
        else:
            year_rate = span_rate * (1 + p.lcff_cola) ** (year - 2025)
        ada_rate = year_rate[span_of_grade[e.grade[m] + 1]]
        base = np.bincount(s, weights=ada_w * ada_rate, minlength=layout.n)
        size = np.bincount(s, weights=enr_w, minlength=layout.n)
        undup_flag = e.frpm[m] | (e.el[m] == demo.EL) | e.foster[m]
        undup = np.bincount(s, weights=enr_w * undup_flag, minlength=layout.n)
        sed = np.bincount(s, weights=enr_w * e.sed[m], minlength=layout.n)
        swd = np.bincount(s, weights=enr_w * e.swd[m], minlength=layout.n)
        upp = undup.sum() / max(size.sum(), 1e-9)
        pot = base.sum() * (0.2 * upp + 0.65 * max(0.0, upp - 0.55))
        w = undup * np.exp(rng.normal(0, 0.25, layout.n))
        supp = p.supp_conc_to_schools * pot * w / max(w.sum(), 1e-9)
        title = np.where(is_title1, p.title1_per_pupil * sed * np.exp(rng.normal(0, 0.1,
                                                                                layout.n)), 0)
        equity = p.equity_index_per_pupil * size * np.select([rank >= 0.8, rank >= 0.6],
                                                             [1.0, 0.5], 0.0)
        state = STATE_OTHER_PER_PUPIL * size * rng.lognormal(0, 0.3, layout.n)
        federal = IDEA_PER_SWD * swd
        local = p.local_per_pupil * size * np.exp(-0.7 * layout.need) * rng.lognormal(0, 0.4,
                                                                                        layout.n)
        dollars = np.stack([base, supp, title, equity, state, federal, local], axis=1)
        split = SPLIT[None, :, :] * np.exp(rng.normal(0, 0.08, (layout.n, 7, 6)))
        split /= split.sum(axis=2, keepdims=True)
        amount = np.round(dollars[:, :, None] * split * 100).astype(np.int64)
        school, fund, cat = np.nonzero(amount > 0)
        cents = amount[school, fund, cat]
        fte = np.where(np.isin(cat, STAFF_CATEGORIES), np.round(cents / 100 / p.position_cost,
                                                                1), np.nan)
        out.append(Budgets(np.full(school.size, year, np.int16), school.astype(np.int32),
                           fund.astype(np.int8), cat.astype(np.int8), cents, fte))
    return Budgets(*(np.concatenate([getattr(b, f) for b in out]) for f in
                     ("year", "school", "fund", "category", "cents", "fte")))
