"""Gaps between two rates: percentage-point difference and ratio.

Both take counts: ``x`` students with the outcome among ``n`` students, for group a and a
reference b. With ``nested=True`` the reference b is a population that *contains* a (typically
all students); the comparison is then derived through the complement c = b - a (the other
students), which is independent of a:

    p_b = w p_a + (1 - w) p_c,  w = n_a / n_b,  so  p_a - p_b = (1 - w)(p_a - p_c).

Treating a and b as independent samples would understate the uncertainty of the gap when a is a
large part of b (and overstate it when a is small): the complement is what makes the sampling
model right.

Each metric has one kernel over arrays (``*_batch``, what the gaps table calls for all its
rows) and the scalar function of the public API, which checks its arguments and takes row 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.gaps._checks import check_count, check_subset
from gapwatch.gaps.intervals import ZERO_EVENTS_NOTE, katz_ratio, newcombe, wald_diff_se
from gapwatch.gaps.result import Gap, GapArrays, floats, gap_arrays, pick, texts
from gapwatch.stats import Z95

PP_METRIC = "pp_difference"
RATIO_METRIC = "ratio"

ALL_OF_B = "group a is all of b: no other students to compare"
NESTED_NOTE = ("reference includes group a; computed against the other students and scaled by "
               "1 - w, w = n_a / n_b = {:.3f}")
NESTED_RATIO_NOTE = ("reference includes group a (w = n_a / n_b = {:.3f}); se by the delta "
                     "method over group a and the other students")


def pp_difference_batch(x_a: ArrayLike, n_a: ArrayLike, x_b: ArrayLike, n_b: ArrayLike,
                         nested: ArrayLike = False) -> GapArrays:
    """:func:`pp_difference` for arrays of counts (``nested`` per row or for all)."""
    x_a, n_a, x_b, n_b = floats(x_a, n_a, x_b, n_b)
    nested = np.broadcast_to(np.asarray(nested, dtype=bool), x_a.shape)
    total = n_b
    x_r, n_r = np.where(nested, x_b - x_a, x_b), np.where(nested, n_b - n_a, n_b)
    undefined, reason = pick([(nested & (n_a > 0) & (n_r == 0), ALL_OF_B),
                              (n_a == 0, "group a has no students"),
                              (n_r == 0, "reference group has no students")], x_a.shape)
    scaled = nested & (n_a > 0) & ~undefined
    with np.errstate(all="ignore"):
        w = n_a / total
        k = 100.0 * np.where(scaled, 1 - w, 1.0)
        lo, hi = newcombe(x_a, n_a, x_r, n_r)
        d = x_a / n_a - x_r / n_r
        se = wald_diff_se(x_a, n_a, x_r, n_r)
        value, se, lo, hi = k * d, k * se, k * lo, k * hi
    note = texts(NESTED_NOTE, w, scaled)
    return gap_arrays(PP_METRIC, value, se, lo, hi, null=0.0, note=note,
                      undefined=undefined, reason=reason)


def pp_difference(x_a: float, n_a: float, x_b: float, n_b: float, *, nested: bool = False) -> Gap:
    """Rate of group a minus rate of reference b, in percentage points.

    95% interval: Newcombe's hybrid score interval (method 10; Newcombe 1998, Statistics in
    Medicine 17:873-890) from the two Wilson intervals; ``se`` is the Wald standard error.
    ``nested=True``: b contains a (b = all students); the gap is (1 - w) times the gap between a
    and the other students (w = n_a / n_b), with interval and se scaled the same way.
    Flagged when the interval excludes 0 (beyond noise); the sign gives the direction.

    >>> g = pp_difference(30, 100, 45, 100)
    >>> round(g.value, 1), round(g.ci_low, 2), round(g.ci_high, 2), g.flagged
    (-15.0, -27.68, -1.59, True)
    >>> round(pp_difference(30, 100, 120, 400, nested=True).value, 1)
    0.0
    """
    x_a, n_a = check_count(x_a, n_a, "group a")
    x_b, n_b = check_count(x_b, n_b, "group b")
    if nested:
        check_subset(x_a, n_a, x_b, n_b)
    return pp_difference_batch(x_a, n_a, x_b, n_b, nested).gap()


def _nested_ratio(x_a: np.ndarray, n_a: np.ndarray, x_c: np.ndarray, n_c: np.ndarray,
                  w: np.ndarray) -> tuple[np.ndarray, ...]:
    """(ratio, se, lo, hi) of p_a / (w p_a + (1 - w) p_c), delta method on the log scale."""
    p_a, p_c = x_a / n_a, x_c / n_c
    p_b = w * p_a + (1 - w) * p_c
    var = ((1 / p_a - w / p_b) ** 2 * p_a * (1 - p_a) / n_a
           + ((1 - w) / p_b) ** 2 * p_c * (1 - p_c) / n_c)
    s = np.sqrt(np.maximum(var, 0.0))
    ratio = p_a / p_b
    return ratio, ratio * s, ratio * np.exp(-Z95 * s), ratio * np.exp(Z95 * s)


def rate_ratio_batch(x_a: ArrayLike, n_a: ArrayLike, x_b: ArrayLike, n_b: ArrayLike,
                      nested: ArrayLike = False) -> GapArrays:
    """:func:`rate_ratio` for arrays of counts (``nested`` per row or for all)."""
    x_a, n_a, x_b, n_b = floats(x_a, n_a, x_b, n_b)
    nested = np.broadcast_to(np.asarray(nested, dtype=bool), x_a.shape)
    x_c, n_c = x_b - x_a, n_b - n_a
    undefined, reason = pick([
        (nested & (n_a > 0) & (n_c == 0), ALL_OF_B),
        (n_a == 0, "group a has no students"),
        (n_b == 0, "reference group has no students"),
        (x_b == 0, "reference rate is 0: the ratio is not defined")], x_a.shape)
    some = x_a > 0
    with np.errstate(all="ignore"):
        plain = katz_ratio(x_a, n_a, x_b, n_b)
        w = n_a / n_b
        inside = _nested_ratio(x_a, n_a, x_c, n_c, w)
        zero_hi = _nested_ratio(0.5 + 0 * x_a, n_a + 1, x_c + 0.5, n_c + 1, w)[3]
        inside = (np.where(some, inside[0], 0.0), np.where(some, inside[1], np.nan),
                  np.where(some, inside[2], 0.0), np.where(some, inside[3], zero_hi))
    ratio, se, lo, hi = (np.where(nested, b, a) for a, b in zip(plain, inside, strict=True))
    note = np.where(nested, np.where(some, texts(NESTED_RATIO_NOTE, w, nested & some),
                                     texts(f"{ZERO_EVENTS_NOTE}; {NESTED_RATIO_NOTE}", w,
                                           nested & ~some)),
                    np.where(some, "", ZERO_EVENTS_NOTE))
    return gap_arrays(RATIO_METRIC, ratio, se, lo, hi, null=1.0, note=note,
                      undefined=undefined, reason=reason)


def rate_ratio(x_a: float, n_a: float, x_b: float, n_b: float, *, nested: bool = False) -> Gap:
    """Rate of group a divided by rate of reference b.

    95% interval: Katz's log method (Katz et al. 1978, Biometrics 34:469-474),
    se(log RR) = sqrt(1/x_a - 1/n_a + 1/x_b - 1/n_b); ``se`` is the ratio's delta-method
    standard error, ratio * se(log RR). ``nested=True``: b contains a; the log of
    p_a / (w p_a + (1 - w) p_c) gets its se by the delta method over the independent a and
    complement c. Flagged when the interval excludes 1. A zero reference rate gives NaN.

    >>> g = rate_ratio(30, 100, 45, 100)
    >>> round(g.value, 3), round(g.ci_low, 3), round(g.ci_high, 3), g.flagged
    (0.667, 0.461, 0.965, True)
    """
    x_a, n_a = check_count(x_a, n_a, "group a")
    x_b, n_b = check_count(x_b, n_b, "group b")
    if nested:
        check_subset(x_a, n_a, x_b, n_b)
    return rate_ratio_batch(x_a, n_a, x_b, n_b, nested).gap()
