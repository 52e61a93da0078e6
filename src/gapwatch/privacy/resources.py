"""Resources through the privacy door: the public files behind "Do resources follow need?".

Reads the resources stage's aggregate tables (``progressivity_by_school``,
``staffing_by_band``, ``staffing_gap``, ``progressivity``), never student or staff rows, and
builds four public tables:

- ``resources_schools``: per school and year, the need score, percentile and band, enrollment,
  dollars per pupil (all funds; supplemental and concentration), teachers per 100 students. A
  school with fewer than ``min_n`` students shows none of them (``status`` primary). The need
  index's factor breakdown is *not* published: a factor share times enrollment can be a small
  count (two foster youth), so it stays in the staff exports.
- ``resources_bands``: staffing stability by need band (novice, not fully credentialed,
  out-of-field, mandatory assignment, turnover, ELD sections with two or more substitutes,
  principal change), as percents with their interval and denominator. Rates resting on
  fewer than ``min_n`` teachers (or sections, or schools) are suppressed. Per-school staffing
  rates are not published: their small denominators would need complementary suppression
  across bands, and the band view is the question the page answers.
- ``resources_gaps``: highest- minus lowest-need band for each staffing rate (percentage
  points, Newcombe interval), published only when both sides are.
- ``resources_progressivity``: slope, rank correlation and highest ÷ lowest quintile ratio of
  dollars and staff per pupil against need, with intervals (aggregates over schools).

Staff counts are not student records, but the same small-cell rule is applied to them.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from gapwatch.privacy.policy import round1

SCHOOL_COLUMNS = ("school_year", "school_id", "school_name", "need_score", "need_percentile",
                  "band", "enrollment", "dollars_per_pupil", "supp_conc_per_pupil",
                  "teachers_per_100", "status")
BAND_COLUMNS = ("school_year", "band", "schools", "measure", "percent", "ci_low", "ci_high",
                "n", "status")
GAP_COLUMNS = ("school_year", "measure", "high_band", "low_band", "high_percent",
               "low_percent", "gap", "ci_low", "ci_high", "beyond_noise", "status")
PROGRESSIVITY_COLUMNS = ("school_year", "measure", "unit", "schools", "slope", "slope_ci_low",
                         "slope_ci_high", "spearman", "spearman_ci_low", "spearman_ci_high",
                         "highest_value", "lowest_value", "ratio", "ratio_ci_low",
                         "ratio_ci_high", "progressive")
FILES = {"resources_schools": SCHOOL_COLUMNS, "resources_bands": BAND_COLUMNS,
         "resources_gaps": GAP_COLUMNS, "resources_progressivity": PROGRESSIVITY_COLUMNS}
#: staffing rates of ``staffing_by_band`` and ``staffing_gap`` shown on the page, in order
STAFF_RATES = ("novice", "not_fully_credentialed", "out_of_field", "mandatory", "turnover",
               "eld_multi_sub", "principal_change")
#: progressivity measures shown (dollars and staff per pupil)
PROGRESSIVITY = ("dollars_per_pupil", "supp_conc_per_pupil", "teachers_per_100",
                 "counselors_per_100")
BANDS = ("Highest", "High", "Moderate", "Low", "Lowest")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    rel = con.sql(sql)
    return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]


def _pct(x: float | None) -> float | None:
    return None if x is None or x != x else round1(100 * x)


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None or x != x else round(float(x), digits)


def _table(rows: list[dict], columns: tuple[str, ...], types: dict[str, pa.DataType]) -> pa.Table:
    schema = pa.schema([(c, types.get(c, pa.float64())) for c in columns])
    return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=schema)


_S, _I, _B = pa.string(), pa.int64(), pa.bool_()


def school_table(con: duckdb.DuckDBPyConnection, min_n: int) -> pa.Table:
    out = []
    for r in _rows(con, "SELECT * FROM progressivity_by_school ORDER BY school_year, school_id"):
        ok = (r["enrollment"] or 0) >= min_n
        out.append({"school_year": int(r["school_year"]), "school_id": str(r["school_id"]),
                    "school_name": r["school_name"], "status": "published" if ok else "primary",
                    **({"need_score": _r(r["need_score"], 2),
                        "need_percentile": _r(r["need_percentile"]), "band": r["band"],
                        "enrollment": int(r["enrollment"]),
                        "dollars_per_pupil": _r(r["dollars_per_pupil"], 0),
                        "supp_conc_per_pupil": _r(r["supp_conc_per_pupil"], 0),
                        "teachers_per_100": _r(r["teachers_per_100"], 2)} if ok else {})})
    return _table(out, SCHOOL_COLUMNS, {"school_year": _I, "school_id": _S, "school_name": _S,
                                        "band": _S, "enrollment": _I, "status": _S})


def band_table(con: duckdb.DuckDBPyConnection, min_n: int) -> pa.Table:
    out = []
    for r in _rows(con, "SELECT * FROM staffing_by_band ORDER BY school_year"):
        for m in STAFF_RATES:
            n = r.get(f"{m}_den")
            ok = n is not None and n >= min_n and r.get(f"{m}_rate") is not None
            out.append({"school_year": int(r["school_year"]), "band": r["band"],
                        "schools": int(r["schools"]), "measure": m,
                        "n": int(n) if ok else None, "status": "published" if ok else "primary",
                        "percent": _pct(r[f"{m}_rate"]) if ok else None,
                        "ci_low": _pct(r[f"{m}_ci_low"]) if ok else None,
                        "ci_high": _pct(r[f"{m}_ci_high"]) if ok else None})
    out.sort(key=lambda x: (x["school_year"], STAFF_RATES.index(x["measure"]),
                            BANDS.index(x["band"]) if x["band"] in BANDS else 9))
    return _table(out, BAND_COLUMNS, {"school_year": _I, "band": _S, "schools": _I,
                                      "measure": _S, "n": _I, "status": _S})


def gap_table(con: duckdb.DuckDBPyConnection, bands: pa.Table) -> pa.Table:
    shown = {(r["school_year"], r["band"], r["measure"]) for r in bands.to_pylist()
             if r["status"] == "published"}
    out = []
    rows = _rows(con, "SELECT * FROM staffing_gap WHERE kind = 'rate' ORDER BY school_year")
    for r in rows:
        if r["measure"] not in STAFF_RATES:
            continue
        y = int(r["school_year"])
        ok = {(y, r["high_band"], r["measure"]), (y, r["low_band"], r["measure"])} <= shown
        out.append({"school_year": y, "measure": r["measure"], "high_band": r["high_band"],
                    "low_band": r["low_band"], "status": "published" if ok else "suppressed",
                    **({"high_percent": _r(r["high_value"]), "low_percent": _r(r["low_value"]),
                        "gap": _r(r["gap"]), "ci_low": _r(r["ci_low"]),
                        "ci_high": _r(r["ci_high"]), "beyond_noise": bool(r["beyond_noise"])}
                       if ok else {})})
    out.sort(key=lambda x: (x["school_year"], STAFF_RATES.index(x["measure"])))
    return _table(out, GAP_COLUMNS, {"school_year": _I, "measure": _S, "high_band": _S,
                                     "low_band": _S, "beyond_noise": _B, "status": _S})


def progressivity_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    out = []
    for r in _rows(con, "SELECT * FROM progressivity ORDER BY school_year"):
        if r["measure"] not in PROGRESSIVITY:
            continue
        out.append({"school_year": int(r["school_year"]), "measure": r["measure"],
                    "unit": r["unit"], "schools": int(r["schools"]),
                    **{c: _r(r[c], 3) for c in ("slope", "slope_ci_low", "slope_ci_high",
                                                "spearman", "spearman_ci_low",
                                                "spearman_ci_high")},
                    "highest_value": _r(r["highest_value"], 2),
                    "lowest_value": _r(r["lowest_value"], 2),
                    "ratio": _r(r["highest_lowest_ratio"], 2),
                    "ratio_ci_low": _r(r["ratio_ci_low"], 2),
                    "ratio_ci_high": _r(r["ratio_ci_high"], 2),
                    "progressive": r["progressive"]})
    out.sort(key=lambda x: (x["school_year"], PROGRESSIVITY.index(x["measure"])))
    return _table(out, PROGRESSIVITY_COLUMNS, {"school_year": _I, "measure": _S, "unit": _S,
                                               "schools": _I, "progressive": _S})


def resource_tables(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, pa.Table]:
    """The public resources tables present in the warehouse (none when the stage did not run)."""
    from gapwatch.warehouse import Warehouse

    have = Warehouse(con).tables()
    out: dict[str, pa.Table] = {}
    if "progressivity_by_school" in have:
        out["resources_schools"] = school_table(con, min_n)
    if "staffing_by_band" in have:
        out["resources_bands"] = band_table(con, min_n)
        if "staffing_gap" in have:
            out["resources_gaps"] = gap_table(con, out["resources_bands"])
    if "progressivity" in have:
        out["resources_progressivity"] = progressivity_table(con)
    return out
