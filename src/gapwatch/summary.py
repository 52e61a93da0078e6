"""The closing summary of ``gapwatch run``: what a district leader would ask first.

District-wide, latest year: each indicator for all students; the largest gaps that are beyond
noise (against all other students); student groups in Red on the Dashboard; goals off track.
Every line shows its n.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import RenderableType
from rich.table import Table

from gapwatch.groups import parse_group
from gapwatch.indicators import BUILTIN_BY_ID, RunSummary

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
        shown = f"{value:.1%}" if kind == "rate" else f"{value:+.1f}"
        table.add_row(_name(indicator), str(year), f"{n:,}", shown)
    for indicator, why in summary.not_computed.items():
        table.add_row(f"[dim]{indicator}", "", "", f"[dim]not computed: {why}")
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
        table.add_row(_name(indicator), _group(group), f"{status:.1f}", f"{n:,}")
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
        table.add_row(r["goal_name"], r["entity_name"], group, f"{r['value']:.1f}",
                      f"{r['interim_target']:.1f}", f"{r['n']:,}")
    if not rows:
        table.add_row("[dim]none off track", "", "", "", "", "")
    return table


STAFF_GAPS = {"novice": "novice teachers (%)",
              "not_fully_credentialed": "teachers not fully credentialed (%)",
              "turnover": "teacher turnover (%)", "mandatory": "mandatory assignments (%)"}
MONEY_RATIOS = {"dollars_per_pupil": "dollars per pupil",
                "supp_conc_per_pupil": "supplemental/concentration dollars per pupil",
                "teachers_per_100": "teachers per 100 students"}


def resources_table(con: duckdb.DuckDBPyConnection) -> Table | None:
    """Highest- against lowest-need schools, latest year: money ratios and staffing gaps."""
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not {"staffing_gap", "progressivity"} <= have:
        return None
    table = _table("Do resources and stable staff follow need? (latest year, highest- vs "
                   "lowest-need schools, 95% intervals)",
                   ("measure", "highest need", "lowest need", "comparison", "n"))
    for measure, high, low, ratio, lo, hi, verdict, n_high, n_low in con.execute(
        "SELECT measure, highest_value, lowest_value, highest_lowest_ratio, ratio_ci_low, "
        "ratio_ci_high, progressive, highest_schools, lowest_schools FROM progressivity "
        f"WHERE measure IN ({', '.join(repr(m) for m in MONEY_RATIOS)}) "
        "AND school_year = (SELECT max(school_year) FROM progressivity) ORDER BY measure"
    ).fetchall():
        if ratio is None or ratio != ratio:
            continue
        table.add_row(MONEY_RATIOS[measure], f"{high:,.2f}", f"{low:,.2f}",
                      f"ratio {ratio:.2f} ({lo:.2f} to {hi:.2f}): {verdict}",
                      f"{n_high} and {n_low} schools")
    for measure, high, low, gap, lo, hi, beyond, n_high, n_low in con.execute(
        "SELECT measure, high_value, low_value, gap, ci_low, ci_high, beyond_noise, high_n, "
        f"low_n FROM staffing_gap WHERE measure IN ({', '.join(repr(m) for m in STAFF_GAPS)}) "
        "AND school_year = (SELECT max(school_year) FROM staffing_gap) ORDER BY measure"
    ).fetchall():
        if gap is None or gap != gap:
            continue
        noise = "beyond noise" if beyond else "within noise"
        table.add_row(STAFF_GAPS[measure], f"{high:.1f}", f"{low:.1f}",
                      f"{gap:+.1f} pp ({lo:+.1f} to {hi:+.1f}): {noise}",
                      f"{n_high} and {n_low} teachers")
    return table


def render_summary(db: Path, summary: RunSummary, counts: dict[str, int],
                   seconds: float) -> list[RenderableType]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: list[RenderableType] = [indicator_table(con, summary), largest_gaps(con),
                                     groups_in_red(con)]
        for extra in (goals_off_track(con), resources_table(con)):
            if extra is not None:
                out.append(extra)
    finally:
        con.close()
    stored = ", ".join(f"{name} {n:,}" for name, n in counts.items())
    out.append(f"[dim]Finished in {seconds:.1f} s. Rows stored: indicator_results "
               f"{summary.rows:,}, {stored}.")
    return out
