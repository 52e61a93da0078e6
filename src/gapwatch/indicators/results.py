"""``gapwatch run``: compute every indicator and store the results in the warehouse.

Results go to ``indicator_results`` (one row per year x entity x indicator x group with n, the
numerator, value, standard error and 95% interval) and ``indicator_status`` (each indicator,
computed or why not). Both tables are replaced on every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.config import Config
from gapwatch.families.groups import home_language_groups
from gapwatch.families.indicators import with_climate
from gapwatch.families.items import survey_items
from gapwatch.families.view import READS, family_year_ctes
from gapwatch.groups import reported_groups
from gapwatch.indicators.aggregate import (
    Compiled,
    aggregate_sql,
    compile_indicator,
    group_codes,
    narrow_view_sql,
    referenced_columns,
)
from gapwatch.indicators.custom import check_custom_sql, custom_indicators
from gapwatch.indicators.elpi import reference_from_config
from gapwatch.indicators.engines import make_engine
from gapwatch.indicators.long import long_rows
from gapwatch.indicators.methods_used import store_methods
from gapwatch.indicators.registry import BUILTIN, Indicator, Source
from gapwatch.indicators.stats import mean_stats, rate_stats
from gapwatch.indicators.views import ViewOptions, cohort_ctes, student_year_ctes, views_sql
from gapwatch.models import models
from gapwatch.warehouse import Warehouse, tables_present, writing

#: Columns of ``indicator_results`` and of the export, in order (a public contract).
RESULT_COLUMNS = (
    "school_year", "entity_type", "entity_id", "entity_name", "indicator", "student_group",
    "n", "numerator", "value", "se", "ci_low", "ci_high",
)
#: Added after the contract columns: the indicator's kind and direction, the SD of means, and
#: for tests with achievement levels the count of students at each level (lowest first).
EXTRA_COLUMNS = ("kind", "direction", "sd", "level_counts", "participation", "loss_added")

#: Columns of ``indicator_status`` with their types.
STATUS_TYPES = (("indicator", "VARCHAR"), ("computed", "BOOLEAN"), ("reason", "VARCHAR"),
                ("engine", "VARCHAR"))

ENTITY_ORDER = {"district": 0, "board_district": 1, "school": 2}


@dataclass
class RunSummary:
    engine: str
    seconds: float
    rows: int
    computed: list[str] = field(default_factory=list)
    not_computed: dict[str, str] = field(default_factory=dict)


def _why_not(con: duckdb.DuckDBPyConnection, ind: Indicator, present: set[str]) -> str | None:
    """None when the indicator can be computed, else 'needs ...'."""
    missing = [t for t in ind.needs if t not in present]
    if missing:
        return "needs " + ", ".join(missing)
    for ref in ind.needs_columns:
        table, column = ref.split(".")
        if table == "enrollments" and column.startswith("days_") and "attendance_daily" in present:
            continue
        if table not in present:
            return f"needs {table}"
        filled = con.execute(f'SELECT count("{column}") FROM "{table}"').fetchall()[0][0]
        if not filled:
            return f"needs {ref} (empty in this bundle)"
    return None


def _years(con: duckdb.DuckDBPyConnection, present: set[str]) -> tuple[int, ...]:
    years = {r[0] for r in con.execute("SELECT DISTINCT school_year FROM enrollments").fetchall()}
    if "graduation_cohorts" in present:
        for (y,) in con.execute("SELECT DISTINCT cohort_year FROM graduation_cohorts").fetchall():
            years |= {y, y + 1}
    return tuple(sorted(years))


def _entity_names(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for school_id, school_name, district_id, district_name, board in con.execute(
        "SELECT school_id, school_name, district_id, district_name, board_district FROM schools"
    ).fetchall():
        names[("school", school_id)] = school_name
        names.setdefault(("district", district_id), district_name)
        if board is not None:
            names[("board_district", board)] = f"Board district {board}"
    return names


def _finish(rows: dict[str, list], names: dict[tuple[str, str], str]) -> pa.Table:
    n = np.asarray(rows["n"], dtype=float)
    kind = np.asarray(rows["kind"])
    num = np.asarray([x if x is not None else 0 for x in rows["numerator"]], dtype=float)
    value = np.full(len(n), np.nan)
    se, low, high, sd = (np.full(len(n), np.nan) for _ in range(4))
    is_rate = kind == "rate"
    if is_rate.any():
        r = rate_stats(num[is_rate], n[is_rate])
        value[is_rate], se[is_rate], low[is_rate], high[is_rate] = (
            r["value"], r["se"], r["ci_low"], r["ci_high"])
    if (~is_rate).any():
        m = mean_stats(np.asarray(rows["mean"])[~is_rate], np.asarray(rows["var"])[~is_rate],
                       n[~is_rate])
        value[~is_rate], se[~is_rate], low[~is_rate], high[~is_rate], sd[~is_rate] = (
            m["value"], m["se"], m["ci_low"], m["ci_high"], m["sd"])
    entity_name = [names.get((t, i), i) for t, i in zip(rows["entity_type"], rows["entity_id"],
                                                         strict=True)]
    table = pa.table({
        "school_year": pa.array(rows["school_year"], pa.int16()),
        "entity_type": pa.array(rows["entity_type"], pa.string()),
        "entity_id": pa.array(rows["entity_id"], pa.string()),
        "entity_name": pa.array(entity_name, pa.string()),
        "indicator": pa.array(rows["indicator"], pa.string()),
        "student_group": pa.array(rows["student_group"], pa.string()),
        "n": pa.array(rows["n"], pa.int64()),
        "numerator": pa.array(rows["numerator"], pa.int64()),
        "value": pa.array(value, pa.float64(), from_pandas=True),
        "se": pa.array(se, pa.float64(), from_pandas=True),
        "ci_low": pa.array(low, pa.float64(), from_pandas=True),
        "ci_high": pa.array(high, pa.float64(), from_pandas=True),
        "kind": pa.array(rows["kind"], pa.string()),
        "direction": pa.array(rows["direction"], pa.string()),
        "sd": pa.array(sd, pa.float64(), from_pandas=True),
        "level_counts": pa.array(rows["level_counts"], pa.list_(pa.int64())),
        "participation": pa.array(rows["participation"], pa.float64()),
        "loss_added": pa.array(rows["loss_added"], pa.int64()),
    })
    return table


def compute(con: duckdb.DuckDBPyConnection, config: Config, engine_name: str = "duckdb",
            step=lambda _: None) -> tuple[pa.Table, RunSummary]:
    """Compute every enabled indicator on ``con``'s warehouse; return results and a summary."""
    started = time.perf_counter()
    present = tables_present(con)
    disabled = set(config["indicators.disabled"])
    indicators = ([i for i in with_climate(BUILTIN, config) if i.id not in disabled]
                  + custom_indicators(config))
    summary = RunSummary(engine_name, 0.0, 0)
    settings = {k.split(".", 1)[1]: config[k] for k in config_settings()}
    runnable: list[Compiled] = []
    for ind in indicators:
        why = _why_not(con, ind, present)
        if why:
            summary.not_computed[ind.id] = why
        else:
            runnable.append(compile_indicator(ind, settings))
    groups = reported_groups(config["groups.extra"], config["groups.intersections"],
                             data_groups(con, present))
    options = ViewOptions(_years(con, present), reference_from_config(config))
    check_custom_sql(con, views_sql(present, options), [c.indicator for c in runnable], config)
    engine = make_engine(engine_name, con, sorted(present))
    rows: dict[str, list] = {}
    items = survey_items(config)
    batches = {s: [c for c in runnable if c.indicator.source is s] for s in Source}
    # family_year is student_year with the family's facts added: built on the student_year
    # table made first (with the columns both read) instead of building student_year again
    reuse = bool(batches[Source.STUDENT_YEAR] and batches[Source.FAMILY_YEAR])
    views = {Source.STUDENT_YEAR: student_year_ctes, Source.COHORT: cohort_ctes,
             Source.FAMILY_YEAR: lambda p, o: family_year_ctes(
                 p, o, items, workspace=Warehouse(con).has("workspace_family_engagement"),
                 student_year_ready=reuse)}
    extra = {Source.STUDENT_YEAR: _family_reads(batches[Source.FAMILY_YEAR]) if reuse else ()}
    try:
        for source in Source:
            batch = batches[source]
            if not batch:
                continue
            step(f"building the {source.value} view")
            engine.materialize(source.value, narrow_view_sql(
                views[source](present, options), source, batch, extra.get(source, ())))
            step(f"aggregating {source.value} ({len(batch)} indicators)")
            pairs = group_codes(groups, batch)
            if source is Source.FAMILY_YEAR:
                pairs += home_language_groups(con, present)
            sql = aggregate_sql("", source, batch, pairs)
            wide = engine.query(sql)
            for key, values in long_rows(wide, batch, config["indicators.participation_rule"]
                                     ).items():
                rows.setdefault(key, []).extend(values)
    finally:
        engine.close()
    table = _finish(rows, _entity_names(con)) if rows else _empty_results()
    order = [("school_year", "ascending"), ("indicator", "ascending")]
    table = _sorted(table, order)
    summary.computed = [c.id for c in runnable]
    summary.rows = table.num_rows
    summary.seconds = time.perf_counter() - started
    return table, summary


def _family_reads(batch: list[Compiled]) -> set[str]:
    """The ``student_year`` columns the ``family_year`` view and its indicators read."""
    return (referenced_columns(batch) & set(models()["student_year"].columns)) | set(READS)


def data_groups(con: duckdb.DuckDBPyConnection, present: set[str]) -> list[str]:
    """Groups reported because the data has them: ``DL`` when any enrollment is in a
    dual-language program."""
    if "enrollments" not in present:
        return []
    have = con.execute("SELECT coalesce(bool_or(dual_language), FALSE) FROM enrollments")
    return ["DL"] if have.fetchone()[0] else []


def config_settings() -> list[str]:
    return ["indicators.units_per_year_course", "indicators.ag_pace_semesters_per_year"]


def _empty_results() -> pa.Table:
    rows: dict[str, list] = {k: [] for k in (
        "school_year", "entity_type", "entity_id", "indicator", "student_group", "n",
        "numerator", "mean", "var", "kind", "direction", "level_counts", "participation",
        "loss_added")}
    return _finish(rows, {})


def _sorted(table: pa.Table, order: list[tuple[str, str]]) -> pa.Table:
    entity_rank = pa.array([ENTITY_ORDER[t] for t in table["entity_type"].to_pylist()],
                           pa.int8())
    ranked = table.append_column("_entity_rank", entity_rank)
    ranked = ranked.sort_by([*order[:1], ("_entity_rank", "ascending"),
                             ("entity_id", "ascending"), *order[1:],
                             ("student_group", "ascending")])
    return ranked.drop_columns(["_entity_rank"])


def store(con: duckdb.DuckDBPyConnection, table: pa.Table, summary: RunSummary) -> None:
    """Replace ``indicator_results`` and ``indicator_status`` in the warehouse (one
    transaction)."""
    status = [(i, True, None) for i in summary.computed] + [
        (i, False, why) for i, why in summary.not_computed.items()]
    wh = Warehouse(con)
    with wh.transaction():
        wh.store("indicator_results", table)
        wh.store_rows("indicator_status", STATUS_TYPES, [(*s, summary.engine) for s in status])


def compute_and_store(con: duckdb.DuckDBPyConnection, config: Config, engine: str = "duckdb",
                      step=lambda _: None) -> RunSummary:
    """Compute every indicator and store ``indicator_results``, ``indicator_status`` and
    ``methods_used`` (the indicators stage of :mod:`gapwatch.stages`)."""
    table, summary = compute(con, config, engine, step)
    store(con, table, summary)
    store_methods(con, config)
    return summary


def run(db: Path, config: Config, engine: str = "duckdb", step=lambda _: None) -> RunSummary:
    """Compute and store every indicator for the warehouse at ``db``."""
    with writing(db) as con:
        return compute_and_store(con, config, engine, step)
