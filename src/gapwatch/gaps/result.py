"""The result of every gap metric: one frozen record with its uncertainty and its verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special

#: Two-sided 95% normal quantile, 1.959963984540054.
Z95 = float(special.ndtri(0.975))

NAN = float("nan")


@dataclass(frozen=True)
class Gap:
    """A gap between two groups, with a 95% interval and what the numbers allow us to say.

    - ``value``: the metric (percentage points, a ratio, an effect size, ...); NaN when the
      metric cannot be computed from these data, and ``note`` then says why.
    - ``se``: standard error of ``value`` (NaN when the method has none).
    - ``ci_low``, ``ci_high``: the 95% interval of the method named in the metric's docstring.
    - ``within_noise``: the interval contains the null value (0 for differences and effect sizes,
      1 for ratios and indices), so the data cannot tell the gap from sampling noise.
    - ``flagged``: the metric's own rule for a gap of concern (each function says which).

    >>> g = make_gap("pp_difference", -15.0, 6.8, -27.7, -1.6, null=0.0)
    >>> g.within_noise, g.flagged, g.computed
    (False, True, True)
    >>> undefined_gap("ratio", "reference rate is 0").computed
    False
    """

    metric: str
    value: float
    se: float
    ci_low: float
    ci_high: float
    flagged: bool
    within_noise: bool
    note: str = ""

    @property
    def computed(self) -> bool:
        """True when the data allowed the metric to be computed."""
        return math.isfinite(self.value)


def make_gap(
    metric: str, value: float, se: float, ci_low: float, ci_high: float, *,
    null: float, flagged: bool | None = None, note: str = "",
) -> Gap:
    """Build a computed :class:`Gap`; ``flagged`` defaults to "the interval excludes ``null``"."""
    lo, hi = float(ci_low), float(ci_high)
    within = bool(lo <= null <= hi)
    return Gap(
        metric=metric, value=float(value), se=float(se), ci_low=lo, ci_high=hi,
        flagged=(not within) if flagged is None else bool(flagged), within_noise=within,
        note=note,
    )


def undefined_gap(metric: str, note: str) -> Gap:
    """A :class:`Gap` that the data do not allow us to compute, with the reason in ``note``."""
    return Gap(metric=metric, value=NAN, se=NAN, ci_low=NAN, ci_high=NAN, flagged=False,
               within_noise=False, note=note)
