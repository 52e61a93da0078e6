"""Audit a published ``SITE/data`` folder from its files alone (``gapwatch audit-disclosure``).

Reads only the CSVs and ``disclosure.json`` the door wrote; no warehouse, no database. Checks:

(a) every published n is at least min_n, suppressed cells show no n, percent or value, and every
    gap, Dashboard and goal number rests only on ``published`` cells (a goal's target and
    interim target on the baseline cells they are computed from,
    :func:`gapwatch.privacy.tables.goal_rests_on`);
(b) for every protected variable (a suppressed n or numerator, a coded cell's numerator), the
    linear-programming bounds given all published numbers and every relation of the disclosure
    model in ``disclosure.json`` leave at least k integer values
    (:mod:`gapwatch.privacy.bounds`; Cox 1980).

The CSVs are read with :func:`gapwatch.files.read_rows` (text cells neutralised against
spreadsheet formulas are restored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gapwatch.files import read_rows
from gapwatch.privacy import bounds as lp
from gapwatch.privacy.tables import goal_rests_on


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  #: 1-based line in the CSV (the header is line 1); 0 for the whole file
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.column}: {self.reason}"


@dataclass
class AuditReport:
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  #: rows per file, counts bounded

    @property
    def passed(self) -> bool:
        return not self.problems

    def render(self) -> str:
        head = "disclosure audit: " + ("PASSED" if self.passed else
                                       f"FAILED ({len(self.problems)} problems)")
        counts = ", ".join(f"{k} {v}" for k, v in self.checked.items())
        return "\n".join([head, f"checked: {counts}", *(f"  {p}" for p in self.problems)])


def _rows(path: Path) -> list[dict[str, str]]:
    return read_rows(path) if path.is_file() else []


def _key(r: dict[str, str], group: str | None = None, year: int = 0) -> lp.Key:
    return (int(r["school_year"]) + year, r["entity_type"], r["entity_id"], r["indicator"],
            group or r["student_group"])


def audit_disclosure(site: Path, k: int | None = None) -> AuditReport:
    """Audit ``site/data`` (or ``site`` itself when it holds disclosure.json)."""
    data = Path(site) / "data"
    data = data if (data / "disclosure.json").is_file() else Path(site)
    report = AuditReport()
    meta_path = data / "disclosure.json"
    if not meta_path.is_file():
        report.problems.append(Problem("disclosure.json", 0, "", "missing"))
        return report
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    links, k = lp.Links.from_json(meta), int(k if k is not None else meta["k"])
    rows = _rows(data / "indicators.csv")
    status: dict[lp.Key, str] = {}
    line_of: dict[lp.Key, int] = {}
    add = report.problems.append
    for line, r in enumerate(rows, 2):
        key, st = _key(r), r["status"]
        status[key], line_of[key] = st, line
        if st in lp.SUPPRESSED:
            for col in ("n", "percent", "value"):
                if r[col] != "":
                    add(Problem("indicators.csv", line, col, f"{st}-suppressed cell shows {col}"))
        elif r["n"] == "" or int(r["n"]) < links.min_n:
            add(Problem("indicators.csv", line, "n",
                        f"{st} cell with n={r['n'] or 'empty'} below min_n {links.min_n}"))
        elif st.endswith("_coded") and r["percent"] != "":
            add(Problem("indicators.csv", line, "percent", f"{st} cell shows its percent"))
        elif st == "published" and r["kind"] == "rate" and r["percent"] == "":
            add(Problem("indicators.csv", line, "percent", "published rate without percent"))

    def need(file: str, line: int, column: str, *keys: lp.Key) -> None:
        for key in keys:
            if status.get(key) != "published":
                add(Problem(file, line, column, f"rests on cell {'/'.join(map(str, key))} "
                            f"which is {status.get(key, 'absent')}"))

    gaps = _rows(data / "gaps.csv")
    for line, g in enumerate(gaps, 2):
        ref = "ALL" if g["reference"] == "complement" else g["reference"]
        need("gaps.csv", line, "value", _key(g), _key(g, ref))
    dash = _rows(data / "dashboard.csv")
    for line, d in enumerate(dash, 2):
        need("dashboard.csv", line, "status", _key(d))
        if d["change"] or d["color"] or d["change_level"]:
            need("dashboard.csv", line, "change", _key(d, year=-1))
    goals, goal_ind = _rows(data / "goals.csv"), meta.get("goal_indicators", {})
    for line, g in enumerate(goals, 2):
        columns = [c for c in ("value", "target_value", "interim_target") if g.get(c)]
        if not columns:
            continue
        ind = goal_ind.get(g["goal_id"])
        if ind is None:
            add(Problem("goals.csv", line, "goal_id", "indicator unknown (disclosure.json)"))
            continue
        for column in columns:
            if column != "value" and "baseline_year" not in g:
                add(Problem("goals.csv", line, column, "no baseline_year to check it against"))
                continue
            year = goal_rests_on(g, column)
            if year is None:
                continue
            base = {**g, "indicator": ind, "school_year": str(year)}
            keys = [_key(base)] + ([_key(base, g["reference_group"])]
                                   if g["reference_group"] else [])
            need("goals.csv", line, column, *keys)
    resources = _audit_resources(data, links.min_n, add)
    try:
        found = lp.bounds(lp.to_cells(rows), links, k)
    except (ValueError, KeyError, StopIteration) as err:
        add(Problem("indicators.csv", 0, "", f"published numbers cannot be bounded: {err}"))
        found = []
    for b in lp.pinned(found, k):
        what = "count" if b.var == "n" else "numerator"
        add(Problem("indicators.csv", line_of[b.key], "n" if b.var == "n" else "numerator",
                    f"{_label(b.status)} {what} can be recovered: only {b.count} "
                    f"possible values in [{b.low:.2f}, {b.high:.2f}] (k = {k})"))
    report.checked = {"indicators.csv": len(rows), "gaps.csv": len(gaps),
                      "dashboard.csv": len(dash), "goals.csv": len(goals),
                      **resources,
                      "suppressed counts bounded": sum(b.status in lp.SUPPRESSED for b in found),
                      "coded numerators bounded": sum(b.status.endswith("_coded")
                                                      for b in found)}
    return report


def _label(status: str) -> str:
    return f"{status}-suppressed" if status in lp.SUPPRESSED else status.replace("_", "-")


_VALUES = {"resources_schools": ("need_score", "need_percentile", "band", "enrollment",
                                 "dollars_per_pupil", "supp_conc_per_pupil", "teachers_per_100"),
           "resources_bands": ("percent", "ci_low", "ci_high", "n"),
           "resources_gaps": ("high_percent", "low_percent", "gap", "ci_low", "ci_high")}


def _audit_resources(data: Path, min_n: int, add) -> dict[str, int]:
    """resources_*.csv: a published school has at least min_n students, a published band rate
    at least min_n teachers (or sections, schools), a published gap two published bands; a
    suppressed row shows no number."""
    checked: dict[str, int] = {}
    shown: set[tuple[str, str, str]] = set()
    for name in ("resources_schools", "resources_bands", "resources_gaps"):
        path = data / f"{name}.csv"
        if not path.is_file():
            continue
        rows = _rows(path)
        checked[path.name] = len(rows)
        size = {"resources_schools": "enrollment", "resources_bands": "n"}.get(name)
        for line, r in enumerate(rows, 2):
            if r["status"] != "published":
                for col in _VALUES[name]:
                    if r[col] != "":
                        add(Problem(path.name, line, col, f"{r['status']} row shows {col}"))
            elif size and (r[size] == "" or int(r[size]) < min_n):
                add(Problem(path.name, line, size,
                            f"published with {size}={r[size] or 'empty'} below min_n {min_n}"))
            elif name == "resources_bands":
                shown.add((r["school_year"], r["band"], r["measure"]))
            elif name == "resources_gaps":
                for band in (r["high_band"], r["low_band"]):
                    if (r["school_year"], band, r["measure"]) not in shown:
                        add(Problem(path.name, line, "gap", f"rests on band {band} "
                                    f"{r['measure']} which is not published"))
    return checked
