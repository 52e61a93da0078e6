"""What the data given can and cannot compute: for each indicator, yes, or which table or field
is missing. Printed by ``gapwatch check`` and ``gapwatch ingest`` for every source.

It reads the staging tables (the rows given, before validation), so a refused load still says
what its data would support. An indicator needs its tables (``needs`` in the registry), the
columns it reads with values (``needs_columns``) and, for some, particular rows (ELPAC scores
for English learner progress, a-g flags for a-g on track): :data:`CONTENT` lists those.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from gapwatch.contract import TABLES
from gapwatch.indicators.registry import BUILTIN
from gapwatch.ingest.bundle import Staged
from gapwatch.ingest.validate import staging_name

#: indicator -> (SQL condition on a staged table, table, what is missing when no row meets it)
CONTENT: dict[str, tuple[str, str, str]] = {
    "ela_dfs": ("test IN ('SBAC', 'CAA') AND subject = 'ELA'", "assessments",
                "no SBAC or CAA English language arts scores"),
    "math_dfs": ("test IN ('SBAC', 'CAA') AND subject = 'MATH'", "assessments",
                 "no SBAC or CAA mathematics scores"),
    "ela_met": ("subject = 'ELA' AND performance_level IS NOT NULL", "assessments",
                "no English language arts achievement levels"),
    "math_met": ("subject = 'MATH' AND performance_level IS NOT NULL", "assessments",
                 "no mathematics achievement levels"),
    "grade3_reading_met": ("subject = 'ELA' AND grade = '3' AND performance_level IS NOT NULL",
                           "assessments", "no grade 3 English language arts levels"),
    "el_progress": ("test IN ('ELPAC', 'ALT_ELPAC')", "assessments", "no ELPAC scores"),
    "ag_on_track": ("ag_area IS NOT NULL", "course_marks", "no course a-g flags"),
    "el_reclassified_by_grade6": ("el_status IS NOT NULL", "enrollments",
                                  "no English language acquisition status"),
    "ltel_rate": ("el_status IS NOT NULL", "enrollments", "no English language acquisition status"),
}


@dataclass(frozen=True)
class Coverage:
    indicator: str
    name: str
    computable: bool
    missing: str = ""  #: what is missing, in words, when not computable


@dataclass(frozen=True)
class TableSource:
    table: str
    files: tuple[str, ...]
    columns: int
    of: int


def _counts(con: duckdb.DuckDBPyConnection, staged: Staged, table: str, column: str) -> int:
    if table not in staged.tables:
        return 0
    if column not in staged.tables[table].columns:
        return 0
    return con.execute(
        f"SELECT count(\"{column}\") FROM {staging_name(table)}").fetchone()[0]


def _rows(con: duckdb.DuckDBPyConnection, table: str, where: str = "TRUE") -> int:
    try:
        return con.execute(f"SELECT count(*) FROM {staging_name(table)} WHERE {where}"
                           ).fetchone()[0]
    except duckdb.Error:
        return 0


def indicator_coverage(con: duckdb.DuckDBPyConnection, staged: Staged) -> list[Coverage]:
    """Each built-in indicator: computable from the rows given, or what is missing."""
    out = []
    for ind in BUILTIN:
        needs = [t.name for t in TABLES if t.required and t.name not in ind.needs]
        needs += list(ind.needs)
        missing = [f"no {t} table" for t in needs
                   if t not in staged.tables or not _rows(con, t)]
        if not missing:
            for ref in ind.needs_columns:
                table, column = ref.split(".")
                if not _counts(con, staged, table, column):
                    missing.append(f"no {ref} values")
        if not missing and ind.id in CONTENT:
            where, table, why = CONTENT[ind.id]
            if table in staged.tables and not _rows(con, table, where):
                missing.append(why)
        out.append(Coverage(ind.id, ind.name, not missing, "; ".join(missing)))
    return out


def table_sources(staged: Staged) -> list[TableSource]:
    """Which files fill each contract table, and how many of its columns they give."""
    return [
        TableSource(t.name, tuple(staged.tables[t.name].files),
                    len(staged.tables[t.name].columns), len(t.column_names))
        for t in TABLES if t.name in staged.tables
    ]


def one_line(coverage: list[Coverage]) -> str:
    """``chronic absence yes; a-g on track no (no course a-g flags); ...``"""
    return "; ".join(
        f"{c.indicator} yes" if c.computable else f"{c.indicator} no ({c.missing})"
        for c in coverage
    )
