"""The ``gaps`` table: every gap metric for every indicator x entity x group x year.

Each group (other than All students) is compared with four references, within the same year,
entity and indicator (never across them):

- ``ALL``: all students, the group included (the gap is derived through the complement, so its
  standard error accounts for the overlap);
- ``complement``: all other students (All students minus the group, derived exactly from the
  counts, sums and sums of squares);
- the configured reference group (``gaps.reference_group``, default ``WH``);
- ``highest``: the highest-performing race/ethnicity group with at least
  ``gaps.highest_min_n`` students (lowest rate for indicators where lower is better); the
  ``reference_group`` column names it.

Which metrics apply to which indicators and references is the table :data:`PLAN`. Values are
``group - reference`` (or ``group / reference``); ``flagged`` marks a gap that is beyond noise
and against the group (for PPG-1, the 80% index and the risk ratio, their own published rules),
and ``within_noise`` says the 95% interval contains no difference.

Every metric is computed over arrays, once for all the comparisons that use it (the kernels
``*_batch`` of :mod:`gapwatch.gaps`, which the scalar functions of the public API call too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gapwatch.config import Config
from gapwatch.contract import CODE_SETS
from gapwatch.gaps.disproportionality import consecutive_years, risk_ratio_batch
from gapwatch.gaps.effect_size import hedges_g_batch
from gapwatch.gaps.impact import eighty_percent_index_batch, ppg1_batch
from gapwatch.gaps.means import mean_difference_batch
from gapwatch.gaps.rates import pp_difference_batch, rate_ratio_batch
from gapwatch.gaps.result import GapArrays
from gapwatch.gaps.vstat import V_METHODS, v_statistic_columns
from gapwatch.indicators.registry import BUILTIN
from gapwatch.warehouse import Warehouse

#: Columns of ``gaps`` and of its export, in order (a public contract).
GAP_COLUMNS = (
    "school_year", "entity_type", "entity_id", "indicator", "student_group", "reference",
    "metric", "value", "se", "ci_low", "ci_high", "flagged",
)
#: Added after the contract columns.
GAP_EXTRA_COLUMNS = ("entity_name", "reference_group", "n", "reference_n", "within_noise",
                     "note", "consecutive_years")
RACE_GROUPS = tuple(c for c in CODE_SETS["race_ethnicity"] if c != "NR")
#: Metrics whose own published rule sets ``flagged`` (others: beyond noise and against the group).
OWN_RULE = {"ppg1", "eighty_percent_index", "risk_ratio"}
#: The order of each kind's metrics within a comparison (rows of ``gaps`` follow it).
METRIC_ORDER = {m: i for i, m in enumerate((
    "pp_difference", "ratio", "ppg1", "risk_ratio", "eighty_percent_index",
    "mean_difference", "hedges_g"))}


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a group's exact statistics."""

    n: int
    x: float  #: successes (rates)
    mean: float  #: rate (0-1) or mean
    sd: float
    levels: tuple[int, ...] | None


def complement_arrays(n: np.ndarray, x: np.ndarray, mean: np.ndarray, sd: np.ndarray,
                      n_part: np.ndarray, x_part: np.ndarray, mean_part: np.ndarray,
                      sd_part: np.ndarray) -> tuple[np.ndarray, ...]:
    """All students minus a group, for arrays of both: (n, x, mean, sample SD), recovered
    exactly from the sums and sums of squares."""
    rest = n - n_part
    with np.errstate(all="ignore"):
        def squares(k: np.ndarray, m: np.ndarray, s: np.ndarray) -> np.ndarray:
            s = np.where((k < 2) | np.isnan(s), 0.0, s)
            return (k - 1) * s * s + k * m * m

        m = (n * mean - n_part * mean_part) / rest
        var = (squares(n, mean, sd) - squares(n_part, mean_part, sd_part) - rest * m * m) / (
            rest - 1)
        s = np.where(rest > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
    empty = rest <= 0
    return (np.where(empty, 0, rest), np.where(empty, 0.0, x - x_part),
            np.where(empty, np.nan, m), np.where(empty, np.nan, s))


def complement(total: Side, part: Side) -> Side:
    """All students minus a group: counts, mean and sample SD recovered exactly from sums."""
    n, x, mean, sd = (float(v[0]) for v in complement_arrays(
        *(np.array([v], dtype=float) for v in (total.n, total.x, total.mean, total.sd,
                                                part.n, part.x, part.mean, part.sd))))
    levels = (tuple(a - b for a, b in zip(total.levels, part.levels, strict=True))
              if n > 0 and total.levels is not None and part.levels is not None else None)
    return Side(int(n), x, mean, sd, levels)


PAIRS_SQL = """
WITH r AS (
    SELECT * FROM indicator_results
), best AS (
    SELECT school_year, entity_type, entity_id, indicator, student_group AS best_group
    FROM r WHERE student_group IN ({race}) AND n >= {highest_min_n}
    QUALIFY row_number() OVER (
        PARTITION BY school_year, entity_type, entity_id, indicator
        ORDER BY CASE WHEN direction = 'lower' THEN value ELSE -value END, student_group) = 1
), refs AS (
    SELECT g.*, 'ALL' AS reference, 'ALL' AS reference_group, a.n AS b_n,
           a.numerator AS b_x, a.value AS b_value, a.sd AS b_sd, a.level_counts AS b_levels
    FROM r g JOIN r a USING (school_year, entity_type, entity_id, indicator)
    WHERE a.student_group = 'ALL' AND g.student_group <> 'ALL'
    UNION ALL BY NAME
    SELECT g.*, {ref} AS reference, {ref} AS reference_group, w.n AS b_n, w.numerator AS b_x,
           w.value AS b_value, w.sd AS b_sd, w.level_counts AS b_levels
    FROM r g JOIN r w USING (school_year, entity_type, entity_id, indicator)
    WHERE w.student_group = {ref} AND g.student_group NOT IN ('ALL', {ref})
    UNION ALL BY NAME
    SELECT g.*, 'highest' AS reference, h.student_group AS reference_group, h.n AS b_n,
           h.numerator AS b_x, h.value AS b_value, h.sd AS b_sd, h.level_counts AS b_levels
    FROM r g JOIN best USING (school_year, entity_type, entity_id, indicator)
    JOIN r h USING (school_year, entity_type, entity_id, indicator)
    WHERE h.student_group = best.best_group
      AND g.student_group NOT IN ('ALL', best.best_group)
)
SELECT school_year, entity_type, entity_id, entity_name, indicator, kind, direction,
       student_group, reference, reference_group, n AS a_n, numerator AS a_x, value AS a_value,
       sd AS a_sd, level_counts AS a_levels, b_n, b_x, b_value, b_sd, b_levels
FROM refs
WHERE n >= {min_n} AND b_n >= {min_n}
ORDER BY school_year, indicator, entity_type, entity_id, student_group, reference
"""


@dataclass
class Comparisons:
    """Every comparison to measure, as columns: a row of the pairs query (``row``), against its
    own reference (``sub`` 0) or, for the All-students reference, also against all other
    students (``sub`` 1, derived)."""

    row: np.ndarray
    sub: np.ndarray
    reference: np.ndarray  #: object: ALL, complement, a group code, highest
    reference_group: np.ndarray  #: object, None for complement
    rate: np.ndarray  #: bool: a rate indicator (else a mean)
    lower: np.ndarray  #: bool: lower is better
    a: dict[str, np.ndarray]  #: n, x, mean, sd of the group
    b: dict[str, np.ndarray]  #: the same of the reference


def _float(col: pa.ChunkedArray, fill: float) -> np.ndarray:
    """A numeric column as floats, nulls as ``fill`` (without pandas)."""
    filled = pc.fill_null(col, fill) if col.null_count else col
    return np.asarray(filled.combine_chunks().to_numpy(zero_copy_only=False), dtype=float)


def _comparisons(t: pa.Table, keep: np.ndarray, min_n: int) -> Comparisons:
    """The pairs query's kept rows, each with its reference, plus the derived complements."""
    row = np.flatnonzero(keep)
    side = {s: {"n": _float(t[f"{s}_n"], 0.0)[row], "x": _float(t[f"{s}_x"], 0.0)[row],
                "mean": _float(t[f"{s}_value"], math.nan)[row],
                "sd": _float(t[f"{s}_sd"], math.nan)[row]} for s in ("a", "b")}
    a, b = side["a"], side["b"]
    reference = np.asarray(t["reference"].to_pylist(), dtype=object)[row]
    ref_group = np.asarray(t["reference_group"].to_pylist(), dtype=object)[row]
    rate = np.asarray(t["kind"].to_pylist(), dtype=object)[row] == "rate"
    lower = np.asarray(t["direction"].to_pylist(), dtype=object)[row] == "lower"
    n_c, x_c, m_c, s_c = complement_arrays(b["n"], b["x"], b["mean"], b["sd"], a["n"], a["x"],
                                           a["mean"], a["sd"])
    extra = (reference == "ALL") & (n_c >= min_n)
    k = int(extra.sum())
    return Comparisons(
        row=np.concatenate([row, row[extra]]),
        sub=np.concatenate([np.zeros(row.size, np.int8), np.ones(k, np.int8)]),
        reference=np.concatenate([reference, np.full(k, "complement", dtype=object)]),
        reference_group=np.concatenate([ref_group, np.full(k, None, dtype=object)]),
        rate=np.concatenate([rate, rate[extra]]), lower=np.concatenate([lower, lower[extra]]),
        a={key: np.concatenate([v, v[extra]]) for key, v in a.items()},
        b={key: np.concatenate([b[key], c[extra]]) for key, c in
           (("n", n_c), ("x", x_c), ("mean", m_c), ("sd", s_c))})


def _measure(c: Comparisons, cfg: Config) -> list[tuple[np.ndarray, GapArrays]]:
    """Each metric over the comparisons it applies to: (positions in ``c``, gaps)."""
    a, b = c.a, c.b
    nested = c.reference == "ALL"
    comp = c.reference == "complement"
    out = []

    def run(mask: np.ndarray, kernel, *cols: np.ndarray, **kw) -> None:
        at = np.flatnonzero(mask)
        if at.size:
            out.append((at, kernel(*(col[at] for col in cols), **kw)))

    rate, mean = c.rate, ~c.rate
    run(rate, pp_difference_batch, a["x"], a["n"], b["x"], b["n"], nested)
    run(rate, rate_ratio_batch, a["x"], a["n"], b["x"], b["n"], nested)
    run(rate & comp, ppg1_batch, a["x"], a["n"], a["x"] + b["x"], a["n"] + b["n"])
    run(rate & comp & c.lower, risk_ratio_batch, a["x"], a["n"], b["x"], b["n"],
        threshold=cfg["gaps.risk_ratio_threshold"],
        min_cell=int(cfg["gaps.risk_ratio_min_cell"]), min_n=int(cfg["gaps.risk_ratio_min_n"]))
    run(rate & (c.reference == "highest") & ~c.lower, eighty_percent_index_batch,
        a["x"], a["n"], b["x"], b["n"])
    run(mean, mean_difference_batch, a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"],
        nested)
    run(mean & ~nested, hedges_g_batch, a["mean"], a["sd"], a["n"], b["mean"], b["sd"],
        b["n"])
    return out


def _flags(g: GapArrays, lower: np.ndarray) -> np.ndarray:
    """``flagged`` of the gaps table: the metric's own rule, or beyond noise and against the
    group (by the indicator's direction). PPG-1's rule is written for favourable outcomes; for
    adverse ones the group is disproportionately affected when its rate is above the others'
    by more than the margin of error."""
    if g.metric == "ppg1":
        with np.errstate(invalid="ignore"):
            return np.where(lower, g.ci_low > 0, g.flagged) & ~np.isnan(g.value)
    if g.metric in OWN_RULE:
        return g.flagged & ~np.isnan(g.value)
    null = 1.0 if g.metric == "ratio" else 0.0
    with np.errstate(invalid="ignore"):
        against = np.where(lower, g.value > null, g.value < null)
    return ~g.within_noise & against & ~np.isnan(g.value)


def _v_statistics(t: pa.Table, c: Comparisons) -> list[tuple[np.ndarray, GapArrays]]:
    """V statistics of mean comparisons against another group or all other students, where
    both sides have level counts (binormal fits of all pairs at once)."""
    a_levels, b_levels = t["a_levels"].to_pylist(), t["b_levels"].to_pylist()
    at, counts_a, counts_b = [], [], []
    for i in np.flatnonzero(~c.rate & (c.reference != "ALL")).tolist():
        la, lb = a_levels[c.row[i]], b_levels[c.row[i]]
        if not la or not lb:
            continue
        if c.sub[i]:
            lb = [x - y for x, y in zip(lb, la, strict=True)]
        at.append(i)
        counts_a.append(la)
        counts_b.append(lb)
    if not at:
        return []
    out = []
    for method in V_METHODS:
        out.append((np.array(at), v_statistic_columns(
            np.array(counts_a, dtype=np.int64), np.array(counts_b, dtype=np.int64),
            method=method)))
    return out


def compute_gaps(con: duckdb.DuckDBPyConnection, config: Config) -> pa.Table:
    """Every gap of ``indicator_results`` in the warehouse ``con``."""
    from gapwatch.sql import sql_string

    ref = config["gaps.reference_group"] or "__none__"
    min_n = int(config["gaps.min_n"])
    sql = PAIRS_SQL.format(race=", ".join(sql_string(c) for c in RACE_GROUPS),
                           highest_min_n=int(config["gaps.highest_min_n"]),
                           ref=sql_string(ref), min_n=min_n)
    t = con.sql(sql).to_arrow_table()
    defining = {i.id: set(i.defining_groups) for i in BUILTIN}
    pairs = list(zip(t["indicator"].to_pylist(), t["student_group"].to_pylist(), strict=True))
    skip = {p: bool(defining.get(p[0], set()) & set(p[1].split("+"))) for p in set(pairs)}
    # the group decides the outcome (LTEL among ELs): no gap to measure
    keep = np.array([not skip[p] for p in pairs], dtype=bool)
    c = _comparisons(t, keep, min_n)
    parts = _measure(c, config)
    ordered = [(at, g, (0, c.row[at], c.sub[at], np.full(at.size, METRIC_ORDER[g.metric])))
               for at, g in parts]
    ordered += [(at, g, (1 + k, c.row[at], c.sub[at], np.zeros(at.size, int)))
                for k, (at, g) in enumerate(_v_statistics(t, c))]
    return _disproportionality(_table(t, c, ordered),
                               int(config["gaps.disproportionality_years"]))


def _disproportionality(table: pa.Table, required: int) -> pa.Table:
    """Risk ratios: consecutive years over the threshold (California identifies after
    ``required``; METHODS.md 6.7), applied over the years present, in the note and in
    ``consecutive_years`` (NULL on other metrics). Only the risk-ratio rows are read into
    Python."""
    rows = np.flatnonzero(pc.equal(table["metric"], "risk_ratio").to_numpy(
        zero_copy_only=False))
    risk = table.take(pa.array(rows, pa.int64()))
    keys = list(zip(*(risk[k].to_pylist() for k in ("entity_type", "entity_id", "indicator",
                                                     "student_group")), strict=True))
    year_of, flagged = risk["school_year"].to_pylist(), risk["flagged"].to_pylist()
    flags: dict[tuple, dict[int, bool]] = {}
    for key, year, flag in zip(keys, year_of, flagged, strict=True):
        flags.setdefault(key, {})[year] = flag
    years = np.zeros(table.num_rows, dtype=np.int64)
    notes = table["note"].to_numpy(zero_copy_only=False).astype(object)
    for i, key, year, note in zip(rows.tolist(), keys, year_of, notes[rows].tolist(),
                                  strict=True):
        years[i], words = consecutive_years(flags[key], year, required=required)
        if words:
            notes[i] = "; ".join(x for x in (note, words) if x)
    risk_rows = np.zeros(table.num_rows, dtype=bool)
    risk_rows[rows] = True
    table = table.set_column(table.schema.get_field_index("note"), "note",
                             pa.array(notes, pa.string()))
    return table.append_column("consecutive_years", pa.array(years, pa.int64(),
                                                             mask=~risk_rows))


def _table(t: pa.Table, c: Comparisons, parts: list) -> pa.Table:
    """The ``gaps`` rows in order: each comparison's metrics in :data:`METRIC_ORDER`, then the
    V statistics by method."""
    if not parts:
        return _empty()
    at = np.concatenate([p[0] for p in parts])
    keys = [np.concatenate([np.broadcast_to(p[2][i], p[0].shape) for p in parts])
            for i in range(4)]
    order = np.lexsort(keys[::-1])
    at = at[order]

    def gap_col(name: str) -> np.ndarray:
        return np.concatenate([getattr(p[1], name) for p in parts])[order]

    flags = np.concatenate([_flags(p[1], c.lower[p[0]]) for p in parts])[order]
    metric = np.concatenate([np.full(p[0].size, p[1].metric, dtype=object) for p in parts])
    src = pa.array(c.row[at])
    columns = {
        "school_year": t["school_year"].take(src).cast(pa.int16()),
        "entity_type": t["entity_type"].take(src), "entity_id": t["entity_id"].take(src),
        "indicator": t["indicator"].take(src), "student_group": t["student_group"].take(src),
        "reference": pa.array(c.reference[at], pa.string()),
        "metric": pa.array(metric[order], pa.string()),
        **{name: pa.array(gap_col(name), pa.float64(), from_pandas=True)
           for name in ("value", "se", "ci_low", "ci_high")},
        "flagged": pa.array(flags, pa.bool_()),
        "entity_name": t["entity_name"].take(src),
        "reference_group": pa.array(c.reference_group[at], pa.string()),
        "n": pa.array(c.a["n"][at].astype(np.int64), pa.int64()),
        "reference_n": pa.array(c.b["n"][at].astype(np.int64), pa.int64()),
        "within_noise": pa.array(gap_col("within_noise"), pa.bool_()),
        "note": pa.array(gap_col("note"), pa.string()),
    }
    return pa.table({k: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
                     for k, v in columns.items()})


def _empty() -> pa.Table:
    types = {"school_year": pa.int16(), "n": pa.int64(), "reference_n": pa.int64(),
             "flagged": pa.bool_(), "within_noise": pa.bool_(),
             **dict.fromkeys(("value", "se", "ci_low", "ci_high"), pa.float64())}
    return pa.table({name: pa.array([], types.get(name, pa.string()))
                     for name in (*GAP_COLUMNS, *GAP_EXTRA_COLUMNS)
                     if name != "consecutive_years"})


def store_gaps(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Replace the ``gaps`` table in the warehouse."""
    Warehouse(con).store("gaps", table)
