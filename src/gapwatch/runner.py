"""Run every analysis stage on a warehouse, with progress and a closing summary.

Today: indicators. Later stages (gaps, Dashboard levels, goals) join here, so that
``gapwatch run`` and ``gapwatch demo`` stay one call.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from gapwatch.config import Config
from gapwatch.indicators import BUILTIN_BY_ID, RunSummary, run


def run_all(db: Path, config: Config, *, engine: str = "duckdb",
            console: Console | None = None) -> int:
    """Compute and store everything for ``db``; print a summary; return an exit code."""
    if console is None:
        summary = run(db, config, engine)
    else:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task(f"computing indicators on {engine}", total=None)
            summary = run(db, config, engine,
                          step=lambda text: progress.update(task, description=text))
        console.print(render_summary(db, summary))
    return 0


def render_summary(db: Path, summary: RunSummary) -> Table:
    """District-wide value for all students of each indicator, latest year, with n."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT indicator, school_year, n, value, kind FROM indicator_results "
            "WHERE entity_type = 'district' AND student_group = 'ALL' "
            "QUALIFY school_year = max(school_year) OVER (PARTITION BY indicator) "
            "ORDER BY indicator"
        ).fetchall()
    finally:
        con.close()
    title = (f"{len(summary.computed)} indicators, {summary.rows:,} results in "
             f"{summary.seconds:.1f} s ({summary.engine}); district, all students, latest year")
    table = Table(title=title, title_justify="left")
    for col in ("indicator", "year", "n", "value"):
        table.add_column(col, justify="left" if col == "indicator" else "right")
    for indicator, year, n, value, kind in rows:
        shown = f"{value:.1%}" if kind == "rate" else f"{value:+.1f}"
        table.add_row(BUILTIN_BY_ID[indicator].name if indicator in BUILTIN_BY_ID else indicator,
                      str(year), f"{n:,}", shown)
    for indicator, why in summary.not_computed.items():
        table.add_row(f"[dim]{indicator}", "", "", f"[dim]not computed: {why}")
    return table
