"""The public tables built from the door's cell decisions, and writing them to ``SITE/data``.

A derived number is published only when every cell it rests on is ``published`` (not
suppressed, not coded): a gap needs both sides, a Dashboard change needs the prior year, a goal
needs its group (and reference group), and a goal's target or interim target the baseline cells
it is computed from (:func:`goal_rests_on`). Format: the shared privacy spec.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from gapwatch.files import write_rows
from gapwatch.privacy.policy import coding_cut, round1, shown_text

INDICATOR_COLUMNS = ("school_year", "entity_type", "entity_id", "entity_name", "indicator",
                     "indicator_name", "kind", "student_group", "group_name", "n", "percent",
                     "value", "shown", "status")
GAP_COLUMNS = ("school_year", "entity_type", "entity_id", "entity_name", "indicator",
               "student_group", "reference", "metric", "value", "ci_low", "ci_high", "flagged")
DASHBOARD_COLUMNS = ("school_year", "entity_type", "entity_id", "entity_name", "indicator",
                     "student_group", "status", "change", "status_level", "change_level", "color")
GOAL_COLUMNS = ("goal_id", "goal_name", "entity_type", "entity_id", "entity_name",
                "student_group", "reference_group", "school_year", "value", "target_value",
                "interim_target", "status", "baseline_year", "target_year")
FILES = {"indicators": INDICATOR_COLUMNS, "gaps": GAP_COLUMNS, "dashboard": DASHBOARD_COLUMNS,
         "goals": GOAL_COLUMNS}
Status = dict[tuple, str]  #: (year, entity_type, entity_id, indicator, group) -> status


def _r(v: Any) -> float | None:
    return None if v is None or v != v else round1(v)


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows],
                                schema=pa.schema([(c, _type(rows, c)) for c in columns]))


def _type(rows: list[dict], column: str) -> pa.DataType:
    sample = next((r[column] for r in rows if r.get(column) is not None), "")
    return {bool: pa.bool_(), int: pa.int64(), float: pa.float64()}.get(type(sample), pa.string())


def indicator_table(rows: list[dict], min_n: int, bands: list) -> pa.Table:
    from gapwatch.groups import group_label
    from gapwatch.indicators.registry import BUILTIN_BY_ID

    out = []
    for r in rows:
        status, rate = r["status"], r["kind"] == "rate"
        hidden, coded = status in ("primary", "complementary"), status.endswith("_coded")
        value = r["percent"] if rate else _r(r["value"])
        spec = BUILTIN_BY_ID.get(r["indicator"])
        out.append({**r, "indicator_name": spec.name if spec else r["indicator"],
                    "group_name": " + ".join(group_label(p) for p in r["student_group"].split("+")),
                    "n": None if hidden else int(r["n"]),
                    "percent": None if hidden or coded or not rate else r["percent"],
                    "value": None if hidden or rate else value,
                    "shown": shown_text(status, r["kind"], value, r["n"], min_n,
                                        coding_cut(r["n"], bands) if coded else None)})
    return _table(out, INDICATOR_COLUMNS)


def _ok(status: Status, *keys: tuple) -> bool:
    return all(status.get(k) == "published" for k in keys)


def gap_table(con: duckdb.DuckDBPyConnection, status: Status, reference_group: str) -> pa.Table:
    rel = con.sql("SELECT * FROM gaps WHERE metric IN ('pp_difference', 'mean_difference') AND "
                  "reference IN ('complement', 'ALL', $ref) ORDER BY ALL",
                  params={"ref": reference_group or "ALL"})
    out = []
    for row in rel.fetchall():
        g = dict(zip(rel.columns, row, strict=True))
        base = (int(g["school_year"]), g["entity_type"], str(g["entity_id"]), g["indicator"])
        ref = "ALL" if g["reference"] == "complement" else g["reference"]
        if _ok(status, (*base, g["student_group"]), (*base, ref)):
            out.append({**g, "value": _r(g["value"]), "ci_low": _r(g["ci_low"]),
                        "ci_high": _r(g["ci_high"])})
    return _table(out, GAP_COLUMNS)


def dashboard_table(con: duckdb.DuckDBPyConnection, status: Status) -> pa.Table:
    rel = con.sql("SELECT * FROM dashboard ORDER BY school_year, entity_type, entity_id, "
                  "indicator, student_group")
    out = []
    for row in rel.fetchall():
        d = dict(zip(rel.columns, row, strict=True))
        key = (int(d["school_year"]), d["entity_type"], str(d["entity_id"]), d["indicator"],
               d["student_group"])
        if not _ok(status, key):
            continue
        prior = _ok(status, (key[0] - 1, *key[1:]))
        out.append({**d, "status": _r(d["status"]), "change": _r(d["change"]) if prior else None,
                    "change_level": d["change_level"] if prior else None,
                    "color": d["color"] if prior else None})
    return _table(out, DASHBOARD_COLUMNS)


#: What a goal's numbers rest on (disclosure.json ``goal_targets``): the value on this year's
#: cells; a gap goal's target on the baseline cells (``reduce_by`` scales the baseline gap); an
#: interim target before the target year on the baseline cells (a straight line from them).
GOAL_RULE = {"value": "school_year", "target_value": "baseline_year when reference_group",
             "interim_target": "baseline_year when school_year < target_year"}


def goal_rests_on(g: dict[str, Any], column: str) -> int | None:
    """The year whose cells (group and reference group) ``column`` of a goals row rests on,
    or None when it rests on none (a value goal's target is the district's own number)."""
    if column == "value":
        return int(g["school_year"])
    base = g.get("baseline_year")
    if base in (None, ""):
        return None
    if column == "target_value":
        return int(base) if g.get("reference_group") else None
    year, by = int(g["school_year"]), int(g["target_year"] or 0)
    return int(base) if year < by and int(base) < by else None


def goal_table(con: duckdb.DuckDBPyConnection, status: Status) -> tuple[pa.Table, dict]:
    """goals.csv and {goal_id: indicator} for disclosure.json. Each number is shown only when
    every cell it rests on (:func:`goal_rests_on`) is published: a target is a published
    function of its baseline, so it would give a hidden baseline back (issue 13)."""
    rel = con.sql("SELECT * FROM goals_progress ORDER BY goal_id, entity_type, entity_id, "
                  "student_group, school_year")
    out, indicators = [], {}
    for row in rel.fetchall():
        g = dict(zip(rel.columns, row, strict=True))
        indicators[g["goal_id"]] = g["indicator"]

        def ok(column: str, g: dict = g) -> bool:
            year = goal_rests_on(g, column)
            if year is None:
                return True
            base = (year, g["entity_type"], str(g["entity_id"]), g["indicator"])
            return _ok(status, (*base, g["student_group"]), *(
                [(*base, g["reference_group"])] if g["reference_group"] else []))

        shown = g["value"] is not None and ok("value")
        target, interim = ok("target_value"), ok("interim_target")
        # "met" compares the value with the target, "on track"/"off track" with both
        compared = target and (interim or g["status"] == "met")
        out.append({**g, "value": _r(g["value"]) if shown else None,
                    "target_value": _r(g["target_value"]) if target else None,
                    "interim_target": _r(g["interim_target"]) if interim else None,
                    "status": g["status"] if g["value"] is None or (shown and compared)
                    else "suppressed"})
    return _table(out, GOAL_COLUMNS), indicators


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def _plain(v: Any) -> str:
    return f"{v:.10g}" if isinstance(v, float) else _text(v)


def write_published(published: Any, site: Path) -> Path:
    """Write ``SITE/data/{indicators,gaps,dashboard,goals}.csv``, the resources files
    (:mod:`gapwatch.privacy.resources`) when present, and ``disclosure.json``. Text cells are
    neutralised against spreadsheet formulas (:func:`gapwatch.files.write_rows`)."""
    data = Path(site) / "data"
    data.mkdir(parents=True, exist_ok=True)
    tables = [(name, columns, getattr(published, name)) for name, columns in FILES.items()]
    tables += [(name, tuple(t.column_names), t)
               for name, t in getattr(published, "resources", {}).items()]
    for name, columns, table in tables:
        # the resources tables are rounded by the door, each column to its own precision
        text = _text if name in FILES else _plain
        write_rows(data / f"{name}.csv", columns,
                   ([row[c] for c in columns] for row in table.to_pylist()), fmt=text)
    (data / "disclosure.json").write_text(
        json.dumps(published.disclosure, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return data
