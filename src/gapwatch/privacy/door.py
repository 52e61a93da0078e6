"""The privacy door: the only way numbers leave the warehouse for the public site.

:func:`publish` reads the aggregate tables (``indicator_results``, ``gaps``, ``dashboard``,
``goals_progress`` and the ``schools`` directory; never student rows) and decides every cell:

1. primary suppression: n < min_n (NCES 2011-603; California's Dashboard shows nothing below 11);
2. top/bottom coding of rates near 0 or 100 by group size (Utah rule, METHODS.md §3); a coded
   cell whose coding alone leaves its numerator fewer than k values ("≥ 90%" of 19 students:
   18 or 19) is suppressed instead;
3. the complete grid: every entity that reports an indicator gets a row for every group that
   indicator reports anywhere that year, with n = 0 where it has no such students (shown as
   "fewer than 11", like any primary cell). Otherwise a row's presence tells the attacker
   n >= 1, and nine one-student school cells under a ten-student district cell pin each
   school to 1 or 2 students: no complementary suppression can undo that;
4. complementary suppression (Delaware DOE; NYSED; Hundepool et al. 2012, ch. 4): first no
   equality with a single suppressed cell; then, while the LP attack of
   :mod:`gapwatch.privacy.bounds`, with every relation of the disclosure model
   (:mod:`gapwatch.privacy.model`), leaves a protected variable (a suppressed n or numerator,
   a coded cell's numerator) fewer than k possible values, suppress the cheapest cell among
   those that pin it (:func:`cost`: "All students" and district rows last).

The derived tables follow the cells (:mod:`gapwatch.privacy.tables`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from gapwatch.privacy import bounds as lp
from gapwatch.privacy import model
from gapwatch.privacy.policy import Policy, code_rate, round1


@dataclass
class Published:
    """The four public tables and the disclosure metadata."""

    indicators: pa.Table
    gaps: pa.Table
    dashboard: pa.Table
    goals: pa.Table
    disclosure: dict[str, Any] = field(default_factory=dict)
    rounds: int = 0  #: complementary-suppression rounds
    #: the public resources tables (:mod:`gapwatch.privacy.resources`), by file name
    resources: dict[str, pa.Table] = field(default_factory=dict)


def _read(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    rel = con.sql(sql)
    cols = rel.columns
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    from gapwatch.warehouse import Warehouse  # not at import: the audit runs without a warehouse

    return Warehouse(con).tables()


def _entity_sums(rows: list[dict], members: dict[str, list[str]]) -> dict[str, Any]:
    """Per indicator, the relation schools -> parent that holds everywhere in the data."""
    cell = {(r["school_year"], r["entity_type"], r["entity_id"], r["indicator"],
             r["student_group"]): r for r in rows}
    seen: dict[str, set[str]] = defaultdict(set)
    for (y, et, eid, ind, g), total in cell.items():
        if f"{et}:{eid}" not in members:
            continue
        parts = [cell[k] for s in members[f"{et}:{eid}"] if (k := (y, "school", s, ind, g)) in cell]
        n, x = sum(p["n"] for p in parts), sum(p["numerator"] or 0 for p in parts)
        seen[ind].add("eq" if n == total["n"] and x == (total["numerator"] or 0)
                      else "ge" if n >= total["n"] else "le" if n <= total["n"] else "eq_n")
    exact = sorted(i for i, s in seen.items() if s == {"eq"})
    at_most = sorted(i for i, s in seen.items() if s <= {"eq", "eq_n", "le"} and i not in exact)
    at_least = {i for i, s in seen.items() if s <= {"eq", "eq_n", "ge"}}
    none = sorted(set(seen) - set(exact) - set(at_most) - at_least)
    return {"exact": exact, "at_least": "every other indicator", "at_most": at_most,
            "none": none}


def _members(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> dict[str, list[str]]:
    if "schools" not in _tables(con):
        return {}
    parents = {f"{r['entity_type']}:{r['entity_id']}" for r in rows if r["entity_type"] != "school"}
    out: dict[str, list[str]] = defaultdict(list)
    for sid, did, bd in con.sql("SELECT school_id, district_id, board_district FROM schools "
                                "ORDER BY school_id").fetchall():
        for parent in (f"district:{did}", f"board_district:{bd}"):
            if parent in parents:
                out[parent].append(str(sid))
    return dict(out)


def complete_grid(rows: list[dict], linked: dict[str, str] | None = None) -> list[dict]:
    """Add n = 0 rows so that each (year, indicator) is a full entities x groups grid.

    The entities are those with an ``ALL`` row for the indicator that year; the groups, those
    any entity reports that year for the indicator or for one tied to it by an equality of the
    disclosure model (``linked``: indicator -> its class). Otherwise a group missing from one
    indicator tells a reader it has no students there, and an equality carries that zero to
    the other (no "Multiracial" row for college eligibility pins the "Multiracial" numerator of
    the College/Career Indicator, the same students). Sorted like the warehouse query."""
    linked = linked or {}
    entities: dict[tuple, dict] = {}
    groups: dict[tuple, set[str]] = defaultdict(set)
    have = set()
    for r in rows:
        unit = (r["school_year"], r["indicator"])
        groups[(r["school_year"], linked.get(r["indicator"], r["indicator"]))].add(
            r["student_group"])
        have.add((unit, r["entity_type"], r["entity_id"], r["student_group"]))
        if r["student_group"] == "ALL":
            entities[(unit, r["entity_type"], r["entity_id"])] = r
    zeros = [{**total, "student_group": g, "n": 0, "numerator": None if total["kind"] != "rate"
              else 0, "value": None}
             for (unit, et, eid), total in entities.items()
             for g in sorted(groups[(unit[0], linked.get(unit[1], unit[1]))])
             if (unit, et, eid, g) not in have]
    return sorted(rows + zeros, key=lambda r: (r["school_year"], r["entity_type"],
                                               r["entity_id"], r["indicator"], r["student_group"]))


def _public(row: dict) -> dict:
    hidden = row["status"] in lp.SUPPRESSED
    coded = row["status"].endswith("_coded")
    return {**row, "n": None if hidden else row["n"],
            "percent": None if hidden or coded else row["percent"]}


def cost(key: lp.Key, n: int) -> tuple:
    """Complements are chosen cheapest first: a school's student group, then a school's "All
    students", then a district or board district's group, its "All students" last; within a
    tier, the smallest n (the least public value, Hundepool et al. 2012, section 4.2.3:
    cell costs in complementary suppression)."""
    tier = 2 * (key[4] == "ALL") + (key[1] != "school")
    return (tier, n, key[4], key[1], key[2], key[3], key[0])


class CannotProtect(RuntimeError):
    """A protected value stays recoverable with every cell tied to it suppressed."""


@dataclass
class Suppression:
    """What the door decided, counted (the methodology page and disclosure.json)."""

    rounds: int = 0
    primary: int = 0
    coded: int = 0
    complementary: int = 0  #: cells hidden to protect others
    coding_too_narrow: int = 0  #: coded cells whose coding alone left fewer than k values

    def as_dict(self) -> dict[str, int]:
        return {"primary": self.primary, "coded": self.coded,
                "complementary": self.complementary,
                "coding_too_narrow": self.coding_too_narrow, "rounds": self.rounds}


def _initial(rows: list[dict], policy: Policy) -> None:
    for r in rows:
        rate = r["kind"] == "rate" and r["value"] is not None
        r["percent"] = round1(r["value"] * 100) if rate else None
        code = code_rate(r["percent"], r["n"], policy.bands) if rate and r["n"] else ""
        r["status"] = ("primary" if r["n"] < policy.min_n
                       else f"{code}_coded" if code else "published")
        if code and r["status"] != "primary":
            low, high = lp.coding_range(int(r["n"]), r["status"], policy.bands)
            if high - low + 1 < policy.k:  # "≥ 90%" of 19 is 18 or 19: the coding discloses
                r["status"] = "complementary"
                r["too_narrow"] = True


def _nearest(attack: lp.Attack, start: int, by_key: dict[lp.Key, dict]) -> set[lp.Key]:
    """The published or coded cells in the relations nearest ``start``: those holding it, else
    those holding the suppressed variables they hold, and so on outwards. A district's "All
    students" (the value readers look for first) is offered only when no ring holds another
    published cell."""
    seen, rows, frontier = {start}, set(), [start]
    nearest: set[lp.Key] = set()
    while frontier:
        found: set[lp.Key] = set()
        ahead: list[int] = []
        for v in frontier:
            for r in attack.by_var[v]:
                if r in rows:
                    continue
                rows.add(r)
                for j in attack.rows[r][0]:
                    key = attack.names[j][0]
                    if by_key[key]["status"] not in lp.SUPPRESSED:
                        found.add(key)
                    elif j not in seen:
                        seen.add(j)
                        ahead.append(j)
        cheaper = {k for k in found if cost(k, 0)[0] < 3}
        if nearest:
            return cheaper or nearest
        if cheaper:
            return found
        nearest = found
        frontier = ahead
    return nearest


def _no_single(attack: lp.Attack, by_key: dict[lp.Key, dict]) -> None:
    """The classic first pass, before any LP: an equality (a partition, an exact entity sum,
    a shared universe) with exactly one suppressed cell gives it back by subtraction, so the
    cheapest other cell in it (:func:`cost`) is suppressed too, until no equality has exactly
    one (Hundepool et al. 2012, section 4.2: "at least two cells per relation"). The LP
    rounds that follow check the result and add what relations taken together still need."""
    eq_rows = [r for r, (_, _, is_eq) in enumerate(attack.rows) if is_eq]
    cells_of = {r: {attack.names[j][0] for j in attack.rows[r][0]} for r in eq_rows}
    rows_of: dict[lp.Key, list[int]] = defaultdict(list)
    for r, keys in cells_of.items():
        for key in keys:
            rows_of[key].append(r)
    todo = list(eq_rows)
    while todo:
        r = todo.pop()
        keys = cells_of[r]
        hidden = [k for k in keys if by_key[k]["status"] in lp.SUPPRESSED]
        if len(hidden) != 1 or len(keys) < 2:
            continue
        pick = min((k for k in keys if k != hidden[0]),
                   key=lambda k: cost(k, int(by_key[k]["n"])))
        by_key[pick]["status"] = "complementary"
        attack.set_status(pick, "complementary")
        todo.extend(rows_of[pick])


#: told after each complementary-suppression round: (round, counts still short of k values,
#: cells hidden this round to protect them)
OnRound = Callable[[int, int, int], None]


def suppress(rows: list[dict], policy: Policy, links: lp.Links,
             on_round: OnRound | None = None) -> Suppression:
    """Set ``status`` on every row: primary suppression, coding, then complementary
    suppression until every protected variable keeps at least k values.

    First :func:`_no_single`. Then each round bounds the blocks that changed and, for each
    pinned variable, suppresses the cheapest published or coded cell (:func:`cost`) among
    those that pin it: the cells of the relations with a dual value at its LP min or max, or
    of the propagation that bounded it (``Bound.proof``; a coded cell may be suppressed
    itself). A cell outside them would not widen its range. Without a proof, the cells of the
    nearest relations (:func:`_nearest`). A variable whose pinning cells include one
    suppressed this round waits for the next round. ``on_round`` hears of each round."""
    _initial(rows, policy)
    by_key = {(int(r["school_year"]), r["entity_type"], str(r["entity_id"]), r["indicator"],
               r["student_group"]): r for r in rows}
    attack = lp.Attack(lp.to_cells([_public(r) for r in rows]), links)
    # published numerators anchored at their true values (Attack's docstring)
    attack.anchor_at({k: float(r["numerator"]) for k, r in by_key.items()
                      if r["kind"] == "rate" and r["status"] == "published"})
    out = Suppression()
    _no_single(attack, by_key)
    dirty = attack.targets()
    safe: set[int] = set()
    while dirty:
        out.rounds += 1
        found = attack.bounds(policy.k, dirty, safe, recheck=False, proofs=True)
        safe.update(attack.index[(b.key, b.var)] for b in found if b.count >= policy.k)
        pins = sorted(lp.pinned(found, policy.k), key=lambda b: (b.key, b.var))
        if not pins:
            if on_round is not None:
                on_round(out.rounds, 0, 0)
            break
        touched: set[int] = set()
        picked: set[lp.Key] = set()
        chosen: list[lp.Key] = []
        stuck: list[lp.Bound] = []
        for b in pins:
            i = attack.index[(b.key, b.var)]
            if (b.proof & picked) if b.proof else touched.intersection(attack.by_var[i]):
                continue  # a complement among what pins it already: look again next round
            open_ = set(b.proof) or _nearest(attack, i, by_key)
            if open_ and min(cost(k, 0)[0] for k in open_) == 3:  # only a district's ALL
                open_ = set(attack.proof(i)) or open_
            if b.status.endswith("_coded"):
                open_.add(b.key)
            if not open_:  # its last link was suppressed this round: look again next round
                stuck.append(b)
                continue
            pick = min(open_, key=lambda k: cost(k, int(by_key[k]["n"])))
            by_key[pick]["status"] = "complementary"
            attack.set_status(pick, "complementary")
            chosen.append(pick)
            picked.add(pick)
            for v in ("n", "x"):
                if (pick, v) in attack.index:
                    touched.update(attack.by_var[attack.index[(pick, v)]])
        if on_round is not None:
            on_round(out.rounds, len(pins), len(chosen))
        if stuck and not chosen:
            raise CannotProtect(f"the privacy door cannot protect "
                                f"{'/'.join(map(str, stuck[0].key))}: every cell tied to it is "
                                "suppressed and it can still be recovered")
        dirty = sorted(set(attack.targets(chosen))
                       | {attack.index[(b.key, b.var)] for b in pins})
    for r in rows:
        out.primary += r["status"] == "primary"
        out.coded += r["status"].endswith("_coded")
        out.coding_too_narrow += bool(r.pop("too_narrow", False))
    out.complementary = sum(r["status"] == "complementary" for r in rows) - out.coding_too_narrow
    return out


def _truth(rows: list[dict]) -> dict[lp.Key, tuple[int, int | None]]:
    return {(int(r["school_year"]), r["entity_type"], str(r["entity_id"]), r["indicator"],
             r["student_group"]): (int(r["n"]), None if r["kind"] != "rate"
                                   else int(r["numerator"] or 0)) for r in rows}


def disclosure_rules(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The model's rules that hold in these rows (kept, dropped): :mod:`gapwatch.privacy.model`
    over the built-in indicators present and every reported group."""
    from gapwatch.indicators.registry import BUILTIN

    present = {r["indicator"] for r in rows}
    candidates = model.candidate_rules([i for i in BUILTIN if i.id in present],
                                       {r["student_group"] for r in rows})
    return model.holding_rules(candidates, _truth(rows))


def publish(con: duckdb.DuckDBPyConnection, policy: Policy, *,
            reference_group: str = "WH", on_round: OnRound | None = None) -> Published:
    """Decide every cell and build the public tables (privacy spec) from the warehouse
    (``on_round``: :func:`suppress`)."""
    from gapwatch.indicators.registry import BUILTIN, Source
    from gapwatch.privacy import tables
    from gapwatch.privacy.resources import resource_tables

    rows = _read(con, "SELECT school_year, entity_type, entity_id, entity_name, indicator, kind, "
                 "student_group, n, numerator, value FROM indicator_results WHERE n > 0 "
                 "ORDER BY school_year, entity_type, entity_id, indicator, student_group")
    for r in rows:
        r["entity_id"] = str(r["entity_id"])
    rows = complete_grid(rows, model.equal_classes(
        [i for i in BUILTIN if i.id in {r["indicator"] for r in rows}]))
    members = _members(con, rows)
    sums = _entity_sums(rows, members)
    cohort = {i.id for i in BUILTIN if i.source == Source.COHORT}
    demoted = sorted(cohort - set(sums["exact"]) & {r["indicator"] for r in rows})
    rules, dropped = disclosure_rules(rows)
    links = lp.Links(policy.min_n, policy.bands, [], frozenset(sums["exact"]),
                     frozenset(sums["at_most"]), frozenset(sums["none"]), members,
                     zero_cells=True, rules=tuple(rules), protect_coded=True)
    done = suppress(rows, policy, links, on_round)
    status = {(int(r["school_year"]), r["entity_type"], r["entity_id"], r["indicator"],
               r["student_group"]): r["status"] for r in rows}
    have = _tables(con)
    gaps = tables.gap_table(con, status, reference_group) if "gaps" in have else None
    dash = tables.dashboard_table(con, status) if "dashboard" in have else None
    goals, goal_ind = (tables.goal_table(con, status) if "goals_progress" in have
                       else (None, {}))
    empty = {n: tables._table([], c) for n, c in tables.FILES.items()}
    resources = resource_tables(con, policy.min_n)
    disclosure = {
        "model": 2, "min_n": policy.min_n, "k": policy.k, "coding": policy.bands,
        "protect_coded": True, "rules": rules, "rules_not_holding": dropped,
        "entity_sums": sums, "entity_members": members,
        "zero_cells": True, "goal_indicators": goal_ind, "goal_targets": tables.GOAL_RULE,
        "cohort_not_exact": demoted, "suppression": done.as_dict(),
        "files": [f"{n}.csv" for n in [*tables.FILES, *resources]],
    }
    return Published(tables.indicator_table(rows, policy.min_n, policy.bands),
                     empty["gaps"] if gaps is None else gaps,
                     empty["dashboard"] if dash is None else dash,
                     empty["goals"] if goals is None else goals, disclosure, done.rounds,
                     resources)
