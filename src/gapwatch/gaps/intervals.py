"""Interval building blocks for rates: Newcombe's hybrid score and Katz's log ratio (the Wilson
interval they build on is :func:`gapwatch.stats.wilson`).

- Difference of two independent proportions, hybrid score interval (method 10) built from the
  two Wilson intervals: Newcombe (1998), Statistics in Medicine 17(8):873-890.
- Ratio of two independent proportions, log interval: Katz, Baptista, Azen & Pike (1978),
  Biometrics 34(3):469-474; se(log RR) = sqrt(1/x_a - 1/n_a + 1/x_b - 1/n_b).

Every function takes NumPy arrays (or numbers) and works elementwise: the gaps table calls them
once for all its rows, the scalar metrics with one row.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gapwatch.stats import Z95, wilson

Pair = tuple[np.ndarray, np.ndarray]


def newcombe(x_a: ArrayLike, n_a: ArrayLike, x_b: ArrayLike, n_b: ArrayLike) -> Pair:
    """Newcombe's hybrid score 95% interval for p_a - p_b (proportion units, n_a, n_b > 0).

    >>> [round(float(b), 4) for b in newcombe(30, 100, 45, 100)]
    [-0.2768, -0.0159]
    """
    x_a, n_a, x_b, n_b = (np.asarray(v, dtype=float) for v in (x_a, n_a, x_b, n_b))
    p_a, p_b = x_a / n_a, x_b / n_b
    l_a, u_a = wilson(x_a, n_a)
    l_b, u_b = wilson(x_b, n_b)
    d = p_a - p_b
    return (d - np.hypot(p_a - l_a, u_b - p_b), d + np.hypot(u_a - p_a, p_b - l_b))


def wald_diff_se(x_a: ArrayLike, n_a: ArrayLike, x_b: ArrayLike, n_b: ArrayLike) -> np.ndarray:
    """Wald standard error of p_a - p_b: sqrt(p_a q_a / n_a + p_b q_b / n_b)."""
    p_a, p_b = np.divide(x_a, n_a), np.divide(x_b, n_b)
    return np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)


def katz_log_se(x_a: ArrayLike, n_a: ArrayLike, x_b: ArrayLike, n_b: ArrayLike) -> np.ndarray:
    """Katz standard error of log(p_a / p_b) (x_a, x_b > 0)."""
    x_a, n_a, x_b, n_b = (np.asarray(v, dtype=float) for v in (x_a, n_a, x_b, n_b))
    return np.sqrt(np.maximum(1 / x_a - 1 / n_a + 1 / x_b - 1 / n_b, 0.0))


ZERO_EVENTS_NOTE = (
    "no events in group a: ratio 0, lower bound 0; the upper bound adds 0.5 to each cell "
    "(Haldane-Anscombe correction)")


def katz_ratio(x_a: ArrayLike, n_a: ArrayLike, x_b: ArrayLike, n_b: ArrayLike
               ) -> tuple[np.ndarray, ...]:
    """(ratio, se, ci_low, ci_high) of p_a / p_b by Katz's log method (n_a, n_b, x_b > 0).

    se is the delta-method standard error of the ratio, ratio * se(log ratio). With x_a = 0 the
    log interval does not exist: ratio 0, se NaN, lower bound 0 and the upper bound from the
    table with 0.5 added to each cell (see :data:`ZERO_EVENTS_NOTE`).

    >>> [round(float(v), 4) for v in katz_ratio(30, 100, 45, 100)]
    [0.6667, 0.1257, 0.4607, 0.9647]
    """
    x_a, n_a, x_b, n_b = (np.asarray(v, dtype=float) for v in (x_a, n_a, x_b, n_b))
    some = x_a > 0
    with np.errstate(all="ignore"):
        ratio = (x_a / n_a) / (x_b / n_b)
        s = katz_log_se(x_a, n_a, x_b, n_b)
        corrected = (0.5 / (n_a + 1)) / ((x_b + 0.5) / (n_b + 1))
        s0 = katz_log_se(0.5, n_a + 1, x_b + 0.5, n_b + 1)
        return (np.where(some, ratio, 0.0), np.where(some, ratio * s, np.nan),
                np.where(some, ratio * np.exp(-Z95 * s), 0.0),
                np.where(some, ratio * np.exp(Z95 * s), corrected * np.exp(Z95 * s0)))
