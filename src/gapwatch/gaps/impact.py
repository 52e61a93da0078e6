"""Disproportionate-impact rules for a *positive* outcome (higher rate is better).

- PPG-1, percentage point gap minus one (California Community Colleges Chancellor's Office).
- The 80% index, the "four-fifths rule" of the 1978 Uniform Guidelines on Employee Selection
  Procedures, 29 CFR 1607.4(D).

Both are screening rules published by agencies, not statistical tests: they say which gaps an
agency asks us to look at, not why the gap exists. Each has a kernel over arrays (``*_batch``)
and the scalar function of the public API.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.gaps._checks import check_count
from gapwatch.gaps.intervals import ZERO_EVENTS_NOTE, katz_ratio
from gapwatch.gaps.result import Gap, GapArrays, floats, gap_arrays, pick, texts

PPG1_METRIC = "ppg1"
EIGHTY_METRIC = "eighty_percent_index"

#: The CCCCO margin of error uses 1.96, written out (not the exact normal quantile).
PPG1_Z = 1.96
#: Minimum margin of error, as a proportion (2 percentage points; the 3-point minimum belongs to
#: the older 2017 method). As restated in METHODS.md 6.7, not read in the primary text.
PPG1_MIN_MOE = 0.02
#: A group of this many students or fewer is "insufficient data" (CCC PPG-1, METHODS.md 6.7).
PPG1_INSUFFICIENT_N = 10
#: Four-fifths rule, 29 CFR 1607.4(D).
EIGHTY_CUTOFF = 0.80
ABOVE_TOP = "group rate is above the given top group's rate"


def ppg1_batch(x_group: ArrayLike, n_group: ArrayLike, x_total: ArrayLike,
                n_total: ArrayLike, min_moe: float = PPG1_MIN_MOE) -> GapArrays:
    """:func:`ppg1` for arrays of counts."""
    x_g, n_g, x_t, n_t = floats(x_group, n_group, x_total, n_total)
    insufficient = texts(f"insufficient data: {{:g}} students (PPG-1 needs more than "
                         f"{PPG1_INSUFFICIENT_N})", n_g, n_g <= PPG1_INSUFFICIENT_N)
    undefined, reason = pick([
        (n_g == 0, "group has no students"),
        (n_g <= PPG1_INSUFFICIENT_N, insufficient),
        (n_t - n_g == 0, "group is all students: no other students to compare")], x_g.shape)
    with np.errstate(all="ignore"):
        p = x_g / n_g
        gap = p - (x_t - x_g) / (n_t - n_g)
        moe = np.maximum(PPG1_Z * np.sqrt(p * (1 - p) / n_g), min_moe)
        flagged = gap <= -moe + 1e-12  # "at or below", robust to rounding in the subtraction
        columns = (100 * gap, 100 * moe / PPG1_Z, 100 * (gap - moe), 100 * (gap + moe))
    return gap_arrays(PPG1_METRIC, *columns, null=0.0, flagged=flagged,
                      note=texts("margin of error {:.2f} pp", 100 * moe), undefined=undefined,
                      reason=reason)


def ppg1(x_group: float, n_group: float, x_total: float, n_total: float, *,
         min_moe: float = PPG1_MIN_MOE) -> Gap:
    """Percentage Point Gap minus one: group rate minus the rate of all *other* students, in pp.

    The other students are derived from the totals: (x_total - x_group, n_total - n_group).
    Margin of error MOE = max(1.96 * sqrt(p (1 - p) / n), ``min_moe``) with the group's own rate
    p and size n; ci = value +/- MOE and se = MOE / 1.96 (in pp). Disproportionate impact
    (``flagged``) when PPG-1 <= -MOE. The MOE covers the group's sampling error only: this is
    the Chancellor's Office screening rule, not a test of the difference.

    A group of 10 students or fewer is "insufficient data": no gap (METHODS.md 6.7).

    Source: California Community Colleges Chancellor's Office (2022), "Percentage Point Gap
    Minus One (PPG-1) Methodology Notes", Digital Innovation and Infrastructure Division,
    Research and Data Analytics (listed at datavista.cccco.edu/resources/9), as restated in
    METHODS.md 6.7 (the primary text could not be read): n <= 10 insufficient data; the 2-point
    minimum MOE (the 3-point minimum, and the DisImpact R package's 3%, belong to the older
    2017 method) - ``min_moe`` stays a parameter.

    >>> g = ppg1(60, 200, 500, 1000)   # 30% vs 440/800 = 55% for everyone else
    >>> round(g.value, 1), round(g.ci_high - g.value, 2), g.flagged
    (-25.0, 6.35, True)
    """
    x_g, n_g = check_count(x_group, n_group, "group")
    x_t, n_t = check_count(x_total, n_total, "total")
    if not (math.isfinite(min_moe) and min_moe >= 0):
        raise ValueError(f"min_moe must be a non-negative proportion, got {min_moe}")
    if x_g > x_t or n_g > n_t or x_t - x_g > n_t - n_g:
        raise ValueError(
            f"the group (x={x_g}, n={n_g}) must be part of the total (x={x_t}, n={n_t})")
    return ppg1_batch(x_g, n_g, x_t, n_t, min_moe).gap()


def eighty_percent_index_batch(x_group: ArrayLike, n_group: ArrayLike, x_top: ArrayLike,
                                n_top: ArrayLike) -> GapArrays:
    """:func:`eighty_percent_index` for arrays of counts."""
    x_g, n_g, x_h, n_h = floats(x_group, n_group, x_top, n_top)
    undefined, reason = pick([
        (n_g == 0, "group has no students"),
        (n_h == 0, "top group has no students"),
        (x_h == 0, "top group's rate is 0: the index is not defined")], x_g.shape)
    ratio, se, lo, hi = katz_ratio(x_g, n_g, x_h, n_h)
    zero, above = x_g == 0, ratio > 1
    note = np.where(zero & above, f"{ZERO_EVENTS_NOTE}; {ABOVE_TOP}",
                    np.where(zero, ZERO_EVENTS_NOTE, np.where(above, ABOVE_TOP, "")))
    return gap_arrays(EIGHTY_METRIC, ratio, se, lo, hi, null=1.0,
                      flagged=ratio < EIGHTY_CUTOFF, note=note.astype(object),
                      undefined=undefined, reason=reason)


def eighty_percent_index(x_group: float, n_group: float, x_top: float, n_top: float) -> Gap:
    """Group rate divided by the rate of the highest-performing group (80% index).

    Four-fifths rule: a rate below 80% of the highest group's rate is "generally regarded as
    evidence of adverse impact" (Uniform Guidelines on Employee Selection Procedures, 1978,
    29 CFR 1607.4(D)). ``flagged`` when the index < 0.80; the 95% interval (Katz log method,
    Katz et al. 1978, Biometrics 34:469-474) says whether that shortfall is beyond noise. The
    caller picks the top group; for the top group itself the index is 1 by definition.

    >>> g = eighty_percent_index(30, 100, 45, 100)
    >>> round(g.value, 3), g.flagged, g.within_noise
    (0.667, True, False)
    """
    x_g, n_g = check_count(x_group, n_group, "group")
    x_h, n_h = check_count(x_top, n_top, "top group")
    return eighty_percent_index_batch(x_g, n_g, x_h, n_h).gap()
