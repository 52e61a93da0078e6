"""``gapwatch export``: the warehouse's result tables as Parquet and CSV files.

Each export is a result table of the warehouse written under a fixed file name with fixed
columns (a public contract: users' scripts read these files). Which tables: those the stages of
``gapwatch run`` produce, except internal and confidential ones (:mod:`gapwatch.stages`).
These exports are for district staff; the public report (a separate command) passes everything
through the privacy door. They are owner-only, and their CSV text cells are neutralised against
formula injection (:mod:`gapwatch.files`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from gapwatch.dashboard.designations import SUPPORT_COLUMNS
from gapwatch.dashboard.equity import EQUITY_COLUMNS
from gapwatch.dashboard.table import DASHBOARD_COLUMNS
from gapwatch.files import copy_query
from gapwatch.gaps.table import GAP_COLUMNS, GAP_EXTRA_COLUMNS
from gapwatch.gaps.trends import TREND_COLUMNS
from gapwatch.goals.progress import PROGRESS_COLUMNS
from gapwatch.indicators.results import EXTRA_COLUMNS, RESULT_COLUMNS
from gapwatch.sql import quote_ident, sql_string
from gapwatch.stages import exported_tables

ENTITY_RANK = "CASE entity_type WHEN 'district' THEN 0 WHEN 'board_district' THEN 1 ELSE 2 END"


@dataclass(frozen=True)
class Export:
    table: str  #: warehouse table
    stem: str  #: file name without extension
    columns: tuple[str, ...]  #: empty: every column of the table, in its order
    order: str


#: how each exported table is written: its columns (empty: every column, in the table's order)
#: and its row order. Which tables are exported comes from the stages (:data:`EXPORTS`).
LAYOUTS: dict[str, tuple[tuple[str, ...], str]] = {
    "indicator_results": (RESULT_COLUMNS + EXTRA_COLUMNS,
                          f"school_year, indicator, {ENTITY_RANK}, entity_id, student_group"),
    "gaps": (GAP_COLUMNS + GAP_EXTRA_COLUMNS,
             f"school_year, indicator, {ENTITY_RANK}, entity_id, student_group, reference, "
             "metric"),
    "gap_trends": (TREND_COLUMNS,
                   f"indicator, {ENTITY_RANK}, entity_id, student_group, reference, metric"),
    "dashboard": (DASHBOARD_COLUMNS,
                  f"school_year, indicator, {ENTITY_RANK}, entity_id, student_group"),
    "equity_report": (EQUITY_COLUMNS, f"school_year, indicator, {ENTITY_RANK}, entity_id"),
    "support": (SUPPORT_COLUMNS,
                f"school_year, {ENTITY_RANK}, entity_id, designation, student_group"),
    "goals_progress": (PROGRESS_COLUMNS, f"goal_id, {ENTITY_RANK}, entity_id, student_group"),
    "need_index": ((), "school_year, rank, school_id"),
    "need_factors": ((), "school_year, school_id, factor"),
    "need_index_stability": ((), "from_year"),
    "lcff": ((), "school_year, school_id"),
    "lcff_district": ((), "school_year"),
    "staffing": ((), "school_year, school_id"),
    "staffing_by_band": ((), "school_year, band"),
    "staffing_gap": ((), "school_year, measure"),
    "progressivity": ((), "school_year, measure"),
    "progressivity_by_school": ((), "school_year, school_id"),
    "run_status": ((), "stage, measure"),
}

#: every table the stages of ``gapwatch run`` produce for readers (not internal, never
#: confidential: :func:`gapwatch.stages.exported_tables`), in stage order, under its own name
EXPORTS: tuple[Export, ...] = tuple(Export(t, t, *LAYOUTS[t]) for t in exported_tables())


def export(db: Path, out: Path) -> list[Path]:
    """Write every export whose table exists in the warehouse into the folder ``out``; return
    the files written.

    The exports are not suppressed, so they are owner-only: built in a private folder beside
    ``out`` and swapped in whole (:func:`gapwatch.files.replace_folder`). ``out`` must be new,
    empty or a previous export, and must not hold the warehouse (:class:`FolderRefused`).
    """
    from gapwatch.files import replace_folder
    from gapwatch.warehouse import Warehouse, connect

    con = connect(db)
    names: list[str] = []
    try:
        have = Warehouse(con).tables()
        specs = [spec for spec in EXPORTS if spec.table in have]
        if not specs:
            return []
        with replace_folder(out, "export", public=False, warehouse=db) as building:
            for spec in specs:
                names += _write(con, spec, building)
    finally:
        con.close()
    return [out / name for name in names]


def _write(con: duckdb.DuckDBPyConnection, spec: Export, out: Path) -> list[str]:
    cols = ", ".join(quote_ident(c) for c in spec.columns) or "*"
    query = f"SELECT {cols} FROM {quote_ident(spec.table)} ORDER BY {spec.order}"
    parquet, csv = f"{spec.stem}.parquet", f"{spec.stem}.csv"
    con.execute(f"COPY ({query}) TO {sql_string(str(out / parquet))} (FORMAT parquet)")
    copy_query(con, query, out / csv)
    return [parquet, csv]
