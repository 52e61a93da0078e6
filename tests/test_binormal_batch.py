"""The vectorized binormal fit (binormal.fit_batch, v_statistic_batch) against an oracle.

The oracle is the fit gapwatch used before: scipy.optimize BFGS on the log-likelihood in
unconstrained parameters (c_1, log(c_k - c_{k-1}), mu, log sigma), one pair at a time, observed
information by central differences of the analytic gradient. It is kept here, verbatim, only as
a test oracle, with the decision logic of the old ``v_statistic`` around it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special

from gapwatch.gaps import binormal, v_statistic, v_statistic_batch

# ---------------------------------------------------------------- the oracle (old scipy fit)

_TINY = 1e-300
SIGMA_RANGE = (0.02, 50.0)


class OracleFit(NamedTuple):
    mu: float
    sigma: float
    v: float
    se_v: float


def _cells(z: np.ndarray) -> np.ndarray:
    lo = np.concatenate(([-np.inf], z))
    hi = np.concatenate((z, [np.inf]))
    upper = special.ndtr(-lo) - special.ndtr(-hi)
    return np.where(lo > 0, upper, special.ndtr(hi) - special.ndtr(lo))


def _unpack(theta: np.ndarray, k: int, fixed_sigma: bool) -> tuple[np.ndarray, float, float]:
    cuts = theta[0] + np.concatenate(([0.0], np.cumsum(np.exp(theta[1:k - 1]))))
    log_sigma = 0.0 if fixed_sigma else float(theta[k])
    return cuts, float(theta[k - 1]), log_sigma


def _group_terms(counts: np.ndarray, z: np.ndarray) -> tuple[float, np.ndarray]:
    p = np.maximum(_cells(z), _TINY)
    ratio = np.where(counts > 0, counts / p, 0.0)
    density = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return float(np.sum(counts * np.log(p))), density * (ratio[:-1] - ratio[1:])


def _negloglik(theta: np.ndarray, na: np.ndarray, nb: np.ndarray,
               fixed_sigma: bool) -> tuple[float, np.ndarray]:
    k = na.size
    cuts, mu, log_sigma = _unpack(theta, k, fixed_sigma)
    sigma = math.exp(log_sigma)
    za = (cuts - mu) / sigma
    ll_a, ga = _group_terms(na, za)
    ll_b, gb = _group_terms(nb, cuts)
    d_cuts = gb + ga / sigma
    grad = np.empty_like(theta)
    tail = np.cumsum(d_cuts[::-1])[::-1]
    grad[0] = tail[0]
    grad[1:k - 1] = np.exp(theta[1:k - 1]) * tail[1:]
    grad[k - 1] = -np.sum(ga) / sigma
    if not fixed_sigma:
        grad[k] = -np.sum(ga * za)
    return -(ll_a + ll_b), -grad


def _start(na: np.ndarray, nb: np.ndarray, fixed_sigma: bool) -> np.ndarray:
    k = na.size
    smooth_b = np.cumsum(nb + 0.5)[:-1] / (nb.sum() + 0.5 * k)
    smooth_a = np.cumsum(na + 0.5)[:-1] / (na.sum() + 0.5 * k)
    cuts, za = special.ndtri(smooth_b), special.ndtri(smooth_a)
    theta = [cuts[0], *np.log(np.diff(cuts)), float(np.mean(cuts - za))]
    return np.array(theta if fixed_sigma else [*theta, 0.0])


def _information(theta: np.ndarray, na: np.ndarray, nb: np.ndarray,
                 fixed_sigma: bool) -> np.ndarray:
    h = 1e-5 * np.maximum(1.0, np.abs(theta))
    cols = []
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h[i]
        up = _negloglik(theta + step, na, nb, fixed_sigma)[1]
        down = _negloglik(theta - step, na, nb, fixed_sigma)[1]
        cols.append((up - down) / (2 * h[i]))
    info = np.array(cols)
    return (info + info.T) / 2


_ORACLE_CACHE: dict[tuple, OracleFit | None] = {}


def oracle_fit(na: np.ndarray, nb: np.ndarray, *, fixed_sigma: bool) -> OracleFit | None:
    """The old per-pair fit (cached: several tests ask for the same rows)."""
    key = (tuple(na.tolist()), tuple(nb.tolist()), fixed_sigma)
    if key not in _ORACLE_CACHE:
        _ORACLE_CACHE[key] = _oracle_fit(na, nb, fixed_sigma=fixed_sigma)
    return _ORACLE_CACHE[key]


def _oracle_fit(na: np.ndarray, nb: np.ndarray, *, fixed_sigma: bool) -> OracleFit | None:
    """The old per-pair fit: scipy BFGS, information by differences of the gradient."""
    with np.errstate(all="ignore"):
        try:
            res = optimize.minimize(_negloglik, _start(na, nb, fixed_sigma), jac=True,
                                    args=(na, nb, fixed_sigma), method="BFGS",
                                    options={"gtol": 1e-8, "maxiter": 300})
        except OverflowError:
            # The one change to the old code, which raised here: BFGS's line search tried a
            # huge log sigma (e.g. [3, 2, 1] vs [2, 0, 6]), so sigma runs to a boundary.
            return None
        theta = res.x
        grad = _negloglik(theta, na, nb, fixed_sigma)[1]
        if not np.all(np.isfinite(theta)) or np.max(np.abs(grad)) > 1e-3:
            return None
        info = _information(theta, na, nb, fixed_sigma)
    try:
        cov = np.linalg.inv(np.linalg.cholesky(info))
    except np.linalg.LinAlgError:
        return None
    cov = cov.T @ cov
    k = na.size
    _, mu, log_sigma = _unpack(theta, k, fixed_sigma)
    sigma = math.exp(log_sigma)
    if not SIGMA_RANGE[0] < sigma < SIGMA_RANGE[1]:
        return None
    s = math.sqrt((1 + sigma * sigma) / 2)
    grad_v = np.array([1.0]) if fixed_sigma else np.array([1 / s, -mu * sigma * sigma / (2 * s**3)])
    var_v = float(grad_v @ cov[k - 1:, k - 1:] @ grad_v)
    if not (math.isfinite(var_v) and var_v > 0):
        return None
    return OracleFit(mu=mu, sigma=sigma, v=mu / s, se_v=math.sqrt(var_v))


def _old_overlap(na: np.ndarray, nb: np.ndarray) -> bool:
    occ_a, occ_b = np.flatnonzero(na > 0), np.flatnonzero(nb > 0)
    return not (occ_a[-1] <= occ_b[0] or occ_b[-1] <= occ_a[0])


def _old_sigma_identified(na: np.ndarray, nb: np.ndarray) -> bool:
    for counts in (na, nb):
        occupied = np.flatnonzero(counts > 0)
        if occupied.size == 1 or (occupied.size == 2 and occupied[1] - occupied[0] == 1):
            return False
    return True


def _old_auc(na: np.ndarray, nb: np.ndarray) -> float:
    pa, pb = na / na.sum(), nb / nb.sum()
    below_b = np.concatenate(([0.0], np.cumsum(pb)[:-1]))
    return float(np.sum(pa * (below_b + pb / 2)))


class OracleV(NamedTuple):
    value: float
    se: float
    note: str
    free_failed: bool  # the free-sigma fit was tried and had no interior maximum


def oracle_v(counts_a: np.ndarray, counts_b: np.ndarray) -> OracleV:
    """The old ``v_statistic(..., method="binormal")``: value, se, note."""
    na, nb = np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)
    if na.sum() == 0 or nb.sum() == 0:
        return OracleV(math.nan, math.nan, "a group has no students", False)
    keep = (na + nb) > 0
    na, nb = na[keep], nb[keep]
    if na.size < 2:
        return OracleV(math.nan, math.nan, "all students of both groups are in one level", False)
    auc = _old_auc(na, nb)
    if not 0 < auc < 1:
        return OracleV(math.nan, math.nan,
                       "complete separation (AUC is 0 or 1): V is infinite", False)
    if (na > 0).sum() == 1 or (nb > 0).sum() == 1:
        return OracleV(math.nan, math.nan, "a group has all its students in one level: the "
                       "binormal fit has no finite maximum (try method='empirical')", False)
    if not _old_overlap(na, nb):
        return OracleV(math.nan, math.nan, "the groups share at most one level "
                       "(quasi-separation): the binormal V is unbounded (try "
                       "method='empirical')", False)
    note = "2 occupied levels: sigma fixed at 1 (not identified)" if na.size == 2 else ""
    free = na.size > 2 and _old_sigma_identified(na, nb)
    res = oracle_fit(na, nb, fixed_sigma=False) if free else None
    free_failed = free and res is None
    if res is None:
        res = oracle_fit(na, nb, fixed_sigma=True)
        note = note or "sigma not identified from these counts: fitted with sigma fixed at 1"
    if res is None:
        return OracleV(math.nan, math.nan,
                       "binormal fit did not converge (try method='empirical')", free_failed)
    return OracleV(res.v, res.se_v, note, free_failed)


# ---------------------------------------------------------------- random count tables


def table_batches(seed: int = 20240917, per_k: int = 500) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random (counts_a, counts_b) arrays, one per K = 2..6, mixing sparse and dense rows.

    Latent normal scores cut at random thresholds (group a ~ N(d, s^2), b ~ N(0, 1)), with
    group sizes from 1 to 2,000, so many rows have zero cells, whole empty levels, a group in
    one or two levels, or quasi-separation; plus a share of rows of uniform random counts.
    """
    rng = np.random.default_rng(seed)
    out = []
    for k in range(2, 7):
        rows_a, rows_b = [], []
        for i in range(per_k):
            cuts = np.sort(rng.normal(0, 1.2, k - 1))
            if i % 5 == 4:  # unstructured: small uniform counts, zeros everywhere
                rows_a.append(rng.integers(0, 6, k))
                rows_b.append(rng.integers(0, 6, k))
                continue
            sparse = i % 2 == 0
            n_a, n_b = ((rng.integers(1, 25, 2)) if sparse else rng.integers(30, 2001, 2))
            d, s = rng.normal(0, 0.8), math.exp(rng.normal(0, 0.35))
            a = rng.normal(d, s, n_a)
            b = rng.normal(0, 1, n_b)
            rows_a.append(np.bincount(np.searchsorted(cuts, a), minlength=k))
            rows_b.append(np.bincount(np.searchsorted(cuts, b), minlength=k))
        out.append((np.array(rows_a), np.array(rows_b)))
    return out


BATCHES = table_batches()


# ---------------------------------------------------------------- agreement with the oracle


@pytest.mark.parametrize("k", range(2, 7))
def test_batch_agrees_with_bfgs_oracle(k: int) -> None:
    counts_a, counts_b = BATCHES[k - 2]
    gaps = v_statistic_batch(counts_a, counts_b)
    compared = 0
    for a, b, g in zip(counts_a, counts_b, gaps, strict=True):
        want = oracle_v(a, b)
        if math.isfinite(want.value):
            compared += 1
            assert g.value == pytest.approx(want.value, abs=1e-5), (a, b)
            assert g.se == pytest.approx(want.se, rel=1e-3), (a, b)
        else:
            assert math.isnan(g.value) and math.isnan(g.se), (a, b, g)
        assert g.note == want.note, (a, b)
        assert g.metric == "v_statistic_binormal"
    assert compared > 0.5 * len(gaps)


def _free_candidates(counts_a: np.ndarray, counts_b: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Rows (levels empty in both groups merged) on which both versions try a free-sigma fit."""
    rows = []
    for a, b in zip(counts_a, counts_b, strict=True):
        keep = (a + b) > 0
        na, nb = a[keep].astype(float), b[keep].astype(float)
        if (na.size > 2 and na.sum() and nb.sum() and 0 < _old_auc(na, nb) < 1
                and (na > 0).sum() > 1 and (nb > 0).sum() > 1 and _old_overlap(na, nb)
                and _old_sigma_identified(na, nb)):
            rows.append((na, nb))
    return rows


@pytest.mark.parametrize("k", range(3, 7))
def test_free_sigma_fits_fail_exactly_where_the_oracle_fails(k: int) -> None:
    # The vectorized fit has no per-row fallback: a row it cannot fit is reported as the old
    # code reported a failed BFGS fit (sigma then fixed at 1, with a note). This checks that it
    # fails on the same rows (sigma running to a boundary), and converges fast elsewhere.
    rows = _free_candidates(*BATCHES[k - 2])
    fitted = 0
    for size in {r[0].size for r in rows}:  # levels merged: one batch per K left
        same = [r for r in rows if r[0].size == size]
        na, nb = np.array([r[0] for r in same]), np.array([r[1] for r in same])
        res = binormal.fit_batch(na, nb, fixed_sigma=False)
        oracle_ok = [oracle_fit(a, b, fixed_sigma=False) is not None for a, b in same]
        assert res.ok.tolist() == oracle_ok
        ok = res.ok
        assert np.all((res.sigma[ok] > SIGMA_RANGE[0]) & (res.sigma[ok] < SIGMA_RANGE[1]))
        assert np.median(res.iterations[ok]) <= 8 and res.iterations[ok].max() < 40
        fitted += int(ok.sum())
    assert fitted > 0.8 * len(rows)


DEGENERATE = [
    ([0, 0, 0, 0], [1, 2, 3, 4]),       # a group has no students
    ([0, 0, 0], [0, 0, 0]),
    ([0, 7, 0], [0, 3, 0]),             # everyone in one level
    ([5, 0, 0, 0], [0, 0, 3, 4]),       # complete separation
    ([0, 0, 4], [1, 0, 0]),
    ([0, 0, 0, 5], [1, 2, 3, 4]),       # a group in one level
    ([1, 2, 3, 4], [0, 6, 0, 0]),
    ([0, 13, 14, 0], [9, 9, 0, 0]),     # quasi-separation: share one level
    ([3, 4, 0, 0, 0], [0, 5, 6, 7, 0]),
    ([0, 0, 5, 7], [10, 20, 30, 5]),    # two adjacent levels: sigma fixed
    ([10, 20, 30, 5], [0, 5, 7, 0]),
    ([4, 0, 6, 0], [0, 3, 0, 8]),       # merged to 4 levels, sigma free
    ([4, 0, 0, 6], [5, 0, 0, 5]),       # merged to K = 2
    ([40, 60], [70, 30]),
    ([1, 1], [1, 1]),
    ([3, 2, 1], [2, 0, 6]),             # the old code raised OverflowError here
    ([1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0]),
]


def test_degenerate_rows_match_the_oracle_and_the_scalar_function() -> None:
    k = max(len(a) for a, _ in DEGENERATE)
    pad = [(a + [0] * (k - len(a)), b + [0] * (k - len(b))) for a, b in DEGENERATE]
    gaps = v_statistic_batch([a for a, _ in pad], [b for _, b in pad])
    for (a, b), g in zip(DEGENERATE, gaps, strict=True):
        want, single = oracle_v(np.array(a), np.array(b)), v_statistic(a, b)
        assert g.note == want.note == single.note, (a, b)
        assert g.computed == math.isfinite(want.value) == single.computed, (a, b)
        if g.computed:
            assert g.value == pytest.approx(want.value, abs=1e-5)
            assert g.se == pytest.approx(want.se, rel=1e-3)
            assert (g.value, g.se) == pytest.approx((single.value, single.se), rel=1e-12)
        else:
            assert math.isnan(g.se) and math.isnan(g.ci_low) and not g.flagged


# Rows where the old BFGS fit (the oracle, with the SciPy of the first release) gave up on an
# interior maximum that exists: huge groups make its absolute gradient test (|g| <= 1e-3) fail
# by rounding, or its line search overflowed. The old code then fixed sigma at 1 (or raised); the
# batch fit keeps sigma free. Newer SciPy's BFGS reaches some of these maxima: then the two fits
# must agree.
ORACLE_MISSES = [
    ([28212, 6702, 28527], [3, 202, 12]),                   # OverflowError in BFGS
    ([0, 233, 3553, 35655], [7, 16, 1, 4]),                 # BFGS stops at |g| = 2e-3
    ([0, 1, 320, 5773, 53284, 34014], [722, 480, 59, 27, 24, 11]),
]


@pytest.mark.parametrize(("a", "b"), ORACLE_MISSES)
def test_batch_finds_the_maximum_the_oracle_missed(a: list[int], b: list[int]) -> None:
    na, nb = np.array([a], dtype=float), np.array([b], dtype=float)
    old = oracle_fit(na[0], nb[0], fixed_sigma=False)
    res = binormal.fit_batch(na, nb, fixed_sigma=False)
    assert res.ok[0]
    if old is not None:  # this SciPy's BFGS found the maximum too: the same one
        assert (res.v[0], res.sigma[0]) == pytest.approx((old.v, old.sigma), rel=1e-4)
    grad, info, _ = binormal.derivatives(res.theta, na, nb, fixed_sigma=False)
    assert np.max(np.abs(grad)) < 1e-6  # stationary (the oracle's tolerance was 1e-3) ...
    assert np.linalg.eigvalsh(info[0]).min() > 0  # ... and a maximum
    fixed = binormal.fit_batch(na, nb, fixed_sigma=True)
    assert fixed.ok[0]
    assert (binormal.loglik(res.theta, na, nb, False)[0]
            > binormal.loglik(fixed.theta, na, nb, True)[0])
    g = v_statistic(a, b)
    assert g.note == "" and g.value == pytest.approx(res.v[0])


def test_no_interior_maximum_is_not_converged() -> None:
    # b: 5 students in levels 1 and 3; a: 89,000 students. The likelihood keeps rising along a
    # ridge (sigma and the upper thresholds to infinity): the old fit stopped somewhere on it
    # (|g| = 3e-4 < 1e-3) and reported V = -1.18; the batch fit reports no free-sigma maximum.
    a, b = [74826, 8, 8427, 4031, 986, 1018], [4, 0, 1, 0, 0, 0]
    res = binormal.fit_batch(np.array([a], float), np.array([b], float), fixed_sigma=False)
    assert not res.ok[0] and res.iterations[0] == binormal.MAX_ITER
    g = v_statistic(a, b)
    assert g.computed and "sigma fixed at 1" in g.note


# ---------------------------------------------------------------- the analytic derivatives


@pytest.mark.parametrize(("k", "fixed_sigma"), [(2, True), (3, True), (3, False), (5, True),
                                                (5, False)])
def test_gradient_and_hessian_match_finite_differences(k: int, fixed_sigma: bool) -> None:
    rng = np.random.default_rng(k)
    m = 6
    na, nb = rng.integers(0, 40, (m, k)).astype(float), rng.integers(1, 40, (m, k)).astype(float)
    theta = np.column_stack((np.sort(rng.normal(0, 1, (m, k - 1)), axis=1), rng.normal(0, .5, m),
                             *([] if fixed_sigma else [rng.normal(0, .3, m)])))
    grad, info, _ = binormal.derivatives(theta, na, nb, fixed_sigma)
    h = 1e-5
    for i in range(theta.shape[1]):
        step = np.zeros_like(theta)
        step[:, i] = h
        up, down = theta + step, theta - step
        numeric = (binormal.loglik(up, na, nb, fixed_sigma)
                   - binormal.loglik(down, na, nb, fixed_sigma)) / (2 * h)
        assert grad[:, i] == pytest.approx(numeric, rel=1e-6, abs=1e-6)
        d_grad = (binormal.derivatives(up, na, nb, fixed_sigma)[0]
                  - binormal.derivatives(down, na, nb, fixed_sigma)[0]) / (2 * h)
        assert -info[:, :, i] == pytest.approx(d_grad, rel=1e-5, abs=1e-5)


def test_expected_information_is_observed_at_expected_counts() -> None:
    # With (real-valued) counts n = N p(theta) the score is 0 and the observed information
    # equals the expected one, term by term.
    rng = np.random.default_rng(4)
    theta = np.column_stack((np.sort(rng.normal(0, 1, (5, 3)), axis=1), rng.normal(0, .5, 5),
                             rng.normal(0, .3, 5)))
    c, mu, sigma = theta[:, :3], theta[:, 3], np.exp(theta[:, 4])
    na = 300 * binormal.cells((c - mu[:, None]) / sigma[:, None])
    nb = 500 * binormal.cells(c)
    grad, info, expected = binormal.derivatives(theta, na, nb, fixed_sigma=False)
    assert np.abs(grad).max() < 1e-9
    assert info == pytest.approx(expected, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------- the batch function itself


def test_batch_rows_equal_scalar_calls_both_methods() -> None:
    counts_a, counts_b = BATCHES[2]  # K = 4
    for method in ("binormal", "empirical"):
        gaps = v_statistic_batch(counts_a[:150], counts_b[:150], method=method)
        for a, b, g in zip(counts_a[:150], counts_b[:150], gaps, strict=True):
            single = v_statistic(a, b, method=method)
            assert g.metric == single.metric == f"v_statistic_{method}"
            assert g.note == single.note and g.computed == single.computed
            assert g.flagged == single.flagged and g.within_noise == single.within_noise
            if g.computed:
                assert (g.value, g.se, g.ci_low, g.ci_high) == pytest.approx(
                    (single.value, single.se, single.ci_low, single.ci_high), rel=1e-10)


def test_empirical_batch_matches_brute_force_auc() -> None:
    rng = np.random.default_rng(2)
    counts_a, counts_b = rng.integers(0, 9, (60, 5)), rng.integers(0, 9, (60, 5))
    for a, b, g in zip(counts_a, counts_b, v_statistic_batch(counts_a, counts_b, "empirical"),
                       strict=True):
        xa, xb = np.repeat(np.arange(5), a), np.repeat(np.arange(5), b)
        if xa.size == 0 or xb.size == 0:
            assert not g.computed
            continue
        diff = xa[:, None] - xb[None, :]
        auc = ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size
        if 0 < auc < 1:
            assert g.value == pytest.approx(math.sqrt(2) * special.ndtri(auc))
        else:
            assert not g.computed and "complete separation" in g.note


def test_batch_validates_its_arguments() -> None:
    assert v_statistic_batch(np.zeros((0, 4)), np.zeros((0, 4))) == []
    with pytest.raises(ValueError, match="2-D with the same shape"):
        v_statistic_batch([1, 2, 3], [3, 2, 1])
    with pytest.raises(ValueError, match="2-D with the same shape"):
        v_statistic_batch([[1, 2, 3]], [[3, 2]])
    with pytest.raises(ValueError, match="2-D with the same shape"):
        v_statistic_batch([[1], [2]], [[3], [4]])
    with pytest.raises(ValueError, match="non-negative"):
        v_statistic_batch([[1, -2]], [[1, 2]])
    with pytest.raises(ValueError, match="binormal, empirical"):
        v_statistic_batch([[1, 2]], [[2, 1]], method="probit")


def test_batch_is_chunked_without_changing_results(monkeypatch: pytest.MonkeyPatch) -> None:
    counts_a, counts_b = BATCHES[3]
    whole = v_statistic_batch(counts_a, counts_b)
    monkeypatch.setattr(binormal, "CHUNK", 7)
    assert v_statistic_batch(counts_a, counts_b) == whole


rows_k = st.integers(2, 6).flatmap(lambda k: st.lists(
    st.tuples(st.lists(st.integers(0, 40), min_size=k, max_size=k),
              st.lists(st.integers(0, 40), min_size=k, max_size=k)), min_size=1, max_size=8))


@settings(max_examples=150, deadline=None)
@given(rows_k)
def test_batch_is_antisymmetric(rows: list[tuple[list[int], list[int]]]) -> None:
    a, b = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    for method in ("binormal", "empirical"):
        for ab, ba in zip(v_statistic_batch(a, b, method), v_statistic_batch(b, a, method),
                          strict=True):
            assert ab.computed == ba.computed and ab.note == ba.note
            if ab.computed:
                assert ab.value == pytest.approx(-ba.value, abs=1e-7)
                assert ab.se == pytest.approx(ba.se, rel=1e-6)
                assert (ab.ci_low, ab.ci_high) == pytest.approx((-ba.ci_high, -ba.ci_low),
                                                                abs=1e-6)
                assert ab.flagged == ba.flagged
            else:
                assert math.isnan(ba.value)
