"""What a run could and could not compute, and why, in words.

A statistic that cannot be computed (too few schools to compare need bands, one year only for a
trend or a Dashboard color, a group or a table absent) is stored as a value with its reason in
the table that holds it (``note`` or ``reason`` columns). This module reads those reasons back
into one table, ``run_status``: one row per measure with how many of its results were computed
and, when not all were, the most common reason; a stage of :mod:`gapwatch.stages` skipped for
want of its inputs is a row too (``needs staff``). ``gapwatch run`` prints it and ``gapwatch
export`` writes it; docs/methods.md ("Minimum district shapes") lists the thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from gapwatch.warehouse import Warehouse

COMPUTED, PARTIAL, NOT_COMPUTED = "computed", "partly computed", "not computed"


@dataclass(frozen=True)
class Coverage:
    """One measure of a run: how many results it has, how many are defined, and why not."""

    stage: str
    measure: str
    results: int
    defined: int
    reason: str = ""

    @property
    def status(self) -> str:
        if self.results and self.defined == self.results:
            return COMPUTED
        return PARTIAL if self.defined else NOT_COMPUTED


SCHEMA = pa.schema([("stage", pa.string()), ("measure", pa.string()), ("status", pa.string()),
                    ("results", pa.int64()), ("defined", pa.int64()), ("reason", pa.string())])


def _first_reason(reasons: str | None) -> str:
    """The first clause of a ``; ``-joined note, without a ``ratio:``-style prefix."""
    first = (reasons or "").split("; ")[0]
    head, sep, rest = first.partition(": ")
    return rest if sep and head in ("ratio", "slope", "spearman") else first


def indicators(con: duckdb.DuckDBPyConnection) -> Iterator[Coverage]:
    for indicator, computed, reason in con.execute(
            "SELECT indicator, computed, reason FROM indicator_status ORDER BY indicator"
    ).fetchall():
        if not computed:
            yield Coverage("indicators", indicator, 0, 0, reason or "")


def gap_trends(con: duckdb.DuckDBPyConnection) -> Iterator[Coverage]:
    years = [r[0] for r in con.execute(
        "SELECT DISTINCT school_year FROM indicator_results ORDER BY 1").fetchall()]
    rows = con.execute("SELECT count(*) FROM gap_trends").fetchall()[0][0]
    if len(years) < 2:
        held = f"{len(years)} ({years[0]})" if years else "none"
        yield Coverage("gaps", "gap trends (narrowing or widening)", 0, 0,
                       f"a trend needs two school years or more: the warehouse holds {held}")
    else:
        yield Coverage("gaps", "gap trends (narrowing or widening)", rows, rows)


def dashboard(con: duckdb.DuckDBPyConnection) -> Iterator[Coverage]:
    total, colored, reason = con.execute(
        "SELECT count(*), count(color), mode(CASE WHEN color IS NULL THEN reason END) "
        "FROM dashboard WHERE entity_type IN ('district', 'school') "
        "AND school_year = (SELECT max(school_year) FROM dashboard)").fetchall()[0]
    years = con.execute("SELECT count(DISTINCT school_year) FROM dashboard").fetchall()[0][0]
    if years == 1 and colored == 0:
        reason = ("a color needs the change from the prior year's result too: the warehouse "
                  "holds one school year (status levels only)")
    elif colored < total:
        reason = f"most often: {reason}"
    if total:
        yield Coverage("dashboard", "Dashboard colors (latest year)", total, colored,
                       "" if colored == total else reason)


def goals(con: duckdb.DuckDBPyConnection) -> Iterator[Coverage]:
    total, known = con.execute(
        "SELECT count(*), count(*) FILTER (status <> 'no data') FROM goals_progress").fetchall()[0]
    if total == 0:
        yield Coverage("goals", "district goals", 0, 0, "no [[goals]] in the config file")
    else:
        reason = con.execute("SELECT mode(note) FROM goals_progress WHERE status = 'no data'"
                             ).fetchall()[0][0]
        yield Coverage("goals", "district goals", total, known,
                       "" if known == total else f"no data for some goals: {reason or ''}")


def skipped(stage: str, part_of: str | None, reason: str) -> Coverage:
    """A stage of the run that did not run, for want of its inputs (``reason``)."""
    return Coverage(part_of or stage, stage.replace("_", " "), 0, 0, reason)


def resources(con: duckdb.DuckDBPyConnection, have: set[str],
              skipped_parts: Sequence[Coverage] = ()) -> Iterator[Coverage]:
    yield from skipped_parts
    if "need_index" in have:
        total, scored, note = con.execute(
            "SELECT count(*), count(score), mode(CASE WHEN score IS NULL THEN note END) "
            "FROM need_index").fetchall()[0]
        yield Coverage("resources", "need index", total, scored,
                       "" if scored == total else _first_reason(note))
    latest = "(SELECT max(school_year) FROM {t})"
    if "progressivity" in have:
        for measure, ratio, low, note in con.execute(
                "SELECT measure, highest_lowest_ratio, ratio_ci_low, note FROM progressivity "
                f"WHERE school_year = {latest.format(t='progressivity')} ORDER BY measure"
        ).fetchall():
            ok = ratio is not None and ratio == ratio and low is not None
            yield Coverage("resources", f"{measure}: highest- vs lowest-need ratio", 1, int(ok),
                           "" if ok else _first_reason(note))
    if "staffing_gap" in have:
        for measure, gap, note in con.execute(
                "SELECT measure, gap, note FROM staffing_gap "
                f"WHERE school_year = {latest.format(t='staffing_gap')} ORDER BY measure"
        ).fetchall():
            ok = gap is not None and gap == gap
            yield Coverage("resources", f"{measure}: highest- vs lowest-need gap", 1, int(ok),
                           "" if ok else _first_reason(note))


def collect(con: duckdb.DuckDBPyConnection, stages_skipped: Sequence[Coverage] = ()
            ) -> list[Coverage]:
    """Every measure of the stored run with its coverage, and the stages skipped (resources
    parts among the resources measures, others first); stages not run are left out."""
    have = Warehouse(con).tables()
    parts_skipped = [c for c in stages_skipped if c.stage == "resources"]
    parts: list[tuple[str, Callable[[], Iterator[Coverage]]]] = [
        ("indicator_status", lambda: indicators(con)),
        ("gap_trends", lambda: gap_trends(con)),
        ("dashboard", lambda: dashboard(con)),
        ("goals_progress", lambda: goals(con)),
        ("", lambda: resources(con, have, parts_skipped)),
    ]
    return [c for c in stages_skipped if c.stage != "resources"] + [
        c for table, part in parts if not table or table in have for c in part()]


def store(con: duckdb.DuckDBPyConnection, stages_skipped: Sequence[Coverage] = ()) -> int:
    """Replace ``run_status``; return its row count."""
    rows = collect(con, stages_skipped)
    table = pa.Table.from_pylist(
        [{"stage": c.stage, "measure": c.measure, "status": c.status, "results": c.results,
          "defined": c.defined, "reason": c.reason or None} for c in rows], schema=SCHEMA)
    return Warehouse(con).store("run_status", table)
