"""Staffing stability and staffing levels by school and year: do stable, experienced staff follow
need?

:func:`staffing_by_school` reads ``staff``, ``sections``, ``enrollments`` and ``schools`` and
returns one row per school and year (column list in :data:`COLUMNS`). Teachers are
``role = 'TEACHER'``, counted by distinct ``staff_id``; shares of teachers count heads, staffing
levels weigh staff by FTE. Rates come with their numerator (``_num``), denominator (``_den``) and
a Wilson 95% interval (Wilson 1927; :func:`gapwatch.indicators.stats.wilson`).

- ``turnover``: of the school's teachers in year t-1, the share who are not teachers at the same
  school in year t: leavers (left the district's teaching staff, including to a non-teaching
  role) plus movers (teaching at another school of the district). The "leavers + movers"
  definition of the NCES Teacher Follow-up Survey, used by Carver-Thomas & Darling-Hammond
  (2017), *Teacher Turnover: Why It Matters and What We Can Do About It*, Learning Policy
  Institute. Empty in the first year of staff data.
- ``novice``: CDE's *inexperienced* teachers, ``years_experience <= 2`` (two or fewer years;
  SBE teacher equity definitions, Nov 2019); ``novice_fte_pct`` their share of teacher FTE.
- Teaching Assignment Monitoring Outcomes (CDE TAMO, METHODS.md 6.2), one per teacher and
  school (:func:`~gapwatch.resources.staffing_spec.tamo_sql`): ``tamo_<outcome>_teachers``,
  ``tamo_<outcome>_fte`` and ``tamo_<outcome>_fte_pct`` (percent of teacher FTE, as CDE
  reports them) for Clear, Out-of-Field, Intern, Ineffective, Incomplete, Unknown and N/A.
  ``not_fully_credentialed``: teachers in Ineffective or Intern assignments;
  ``out_of_field``: teachers in Out-of-Field assignments (limited permits); both over the
  teachers whose outcome is one of the four known ones. ``teachers_misassigned``: credentialed
  teachers without authorization for the assignment (counted as Ineffective).
  ``mandatory``: ``assignment_type = 'MANDATORY'``.
- ``principal_years_at_school`` (mean over the year's principals), ``principal_changed`` (the
  set of principals differs from last year's), ``principals_3yr`` (distinct principals in years
  t-2 to t).
- ``eld_multi_sub``: ELD sections (``is_eld``) with ``distinct_substitutes >= 2``.
- ``<role>s_per_100``: FTE per 100 students enrolled on census day (the first Wednesday in
  October, as CALPADS counts enrollment); ``students_per_teacher``: those students per teacher
  FTE.

A measure whose inputs are missing (absent table or column, first year, no teachers) is NULL and
``note`` says why; it is never 0.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.indicators.stats import rate_stats
from gapwatch.resources._staffing_rows import (
    PARTIAL,
    TEACHER_REASONS,
    eld_reason,
    fte_shares,
    principals,
    ratios,
    round_value,
    staff_availability,
)
from gapwatch.resources._staffing_sql import present_tables, staffing_sql
from gapwatch.resources.staffing_bands import band_gap, staffing_by_band
from gapwatch.resources.staffing_spec import FTE_SHARES, RATIOS, SCHOOL_RATES, STAFF_LEVELS, TAMO

__all__ = ["COLUMNS", "SCHEMA", "band_gap", "staffing_by_band", "staffing_by_school"]

_COUNTS = [c for _, stem in STAFF_LEVELS for c in (f"{stem}s", f"{stem}_fte")] + [
    "principals", *(c for _, stem, _ in TAMO
                    for c in (f"tamo_{stem}_teachers", f"tamo_{stem}_fte")),
    "novice_fte", "novice_fte_den"]
_EXTRA = {"turnover": ["teacher_movers", "teacher_leavers"],
          "not_fully_credentialed": ["teachers_intern", "teachers_permit_waiver_none",
                                     "teachers_misassigned"]}
_RATE_COLS = [c for m in SCHOOL_RATES for c in (
    *(f"{m.name}_{s}" for s in ("num", "den", "rate", "ci_low", "ci_high")),
    *_EXTRA.get(m.name, []))]
#: Output columns, in order.
COLUMNS = ["school_year", "school_id", "school_name", "enrolled_census", "enrolled_cumulative",
           *_COUNTS, "eld_sections", *_RATE_COLS, "principal_years_at_school",
           "principal_changed", "principals_3yr", *(m.name for m in RATIOS),
           *(m.name for m in FTE_SHARES), "note"]


def _type(c: str) -> pa.DataType:
    if c == "school_year":
        return pa.int16()
    if c in ("school_id", "school_name", "note"):
        return pa.string()
    if c == "principal_changed":
        return pa.bool_()
    if c.endswith(("_fte", "_rate", "_ci_low", "_ci_high", "_per_100", "_per_teacher",
                   "_years_at_school", "_fte_pct", "_fte_den")):
        return pa.float64()
    return pa.int64()


#: Arrow schema of :func:`staffing_by_school`.
SCHEMA = pa.schema([(c, _type(c)) for c in COLUMNS])


def staffing_by_school(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Staffing stability and levels, one row per school and year (see the module docstring)."""
    tables = present_tables(con)
    raw = con.sql(staffing_sql(tables)).to_arrow_table().to_pydict()
    n = len(raw["school_id"])
    notes: list[list[str]] = [[] for _ in range(n)]
    staff_ok = staff_availability(raw, "staff" in tables, notes)
    out: dict[str, list] = {c: raw[c] for c in ("school_year", "school_id", "school_name",
                                               "enrolled_census", "enrolled_cumulative")}
    for c in _COUNTS:
        out[c] = [round_value(v) if ok else None for v, ok in zip(raw[c], staff_ok, strict=True)]
    for m in SCHOOL_RATES:
        eld = m.name == "eld_multi_sub"
        why = eld_reason if eld else TEACHER_REASONS[m.name]
        ok = np.zeros(n, dtype=bool)
        for i in range(n):
            if not (eld or staff_ok[i]):
                continue
            reason = why(raw, i, "sections" in tables)
            if reason:
                notes[i].append(f"{m.name}: {reason.removeprefix(PARTIAL)}")
            ok[i] = reason is None or reason.startswith(PARTIAL)
        _put_rate(out, raw, m.name, ok)
        for c in _EXTRA.get(m.name, []):
            out[c] = [v if k else None for v, k in zip(raw[c], ok, strict=True)]
    out["eld_sections"] = [v if raw["section_year"][i] else None
                           for i, v in enumerate(raw["eld_sections"])]
    principals(raw, staff_ok, out, notes)
    ratios(raw, staff_ok, "enrollments" in tables, out, notes)
    fte_shares(raw, staff_ok, out, notes)
    out["note"] = ["; ".join(x) for x in notes]
    return pa.table({c: out[c] for c in COLUMNS}, schema=SCHEMA)


def _put_rate(out: dict[str, list], raw: dict, name: str, ok: np.ndarray) -> None:
    """``<name>_num/_den/_rate/_ci_low/_ci_high``: NULL where not ``ok``."""
    num = np.array([v or 0 for v in raw[f"{name}_num"]], dtype=float)
    den = np.array([v or 0 for v in raw[f"{name}_den"]], dtype=float)
    ok = ok & (den > 0)
    stats = rate_stats(num[ok], den[ok])
    for suffix, key in (("rate", "value"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        col: list[float | None] = [None] * len(ok)
        for j, i in enumerate(np.flatnonzero(ok)):
            col[i] = float(stats[key][j])
        out[f"{name}_{suffix}"] = col
    for suffix in ("num", "den"):
        out[f"{name}_{suffix}"] = [int(v) if k else None
                                   for v, k in zip(raw[f"{name}_{suffix}"], ok, strict=True)]
