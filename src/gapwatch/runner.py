"""Run the registered stages on a warehouse, with progress and a closing summary.

The stages and their order are :data:`gapwatch.stages.RUN` (docs/architecture.md, "Stages"):
indicators, gaps and their trends, Dashboard levels, the equity report, support
identification, district goals, the resources parts (need index, LCFF, staffing,
progressivity) and the run status. Each replaces its tables in the warehouse; a stage whose
inputs are missing is skipped, with the reason in ``run_status``.

``gapwatch run`` and ``gapwatch demo`` call :func:`run_all`; ``gapwatch early-warning`` runs
:data:`gapwatch.stages.EARLY_WARNING` through :func:`run_stages`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gapwatch.config import Config
from gapwatch.stages import RUN, Context, Outcome, Stage
from gapwatch.summary import render_summary
from gapwatch.warehouse import writing


def run_stages(ctx: Context, stages: Sequence[Stage]) -> list[Outcome]:
    """Run ``stages`` in order on ``ctx``; a stage whose needs are missing is skipped with its
    reason. Return (and append to ``ctx.outcomes``) what each did."""
    ctx.planned = ctx.planned | {t for s in stages for t in s.produces}
    done: list[Outcome] = []
    for stage in stages:
        missing = ctx.missing(stage)
        if missing:
            outcome = Outcome(stage, {}, "needs " + ", ".join(missing))
        else:
            ctx.step(stage.description)
            started = time.perf_counter()
            stored = stage.run(ctx)
            outcome = Outcome(stage, stored, seconds=time.perf_counter() - started)
        ctx.outcomes.append(outcome)
        done.append(outcome)
    return done


def counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """Rows stored per table, in stage order."""
    return {name: n for o in outcomes for name, n in o.counts.items()}


def slowest(outcomes: Sequence[Outcome], top: int = 3) -> dict[str, float]:
    """The ``top`` stages that took longest, with their seconds, longest first."""
    ran = sorted((o for o in outcomes if o.ran), key=lambda o: -o.seconds)
    return {o.stage.name: o.seconds for o in ran[:top]}


def run_all(db: Path, config: Config, *, engine: str = "duckdb",
            console: Console | None = None) -> int:
    """Compute and store everything for ``db``; print a summary; return an exit code."""
    from gapwatch.goals.store import configured_goals
    from gapwatch.resources.stage import need_spec

    started = time.perf_counter()
    configured_goals(config)  # a mistake in the goals or need index stops the run early
    need_spec(config)
    if console is None:
        with writing(db) as con:
            run_stages(Context(con, config, engine=engine), RUN)
        return 0
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(f"computing indicators on {engine}", total=None)

        def step(text: str) -> None:
            progress.update(task, description=text)

        with writing(db) as con:
            ctx = Context(con, config, step, engine=engine)
            run_stages(ctx, RUN)
    for renderable in render_summary(db, ctx.outputs["indicators"], counts(ctx.outcomes),
                                     time.perf_counter() - started, slowest(ctx.outcomes)):
        console.print(renderable)
    return 0
