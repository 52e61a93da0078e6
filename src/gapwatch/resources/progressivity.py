"""Funding and staffing progressivity: do dollars and staff per pupil rise with school need?

For every school year and measure (per-pupil dollars in total and by fund source, staff FTE per
100 students, shares of novice or under-credentialed teachers, turnover; see
:mod:`gapwatch.resources.progressivity_inputs`), the schools' values against the need index
(:func:`gapwatch.resources.need_index.need_index`), three ways, each with a 95% interval
(:mod:`gapwatch.resources.progressivity_stats` gives the methods and sources):

- ``slope``: measure units per one SD of need score (OLS over schools, unweighted; HC1 se);
- ``spearman``: rank correlation of need score and measure (Fisher-z interval);
- ``highest_lowest_ratio``: the Highest-need band's pooled value over the Lowest band's
  (total dollars / total pupils in each band; delta-method interval on the log ratio).

``progressive`` reads the ratio's interval: "progressive" when it lies above 1 (for burdens,
such as novice teachers: below 1), "regressive" the other way, else "flat / within noise";
empty without an interval. This is a cross-section of one year: it describes where resources
went, not why, nor what they did.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.resources.need_index import need_index
from gapwatch.resources.progressivity_inputs import (
    STAFF_MEASURES,
    Measure,
    school_parts,
    value_parts,
)
from gapwatch.resources.progressivity_stats import STAT_FIELDS, empty_stats, summarize

__all__ = ["BY_SCHOOL_FIXED", "SCHEMA", "STAFF_MEASURES", "Measure", "progressivity",
           "progressivity_by_school"]

#: Columns of :func:`progressivity`.
SCHEMA = pa.schema([("school_year", pa.int16()), ("measure", pa.string()),
                    ("unit", pa.string()), ("kind", pa.string()), *STAT_FIELDS])
#: The leading columns of :func:`progressivity_by_school` (each measure's column follows).
BY_SCHOOL_FIXED = [("school_year", pa.int16()), ("school_id", pa.string()),
                   ("school_name", pa.string()), ("need_score", pa.float64()),
                   ("need_rank", pa.int32()), ("need_percentile", pa.float64()),
                   ("band", pa.string()), ("enrollment", pa.int64()), ("dollars", pa.float64())]


def _value(parts: dict, m: Measure) -> float | None:
    yx = value_parts(parts, m)
    return None if yx is None else m.scale * yx[0] / yx[1]


def progressivity_by_school(con: duckdb.DuckDBPyConnection, index: pa.Table | None = None
                            ) -> pa.Table:
    """The per-school inputs: one row per school and year of the need index.

    Columns: ``school_year, school_id, school_name, need_score, need_rank, need_percentile,
    band, enrollment`` (census day), ``dollars`` (all budget lines), then one column per
    measure (``dollars_per_pupil``, ``supp_conc_per_pupil``, ..., ``teacher_turnover``; NULL
    when not computed), and ``note``.
    """
    index = need_index(con) if index is None else index
    rows, ms, absent = school_parts(con, index)
    out = []
    for p in rows:
        row = {"school_year": p["school_year"], "school_id": p["school_id"],
               "school_name": p["school_name"], "need_score": p["score"],
               "need_rank": p["rank"], "need_percentile": p["percentile"], "band": p["band"],
               "enrollment": p["enrolled_census"], "dollars": p.get("dollars")}
        row.update({m.name: _value(p, m) for m in ms})
        row["note"] = "; ".join([*absent.values(), *p["notes"]])
        out.append(row)
    schema = pa.schema([*BY_SCHOOL_FIXED, *((m.name, pa.float64()) for m in ms),
                        ("note", pa.string())])
    return pa.Table.from_pylist(out, schema=schema)


def progressivity(con: duckdb.DuckDBPyConnection, index: pa.Table | None = None) -> pa.Table:
    """One row per school year and measure: schools with a need score and a value, ``slope``
    (with ``slope_se``, ``slope_ci_low``, ``slope_ci_high``), ``spearman`` (with its interval),
    ``highest_value``, ``lowest_value`` (pooled band values in the measure's unit) and their
    ``highest_schools``, ``lowest_schools``, ``highest_lowest_ratio`` (with ``ratio_ci_low``,
    ``ratio_ci_high`` and the t interval's ``ratio_df``), ``progressive`` and ``note``.

    ``index`` defaults to :func:`~gapwatch.resources.need_index.need_index` of ``con``; it
    needs ``school_year, school_id, score, band``.
    """
    index = need_index(con) if index is None else index
    rows, ms, absent = school_parts(con, index)
    out = []
    for year in sorted({p["school_year"] for p in rows}):
        scored = [p for p in rows if p["school_year"] == year and p["score"] is not None]
        for m in ms:
            kept = [(p, yx) for p in scored if (yx := value_parts(p, m)) is not None]
            head = {"school_year": year, "measure": m.name, "unit": m.unit, "kind": m.kind}
            if not kept:
                why = absent.get(m.source) or "no school with a need score and a value"
                out.append({**head, **empty_stats(why)})
                continue
            y = np.array([yx[0] for _, yx in kept])
            x = np.array([yx[1] for _, yx in kept])
            stats = summarize(np.array([p["score"] for p, _ in kept]),
                              [p["band"] for p, _ in kept], m.scale * y / x, y, x, m.kind,
                              m.scale)
            left = len(scored) - len(kept)
            if left:
                ids = ", ".join(p["school_id"] for p in scored if all(p is not q for q, _ in kept))
                stats["note"] = "; ".join(filter(None, [
                    f"{left} scored school(s) without a value left out ({ids})", stats["note"]]))
            out.append({**head, **stats})
    return pa.Table.from_pylist(out, schema=SCHEMA)
