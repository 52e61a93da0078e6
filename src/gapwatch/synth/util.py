"""Small vectorized helpers shared by the generator's modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def solve_intercept(mean_at: Callable[[float], float], target: float,
                    lo: float = -20.0, hi: float = 20.0) -> float:
    """The intercept ``c`` at which the increasing function ``mean_at(c)`` equals ``target``."""
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if mean_at(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def logistic_intercept(x: np.ndarray, target: float, weights: np.ndarray | None = None) -> float:
    """The intercept ``c`` with mean(sigmoid(c + x)) == ``target`` (weighted when given)."""
    if x.size == 0:
        return logit(target)
    return solve_intercept(lambda c: float(np.average(sigmoid(c + x), weights=weights)), target)


def categorical(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Category of each uniform ``u`` under ``probs`` (one row of probabilities, or one per u)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        cum = np.cumsum(probs / probs.sum())
        return np.minimum(np.searchsorted(cum, u, side="right"), probs.size - 1)
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def shares_array(shares: dict[str, float], codes: Sequence[str]) -> np.ndarray:
    """The shares of ``codes`` in the given order (missing codes get 0)."""
    return np.array([shares.get(c, 0.0) for c in codes], dtype=np.float64)


def rank_within(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0-based rank of each element by ``key`` within its group (groups: non-negative ints)."""
    order = np.lexsort((key, groups))
    g = groups[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    counts = np.diff(np.r_[start, g.size])
    first = np.repeat(start, counts)
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(groups.size) - first
    return rank


def group_offsets(counts: np.ndarray) -> np.ndarray:
    """Start offset of each group in a flat array laid out group after group."""
    out = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=out[1:])
    return out


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of sizes ``counts``: (group of each element, position within its group)."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    owner = np.repeat(np.arange(counts.size), counts)
    pos = np.arange(total) - np.repeat(group_offsets(counts), counts)
    return owner, pos


def last_in_run(keys: np.ndarray) -> np.ndarray:
    """True at the last element of each run of equal ``keys`` (sorted input)."""
    if keys.size == 0:
        return np.zeros(0, dtype=bool)
    return np.r_[keys[1:] != keys[:-1], True]
