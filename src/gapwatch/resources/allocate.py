"""Allocation scenarios: share a sum among a year's schools under several rules, side by side,
and the progressivity each rule achieves.

:func:`allocate` takes the amount, rules (:class:`Rule`, :func:`parse_rule`; the rules are
described in :mod:`gapwatch.resources.allocation_rules`) and a school year (default: the latest
with a need score). Each school gets ``amount * weight / sum(weights)``, rounded to cents by
the largest-remainder (Hamilton) method (:func:`largest_remainder`), so each rule's allocations
add up to the amount exactly, cent for cent. ``per_pupil`` is the rounded allocation over
census-day enrollment; the progressivity statistics use the unrounded shares (rounding cents
cannot make a flat rule look progressive) and are those of
:mod:`gapwatch.resources.progressivity_stats` over the schools with a need score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.calendar import census_day
from gapwatch.resources.allocation_rules import (
    DEFAULT_BAND_WEIGHTS,
    EXPRESSION_COLUMNS,
    Rule,
    parse_rule,
)
from gapwatch.resources.need_index import need_index
from gapwatch.resources.progressivity_stats import STAT_FIELDS, summarize
from gapwatch.sql import quote_ident
from gapwatch.warehouse import Warehouse

__all__ = ["ALLOCATION_SCHEMA", "DEFAULT_BAND_WEIGHTS", "EXPRESSION_COLUMNS", "RESULT_SCHEMA",
           "Rule", "allocate", "allocation_base", "largest_remainder", "parse_rule"]

MONEY = pa.decimal128(18, 2)
#: Columns of the first table of :func:`allocate`.
ALLOCATION_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("school_id", pa.string()), ("school_name", pa.string()),
    ("band", pa.string()), ("need_score", pa.float64()), ("enrollment", pa.int64()),
    ("unduplicated", pa.int64()), ("rule", pa.string()), ("weight", pa.float64()),
    ("allocation", MONEY), ("per_pupil", pa.float64())])
#: Columns of the second table of :func:`allocate`.
RESULT_SCHEMA = pa.schema([("school_year", pa.int16()), ("rule", pa.string()),
                           ("amount", MONEY), *STAT_FIELDS])
BASE_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("school_id", pa.string()), ("school_name", pa.string()),
    ("band", pa.string()), ("need_score", pa.float64()), ("need_rank", pa.int32()),
    ("need_percentile", pa.float64()), ("enrollment", pa.int64()),
    ("unduplicated", pa.int64()), ("upp", pa.float64()),
    *((g, pa.int64()) for g in ("el", "sed", "swd", "foster", "homeless"))])
#: Census-day counts: (output column, enrollments columns read, membership predicate).
_COUNTS = (
    ("unduplicated", ("el_status", "frpm", "sed", "foster"),
     "coalesce(el_status = 'EL', FALSE) OR coalesce(frpm, sed, FALSE) OR coalesce(foster, FALSE)"),
    ("el", ("el_status",), "el_status = 'EL'"), ("sed", ("sed",), "sed"),
    ("swd", ("swd",), "swd"), ("foster", ("foster",), "foster"),
    ("homeless", ("homeless",), "homeless"),
)
_TYPES = {"el_status": "VARCHAR"}
_GROUPS = tuple(name for name, _, _ in _COUNTS)


def largest_remainder(cents: int, weights: Sequence[float], keys: Sequence[str]) -> list[int]:
    """Split ``cents`` in proportion to ``weights``: each gets the floor of its exact quota,
    and the cents left go one each to the largest remainders (ties: the earlier key in sort
    order). Exact rational arithmetic; the parts add up to ``cents``.

    >>> largest_remainder(100, [1.0, 1.0, 1.0], ["a", "b", "c"])
    [34, 33, 33]
    >>> largest_remainder(100_000_000, [100, 200, 300, 400], ["a", "b", "c", "d"])
    [10000000, 20000000, 30000000, 40000000]
    """
    exact = [Fraction(w) for w in weights]
    total = sum(exact)
    quotas = [cents * w / total for w in exact]
    parts = [math.floor(q) for q in quotas]
    order = sorted(range(len(parts)), key=lambda i: (-(quotas[i] - parts[i]), keys[i]))
    for i in order[: cents - sum(parts)]:
        parts[i] += 1
    return parts


def _census_counts(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, dict]:
    have = set(Warehouse(con).columns("enrollments"))
    cols = sorted({c for _, read, _ in _COUNTS for c in read} | {"exit_date"})
    select = ", ".join(quote_ident(c) if c in have else
                       f"CAST(NULL AS {_TYPES.get(c, 'DATE' if c == 'exit_date' else 'BOOLEAN')})"
                       f" AS {c}" for c in cols)
    day = census_day(year).isoformat()
    counts = ", ".join(
        f"CASE WHEN {' + '.join(f'count({c})' for c in read)} > 0 THEN count(DISTINCT "
        f"student_id) FILTER (WHERE coalesce({pred}, FALSE)) END AS {name}"
        for name, read, pred in _COUNTS)
    sql = f"""SELECT school_id, count(DISTINCT student_id) AS enrollment, {counts}
        FROM (SELECT school_id, student_id, entry_date, {select} FROM enrollments
              WHERE CAST(school_year AS INTEGER) = {int(year)}) e
        WHERE entry_date <= DATE '{day}' AND (exit_date IS NULL OR exit_date >= DATE '{day}')
        GROUP BY school_id"""
    rel = con.sql(sql)
    return {r[0]: dict(zip(rel.columns[1:], r[1:], strict=True)) for r in rel.fetchall()}


def allocation_base(con: duckdb.DuckDBPyConnection, year: int, index: pa.Table) -> pa.Table:
    """The per-school table the rules read (columns: :data:`EXPRESSION_COLUMNS`): the schools
    of ``index`` in ``year``, with census-day counts from ``enrollments``."""
    counts = _census_counts(con, year)
    names = dict(con.sql("SELECT school_id, min(school_name) FROM schools GROUP BY 1")
                 .fetchall())
    rows = []
    for r in index.to_pylist():
        if int(r["school_year"]) != year:
            continue
        c = counts.get(r["school_id"], dict.fromkeys(("enrollment", *_GROUPS), 0))
        enrolled, undup = c["enrollment"], c.get("unduplicated")
        rows.append({
            "school_year": year, "school_id": r["school_id"],
            "school_name": r.get("school_name") or names.get(r["school_id"], r["school_id"]),
            "band": r["band"], "need_score": r["score"], "need_rank": r.get("rank"),
            "need_percentile": r.get("percentile"), "enrollment": enrolled,
            "unduplicated": undup, "upp": undup / enrolled if undup is not None and enrolled
            else None, **{g: c[g] for g in _GROUPS[1:]}})
    rows.sort(key=lambda r: r["school_id"])
    return pa.Table.from_pylist(rows, schema=BASE_SCHEMA)


def _cents(amount: float) -> int:
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    if not value.is_finite() or value <= 0:
        raise ValueError(f"amount must be a positive number of dollars, got {amount!r}")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(con: duckdb.DuckDBPyConnection, amount: float, rules: Sequence[Rule], *,
             year: int | None = None, index: pa.Table | None = None
             ) -> tuple[pa.Table, pa.Table]:
    """Share ``amount`` dollars (rounded half up to cents) among the schools of ``year`` under
    each rule.

    Returns (1) one row per school and rule (:data:`ALLOCATION_SCHEMA`): ``school_year,
    school_id, school_name, band, need_score, enrollment, unduplicated, rule, weight,
    allocation`` (dollars, decimal), ``per_pupil``; and (2) one row per rule
    (:data:`RESULT_SCHEMA`): ``school_year, rule, amount`` and the progressivity of its dollars
    per pupil (``slope``, ``spearman``, ``highest_lowest_ratio`` with intervals,
    ``progressive``; see :mod:`gapwatch.resources.progressivity_stats`).
    """
    cents = _cents(amount)
    if not rules:
        raise ValueError("no allocation rules given")
    names = [r.name for r in rules]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"rules given more than once: {', '.join(twice)}")
    index = need_index(con) if index is None else index
    scored = sorted({int(r["school_year"]) for r in index.to_pylist() if r["score"] is not None})
    if year is None:
        if not scored:
            why = "; run `gapwatch run` first"
            if index.num_rows:
                note = (index.column("note")[0].as_py() if "note" in index.column_names
                        else None) or "no school was scored"
                why = f" ({note}); see docs/methods.md, 'Minimum district shapes'"
            raise ValueError("allocation rules share money out by need: no school year with "
                             f"a need score{why}")
        year = scored[-1]
    elif int(year) not in {int(y) for y in index.column("school_year").to_pylist()}:
        raise ValueError(f"no need index rows for {year} (years: {scored})")
    base = allocation_base(con, int(year), index)
    ids = base.column("school_id").to_pylist()
    enrollment = np.array(base.column("enrollment").to_pylist(), dtype=float)
    score = base.column("need_score").to_pylist()
    keep = [i for i, s in enumerate(score) if s is not None and enrollment[i] > 0]
    rows, results = [], []
    for rule in rules:
        weight, rate = rule.evaluate(base)
        total = float(weight.sum())
        if not total > 0:
            raise ValueError(f"rule {rule.name!r}: the weights add up to {total:g}; nothing "
                             "to share by")
        parts = largest_remainder(cents, weight.tolist(), ids)
        for i, r in enumerate(base.select(["school_year", "school_id", "school_name", "band",
                                           "need_score", "enrollment", "unduplicated"])
                              .to_pylist()):
            dollars = Decimal(parts[i]) / 100
            rows.append({**r, "rule": rule.name, "weight": float(weight[i]),
                         "allocation": dollars, "per_pupil": float(dollars) / enrollment[i]
                         if enrollment[i] > 0 else None})
        value = cents / 100 * rate[keep] / total
        stats = summarize(np.array([score[i] for i in keep]),
                          [base.column("band")[i].as_py() for i in keep],
                          value, value * enrollment[keep], enrollment[keep], "resource")
        left = len(ids) - len(keep)
        if left:
            stats["note"] = "; ".join(filter(None, [
                f"{left} school(s) without a need score or pupils left out of the statistics",
                stats["note"]]))
        results.append({"school_year": year, "rule": rule.name,
                        "amount": Decimal(cents) / 100, **stats})
    return (pa.Table.from_pylist(rows, schema=ALLOCATION_SCHEMA),
            pa.Table.from_pylist(results, schema=RESULT_SCHEMA))
