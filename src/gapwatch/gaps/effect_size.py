"""Standardized mean difference: Hedges' g.

d = (m_a - m_b) / s_pooled, s_pooled^2 = ((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2)
(Cohen 1988); g = J d with the small-sample correction J = 1 - 3 / (4 (n_a + n_b) - 9)
(Hedges 1981, Journal of Educational Statistics 6(2):107-128; Hedges & Olkin 1985, Statistical
Methods for Meta-Analysis, ch. 5). Variance: V_d = (n_a + n_b) / (n_a n_b) + d^2 / (2 (n_a + n_b))
and se(g) = J sqrt(V_d) (Borenstein, Hedges, Higgins & Rothstein 2009, Introduction to
Meta-Analysis, eqs. 4.20-4.24); 95% interval g +/- 1.96 se(g).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.gaps.means import summaries
from gapwatch.gaps.result import Z95, Gap, make_gap, undefined_gap

METRIC = "hedges_g"


def _g(m_a: float, s_a: float, n_a: float, m_b: float, s_b: float, n_b: float,
       note: str = "") -> Gap:
    n = n_a + n_b
    pooled = math.sqrt(((n_a - 1) * s_a**2 + (n_b - 1) * s_b**2) / (n - 2))
    if pooled == 0:
        return undefined_gap(METRIC, "no variation within the groups: pooled SD is 0")
    d = (m_a - m_b) / pooled
    j = 1 - 3 / (4 * n - 9)
    g, se = j * d, j * math.sqrt(n / (n_a * n_b) + d * d / (2 * n))
    return make_gap(METRIC, g, se, g - Z95 * se, g + Z95 * se, null=0.0, note=note)


def hedges_g(mean_a: float, sd_a: float, n_a: float, mean_b: float, sd_b: float, n_b: float, *,
             nested: bool = False) -> Gap:
    """Hedges' g of group a against b from (mean, SD with n - 1, n) summaries.

    ``nested=True``: b contains a (all students). A standardized difference against a population
    that includes the group is not a standard quantity (the pooled SD would count a twice), so
    g is computed against the *other students*, whose mean and SD are derived exactly from the
    totals; the note says so. Unlike the percentage-point difference it is not rescaled.
    Flagged when the interval excludes 0.

    >>> g = hedges_g(-20.0, 90.0, 400, 10.0, 95.0, 1600)
    >>> round(g.value, 3), round(g.se, 3), g.flagged
    (-0.319, 0.056, True)
    """
    (m_a, s_a, n_a), (m_b, s_b, n_b), note = summaries(mean_a, sd_a, n_a, mean_b, sd_b, n_b,
                                                       nested)
    if note:
        return undefined_gap(METRIC, note)
    if nested:
        note = "all-students reference: g is computed against the other students (b minus a)"
    return _g(m_a, s_a, n_a, m_b, s_b, n_b, note)


def hedges_g_arrays(a: ArrayLike, b: ArrayLike) -> Gap:
    """Hedges' g from raw scores of two independent groups (1-D arrays of finite numbers).

    >>> round(hedges_g_arrays([1, 2, 3, 4], [3, 4, 5, 6]).value, 4)
    -1.3471
    """
    xa, xb = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if not (np.isfinite(xa).all() and np.isfinite(xb).all()):
        raise ValueError("scores must be finite numbers (drop missing values first)")
    if xa.size < 2 or xb.size < 2:
        return undefined_gap(METRIC, "fewer than 2 students in a group: the SD is not defined")
    return _g(float(xa.mean()), float(xa.std(ddof=1)), float(xa.size),
              float(xb.mean()), float(xb.std(ddof=1)), float(xb.size))
