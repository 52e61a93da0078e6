"""The statistics of progressivity: does a measure rise with school need?

Three views of one cross-section of schools (one school year), each with a 95% interval:

- :func:`slope_hc1`: OLS slope of the measure on the need score, in measure units per one
  standard deviation of the score (population SD over the schools in the regression, as the
  need index standardizes). Unweighted: each school is one observation (the band ratio below is
  the pupil-weighted view). Standard error HC1, White's (1980) heteroskedasticity-consistent
  sandwich with the n / (n - k) correction (MacKinnon & White 1985, J. Econometrics 29,
  305-325); interval with Student's t on n - 2 degrees of freedom, as Stata's
  ``regress, vce(robust)``.
- Spearman's rank correlation with a Fisher-z interval, se = sqrt(1.06 / (n - 3)) (Fieller,
  Hartley & Pearson 1957; :func:`gapwatch.resources.need_index.spearman_interval`).
- :func:`band_ratio`: the Highest-need band's pooled value over the Lowest band's, each
  ``sum(numerator) / sum(denominator)`` over the band's schools (total dollars / total pupils).
  Interval by the delta method on the log ratio: var(log R) ~ v(R) / R^2 with v(R) the ratio
  estimator's variance from school-to-school variation within the band (Cochran 1977,
  *Sampling Techniques*, 3rd ed., ch. 6; :func:`gapwatch.resources.staffing_bands.
  ratio_variance`), the two bands independent, and Student's t with Welch-Satterthwaite degrees
  of freedom (Satterthwaite 1946, Biometrics Bulletin 2, 110-114), since bands often hold two
  or three schools and a normal interval would be far too narrow.

:func:`verdict` reads the ratio's interval: for a ``resource`` (dollars, staff) above 1 is
"progressive"; for a ``burden`` (novice or under-credentialed teachers, turnover) the reading
is turned around, a burden concentrated in high-need schools being "regressive".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy.special import stdtrit

from gapwatch.resources.need_index import spearman, spearman_interval
from gapwatch.resources.staffing_bands import ratio_variance

#: Relative tolerance: values this close count as equal (float noise, not a difference).
RTOL = 1e-9
#: Below this many schools in the Highest or Lowest band, the note says the interval is wide.
FEW_SCHOOLS = 5
PROGRESSIVE, REGRESSIVE, FLAT = "progressive", "regressive", "flat / within noise"

#: Statistic columns shared by every progressivity table, with their types.
STAT_FIELDS = [
    ("schools", pa.int64()), ("slope", pa.float64()), ("slope_se", pa.float64()),
    ("slope_ci_low", pa.float64()), ("slope_ci_high", pa.float64()),
    ("spearman", pa.float64()), ("spearman_ci_low", pa.float64()),
    ("spearman_ci_high", pa.float64()), ("highest_value", pa.float64()),
    ("lowest_value", pa.float64()), ("highest_schools", pa.int64()),
    ("lowest_schools", pa.int64()), ("highest_lowest_ratio", pa.float64()),
    ("ratio_ci_low", pa.float64()), ("ratio_ci_high", pa.float64()),
    ("ratio_df", pa.float64()), ("progressive", pa.string()), ("note", pa.string()),
]


def t_quantile(df: float, level: float = 0.95) -> float:
    """Two-sided Student's t quantile (``stdtrit`` accepts fractional degrees of freedom)."""
    return float(stdtrit(df, 0.5 + level / 2))


def constant(values: np.ndarray) -> bool:
    """All values equal up to :data:`RTOL` (relative to the largest)."""
    return values.size > 0 and float(np.ptp(values)) <= RTOL * float(np.abs(values).max())


@dataclass(frozen=True)
class Slope:
    slope: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    note: str = ""


def slope_hc1(score: np.ndarray, value: np.ndarray, level: float = 0.95) -> Slope:
    """OLS slope of ``value`` on the standardized ``score``, HC1 se and t interval.

    >>> s = slope_hc1(np.array([-1.0, 0.0, 1.0]), np.array([10.0, 20.0, 30.0]))
    >>> round(s.slope, 6), s.se
    (8.164966, 0.0)
    """
    n = score.size
    if n < 2:
        return Slope(None, None, None, None, "fewer than 2 schools")
    sd = float(score.std())
    if sd <= 0:
        return Slope(None, None, None, None, "need scores all equal")
    if constant(value):
        return Slope(0.0, 0.0, 0.0, 0.0)
    x = np.column_stack([np.ones(n), (score - score.mean()) / sd])
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ value
    if n < 3:
        return Slope(float(beta[1]), None, None, None, "2 schools: no standard error")
    resid = value - x @ beta
    meat = (x * resid[:, None] ** 2).T @ x
    cov = n / (n - 2) * bread @ meat @ bread
    se = math.sqrt(max(float(cov[1, 1]), 0.0))
    q = t_quantile(n - 2, level)
    return Slope(float(beta[1]), se, float(beta[1]) - q * se, float(beta[1]) + q * se)


@dataclass(frozen=True)
class BandRatio:
    high: float | None  # pooled value of the Highest band (before any scale)
    low: float | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    df: float | None
    note: str = ""


def band_ratio(y_high: np.ndarray, x_high: np.ndarray, y_low: np.ndarray, x_low: np.ndarray,
               level: float = 0.95) -> BandRatio:
    """(sum y_high / sum x_high) / (sum y_low / sum x_low), delta-method log interval with
    Welch-Satterthwaite degrees of freedom (see the module docstring)."""
    if x_high.size == 0 or x_low.size == 0:
        which = "Highest" if x_high.size == 0 else "Lowest"
        return BandRatio(None, None, None, None, None, None, f"no school with a value in the "
                         f"{which} need band")
    (r_h, v_h), (r_l, v_l) = ratio_variance(y_high, x_high), ratio_variance(y_low, x_low)
    if r_l == 0:
        return BandRatio(r_h, r_l, None, None, None, None,
                         "the Lowest band's value is 0: no ratio")
    ratio = r_h / r_l
    if r_h == 0:
        return BandRatio(r_h, r_l, 0.0, None, None, None,
                         "the Highest band's value is 0: no interval for the ratio")
    if x_high.size < 2 or x_low.size < 2:
        return BandRatio(r_h, r_l, ratio, None, None, None,
                         f"not enough schools to compare need bands: {x_high.size} in the "
                         f"Highest and {x_low.size} in the Lowest band, 2 in each needed for "
                         "an interval")
    a, b = v_h / r_h**2, v_l / r_l**2
    se = math.sqrt(a + b)
    if se <= RTOL:
        return BandRatio(r_h, r_l, ratio, ratio, ratio, None)
    df = (a + b) ** 2 / (a**2 / (x_high.size - 1) + b**2 / (x_low.size - 1))
    q = t_quantile(df, level)
    return BandRatio(r_h, r_l, ratio, ratio * math.exp(-q * se), ratio * math.exp(q * se), df)


def verdict(ci_low: float | None, ci_high: float | None, kind: str) -> str | None:
    """progressive / regressive / flat from the ratio's interval (None without an interval)."""
    if ci_low is None or ci_high is None:
        return None
    above, below = ci_low > 1 + RTOL, ci_high < 1 - RTOL
    if kind == "burden":
        above, below = below, above
    return PROGRESSIVE if above else REGRESSIVE if below else FLAT


def summarize(score: np.ndarray, band: list[str], value: np.ndarray, y: np.ndarray,
              x: np.ndarray, kind: str, scale: float = 1.0) -> dict:
    """The :data:`STAT_FIELDS` of one measure over one year's schools.

    ``value`` is the school's measure (for slope and Spearman), ``y`` / ``x`` its numerator
    and denominator (pooled within the Highest and Lowest bands), ``scale`` the unit factor
    of the pooled values (100 for per 100 students)."""
    notes: list[str] = []
    s = slope_hc1(score, value)
    rho = lo = hi = None
    if value.size >= 2 and not constant(value):
        rho = spearman(score, value)
        if rho is not None:
            lo, hi = spearman_interval(rho, value.size)
            if lo is None:
                notes.append("spearman: 3 or fewer schools, no interval")
    elif value.size >= 2:
        notes.append("no variation across schools: no rank correlation")
    if s.note:
        notes.append(f"slope: {s.note}")
    high = np.array([b == "Highest" for b in band], dtype=bool)
    low = np.array([b == "Lowest" for b in band], dtype=bool)
    r = band_ratio(y[high], x[high], y[low], x[low])
    if r.note:
        notes.append(f"ratio: {r.note}")
    elif r.df is not None and min(high.sum(), low.sum()) < FEW_SCHOOLS:
        notes.append(f"ratio: {int(high.sum())} and {int(low.sum())} schools in the Highest and "
                     f"Lowest bands: a wide interval (t, {r.df:.1f} d.f.)")
    return {"schools": int(value.size), "slope": s.slope, "slope_se": s.se,
            "slope_ci_low": s.ci_low, "slope_ci_high": s.ci_high, "spearman": rho,
            "spearman_ci_low": lo, "spearman_ci_high": hi,
            "highest_value": None if r.high is None else scale * r.high,
            "lowest_value": None if r.low is None else scale * r.low,
            "highest_schools": int(high.sum()), "lowest_schools": int(low.sum()),
            "highest_lowest_ratio": r.ratio, "ratio_ci_low": r.ci_low,
            "ratio_ci_high": r.ci_high, "ratio_df": r.df,
            "progressive": verdict(r.ci_low, r.ci_high, kind), "note": "; ".join(notes)}


def empty_stats(note: str) -> dict:
    """The statistic columns of a measure that could not be computed."""
    out: dict = dict.fromkeys(name for name, _ in STAT_FIELDS)
    out.update(schools=0, highest_schools=0, lowest_schools=0, note=note)
    return out
