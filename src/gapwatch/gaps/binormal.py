"""Maximum-likelihood binormal ROC fit to two groups' counts over K ordered levels, many at once.

Dorfman & Alf (1969), Journal of Mathematical Psychology 6(3):487-496, as used for achievement
gaps by Ho & Reardon (2012), JEBS 37(4):489-517. Ordered-probit model with K - 1 shared
thresholds c_1 < ... < c_{K-1}: group b's latent score ~ N(0, 1), group a's ~ N(mu, sigma^2).

:func:`fit_batch` fits m pairs of count vectors together, as numpy arrays of shape (m, K):
Newton-Raphson on theta = (c_1, ..., c_{K-1}, mu, log sigma) with the analytic gradient and
Hessian of the log-likelihood, all rows iterating at once. A row whose observed information is
not positive definite (far from the maximum; the likelihood is not concave in log sigma) takes a
Fisher-scoring step instead (expected information, always positive definite), and a step that
does not raise a row's log-likelihood (or leaves the thresholds unordered) is halved. Converged
rows drop out of the iteration. Starting values come from the probit-space ROC line. The
standard error of V is the delta method on the inverse observed information at the maximum.

Derivatives. For one group with counts n_k, cut points z_j (j = 1..K-1, z_0 = -inf,
z_K = +inf), cell probabilities p_k = Phi(z_k) - Phi(z_{k-1}), r_k = n_k / p_k and
phi_j = phi(z_j), the log-likelihood sum_k n_k log p_k has

- gradient  dLL/dz_j = phi_j (r_j - r_{j+1});
- Hessian   d2LL/dz_j^2 = -z_j dLL/dz_j - phi_j^2 (n_j / p_j^2 + n_{j+1} / p_{j+1}^2),
  d2LL/dz_j dz_{j+1} = phi_j phi_{j+1} n_{j+1} / p_{j+1}^2, zero elsewhere (tridiagonal);
- expectation of the Hessian: n_k replaced by N p_k (N = sum_k n_k).

Group b has z = c; group a has z = (c - mu) / sigma, and the chain rule (with its second-order
terms in log sigma) carries both to theta. Levels empty in both groups must be merged away
first (the MLE puts two equal thresholds there); :mod:`gapwatch.gaps.vstat` does this.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special

_TINY = 1e-300
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
#: A free-sigma fit whose sigma leaves this range is treated as a boundary (non-)solution.
SIGMA_RANGE = (0.02, 50.0)
#: Newton iterations before a row is declared not converged.
MAX_ITER = 100
#: Converged when the Newton decrement g' I^-1 g (twice the predicted log-likelihood gain;
#: the squared distance to the maximum in standard-error units) falls below this.
DECREMENT_TOL = 1e-10
_MAX_HALVINGS = 40
#: Rows fitted together at most (larger batches are split; memory grows with the chunk).
CHUNK = 20_000
#: Rows whose sigma leaves this (wider) range stop early: the fit runs to a boundary.
_SIGMA_ESCAPE = (1e-3, 1e3)


class BatchFit(NamedTuple):
    """Per-row results of :func:`fit_batch` (arrays of length m); NaN where ``ok`` is False."""

    mu: np.ndarray
    sigma: np.ndarray
    v: np.ndarray
    se_v: np.ndarray
    ok: np.ndarray  #: an interior maximum with a positive definite information was found
    iterations: np.ndarray  #: Newton iterations each row took
    theta: np.ndarray  #: (m, P) last iterate (c_1..c_{K-1}, mu[, log sigma]); the MLE when ok


def cells(z: np.ndarray) -> np.ndarray:
    """P(latent in each cell) for standardized cut points z of shape (m, K - 1) -> (m, K)."""
    m = z.shape[0]
    lo = np.concatenate((np.full((m, 1), -np.inf), z), axis=1)
    hi = np.concatenate((z, np.full((m, 1), np.inf)), axis=1)
    upper = special.ndtr(-lo) - special.ndtr(-hi)  # accurate in the upper tail
    return np.where(lo > 0, upper, special.ndtr(hi) - special.ndtr(lo))


def _split(theta: np.ndarray, k: int, fixed_sigma: bool) -> tuple[np.ndarray, ...]:
    """Thresholds c (m, K-1), mu (m,), sigma (m,) and group a's cut points (m, K-1)."""
    c, mu = theta[:, :k - 1], theta[:, k - 1]
    sigma = np.ones_like(mu) if fixed_sigma else np.exp(theta[:, k])
    return c, mu, sigma, (c - mu[:, None]) / sigma[:, None]


def _loglik_group(n: np.ndarray, z: np.ndarray) -> np.ndarray:
    p = np.maximum(cells(z), _TINY)
    return np.sum(np.where(n > 0, n * np.log(p), 0.0), axis=1)


def loglik(theta: np.ndarray, na: np.ndarray, nb: np.ndarray, fixed_sigma: bool) -> np.ndarray:
    """Log-likelihood of each row (-inf where the thresholds are not strictly increasing)."""
    k = na.shape[1]
    c, _, _, za = _split(theta, k, fixed_sigma)
    ll = _loglik_group(na, za) + _loglik_group(nb, c)
    ordered = np.all(np.diff(c, axis=1) > 0, axis=1)
    return np.where(ordered & np.isfinite(ll), ll, -np.inf)


def _group_derivs(n: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, ...]:
    """Gradient and observed / expected Hessian (diagonal, off-diagonal) in one group's z."""
    p = np.maximum(cells(z), _TINY)
    r = n / p
    q = r / p
    phi = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
    g = phi * (r[:, :-1] - r[:, 1:])
    h_diag = -z * g - phi * phi * (q[:, :-1] + q[:, 1:])
    h_off = phi[:, :-1] * phi[:, 1:] * q[:, 1:-1]
    big_n = n.sum(axis=1, keepdims=True)
    inv_p = 1.0 / p
    e_diag = -big_n * phi * phi * (inv_p[:, :-1] + inv_p[:, 1:])
    e_off = big_n * phi[:, :-1] * phi[:, 1:] * inv_p[:, 1:-1]
    return g, h_diag, h_off, e_diag, e_off


def _tridiag(diag: np.ndarray, off: np.ndarray) -> np.ndarray:
    m, d = diag.shape
    out = np.zeros((m, d, d))
    idx = np.arange(d)
    out[:, idx, idx] = diag
    out[:, idx[:-1], idx[1:]] = off
    out[:, idx[1:], idx[:-1]] = off
    return out


def derivatives(theta: np.ndarray, na: np.ndarray, nb: np.ndarray,
                fixed_sigma: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient (m, P), observed information -H and expected information (m, P, P) in theta."""
    m, k = na.shape
    npar = k if fixed_sigma else k + 1
    _, _, sigma, za = _split(theta, k, fixed_sigma)
    ga, ha_d, ha_o, ea_d, ea_o = _group_derivs(na, za)
    gb, hb_d, hb_o, eb_d, eb_o = _group_derivs(nb, theta[:, :k - 1])

    # Jacobian of group a's cut points in theta: dz/dc_j = 1/sigma, dz/dmu = -1/sigma,
    # dz/dlog sigma = -z.
    jac = np.zeros((m, k - 1, npar))
    idx = np.arange(k - 1)
    inv_s = 1.0 / sigma
    jac[:, idx, idx] = inv_s[:, None]
    jac[:, :, k - 1] = -inv_s[:, None]
    if not fixed_sigma:
        jac[:, :, k] = -za

    jac_t = jac.transpose(0, 2, 1)
    grad = (jac_t @ ga[:, :, None])[:, :, 0]
    grad[:, :k - 1] += gb
    hess = jac_t @ _tridiag(ha_d, ha_o) @ jac
    hess[:, :k - 1, :k - 1] += _tridiag(hb_d, hb_o)
    expected = jac_t @ _tridiag(ea_d, ea_o) @ jac
    expected[:, :k - 1, :k - 1] += _tridiag(eb_d, eb_o)
    if not fixed_sigma:
        # second-order terms: d2z_j/dc_j dlog s = -1/s, d2z_j/dmu dlog s = 1/s, d2z_j/dlog s^2 = z_j
        cross = -ga * inv_s[:, None]
        hess[:, idx, k] += cross
        hess[:, k, idx] += cross
        mu_ls = np.sum(ga, axis=1) * inv_s
        hess[:, k - 1, k] += mu_ls
        hess[:, k, k - 1] += mu_ls
        hess[:, k, k] += np.sum(ga * za, axis=1)
    return grad, -hess, -expected


def start(na: np.ndarray, nb: np.ndarray, fixed_sigma: bool) -> np.ndarray:
    """Starting values: thresholds Phi^-1 of b's cumulative proportions; mu, sigma from the line.

    In probit space the binormal ROC is the straight line Phi^-1(F_a) = (c - mu) / sigma over
    c = Phi^-1(F_b); its least-squares fit gives sigma = 1 / slope, mu = -intercept * sigma
    (slope 1 when sigma is fixed). Cumulative proportions are smoothed by half a student per
    level, so none is 0 or 1; sigma is kept within [0.2, 5].
    """
    k = na.shape[1]
    smooth_b = np.cumsum(nb + 0.5, axis=1)[:, :-1] / (nb.sum(axis=1, keepdims=True) + 0.5 * k)
    smooth_a = np.cumsum(na + 0.5, axis=1)[:, :-1] / (na.sum(axis=1, keepdims=True) + 0.5 * k)
    c, za = special.ndtri(smooth_b), special.ndtri(smooth_a)
    if fixed_sigma:
        return np.column_stack((c, np.mean(c - za, axis=1)))
    dc = c - c.mean(axis=1, keepdims=True)
    slope = np.sum(dc * (za - za.mean(axis=1, keepdims=True)), axis=1) / np.sum(dc * dc, axis=1)
    with np.errstate(divide="ignore"):
        sigma = np.where(slope > 0, 1.0 / slope, 1.0)
    sigma = np.clip(sigma, 0.2, 5.0)
    mu = np.mean(c - sigma[:, None] * za, axis=1)
    return np.column_stack((c, mu, np.log(sigma)))


def _solve_pd(info: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """info^-1 rhs by eigendecomposition, and whether each info is positive definite."""
    w, vec = np.linalg.eigh(info)
    pd = np.all(np.isfinite(w), axis=1) & (w[:, 0] > 1e-12 * np.abs(w[:, -1]))
    w = np.where(pd[:, None], w, 1.0)
    coef = (vec.transpose(0, 2, 1) @ rhs[:, :, None])[:, :, 0] / w
    return (vec @ coef[:, :, None])[:, :, 0], pd


def _newton(theta: np.ndarray, na: np.ndarray, nb: np.ndarray,
            fixed_sigma: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterate every row to its maximum; returns theta, converged flags, iterations."""
    m, k = na.shape
    converged = np.zeros(m, dtype=bool)
    iterations = np.zeros(m, dtype=int)
    active = np.arange(m)
    ll = loglik(theta, na, nb, fixed_sigma)
    active = active[np.isfinite(ll)]
    for _ in range(MAX_ITER):
        if active.size == 0:
            break
        th, a, b = theta[active], na[active], nb[active]
        grad, info, expected = derivatives(th, a, b, fixed_sigma)
        step, pd = _solve_pd(info, grad)
        if not pd.all():
            scoring, pd_e = _solve_pd(expected[~pd], grad[~pd])
            step[~pd] = np.where(pd_e[:, None], scoring, np.nan)
        iterations[active] += 1
        decrement = np.sum(grad * step, axis=1)
        ok = np.all(np.isfinite(step), axis=1) & np.isfinite(decrement)
        done = ok & (decrement < DECREMENT_TOL) & pd
        # at the maximum the full Newton step is tiny and only sharpens it (quadratic convergence)
        theta[active[done]] = th[done] + step[done]
        converged[active[done]] = True
        moving = ok & ~done
        rows, th, step, a, b = active[moving], th[moving], step[moving], a[moving], b[moving]
        dec, ll_old = decrement[moving], ll[rows]
        new_ll = np.full(rows.size, -np.inf)
        t = np.ones(rows.size)
        pending = np.arange(rows.size)
        for _ in range(_MAX_HALVINGS):
            trial = th[pending] + t[pending, None] * step[pending]
            trial_ll = loglik(trial, a[pending], b[pending], fixed_sigma)
            better = trial_ll >= ll_old[pending]
            new_ll[pending[better]] = trial_ll[better]
            theta[rows[pending[better]]] = trial[better]
            pending = pending[~better]
            if pending.size == 0:
                break
            t[pending] *= 0.5
        # No halving raises the likelihood: stuck, or at the maximum up to rounding (then
        # take the Newton step, as for converged rows).
        near = pending[dec[pending] < 1e-6]
        theta[rows[near]] = th[near] + step[near]
        converged[rows[near]] = True
        improved = np.isfinite(new_ll)
        ll[rows[improved]] = new_ll[improved]
        keep = rows[improved]
        if not fixed_sigma:
            log_s = theta[keep, k]
            inside = (log_s > math.log(_SIGMA_ESCAPE[0])) & (log_s < math.log(_SIGMA_ESCAPE[1]))
            keep = keep[inside]
        active = keep
    return theta, converged, iterations


def fit_batch(na: np.ndarray, nb: np.ndarray, *, fixed_sigma: bool) -> BatchFit:
    """ML fits of m pairs of count rows, shape (m, K), every level occupied by someone (K >= 2).

    A row is not ``ok`` when its fit has no interior maximum: no convergence, sigma outside
    :data:`SIGMA_RANGE`, or an information matrix that is not positive definite.

    >>> r = fit_batch(np.array([[40.0, 60.0]]), np.array([[70.0, 30.0]]), fixed_sigma=True)
    >>> round(float(r.v[0]), 4), round(float(r.se_v[0]), 4)   # = ndtri(0.6) - ndtri(0.3) with K = 2
    (0.7777, 0.1829)
    """
    na, nb = np.asarray(na, dtype=float), np.asarray(nb, dtype=float)
    m, k = na.shape
    if m > CHUNK:  # bounded memory: the (m, P, P) work arrays of a chunk stay small
        parts = [fit_batch(na[i:i + CHUNK], nb[i:i + CHUNK], fixed_sigma=fixed_sigma)
                 for i in range(0, m, CHUNK)]
        return BatchFit(*(np.concatenate(field) for field in zip(*parts, strict=True)))
    if m == 0:
        nan = np.full(0, np.nan)
        return BatchFit(nan, nan, nan, nan, np.zeros(0, dtype=bool), np.zeros(0, dtype=int),
                        np.zeros((0, k if fixed_sigma else k + 1)))
    with np.errstate(all="ignore"):
        theta, converged, iterations = _newton(start(na, nb, fixed_sigma), na, nb, fixed_sigma)
        _, mu, sigma, _ = _split(theta, k, fixed_sigma)
        grad, info, _ = derivatives(theta, na, nb, fixed_sigma)
        s = np.sqrt((1 + sigma * sigma) / 2)
        grad_v = np.zeros_like(theta)
        grad_v[:, k - 1] = 1 / s
        if not fixed_sigma:
            grad_v[:, k] = -mu * sigma * sigma / (2 * s**3)
        cov_g, pd = _solve_pd(info, grad_v)
        var_v = np.sum(grad_v * cov_g, axis=1)
        ok = (converged & pd & np.all(np.isfinite(theta), axis=1)
              & (sigma > SIGMA_RANGE[0]) & (sigma < SIGMA_RANGE[1])
              & np.isfinite(var_v) & (var_v > 0))
        v = mu / s
        se = np.sqrt(np.where(ok, var_v, np.nan))
    return BatchFit(mu=np.where(ok, mu, np.nan), sigma=np.where(ok, sigma, np.nan),
                    v=np.where(ok, v, np.nan), se_v=se, ok=ok, iterations=iterations,
                    theta=theta)


def _span(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last occupied level of each row (rows must have someone)."""
    occupied = counts > 0
    k = counts.shape[1]
    return np.argmax(occupied, axis=1), k - 1 - np.argmax(occupied[:, ::-1], axis=1)


def overlap(na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """Per row: do the groups' occupied levels overlap in at least two levels' worth of range?

    When all of one group is at or below the level where the other group starts (they share
    at most one level), the likelihood rises without bound as mu moves away: quasi-complete
    separation, as in logistic regression (Albert & Anderson 1984, Biometrika 71(1):1-10).

    >>> overlap(np.array([[0, 13, 14, 0], [1, 2, 3, 0]]), np.array([[9, 9, 0, 0], [0, 1, 2, 3]]))
    array([False,  True])
    """
    first_a, last_a = _span(np.asarray(na))
    first_b, last_b = _span(np.asarray(nb))
    return ~((last_a <= first_b) | (last_b <= first_a))


def sigma_identified(na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """Per row: False when a group sits in one level or in two adjacent levels.

    Then the group's likelihood keeps rising as its latent SD shrinks (or, for b, grows)
    toward a boundary, so sigma has no interior maximum and must be fixed.
    """
    first_a, last_a = _span(np.asarray(na))
    first_b, last_b = _span(np.asarray(nb))
    return (last_a - first_a >= 2) & (last_b - first_b >= 2)
