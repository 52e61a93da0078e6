"""Gap metrics: pure functions on counts, summaries or score arrays, each returning a :class:`Gap`.

What we mean by a gap
---------------------
A gap compares **one group** of students (a student group, within one school, grade and year)
with **a named reference**, and every function says which:

- *another group* (``pp_difference``, ``rate_ratio``, ``mean_difference``, ``hedges_g``,
  ``v_statistic``: group a against group b, positive when a is higher);
- *all students*, with ``nested=True``: the reference contains the group, so the comparison is
  derived through the complement (the other students), which is what makes the sampling model
  of two independent groups right;
- *all other students* (``ppg1``, ``risk_ratio``) or *the highest-performing group*
  (``eighty_percent_index``), as the published rule prescribes.

Each result carries a 95% interval; ``within_noise`` says the interval contains "no gap"
(0 for differences and effect sizes, 1 for ratios), and ``flagged`` applies the metric's own rule
for a gap of concern. When the data do not allow a metric (no students, a zero reference rate,
complete separation) the value is NaN and ``note`` says why; only invalid arguments raise.

What the numbers cannot say
---------------------------
A gap describes outcomes, not causes: it does not say why a group's results differ, whether a
school or program produced the difference, or whether it is fair. The intervals cover sampling
noise only, not errors in the data, changes in who is tested, or the many comparisons made
when every group in every school is screened at once. Small groups give wide intervals: a gap
"within noise" is not evidence that there is no gap. Report counts next to every gap.

>>> from gapwatch.gaps import pp_difference
>>> g = pp_difference(30, 100, 150, 400, nested=True)   # 30% vs 37.5% for all students
>>> round(g.value, 1), g.within_noise
(-7.5, True)
"""

from __future__ import annotations

from gapwatch.gaps.disproportionality import consecutive_years, risk_ratio
from gapwatch.gaps.effect_size import hedges_g, hedges_g_arrays
from gapwatch.gaps.impact import eighty_percent_index, ppg1
from gapwatch.gaps.means import mean_difference
from gapwatch.gaps.rates import pp_difference, rate_ratio
from gapwatch.gaps.result import Gap
from gapwatch.gaps.vstat import V_METHODS, v_statistic, v_statistic_batch, v_statistic_scores

__all__ = [
    "V_METHODS",
    "Gap",
    "eighty_percent_index",
    "hedges_g",
    "hedges_g_arrays",
    "mean_difference",
    "pp_difference",
    "ppg1",
    "rate_ratio",
    "risk_ratio",
    "consecutive_years",
    "v_statistic",
    "v_statistic_batch",
    "v_statistic_scores",
]
