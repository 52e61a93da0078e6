"""Run every analysis stage on a warehouse, with progress and a closing summary.

Stages, in order, each replacing its tables in the warehouse:

1. indicators (``indicator_results``, ``indicator_status``);
2. gaps and their trends (``gaps``, ``gap_trends``);
3. California Dashboard levels, the equity report and support identification (``dashboard``,
   ``equity_report``, ``support``);
4. district goals from the config file (``goals_progress``);
5. resources: need index, LCFF, staffing stability, progressivity (``need_index``, ``lcff``,
   ``staffing``, ``progressivity`` and their companions; see :mod:`gapwatch.resources.stage`).

``gapwatch run`` and ``gapwatch demo`` call :func:`run_all`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gapwatch import coverage
from gapwatch.config import Config
from gapwatch.indicators import RunSummary, run
from gapwatch.summary import render_summary
from gapwatch.warehouse import writing


def analyse(db: Path, config: Config, step: Callable[[str], None] = lambda _: None) -> dict:
    """Stages 2-5 on a warehouse whose indicators are computed; return row counts."""
    from gapwatch.dashboard.designations import store_support
    from gapwatch.dashboard.equity import store_equity_report
    from gapwatch.dashboard.table import compute_dashboard, store_dashboard
    from gapwatch.gaps.table import compute_gaps, store_gaps
    from gapwatch.gaps.trends import store_trends
    from gapwatch.goals.store import store_goals
    from gapwatch.resources.stage import store_resources

    counts: dict[str, int] = {}
    with writing(db) as con:
        step("measuring gaps")
        gaps = compute_gaps(con, config)
        store_gaps(con, gaps)
        counts["gaps"] = gaps.num_rows
        step("gap trends across years")
        counts["gap_trends"] = store_trends(con)
        step("California Dashboard levels and colors")
        dashboard = compute_dashboard(con)
        store_dashboard(con, dashboard)
        counts["dashboard"] = dashboard.num_rows
        counts["equity_report"] = store_equity_report(con)
        step("support identification (DA, CSI, ATSI)")
        counts["support"] = store_support(con)
        step("district goals")
        counts["goals_progress"] = store_goals(con, config)
        counts.update(store_resources(con, config, step))
        counts["run_status"] = coverage.store(con)
    return counts


def run_all(db: Path, config: Config, *, engine: str = "duckdb",
            console: Console | None = None) -> int:
    """Compute and store everything for ``db``; print a summary; return an exit code."""
    from gapwatch.goals.store import configured_goals

    started = time.perf_counter()
    from gapwatch.resources.stage import need_spec

    configured_goals(config)  # a mistake in the goals or need index stops the run early
    need_spec(config)
    if console is None:
        summary = run(db, config, engine)
        analyse(db, config)
        return 0
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(f"computing indicators on {engine}", total=None)

        def step(text: str) -> None:
            progress.update(task, description=text)

        summary: RunSummary = run(db, config, engine, step=step)
        counts = analyse(db, config, step)
    for renderable in render_summary(db, summary, counts, time.perf_counter() - started):
        console.print(renderable)
    return 0
