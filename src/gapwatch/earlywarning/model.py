"""The early-warning model: calibrated risk of a bad outcome next year, checked against the rules.

Two scikit-learn models, each calibrated by cross-validation on the training cohorts
(``CalibratedClassifierCV``; Platt 1999 sigmoid or Zadrozny & Elkan 2002 isotonic): an
L2-regularized logistic regression on standardized features and a histogram gradient-boosted
tree model (Friedman 2001; Ke et al. 2017). Trained on every cohort but the last, judged on the
last one (a temporal hold-out), next to the rules-only baseline (2 x at-risk flags +
early-warning flags; Ed-Fi thresholds, METHODS.md §5). Features and outcomes: ``model_data``;
group columns are never features. Reasons come from the logistic model (coefficient x
standardized deviation from the training mean) whichever model scores. docs/early-warning-model.md
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from gapwatch.earlywarning import model_metrics as mm
from gapwatch.earlywarning.fairness import fairness_audit
from gapwatch.earlywarning.model_data import (
    EXCLUDED,
    FEATURES,
    GROUP_COLUMNS,
    Dataset,
    load_measures,
    rule_scores,
    scoring_data,
    training_data,
)
from gapwatch.earlywarning.model_reasons import top_reasons

MODELS = ("logistic", "boosting")
RULES = "rules"
ISOTONIC_MIN_ROWS = 5000  # below this many training rows, sigmoid (isotonic overfits small sets)
#: OpenMP threads for the boosted trees: on a small or busy machine, thread start-up and
#: spinning cost more than they save (5x slower measured on 2 busy cores).
THREADS = 1


@dataclass
class FittedModel:
    """A calibrated model (``scorer``) and the calibrated logistic model that explains it."""

    name: str
    outcome: str
    scorer: CalibratedClassifierCV
    explainer: CalibratedClassifierCV
    columns: np.ndarray  # the columns of FEATURES used (not constant in training)

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(FEATURES[j] for j in self.columns)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability of the outcome (``X``: every column of FEATURES)."""
        with threadpool_limits(THREADS, "openmp"):
            return self.scorer.predict_proba(X[:, self.columns])[:, 1]

    def reasons(self, X: np.ndarray) -> list[str]:
        """The logistic model's top three reasons per row (``X``: every column)."""
        return top_reasons(self.explainer, X[:, self.columns], self.features)


@dataclass
class ModelReport:
    """Held-out evaluation of both models and the rules, and the fitted models."""

    outcome: str
    capacity: float
    seed: int
    train_cohorts: tuple[int, ...]
    holdout_cohort: int
    calibration_method: str
    chosen: str
    metrics: list[tuple]  # (model, metric, value, ci_low, ci_high, n)
    calibration: list[tuple]  # (model, bin, mean_predicted, observed, n)
    fairness: pa.Table
    models: dict[str, FittedModel] = field(repr=False)
    seconds: float = 0.0
    excluded: tuple[str, ...] = EXCLUDED

    @property
    def features(self) -> tuple[str, ...]:
        """The features the models use (columns constant in training are dropped)."""
        return self.model.features

    @property
    def model(self) -> FittedModel:
        """The model chosen by held-out AUC."""
        return self.models[self.chosen]

    def value(self, model: str, metric: str) -> float | None:
        """One metric's value, e.g. ``report.value("rules", "auc")``."""
        return next((r[2] for r in self.metrics if r[0] == model and r[1] == metric), None)

    def to_tables(self) -> dict[str, pa.Table]:
        """``model_report``, ``calibration`` and ``fairness`` as Arrow tables."""
        names = ("model", "metric", "value", "ci_low", "ci_high", "n")
        report = pa.table({k: [r[i] for r in self.metrics] for i, k in enumerate(names)},
                          schema=pa.schema([("model", pa.string()), ("metric", pa.string()),
                                            *((k, pa.float64()) for k in names[2:5]),
                                            ("n", pa.int64())]))
        cal = pa.table({k: [r[i] for r in self.calibration] for i, k in enumerate(
            ("model", "bin", "mean_predicted", "observed", "n"))})
        return {"model_report": report, "calibration": cal, "fairness": self.fairness}


def _estimator(name: str, seed: int):
    if name == "logistic":
        return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                             StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    return HistGradientBoostingClassifier(learning_rate=0.05, max_iter=200, max_leaf_nodes=15,
                                          min_samples_leaf=40, l2_regularization=1.0,
                                          random_state=seed)


def _usable(X: np.ndarray) -> np.ndarray:
    """Columns with at least two distinct known values (all-missing columns break the trees)."""
    missing = np.isnan(X)
    hi, lo = np.where(missing, -np.inf, X).max(0), np.where(missing, np.inf, X).min(0)
    return np.flatnonzero(hi > lo)


def _fit(name: str, train: Dataset, method: str, seed: int) -> CalibratedClassifierCV:
    """Calibrated by 5-fold CV; a student's rows of several years stay in one fold."""
    students = np.asarray(train.ids["student_id"].to_pylist())
    if len(set(students)) < len(students):
        folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
        cv = list(folds.split(train.X, train.y, students))
    else:
        cv = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(train.X, train.y))
    with threadpool_limits(THREADS, "openmp"):
        return CalibratedClassifierCV(_estimator(name, seed), method=method, cv=cv).fit(
            train.X, train.y)


def _evaluate(name: str, y: np.ndarray, score: np.ndarray, prob: np.ndarray, k: int,
              seed: int) -> list[tuple]:
    """AUC of the score, Brier of the probability, precision and recall of the top k."""
    rows = [mm.auc_row(y, score), mm.brier_row(y, prob),
            *mm.capacity_rows(y, mm.top_k(score, k, seed))]
    return [(name, *r) for r in rows]


def _split(data: Dataset, outcome: str) -> tuple[Dataset, Dataset]:
    """Earlier cohorts for training, the last one held out."""
    cohorts = sorted(set(data.cohort.tolist()))
    if len(cohorts) < 2:
        raise ValueError(f"{outcome}: need two or more cohorts with a known outcome, found "
                         f"{cohorts or 'none'}")
    train, hold = data.take(data.cohort < cohorts[-1]), data.take(data.cohort == cohorts[-1])
    for part, label in ((train, "training"), (hold, "held-out")):
        if part.y.min() == part.y.max():
            raise ValueError(f"{outcome}: the {label} rows all have the same outcome")
    return train, hold


def _audits(hold: Dataset, k: int, seed: int, lists: dict[str, tuple]) -> pa.Table:
    """The fairness audit of each top-k list (name -> (score, probability)), stacked."""
    out = []
    for name, (score, prob) in lists.items():
        table = hold.ids.select(list(GROUP_COLUMNS)).append_column(
            "flagged", pa.array(mm.top_k(score, k, seed))).append_column(
            "outcome", pa.array(hold.y.astype(bool))).append_column(
            "probability", pa.array(prob, pa.float64()))
        audit = fairness_audit(table, "flagged", "outcome")
        out.append(audit.add_column(0, "model", pa.array([name] * audit.num_rows, pa.string())))
    return pa.concat_tables(out)


def train_and_evaluate(con: duckdb.DuckDBPyConnection, outcome: str = "off_track_next_year",
                       capacity: float = 0.10, seed: int = 0, *,
                       measures: pa.Table | None = None, flags: pa.Table | None = None,
                       calibration: str = "auto") -> ModelReport:
    """Train on every cohort but the last, evaluate on the last; see the module docstring.

    ``measures`` / ``flags`` (all years) replace ``student_measures`` / ``student_flags`` when
    given. ``calibration``: ``"isotonic"``, ``"sigmoid"`` or ``"auto"`` (isotonic from 5,000
    training rows up). The rules' probability is the training cohorts' outcome rate at each
    rule score (isotonic, so it never falls as the score rises).
    """
    start = time.perf_counter()
    train, hold = _split(training_data(con, outcome, load_measures(con, measures)), outcome)
    method = calibration if calibration != "auto" else (
        "isotonic" if len(train.y) >= ISOTONIC_MIN_ROWS else "sigmoid")
    cols = _usable(train.X)
    train.X, hold.X = train.X[:, cols], hold.X[:, cols]
    fitted = {name: _fit(name, train, method, seed) for name in MODELS}
    models = {n: FittedModel(n, outcome, est, fitted["logistic"], cols)
              for n, est in fitted.items()}
    if flags is None:
        from gapwatch.earlywarning.flags import student_flags
        flags = student_flags(con, None)
    rules_train, rules_hold = rule_scores(con, train.ids, flags), rule_scores(con, hold.ids, flags)
    rules_prob = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(
        rules_train, train.y).predict(rules_hold)
    y, k = hold.y.astype(np.int64), mm.capacity_count(capacity, len(hold.y))
    with threadpool_limits(THREADS, "openmp"):
        probs = {n: models[n].scorer.predict_proba(hold.X)[:, 1] for n in MODELS}
    metrics = [("train", *mm.rate_row("base_rate", train.y)),
               ("holdout", *mm.rate_row("base_rate", y))]
    for n in MODELS:
        metrics += _evaluate(n, y, probs[n], probs[n], k, seed)
        metrics.append((n, *mm.auc_difference_row(y, probs[n], rules_hold)))
    metrics += _evaluate(RULES, y, rules_hold, rules_prob, k, seed)
    chosen = max(MODELS, key=lambda n: next(r[2] for r in metrics if r[:2] == (n, "auc")))
    metrics.append((chosen, "chosen", 1.0, None, None, len(y)))
    cal = [(n, *b) for n, p in (*probs.items(), (RULES, rules_prob))
           for b in mm.calibration_bins(y, p, seed)]
    fairness = _audits(hold, k, seed, {chosen: (probs[chosen], probs[chosen]),
                                       RULES: (rules_hold, rules_prob)})
    return ModelReport(outcome, capacity, seed, tuple(sorted(set(train.cohort.tolist()))),
                       int(hold.cohort[0]), method, chosen, metrics, cal, fairness, models,
                       time.perf_counter() - start)


def score_students(con: duckdb.DuckDBPyConnection, report_or_model: ModelReport | FittedModel,
                   school_year: int, *, measures: pa.Table | None = None,
                   capacity: float | None = None, seed: int = 0) -> pa.Table:
    """Calibrated ``probability``, ``rank`` (1 = highest), ``in_capacity`` and ``top_reasons``.

    One row per student of ``school_year`` (grade 9-12 for the graduation outcome). Capacity
    defaults to the report's; ``top_reasons`` are the logistic model's top three reasons.
    """
    model = report_or_model.model if isinstance(report_or_model, ModelReport) else report_or_model
    if capacity is None:
        capacity = report_or_model.capacity if isinstance(report_or_model, ModelReport) else 0.10
    data = scoring_data(load_measures(con, measures), school_year, model.outcome)
    n = len(data.X)
    prob = model.predict(data.X) if n else np.empty(0)
    rank = np.empty(n, dtype=np.int64)
    rank[mm.order(prob, seed)] = np.arange(1, n + 1)
    k = mm.capacity_count(capacity, n)
    reasons = model.reasons(data.X) if n else []
    return data.ids.select(["school_year", "student_id", "school_id", "grade"]).append_column(
        "model", pa.array([model.name] * n, pa.string())).append_column(
        "probability", pa.array(prob, pa.float64())).append_column(
        "rank", pa.array(rank)).append_column("in_capacity", pa.array(rank <= k)).append_column(
        "top_reasons", pa.array(reasons, pa.string()))
