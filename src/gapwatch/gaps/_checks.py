"""Argument checks shared by the gap metrics: invalid arguments raise ``ValueError``.

Data-driven degeneracy (a zero denominator, a zero reference rate) is not an error: the metrics
return an undefined :class:`~gapwatch.gaps.result.Gap` with a note instead.
"""

from __future__ import annotations

import math


def check_count(x: float, n: float, name: str) -> tuple[float, float]:
    """Return ``(x, n)`` as floats after checking 0 <= x <= n, both finite."""
    x, n = float(x), float(n)
    if not (math.isfinite(x) and math.isfinite(n)):
        raise ValueError(f"{name}: counts must be finite numbers, got x={x}, n={n}")
    if x < 0 or n < 0:
        raise ValueError(f"{name}: counts must be non-negative, got x={x}, n={n}")
    if x > n:
        raise ValueError(f"{name}: more events than students (x={x} > n={n})")
    return x, n


def check_subset(x_a: float, n_a: float, x_b: float, n_b: float) -> tuple[float, float]:
    """For nested comparisons (a is part of b): return the complement ``(x_b - x_a, n_b - n_a)``.

    >>> check_subset(30.0, 100.0, 150.0, 400.0)
    (120.0, 300.0)
    """
    if n_a > n_b or x_a > x_b:
        raise ValueError(
            f"nested=True needs group a inside b, but a has x={x_a}, n={n_a} and b has "
            f"x={x_b}, n={n_b}")
    x_c, n_c = x_b - x_a, n_b - n_a
    if x_c > n_c:
        raise ValueError(
            f"nested=True: the complement b - a would have x={x_c} > n={n_c}; "
            "a cannot be a subset of b")
    return x_c, n_c


def check_summary(mean: float, sd: float, n: float, name: str) -> tuple[float, float, float]:
    """Check a (mean, sd, n) summary: sd >= 0 and n >= 0 (NaN means pass through as missing)."""
    mean, sd, n = float(mean), float(sd), float(n)
    if n < 0 or not math.isfinite(n):
        raise ValueError(f"{name}: n must be a non-negative finite number, got {n}")
    if sd < 0:
        raise ValueError(f"{name}: standard deviation must be non-negative, got {sd}")
    return mean, sd, n
