"""Held-out metrics of an early-warning score: AUC (DeLong), Brier, calibration bins, top-k.

- AUC and its variance, also paired between two scores of the same students: DeLong, DeLong &
  Clarke-Pearson (1988), Biometrics 44(3):837-845, with the midrank algorithm of Sun & Xu
  (2014), IEEE Signal Processing Letters 21(11):1389-1393. Ties count one half.
- Brier score: Brier (1950), Monthly Weather Review 78(1):1-3; its 95% interval is the normal
  one for a mean of squared errors.
- Precision and recall at capacity: the ``k = floor(capacity x n)`` (at least 1) highest scores,
  ties broken at random with the seed; Wilson intervals (Wilson 1927).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata

from gapwatch.stats import Z95, wilson

Row = tuple[str, float | None, float | None, float | None, int]  # metric, value, lo, hi, n


def delong(y: np.ndarray, *scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUC of each score and their DeLong covariance matrix (needs both outcome classes)."""
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    aucs, v10, v01 = [], [], []
    for s in scores:
        s = np.asarray(s, dtype=np.float64)
        tz = rankdata(s)
        tx, ty = rankdata(s[pos]), rankdata(s[neg])
        aucs.append((tz[pos].sum() - m * (m + 1) / 2) / (m * n))
        v10.append((tz[pos] - tx) / n)  # placement of each positive among negatives
        v01.append(1 - (tz[neg] - ty) / m)  # share of positives above each negative
    cov = np.atleast_2d(np.cov(np.array(v10)) / m + np.cov(np.array(v01)) / n)
    return np.array(aucs), cov


def auc_row(y: np.ndarray, score: np.ndarray) -> Row:
    """AUC with its DeLong 95% interval (clipped to [0, 1])."""
    if y.min() == y.max():
        return "auc", None, None, None, len(y)
    auc, cov = delong(y, score)
    se = math.sqrt(max(cov[0, 0], 0.0))
    a = float(auc[0])
    return "auc", a, max(a - Z95 * se, 0.0), min(a + Z95 * se, 1.0), len(y)


def auc_difference_row(y: np.ndarray, score: np.ndarray, reference: np.ndarray) -> Row:
    """AUC of ``score`` minus AUC of ``reference`` on the same students, paired DeLong 95% CI."""
    if y.min() == y.max():
        return "auc_minus_rules", None, None, None, len(y)
    auc, cov = delong(y, score, reference)
    se = math.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0))
    d = float(auc[0] - auc[1])
    return "auc_minus_rules", d, d - Z95 * se, d + Z95 * se, len(y)


def brier_row(y: np.ndarray, p: np.ndarray) -> Row:
    """Mean squared error of the probabilities, with a normal 95% interval."""
    sq = (p - y) ** 2
    b = float(sq.mean())
    se = float(sq.std(ddof=1) / math.sqrt(len(sq))) if len(sq) > 1 else 0.0
    return "brier", b, max(b - Z95 * se, 0.0), b + Z95 * se, len(y)


def capacity_count(capacity: float, n: int) -> int:
    """How many students the district can serve: floor(capacity x n), at least 1."""
    if not 0 < capacity <= 1:
        raise ValueError(f"capacity must be a share in (0, 1], got {capacity}")
    return max(1, math.floor(capacity * n + 1e-9)) if n else 0


def order(score: np.ndarray, seed: int) -> np.ndarray:
    """Indices from the highest score down, ties in a random order fixed by ``seed``."""
    tiebreak = np.random.default_rng(seed).random(len(score))
    return np.lexsort((tiebreak, -np.asarray(score, dtype=np.float64)))


def top_k(score: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Boolean mask of the ``k`` highest scores (ties broken at random)."""
    mask = np.zeros(len(score), dtype=bool)
    mask[order(score, seed)[:k]] = True
    return mask


def rate_row(metric: str, y: np.ndarray) -> Row:
    """Share of ``y`` that is 1, with its Wilson interval."""
    x, n = int(y.sum()), len(y)
    return (metric, x / n, *wilson(x, n), n) if n else (metric, None, None, None, 0)


def capacity_rows(y: np.ndarray, flagged: np.ndarray) -> list[Row]:
    """Precision (hits / flagged) and recall (hits / students with the outcome)."""
    hits, k, pos = int((flagged & (y == 1)).sum()), int(flagged.sum()), int(y.sum())
    rows: list[Row] = []
    for metric, den in (("precision_at_capacity", k), ("recall_at_capacity", pos)):
        if den:
            lo, hi = wilson(hits, den)
            rows.append((metric, hits / den, lo, hi, den))
        else:
            rows.append((metric, None, None, None, 0))
    return rows


def calibration_bins(y: np.ndarray, p: np.ndarray, seed: int, bins: int = 10) -> list[tuple]:
    """``bins`` equal-count groups by predicted probability: (bin, mean predicted, observed, n).

    Quantile bins of (nearly) equal size; students with tied probabilities at a boundary are
    split at random, so the bins always add up to every held-out student.
    """
    idx = order(-np.asarray(p), seed)  # lowest first
    out = []
    for b, part in enumerate(np.array_split(idx, bins), start=1):
        if len(part):
            out.append((b, float(p[part].mean()), float(y[part].mean()), len(part)))
    return out
