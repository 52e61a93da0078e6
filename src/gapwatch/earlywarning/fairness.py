"""Fairness audit of an early-warning list: who is flagged, who is missed, group by group.

For each student group (``ALL``, race/ethnicity codes, ``SED``, ``EL``, ``SWD``, ``FOS``,
``HOM``, gender) among students whose outcome is known:

- ``base_rate``: share with the outcome; ``flagged_rate``: share flagged;
- ``fnr``: false-negative rate, students with the outcome who were *not* flagged / students with
  the outcome; ``fpr``: false-positive rate, students flagged without the outcome / students
  without it; both with Wilson 95% intervals (Wilson 1927). Equal FNR and FPR across groups is
  "equalized odds" (Hardt, Price & Srebro 2016, NeurIPS); with different base rates a calibrated
  score cannot equalize both (Chouldechova 2017, Big Data 5(2):153-163; Kleinberg, Mullainathan
  & Raghavan 2017), so the audit reports them rather than forcing them;
- ``mean_predicted`` vs ``observed``: calibration within the group;
- ``share_of_flagged`` (the group's students among all flagged) vs ``share_of_outcome`` (its
  students among all with the outcome).

``warning`` is ``"under-served"`` when the group's share of flagged students is below 0.8 x its
share of students with the outcome (an analogy to the four-fifths rule of the US Uniform
Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D)), or when its FNR interval lies
entirely above the ALL interval. ``note`` says which. Groups with fewer than 11 students get no
metrics, only the note "fewer than 11 students".
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gapwatch.contract import CODE_SETS
from gapwatch.groups import group_label
from gapwatch.stats import wilson

#: (group code, column, value); ``ALL`` has no column.
Group = tuple[str, str | None, object]
DEFAULT_GROUPS: tuple[Group, ...] = (
    ("ALL", None, None),
    *((code, "race_ethnicity", code) for code in CODE_SETS["race_ethnicity"]),
    ("SED", "sed", True), ("EL", "el", True), ("SWD", "swd", True),
    ("FOS", "foster", True), ("HOM", "homeless", True),
    *((code, "gender", code) for code in CODE_SETS["gender"]),
)
MIN_N = 11
SHARE_RATIO = 0.8
UNDER_SERVED = "under-served"
SMALL_NOTE = f"fewer than {MIN_N} students"

SCHEMA = pa.schema([
    ("group", pa.string()), ("label", pa.string()), ("n", pa.int64()),
    ("n_outcome", pa.int64()), ("n_flagged", pa.int64()), ("base_rate", pa.float64()),
    ("flagged_rate", pa.float64()), ("fnr", pa.float64()), ("fnr_ci_low", pa.float64()),
    ("fnr_ci_high", pa.float64()), ("fpr", pa.float64()), ("fpr_ci_low", pa.float64()),
    ("fpr_ci_high", pa.float64()), ("mean_predicted", pa.float64()), ("observed", pa.float64()),
    ("share_of_flagged", pa.float64()), ("share_of_outcome", pa.float64()),
    ("warning", pa.string()), ("note", pa.string()),
])


def _bools(table: pa.Table, col: str) -> np.ndarray:
    arr = table[col]
    if arr.null_count:
        raise ValueError(f"column {col!r} has {arr.null_count} missing values")
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _rate(x: int, n: int) -> tuple[float | None, float | None, float | None]:
    return (x / n, *wilson(x, n)) if n else (None, None, None)


def _metrics(y: np.ndarray, fl: np.ndarray, p: np.ndarray | None, tot_fl: int,
             tot_y: int) -> dict:
    n, n_y, n_fl = len(y), int(y.sum()), int(fl.sum())
    fnr = _rate(int((y & ~fl).sum()), n_y)
    fpr = _rate(int((~y & fl).sum()), n - n_y)
    return {
        "n_outcome": n_y, "n_flagged": n_fl, "base_rate": n_y / n, "flagged_rate": n_fl / n,
        "fnr": fnr[0], "fnr_ci_low": fnr[1], "fnr_ci_high": fnr[2],
        "fpr": fpr[0], "fpr_ci_low": fpr[1], "fpr_ci_high": fpr[2],
        "mean_predicted": None if p is None else float(p.mean()), "observed": n_y / n,
        "share_of_flagged": n_fl / tot_fl if tot_fl else None,
        "share_of_outcome": n_y / tot_y if tot_y else None,
    }


def _warning(row: dict, ref: dict | None) -> tuple[str | None, list[str]]:
    why = []
    share_fl, share_y = row["share_of_flagged"], row["share_of_outcome"]
    if share_fl is not None and share_y is not None and share_fl < SHARE_RATIO * share_y:
        why.append(f"share of flagged {share_fl:.3f} < {SHARE_RATIO} x share of outcome "
                   f"{share_y:.3f}")
    if (ref is not None and row["fnr_ci_low"] is not None and ref.get("fnr_ci_high") is not None
            and row["fnr_ci_low"] > ref["fnr_ci_high"]):
        why.append(f"FNR interval [{row['fnr_ci_low']:.3f}, {row['fnr_ci_high']:.3f}] above ALL "
                   f"[{ref['fnr_ci_low']:.3f}, {ref['fnr_ci_high']:.3f}]")
    return (UNDER_SERVED if why else None), why


def fairness_audit(table: pa.Table, flagged_col: str, outcome_col: str,
                   groups: tuple[Group, ...] = DEFAULT_GROUPS, *,
                   score_col: str | None = "probability", min_n: int = MIN_N) -> pa.Table:
    """One row per group of ``groups`` (layout :data:`SCHEMA`) for a flagged list.

    ``table`` has one row per student with a known outcome: boolean ``flagged_col`` and
    ``outcome_col``, the group columns named in ``groups`` (a missing value means "not in the
    group") and, when ``score_col`` is present, the predicted probability.
    """
    y, fl = _bools(table, outcome_col), _bools(table, flagged_col)
    p = None
    if score_col is not None and score_col in table.column_names:
        p = np.asarray(table[score_col].cast(pa.float64()).to_numpy(zero_copy_only=False))
    tot_fl, tot_y = int(fl.sum()), int(y.sum())
    rows, ref = [], None
    for code, col, value in groups:
        if col is None:
            mask = np.ones(len(y), dtype=bool)
        else:
            eq = pc.fill_null(pc.equal(table[col], pa.scalar(value, table[col].type)), False)
            mask = np.asarray(eq.to_numpy(zero_copy_only=False), dtype=bool)
        n = int(mask.sum())
        row: dict = {"group": code, "label": group_label(code), "n": n}
        if n < min_n:
            row["note"] = SMALL_NOTE if min_n == MIN_N else f"fewer than {min_n} students"
            rows.append(row)
            continue
        row.update(_metrics(y[mask], fl[mask], None if p is None else p[mask], tot_fl, tot_y))
        if code == "ALL":
            ref = row
        row["warning"], why = _warning(row, None if code == "ALL" else ref)
        if row["fnr"] is None:
            why.append("no students with the outcome")
        row["note"] = "; ".join(why) or None
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMA)
