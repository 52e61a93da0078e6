"""Linear-programming bounds on suppressed counts: what an attacker can infer.

Every published number becomes a linear constraint on the unknown counts n and numerators x of
the cells (year, entity, indicator, group): published n fixed; a percent p rounded to 0.1 gives
n(p-0.05)/100 <= x <= n(p+0.05)/100; coded ranges; primary n in [1, min_n-1] (in [0, min_n-1]
when the door wrote the complete grid, ``zero_cells``); complementary
n >= min_n (the attacker knows the cell was not primary); 0 <= x <= n; partitions (parts sum to
the total) and entity sums (schools sum to their district: exactly, at least or at most). Each
suppressed variable is minimised and maximised with HiGHS; the integer values it can take are
floor(max) - ceil(min) + 1. This is the classical audit of a suppression pattern by linear
programming (Cox, L. H. 1980, "Suppression methodology and statistical disclosure control",
JASA 75:377-385; Fischetti, M. & Salazar-González, J. J. 1999, "Models and algorithms for the
2-dimensional cell suppression problem in statistical disclosure control", Math. Programming
84:283-312). The LP relaxation can only widen the integer range it reports.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from gapwatch.privacy.bounds import Cell, to_cells  # noqa: F401 - the legacy audit's API
from gapwatch.privacy.solve import TOL, extremes

Key = tuple[int, str, str, str, str]  #: (school_year, entity_type, entity_id, indicator, group)
SUPPRESSED = ("primary", "complementary")


@dataclass(frozen=True)
class Links:
    """How cells are tied together (disclosure.json)."""

    min_n: int = 11
    coding: list = field(default_factory=list)  #: [[min n, top cut], ...]
    partitions: list = field(default_factory=list)  #: [{"name", "total", "parts"}, ...]
    exact: frozenset[str] = frozenset()  #: indicators whose schools sum exactly (n and x)
    at_most: frozenset[str] = frozenset()  #: schools' n sum to at most the parent's
    unlinked: frozenset[str] = frozenset()  #: no entity-sum relation declared
    members: dict = field(default_factory=dict)  #: {"district:D1": [school ids]}
    zero_cells: bool = False  #: the grid is complete: a primary cell may hold 0 students

    @classmethod
    def from_json(cls, meta: dict) -> Links:
        sums = meta.get("entity_sums", {})
        return cls(int(meta["min_n"]), meta.get("coding", []), meta.get("partitions", []),
                   frozenset(sums.get("exact", [])), frozenset(sums.get("at_most", [])),
                   frozenset(sums.get("none", [])), meta.get("entity_members", {}),
                   bool(meta.get("zero_cells", False)))


@dataclass(frozen=True)
class Relation:
    """sum(parts) <sense> total, for n and (``with_x``) the numerators."""

    total: Key
    parts: tuple[Key, ...]
    sense: str  #: "eq" | "ge" (parts sum to at least the total) | "le"
    with_x: bool


@dataclass(frozen=True)
class Bound:
    key: Key
    var: str  #: "n" or "x"
    status: str
    low: float
    high: float

    @property
    def count(self) -> float:
        """How many integer values the variable can take (inf when unbounded)."""
        if math.isinf(self.high):
            return math.inf
        return max(0, math.floor(self.high + TOL) - math.ceil(self.low - TOL) + 1)


def relations(cells: dict[Key, Cell], links: Links) -> list[Relation]:
    """Partitions within each entity and entity sums within each group."""
    out: list[Relation] = []
    units = {(k[0], k[1], k[2], k[3]) for k in cells}
    for y, et, eid, ind in sorted(units):
        for p in links.partitions:
            total = (y, et, eid, ind, p["total"])
            if total in cells:
                parts = tuple(k for g in p["parts"] if (k := (y, et, eid, ind, g)) in cells)
                out.append(Relation(total, parts, "eq", cells[total].kind == "rate"))
    by_group = {(k[0], k[3], k[4]) for k in cells}
    for parent, schools in sorted(links.members.items()):
        ptype, pid = parent.split(":", 1)
        for y, ind, g in sorted(by_group):
            total = (y, ptype, pid, ind, g)
            if total not in cells or ind in links.unlinked:
                continue
            parts = tuple(k for s in schools if (k := (y, "school", s, ind, g)) in cells)
            sense = "eq" if ind in links.exact else "le" if ind in links.at_most else "ge"
            out.append(Relation(total, parts, sense, sense == "eq" and cells[total].kind == "rate"))
    return out


def _box(cell: Cell, links: Links) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """Bounds of n and x on their own."""
    big = math.inf
    if cell.status == "primary":
        n = (0.0 if links.zero_cells else 1.0, links.min_n - 1.0)
    elif cell.status == "complementary":
        n = (float(links.min_n), big)
    else:
        n = (float(cell.n), float(cell.n))
    if cell.kind != "rate":
        return n, None
    if cell.status in SUPPRESSED:
        return n, (0.0, n[1])
    m = float(cell.n)
    if cell.status == "published":
        p = cell.percent
        return n, (max(0.0, m * (p - 0.05) / 100 - 1e-9), min(m, m * (p + 0.05) / 100 + 1e-9))
    cut = next(float(c) for low, c in links.coding if m >= low)
    if cell.status == "top_coded":
        return n, (m * (cut - 0.05) / 100 - 1e-9, m)
    return n, (0.0, m * (100 - cut + 0.05) / 100 + 1e-9)


def bounds(cells: list[Cell], links: Links) -> list[Bound]:
    """[min, max] of every suppressed n and every suppressed or coded x, per (year, indicator)."""
    units: dict[tuple[int, str], dict[Key, Cell]] = defaultdict(dict)
    for c in cells:
        units[(c.key[0], c.key[3])][c.key] = c
    out: list[Bound] = []
    for unit in sorted(units):
        group = units[unit]
        if any(c.status != "published" for c in group.values()):
            out += _solve(group, links)
    return out


def _solve(cells: dict[Key, Cell], links: Links) -> list[Bound]:
    index: dict[tuple[Key, str], int] = {}
    lo: list[float] = []
    hi: list[float] = []
    for key, cell in cells.items():
        nbox, xbox = _box(cell, links)
        for var, box in (("n", nbox), ("x", xbox)):
            if box is not None:
                index[(key, var)] = len(lo)
                lo.append(box[0])
                hi.append(box[1])
    eq: list[dict[int, float]] = []
    ub: list[dict[int, float]] = []
    for key, cell in cells.items():
        if cell.kind == "rate" and cell.status in SUPPRESSED:
            ub.append({index[(key, "x")]: 1.0, index[(key, "n")]: -1.0})
    for rel in relations(cells, links):
        for var in ("n", "x") if rel.with_x else ("n",):
            row: dict[int, float] = defaultdict(float)
            for part in rel.parts:
                row[index[(part, var)]] += 1.0
            row[index[(rel.total, var)]] -= 1.0
            if rel.sense == "eq":
                eq.append(row)
            else:  # ge: total - sum <= 0; le: sum - total <= 0
                ub.append({i: (-v if rel.sense == "ge" else v) for i, v in row.items()})
    # counts are integers: tighten every box to whole numbers; fixed variables become constants
    lo = [math.ceil(a - TOL) for a in lo]
    hi = [b if math.isinf(b) else math.floor(b + TOL) for b in hi]
    fixed = {i: float(lo[i]) for i in range(len(lo)) if lo[i] == hi[i]}
    rows: list[tuple[dict[int, float], float, bool]] = []  # (free coefs, rhs, is_eq)
    for is_eq, group in ((True, eq), (False, ub)):
        for row in group:
            free = {i: v for i, v in row.items() if i not in fixed and v}
            rhs = -sum(v * fixed[i] for i, v in row.items() if i in fixed)
            if free:
                rows.append((free, rhs, is_eq))
            elif (abs(rhs) > TOL) if is_eq else (rhs < -TOL):
                raise ValueError(f"published numbers are inconsistent in {_unit(cells)}")
    parent = list(range(len(lo)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for free, _, _ in rows:
        first = next(iter(free))
        for i in free:
            parent[find(i)] = find(first)
    comp_rows: dict[int, list] = defaultdict(list)
    for row in rows:
        comp_rows[find(next(iter(row[0])))].append(row)
    targets = [(key, var, i) for (key, var), i in index.items()
               if cells[key].status in SUPPRESSED
               or (var == "x" and cells[key].status != "published")]
    by_comp: dict[int, list[int]] = defaultdict(list)
    for _, _, i in targets:
        if i not in fixed and comp_rows.get(find(i)):
            by_comp[find(i)].append(i)
    ends: dict[int, tuple[float, float]] = {}
    for comp, wanted in by_comp.items():
        ends.update(extremes(wanted, comp_rows[comp], lo, hi))
    return [Bound(key, var, cells[key].status, *ends.get(i, (float(lo[i]), float(hi[i]))))
            for key, var, i in targets]


def _unit(cells: dict[Key, Cell]) -> str:
    y, _, _, ind, _ = next(iter(cells))
    return f"{y} {ind}"


def pinned(found: list[Bound], k: int) -> list[Bound]:
    """Suppressed counts (n or x) with fewer than ``k`` possible integer values."""
    return [b for b in found if b.status in SUPPRESSED and b.count < k]
