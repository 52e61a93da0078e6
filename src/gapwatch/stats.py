"""Statistical primitives every layer shares: the 95% normal quantile and the Wilson score
interval. One home each; the indicators, gaps, goals, resources and early-warning modules import
them from here.

- Wilson score interval for one proportion: Wilson (1927), JASA 22(158):209-212; recommended
  over the Wald interval by Brown, Cai & DasGupta (2001), Statistical Science 16(2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

#: the 97.5th percentile of the standard normal distribution (two-sided 95% intervals)
Z95 = float(special.ndtri(0.975))


def wilson(x: ArrayLike, n: ArrayLike, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``x`` events among ``n`` > 0, elementwise over arrays.

    >>> [round(float(b), 4) for b in wilson(30, 100)]
    [0.2189, 0.3958]
    """
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    p = x / n
    denom = n + z * z
    centre = (x + z * z / 2) / denom
    half = z * np.sqrt(n * p * (1 - p) + z * z / 4) / denom
    return np.maximum(centre - half, 0.0), np.minimum(centre + half, 1.0)
