"""The measures of :mod:`gapwatch.resources.progressivity` and their per-school inputs.

Each measure is ``scale * numerator / denominator`` of one school and year, so that a need band
pools by adding numerators and denominators (total dollars / total pupils):

- budgets (DATA_MODEL.md ``budgets``, ``amount`` summed over categories): ``dollars_per_pupil``
  (every fund source), ``supp_conc_per_pupil`` (``LCFF_SUPP_CONC``) and ``<fund>_per_pupil``
  for every other fund source in the budgets (e.g. ``title_i_per_pupil``), over the students
  enrolled on census day (first Wednesday in October, as CALPADS; the ``enrolled_census`` of
  :func:`gapwatch.resources.staffing.staffing_by_school`). In a year with budget lines, a school
  without any counts as $0 (its note says so); a year without budget lines has no value.
- staff (from :func:`~gapwatch.resources.staffing.staffing_by_school`, whose docstring defines
  them): ``teachers_per_100``, ``counselors_per_100``, ``nurses_per_100``,
  ``social_workers_per_100`` (FTE per 100 census-day students), and the burdens
  ``novice_teacher_share`` (inexperienced: two or fewer years), ``not_fully_credentialed_share``
  (CDE's Ineffective and Intern), ``out_of_field_share`` (CDE's Out-of-Field) and
  ``teacher_turnover`` (leavers + movers), in percent of teachers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from gapwatch.contract import CODE_SETS
from gapwatch.resources.need_factors import tables
from gapwatch.resources.staffing import staffing_by_school

SUPP_CONC = "LCFF_SUPP_CONC"


@dataclass(frozen=True)
class Measure:
    """One measure: ``scale * parts[numerator] / parts[denominator]`` of a school."""

    name: str
    label: str
    unit: str
    kind: str  #: ``resource`` (more is better for students) or ``burden`` (more is worse)
    source: str  #: ``budgets`` or ``staff``
    numerator: str
    denominator: str = "enrolled_census"
    scale: float = 1.0
    gate: str = ""  #: staffing column that is NULL when staffing could not compute the measure


def _fund_measure(fund: str) -> Measure:
    name = "supp_conc_per_pupil" if fund == SUPP_CONC else f"{fund.lower()}_per_pupil"
    return Measure(name, f"{CODE_SETS['fund_source'].get(fund, fund)}, dollars per pupil",
                   "dollars per pupil", "resource", "budgets", f"fund:{fund}")


def _staff(name: str, label: str, unit: str, kind: str, num: str, den: str, gate: str
           ) -> Measure:
    return Measure(name, label, unit, kind, "staff", num, den, 100.0, gate)


STAFF_MEASURES = (
    *(_staff(f"{stem}s_per_100", f"{role} FTE per 100 students", "FTE per 100 students",
             "resource", f"{stem}_fte", "enrolled_census", f"{stem}s_per_100")
      for stem, role in (("teacher", "Teacher"), ("counselor", "Counselor"), ("nurse", "Nurse"),
                         ("social_worker", "Social worker"))),
    _staff("novice_teacher_share", "Inexperienced teachers (two or fewer years of experience)",
           "% of teachers", "burden", "novice_num", "novice_den", "novice_rate"),
    _staff("not_fully_credentialed_share", "Teachers in Ineffective or Intern assignments (CDE)",
           "% of teachers", "burden", "not_fully_credentialed_num",
           "not_fully_credentialed_den", "not_fully_credentialed_rate"),
    _staff("out_of_field_share", "Teachers in Out-of-Field assignments (CDE)", "% of teachers",
           "burden", "out_of_field_num", "out_of_field_den", "out_of_field_rate"),
    _staff("teacher_turnover", "Teacher turnover from last year (leavers + movers)",
           "% of last year's teachers", "burden", "turnover_num", "turnover_den",
           "turnover_rate"),
)


def measures(funds: list[str]) -> tuple[Measure, ...]:
    """All measures, given the fund sources found in the budgets."""
    total = Measure("dollars_per_pupil", "All budgeted dollars per pupil", "dollars per pupil",
                    "resource", "budgets", "dollars")
    order = list(CODE_SETS["fund_source"])
    others = sorted((f for f in funds if f != SUPP_CONC),
                    key=lambda f: (order.index(f) if f in order else len(order), f))
    return (total, _fund_measure(SUPP_CONC), *map(_fund_measure, others), *STAFF_MEASURES)


INDEX_COLUMNS = ("school_year", "school_id", "score", "band")


def _given(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables present; in an ingested warehouse, only those the bundle gave."""
    present = tables(con)
    if "ingest_tables" in present:
        given = {r[0] for r in con.sql("SELECT table_name FROM ingest_tables WHERE given")
                 .fetchall()}
        present = {t for t in present if t in given or t == "ingest_tables"}
    return present


def _budgets(con: duckdb.DuckDBPyConnection, given: set[str]
             ) -> dict[tuple[int, str], dict[str, float]] | None:
    if "budgets" not in given:
        return None
    out: dict[tuple[int, str], dict[str, float]] = {}
    for year, school, fund, amount in con.sql(
            "SELECT CAST(school_year AS INTEGER), school_id, fund_source, "
            "CAST(sum(amount) AS DOUBLE) FROM budgets GROUP BY ALL").fetchall():
        out.setdefault((year, school), {})[fund] = amount or 0.0
    return out


def school_parts(con: duckdb.DuckDBPyConnection, index: pa.Table
                 ) -> tuple[list[dict], tuple[Measure, ...], dict[str, str]]:
    """One dict per row of ``index``: its need columns, ``enrolled_census`` and every measure's
    numerator and denominator (None where not computed), ``notes`` (a list); the measures; and
    per source (``budgets``, ``staff``) the reason it is missing altogether."""
    missing_cols = [c for c in INDEX_COLUMNS if c not in index.column_names]
    if missing_cols:
        raise ValueError(f"the need index lacks column(s) {', '.join(missing_cols)}")
    given = _given(con)
    budgets = _budgets(con, given)
    staffing = {(int(r["school_year"]), r["school_id"]): r
                for r in staffing_by_school(con).to_pylist()}
    names = dict(con.sql("SELECT school_id, min(school_name) FROM schools GROUP BY 1")
                 .fetchall()) if "schools" in given else {}
    funds = sorted({f for v in (budgets or {}).values() for f in v})
    budget_years = {y for y, _ in budgets or {}}
    absent = {"budgets": "not computed: needs budgets"} if budgets is None else {}
    if "staff" not in given:
        absent["staff"] = "not computed: needs staff"
    rows = []
    for r in index.to_pylist():
        year, school = int(r["school_year"]), r["school_id"]
        s = staffing.get((year, school), {})
        parts: dict = {"school_year": year, "school_id": school,
                       "school_name": r.get("school_name") or names.get(school, school),
                       "score": r["score"], "rank": r.get("rank"),
                       "percentile": r.get("percentile"), "band": r["band"],
                       "enrolled_census": s.get("enrolled_census"), "notes": []}
        if budgets is not None and year in budget_years:
            lines = budgets.get((year, school))
            if lines is None:
                parts["notes"].append("no budget lines this year: counted as $0")
            parts["dollars"] = math.fsum((lines or {}).values())  # exact: order-free
            parts.update({f"fund:{f}": (lines or {}).get(f, 0.0) for f in funds})
        elif budgets is not None:
            parts["notes"].append(f"budget measures: no budget lines for {year}")
        for m in STAFF_MEASURES:
            if s.get(m.gate) is not None:
                parts[m.numerator], parts[m.denominator] = s[m.numerator], s[m.denominator]
        if s.get("note") and "staff" not in absent:
            parts["notes"].append(s["note"])
        rows.append(parts)
    return rows, measures(funds), absent


def value_parts(parts: dict, m: Measure) -> tuple[float, float] | None:
    """(numerator, denominator) of the measure for a school, None when it has no value."""
    if m.source == "staff" and m.numerator not in parts:
        return None
    y, x = parts.get(m.numerator), parts.get(m.denominator)
    if y is None or not x:
        return None
    return float(y), float(x)
