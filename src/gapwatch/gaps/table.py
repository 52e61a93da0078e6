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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch import gaps as metrics
from gapwatch.config import Config
from gapwatch.contract import CODE_SETS
from gapwatch.gaps.result import Gap
from gapwatch.indicators.registry import BUILTIN

#: Columns of ``gaps`` and of its export, in order (a public contract).
GAP_COLUMNS = (
    "school_year", "entity_type", "entity_id", "indicator", "student_group", "reference",
    "metric", "value", "se", "ci_low", "ci_high", "flagged",
)
#: Added after the contract columns.
GAP_EXTRA_COLUMNS = ("entity_name", "reference_group", "n", "reference_n", "within_noise",
                     "note", "consecutive_years")
RACE_GROUPS = tuple(c for c in CODE_SETS["race_ethnicity"] if c != "NR")


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a group's exact statistics."""

    n: int
    x: float  #: successes (rates)
    mean: float  #: rate (0-1) or mean
    sd: float
    levels: tuple[int, ...] | None


@dataclass(frozen=True)
class Pair:
    kind: str  #: "rate" or "mean"
    lower_is_better: bool
    reference: str  #: "ALL", "complement", a group code, or "highest"
    group: Side
    ref: Side  #: for reference ALL: all students (nested)


def complement(total: Side, part: Side) -> Side:
    """All students minus a group: counts, mean and sample SD recovered exactly from sums."""
    n = total.n - part.n
    if n <= 0:
        return Side(0, 0.0, math.nan, math.nan, None)
    x = total.x - part.x
    mean = (total.n * total.mean - part.n * part.mean) / n

    def squares(s: Side) -> float:  # sum of x^2 from n, mean and sample SD
        sd = 0.0 if s.n < 2 or math.isnan(s.sd) else s.sd
        return (s.n - 1) * sd * sd + s.n * s.mean * s.mean

    var = (squares(total) - squares(part) - n * mean * mean) / (n - 1) if n > 1 else math.nan
    levels = (tuple(a - b for a, b in zip(total.levels, part.levels, strict=True))
              if total.levels is not None and part.levels is not None else None)
    return Side(n, x, mean, math.sqrt(max(var, 0.0)) if n > 1 else math.nan, levels)


def _rate_metrics(p: Pair, cfg: Config) -> Iterator[Gap]:
    a, b, nested = p.group, p.ref, p.reference == "ALL"
    yield metrics.pp_difference(a.x, a.n, b.x, b.n, nested=nested)
    yield metrics.rate_ratio(a.x, a.n, b.x, b.n, nested=nested)
    if p.reference == "complement":
        total = Side(a.n + b.n, a.x + b.x, math.nan, math.nan, None)
        yield metrics.ppg1(a.x, a.n, total.x, total.n)
    if p.lower_is_better and p.reference in ("complement",):
        yield metrics.risk_ratio(a.x, a.n, b.x, b.n,
                                 threshold=cfg["gaps.risk_ratio_threshold"],
                                 min_cell=int(cfg["gaps.risk_ratio_min_cell"]),
                                 min_n=int(cfg["gaps.risk_ratio_min_n"]))
    if p.reference == "highest" and not p.lower_is_better:
        yield metrics.eighty_percent_index(a.x, a.n, b.x, b.n)


def _mean_metrics(p: Pair, cfg: Config) -> Iterator[Gap]:
    a, b, nested = p.group, p.ref, p.reference == "ALL"
    yield metrics.mean_difference(a.mean, a.sd, a.n, b.mean, b.sd, b.n, nested=nested)
    if nested:
        return
    yield metrics.hedges_g(a.mean, a.sd, a.n, b.mean, b.sd, b.n)
    # the V statistics of pairs with level counts are computed in batches: see compute_gaps


PLAN: dict[str, Callable[[Pair, Config], Iterator[Gap]]] = {
    "rate": _rate_metrics,
    "mean": _mean_metrics,
}
#: Metrics whose own published rule sets ``flagged`` (others: beyond noise and against the group).
OWN_RULE = {"ppg1", "eighty_percent_index", "risk_ratio"}


def _against_group(gap: Gap, lower_is_better: bool) -> bool:
    """Is the gap unfavourable to the group (by the indicator's direction)?"""
    null = 1.0 if gap.metric in ("ratio",) else 0.0
    worse_when_above = lower_is_better
    return gap.value > null if worse_when_above else gap.value < null


def _flag(gap: Gap, p: Pair) -> bool:
    if math.isnan(gap.value):
        return False
    if gap.metric == "ppg1" and p.lower_is_better:
        # PPG-1's rule is written for favourable outcomes; for adverse ones the group is
        # disproportionately affected when its rate is above the others' by more than the MOE.
        return gap.ci_low > 0
    if gap.metric in OWN_RULE:
        return gap.flagged
    return not gap.within_noise and _against_group(gap, p.lower_is_better)


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


def _side(n: int, x: int | None, value: float, sd: float | None,
          levels: list[int] | None) -> Side:
    return Side(int(n), float(x or 0), float(value),
                math.nan if sd is None else float(sd), tuple(levels) if levels else None)


def compute_gaps(con: duckdb.DuckDBPyConnection, config: Config) -> pa.Table:
    """Every gap of ``indicator_results`` in the warehouse ``con``."""
    from gapwatch.sql import sql_string

    ref = config["gaps.reference_group"] or "__none__"
    sql = PAIRS_SQL.format(race=", ".join(sql_string(c) for c in RACE_GROUPS),
                           highest_min_n=int(config["gaps.highest_min_n"]),
                           ref=sql_string(ref), min_n=int(config["gaps.min_n"]))
    rows = con.execute(sql).fetchall()
    min_n = int(config["gaps.min_n"])
    defining = {i.id: set(i.defining_groups) for i in BUILTIN}
    cols: dict[str, list] = {c: [] for c in (*GAP_COLUMNS, *GAP_EXTRA_COLUMNS)}
    leveled: list[tuple[tuple, Pair]] = []  # pairs whose V statistics are computed in batches
    for (year, etype, eid, ename, indicator, kind, direction, group, reference, ref_group,
         a_n, a_x, a_value, a_sd, a_levels, b_n, b_x, b_value, b_sd, b_levels) in rows:
        if defining.get(indicator, set()) & set(group.split("+")):
            continue  # the group decides the outcome (LTEL among ELs): no gap to measure
        a = _side(a_n, a_x, a_value, a_sd, a_levels)
        b = _side(b_n, b_x, b_value, b_sd, b_levels)
        lower = direction == "lower"
        pairs = [Pair(kind, lower, reference, a, b)]
        if reference == "ALL":  # all other students, derived from All students minus the group
            rest = complement(b, a)
            if rest.n >= min_n:
                pairs.append(Pair(kind, lower, "complement", a, rest))
        for p in pairs:
            key = (year, etype, eid, ename, indicator, group,
                   None if p.reference == "complement" else ref_group)
            for gap in PLAN[kind](p, config):
                _append(cols, key, p, gap)
            if (kind == "mean" and p.reference != "ALL" and a.levels is not None
                    and p.ref.levels is not None):
                leveled.append((key, p))
    if leveled:
        counts_a = np.array([p.group.levels for _, p in leveled], dtype=np.int64)
        counts_b = np.array([p.ref.levels for _, p in leveled], dtype=np.int64)
        for method in metrics.V_METHODS:
            batch = metrics.v_statistic_batch(counts_a, counts_b, method=method)
            for (key, p), gap in zip(leveled, batch, strict=True):
                _append(cols, key, p, gap)
    _disproportionality(cols, int(config["gaps.disproportionality_years"]))
    return _to_arrow(cols)


def _disproportionality(cols: dict[str, list], required: int) -> None:
    """Risk ratios: consecutive years over the threshold (California identifies after
    ``required``; METHODS.md 6.7), applied over the years present, in the note and in
    ``consecutive_years``."""
    flags: dict[tuple, dict[int, bool]] = {}
    rows = [i for i, m in enumerate(cols["metric"]) if m == "risk_ratio"]
    key = ("entity_type", "entity_id", "indicator", "student_group")
    for i in rows:
        flags.setdefault(tuple(cols[k][i] for k in key), {})[cols["school_year"][i]] = \
            cols["flagged"][i]
    for i in rows:
        count, words = metrics.consecutive_years(flags[tuple(cols[k][i] for k in key)],
                                                 cols["school_year"][i], required=required)
        cols["consecutive_years"][i] = count
        if words:
            cols["note"][i] = "; ".join(x for x in (cols["note"][i], words) if x)


def _append(cols: dict[str, list], key: tuple, p: Pair, gap: Gap) -> None:
    year, etype, eid, ename, indicator, group, ref_group = key
    values = {
        "school_year": year, "entity_type": etype, "entity_id": eid, "indicator": indicator,
        "student_group": group, "reference": p.reference, "metric": gap.metric,
        "value": gap.value, "se": gap.se, "ci_low": gap.ci_low, "ci_high": gap.ci_high,
        "flagged": _flag(gap, p), "entity_name": ename, "reference_group": ref_group,
        "n": p.group.n, "reference_n": p.ref.n, "within_noise": gap.within_noise,
        "note": gap.note, "consecutive_years": None,
    }
    for name, value in values.items():
        cols[name].append(value)


def _to_arrow(cols: dict[str, list]) -> pa.Table:
    floats = ("value", "se", "ci_low", "ci_high")
    arrays = {}
    for name, values in cols.items():
        if name in floats:
            arrays[name] = pa.array(np.asarray(values, dtype=float), pa.float64(),
                                    from_pandas=True)
        elif name == "school_year":
            arrays[name] = pa.array(values, pa.int16())
        elif name in ("n", "reference_n", "consecutive_years"):
            arrays[name] = pa.array(values, pa.int64())
        elif name in ("flagged", "within_noise"):
            arrays[name] = pa.array(values, pa.bool_())
        else:
            arrays[name] = pa.array(values, pa.string())
    return pa.table(arrays)


def store_gaps(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Replace the ``gaps`` table in the warehouse."""
    con.register("__gaps", table)
    con.execute("CREATE OR REPLACE TABLE gaps AS SELECT * FROM __gaps")
    con.unregister("__gaps")
