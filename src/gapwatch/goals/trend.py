"""Where a goal's trend points: a weighted least-squares line, extrapolated to the target year.

Method: the values of the years with a reportable result are fitted with a straight line in
the school year by weighted least squares (WLS), each year weighted by 1/se^2 so that years
resting on fewer students count less (Aitken 1935, Proc. R. Soc. Edinburgh 55; Draper & Smith,
*Applied Regression Analysis*, 3rd ed. 1998, on weighted least squares). The covariance is
(X'WX)^-1; when the years scatter around the line more than their standard errors explain
(reduced chi-square chi^2/(k - 2) > 1, k > 2 years), it is multiplied by that ratio (the
Birge ratio, Birge 1932; the Particle Data Group's scale factor), so real year-to-year swings
widen the interval. The projected value at the target year has a 95% interval
projection +/- 1.96 sd (normal approximation), and ``p_meet`` is the probability, under the
same normal, that the value at the target year meets the target.

What it cannot say: the interval is a model-based extrapolation. It assumes the trend stays a
straight line and that the students of the coming years resemble this year's; it knows
nothing of new programmes or of changes in who is counted; the normal curve ignores that rates
stop at 0% and 100% (the reported projection and interval are clipped to that range, ``p_meet``
is not). With two years the line passes through both points and the interval reflects
sampling error only. It summarises the recent direction; it is not a forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from gapwatch.stats import Z95


@dataclass(frozen=True)
class Projection:
    value: float
    sd: float  #: standard deviation of the projected value

    @property
    def low(self) -> float:
        return self.value - Z95 * self.sd

    @property
    def high(self) -> float:
        return self.value + Z95 * self.sd


def project(years: np.ndarray, values: np.ndarray, se: np.ndarray, at: int) -> Projection:
    """WLS line through (years, values) with weights 1/se^2, evaluated at year ``at``.

    Needs at least two distinct years and se > 0 (the caller checks).
    """
    x = np.asarray(years, dtype=float) - at  # centred on the target year: intercept = projection
    y = np.asarray(values, dtype=float)
    w = 1.0 / np.asarray(se, dtype=float) ** 2
    design = np.column_stack([np.ones_like(x), x])
    normal = design.T @ (w[:, None] * design)
    cov = np.linalg.inv(normal)
    beta = cov @ (design.T @ (w * y))
    k = len(x)
    if k > 2:
        chi2 = float(np.sum(w * (y - design @ beta) ** 2))
        cov = cov * max(1.0, chi2 / (k - 2))
    return Projection(float(beta[0]), float(np.sqrt(cov[0, 0])))


def p_meet(projection: Projection, target: float, direction: str, gap: bool) -> float:
    """P(value at the target year meets the target) under N(projection, sd^2).

    ``at_least``: P(V >= target); ``at_most``: P(V <= target); gap goals: P(|V| <= target).
    """
    mu, sd = projection.value, projection.sd
    if sd == 0:
        return float(meets(mu, target, direction, gap))
    if gap:
        return float(special.ndtr((target - mu) / sd) - special.ndtr((-target - mu) / sd))
    z = (target - mu) / sd
    return float(special.ndtr(z) if direction == "at_most" else special.ndtr(-z))


#: Values within this of a target count as meeting it (percent x 100 is not exact in floats).
TOLERANCE = 1e-9


def meets(value: float, target: float, direction: str, gap: bool) -> bool:
    """Does ``value`` meet ``target``? Gap goals compare the absolute gap."""
    if gap:
        return abs(value) <= target + TOLERANCE
    if direction == "at_most":
        return value <= target + TOLERANCE
    return value >= target - TOLERANCE
