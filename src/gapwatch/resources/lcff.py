"""LCFF from the warehouse: what a district's students generate under California's Local
Control Funding Formula, and, school by school, the supplemental and concentration (S&C) dollars
its students generate against the ``LCFF_SUPP_CONC`` dollars its budget shows.

The formula is :mod:`gapwatch.resources.lcff_formula` (EC 42238.02), the rates are data
(:mod:`gapwatch.resources.lcff_tables`, ``lcff_rates/<fiscal year>.toml``, 2021-22 to 2025-26);
both are re-exported here. UPP, the unduplicated pupil percentage, is census-day unduplicated
pupils (EL, free/reduced-price meal eligible or foster, each counted once) over enrollment,
summed over the year and the two before.

From the warehouse (approximations, see docs): ADA = days attended / the school's days in the
year (its largest ``days_enrolled``), over the whole year, not CDE's P-2 ADA; TK (grade -1)
counts in K-3 and its ADA (``ada_tk``) earns the TK add-on; FRPM eligibility is ``frpm``, or
``sed`` where ``frpm`` is empty; census day as in the views (first Wednesday of October).
Supplemental, concentration and ``supp_conc_generated`` of a school use the school's own
census-day UPP of the year (a charter school's concentration share capped at the district's
UPP); ``supp_conc_district_rate_share`` uses the district's rolling UPP (how the district is
funded) and adds up over schools to the district's S&C.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from gapwatch.calendar import census_day
from gapwatch.resources.lcff_formula import (
    Entitlement,
    SpanAmounts,
    lcff_entitlement,
    rolling_years,
    unduplicated_pupil_percentage,
)
from gapwatch.resources.lcff_tables import SPANS, Rates, fiscal_year, rate_tables
from gapwatch.warehouse import Warehouse

__all__ = ["ADA_COLUMNS", "SPANS", "Entitlement", "Rates", "SpanAmounts", "district_lcff",
           "fiscal_year", "lcff_entitlement", "rate_tables", "rolling_years", "school_lcff",
           "unduplicated_pupil_percentage"]

ADA_COLUMNS = ("ada_k3", "ada_4_6", "ada_7_8", "ada_9_12")


# --- From the warehouse -----------------------------------------------------------------------

_NO_ATTENDANCE = ("SELECT NULL::VARCHAR AS student_id, NULL::VARCHAR AS school_id, NULL::INT "
                  "AS school_year, NULL::BIGINT AS n_enrolled, NULL::BIGINT AS n_absent LIMIT 0")
_ATTENDANCE = """SELECT student_id, school_id,
    year(date) + CASE WHEN month(date) >= 7 THEN 1 ELSE 0 END AS school_year,
    count(*) AS n_enrolled, count(*) FILTER (WHERE status IN ('A', 'E', 'S')) AS n_absent
    FROM attendance_daily GROUP BY ALL"""
_SPAN = ("CASE WHEN e.grade <= 3 THEN 'K-3' WHEN e.grade <= 6 THEN '4-6' WHEN e.grade <= 8 "
         "THEN '7-8' WHEN e.grade <= 12 THEN '9-12' END")
_ADA = ", ".join(f"coalesce(sum(attended / days_in_year) FILTER (WHERE span = '{s}'), 0)"
                 for s in SPANS)
FACTS_SQL = """WITH census(school_year, census_day) AS (VALUES {census}),
att AS ({attendance}),
rows AS (
    SELECT e.school_year, e.school_id, e.student_id, e.grade, {span} AS span,
           coalesce(a.n_enrolled, e.days_enrolled) AS d_enrolled,
           coalesce(a.n_enrolled, e.days_enrolled) - coalesce(a.n_absent, e.days_absent)
               AS attended,
           e.entry_date <= c.census_day AND coalesce(e.exit_date >= c.census_day, TRUE)
               AS on_census,
           coalesce(e.el_status = 'EL', FALSE) OR coalesce(e.frpm, e.sed, FALSE)
               OR coalesce(e.foster, FALSE) AS unduplicated
    FROM enrollments e JOIN census c ON c.school_year = e.school_year
    LEFT JOIN att a ON a.student_id = e.student_id AND a.school_id = e.school_id
                   AND a.school_year = e.school_year
),
days AS (SELECT *, NULLIF(max(d_enrolled) OVER (PARTITION BY school_year, school_id), 0)
                   AS days_in_year FROM rows)
SELECT school_year, CASE WHEN grouping(school_id) = 0 THEN school_id END, {ada},
       coalesce(sum(attended / days_in_year) FILTER (WHERE grade = -1), 0),
       coalesce(sum(attended / days_in_year) FILTER (WHERE span IS NULL), 0),
       count(*) FILTER (WHERE attended IS NULL),
       count(DISTINCT student_id) FILTER (WHERE on_census),
       count(DISTINCT student_id) FILTER (WHERE on_census AND unduplicated)
FROM days GROUP BY GROUPING SETS ((school_year, school_id), (school_year)) ORDER BY ALL"""


@dataclass(frozen=True)
class _Facts:
    ada: dict[str, float]
    ada_tk: float  #: part of the K-3 ADA in transitional kindergarten
    ungraded: float
    no_days: int
    enrollment: int
    unduplicated: int


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables given to the warehouse (or, in a hand-built database, the tables there are)."""
    names = Warehouse(con).tables()
    sql = "SELECT table_name FROM ingest_tables WHERE given"
    return {r[0] for r in con.sql(sql).fetchall()} if "ingest_tables" in names else names


def _facts(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str | None], _Facts]:
    """ADA by span, ungraded ADA, rows without days, census enrollment and unduplicated, by
    (school year, school id); school id None for the district."""
    years = [r[0] for r in con.sql("SELECT DISTINCT school_year FROM enrollments").fetchall()]
    if not years:
        return {}
    census = ", ".join(f"({y}, DATE '{census_day(y).isoformat()}')" for y in years)
    attendance = _ATTENDANCE if "attendance_daily" in _present(con) else _NO_ATTENDANCE
    sql = FACTS_SQL.format(census=census, attendance=attendance, span=_SPAN, ada=_ADA)
    return {(r[0], r[1]): _Facts(dict(zip(SPANS, map(float, r[2:6]), strict=True)), float(r[6]),
                                 float(r[7]), *r[8:]) for r in con.sql(sql).fetchall()}


def _notes(f: _Facts, rates: Rates | None, year: int) -> list[str]:
    notes = [] if rates else [f"no LCFF rate table for fiscal year {fiscal_year(year)}"]
    if rates and f.ada_tk and rates.tk_add_on is None:
        why = rates.tk_add_on_note or "no figure in the rate table"
        notes.append(f"TK add-on for {rates.fiscal_year} left out ({why})")
    if f.ungraded:
        notes.append(f"{f.ungraded:.1f} ADA of ungraded students left out (no grade span)")
    if f.no_days:
        notes.append(f"{f.no_days} enrollment rows without days enrolled/absent left out of ADA")
    return notes


_PARTS = ("base", "grade_span_adjustment", "supplemental", "concentration", "tk_add_on")


def _amounts(f: _Facts, upp: float | None, rates: Rates | None,
             host_upp: float | None = None) -> dict[str, float | None]:
    """Base, adjustment, supplemental, concentration, TK add-on (S&C None without a UPP, all
    without rates; the add-on None when the rates have no figure)."""
    e = lcff_entitlement(f.ada, upp or 0.0, rates, tk_ada=min(f.ada_tk, f.ada["K-3"]),
                         host_upp=host_upp) if rates else None
    return {p: getattr(e, p) if e and (upp is not None or p not in ("supplemental",
                                                                      "concentration"))
            else None for p in _PARTS}


def _total(a: dict[str, float | None]) -> float | None:
    """Sum of the parts; None without S&C (a missing TK add-on is left out, with a note)."""
    return None if a["supplemental"] is None else sum(v for v in a.values() if v is not None)


def _supp_conc(a: dict[str, float | None]) -> float | None:
    return None if a["supplemental"] is None else a["supplemental"] + a["concentration"]


def _table(rows: list[dict], strings: tuple[str, ...], ints: tuple[str, ...]) -> pa.Table:
    names = list(rows[0]) if rows else [*strings, *ints]
    types = {n: pa.string() if n in strings else pa.int64() if n in ints
             else pa.bool_() if n == "rates_verified" else pa.float64() for n in names}
    return pa.Table.from_pylist(rows, schema=pa.schema(list(types.items())))


def _charters(con: duckdb.DuckDBPyConnection) -> set[str]:
    if "is_charter" not in Warehouse(con).columns("schools"):
        return set()
    return {r[0] for r in con.sql("SELECT school_id FROM schools WHERE is_charter").fetchall()}


def _district_upp(facts: dict[tuple[int, str | None], _Facts]) -> dict[int, tuple[float, tuple]]:
    counts = {y: (f.unduplicated, f.enrollment) for (y, s), f in facts.items() if s is None}
    return {y: (unduplicated_pupil_percentage(counts, y), rolling_years(counts, y))
            for y in counts if sum(counts[u][1] for u in rolling_years(counts, y))}


def district_lcff(con: duckdb.DuckDBPyConnection, year: int | None = None,
                  rates: Mapping[int, Rates] | None = None) -> pa.Table:
    """The district's LCFF target entitlement per school year (``year``: only that one), at
    the shipped rates or ``rates`` (by school year).

    Columns: ``school_year, fiscal_year, district_id, district_name``; ``ada`` and
    ``ada_k3, ada_4_6, ada_7_8, ada_9_12`` and ``ada_tk`` (TK, part of ``ada_k3``); census-day
    ``enrollment, unduplicated``; ``upp`` (rolling, over ``upp_years`` years); dollars ``base,
    grade_span_adjustment, supplemental, concentration, tk_add_on, total`` (empty without a
    rate table); ``rates_verified``; ``note``.
    """
    facts, tables = _facts(con), rate_tables() if rates is None else rates
    upps = _district_upp(facts)
    ident = con.sql("SELECT min(district_id), min(district_name) FROM schools").fetchall()[0]
    rows = []
    for (y, school), f in facts.items():
        if school is not None or year not in (None, y):
            continue
        r, (upp, used) = tables.get(y), upps.get(y, (None, ()))
        notes = _notes(f, r, y)
        if len(used) < 3:
            notes.insert(0, f"UPP over {len(used)} year(s) {list(used)}: no earlier census "
                         "counts in the warehouse")
        a = _amounts(f, upp, r)
        rows.append({"school_year": y, "fiscal_year": fiscal_year(y), "district_id": ident[0],
                     "district_name": ident[1], "ada": sum(f.ada.values()),
                     **dict(zip(ADA_COLUMNS, f.ada.values(), strict=True)), "ada_tk": f.ada_tk,
                     "enrollment": f.enrollment, "unduplicated": f.unduplicated,
                     "upp": upp, "upp_years": len(used), **a, "total": _total(a),
                     "rates_verified": r.verified if r else None, "note": "; ".join(notes)})
    return _table(rows, ("fiscal_year", "district_id", "district_name", "note"),
                  ("school_year", "enrollment", "unduplicated", "upp_years"))


def school_lcff(con: duckdb.DuckDBPyConnection,
                rates: Mapping[int, Rates] | None = None) -> pa.Table:
    """Per school and year: the LCFF dollars its students generate and the ``LCFF_SUPP_CONC``
    budget lines it received (summed over categories).

    Columns as :func:`district_lcff` (school instead of district, no ``total``), with ``upp``
    the school's own census-day share this year and ``supplemental, concentration`` at it (a
    charter school's concentration share capped at the district's UPP: ``concentration_upp``,
    EC 42238.02); also ``district_upp``; ``supp_conc_generated`` (supplemental +
    concentration at the school's UPP); ``supp_conc_district_rate_share`` (the same at the
    district UPP: the school's ADA share of the district's S&C); ``supp_conc_received``
    (empty without ``budgets``); ``difference`` = received - generated;
    ``received_per_unduplicated``.
    """
    facts, tables = _facts(con), rate_tables() if rates is None else rates
    upps = _district_upp(facts)
    names = dict(con.sql("SELECT school_id, school_name FROM schools").fetchall())
    got_by = {(y, s): v for y, s, v in con.sql(
        "SELECT school_year, school_id, sum(amount)::DOUBLE FROM budgets "
        "WHERE fund_source = 'LCFF_SUPP_CONC' GROUP BY ALL").fetchall()
    } if "budgets" in _present(con) else None
    empty = _Facts(dict.fromkeys(SPANS, 0.0), 0.0, 0.0, 0, 0, 0)
    charters = _charters(con)
    rows = []
    for y, s in sorted({k for k in facts if k[1] is not None} | set(got_by or {})):
        f, r, d_upp = facts.get((y, s), empty), tables.get(y), upps.get(y, (None,))[0]
        upp = f.unduplicated / f.enrollment if f.enrollment else None
        notes = _notes(f, r, y) + ([] if f.enrollment else ["no students enrolled on census day"])
        cap = d_upp if s in charters else None
        if cap is not None and upp is not None and upp > cap:
            notes.append(f"charter school: concentration share capped at the district's UPP "
                         f"({100 * cap:.1f}%, EC 42238.02)")
        own, share = _amounts(f, upp, r, cap), _amounts(f, d_upp, r)
        generated = _supp_conc(own)
        got = None if got_by is None else got_by.get((y, s), 0.0)
        if got_by is None:
            notes.append("received: not computed, needs budgets")
        rows.append({
            "school_year": y, "fiscal_year": fiscal_year(y), "school_id": s,
            "school_name": names.get(s), "ada": sum(f.ada.values()),
            **dict(zip(ADA_COLUMNS, f.ada.values(), strict=True)), "ada_tk": f.ada_tk,
            "enrollment": f.enrollment, "unduplicated": f.unduplicated, "upp": upp,
            "district_upp": d_upp,
            "concentration_upp": None if upp is None else min(upp, cap if cap is not None
                                                              else upp), **own,
            "supp_conc_generated": generated,
            "supp_conc_district_rate_share": _supp_conc(share),
            "supp_conc_received": got,
            "difference": None if got is None or generated is None else got - generated,
            "received_per_unduplicated": got / f.unduplicated
            if got is not None and f.unduplicated else None,
            "rates_verified": r.verified if r else None, "note": "; ".join(notes)})
    return _table(rows, ("fiscal_year", "school_id", "school_name", "note"),
                  ("school_year", "enrollment", "unduplicated"))
