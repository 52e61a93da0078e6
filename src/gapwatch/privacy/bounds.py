"""Linear-programming bounds on the protected counts: what an attacker can infer.

Every published number becomes a linear constraint on the unknown counts n and numerators x of
the cells (year, entity, indicator, group): published n fixed; a percent p rounded to 0.1 gives
n(p-0.05)/100 <= x <= n(p+0.05)/100; coded ranges; primary n in [0, min_n-1] (in [1, min_n-1]
when the grid is not complete); complementary n >= min_n (the attacker knows the cell was not
primary); 0 <= x <= n; and every relation of the disclosure model (entity sums and the rules of
:mod:`gapwatch.privacy.model`, as :mod:`gapwatch.privacy.relations` writes them).

The protected variables are every suppressed n and x and every coded cell's x. Each is
minimised and maximised with HiGHS over its block: the variables it is connected to through
relations whose other variables are not fixed by publication (a school's cells with its own
relations; the district level with the sums), so independent blocks are solved separately. The
integer values a variable can take are floor(max) - ceil(min) + 1. This is the classical audit
of a suppression pattern by linear programming (Cox, L. H. 1980, "Suppression methodology and
statistical disclosure control", JASA 75:377-385; Fischetti, M. & Salazar-González, J. J.
1999, Math. Programming 84:283-312; Hundepool et al. 2012, *Statistical Disclosure Control*,
section 4.3 "auditing"). The LP relaxation can only widen the integer range it reports;
:func:`refine` tightens a block's near-threshold variables with integer programming
(``scipy.optimize.milp``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from gapwatch.privacy import relations as rel
from gapwatch.privacy.blocks import Task, solve_blocks
from gapwatch.privacy.solve import TOL, proof

Key = rel.Key
SUPPRESSED = ("primary", "complementary")


@dataclass(frozen=True)
class Cell:
    """One row of indicators.csv as the public sees it."""

    key: Key
    kind: str  #: rate | mean
    status: str  #: published | primary | complementary | top_coded | bottom_coded
    n: int | None
    percent: float | None = None


@dataclass(frozen=True)
class Links:
    """How cells are tied together (disclosure.json)."""

    min_n: int = 11
    coding: list = field(default_factory=list)  #: [[min n, top cut], ...]
    partitions: list = field(default_factory=list)  #: first-door partitions (legacy)
    exact: frozenset[str] = frozenset()  #: indicators whose schools sum exactly (n and x)
    at_most: frozenset[str] = frozenset()  #: schools' n sum to at most the parent's
    unlinked: frozenset[str] = frozenset()  #: no entity-sum relation declared
    members: dict = field(default_factory=dict)  #: {"district:D1": [school ids]}
    zero_cells: bool = False  #: the grid is complete: a primary cell may hold 0 students
    rules: tuple = ()  #: the disclosure model's rules (gapwatch.privacy.model)
    protect_coded: bool = True  #: a coded cell's numerator is protected like a suppressed one

    @classmethod
    def from_json(cls, meta: dict) -> Links:
        sums = meta.get("entity_sums", {})
        return cls(int(meta["min_n"]), meta.get("coding", []), meta.get("partitions", []),
                   frozenset(sums.get("exact", [])), frozenset(sums.get("at_most", [])),
                   frozenset(sums.get("none", [])), meta.get("entity_members", {}),
                   bool(meta.get("zero_cells", False)), tuple(meta.get("rules", [])),
                   bool(meta.get("protect_coded", "rules" in meta)))


@dataclass(frozen=True)
class Bound:
    key: Key
    var: str  #: "n" or "x"
    status: str
    low: float
    high: float
    #: for a variable short of k values (door only): the published and coded cells in the
    #: relations that pin it (LP duals), the candidates for a complement
    proof: frozenset = field(default=frozenset(), compare=False)

    @property
    def count(self) -> float:
        """How many integer values the variable can take (inf when unbounded)."""
        if math.isinf(self.high):
            return math.inf
        return max(0, math.floor(self.high + TOL) - math.ceil(self.low - TOL) + 1)


def to_cells(rows: list[dict]) -> list[Cell]:
    """Public rows (as in indicators.csv) -> cells for the LP."""
    return [Cell((int(r["school_year"]), r["entity_type"], str(r["entity_id"]), r["indicator"],
                     r["student_group"]), r["kind"], r["status"],
                    None if r["n"] in (None, "") else int(r["n"]),
                    None if r["percent"] in (None, "") else float(r["percent"])) for r in rows]


def constraints(kinds: dict[Key, str], links: Links) -> list[rel.Constraint]:
    """Every linear relation of the model over the cells (entity sums, rules, partitions)."""
    from gapwatch.privacy.model import legacy_rules

    rules = [*links.rules, *legacy_rules(links.partitions)]
    return (rel.expand(kinds, rules)
            + rel.entity_sums(kinds, links.members, links.exact, links.at_most, links.unlinked))


def coding_range(n: int, status: str, coding: list) -> tuple[int, int]:
    """The integer numerators a coded cell of ``n`` students can have from its coding alone."""
    cut = next(float(c) for low, c in coding if n >= low)
    if status == "top_coded":
        return math.ceil(n * (cut - 0.05) / 100 - 1e-9 - TOL), n
    return 0, math.floor(n * (100 - cut + 0.05) / 100 + 1e-9 + TOL)


def box(cell: Cell, links: Links) -> tuple[tuple[float, float], tuple[float, float] | None]:
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
    return n, tuple(map(float, coding_range(cell.n, cell.status, links.coding)))


def protected(cell: Cell, var: str, links: Links) -> bool:
    """Suppressed n and x; a coded cell's x (when the model protects coded cells)."""
    return cell.status in SUPPRESSED or (
        var == "x" and links.protect_coded and cell.status.endswith("_coded"))


class Attack:
    """The attacker's LP over a set of public cells, kept up to date as statuses change.

    Anchoring (:meth:`anchor_at`): a published numerator that its rounded percent leaves
    free (n of 1,000 or more) joins every cell it is related to into one large block. Fixed
    at the values of one feasible point, it splits the blocks, and the feasible region only
    shrinks: a variable shown to keep k values there keeps them in the whole region. A
    variable left fewer than k values is looked at again without the anchors, so the ranges
    of pinned variables are those of the whole region."""

    def __init__(self, cells: Iterable[Cell], links: Links) -> None:
        self.links = links
        self.anchor: dict[int, float] = {}
        #: leave out the inequalities no point of the boxes can violate (:meth:`_lp_rows`)
        self.drop_slack = True
        self.cells: dict[Key, Cell] = {c.key: c for c in cells}
        self.index: dict[tuple[Key, str], int] = {}
        self.names: list[tuple[Key, str]] = []
        for key, cell in self.cells.items():
            for var in ("n", "x") if cell.kind == "rate" else ("n",):
                self.index[(key, var)] = len(self.names)
                self.names.append((key, var))
        self.lo: list[float] = [0.0] * len(self.names)
        self.hi: list[float] = [0.0] * len(self.names)
        self.full: tuple[list[float], list[float]] = ([0.0] * len(self.names),
                                                      [0.0] * len(self.names))
        for cell in self.cells.values():
            self._set_box(cell)
        self.rows: list[tuple[list[int], list[float], bool]] = []  # (vars, coefs, is_eq)
        own = [(((k, "x", 1), (k, "n", -1)), "le") for k, c in self.cells.items()
               if c.kind == "rate"]  # x <= n
        for terms, sense in own + constraints({k: c.kind for k, c in self.cells.items()}, links):
            coefs: dict[int, float] = defaultdict(float)
            for key, var, c in terms:
                coefs[self.index[(key, var)]] += c
            idx = [i for i, v in coefs.items() if v]
            self.rows.append((idx, [coefs[i] for i in idx], sense == "eq"))
        self.by_var: list[list[int]] = [[] for _ in self.names]
        for r, (idx, _, _) in enumerate(self.rows):
            for i in idx:
                self.by_var[i].append(r)

    def _set_box(self, cell: Cell) -> None:
        nbox, xbox = box(cell, self.links)
        for var, b in (("n", nbox), ("x", xbox)):
            if b is not None:
                i = self.index[(cell.key, var)]
                low = math.ceil(b[0] - TOL)
                high = b[1] if math.isinf(b[1]) else math.floor(b[1] + TOL)
                self.full[0][i], self.full[1][i] = low, high
                if i in self.anchor and cell.status == "published":
                    low = high = self.anchor[i]
                self.lo[i], self.hi[i] = low, high

    def anchor_at(self, values: dict[Key, float]) -> None:
        """Fix each published cell's free numerator at ``values[key]`` (a feasible point)."""
        for key, v in values.items():
            i = self.index.get((key, "x"))
            cell = self.cells.get(key)
            if i is not None and cell.status == "published" and self.lo[i] != self.hi[i]:
                self.anchor[i] = float(v)
                self._set_box(cell)

    def feasible_point(self) -> dict[Key, float]:
        """The published numerators at one point of the whole feasible region (two LPs)."""
        from scipy.optimize import linprog
        from scipy.sparse import csr_matrix

        eq = [r for r in self.rows if r[2]]
        ub = [r for r in self.rows if not r[2]]

        def matrix(rows: list) -> csr_matrix | None:
            if not rows:
                return None
            data = [c for _, coefs, _ in rows for c in coefs]
            cols = [i for idx, _, _ in rows for i in idx]
            ptr = [0]
            for idx, _, _ in rows:
                ptr.append(ptr[-1] + len(idx))
            return csr_matrix((data, cols, ptr), shape=(len(rows), len(self.names)))

        wanted = [i for (key, var), i in self.index.items()
                  if var == "x" and self.cells[key].status == "published"]
        a_ub, a_eq = matrix(ub), matrix(eq)
        box = list(zip(self.full[0], [None if math.isinf(h) else h for h in self.full[1]],
                       strict=True))
        points = []
        for sign in (1.0, -1.0):  # two opposite vertices: their midpoint is feasible and
            cost = np.zeros(len(self.names))  # nearer the middle of the region, where the
            cost[wanted] = sign  # anchors leave the other variables the most room
            res = linprog(cost, A_ub=a_ub, b_ub=np.zeros(len(ub)) if ub else None, A_eq=a_eq,
                          b_eq=np.zeros(len(eq)) if eq else None, bounds=box, method="highs")
            if res.status != 0:
                raise ValueError(f"published numbers are inconsistent: {res.message}")
            points.append(res.x)
        middle = (points[0] + points[1]) / 2
        return {self.names[i][0]: float(middle[i]) for i in wanted}

    def set_status(self, key: Key, status: str) -> None:
        c = self.cells[key]
        self.cells[key] = Cell(key, c.kind, status, c.n, c.percent)
        self._set_box(self.cells[key])

    def targets(self, keys: Iterable[Key] | None = None) -> list[int]:
        keys = self.cells if keys is None else keys
        return [self.index[(k, v)] for k in keys for v in ("n", "x")
                if (k, v) in self.index and protected(self.cells[k], v, self.links)]

    def fixed(self, i: int) -> bool:
        return self.lo[i] == self.hi[i]

    def block(self, start: int) -> tuple[set[int], list[int]]:
        """The free variables connected to ``start`` and the rows that link them."""
        seen, rows, todo = {start}, set(), [start]
        lo, hi = self.lo, self.hi
        while todo:
            i = todo.pop()
            for r in self.by_var[i]:
                if r in rows:
                    continue
                rows.add(r)
                for j in self.rows[r][0]:
                    if j not in seen and lo[j] != hi[j]:
                        seen.add(j)
                        todo.append(j)
        return seen, sorted(rows)

    def _lp_rows(self, rows: list[int], ids: list[int] | None = None
                 ) -> list[tuple[dict[int, float], float, bool]]:
        """The rows with the fixed variables moved to the right-hand side (``ids`` gets the
        row number of each row kept). An inequality that every point of its variables' boxes
        satisfies is left out: it cuts nothing off, so no range changes, and most of the
        model's inequalities are such (a suppressed group of at most 10 students within a
        published total of 500)."""
        out = []
        lo, hi = self.lo, self.hi
        for r in rows:
            idx, coef, is_eq = self.rows[r]
            free = {i: c for i, c in zip(idx, coef, strict=True) if lo[i] != hi[i]}
            rhs = -float(sum(c * lo[i] for i, c in zip(idx, coef, strict=True) if lo[i] == hi[i]))
            if self.drop_slack and free and not is_eq and sum(
                    c * (hi[i] if c > 0 else lo[i]) for i, c in free.items()) <= rhs:
                continue  # never binding within the boxes
            if free:
                out.append((free, rhs, is_eq))
                if ids is not None:
                    ids.append(r)
            elif (abs(rhs) > TOL) if is_eq else (rhs < -TOL):
                key = self.names[idx[0]][0]
                raise ValueError(f"published numbers are inconsistent near "
                                 f"{'/'.join(map(str, key))}")
        return out

    def bounds(self, k: int, start: Iterable[int] | None = None,
               safe: set[int] | frozenset[int] = frozenset(), exact: bool = False,
               recheck: bool = True, proofs: bool = False, only: bool = False
               ) -> list[Bound]:
        """Ranges of the protected variables in the blocks of ``start`` (default: all), but
        those in ``safe``: when fewer than ``k`` values, a range holding every feasible value,
        else a range shown feasible (:func:`gapwatch.privacy.solve.spread`).

        Suppressing a cell only widens its boxes, so the feasible region only grows as the
        door works: a variable once shown to keep k values keeps them (the door passes those
        as ``safe``). ``exact``: every range is the LP's min and max. ``only``: bound the
        variables of ``start`` alone, not every protected variable of their blocks."""
        start = self.targets() if start is None else list(start)
        chosen = set(start)
        done: set[int] = set()
        out: list[Bound] = []
        lo, hi = self.lo, self.hi
        blocks: list[tuple[list[int], list[int], Task]] = []  # (wanted, row ids, task)
        for s in start:
            if s in done:
                continue
            if self.fixed(s):
                done.add(s)
                out.append(Bound(*self.names[s], self.cells[self.names[s][0]].status, lo[s],
                                 hi[s]))
                continue
            block, rows = self.block(s)
            done |= block
            wanted = [i for i in self.targets({self.names[j][0] for j in block})
                      if i in block and not self.fixed(i) and i not in safe
                      and (not only or i in chosen)]
            ids: list[int] = []
            lp_rows = self._lp_rows(rows, ids)
            free = {i for f, _, _ in lp_rows for i in f}
            todo = [i for i in wanted if i in free]
            blocks.append((wanted, ids, Task(todo, lp_rows, {i: lo[i] for i in free | set(todo)},
                                             {i: hi[i] for i in free | set(todo)})))
        solved = solve_blocks([t for _, _, t in blocks], k, exact, proofs)
        for (wanted, ids, _), (ends, found) in zip(blocks, solved, strict=True):
            for i in wanted:
                key, var = self.names[i]
                low, high = ends.get(i, (lo[i], hi[i]))
                why = self._cells_of(*found[i], ids) if found and i in found else frozenset()
                out.append(Bound(key, var, self.cells[key].status, low, high, why))
        if self.anchor and not exact and recheck:
            out = self._unanchored(out, k)
        return out

    def proof(self, i: int) -> frozenset[Key]:
        """The published and coded cells in the relations that pin variable ``i`` (LP duals
        at its min and max over its block)."""
        _, rows = self.block(i)
        ids: list[int] = []
        lp_rows = self._lp_rows(rows, ids)
        return self._cells_of(*proof(i, lp_rows, self.lo, self.hi), ids)

    def _cells_of(self, at: frozenset[int], cols: frozenset[int], ids: list[int]
                  ) -> frozenset[Key]:
        """The cells not suppressed among a proof's rows (their fixed variables: published
        numbers) and variables (free numerators of published or coded cells)."""
        out: set[Key] = set()
        for p in at:
            for j in self.rows[ids[p]][0]:
                if self.cells[self.names[j][0]].status not in SUPPRESSED:
                    out.add(self.names[j][0])
        out |= {self.names[j][0] for j in cols
                if self.cells[self.names[j][0]].status not in SUPPRESSED}
        return frozenset(out)

    def _unanchored(self, found: list[Bound], k: int) -> list[Bound]:
        """``found`` with each variable short of k values bounded again without anchors."""
        short = [self.index[(b.key, b.var)] for b in found if b.count < k]
        if not short:
            return found
        anchored = self.lo, self.hi, self.anchor
        self.lo, self.hi, self.anchor = list(self.full[0]), list(self.full[1]), {}
        try:
            again = {(b.key, b.var): b for b in self.bounds(k, short, only=True)}
        finally:
            self.lo, self.hi, self.anchor = anchored
        return [again.get((b.key, b.var), b) for b in found]

    def check(self) -> None:
        """Raise ValueError when relations among fixed numbers fail (inconsistent files)."""
        self._lp_rows([r for r, (idx, _, _) in enumerate(self.rows)
                       if all(self.fixed(i) for i in idx)])


def bounds(cells: list[Cell], links: Links, k: int = 3, exact: bool = False) -> list[Bound]:
    """The range of every protected variable (the audit's question): with ``exact``, its LP
    min and max; else, when it holds fewer than ``k`` values, a range holding every feasible
    value, or a range feasible points reach."""
    attack = Attack(cells, links)
    attack.check()
    if not exact:
        attack.anchor_at(attack.feasible_point())
    return attack.bounds(k, exact=exact)


def need(b: Bound, k: int) -> int:
    """How many values a protected variable must keep: k."""
    return k


def pinned(found: list[Bound], k: int) -> list[Bound]:
    """Protected counts (n or x) with fewer than ``k`` possible integer values."""
    return [b for b in found if b.count < need(b, k)]
