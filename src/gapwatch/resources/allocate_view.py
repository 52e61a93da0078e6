"""Terminal tables for ``gapwatch allocate``: schools by need with each rule side by side, then
how progressive each rule is."""

from __future__ import annotations

import pyarrow as pa
from rich.console import RenderableType
from rich.table import Table

BAND_ORDER = {"Highest": 0, "High": 1, "Moderate": 2, "Low": 3, "Lowest": 4}


def _interval(value: float | None, low: float | None, high: float | None, fmt: str) -> str:
    if value is None:
        return "-"
    shown = format(value, fmt)
    return shown if low is None or high is None else (
        f"{shown} ({format(low, fmt)} to {format(high, fmt)})")


def render_allocation(allocations: pa.Table, results: pa.Table) -> list[RenderableType]:
    """One row per school (highest need first): enrollment and each rule's dollars per pupil and
    total; then per rule: slope, rank correlation and highest/lowest band ratio."""
    rows = allocations.to_pylist()
    rules = list(dict.fromkeys(r["rule"] for r in rows))
    year = rows[0]["school_year"] if rows else ""
    by_school: dict[str, dict] = {}
    for r in rows:
        school = by_school.setdefault(r["school_id"], {**r, "rules": {}})
        school["rules"][r["rule"]] = r
    schools = Table(title=f"Allocation by rule, {year} (dollars per pupil, and total)",
                    title_justify="left")
    for col in ("school", "need band", "pupils", *rules):
        schools.add_column(col, justify="left" if col in ("school", "need band") else "right")
    ordered = sorted(by_school.values(), key=lambda s: (
        BAND_ORDER.get(s["band"], 9), -(s["need_score"] or 0), s["school_id"]))
    for s in ordered:
        cells = []
        for rule in rules:
            r = s["rules"][rule]
            per = "-" if r["per_pupil"] is None else f"${r['per_pupil']:,.0f}"
            cells.append(f"{per} (${float(r['allocation']):,.0f})")
        schools.add_row(s["school_name"], s["band"] or "-", f"{s['enrollment']:,}", *cells)
    summary = Table(title="How progressive is each rule? (95% intervals; ratio = dollars per "
                    "pupil in the highest-need band / lowest-need band)", title_justify="left")
    for col in ("rule", "highest / lowest", "rank correlation with need", "verdict"):
        summary.add_column(col, justify="left" if col in ("rule", "verdict") else "right")
    for r in results.to_pylist():
        summary.add_row(
            r["rule"],
            _interval(r["highest_lowest_ratio"], r["ratio_ci_low"], r["ratio_ci_high"], ".2f"),
            _interval(r["spearman"], r["spearman_ci_low"], r["spearman_ci_high"], "+.2f"),
            r["progressive"] or "-",
        )
    return [schools, summary]
