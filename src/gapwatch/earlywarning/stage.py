"""``gapwatch early-warning``: flags, model, fairness, tiers, supports and effects in one run.

Stores its tables in the warehouse (replacing earlier runs) and exports them for staff. Every
exported file is owner-only from the moment it exists (:mod:`gapwatch.files`); student-level
tables (:data:`CONFIDENTIAL`) are also marked confidential in their Parquet metadata and listed
in ``CONFIDENTIAL.txt``; they never go through the privacy door, and the public report reads
none of them (docs/early-warning.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gapwatch.config import Config
from gapwatch.warehouse import Warehouse

#: student-level tables: staff only, never public
CONFIDENTIAL = ("student_flags", "student_tiers", "referrals", "supports_in_place")
#: aggregate tables (still for staff: they describe the model and the district's students)
AGGREGATE = ("model_report", "model_calibration", "fairness_audit", "intervention_effects")
NOTICE = """CONFIDENTIAL: student records (FERPA, 34 CFR Part 99; California Education Code 49076).
These files name individual students. Share them only with staff who serve these students.
They are not public data: never attach them to a public report or post them.

Student-level files in this folder:
"""


@dataclass
class EarlyWarning:
    """What one run computed."""

    school_year: int
    tables: dict[str, pa.Table]
    report: object | None = None  #: the ModelReport, when the model could be trained
    notes: list[str] = field(default_factory=list)


def run_early_warning(con: duckdb.DuckDBPyConnection, config: Config, *,
                      school_year: int | None = None,
                      step: Callable[[str], None] = lambda _: None) -> EarlyWarning:
    """Compute every early-warning table for ``school_year`` (default: the latest)."""
    from gapwatch.earlywarning.effects import intervention_effects
    from gapwatch.earlywarning.flags import Thresholds, student_flag_summary, student_flags
    from gapwatch.earlywarning.measures import student_measures
    from gapwatch.earlywarning.model import score_students, train_and_evaluate
    from gapwatch.earlywarning.supports import suggest_partners, supports_in_place
    from gapwatch.earlywarning.tiers import TierRules, assign_tiers

    step("measures")
    measures = student_measures(con)
    years = sorted(set(measures.column("school_year").to_pylist()))
    if not years:
        raise ValueError("no enrollments in the warehouse: nothing to flag")
    year = school_year if school_year is not None else years[-1]
    if year not in years:
        raise ValueError(f"school year {year} is not in the warehouse (it has "
                         f"{', '.join(map(str, years))})")
    step("flags")
    all_flags = student_flags(con, None, Thresholds.from_config(config))
    flags = all_flags.filter(pc.equal(all_flags.column("school_year"), year))
    notes, report, scores = [], None, None
    step("model")
    try:
        report = train_and_evaluate(con, config["early_warning.outcome"],
                                    float(config["early_warning.capacity"]),
                                    measures=measures, flags=all_flags)
        scores = score_students(con, report, year, measures=measures)
    except ValueError as err:
        notes.append(f"model not trained ({err}); tiers come from the rules alone")
    step("supports")
    supports = supports_in_place(con, year)
    step("tiers")
    students = measures.filter(pc.equal(measures.column("school_year"), year)).select(
        ["school_year", "student_id", "school_id", "grade"])
    tiers = assign_tiers(students, student_flag_summary(flags), scores, supports,
                         TierRules.from_config(config))
    step("referrals")
    referrals = suggest_partners(con, flags, year)
    step("intervention effects")
    effects = intervention_effects(con, int(config["early_warning.effects_min_n"]),
                                   measures=measures)
    tables = {"student_flags": flags, "student_tiers": tiers, "referrals": referrals,
              "supports_in_place": supports, "intervention_effects": effects}
    if report is not None:
        model = report.to_tables()
        tables |= {"model_report": model["model_report"],
                   "model_calibration": model["calibration"],
                   "fairness_audit": model["fairness"]}
    return EarlyWarning(year, tables, report, notes)


def store(con: duckdb.DuckDBPyConnection, result: EarlyWarning) -> None:
    """Replace the early-warning tables in the warehouse (one transaction)."""
    Warehouse(con).store_many(result.tables)


def for_school(result: EarlyWarning, school_id: str | None,
               students: set[str] | None = None) -> dict[str, pa.Table]:
    """The tables narrowed to one school and/or a caseload (aggregates unchanged)."""
    out = {}
    for name, table in result.tables.items():
        if name in CONFIDENTIAL and school_id is not None and "school_id" in table.column_names:
            table = table.filter(pc.equal(table.column("school_id"), school_id))
        if name in CONFIDENTIAL and students is not None:
            table = table.filter(pc.is_in(table.column("student_id"),
                                          pa.array(sorted(students), pa.string())))
        out[name] = table
    return out


def export(tables: dict[str, pa.Table], out: Path, *,
           warehouse: Path | None = None) -> list[Path]:
    """Write every table as Parquet and CSV into the folder ``out``, with ``CONFIDENTIAL.txt``.

    Staff only and not suppressed, so every file is owner-only from the start: the folder is
    built privately beside ``out`` and swapped in whole (:func:`gapwatch.files.replace_folder`;
    ``out`` must be new, empty or a previous early-warning export, and never hold
    ``warehouse``). Parquet metadata marks each table student-level or aggregate.
    """
    from gapwatch.files import replace_folder, write_arrow

    names: list[str] = []
    with replace_folder(out, "early-warning", public=False, warehouse=warehouse) as building:
        for name, table in tables.items():
            secret = name in CONFIDENTIAL
            meta = {b"gapwatch.confidential": b"student-level" if secret else b"aggregate"}
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
            pq.write_table(table, building / f"{name}.parquet")
            write_arrow(table, building / f"{name}.csv")
            names += [f"{name}.parquet", f"{name}.csv"]
        listed = "".join(f"- {n}.parquet, {n}.csv\n" for n in tables if n in CONFIDENTIAL)
        (building / "CONFIDENTIAL.txt").write_text(NOTICE + listed, encoding="utf-8")
    return [out / name for name in names]


def caseload(con: duckdb.DuckDBPyConnection, staff_id: str, school_year: int) -> set[str]:
    """Students a staff member serves that year: in a section they teach (``sections`` and
    ``course_marks``) or receiving an intervention they provide (``interventions``)."""
    have = Warehouse(con).tables()
    parts = []
    if {"sections", "course_marks"} <= have:
        parts.append("SELECT DISTINCT m.student_id FROM course_marks m JOIN sections s "
                     "ON s.section_id = m.section_id AND s.school_year = m.school_year "
                     "WHERE s.teacher_staff_id = $staff AND m.school_year = $year")
    if "interventions" in have:
        parts.append("SELECT DISTINCT student_id FROM interventions "
                     "WHERE provider_staff_id = $staff AND school_year = $year")
    if not parts:
        return set()
    rows = con.execute(" UNION ".join(parts), {"staff": staff_id, "year": school_year}).fetchall()
    return {str(r[0]) for r in rows}
