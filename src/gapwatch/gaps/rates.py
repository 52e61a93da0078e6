"""Gaps between two rates: percentage-point difference and ratio.

Both take counts: ``x`` students with the outcome among ``n`` students, for group a and a
reference b. With ``nested=True`` the reference b is a population that *contains* a (typically
all students); the comparison is then derived through the complement c = b - a (the other
students), which is independent of a:

    p_b = w p_a + (1 - w) p_c,  w = n_a / n_b,  so  p_a - p_b = (1 - w)(p_a - p_c).

Treating a and b as independent samples would understate the uncertainty of the gap when a is a
large part of b (and overstate it when a is small): the complement is what makes the sampling
model right.
"""

from __future__ import annotations

import math

from gapwatch.gaps._checks import check_count, check_subset
from gapwatch.gaps.intervals import ZERO_EVENTS_NOTE, katz_ratio, newcombe, wald_diff_se
from gapwatch.gaps.result import Z95, Gap, make_gap, undefined_gap

PP_METRIC = "pp_difference"
RATIO_METRIC = "ratio"


def _nested_note(w: float) -> str:
    return (f"reference includes group a; computed against the other students and scaled by "
            f"1 - w, w = n_a / n_b = {w:.3f}")


def _nested_ratio_note(w: float) -> str:
    return (f"reference includes group a (w = n_a / n_b = {w:.3f}); se by the delta method "
            "over group a and the other students")


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
    scale, note = 1.0, ""
    if nested:
        total = n_b
        x_b, n_b = check_subset(x_a, n_a, x_b, n_b)
        if n_a > 0 and n_b == 0:
            return undefined_gap(PP_METRIC, "group a is all of b: no other students to compare")
        if n_a > 0:
            scale, note = 1 - n_a / total, _nested_note(n_a / total)
    if n_a == 0:
        return undefined_gap(PP_METRIC, "group a has no students")
    if n_b == 0:
        return undefined_gap(PP_METRIC, "reference group has no students")
    lo, hi = newcombe(x_a, n_a, x_b, n_b)
    d = x_a / n_a - x_b / n_b
    k = 100.0 * scale
    return make_gap(PP_METRIC, k * d, k * wald_diff_se(x_a, n_a, x_b, n_b), k * lo, k * hi,
                    null=0.0, note=note)


def _nested_ratio(x_a: float, n_a: float, x_c: float, n_c: float, w: float) -> tuple[float, ...]:
    """(ratio, se, lo, hi) of p_a / (w p_a + (1 - w) p_c), delta method on the log scale."""
    p_a, p_c = x_a / n_a, x_c / n_c
    p_b = w * p_a + (1 - w) * p_c
    var = ((1 / p_a - w / p_b) ** 2 * p_a * (1 - p_a) / n_a
           + ((1 - w) / p_b) ** 2 * p_c * (1 - p_c) / n_c)
    s = math.sqrt(max(var, 0.0))
    ratio = p_a / p_b
    return ratio, ratio * s, ratio * math.exp(-Z95 * s), ratio * math.exp(Z95 * s)


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
        x_c, n_c = check_subset(x_a, n_a, x_b, n_b)
        if n_a > 0 and n_c == 0:
            return undefined_gap(RATIO_METRIC, "group a is all of b: no other students to compare")
    if n_a == 0:
        return undefined_gap(RATIO_METRIC, "group a has no students")
    if n_b == 0:
        return undefined_gap(RATIO_METRIC, "reference group has no students")
    if x_b == 0:
        return undefined_gap(RATIO_METRIC, "reference rate is 0: the ratio is not defined")
    if not nested:
        ratio, se, lo, hi = katz_ratio(x_a, n_a, x_b, n_b)
        return make_gap(RATIO_METRIC, ratio, se, lo, hi, null=1.0,
                        note="" if x_a > 0 else ZERO_EVENTS_NOTE)
    w = n_a / n_b
    if x_a > 0:
        ratio, se, lo, hi = _nested_ratio(x_a, n_a, x_c, n_c, w)
        return make_gap(RATIO_METRIC, ratio, se, lo, hi, null=1.0, note=_nested_ratio_note(w))
    hi = _nested_ratio(0.5, n_a + 1, x_c + 0.5, n_c + 1, w)[3]
    return make_gap(RATIO_METRIC, 0.0, math.nan, 0.0, hi, null=1.0,
                    note=f"{ZERO_EVENTS_NOTE}; {_nested_ratio_note(w)}")
