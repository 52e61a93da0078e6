"""Standardized mean difference: Hedges' g.

d = (m_a - m_b) / s_pooled, s_pooled^2 = ((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2)
(Cohen 1988); g = J d with the small-sample correction J = 1 - 3 / (4 (n_a + n_b) - 9)
(Hedges 1981, Journal of Educational Statistics 6(2):107-128; Hedges & Olkin 1985, Statistical
Methods for Meta-Analysis, ch. 5). Variance: V_d = (n_a + n_b) / (n_a n_b) + d^2 / (2 (n_a + n_b))
and se(g) = J sqrt(V_d) (Borenstein, Hedges, Higgins & Rothstein 2009, Introduction to
Meta-Analysis, eqs. 4.20-4.24); 95% interval g +/- 1.96 se(g).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.gaps._checks import check_summary
from gapwatch.gaps.means import Pairs, pairs
from gapwatch.gaps.result import Gap, GapArrays, gap_arrays, pick, undefined_gap
from gapwatch.stats import Z95

METRIC = "hedges_g"
NESTED_NOTE = "all-students reference: g is computed against the other students (b minus a)"


def _g(p: Pairs) -> GapArrays:
    """Hedges' g and its interval for checked summaries."""
    with np.errstate(all="ignore"):
        n = p.n_a + p.n_b
        pooled = np.sqrt(((p.n_a - 1) * p.s_a**2 + (p.n_b - 1) * p.s_b**2) / (n - 2))
        d = (p.m_a - p.m_b) / pooled
        j = 1 - 3 / (4 * n - 9)
        g, se = j * d, j * np.sqrt(n / (p.n_a * p.n_b) + d * d / (2 * n))
        lo, hi = g - Z95 * se, g + Z95 * se
    undefined, reason = pick([(p.undefined, p.reason),
                              (pooled == 0, "no variation within the groups: pooled SD is 0")],
                             g.shape)
    return gap_arrays(METRIC, g, se, lo, hi, null=0.0,
                      note=np.where(p.nested, NESTED_NOTE, "").astype(object),
                      undefined=undefined, reason=reason)


def hedges_g_batch(mean_a: ArrayLike, sd_a: ArrayLike, n_a: ArrayLike, mean_b: ArrayLike,
                       sd_b: ArrayLike, n_b: ArrayLike, nested: ArrayLike = False) -> GapArrays:
    """:func:`hedges_g` for arrays of summaries."""
    return _g(pairs(mean_a, sd_a, n_a, mean_b, sd_b, n_b, nested))


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
    a = check_summary(mean_a, sd_a, n_a, "group a")
    b = check_summary(mean_b, sd_b, n_b, "group b")
    if nested and a[2] > b[2] and np.isfinite([*a[:2], *b[:2]]).all():
        raise ValueError(f"nested=True needs group a inside b, but n_a={a[2]} > n_b={b[2]}")
    return hedges_g_batch(*a, *b, nested).gap()


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
    return hedges_g_batch(xa.mean(), xa.std(ddof=1), xa.size, xb.mean(), xb.std(ddof=1),
                              xb.size).gap()
