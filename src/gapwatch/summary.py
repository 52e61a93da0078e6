"""The closing summary of ``gapwatch run``: what a district leader would ask first.

District-wide, latest year: each indicator for all students; the largest gaps that are beyond
noise (against all other students); student groups in Red on the Dashboard; goals off track.
Every line shows its n.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from gapwatch.groups import parse_group
from gapwatch.indicators import BUILTIN_BY_ID, RunSummary
from gapwatch.warehouse import Warehouse

LIMIT = 5


def _name(indicator: str) -> str:
    return BUILTIN_BY_ID[indicator].name if indicator in BUILTIN_BY_ID else indicator


def _group(code: str) -> str:
    try:
        return parse_group(code).label
    except ValueError:
        return code


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, justify="left" if col in ("indicator", "group", "goal", "measure")
                         else "right")
    return table


def indicator_table(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> Table:
    rows = con.execute(
        "SELECT indicator, school_year, n, value, kind FROM indicator_results "
        "WHERE entity_type = 'district' AND student_group = 'ALL' "
        "QUALIFY school_year = max(school_year) OVER (PARTITION BY indicator) "
        "ORDER BY indicator"
    ).fetchall()
    table = _table(f"{len(summary.computed)} indicators, {summary.rows:,} results "
                   f"({summary.engine}); district, all students, latest year",
                   ("indicator", "year", "n", "value"))
    for indicator, year, n, value, kind in rows:
        shown = _number(value, ".1%" if kind == "rate" else "+.1f")
        table.add_row(_name(indicator), str(year), f"{n:,}", shown)
    return table


def largest_gaps(con: duckdb.DuckDBPyConnection, limit: int = LIMIT) -> Table:
    """Largest flagged gaps against all other students, district-wide, latest year."""
    rows = con.execute(
        "SELECT indicator, student_group, metric, value, n, reference_n, school_year "
        "FROM gaps WHERE entity_type = 'district' AND reference = 'complement' AND flagged "
        "AND metric IN ('pp_difference', 'hedges_g') AND NOT contains(student_group, '+') "
        "QUALIFY school_year = max(school_year) OVER () "
        "ORDER BY CASE metric WHEN 'hedges_g' THEN abs(value) * 20 ELSE abs(value) END DESC "
        f"LIMIT {int(limit)}"
    ).fetchall()
    table = _table("Largest gaps beyond noise (district, latest year, vs. all other students)",
                   ("indicator", "group", "gap", "n", "others n"))
    for indicator, group, metric, value, n, ref_n, _year in rows:
        gap = f"{value:+.1f} pp" if metric == "pp_difference" else f"g = {value:+.2f}"
        table.add_row(_name(indicator), _group(group), gap, f"{n:,}", f"{ref_n:,}")
    if not rows:
        table.add_row("[dim]no gap beyond noise", "", "", "", "")
    return table


def groups_in_red(con: duckdb.DuckDBPyConnection, limit: int = 10) -> Table:
    rows = con.execute(
        "SELECT indicator, student_group, n, status_rounded, school_year FROM dashboard "
        "WHERE entity_type = 'district' AND color = 'Red' AND NOT contains(student_group, '+') "
        "QUALIFY school_year = max(school_year) OVER () "
        f"ORDER BY indicator, student_group LIMIT {int(limit)}"
    ).fetchall()
    red_at_schools = con.execute(
        "SELECT count(*) FROM dashboard WHERE entity_type = 'school' AND color = 'Red' "
        "AND school_year = (SELECT max(school_year) FROM dashboard)"
    ).fetchall()[0][0]
    table = _table(f"Student groups in Red on the Dashboard (district, latest year; "
                   f"{red_at_schools:,} group results in Red at schools)",
                   ("indicator", "group", "status", "n"))
    for indicator, group, n, status, _year in rows:
        table.add_row(_name(indicator), _group(group), _number(status, ".1f"), f"{n:,}")
    if not rows:
        table.add_row("[dim]none", "", "", "")
    return table


def goals_off_track(con: duckdb.DuckDBPyConnection, limit: int = LIMIT) -> Table | None:
    from gapwatch.goals import off_track

    progress = con.sql("SELECT * FROM goals_progress").to_arrow_table()
    if progress.num_rows == 0:
        return None
    import pyarrow.compute as pc

    district = progress.filter(pc.equal(progress["entity_type"], "district"))
    rows = off_track(district, limit) or off_track(progress, limit)
    statuses = progress["status"].to_pylist()
    total = statuses.count("off track")
    table = _table(f"Goals off track, district first ({total:,} of {len(statuses):,} goal x "
                   "entity x group results off track)",
                   ("goal", "entity", "group", "value", "target", "n"))
    for r in rows:
        group = _group(r["student_group"])
        if r.get("reference_group"):
            group += f" vs. {_group(r['reference_group'])}"
        table.add_row(r["goal_name"], r["entity_name"], group, _number(r["value"], ".1f"),
                      _number(r["interim_target"], ".1f"), f"{r['n'] or 0:,}")
    if not rows:
        table.add_row("[dim]none off track", "", "", "", "", "")
    return table


STAFF_GAPS = {"novice": "novice teachers (%)",
              "not_fully_credentialed": "teachers not fully credentialed (%)",
              "turnover": "teacher turnover (%)", "mandatory": "mandatory assignments (%)"}
MONEY_RATIOS = {"dollars_per_pupil": "dollars per pupil",
                "supp_conc_per_pupil": "supplemental/concentration dollars per pupil",
                "teachers_per_100": "teachers per 100 students"}


def _number(value: float | None, spec: str) -> str:
    """``value`` formatted, or an em dash when it is undefined (None or NaN)."""
    return "—" if value is None or value != value else format(value, spec)


def resources_table(con: duckdb.DuckDBPyConnection) -> Table | None:
    """Highest- against lowest-need schools, latest year: money ratios and staffing gaps.

    A comparison that cannot be made says why in words (the row's ``note``)."""
    if not Warehouse(con).has("staffing_gap", "progressivity"):
        return None
    from gapwatch.coverage import _first_reason

    table = _table("Do resources and stable staff follow need? (latest year, highest- vs "
                   "lowest-need schools, 95% intervals)",
                   ("measure", "highest need", "lowest need", "comparison", "n"))
    for measure, high, low, ratio, lo, hi, verdict, n_high, n_low, note in con.execute(
        "SELECT measure, highest_value, lowest_value, highest_lowest_ratio, ratio_ci_low, "
        "ratio_ci_high, progressive, highest_schools, lowest_schools, note FROM progressivity "
        f"WHERE measure IN ({', '.join(repr(m) for m in MONEY_RATIOS)}) "
        "AND school_year = (SELECT max(school_year) FROM progressivity) ORDER BY measure"
    ).fetchall():
        if ratio is None or ratio != ratio or lo is None or hi is None:
            comparison = f"[dim]not computed: {_first_reason(note)}"
        else:
            comparison = f"ratio {ratio:.2f} ({lo:.2f} to {hi:.2f}): {verdict}"
        table.add_row(MONEY_RATIOS[measure], _number(high, ",.2f"), _number(low, ",.2f"),
                      comparison, f"{n_high} and {n_low} schools")
    for measure, high, low, gap, lo, hi, beyond, n_high, n_low, note in con.execute(
        "SELECT measure, high_value, low_value, gap, ci_low, ci_high, beyond_noise, high_n, "
        "low_n, note FROM staffing_gap "
        f"WHERE measure IN ({', '.join(repr(m) for m in STAFF_GAPS)}) "
        "AND school_year = (SELECT max(school_year) FROM staffing_gap) ORDER BY measure"
    ).fetchall():
        if gap is None or gap != gap or lo is None or hi is None:
            comparison = f"[dim]not computed: {_first_reason(note) or 'no data'}"
        else:
            noise = "beyond noise" if beyond else "within noise"
            comparison = f"{gap:+.1f} pp ({lo:+.1f} to {hi:+.1f}): {noise}"
        table.add_row(STAFF_GAPS[measure], _number(high, ".1f"), _number(low, ".1f"),
                      comparison, f"{n_high or 0} and {n_low or 0} teachers")
    return table


def not_computed_table(con: duckdb.DuckDBPyConnection) -> Table | None:
    """Measures the run could not compute (or computed only in part), with the reason;
    measures of one stage sharing a reason are one line."""
    if not Warehouse(con).has("run_status"):
        return None
    rows = con.execute(
        "SELECT stage, list(measure ORDER BY measure), any_value(status), sum(results), "
        "sum(defined), reason FROM run_status WHERE status <> 'computed' "
        "GROUP BY stage, reason ORDER BY stage = 'resources', stage, reason"
    ).fetchall()
    if not rows:
        return None
    table = _table("What could not be computed, and why (run_status in the export)",
                   ("measure", "status", "reason"))
    for stage, measures, status, results, defined, reason in rows:
        if len(measures) == 1:
            label = _name(measures[0])
        else:
            label = (f"{len(measures)} {stage} measures ("
                     + ", ".join(_name(m).split(":")[0] for m in measures[:4])
                     + (", ..." if len(measures) > 4 else "") + ")")
        shown = f"{status} ({defined:,} of {results:,})" if len(measures) == 1 and results \
            else status
        table.add_row(escape(label), shown, escape(reason or ""))
    return table


def render_summary(db: Path, summary: RunSummary, counts: dict[str, int],
                   seconds: float, slowest: dict[str, float] | None = None
                   ) -> list[RenderableType]:
    """The summary tables, then rows stored per table (``counts``, in stage order) and the
    stages that took longest (``slowest``: stage -> seconds)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: list[RenderableType] = [indicator_table(con, summary), largest_gaps(con),
                                     groups_in_red(con)]
        for extra in (goals_off_track(con), resources_table(con), not_computed_table(con)):
            if extra is not None:
                out.append(extra)
    finally:
        con.close()
    stored = ", ".join(f"{name} {n:,}" for name, n in counts.items())
    longest = ", ".join(f"{name} {s:.1f} s" for name, s in (slowest or {}).items())
    out.append(f"[dim]Finished in {seconds:.1f} s"
               + (f" (longest stages: {longest})" if longest else "")
               + f". Rows stored: {stored}.")
    return out
