"""Plain-language reasons behind a student's early-warning score, from the logistic model.

A feature's contribution is the logistic coefficient times the student's standardized deviation
from the training mean, ``b_j (x_j - mean_j) / sd_j``: for a linear model on independent
features this is exactly the SHAP value of the log-odds (Lundberg & Lee 2017, NeurIPS, "Linear
SHAP"). It is averaged over the cross-validation folds of the calibrated model. A reason is a
feature with a positive contribution and a known value; at most one per family (attendance,
behavior, English, math, credits, tests, enrollment), the three largest. Grade and the
structural missing-value indicators are adjustments, never reasons.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.calibration import CalibratedClassifierCV

TOP = 3


def _yes_no(v: float) -> str:
    return "yes" if v else "no"


def _s(v: float) -> str:
    return "" if v == 1 else "s"


#: feature -> (family, text of the value)
REASONS: dict[str, tuple[str, Callable[[float], str]]] = {
    "attendance_rate": ("attendance", lambda v: f"attendance {v:.1f}%"),
    "days_absent": ("attendance", lambda v: f"{v:g} day{_s(v)} absent"),
    "attendance_rate_missing": ("attendance", lambda v: "no attendance rate on record"),
    "days_enrolled": ("enrollment", lambda v: f"enrolled {v:g} days"),
    "incidents": ("behavior", lambda v: f"{v:g} discipline incident{_s(v)}"),
    "suspensions": ("behavior", lambda v: f"{v:g} suspension{_s(v)}"),
    "suspension_days": ("behavior", lambda v: f"{v:g} day{_s(v)} suspended"),
    "state_offense": ("behavior", lambda v: f"state-law offense: {_yes_no(v)}"),
    "ela_grade_avg": ("english", lambda v: f"English grade average {v:.0f}"),
    "ela_df_marks": ("english", lambda v: f"{v:g} D/F mark{_s(v)} in English"),
    "ela_grade_avg_missing": ("english", lambda v: "no English grade on record"),
    "math_grade_avg": ("math", lambda v: f"math grade average {v:.0f}"),
    "math_df_marks": ("math", lambda v: f"{v:g} D/F mark{_s(v)} in math"),
    "math_grade_avg_missing": ("math", lambda v: "no math grade on record"),
    "core_f_semesters": ("credits", lambda v: f"{v:g} semester F{_s(v)} in core courses"),
    "credits_earned": ("credits", lambda v: f"{v:g} credits earned"),
    "on_track_9": ("credits", lambda v: f"9th-grade on track: {_yes_no(v)}"),
    "ag_semesters_c_or_better": ("credits", lambda v: f"{v:g} a-g semesters with C or better"),
    "ag_on_pace": ("credits", lambda v: f"on pace for a-g: {_yes_no(v)}"),
    "sbac_ela_z": ("tests", lambda v: f"SBAC ELA {v:+.1f} SD from grade mean"),
    "sbac_math_z": ("tests", lambda v: f"SBAC math {v:+.1f} SD from grade mean"),
}


def contributions(explainer: CalibratedClassifierCV, X: np.ndarray) -> np.ndarray:
    """Per student and feature, coefficient x standardized value, mean over the CV folds."""
    total = np.zeros(X.shape, dtype=np.float64)
    for cc in explainer.calibrated_classifiers_:
        pipe = cc.estimator
        total += pipe[:-1].transform(X) * pipe[-1].coef_[0]
    return total / len(explainer.calibrated_classifiers_)


def top_reasons(explainer: CalibratedClassifierCV, X: np.ndarray, features: tuple[str, ...],
                top: int = TOP) -> list[str]:
    """For each row of ``X`` (columns ``features``), up to ``top`` reasons joined by ``"; "``."""
    contrib = contributions(explainer, X)
    eligible = np.array([f in REASONS for f in features])
    indicator = np.array([f.endswith("_missing") for f in features])
    shown = eligible & ~np.isnan(X) & (contrib > 0) & (~indicator | (X == 1))
    contrib = np.where(shown, contrib, 0.0)
    out = []
    for i in range(len(X)):
        seen: set[str] = set()
        words: list[str] = []
        for j in np.argsort(-contrib[i], kind="stable"):
            if contrib[i, j] <= 0 or len(words) == top:
                break
            family, text = REASONS[features[j]]
            if family not in seen:
                seen.add(family)
                words.append(text(X[i, j]))
        out.append("; ".join(words))
    return out
