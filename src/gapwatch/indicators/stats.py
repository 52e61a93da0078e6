"""Values, standard errors and 95% intervals from exact aggregates.

- Rates: value = k / n; standard error sqrt(p(1 - p) / n); the **Wilson score interval**
  (Wilson 1927, JASA 22(158); recommended over the Wald interval by Brown, Cai & DasGupta
  2001, Statistical Science 16(2)), which stays inside 0-1 and behaves at small n and p near 0/1.
- Means: value = sum / n; standard error s / sqrt(n) with the sample standard deviation s
  (n - 1 denominator); interval value +/- t(0.975, n - 1) * se (Student's t). With n = 1 the
  standard error and interval are empty.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from gapwatch.stats import wilson


def rate_stats(k: np.ndarray, n: np.ndarray) -> dict[str, np.ndarray]:
    """value, se, ci_low, ci_high for rates (n > 0)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    p = k / n
    low, high = wilson(k, n)
    low, high = np.where(k == 0, 0.0, low), np.where(k == n, 1.0, high)  # exact at the ends
    return {"value": p, "se": np.sqrt(p * (1 - p) / n), "ci_low": low, "ci_high": high}


def exact_mean_var(total: int, total_sq: int, n: int, scale: int) -> tuple[float, float]:
    """Mean and sample variance from integer sums of values scaled by ``scale``.

    The numerator n * sum(x^2) - (sum x)^2 is formed in exact integer arithmetic, so there is no
    cancellation however large n is; the variance is NaN when n < 2.
    """
    mean = total / (n * scale)
    if n < 2:
        return mean, float("nan")
    return mean, (n * total_sq - total * total) / (n * (n - 1) * scale * scale)


def mean_stats(mean: np.ndarray, var: np.ndarray, n: np.ndarray) -> dict[str, np.ndarray]:
    """value, se, sd, ci_low, ci_high for means (n > 0; var NaN when n < 2)."""
    mean, var, n = (np.asarray(a, dtype=float) for a in (mean, var, n))
    sd = np.sqrt(np.clip(var, 0.0, None))
    se = sd / np.sqrt(n)
    with np.errstate(invalid="ignore"):
        t = np.where(n > 1, special.stdtrit(np.maximum(n - 1, 1), 0.975), np.nan)
    return {"value": mean, "se": se, "sd": sd, "ci_low": mean - t * se, "ci_high": mean + t * se}
