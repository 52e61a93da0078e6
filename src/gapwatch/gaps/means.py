"""Gaps between two means (scale scores, distance from standard, GPA) from summary statistics.

Summaries are (mean, sample SD with n - 1, n). With ``nested=True`` the reference b contains a
(b = all students): the other students' mean and SD are derived exactly from the totals by the
decomposition of sums and sums of squares, and the gap is taken through that complement.
"""

from __future__ import annotations

import math

from gapwatch.gaps._checks import check_summary
from gapwatch.gaps.result import Z95, Gap, make_gap, undefined_gap

METRIC = "mean_difference"

Summary = tuple[float, float, float]


def complement_of(a: Summary, b: Summary) -> tuple[Summary, str]:
    """(mean, SD, n) of the students in b but not in a, and a note when the SD cannot be derived.

    Sum: n_c m_c = n_b m_b - n_a m_a. Sums of squares about the means (SS = (n - 1) SD^2):
    SS_b = SS_a + SS_c + n_a (m_a - m_b)^2 + n_c (m_c - m_b)^2. The SD is NaN when n_c < 2, or
    when the summaries are inconsistent (SS_c clearly negative, e.g. from heavy rounding).

    >>> (m, s, n), note = complement_of((2.0, 1.0, 3), (3.0, 1.5811388300841898, 5))
    >>> round(m, 6), round(s, 6), n, note
    (4.5, 0.707107, 2.0, '')
    """
    (m_a, s_a, n_a), (m_b, s_b, n_b) = a, b
    if n_a > n_b:
        raise ValueError(f"nested=True needs group a inside b, but n_a={n_a} > n_b={n_b}")
    n_c = float(n_b - n_a)
    if n_c == 0:
        return (math.nan, math.nan, 0.0), "group a is all of b: no other students to compare"
    m_c = (n_b * m_b - n_a * m_a) / n_c
    if n_c < 2:
        return (m_c, math.nan, n_c), "fewer than 2 other students: their SD is not defined"
    ss_a, ss_b = (n_a - 1) * s_a**2 if n_a > 1 else 0.0, (n_b - 1) * s_b**2
    ss_c = ss_b - ss_a - n_a * (m_a - m_b) ** 2 - n_c * (m_c - m_b) ** 2
    if ss_c < -1e-9 * (ss_b + ss_a + 1e-300):
        return (m_c, math.nan, n_c), (
            "summaries are inconsistent: the other students' variance would be negative")
    return (m_c, math.sqrt(max(ss_c, 0.0) / (n_c - 1)), n_c), ""


def summaries(mean_a: float, sd_a: float, n_a: float, mean_b: float, sd_b: float, n_b: float,
              nested: bool) -> tuple[Summary, Summary, str]:
    """Checked summaries of a and of its comparison group (the complement when ``nested``).

    The note is non-empty when the gap cannot be computed (missing values, n < 2, ...).
    """
    a = check_summary(mean_a, sd_a, n_a, "group a")
    b = check_summary(mean_b, sd_b, n_b, "group b")
    if not all(math.isfinite(v) for v in (*a[:2], *b[:2])):
        return a, b, "a mean or SD is missing (NaN or infinite)"
    if nested:
        b, note = complement_of(a, b)
        if note:
            return a, b, note
    if a[2] < 2 or b[2] < 2:
        return a, b, "fewer than 2 students in a group: the SD and se are not defined"
    return a, b, ""


def mean_difference(mean_a: float, sd_a: float, n_a: float, mean_b: float, sd_b: float,
                    n_b: float, *, nested: bool = False) -> Gap:
    """Mean of group a minus mean of reference b, in the units of the scores.

    se = sqrt(sd_a^2 / n_a + sd_b^2 / n_b) (Welch 1947, Biometrika 34:28-35, unequal variances);
    95% interval: value +/- 1.96 se (normal; groups here are large enough that the t quantile
    changes little). ``nested=True``: b contains a; the other students' mean and SD are derived
    from the totals and the gap is (1 - w)(m_a - m_c), w = n_a / n_b, with se and interval
    scaled by (1 - w). Flagged when the interval excludes 0.

    >>> g = mean_difference(-20.0, 90.0, 400, 10.0, 95.0, 1600)
    >>> round(g.value, 1), round(g.se, 2), g.flagged
    (-30.0, 5.09, True)
    """
    (m_a, s_a, n_a), (m_b, s_b, n_b), note = summaries(mean_a, sd_a, n_a, mean_b, sd_b, n_b,
                                                       nested)
    if note:
        return undefined_gap(METRIC, note)
    scale = 1.0
    if nested:
        w = n_a / (n_a + n_b)
        scale = 1 - w
        note = (f"reference includes group a; computed against the other students and scaled "
                f"by 1 - w, w = n_a / n_b = {w:.3f}")
    d = scale * (m_a - m_b)
    se = scale * math.sqrt(s_a**2 / n_a + s_b**2 / n_b)
    return make_gap(METRIC, d, se, d - Z95 * se, d + Z95 * se, null=0.0, note=note)
