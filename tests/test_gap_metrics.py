"""Gap metrics (gapwatch.gaps): hand-worked examples, oracles, statistical checks, properties.

Expected values are recomputed here by plain arithmetic (``math``, numpy on raw arrays, brute
force over pairs of students), never by calling the package's internals.
"""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtri

from gapwatch.gaps import (
    V_METHODS,
    Gap,
    consecutive_years,
    eighty_percent_index,
    hedges_g,
    hedges_g_arrays,
    mean_difference,
    pp_difference,
    ppg1,
    rate_ratio,
    risk_ratio,
    v_statistic,
    v_statistic_scores,
)

Z = 1.959963984540054  # 97.5% normal quantile
approx = pytest.approx


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval, written out from the textbook formula."""
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


# ---------------------------------------------------------------- percentage-point difference


def test_pp_difference_hand_worked() -> None:
    # p_a = 30/100 = 0.30, p_b = 45/100 = 0.45: difference = -0.15 = -15.0 pp.
    # Wilson a: centre (0.30 + 1.9208/100) / 1.0384 = 0.3074, half 0.0885 -> [0.2189, 0.3958]
    # Wilson b: centre 0.4518, half 0.0957 -> [0.3561, 0.5476]
    # Newcombe: L = -0.15 - sqrt((0.30 - 0.2189)^2 + (0.5476 - 0.45)^2) = -0.15 - 0.1268
    #           U = -0.15 + sqrt((0.3958 - 0.30)^2 + (0.45 - 0.3561)^2) = -0.15 + 0.1342
    # -> [-27.68, -1.59] pp; Wald se = sqrt(0.3*0.7/100 + 0.45*0.55/100) = 0.06764 -> 6.76 pp
    l_a, u_a = wilson(30, 100)
    l_b, u_b = wilson(45, 100)
    assert (l_a, u_a) == approx((0.2189, 0.3958), abs=1e-4)
    low = -0.15 - math.sqrt((0.30 - l_a) ** 2 + (u_b - 0.45) ** 2)
    high = -0.15 + math.sqrt((u_a - 0.30) ** 2 + (0.45 - l_b) ** 2)
    g = pp_difference(30, 100, 45, 100)
    assert g.metric == "pp_difference"
    assert g.value == approx(-15.0)
    assert (g.ci_low, g.ci_high) == approx((100 * low, 100 * high))
    assert (g.ci_low, g.ci_high) == approx((-27.68, -1.59), abs=0.01)
    assert g.se == approx(100 * math.sqrt(0.3 * 0.7 / 100 + 0.45 * 0.55 / 100))
    assert g.flagged and not g.within_noise


def test_pp_difference_nested_equals_scaled_complement() -> None:
    # a = 30/100, All = 150/400 (a included): other students c = 120/300 = 0.40, w = 0.25.
    # a - All = 0.30 - 0.375 = -7.5 pp = (1 - 0.25) * (0.30 - 0.40) * 100.
    nested = pp_difference(30, 100, 150, 400, nested=True)
    direct = pp_difference(30, 100, 120, 300)
    assert nested.value == approx(-7.5)
    for field in ("value", "se", "ci_low", "ci_high"):
        assert getattr(nested, field) == approx(0.75 * getattr(direct, field))
    assert "w = n_a / n_b = 0.250" in nested.note


def test_pp_difference_degenerate_and_invalid() -> None:
    assert math.isnan(pp_difference(0, 0, 5, 10).value)
    assert "no students" in pp_difference(3, 10, 0, 0).note
    all_of_b = pp_difference(30, 100, 30, 100, nested=True)
    assert math.isnan(all_of_b.value) and "all of b" in all_of_b.note
    zero = pp_difference(0, 50, 0, 60)  # both rates 0: a real, computable 0-pp gap
    assert zero.value == 0 and zero.within_noise and not zero.flagged
    with pytest.raises(ValueError, match="more events"):
        pp_difference(11, 10, 5, 10)
    with pytest.raises(ValueError, match="non-negative"):
        pp_difference(-1, 10, 5, 10)
    with pytest.raises(ValueError, match="inside b"):
        pp_difference(30, 100, 20, 90, nested=True)


# ---------------------------------------------------------------- ratio


def test_rate_ratio_hand_worked() -> None:
    # 0.30 / 0.45 = 0.6667; se(log) = sqrt(1/30 - 1/100 + 1/45 - 1/100) = sqrt(0.035556) = 0.18856
    # interval exp(log(0.6667) -/+ 1.96 * 0.18856) = [0.4607, 0.9647]; se = 0.6667 * 0.18856
    se_log = math.sqrt(1 / 30 - 1 / 100 + 1 / 45 - 1 / 100)
    g = rate_ratio(30, 100, 45, 100)
    assert g.value == approx(2 / 3)
    assert (g.ci_low, g.ci_high) == approx((2 / 3 * math.exp(-Z * se_log),
                                            2 / 3 * math.exp(Z * se_log)))
    assert (g.ci_low, g.ci_high) == approx((0.4607, 0.9647), abs=1e-4)
    assert g.se == approx(2 / 3 * se_log)
    assert g.flagged and g.metric == "ratio"


def test_rate_ratio_nested_delta_method() -> None:
    # a = 30/100, All = 150/400, c = 120/300, w = 0.25, p_All = 0.375: ratio = 0.30/0.375 = 0.8.
    # Var(log R) = (1/p_a - w/p_All)^2 p_a q_a/n_a + ((1-w)/p_All)^2 p_c q_c/n_c
    #            = (3.3333 - 0.6667)^2 * 0.0021 + (2.0)^2 * 0.0008 = 0.014933 + 0.0032 = 0.018133
    se_log = math.sqrt((1 / 0.3 - 0.25 / 0.375) ** 2 * 0.3 * 0.7 / 100
                       + (0.75 / 0.375) ** 2 * 0.4 * 0.6 / 300)
    assert se_log == approx(math.sqrt(0.0181333), rel=1e-4)
    g = rate_ratio(30, 100, 150, 400, nested=True)
    assert g.value == approx(0.8)
    assert g.se == approx(0.8 * se_log)
    assert (g.ci_low, g.ci_high) == approx((0.8 * math.exp(-Z * se_log),
                                            0.8 * math.exp(Z * se_log)))


def test_rate_ratio_nested_se_matches_simulation() -> None:
    # Monte Carlo oracle: draw a and the other students independently, rebuild All = a + c.
    rng = np.random.default_rng(11)
    x_a, x_c = rng.binomial(100, 0.3, 40_000), rng.binomial(300, 0.4, 40_000)
    keep = x_a > 0
    log_r = np.log((x_a[keep] / 100) / ((x_a[keep] + x_c[keep]) / 400))
    g = rate_ratio(30, 100, 150, 400, nested=True)
    assert g.se / g.value == approx(float(log_r.std()), rel=0.05)


def test_rate_ratio_degenerate() -> None:
    zero_ref = rate_ratio(5, 10, 0, 10)
    assert math.isnan(zero_ref.value) and "reference rate is 0" in zero_ref.note
    assert not zero_ref.flagged and not zero_ref.within_noise
    zero_a = rate_ratio(0, 100, 45, 100)  # ratio 0, interval [0, corrected upper bound]
    assert zero_a.value == 0 and zero_a.ci_low == 0 and 0 < zero_a.ci_high < 1
    assert "Haldane" in zero_a.note and zero_a.flagged
    assert math.isnan(rate_ratio(0, 0, 45, 100).value)


# ---------------------------------------------------------------- PPG-1, 80% index, risk ratio


def test_ppg1_hand_worked() -> None:
    # group 60/200 = 0.30; everyone else (500 - 60)/(1000 - 200) = 440/800 = 0.55
    # PPG-1 = -25.0 pp; MOE = max(1.96 sqrt(0.3*0.7/200), 0.02) = max(0.06351, 0.02) = 6.35 pp
    moe = 1.96 * math.sqrt(0.3 * 0.7 / 200)
    g = ppg1(60, 200, 500, 1000)
    assert g.value == approx(-25.0)
    assert (g.ci_low, g.ci_high) == approx((-25.0 - 100 * moe, -25.0 + 100 * moe))
    assert g.se == approx(100 * moe / 1.96)
    assert g.flagged and g.metric == "ppg1"


def test_ppg1_minimum_moe_binds_for_large_groups() -> None:
    # 3000/10000 = 0.30 vs 28000/90000 = 0.3111: PPG-1 = -1.11 pp.
    # 1.96 sqrt(0.21/10000) = 0.90 pp < 2 pp, so MOE = 2 pp: not disproportionate impact ...
    g = ppg1(3000, 10_000, 31_000, 100_000)
    assert g.value == approx(100 * (0.3 - 28_000 / 90_000))
    assert g.ci_high - g.value == approx(2.0) and not g.flagged
    # ... unless the minimum is lowered (then MOE = 0.898 pp and -1.11 <= -0.898)
    assert ppg1(3000, 10_000, 31_000, 100_000, min_moe=0.0).flagged
    # exactly at the margin (0.30 vs 0.32, MOE = 2 pp) counts as impact ("at or below")
    assert ppg1(3000, 10_000, 35_000, 110_000).flagged
    with pytest.raises(ValueError, match="min_moe"):
        ppg1(1, 2, 3, 4, min_moe=-0.1)
    with pytest.raises(ValueError, match="part of the total"):
        ppg1(10, 20, 5, 100)
    assert math.isnan(ppg1(15, 30, 15, 30).value)  # the group is everyone


def test_ppg1_ten_students_or_fewer_is_insufficient_data() -> None:
    # CCC PPG-1 (METHODS.md 6.7): n <= 10 is "insufficient data". 2 of 10 (20%) vs 550/990:
    # no gap at all; with 11 students (2/11 = 18.2%) the gap is computed and flagged
    g = ppg1(2, 10, 552, 1000)
    assert math.isnan(g.value) and not g.flagged
    assert g.note == "insufficient data: 10 students (PPG-1 needs more than 10)"
    g = ppg1(2, 11, 552, 1001)
    assert g.value == approx(100 * (2 / 11 - 550 / 990)) and g.flagged


def test_california_three_consecutive_years() -> None:
    # METHODS.md 6.7: three consecutive years over the threshold, over the years present
    assert consecutive_years({2023: True, 2024: True, 2025: True}, 2025)[0] == 3
    assert consecutive_years({2022: True, 2023: False, 2024: True, 2025: True}, 2025) == (
        2, "over the threshold 2 consecutive years (2024-2025); 3 needed")
    assert consecutive_years({2024: False, 2025: True}, 2025) == (
        1, "over the threshold in 2025 only; 3 consecutive years needed")
    assert consecutive_years({2024: True, 2025: False}, 2025) == (0, "")
    count, words = consecutive_years({2025: True}, 2025)
    assert count == 1 and "every year present (2025)" in words
    assert "2-year rule" in consecutive_years({2024: True, 2025: True}, 2025, required=2)[1]


def test_eighty_percent_index() -> None:
    # 0.30 / 0.45 = 0.667 < 0.80 -> flagged, and the Katz interval [0.461, 0.965] excludes 1
    g = eighty_percent_index(30, 100, 45, 100)
    assert g.value == approx(2 / 3) and g.flagged and not g.within_noise
    # 0.40 / 0.45 = 0.889 >= 0.80: no impact by the four-fifths rule
    assert not eighty_percent_index(40, 100, 45, 100).flagged
    # 0.7 / 0.9 = 0.778 < 0.80: flagged by the rule, yet within noise for 10 students each
    small = eighty_percent_index(7, 10, 9, 10)
    assert small.flagged and small.within_noise
    assert math.isnan(eighty_percent_index(3, 10, 0, 10).value)


def test_risk_ratio_hand_worked() -> None:
    # risk 40/200 = 0.20 vs all other students 50/1000 = 0.05: RR = 4.0
    # se(log) = sqrt(1/40 - 1/200 + 1/50 - 1/1000) = sqrt(0.039) = 0.19748
    # interval 4 exp(-/+ 1.96 * 0.19748) = [2.716, 5.891]; 4.0 exceeds 3.0 -> flagged
    se_log = math.sqrt(0.039)
    g = risk_ratio(40, 200, 50, 1000)
    assert g.value == approx(4.0)
    assert (g.ci_low, g.ci_high) == approx((4 * math.exp(-Z * se_log), 4 * math.exp(Z * se_log)))
    assert g.flagged and g.note == ""
    assert not risk_ratio(40, 200, 50, 1000, threshold=4.5).flagged


def test_risk_ratio_threshold_must_be_exceeded() -> None:
    # 30/200 = 0.15 vs 50/1000 = 0.05: RR = 3.0 exactly; 34 CFR 300.647(d)(1) says "exceeded"
    g = risk_ratio(30, 200, 50, 1000)
    assert g.value == approx(3.0) and not g.flagged


def test_risk_ratio_alternate_and_minimum_sizes() -> None:
    # comparison group 3/25 is below min cell 10 and n 30 -> alternate: 5000/100000 = 0.05
    # RR = 0.20 / 0.05 = 4.0, se(log) = sqrt(1/40 - 1/200 + 1/5000 - 1/100000)
    g = risk_ratio(40, 200, 3, 25, alternate=(5000, 100_000))
    assert g.value == approx(4.0)
    assert g.se == approx(4 * math.sqrt(1 / 40 - 1 / 200 + 1 / 5000 - 1 / 100_000))
    assert g.note.startswith("alternate risk ratio")
    no_alt = risk_ratio(40, 200, 3, 25)
    assert math.isnan(no_alt.value) and "alternate=" in no_alt.note
    small_group = risk_ratio(9, 200, 50, 1000)  # 9 events < min cell 10
    assert math.isnan(small_group.value) and "minimum cell size" in small_group.note
    assert math.isnan(risk_ratio(12, 29, 50, 1000).value)  # 29 students < min n 30
    assert math.isnan(risk_ratio(40, 200, 3, 25, alternate=(5, 100)).value)
    with pytest.raises(ValueError, match="threshold"):
        risk_ratio(40, 200, 50, 1000, threshold=0)


# ---------------------------------------------------------------- means and effect sizes


def test_mean_difference_hand_worked() -> None:
    # -20 - 10 = -30 points; Welch se = sqrt(90^2/400 + 95^2/1600) = sqrt(20.25 + 5.640625)
    # = 5.0883; interval -30 -/+ 1.96 * 5.0883 = [-39.97, -20.03]
    g = mean_difference(-20.0, 90.0, 400, 10.0, 95.0, 1600)
    assert g.value == approx(-30.0)
    assert g.se == approx(math.sqrt(25.890625))
    assert (g.ci_low, g.ci_high) == approx((-39.973, -20.027), abs=1e-3)
    assert g.flagged


def _summary(x: np.ndarray) -> tuple[float, float, int]:
    return float(x.mean()), float(x.std(ddof=1)), x.size


def test_mean_difference_nested_equals_explicit_complement() -> None:
    rng = np.random.default_rng(3)
    a, c = rng.normal(-15, 80, 120), rng.normal(5, 95, 480)
    union = np.concatenate((a, c))  # All students, a included
    w = a.size / union.size
    g = mean_difference(*_summary(a), *_summary(union), nested=True)
    assert g.value == approx(a.mean() - union.mean())
    assert g.value == approx((1 - w) * (a.mean() - c.mean()))
    se_c = math.sqrt(a.var(ddof=1) / a.size + c.var(ddof=1) / c.size)
    assert g.se == approx((1 - w) * se_c)
    direct = mean_difference(*_summary(a), *_summary(c))
    assert (g.ci_low, g.ci_high) == approx(((1 - w) * direct.ci_low, (1 - w) * direct.ci_high))


def test_mean_difference_degenerate() -> None:
    assert "fewer than 2" in mean_difference(1.0, 0.0, 1, 2.0, 1.0, 10).note
    assert "missing" in mean_difference(math.nan, 1.0, 10, 2.0, 1.0, 10).note
    # an SD too small for the totals: the other students' variance would be negative
    bad = mean_difference(0.0, 10.0, 50, 0.0, 1.0, 100, nested=True)
    assert math.isnan(bad.value) and "inconsistent" in bad.note
    with pytest.raises(ValueError, match="standard deviation"):
        mean_difference(0.0, -1.0, 10, 0.0, 1.0, 10)


def test_hedges_g_hand_worked() -> None:
    # a = 1,2,3,4 (mean 2.5), b = 3,4,5,6 (mean 4.5); both SDs sqrt(5/3) = 1.29099 = pooled SD
    # d = -2 / 1.29099 = -1.54919; J = 1 - 3/(4*8 - 9) = 20/23; g = -1.34712
    # se = J sqrt(8/16 + d^2/16) = (20/23) sqrt(0.65) = 0.70107
    d = -2 / math.sqrt(5 / 3)
    g = hedges_g_arrays([1, 2, 3, 4], [3, 4, 5, 6])
    assert g.value == approx(20 / 23 * d)
    assert g.se == approx(20 / 23 * math.sqrt(0.5 + d * d / 16))
    assert g.value == approx(-1.34712, abs=1e-5) and g.metric == "hedges_g"
    assert hedges_g(2.5, math.sqrt(5 / 3), 4, 4.5, math.sqrt(5 / 3), 4).value == approx(g.value)


def test_hedges_g_matches_numpy_and_nested_uses_complement() -> None:
    rng = np.random.default_rng(5)
    a, c = rng.normal(0.3, 1.1, 80), rng.normal(0.0, 0.9, 320)
    pooled = math.sqrt((79 * a.var(ddof=1) + 319 * c.var(ddof=1)) / 398)
    expected = (1 - 3 / (4 * 400 - 9)) * (a.mean() - c.mean()) / pooled
    assert hedges_g_arrays(a, c).value == approx(expected)
    nested = hedges_g(*_summary(a), *_summary(np.concatenate((a, c))), nested=True)
    direct = hedges_g_arrays(a, c)
    for field in ("value", "se", "ci_low", "ci_high"):
        assert getattr(nested, field) == approx(getattr(direct, field))
    assert "other students" in nested.note
    assert "no variation" in hedges_g_arrays([1, 1], [1, 1]).note
    with pytest.raises(ValueError, match="finite"):
        hedges_g_arrays([1.0, math.nan], [1.0, 2.0])


# ---------------------------------------------------------------- V statistic


def _expand(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def brute_auc(a: np.ndarray, b: np.ndarray) -> float:
    """P(A > B) + P(A = B) / 2 over every pair of students."""
    diff = a[:, None] - b[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def hanley_mcneil(auc: float, n_a: int, n_b: int) -> float:
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    return math.sqrt((auc * (1 - auc) + (n_a - 1) * (q1 - auc**2) + (n_b - 1) * (q2 - auc**2))
                     / (n_a * n_b))


def test_v_empirical_hand_worked() -> None:
    # p_a = .3 .4 .2 .1, p_b = .1 .3 .4 .2 (levels 1-4); AUC = sum p_a,k (P(B < k) + p_b,k / 2)
    # = .3(0 + .05) + .4(.1 + .15) + .2(.4 + .2) + .1(.8 + .1) = .015 + .1 + .12 + .09 = .325
    # V = sqrt(2) Phi^-1(.325) = sqrt(2) (-0.45376) = -0.6417
    a, b = [30, 40, 20, 10], [10, 30, 40, 20]
    g = v_statistic(a, b, method="empirical")
    assert g.metric == "v_statistic_empirical"
    assert g.value == approx(math.sqrt(2) * ndtri(0.325))
    phi = math.exp(-ndtri(0.325) ** 2 / 2) / math.sqrt(2 * math.pi)
    assert g.se == approx(math.sqrt(2) / phi * hanley_mcneil(0.325, 100, 100))


def test_v_empirical_auc_equals_brute_force() -> None:
    rng = np.random.default_rng(8)
    for _ in range(20):
        a, b = rng.integers(0, 12, 5).tolist(), rng.integers(0, 12, 5).tolist()
        g = v_statistic(a, b, method="empirical")
        auc = brute_auc(_expand(a), _expand(b)) if sum(a) and sum(b) else math.nan
        if 0 < auc < 1:
            assert g.value == approx(math.sqrt(2) * ndtri(auc))
        else:
            assert math.isnan(g.value)


def test_v_scores_equals_brute_force() -> None:
    rng = np.random.default_rng(9)
    a = rng.normal(2450, 90, 150).round(-1)  # rounded: plenty of ties
    b = rng.normal(2480, 100, 200).round(-1)
    auc = brute_auc(a, b)
    g = v_statistic_scores(a, b)
    assert g.value == approx(math.sqrt(2) * ndtri(auc))
    phi = math.exp(-ndtri(auc) ** 2 / 2) / math.sqrt(2 * math.pi)
    assert g.se == approx(math.sqrt(2) / phi * hanley_mcneil(auc, 150, 200))
    assert g.metric == "v_statistic_scores"
    assert math.isnan(v_statistic_scores([3, 4], [1, 2]).value)  # complete separation


def test_v_binormal_two_levels_is_probit_difference() -> None:
    # K = 2: sigma fixed at 1, V = Phi^-1(0.6) - Phi^-1(0.3) = 0.2533 + 0.5244 = 0.7777, and
    # se^2 = sum p(1-p) / (n phi(Phi^-1(p))^2) over the two groups
    g = v_statistic([40, 60], [70, 30])
    assert g.value == approx(ndtri(0.6) - ndtri(0.3), rel=1e-6)

    def var(p: float, n: int) -> float:
        return p * (1 - p) / (n * (math.exp(-ndtri(p) ** 2 / 2) / math.sqrt(2 * math.pi)) ** 2)

    assert g.se == approx(math.sqrt(var(0.6, 100) + var(0.3, 100)), rel=1e-4)
    assert "sigma fixed at 1" in g.note


def _cut(scores: np.ndarray, cuts: tuple[float, ...] = (-0.8, 0.0, 0.8)) -> np.ndarray:
    return np.bincount(np.searchsorted(cuts, scores), minlength=len(cuts) + 1)


@pytest.mark.parametrize(("d", "s"), [(0.5, 1.2), (-0.7, 0.8), (1.0, 1.0)])
def test_v_recovers_true_gap_from_four_levels(d: float, s: float) -> None:
    rng = np.random.default_rng(20240601)
    a, b = rng.normal(d, s, 20_000), rng.normal(0.0, 1.0, 20_000)
    true_v = d / math.sqrt((1 + s * s) / 2)
    fit = v_statistic(_cut(a), _cut(b))
    # se is about 0.011; 3.5 se bounds a correct estimator's miss at p < 0.001
    assert abs(fit.value - true_v) < 3.5 * fit.se
    assert not fit.within_noise and fit.flagged and fit.note == ""
    empirical = v_statistic(_cut(a), _cut(b), method="empirical")
    # trapezoid AUC on 4 levels is biased toward 0 (ties count 1/2): close, never farther out
    assert abs(empirical.value - true_v) < 0.15 and abs(empirical.value) < abs(true_v)
    swapped = v_statistic(_cut(b), _cut(a))
    assert swapped.value == approx(-fit.value, abs=1e-5)


def test_v_identical_distributions_within_noise() -> None:
    rng = np.random.default_rng(12)
    a, b = rng.normal(0, 1, 5000), rng.normal(0, 1, 5000)
    for method in V_METHODS:
        g = v_statistic(_cut(a), _cut(b), method=method)
        assert abs(g.value) < 0.05 and g.within_noise and not g.flagged


def test_v_degenerate_counts_and_invalid_method() -> None:
    separated = v_statistic([5, 0, 0, 0], [0, 0, 3, 4])
    assert math.isnan(separated.value) and "complete separation" in separated.note
    one_level = v_statistic([0, 0, 0, 5], [1, 2, 3, 4])  # AUC < 1, but no binormal maximum
    assert math.isnan(one_level.value) and "one level" in one_level.note
    assert v_statistic([0, 0, 0, 5], [1, 2, 3, 4], method="empirical").value > 0
    two_adjacent = v_statistic([0, 0, 5, 7], [10, 20, 30, 5])
    assert math.isfinite(two_adjacent.value) and "sigma fixed at 1" in two_adjacent.note
    assert math.isnan(v_statistic([0, 0], [1, 2]).value)
    # a in levels 2-3, b in levels 1-2: they share one level, the binormal likelihood has no
    # finite maximum (quasi-separation); the trapezoid AUC is still defined
    quasi = v_statistic([0, 13, 14, 0], [9, 9, 0, 0])
    assert math.isnan(quasi.value) and "quasi-separation" in quasi.note
    assert v_statistic([0, 13, 14, 0], [9, 9, 0, 0], method="empirical").value > 0
    with pytest.raises(ValueError, match="binormal, empirical"):
        v_statistic([1, 2], [2, 1], method="probit")
    with pytest.raises(ValueError, match="same length"):
        v_statistic([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="non-negative"):
        v_statistic([1, -2], [1, 2])


# ---------------------------------------------------------------- properties

counts = st.integers(min_value=0, max_value=60)


@st.composite
def rate_pair(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n_a, n_b = draw(counts), draw(counts)
    return draw(st.integers(0, n_a)), n_a, draw(st.integers(0, n_b)), n_b


def _bounded(g: Gap) -> bool:
    if not g.computed:
        return math.isnan(g.ci_low) and not g.flagged and not g.within_noise and g.note != ""
    return g.ci_low <= g.value <= g.ci_high


@given(rate_pair(), st.booleans())
def test_rates_are_antisymmetric_bounded_and_never_raise(
        pair: tuple[int, int, int, int], nested: bool) -> None:
    x_a, n_a, x_b, n_b = pair
    if nested:
        x_b, n_b = x_a + x_b, n_a + n_b  # b = a plus the others
    for g in (pp_difference(x_a, n_a, x_b, n_b, nested=nested),
              rate_ratio(x_a, n_a, x_b, n_b, nested=nested),
              ppg1(x_a, n_a, x_a + x_b, n_a + n_b),
              eighty_percent_index(x_a, n_a, x_b, n_b),
              risk_ratio(x_a, n_a, x_b, n_b, min_cell=1, min_n=1)):
        assert _bounded(g), g
    if not nested:
        ab, ba = pp_difference(x_a, n_a, x_b, n_b), pp_difference(x_b, n_b, x_a, n_a)
        if ab.computed:
            assert (ab.value, ab.ci_low, ab.ci_high) == approx(
                (-ba.value, -ba.ci_high, -ba.ci_low), abs=1e-9)
        ab, ba = rate_ratio(x_a, n_a, x_b, n_b), rate_ratio(x_b, n_b, x_a, n_a)
        if ab.computed and ba.computed and ab.value > 0:
            assert (ab.value, ab.ci_low, ab.ci_high) == approx(
                (1 / ba.value, 1 / ba.ci_high, 1 / ba.ci_low))


summary = st.tuples(st.floats(-300, 300), st.floats(0.1, 150), st.integers(0, 500))


@given(summary, summary)
def test_means_are_antisymmetric_and_bounded(a: tuple, b: tuple) -> None:
    for fn in (mean_difference, hedges_g):
        ab, ba = fn(*a, *b), fn(*b, *a)
        assert _bounded(ab) and _bounded(ba)
        if ab.computed:
            assert (ab.value, ab.ci_low, ab.ci_high) == approx(
                (-ba.value, -ba.ci_high, -ba.ci_low), abs=1e-9)


levels = st.lists(st.integers(0, 8), min_size=4, max_size=4)


@given(levels, levels)
def test_v_statistic_antisymmetric_bounded_never_raises(a: list[int], b: list[int]) -> None:
    for method in V_METHODS:
        ab, ba = v_statistic(a, b, method=method), v_statistic(b, a, method=method)
        assert _bounded(ab) and _bounded(ba)
        assert ab.computed == ba.computed
        if ab.computed:
            assert ab.value == approx(-ba.value, abs=1e-4)
            assert ab.se == approx(ba.se, rel=1e-3, abs=1e-4)


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30),
       st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_v_scores_antisymmetric(a: list[int], b: list[int]) -> None:
    ab, ba = v_statistic_scores(a, b), v_statistic_scores(b, a)
    assert _bounded(ab) and ab.computed == ba.computed
    if ab.computed:
        assert ab.value == approx(-ba.value, abs=1e-9)


# ---------------------------------------------------------------- docstring examples

MODULES = ("", ".result", "._checks", ".intervals", ".rates", ".impact", ".disproportionality",
           ".means", ".effect_size", ".vstat", ".binormal")


@pytest.mark.parametrize("suffix", MODULES)
def test_docstring_examples_run(suffix: str) -> None:
    module = importlib.import_module(f"gapwatch.gaps{suffix}")
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0
