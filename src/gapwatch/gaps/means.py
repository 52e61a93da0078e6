"""Gaps between two means (scale scores, distance from standard, GPA) from summary statistics.

Summaries are (mean, sample SD with n - 1, n). With ``nested=True`` the reference b contains a
(b = all students): the other students' mean and SD are derived exactly from the totals by the
decomposition of sums and sums of squares, and the gap is taken through that complement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.gaps._checks import check_summary
from gapwatch.gaps.result import Gap, GapArrays, floats, gap_arrays, pick, texts
from gapwatch.stats import Z95

METRIC = "mean_difference"

Summary = tuple[float, float, float]
NESTED_NOTE = ("reference includes group a; computed against the other students and scaled by "
               "1 - w, w = n_a / n_b = {:.3f}")


@dataclass(frozen=True)
class Pairs:
    """Checked summaries of groups a and of their comparison groups (the complement where
    nested), as arrays; ``undefined`` rows cannot give a gap and ``reason`` says why."""

    m_a: np.ndarray
    s_a: np.ndarray
    n_a: np.ndarray
    m_b: np.ndarray
    s_b: np.ndarray
    n_b: np.ndarray
    nested: np.ndarray
    undefined: np.ndarray
    reason: np.ndarray


def pairs(mean_a: ArrayLike, sd_a: ArrayLike, n_a: ArrayLike, mean_b: ArrayLike,
          sd_b: ArrayLike, n_b: ArrayLike, nested: ArrayLike = False) -> Pairs:
    """Summaries of a and of its comparison group, the other students where ``nested``.

    Other students: n_c m_c = n_b m_b - n_a m_a; sums of squares about the means (SS = (n - 1)
    SD^2): SS_b = SS_a + SS_c + n_a (m_a - m_b)^2 + n_c (m_c - m_b)^2. Their SD is undefined when
    n_c < 2, or when the summaries are inconsistent (SS_c clearly negative, e.g. from heavy
    rounding).

    >>> p = pairs(2.0, 1.0, 3, 3.0, 1.5811388300841898, 5, nested=True)
    >>> round(float(p.m_b[0]), 6), round(float(p.s_b[0]), 6), float(p.n_b[0]), p.reason[0]
    (4.5, 0.707107, 2.0, '')
    """
    m_a, s_a, n_a, m_b, s_b, n_b = floats(mean_a, sd_a, n_a, mean_b, sd_b, n_b)
    nested = np.broadcast_to(np.asarray(nested, dtype=bool), m_a.shape)
    missing = ~(np.isfinite(m_a) & np.isfinite(s_a) & np.isfinite(m_b) & np.isfinite(s_b))
    with np.errstate(all="ignore"):
        n_c = n_b - n_a
        m_c = (n_b * m_b - n_a * m_a) / n_c
        ss_a, ss_b = np.where(n_a > 1, (n_a - 1) * s_a**2, 0.0), (n_b - 1) * s_b**2
        ss_c = ss_b - ss_a - n_a * (m_a - m_b) ** 2 - n_c * (m_c - m_b) ** 2
        s_c = np.sqrt(np.maximum(ss_c, 0.0) / (n_c - 1))
        negative = ss_c < -1e-9 * (ss_b + ss_a + 1e-300)
    n_r = np.where(nested, n_c, n_b)
    undefined, reason = pick([
        (missing, "a mean or SD is missing (NaN or infinite)"),
        (nested & (n_c == 0), "group a is all of b: no other students to compare"),
        (nested & (n_c < 2), "fewer than 2 other students: their SD is not defined"),
        (nested & negative,
         "summaries are inconsistent: the other students' variance would be negative"),
        ((n_a < 2) | (n_r < 2), "fewer than 2 students in a group: the SD and se are not "
         "defined")], m_a.shape)
    return Pairs(m_a, s_a, n_a, np.where(nested, m_c, m_b), np.where(nested, s_c, s_b), n_r,
                 nested, undefined, reason)


def mean_difference_batch(mean_a: ArrayLike, sd_a: ArrayLike, n_a: ArrayLike,
                           mean_b: ArrayLike, sd_b: ArrayLike, n_b: ArrayLike,
                           nested: ArrayLike = False) -> GapArrays:
    """:func:`mean_difference` for arrays of summaries."""
    p = pairs(mean_a, sd_a, n_a, mean_b, sd_b, n_b, nested)
    with np.errstate(all="ignore"):
        w = p.n_a / (p.n_a + p.n_b)
        scale = np.where(p.nested, 1 - w, 1.0)
        d = scale * (p.m_a - p.m_b)
        se = scale * np.sqrt(p.s_a**2 / p.n_a + p.s_b**2 / p.n_b)
        lo, hi = d - Z95 * se, d + Z95 * se
    return gap_arrays(METRIC, d, se, lo, hi, null=0.0,
                      note=texts(NESTED_NOTE, w, p.nested),
                      undefined=p.undefined, reason=p.reason)


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
    a = check_summary(mean_a, sd_a, n_a, "group a")
    b = check_summary(mean_b, sd_b, n_b, "group b")
    if nested and a[2] > b[2] and np.isfinite([*a[:2], *b[:2]]).all():
        raise ValueError(f"nested=True needs group a inside b, but n_a={a[2]} > n_b={b[2]}")
    return mean_difference_batch(*a, *b, nested).gap()
