"""IDEA significant disproportionality: the risk ratio of 34 CFR 300.647.

The outcome is *adverse* (identification for special education, a disability category, a
restrictive placement, a suspension): a risk ratio above 1 means the group meets it more often
than all other students.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.gaps._checks import check_count
from gapwatch.gaps.intervals import ZERO_EVENTS_NOTE, katz_ratio
from gapwatch.gaps.result import Gap, GapArrays, floats, gap_arrays, pick, undefined_gap

METRIC = "risk_ratio"

#: Default risk ratio threshold: no California source was found (METHODS.md 6.7), so it is a
#: setting (``gaps.risk_ratio_threshold``) labelled as a default; each state sets its own
#: (Washington: > 3.0, WAC 392-172A-07040).
DEFAULT_THRESHOLD = 3.0
#: Default minimum cell and n-size: the ceilings 34 CFR 300.647(b)(1)(iv) calls presumptively
#: reasonable; California's own were not found (METHODS.md 6.7). Settings.
DEFAULT_MIN_CELL, DEFAULT_MIN_N = 10, 30
#: California identifies significant disproportionality after this many consecutive years over
#: the threshold in the same indicator and category (CDE, METHODS.md 6.7).
CALIFORNIA_YEARS = 3
ALTERNATE_NOTE = ("alternate risk ratio: the LEA comparison group is below minimum sizes; "
                  "compared with all other students in the State")


def _meets(x: ArrayLike, n: ArrayLike, min_cell: int, min_n: int) -> np.ndarray:
    return (np.asarray(x) >= min_cell) & (np.asarray(n) >= min_n)


def risk_ratio_batch(x_group: ArrayLike, n_group: ArrayLike, x_other: ArrayLike,
                      n_other: ArrayLike, *, threshold: float = DEFAULT_THRESHOLD,
                      min_cell: int = DEFAULT_MIN_CELL, min_n: int = DEFAULT_MIN_N
                      ) -> GapArrays:
    """:func:`risk_ratio` for arrays of counts against all other students in the LEA (the
    alternate risk ratio is the scalar function's)."""
    x_g, n_g, x_o, n_o = floats(x_group, n_group, x_other, n_other)
    small = np.array([f"group below minimum cell size {min_cell} or n-size {min_n} (x={x:g}, "
                      f"n={n:g}): no risk ratio (300.647(c))"
                      for x, n in zip(x_g.tolist(), n_g.tolist(), strict=True)], dtype=object)
    undefined, reason = pick([
        (~_meets(x_g, n_g, min_cell, min_n), small.reshape(x_g.shape)),
        (~_meets(x_o, n_o, min_cell, min_n), f"comparison group below minimum cell size "
         f"{min_cell} or n-size {min_n}; pass alternate=(x_state, n_state) for the alternate "
         "risk ratio"),
        ((n_o == 0) | (x_o == 0), "comparison risk is 0 or has no students: not defined")],
        x_g.shape)
    ratio, se, lo, hi = katz_ratio(x_g, n_g, x_o, n_o)
    return gap_arrays(METRIC, ratio, se, lo, hi, null=1.0, flagged=ratio > threshold,
                      note=np.where(x_g == 0, ZERO_EVENTS_NOTE, "").astype(object),
                      undefined=undefined, reason=reason)


def risk_ratio(x_group: float, n_group: float, x_other: float, n_other: float, *,
               threshold: float = DEFAULT_THRESHOLD, min_cell: int = DEFAULT_MIN_CELL,
               min_n: int = DEFAULT_MIN_N,
               alternate: tuple[float, float] | None = None) -> Gap:
    """Risk of an adverse outcome for the group divided by the risk for all other students.

    34 CFR 300.647 (IDEA Part B, significant disproportionality): risk = x / n; the comparison
    group is all other students in the LEA. When that comparison group has fewer than
    ``min_cell`` events or fewer than ``min_n`` students, the *alternate risk ratio* divides by
    the risk of all other students in the State: ``alternate=(x_state, n_state)``
    (300.647(a)(1), (b)(5)); the note says so. A group below ``min_cell``/``min_n`` gets no
    ratio (300.647(c)). Cell size <= 10 and n-size <= 30 are presumptively reasonable
    (300.647(b)(1)(iv)); the defaults are those ceilings.

    95% interval: Katz log method (Katz et al. 1978, Biometrics 34:469-474). ``flagged`` when
    the ratio exceeds ``threshold`` (300.647(d)(1): "exceeded a risk ratio threshold"). The
    threshold is each state's choice (300.647(b)(1)(i)(A)); 3.0 is a default without a
    California source (METHODS.md 6.7). California identifies only after three consecutive
    years over the threshold: see :func:`consecutive_years`; one year's flag is not a
    determination.

    >>> g = risk_ratio(40, 200, 50, 1000)    # 20% vs 5%
    >>> round(g.value, 2), round(g.ci_low, 2), round(g.ci_high, 2), g.flagged
    (4.0, 2.72, 5.89, True)
    >>> g = risk_ratio(40, 200, 3, 25, alternate=(5000, 100000))
    >>> round(g.value, 2), g.note.startswith("alternate risk ratio")
    (4.0, True)
    """
    x_g, n_g = check_count(x_group, n_group, "group")
    x_o, n_o = check_count(x_other, n_other, "all other students")
    if not (math.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive number, got {threshold}")
    if min_cell < 0 or min_n < 0:
        raise ValueError(f"min_cell and min_n must be non-negative, got {min_cell}, {min_n}")
    sizes = {"threshold": threshold, "min_cell": min_cell, "min_n": min_n}
    use_alternate = (alternate is not None and bool(_meets(x_g, n_g, min_cell, min_n))
                     and not _meets(x_o, n_o, min_cell, min_n))
    if not use_alternate:
        return risk_ratio_batch(x_g, n_g, x_o, n_o, **sizes).gap()
    x_o, n_o = check_count(*alternate, "alternate (all other students in the State)")
    if not _meets(x_o, n_o, min_cell, min_n):
        return undefined_gap(METRIC, "comparison group in the LEA and in the State below "
                             "minimum sizes: no risk ratio (300.647(c))")
    gap = risk_ratio_batch(x_g, n_g, x_o, n_o, **sizes).gap()
    if not gap.computed:
        return gap
    return replace(gap, note="; ".join(s for s in (ALTERNATE_NOTE, gap.note) if s))


def consecutive_years(flagged: dict[int, bool], year: int, *,
                      required: int = CALIFORNIA_YEARS) -> tuple[int, str]:
    """Consecutive years over the threshold ending in ``year``, and what they mean in words.

    ``flagged``: school year -> the risk ratio exceeded the threshold, for the years present in
    the data (the same entity, indicator and group). California identifies significant
    disproportionality after ``required`` consecutive years (CDE; METHODS.md 6.7); with fewer
    years in the data the rule is applied over the years present and the words say so.

    >>> consecutive_years({2023: True, 2024: True, 2025: True}, 2025)
    (3, 'over the threshold 3 consecutive years (2023-2025): significant disproportionality under the 3-year rule')
    >>> consecutive_years({2023: False, 2024: True, 2025: True}, 2025)[1]
    'over the threshold 2 consecutive years (2024-2025); 3 needed'
    >>> consecutive_years({2024: True, 2025: True}, 2025)[1]
    'over the threshold in every year present (2024-2025); 3 consecutive years needed, earlier years not in the data'
    """  # noqa: E501
    count = 0
    while flagged.get(year - count):
        count += 1
    if count == 0:
        return 0, ""
    span = f"{year - count + 1}-{year}" if count > 1 else str(year)
    if count >= required:
        return count, (f"over the threshold {count} consecutive years ({span}): significant "
                       f"disproportionality under the {required}-year rule")
    if year - count in flagged:
        if count == 1:
            return 1, f"over the threshold in {year} only; {required} consecutive years needed"
        return count, f"over the threshold {count} consecutive years ({span}); {required} needed"
    return count, (f"over the threshold in every year present ({span}); {required} consecutive "
                   "years needed, earlier years not in the data")
