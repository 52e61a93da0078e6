"""Every stage gapwatch runs, in order: what it needs, what it produces, for whom.

Each stage's code lives in its own package; the small functions here only wire a stage to the
shared :class:`~gapwatch.stages.stage.Context` and return the rows stored per table.
"""

from __future__ import annotations

from gapwatch.earlywarning import stage as early_warning
from gapwatch.stages.stage import Audience, Context, Stage

#: the tables every district's bundle has (the contract's required tables)
CORE = ("schools", "students", "enrollments")


def _indicators(ctx: Context) -> dict[str, int]:
    from gapwatch.indicators.results import compute_and_store

    ctx.step(f"computing indicators on {ctx.engine}")
    summary = compute_and_store(ctx.con, ctx.config, ctx.engine, ctx.step)
    ctx.outputs["indicators"] = summary
    return {"indicator_results": summary.rows}


def _gaps(ctx: Context) -> dict[str, int]:
    from gapwatch.gaps.table import compute_gaps, store_gaps

    gaps = compute_gaps(ctx.con, ctx.config)
    store_gaps(ctx.con, gaps)
    return {"gaps": gaps.num_rows}


def _gap_trends(ctx: Context) -> dict[str, int]:
    from gapwatch.gaps.trends import store_trends

    return {"gap_trends": store_trends(ctx.con)}


def _dashboard(ctx: Context) -> dict[str, int]:
    from gapwatch.dashboard.table import compute_dashboard, store_dashboard

    dashboard = compute_dashboard(ctx.con)
    store_dashboard(ctx.con, dashboard)
    return {"dashboard": dashboard.num_rows}


def _equity_report(ctx: Context) -> dict[str, int]:
    from gapwatch.dashboard.equity import store_equity_report

    return {"equity_report": store_equity_report(ctx.con)}


def _support(ctx: Context) -> dict[str, int]:
    from gapwatch.dashboard.designations import store_support

    return {"support": store_support(ctx.con)}


def _goals(ctx: Context) -> dict[str, int]:
    from gapwatch.goals.store import store_goals

    return {"goals_progress": store_goals(ctx.con, ctx.config)}


def _need_index(ctx: Context) -> dict[str, int]:
    from gapwatch.resources.stage import store_need_index

    return store_need_index(ctx.con, ctx.config)


def _lcff(ctx: Context) -> dict[str, int]:
    from gapwatch.resources.stage import store_lcff

    return store_lcff(ctx.con, ctx.config)


def _staffing(ctx: Context) -> dict[str, int]:
    from gapwatch.resources.stage import store_staffing, stored_need_index

    return store_staffing(ctx.con, stored_need_index(ctx.con) if ctx.has("need_index") else None)


def _progressivity(ctx: Context) -> dict[str, int]:
    from gapwatch.resources.stage import store_progressivity, stored_need_index

    return store_progressivity(ctx.con, stored_need_index(ctx.con))


def _run_status(ctx: Context) -> dict[str, int]:
    from gapwatch import coverage
    from gapwatch.resources.stage import store_status

    parts = [(o.stage.name, o.ran, o.skipped) for o in ctx.outcomes
             if o.stage.part_of == "resources"]
    if parts:
        store_status(ctx.con, parts)
    skipped = [coverage.skipped(o.stage.name, o.stage.part_of, o.skipped)
               for o in ctx.outcomes if o.skipped]
    return {"run_status": coverage.store(ctx.con, skipped)}


def _early_warning(ctx: Context) -> dict[str, int]:
    from gapwatch.earlywarning.stage import run_early_warning, store

    result = run_early_warning(ctx.con, ctx.config, school_year=ctx.school_year, step=ctx.step)
    store(ctx.con, result)
    ctx.outputs["early_warning"] = result
    return {name: table.num_rows for name, table in result.tables.items()}


PUBLIC, STAFF = Audience.PUBLIC, Audience.STAFF

STAGES: tuple[Stage, ...] = (
    Stage("indicators", "computing indicators", CORE,
          ("indicator_results", "indicator_status", "methods_used"), PUBLIC, _indicators,
          internal=("indicator_status", "methods_used")),
    Stage("gaps", "measuring gaps", ("indicator_results",), ("gaps",), PUBLIC, _gaps),
    Stage("gap_trends", "gap trends across years", ("gaps",), ("gap_trends",), PUBLIC,
          _gap_trends, part_of="gaps"),
    Stage("dashboard", "California Dashboard levels and colors", ("indicator_results",),
          ("dashboard",), PUBLIC, _dashboard),
    Stage("equity_report", "the Dashboard's equity report", ("dashboard",),
          ("equity_report",), PUBLIC, _equity_report, part_of="dashboard"),
    Stage("support", "support identification (DA, CSI, ATSI)",
          ("dashboard", "indicator_results"), ("support",), PUBLIC, _support,
          part_of="dashboard"),
    Stage("goals", "district goals", ("indicator_results",), ("goals_progress",), PUBLIC,
          _goals),
    Stage("need_index", "need index", ("enrollments", "indicator_results"),
          ("need_index", "need_factors", "need_index_stability"), PUBLIC, _need_index,
          part_of="resources"),
    Stage("lcff", "LCFF entitlement and supplemental/concentration dollars",
          ("enrollments", "students"), ("lcff", "lcff_district"), PUBLIC, _lcff,
          part_of="resources"),
    Stage("staffing", "staffing stability", ("staff",),
          ("staffing", "staffing_by_band", "staffing_gap"), PUBLIC, _staffing,
          uses=("need_index",), part_of="resources"),
    Stage("progressivity", "funding and staffing progressivity", ("enrollments", "need_index"),
          ("progressivity", "progressivity_by_school"), PUBLIC, _progressivity,
          part_of="resources"),
    Stage("run_status", "what could and could not be computed", (),
          ("resources_status", "run_status"), STAFF, _run_status,
          uses=("indicator_status", "indicator_results", "gap_trends", "dashboard",
                "goals_progress", "need_index", "progressivity", "staffing_gap"),
          internal=("resources_status",)),
    Stage("early_warning", "flags, model, fairness, tiers, supports and effects", CORE,
          early_warning.CONFIDENTIAL + early_warning.AGGREGATE, Audience.CONFIDENTIAL,
          _early_warning, aggregates=early_warning.AGGREGATE, on_demand=True),
)

#: what ``gapwatch run`` (and ``demo``) runs, in order
RUN: tuple[Stage, ...] = tuple(s for s in STAGES if not s.on_demand)
#: what ``gapwatch early-warning`` runs
EARLY_WARNING: tuple[Stage, ...] = tuple(s for s in STAGES if s.name == "early_warning")


def exported_tables(stages: tuple[Stage, ...] = RUN) -> list[str]:
    """Tables ``gapwatch export`` writes, in stage order: every table the stages produce except
    their internal ones and any confidential table."""
    return [t for s in stages for t in s.produces
            if t not in s.internal and s.audience_of(t) is not Audience.CONFIDENTIAL]
