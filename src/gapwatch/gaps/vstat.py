"""The V statistic: an achievement gap in SD units that does not depend on where cut scores fall.

Ho & Reardon (2012), "Estimating Achievement Gaps From Test Scores Reported in Ordinal
'Proficiency' Categories", Journal of Educational and Behavioral Statistics 37(4):489-517.
V = sqrt(2) * Phi^-1(AUC), AUC = P(a random student of a outscores a random student of b).
V equals Cohen's d when both groups' scores are normal with equal variance, and stays
meaningful under any monotone rescaling of the test. Positive V: group a scores higher.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from gapwatch.gaps import binormal
from gapwatch.gaps.result import Gap, GapArrays, gap_arrays, make_gap, undefined_gap
from gapwatch.stats import Z95

#: Valid ``method`` names for :func:`v_statistic`.
V_METHODS = ("binormal", "empirical")
SQRT2 = math.sqrt(2.0)


def hanley_mcneil_se(auc: float, n_a: float, n_b: float) -> float:
    """Standard error of an AUC, Hanley & McNeil (1982), Radiology 143(1):29-36.

    Q1 = A / (2 - A), Q2 = 2 A^2 / (1 + A),
    Var = [A(1 - A) + (n_a - 1)(Q1 - A^2) + (n_b - 1)(Q2 - A^2)] / (n_a n_b).
    """
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_a - 1) * (q1 - auc * auc) + (n_b - 1) * (q2 - auc * auc))
    return math.sqrt(max(var, 0.0) / (n_a * n_b))


def _v_from_auc(metric: str, auc: float, se_auc: float, note: str = "") -> Gap:
    """V and its delta-method se: dV/dAUC = sqrt(2) / phi(Phi^-1(AUC))."""
    if not 0 < auc < 1:
        return undefined_gap(metric, "complete separation (AUC is 0 or 1): V is infinite")
    z = float(special.ndtri(auc))
    v = SQRT2 * z
    se = SQRT2 * se_auc * math.sqrt(2 * math.pi) * math.exp(0.5 * z * z)
    return make_gap(metric, v, se, v - Z95 * se, v + Z95 * se, null=0.0, note=note)


def empirical_auc(counts_a: np.ndarray, counts_b: np.ndarray) -> float | np.ndarray:
    """Trapezoid AUC from level counts (lowest level first): P(A > B) + P(A = B) / 2.

    Rows of 2-D arrays (m, K) are separate pairs (an array of m AUCs).
    """
    na, nb = np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)
    pa = na / na.sum(axis=-1, keepdims=True)
    pb = nb / nb.sum(axis=-1, keepdims=True)
    below_b = np.concatenate((np.zeros_like(pb[..., :1]), np.cumsum(pb, axis=-1)[..., :-1]),
                             axis=-1)
    auc = np.sum(pa * (below_b + pb / 2), axis=-1)
    return float(auc) if auc.ndim == 0 else auc


def _check_levels(counts_a: ArrayLike, counts_b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    na, nb = np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)
    if na.ndim != 1 or na.shape != nb.shape or na.size < 2:
        raise ValueError("counts_a and counts_b must be 1-D with the same length K >= 2 "
                         f"(one count per ordered level), got shapes {na.shape}, {nb.shape}")
    _check_values(na, nb)
    return na, nb


def _check_values(na: np.ndarray, nb: np.ndarray) -> None:
    if not (np.isfinite(na).all() and np.isfinite(nb).all()) or (na < 0).any() or (nb < 0).any():
        raise ValueError("level counts must be finite and non-negative")


def _check_batch(counts_a: ArrayLike, counts_b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    na, nb = np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)
    if na.ndim != 2 or na.shape != nb.shape or na.shape[1] < 2:
        raise ValueError("counts_a and counts_b must be 2-D with the same shape (m, K), K >= 2 "
                         f"(one row per pair, one count per ordered level), got shapes "
                         f"{na.shape}, {nb.shape}")
    _check_values(na, nb)
    return na, nb


_NO_STUDENTS = "a group has no students"
_ONE_LEVEL_ALL = "all students of both groups are in one level"
_SEPARATION = "complete separation (AUC is 0 or 1): V is infinite"
_ONE_LEVEL = ("a group has all its students in one level: the binormal fit has no finite "
              "maximum (try method='empirical')")
_QUASI = ("the groups share at most one level (quasi-separation): the binormal V is unbounded "
          "(try method='empirical')")
_TWO_LEVELS = "2 occupied levels: sigma fixed at 1 (not identified)"
_FIXED = "sigma not identified from these counts: fitted with sigma fixed at 1"
_NO_FIT = "binormal fit did not converge (try method='empirical')"


def _merge_empty_levels(na: np.ndarray, nb: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop levels empty in both groups: occupied levels moved left, in order; and their count."""
    keep = (na + nb) > 0
    order = np.argsort(~keep, axis=1, kind="stable")
    return (np.take_along_axis(na, order, axis=1), np.take_along_axis(nb, order, axis=1),
            keep.sum(axis=1))


def _binormal_rows(na: np.ndarray, nb: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Binormal V, se and note for rows with k occupied levels that passed the checks."""
    m = na.shape[0]
    v, se = np.full(m, np.nan), np.full(m, np.nan)
    notes = np.full(m, _TWO_LEVELS if k == 2 else "", dtype=object)
    free = binormal.sigma_identified(na, nb) if k > 2 else np.zeros(m, dtype=bool)
    if free.any():
        res = binormal.fit_batch(na[free], nb[free], fixed_sigma=False)
        rows = np.flatnonzero(free)[res.ok]
        v[rows], se[rows] = res.v[res.ok], res.se_v[res.ok]
        free[np.flatnonzero(free)[~res.ok]] = False
    fixed = ~free
    if fixed.any():
        res = binormal.fit_batch(na[fixed], nb[fixed], fixed_sigma=True)
        rows = np.flatnonzero(fixed)
        v[rows], se[rows] = res.v, res.se_v
        if k > 2:
            notes[rows] = _FIXED
        notes[rows[~res.ok]] = _NO_FIT
    return v, se, notes


def v_statistic_batch(counts_a: ArrayLike, counts_b: ArrayLike,
                      method: str = "binormal") -> list[Gap]:
    """:func:`v_statistic` for m pairs at once: row i of each (m, K) array is one pair.

    Returns one :class:`Gap` per row, the same as ``v_statistic(counts_a[i], counts_b[i],
    method)``; rows may have different empty levels. The binormal fits of all rows run together
    (vectorized Newton-Raphson, :func:`gapwatch.gaps.binormal.fit_batch`), which is what makes a
    gaps table of many thousands of pairs fast.

    >>> gaps = v_statistic_batch([[30, 40, 20, 10], [5, 0, 0, 0]], [[10, 30, 40, 20], [0, 0, 3, 4]])
    >>> round(gaps[0].value, 3), gaps[1].note
    (-0.688, 'complete separation (AUC is 0 or 1): V is infinite')
    """
    return v_statistic_columns(counts_a, counts_b, method).gaps()


def v_statistic_columns(counts_a: ArrayLike, counts_b: ArrayLike,
                        method: str = "binormal") -> GapArrays:
    """:func:`v_statistic_batch` as columns (what the gaps table uses)."""
    if method not in V_METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods: {', '.join(V_METHODS)}")
    metric = f"v_statistic_{method}"
    na, nb = _check_batch(counts_a, counts_b)
    m = na.shape[0]
    n_a, n_b = na.sum(axis=1), nb.sum(axis=1)
    na, nb, k_eff = _merge_empty_levels(na, nb)
    notes = np.full(m, "", dtype=object)
    v, se = np.full(m, np.nan), np.full(m, np.nan)

    empty = (n_a == 0) | (n_b == 0)
    notes[empty] = _NO_STUDENTS
    one_level = ~empty & (k_eff < 2)
    notes[one_level] = _ONE_LEVEL_ALL
    rest = ~(empty | one_level)
    with np.errstate(all="ignore"):
        auc = empirical_auc(na, nb)
    separated = rest & ~((auc > 0) & (auc < 1))
    notes[separated] = _SEPARATION
    by_auc = rest & ~separated if method == "empirical" else np.zeros(m, dtype=bool)
    if by_auc.any():
        v[by_auc], se[by_auc] = _v_from_auc_batch(auc[by_auc], n_a[by_auc], n_b[by_auc])
    if method == "binormal":
        todo = rest & ~separated
        occ_a, occ_b = (na > 0).sum(axis=1), (nb > 0).sum(axis=1)
        single = todo & ((occ_a == 1) | (occ_b == 1))
        notes[single] = _ONE_LEVEL
        todo &= ~single
        quasi = todo & ~binormal.overlap(na, nb)
        notes[quasi] = _QUASI
        todo &= ~quasi
        for k in np.unique(k_eff[todo]):
            rows = np.flatnonzero(todo & (k_eff == k))
            v[rows], se[rows], notes[rows] = _binormal_rows(na[rows, :k], nb[rows, :k], int(k))
    with np.errstate(invalid="ignore"):
        lo, hi = v - Z95 * se, v + Z95 * se
    return gap_arrays(metric, v, se, lo, hi, null=0.0, note=notes, undefined=~np.isfinite(v),
                      reason=notes)


def _v_from_auc_batch(auc: np.ndarray, n_a: np.ndarray,
                      n_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized :func:`_v_from_auc` with the :func:`hanley_mcneil_se` (0 < AUC < 1)."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_a - 1) * (q1 - auc * auc) + (n_b - 1) * (q2 - auc * auc))
    se_auc = np.sqrt(np.maximum(var, 0.0) / (n_a * n_b))
    z = special.ndtri(auc)
    return SQRT2 * z, SQRT2 * se_auc * math.sqrt(2 * math.pi) * np.exp(0.5 * z * z)


def v_statistic(counts_a: ArrayLike, counts_b: ArrayLike, method: str = "binormal") -> Gap:
    """V from counts per ordered performance level (lowest first), e.g. CAASPP levels 1-4.

    ``method="binormal"`` (Ho & Reardon's recommended estimator): maximum-likelihood binormal
    ROC fit (Dorfman & Alf 1969; see :mod:`gapwatch.gaps.binormal`), V = mu / sqrt((1 +
    sigma^2) / 2), se by the delta method from the observed information. With 2 occupied levels
    sigma is not identified and is fixed at 1 (V is then the probit difference
    Phi^-1(p_a) - Phi^-1(p_b)); the same fallback is used, and noted, when the free-sigma fit has
    no interior maximum (a group in two adjacent levels, or no convergence). NaN, with a note,
    when a group sits in one level or the groups share at most one level: the likelihood then
    has no finite maximum. ``method="empirical"``: trapezoid AUC, P(A > B) + P(A = B) / 2, with
    the Hanley & McNeil (1982) se; on coarse levels it is biased toward 0.
    Empty levels are fine (levels empty in both groups are merged). Flagged when the interval
    excludes 0. Many pairs at once: :func:`v_statistic_batch` (this is its one-row case).

    >>> round(v_statistic([30, 40, 20, 10], [10, 30, 40, 20]).value, 3)
    -0.688
    >>> round(v_statistic([30, 40, 20, 10], [10, 30, 40, 20], method="empirical").value, 3)
    -0.642
    """
    if method not in V_METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods: {', '.join(V_METHODS)}")
    na, nb = _check_levels(counts_a, counts_b)
    return v_statistic_batch(na[None, :], nb[None, :], method=method)[0]


def _midranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank."""
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2)[inverse]


def v_statistic_scores(a: ArrayLike, b: ArrayLike) -> Gap:
    """V from raw scores: AUC from the Mann-Whitney statistic (ties count 1/2), Hanley-McNeil se.

    AUC = (R_a - n_a (n_a + 1) / 2) / (n_a n_b), R_a the sum of group a's midranks in the
    pooled sample (Mann & Whitney 1947; Bamber 1975). Flagged when the interval excludes 0.

    >>> round(v_statistic_scores([2, 3, 4, 5], [1, 2, 3, 4]).value, 2)
    0.82
    """
    xa, xb = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if not (np.isfinite(xa).all() and np.isfinite(xb).all()):
        raise ValueError("scores must be finite numbers (drop missing values first)")
    metric = "v_statistic_scores"
    if xa.size == 0 or xb.size == 0:
        return undefined_gap(metric, "a group has no students")
    ranks = _midranks(np.concatenate((xa, xb)))
    n_a, n_b = float(xa.size), float(xb.size)
    auc = (float(ranks[:xa.size].sum()) - n_a * (n_a + 1) / 2) / (n_a * n_b)
    return _v_from_auc(metric, auc, hanley_mcneil_se(auc, n_a, n_b))
