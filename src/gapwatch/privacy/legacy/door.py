"""The privacy door: the only way numbers leave the warehouse for the public site.

:func:`publish` reads the aggregate tables (``indicator_results``, ``gaps``, ``dashboard``,
``goals_progress`` and the ``schools`` directory; never student rows) and decides every cell:

1. primary suppression: n < min_n (NCES 2011-603; California's Dashboard shows nothing below 11);
2. top/bottom coding of rates near 0 or 100 by group size (Utah rule, METHODS.md §3);
3. the complete grid: every entity that reports an indicator gets a row for every group that
   indicator reports anywhere that year, with n = 0 where it has no such students (shown as
   "fewer than 11", like any primary cell). Otherwise a row's presence tells the attacker
   n >= 1, and nine one-student school cells under a ten-student district cell pin each
   school to 1 or 2 students: no complementary suppression can undo that;
4. complementary suppression (Delaware DOE; NYSED): while the LP audit of
   :mod:`gapwatch.privacy.bounds` finds a suppressed count with fewer than k possible values,
   suppress the smallest published part of a partition or entity sum that links it (smallest n,
   then group code), n and percent together.

The derived tables follow the cells (:mod:`gapwatch.privacy.tables`).
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa

from gapwatch.contract import CODE_SETS
from gapwatch.privacy.door import (  # the parts the two doors share
    Published,
    _entity_sums,
    _members,
    _public,
    _read,
    _tables,
    complete_grid,  # without linked indicators: the first door's grid
)
from gapwatch.privacy.legacy import bounds as lp
from gapwatch.privacy.policy import Policy, code_rate, round1

RACE = {"name": "race/ethnicity", "total": "ALL", "parts": list(CODE_SETS["race_ethnicity"])}
GENDER = {"name": "gender", "total": "ALL", "parts": list(CODE_SETS["gender"])}


def _partitions(rows: list[dict]) -> list[dict]:
    """Race always; gender when F and M are reported; each only if it holds in the data."""
    by_unit: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in rows:
        by_unit[(r["school_year"], r["entity_type"], r["entity_id"], r["indicator"])][
            r["student_group"]] = r
    groups = {r["student_group"] for r in rows}
    out = []
    for part in (RACE, GENDER):
        if part is GENDER and not {"F", "M"} <= groups:
            continue
        ok = True
        for cells in by_unit.values():
            if "ALL" not in cells:
                continue
            total = cells["ALL"]
            present = [cells[g] for g in part["parts"] if g in cells]
            ok &= sum(c["n"] for c in present) == total["n"]
            if total["kind"] == "rate":
                ok &= sum(c["numerator"] or 0 for c in present) == (total["numerator"] or 0)
        if ok:
            out.append(part)
    return out


def suppress(rows: list[dict], policy: Policy, links: lp.Links) -> int:
    """Set ``status`` on every row (primary, coding, complementary); return the rounds."""
    for r in rows:
        rate = r["kind"] == "rate" and r["value"] is not None
        r["percent"] = round1(r["value"] * 100) if rate else None
        code = code_rate(r["percent"], r["n"], policy.bands) if rate and r["n"] else ""
        r["status"] = ("primary" if r["n"] < policy.min_n
                       else f"{code}_coded" if code else "published")
    by_key = {lp.Cell((int(r["school_year"]), r["entity_type"], str(r["entity_id"]),
                       r["indicator"], r["student_group"]), "", "", 0).key: r for r in rows}
    rounds, dirty = 0, {(k[0], k[3]) for k in by_key}
    while dirty:
        rounds += 1
        unit_rows = [_public(r) for k, r in by_key.items() if (k[0], k[3]) in dirty]
        cells = lp.to_cells(unit_rows)
        pins = sorted({b.key for b in lp.pinned(lp.bounds(cells, links), policy.k)})
        cell_map = {c.key: c for c in cells}
        rels = lp.relations(cell_map, links)
        chosen: list[lp.Key] = []
        stuck: list[lp.Key] = []
        for key in pins:
            mine = [rel for rel in rels if key == rel.total or key in rel.parts]
            if any(c == rel.total or c in rel.parts for rel in mine for c in chosen):
                continue
            open_ = [k for rel in mine for k in rel.parts
                     if by_key[k]["status"] not in lp.SUPPRESSED]
            open_ = open_ or [rel.total for rel in mine if by_key[rel.total]["status"]
                              not in lp.SUPPRESSED]
            open_ = open_ or [k for k in cell_map if k[:1] + k[3:4] == key[:1] + key[3:4]
                              and by_key[k]["status"] not in lp.SUPPRESSED]
            if not open_:  # its last link was suppressed this round: check again next round
                stuck.append(key)
                continue
            pick = min(open_, key=lambda k: (by_key[k]["n"], k[4], k[1], k[2]))
            by_key[pick]["status"] = "complementary"
            chosen.append(pick)
        if stuck and not chosen:
            raise RuntimeError(f"cannot protect {stuck[0]}: every linked cell is suppressed")
        dirty = {(k[0], k[3]) for k in chosen + stuck}  # a stuck pin is looked at again
    return rounds


def publish(con: duckdb.DuckDBPyConnection, policy: Policy, *,
            reference_group: str = "WH") -> Published:
    """Decide every cell and build the public tables (privacy spec) from the warehouse."""
    from gapwatch.indicators.registry import BUILTIN, Source
    from gapwatch.privacy import tables
    from gapwatch.privacy.resources import resource_tables

    rows = _read(con, "SELECT school_year, entity_type, entity_id, entity_name, indicator, kind, "
                 "student_group, n, numerator, value FROM indicator_results WHERE n > 0 "
                 "ORDER BY school_year, entity_type, entity_id, indicator, student_group")
    for r in rows:
        r["entity_id"] = str(r["entity_id"])
    rows = complete_grid(rows)
    members = _members(con, rows)
    sums = _entity_sums(rows, members)
    cohort = {i.id for i in BUILTIN if i.source == Source.COHORT}
    demoted = sorted(cohort - set(sums["exact"]) & {r["indicator"] for r in rows})
    links = lp.Links(policy.min_n, policy.bands, _partitions(rows), frozenset(sums["exact"]),
                     frozenset(sums["at_most"]), frozenset(sums["none"]), members,
                     zero_cells=True)
    rounds = suppress(rows, policy, links)
    status = {(int(r["school_year"]), r["entity_type"], r["entity_id"], r["indicator"],
               r["student_group"]): r["status"] for r in rows}
    have = _tables(con)
    gaps = tables.gap_table(con, status, reference_group) if "gaps" in have else None
    dash = tables.dashboard_table(con, status) if "dashboard" in have else None
    goals, goal_ind = (_goal_table(con, status) if "goals_progress" in have
                       else (None, {}))
    empty = {n: tables._table([], c) for n, c in tables.FILES.items()}
    resources = resource_tables(con, policy.min_n)
    disclosure = {
        "min_n": policy.min_n, "k": policy.k, "coding": policy.bands,
        "partitions": links.partitions, "entity_sums": sums, "entity_members": members,
        "zero_cells": True, "goal_indicators": goal_ind, "cohort_not_exact": demoted,
        "files": [f"{n}.csv" for n in [*tables.FILES, *resources]],
    }
    return Published(tables.indicator_table(rows, policy.min_n, policy.bands),
                     empty["gaps"] if gaps is None else gaps,
                     empty["dashboard"] if dash is None else dash,
                     empty["goals"] if goals is None else goals, disclosure, rounds, resources)


def _goal_table(con: duckdb.DuckDBPyConnection, status: dict) -> tuple[pa.Table, dict]:
    """The first door's goals.csv: targets and interim targets always shown."""
    from gapwatch.privacy.tables import GOAL_COLUMNS, _ok, _r, _table

    rel = con.sql("SELECT * FROM goals_progress ORDER BY goal_id, entity_type, entity_id, "
                  "student_group, school_year")
    out, indicators = [], {}
    for row in rel.fetchall():
        g = dict(zip(rel.columns, row, strict=True))
        indicators[g["goal_id"]] = g["indicator"]
        base = (int(g["school_year"]), g["entity_type"], str(g["entity_id"]), g["indicator"])
        keys = [(*base, g["student_group"])] + ([(*base, g["reference_group"])]
                                                 if g["reference_group"] else [])
        shown = g["value"] is not None and _ok(status, *keys)
        out.append({**g, "value": _r(g["value"]) if shown else None,
                    "target_value": _r(g["target_value"]),
                    "interim_target": _r(g["interim_target"]),
                    "status": g["status"] if shown or g["value"] is None else "suppressed"})
    return _table(out, GOAL_COLUMNS), indicators

