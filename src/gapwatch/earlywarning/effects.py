"""Does a support work? Served students against similar students not served, by matching.

For each intervention ``type`` (all tiers, then each tier), *treated* are the students with an
intervention of that type starting in a school year; *controls* are students with no
intervention that year. Both need a record the year before. Outcomes (:data:`OUTCOMES`) are
changes from the prior year to the year served: attendance rate (points of 0-100) and D and F
marks in English and math (students with letter marks in both years).

Matching (Rosenbaum & Rubin 1983, "The central role of the propensity score in observational
studies for causal effects", *Biometrika* 70(1); Stuart 2010, "Matching methods for causal
inference", *Statistical Science* 25(1)): a logistic regression gives each student's propensity
to be served from :data:`COVARIATES` (a missing measure: mean plus a missing-indicator) and the
exact strata, school year x grade band (TK-5, 6-8, 9-12). Each treated student, highest
propensity first, takes the nearest unused control of its stratum on the logit of the
propensity, within 0.2 standard deviations of that logit (Austin 2011, *Pharmaceutical
Statistics* 10(2)); treated students without one are dropped (``n_unmatched``). ``effect`` is
the mean matched-pair difference, with a 95% percentile interval from 2,000 bootstrap resamples
of the pairs. Balance: standardized mean differences, treated minus controls over the pooled SD
before matching (Stuart 2010 sec. 6.2), before and after; |SMD| < 0.1 reads as balanced.

Two checks where the year before the prior year is on record (Chabé-Ferret 2015, "Analysis of
the bias of matching and difference-in-difference under alternative earnings and selection
processes", *J. Econometrics* 185(1)): ``pre_trend``, the matched pairs' difference in the change
*before* support (two years before to the prior year), should be near 0; when students are
chosen on lasting traits, a control matched on a noisy prior year had an unusually bad year and
bounces back (regression to the mean, Daw & Hatfield 2018, *Health Services Research* 53(6)),
which shows as a pre-trend and biases ``effect`` the other way. ``effect_2yr``, the change from
two years before to the year served, skips the matched year and is robust to that.
``naive_diff`` (all treated minus all controls, Welch interval) shows what matching changed.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pyarrow as pa
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from gapwatch.warehouse import Warehouse, session_config

__all__ = ["CAVEAT", "COVARIATES", "OUTCOMES", "SCHEMA", "intervention_effects"]

CAVEAT = ("Observational comparison, not an experiment: students were chosen for support for "
          "reasons the data may not show.")
#: Matching covariates, from the prior year unless named otherwise.
COVARIATES = ("prior_attendance_rate", "prior_incidents", "prior_suspensions",
              "prior_ela_grade_avg", "prior_math_grade_avg", "prior_core_f_semesters",
              "prior_df_marks", "prior_served", "grade", "sed", "el", "swd")
#: Outcome -> (measure, what it is).
OUTCOMES = {"attendance_rate_change": ("attendance_rate", "attendance rate (points)"),
            "df_marks_change": ("df_marks", "D and F marks in English and math")}
CALIPER_SD = 0.2
N_BOOT = 2000
_F = pa.float64()
SCHEMA = pa.schema([
    ("type", pa.string()), ("tier", pa.int32()), ("outcome", pa.string()),
    ("n_served", pa.int64()), ("n_treated", pa.int64()), ("n_matched_controls", pa.int64()),
    ("n_unmatched", pa.int64()), ("naive_diff", _F), ("naive_ci_low", _F),
    ("naive_ci_high", _F), ("effect", _F), ("ci_low", _F), ("ci_high", _F),
    ("n_pairs_2yr", pa.int64()), ("pre_trend", _F), ("pre_ci_low", _F), ("pre_ci_high", _F),
    ("effect_2yr", _F), ("ci_low_2yr", _F), ("ci_high_2yr", _F),
    ("max_abs_smd_before", _F), ("max_abs_smd_after", _F), ("balance", pa.string()),
    ("note", pa.string()), ("caveat", pa.string())])

_DF = ("CASE WHEN coalesce(ela_letter_marks, 0) + coalesce(math_letter_marks, 0) > 0 "
       "THEN coalesce(ela_df_marks, 0) + coalesce(math_df_marks, 0) END")
_PANEL = """
WITH served AS (SELECT DISTINCT school_year, student_id FROM iv),
m AS (SELECT *, {df} AS df_marks FROM measures)
SELECT c.school_year, c.student_id,
  CASE WHEN c.grade BETWEEN -1 AND 5 THEN 0 WHEN c.grade BETWEEN 6 AND 8 THEN 1
       WHEN c.grade BETWEEN 9 AND 12 THEN 2 END AS band,
  {changes}
  p.attendance_rate AS prior_attendance_rate, p.incidents AS prior_incidents,
  p.suspensions AS prior_suspensions, p.ela_grade_avg AS prior_ela_grade_avg,
  p.math_grade_avg AS prior_math_grade_avg, p.core_f_semesters AS prior_core_f_semesters,
  p.df_marks AS prior_df_marks, (sp.student_id IS NOT NULL) AS prior_served,
  c.grade, c.sed, c.el, c.swd, (sc.student_id IS NOT NULL) AS served
FROM m c JOIN m p ON p.student_id = c.student_id AND p.school_year = c.school_year - 1
LEFT JOIN m pp ON pp.student_id = c.student_id AND pp.school_year = c.school_year - 2
LEFT JOIN served sp ON sp.student_id = c.student_id AND sp.school_year = p.school_year
LEFT JOIN served sc ON sc.student_id = c.student_id AND sc.school_year = c.school_year
WHERE c.attendance_rate IS NOT NULL AND p.attendance_rate IS NOT NULL
ORDER BY c.school_year, c.student_id
"""


def _panel(measures: pa.Table, iv: pa.Table) -> dict[str, np.ndarray]:
    """Student x year rows with a prior year: outcomes, covariates, strata, as arrays."""
    changes = "".join(f"c.{v} - p.{v} AS {o}, p.{v} - pp.{v} AS pre_{o}, c.{v} - pp.{v} AS {o}_2yr,"
                      "\n  " for o, (v, _) in OUTCOMES.items())
    have = set(measures.column_names)
    df = _DF if {"ela_df_marks", "math_df_marks"} <= have else "NULL::INTEGER"
    if "ela_letter_marks" not in have and df != "NULL::INTEGER":
        df = "ela_df_marks + math_df_marks"
    mem = duckdb.connect(config=session_config())
    mem.register("measures", measures)
    mem.register("iv", iv)
    table = mem.sql(_PANEL.format(df=df, changes=changes)).to_arrow_table()
    mem.close()
    out = {"school_year": table["school_year"].to_numpy().astype(np.int64),
           "student_id": np.array(table["student_id"].to_pylist(), dtype=object)}
    for c in table.column_names[2:]:
        out[c] = np.array(table[c].cast(_F).to_pylist(), dtype=float)
    return out


def _design(x: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """Mean-imputed, standardized covariates, missing-indicators and stratum dummies."""
    cols = []
    for v in x.T:
        miss = np.isnan(v)
        if not miss.all():
            cols += [np.where(miss, np.nanmean(v), v)] + ([miss * 1.0] if miss.any() else [])
    cols += [(strata == s) * 1.0 for s in np.unique(strata)[1:]]
    z = np.column_stack(cols)
    sd = z.std(0)
    return (z - z.mean(0)) / np.where(sd > 0, sd, 1.0)


def _match(logit: np.ndarray, treated: np.ndarray, strata: np.ndarray,
           caliper: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy 1:1 nearest-neighbour matching without replacement, within strata and caliper."""
    ti, ci = [], []
    for s in np.unique(strata[treated]):
        ts = np.flatnonzero(treated & (strata == s))
        cs = np.flatnonzero(~treated & (strata == s))
        free = np.ones(cs.size, bool)
        for i in ts[np.argsort(-logit[ts], kind="stable")]:
            d = np.where(free, np.abs(logit[cs] - logit[i]), np.inf)
            j = int(np.argmin(d)) if cs.size else 0
            if cs.size and d[j] <= caliper:
                free[j] = False
                ti.append(i)
                ci.append(cs[j])
    return np.array(ti, dtype=np.int64), np.array(ci, dtype=np.int64)


def _naive(yt: np.ndarray, yc: np.ndarray) -> tuple[float, float, float]:
    """Difference in means with a Welch (normal) 95% interval."""
    if yt.size < 2 or yc.size < 2:
        return (None, None, None)
    d = float(yt.mean() - yc.mean())
    se = float(np.sqrt(yt.var(ddof=1) / yt.size + yc.var(ddof=1) / yc.size))
    return d, d - 1.96 * se, d + 1.96 * se


def _paired(y: np.ndarray, t: np.ndarray, c: np.ndarray, min_n: int,
            rng: np.random.Generator) -> tuple[int, float | None, float | None, float | None]:
    """Pairs with the outcome, their mean difference and paired-bootstrap 95% interval."""
    both = ~np.isnan(y[t]) & ~np.isnan(y[c])
    d = y[t[both]] - y[c[both]]
    if d.size < max(min_n, 2):
        return int(d.size), None, None, None
    boot = d[rng.integers(0, d.size, (N_BOOT, d.size))].mean(1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return int(d.size), float(d.mean()), float(lo), float(hi)


def _analyses(iv: pa.Table) -> list[tuple[str, int | None, set[tuple[int, str]]]]:
    """(type, tier or None for all tiers, served (school year, student)), with start dates."""
    groups: dict[tuple[str, int | None], set[tuple[int, str]]] = {}
    for r in iv.to_pylist():
        if r["start_date"] is None or r["type"] is None:
            continue
        key = (int(r["school_year"]), r["student_id"])
        groups.setdefault((r["type"], None), set()).add(key)
        if r["tier"] is not None:
            groups.setdefault((r["type"], int(r["tier"])), set()).add(key)
    return [(t, k, s) for (t, k), s in sorted(groups.items(), key=lambda g: (g[0][0],
                                                                              g[0][1] or 0))]


def _balance(x: np.ndarray, treated: np.ndarray, controls: np.ndarray, t: np.ndarray,
             c: np.ndarray) -> dict[str, object]:
    """Max |SMD| before and after matching, and every covariate's SMDs as text."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a covariate all missing in a group
        sd = np.sqrt((np.nanvar(x[treated], 0) + np.nanvar(x[controls], 0)) / 2)
        sd = np.where(sd > 0, sd, np.nan)
        before = (np.nanmean(x[treated], 0) - np.nanmean(x[controls], 0)) / sd
        after = (np.nanmean(x[t], 0) - np.nanmean(x[c], 0)) / sd if t.size else before * np.nan
    shown = ~np.isnan(before)
    return {"max_abs_smd_before": float(np.abs(before[shown]).max()) if shown.any() else None,
            "max_abs_smd_after": float(np.nanmax(np.abs(after))) if t.size else None,
            "balance": "; ".join(f"{n} {b:+.2f} -> {a:+.2f}" for n, b, a, s in zip(
                COVARIATES, before, after, shown, strict=True) if s)}


def intervention_effects(con: duckdb.DuckDBPyConnection, min_n: int = 20, seed: int = 0, *,
                         measures: pa.Table | None = None) -> pa.Table:
    """Naive and matched differences in outcomes, served minus not served, by type and tier.

    One row per type, tier (NULL: all tiers) and outcome; columns :data:`SCHEMA`. ``measures``
    defaults to :func:`gapwatch.earlywarning.measures.student_measures` of every year. Fewer
    than ``min_n`` treated students or pairs: no estimate, and ``note`` says why.
    """
    if not Warehouse(con).has("interventions"):
        return SCHEMA.empty_table()
    iv = con.sql("SELECT school_year, student_id, type, tier, start_date FROM interventions"
                 ).to_arrow_table()
    if measures is None:
        from gapwatch.earlywarning.measures import student_measures
        measures = student_measures(con)
    panel = _panel(measures, iv)
    keys = list(zip(panel["school_year"].tolist(), panel["student_id"].tolist(), strict=True))
    x = np.column_stack([panel[c] for c in COVARIATES])
    ok = ~np.isnan(panel["band"])
    strata = panel["school_year"] * 10 + np.where(ok, panel["band"], 9)
    rows = []
    for a, (kind, tier, served) in enumerate(_analyses(iv)):
        rng = np.random.default_rng([seed, a])
        treated = ok & np.fromiter((k in served for k in keys), bool, len(keys))
        controls = ok & (panel["served"] == 0)
        n_t = int(treated.sum())
        t = c = np.empty(0, np.int64)
        common = {"type": kind, "tier": tier, "n_served": len(served), "caveat": CAVEAT}
        note = None
        if n_t < min_n:
            note = f"not estimated: {n_t} served students have a prior year on record (< {min_n})"
        elif not controls.any():
            note = "not estimated: no students without support to compare with"
        else:
            idx = np.flatnonzero(treated | controls)
            z = _design(x[idx], strata[idx])
            with threadpool_limits(1, "blas"):  # many small BLAS calls: threads only slow them
                model = LogisticRegression(max_iter=2000).fit(z, treated[idx])
            logit = model.decision_function(z)
            ti, ci = _match(logit, treated[idx], strata[idx], CALIPER_SD * logit.std())
            t, c = idx[ti], idx[ci]
            common |= _balance(x, treated, controls, t, c)
        for outcome in OUTCOMES:
            y, pre, y2 = (panel[f"{p}{outcome}{s}"] for p, s in (("", ""), ("pre_", ""),
                                                                   ("", "_2yr")))
            has = ~np.isnan(y)
            row = common | {"outcome": outcome, "n_treated": int((treated & has).sum()),
                            "note": note}
            row["naive_diff"], row["naive_ci_low"], row["naive_ci_high"] = _naive(
                y[treated & has], y[controls & has])
            if note is None:
                row["n_unmatched"] = row["n_treated"] - int(has[t].sum())
                n, row["effect"], row["ci_low"], row["ci_high"] = _paired(y, t, c, min_n, rng)
                row["n_matched_controls"] = n
                _, row["pre_trend"], row["pre_ci_low"], row["pre_ci_high"] = _paired(
                    pre, t, c, min_n, rng)
                row["n_pairs_2yr"], row["effect_2yr"], row["ci_low_2yr"], row["ci_high_2yr"] = (
                    _paired(y2, t, c, min_n, rng))
                if row["effect"] is None:
                    row["note"] = f"not estimated: {n} matched pairs have this outcome (< {min_n})"
                elif row["pre_trend"] is not None and (row["pre_ci_low"] > 0
                                                       or row["pre_ci_high"] < 0):
                    row["note"] = ("pre-trend: the matched pairs already differed before support "
                                   "(regression to the mean?); prefer effect_2yr")
            rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMA)
