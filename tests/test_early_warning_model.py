"""The early-warning model and its fairness audit: hand-worked fairness tables recomputed with
pandas, held-out metrics checked against scikit-learn, and a synthetic district end to end."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from synthdistrict import run_district

from gapwatch.earlywarning import model_metrics as mm
from gapwatch.earlywarning.fairness import DEFAULT_GROUPS, fairness_audit
from gapwatch.earlywarning.measures import student_measures
from gapwatch.earlywarning.model import score_students, train_and_evaluate
from gapwatch.earlywarning.model_data import EXCLUDED, GROUP_COLUMNS, load_measures, training_data
from gapwatch.synth import latent_table, simulate

Z = 1.959963984540054


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval, written out again for the oracle."""
    p = x / n
    mid = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
    return max(mid - half, 0.0), min(mid + half, 1.0)


def block(race: str, counts: dict[tuple[bool, bool], int]) -> list[dict]:
    """Students of one race: counts per (outcome, flagged); probability by cell."""
    prob = {(True, True): 0.8, (True, False): 0.4, (False, True): 0.6, (False, False): 0.1}
    return [{"race_ethnicity": race, "outcome": o, "flagged": f, "probability": prob[(o, f)]}
            for (o, f), k in counts.items() for _ in range(k)]


# The hand-made list, 40 students. Cells (outcome, flagged): TP = (yes, yes), FN = (yes, no),
# FP = (no, yes), TN = (no, no).
#   AA 12: TP 2, FN 4, FP 1, TN 5 -> n_outcome 6, flagged 3, base 6/12 = 0.5,
#          FNR 4/6 = 0.6667 (Wilson 0.3000-0.9032), FPR 1/6 = 0.1667 (0.0301-0.5635),
#          mean predicted (2x0.8 + 4x0.4 + 0.6 + 5x0.1) / 12 = 4.3 / 12 = 0.3583
#   HI 20: TP 6, FN 2, FP 2, TN 10 -> n_outcome 8, flagged 8, FNR 2/8 = 0.25, FPR 2/12
#   WH  8: TP 1, FN 1, TN 6 -> fewer than 11 students, no metrics
#   ALL 40: n_outcome 16, flagged 12, FNR 7/16 = 0.4375 (0.2310-0.6682), FPR 3/24 = 0.125
# Shares: AA is 3/12 = 0.25 of the flagged but 6/16 = 0.375 of the outcome; 0.25 < 0.8 x 0.375
# = 0.30 -> under-served. HI: 8/12 = 0.667 of flagged vs 8/16 = 0.5 of outcome -> fine.
ROWS = (block("AA", {(True, True): 2, (True, False): 4, (False, True): 1, (False, False): 5})
        + block("HI", {(True, True): 6, (True, False): 2, (False, True): 2, (False, False): 10})
        + block("WH", {(True, True): 1, (True, False): 1, (False, False): 6}))
for i, r in enumerate(ROWS):
    r.update(gender="FM"[i % 2], sed=i % 3 != 0, el=None if i % 5 == 0 else i % 4 == 0,
             swd=i < 10, foster=i < 11, homeless=i % 2 == 0 and i < 30)


def oracle(df: pd.DataFrame) -> dict[str, dict]:
    """Every audit column recomputed per group with pandas."""
    out = {}
    tot_fl, tot_y = df.flagged.sum(), df.outcome.sum()
    for code, col, value in DEFAULT_GROUPS:
        g = df if col is None else df[df[col].eq(value)]
        if len(g) < 11:
            out[code] = {"n": len(g), "note": "fewer than 11 students"}
            continue
        pos, neg = g[g.outcome], g[~g.outcome]
        fn, fp = int((~pos.flagged).sum()), int(neg.flagged.sum())
        row = {"n": len(g), "n_outcome": len(pos), "n_flagged": int(g.flagged.sum()),
               "base_rate": g.outcome.mean(), "flagged_rate": g.flagged.mean(),
               "mean_predicted": g.probability.mean(), "observed": g.outcome.mean(),
               "share_of_flagged": g.flagged.sum() / tot_fl,
               "share_of_outcome": g.outcome.sum() / tot_y}
        row["fnr"], (row["fnr_ci_low"], row["fnr_ci_high"]) = fn / len(pos), wilson(fn, len(pos))
        row["fpr"], (row["fpr_ci_low"], row["fpr_ci_high"]) = fp / len(neg), wilson(fp, len(neg))
        out[code] = row
    for code, row in out.items():
        if "fnr" in row:
            share = row["share_of_flagged"] < 0.8 * row["share_of_outcome"]
            above = code != "ALL" and row["fnr_ci_low"] > out["ALL"]["fnr_ci_high"]
            row["warning"] = "under-served" if share or above else None
    return out


def check_against_oracle(table: pa.Table, df: pd.DataFrame) -> dict[str, dict]:
    got = {r["group"]: r for r in table.to_pylist()}
    expected = oracle(df)
    assert list(got) == [g[0] for g in DEFAULT_GROUPS]
    for code, exp in expected.items():
        for key, value in exp.items():
            if isinstance(value, float):
                assert got[code][key] == pytest.approx(value, abs=1e-12), (code, key)
            elif key != "note":
                assert got[code][key] == value, (code, key)
        if "fnr" not in exp:
            assert got[code]["note"] == exp["note"] and got[code]["fnr"] is None
    return got


def test_fairness_audit_matches_pandas_and_hand_arithmetic() -> None:
    df = pd.DataFrame(ROWS)
    got = check_against_oracle(fairness_audit(pa.Table.from_pylist(ROWS), "flagged", "outcome"),
                               df)
    aa, all_ = got["AA"], got["ALL"]
    assert (aa["n"], aa["n_outcome"], aa["n_flagged"]) == (12, 6, 3)
    assert aa["fnr"] == pytest.approx(4 / 6) and aa["fpr"] == pytest.approx(1 / 6)
    assert (round(aa["fnr_ci_low"], 4), round(aa["fnr_ci_high"], 4)) == (0.3, 0.9032)
    assert aa["mean_predicted"] == pytest.approx(4.3 / 12)
    assert aa["warning"] == "under-served" and "0.250 < 0.8 x share of outcome 0.375" in aa["note"]
    assert all_["fnr"] == pytest.approx(7 / 16) and all_["fpr"] == pytest.approx(3 / 24)
    assert got["HI"]["warning"] is None and got["ALL"]["warning"] is None
    assert got["WH"]["note"] == "fewer than 11 students" and got["WH"]["base_rate"] is None
    # SWD: the first 10 students -> no metrics; FOS: the first 11 -> metrics (AA: TP 2, FN 4,
    # FP 1, TN 4 -> FNR 4/6)
    assert got["SWD"]["n"] == 10 and got["SWD"]["fnr"] is None
    assert got["FOS"]["n"] == 11 and got["FOS"]["fnr"] == pytest.approx(4 / 6)


def test_fnr_rule_warns_when_the_flagged_share_looks_fine() -> None:
    # AA, 100 students: 50 with the outcome, 10 of them flagged (FNR 40/50 = 0.80, Wilson
    # 0.670-0.888), plus 30 flagged without it. AS, 1000: 100 with the outcome, 90 flagged, 10
    # false positives. FI, 15: 10 with the outcome, 5 flagged (FNR 5/10 = 0.5, Wilson
    # 0.237-0.763), 5 false positives. ALL: FNR 55/160 = 0.344 (Wilson 0.275-0.420).
    # Shares: AA is 40/150 = 0.267 of the flagged vs 50/160 = 0.3125 of the outcome, and
    # 0.267 >= 0.8 x 0.3125 = 0.25, so only the FNR rule fires (0.670 > 0.420). FI's point FNR
    # 0.5 is above 0.420 but its interval (from 0.237) overlaps: no warning; its share 10/150 =
    # 0.067 vs 10/160 = 0.0625 is fine too.
    rows = (block("AA", {(True, True): 10, (True, False): 40, (False, True): 30,
                         (False, False): 20})
            + block("AS", {(True, True): 90, (True, False): 10, (False, True): 10,
                           (False, False): 890})
            + block("FI", {(True, True): 5, (True, False): 5, (False, True): 5}))
    for r in rows:
        r.update(gender="X", sed=False, el=False, swd=False, foster=False, homeless=False)
    got = check_against_oracle(fairness_audit(pa.Table.from_pylist(rows), "flagged", "outcome"),
                               pd.DataFrame(rows))
    assert got["AA"]["warning"] == "under-served"
    assert got["AA"]["note"] == "FNR interval [0.670, 0.888] above ALL [0.275, 0.420]"
    assert got["AS"]["warning"] is None and got["FI"]["warning"] is None
    assert got["FI"]["fnr"] == 0.5 and got["FI"]["fnr_ci_low"] < got["ALL"]["fnr_ci_high"]
    assert got["HI"]["n"] == 0 and got["HI"]["note"] == "fewer than 11 students"


def test_group_without_the_outcome_has_no_fnr() -> None:
    rows = block("HI", {(False, True): 3, (False, False): 12})
    for r in rows:
        r.update(gender="F", sed=True, el=False, swd=False, foster=False, homeless=False)
    got = {r["group"]: r for r in fairness_audit(pa.Table.from_pylist(rows), "flagged",
                                                 "outcome").to_pylist()}
    assert got["HI"]["fnr"] is None and got["HI"]["fpr"] == pytest.approx(3 / 15)
    assert got["HI"]["note"] == "no students with the outcome"


def test_held_out_metrics_match_independent_computations() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.3).astype(int)
    score = np.round(y + rng.normal(size=500), 1)  # ties on purpose
    assert mm.auc_row(y, score)[1] == pytest.approx(roc_auc_score(y, score))
    assert mm.capacity_count(0.10, 505) == 50 and mm.capacity_count(0.10, 5) == 1
    flagged = mm.top_k(score, 50, seed=0)
    hits = int(y[flagged].sum())
    precision, recall = mm.capacity_rows(y, flagged)
    assert (precision[1], precision[4]) == (hits / 50, 50)
    assert (recall[1], recall[4]) == (hits / y.sum(), y.sum())
    assert score[flagged].min() >= score[~flagged].max()
    bins = mm.calibration_bins(y, score / 4, seed=0)
    assert [b[3] for b in bins] == [50] * 10
    assert sum(b[2] * b[3] for b in bins) == pytest.approx(y.sum())


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    db = run_district(tmp_path_factory.mktemp("ewm"), students=2000, schools=4, years=3, seed=5)
    con = duckdb.connect(str(db), read_only=True)
    yield con, train_and_evaluate(con, capacity=0.10, seed=0)
    con.close()


def test_outcome_recomputed_from_the_measures(district) -> None:
    con, _ = district
    m = student_measures(con).to_pandas()
    fails = con.sql("SELECT DISTINCT school_year - 1 AS school_year, student_id FROM course_marks "
                    "WHERE mark IN ('F', 'NP') AND subject_area IN ('ELA', 'MATH')").df()
    nxt = m.assign(school_year=m.school_year - 1)
    chronic = ((nxt.days_enrolled >= 31) & (nxt.days_absent < nxt.days_enrolled)
               & (nxt.days_absent / nxt.days_enrolled >= 0.10))
    nxt = nxt.assign(bad=chronic | (nxt.suspensions > 0))[["school_year", "student_id", "bad"]]
    nxt = nxt.merge(fails.assign(f=True), how="left", on=["school_year", "student_id"])
    nxt["bad"] |= nxt.f.eq(True)
    expected = m.merge(nxt, on=["school_year", "student_id"]).sort_values(
        ["school_year", "student_id"])
    data = training_data(con, "off_track_next_year", load_measures(con))
    assert data.ids["student_id"].to_pylist() == expected.student_id.tolist()
    assert data.y.tolist() == expected.bad.astype(int).tolist()


def test_model_trains_evaluates_and_beats_chance(district) -> None:
    con, report = district
    assert report.train_cohorts == (2023,) and report.holdout_cohort == 2024
    n = next(r[5] for r in report.metrics if r[:2] == ("holdout", "base_rate"))
    for model in ("logistic", "boosting"):
        assert 0.5 < report.value(model, "auc") <= 1
    assert report.value(report.chosen, "auc") == max(
        report.value(m, "auc") for m in ("logistic", "boosting"))
    tables = report.to_tables()
    cal = tables["calibration"].to_pandas()
    assert (cal.groupby("model").n.sum() == n).all() and set(cal.model) == {
        "logistic", "boosting", "rules"}
    prec = tables["model_report"].to_pandas().query("metric == 'precision_at_capacity'")
    assert (prec.n == math.floor(0.10 * n)).all() and len(prec) == 3
    assert tables["fairness"].num_rows == 2 * len(DEFAULT_GROUPS)


def test_group_columns_are_never_features(district) -> None:
    con, report = district
    used = {f.removesuffix("_missing") for f in report.features}
    assert not used & set(EXCLUDED) and set(GROUP_COLUMNS) <= set(EXCLUDED)
    assert "attendance_rate" in used and "grade_9" in used
    m = load_measures(con)
    rng = np.random.default_rng(0)
    shuffled = m
    for col in EXCLUDED:
        i = m.schema.get_field_index(col)
        shuffled = shuffled.set_column(i, col, m[col].take(pa.array(rng.permutation(len(m)))))
    a = score_students(con, report, 2025, measures=m)
    b = score_students(con, report, 2025, measures=shuffled)
    assert a["probability"].equals(b["probability"]) and a["top_reasons"].equals(b["top_reasons"])


def test_scores_rank_students_and_track_latent_risk(district) -> None:
    con, report = district
    s = score_students(con, report, 2025)
    n = con.sql("SELECT count(DISTINCT student_id) FROM enrollments "
                "WHERE school_year = 2025").fetchall()[0][0]
    assert s.num_rows == n and sorted(s["rank"].to_pylist()) == list(range(1, n + 1))
    assert sum(s["in_capacity"].to_pylist()) == math.floor(0.10 * n)
    top = s.sort_by("rank").slice(0, 20).to_pylist()
    assert all(r["top_reasons"] for r in top)
    latent = latent_table(simulate(2000, 4, 3, 5))
    risk = dict(zip(latent["student_id"].to_pylist(), latent["risk"].to_pylist(), strict=True))
    truth = [risk[i] for i in s["student_id"].to_pylist()]
    rho = stats.spearmanr(s["probability"].to_numpy(), truth)
    assert rho.statistic > 0.3


def test_graduation_outcome_trains_on_finished_cohorts(district) -> None:
    con, _ = district
    report = train_and_evaluate(con, "not_graduating_on_time", seed=1)
    assert report.train_cohorts == (2024,) and report.holdout_cohort == 2025
    assert 0 < report.value(report.chosen, "auc") <= 1
    s = score_students(con, report, 2025)
    assert set(s["grade"].to_pylist()) <= {9, 10, 11, 12}
