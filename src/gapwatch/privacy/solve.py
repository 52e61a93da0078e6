"""One connected block of the disclosure LP: min and max of each wanted variable (HiGHS; Huangfu
& Hall 2018, "Parallelizing the dual revised simplex method", Math. Prog. Comp. 10:119-142).
See :mod:`gapwatch.privacy.bounds` for the model.

The block is built once and handed to one HiGHS instance; every further min or max only changes
the objective and re-solves from the previous optimal basis (a hot start: a few simplex
iterations instead of a fresh ``scipy.optimize.linprog`` call with its set-up, presolve and
crash). The HiGHS binding is the one scipy ships with ``linprog`` (scipy >= 1.15, the same
HiGHS build as the plain path), else ``highspy`` when installed; without either, or with
``GAPWATCH_PRIVACY_LP=linprog`` in the environment, every solve is a plain ``linprog`` call.
Both paths share the tolerance logic below and give the same bounds (to 1e-6: every extreme
is either an LP optimum or a bound that every feasible point obeys and an optimal point
attains, tests/test_privacy_solve.py).
"""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from collections.abc import Callable
from types import ModuleType

import numpy as np
from scipy.optimize import linprog

TOL = 1e-6
ENV = "GAPWATCH_PRIVACY_LP"  #: "linprog" forces the plain path (benchmarks, tests)
MEMO_SIZE = 4096  #: blocks remembered (least recently used dropped first)
_MEMO: OrderedDict[tuple, dict[int, tuple]] = OrderedDict()

# {column: cost} -> (status, objective, x, message): status 0 optimal, 3 unbounded, other:
# failed (scipy's codes)
Solver = Callable[[dict[int, float]], tuple[int, float, np.ndarray | None, str]]


def _key(kind: str, k: int, proofs: bool, wanted: list[int], rows: list, lo, hi) -> tuple:
    """The memory key of a block's question: the same rows, boxes and wanted variables are
    the same linear programs."""
    local = sorted({i for free, _, _ in rows for i in free} | set(wanted))
    return (kind, k, proofs, tuple(wanted), tuple((tuple(f.items()), r, e) for f, r, e in rows),
            tuple((lo[i], hi[i]) for i in local))


def extremes(wanted: list[int], rows: list, lo: list, hi: list) -> dict[int, tuple]:
    """Min and max of each ``wanted`` variable subject to its component's rows.

    A variable seen at its own box bound in any optimal solution has that bound as its
    extreme, which saves most solves. On the HiGHS path the same holds for the tighter bounds
    the rows imply (:func:`_implied`), and before the one-variable solves, LPs on the sum of
    the still-unknown variables settle many at once. A block already solved (the door
    re-solves every block of a (year, indicator) each round, most of them unchanged) is
    answered from memory: the same rows, boxes and wanted variables are the same linear
    programs."""
    local = sorted({i for free, _, _ in rows for i in free})
    plain = os.environ.get(ENV, "").lower() == "linprog"
    if plain:  # the original path, call for call
        return _extremes(wanted, rows, lo, hi, local, plain)
    key = _key("extremes", 0, False, wanted, rows, lo, hi)
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return dict(_MEMO[key])
    out = _extremes(wanted, rows, lo, hi, local, plain)
    _MEMO[key] = dict(out)
    if len(_MEMO) > MEMO_SIZE:
        _MEMO.popitem(last=False)
    return out


def _extremes(wanted: list[int], rows: list, lo: list, hi: list, local: list[int],
              plain: bool) -> dict[int, tuple]:
    pos = {v: j for j, v in enumerate(local)}
    low = np.array([lo[i] for i in local], dtype=float)
    high = np.array([hi[i] for i in local], dtype=float)
    core = None if plain else _core()
    solve = (_linprog_solver(rows, local, pos, lo, hi) if core is None
             else _highs_solver(core, rows, local, low, high))
    # known[0][j] / known[1][j]: min / max of local variable j once known (nan before)
    known = (np.full(len(local), np.nan), np.full(len(local), np.nan))
    if core is not None:  # bounds every feasible point obeys: the box, tightened by the rows
        low, high = _implied(rows, pos, low, high)

    def seen(x: np.ndarray) -> None:
        """An optimal (so feasible) point: a variable at a bound that every feasible point
        obeys (its box, or on the fast path its bound implied by the rows) has that extreme."""
        at = np.isnan(known[0]) & (x <= low + TOL)
        known[0][at] = low[at]
        at = np.isnan(known[1]) & (x >= high - TOL)
        known[1][at] = high[at]

    want = np.array([pos[i] for i in wanted], dtype=np.int64)
    if core is not None:
        # One LP for many variables: minimise (maximise) the sum of those whose min (max) is
        # unknown; every one of them at its box bound in the optimum is settled. Repeat while
        # a round settles at least two (a single solve settles one).
        for side, sign in ((0, 1.0), (1, -1.0)):
            while len(todo := want[np.isnan(known[side][want])]) > 2:
                status, _, x, _ = solve(dict.fromkeys(todo.tolist(), sign))
                if status != 0:
                    break  # unbounded (or worse): the single solves below tell which
                seen(x)
                if len(todo) - np.isnan(known[side][todo]).sum() < 2:
                    break
    for j in want.tolist():
        for side, sign in ((0, 1.0), (1, -1.0)):
            if not np.isnan(known[side][j]):
                continue
            status, fun, x, message = solve({j: sign})
            if status == 3:
                known[side][j] = -math.inf * sign
                continue
            if status != 0:
                raise ValueError(f"published numbers are inconsistent: {message}")
            known[side][j] = float(sign * fun) + 0.0
            seen(x)
    return {i: (float(known[0][pos[i]]), float(known[1][pos[i]])) for i in wanted}


def _linprog_solver(rows: list, local: list[int], pos: dict[int, int], lo: list,
                    hi: list) -> Solver:
    """The plain path: one ``scipy.optimize.linprog(method="highs")`` call per solve."""
    eq = [(f, r) for f, r, e in rows if e]
    ub = [(f, r) for f, r, e in rows if not e]
    a_eq, a_ub = _dense(eq, pos), _dense(ub, pos)
    b_eq, b_ub = [r for _, r in eq] or None, [r for _, r in ub] or None
    box = [(lo[i], None if math.isinf(hi[i]) else hi[i]) for i in local]

    eq_at = [r for r, (_, _, e) in enumerate(rows) if e]
    ub_at = [r for r, (_, _, e) in enumerate(rows) if not e]
    last: dict = {}

    def solve(cost: dict[int, float]) -> tuple[int, float, np.ndarray | None, str]:
        c = np.zeros(len(local))
        c[list(cost)] = list(cost.values())
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=box,
                      method="highs")
        last["res"] = res
        return res.status, res.fun, res.x, res.message

    def duals() -> tuple[np.ndarray, np.ndarray]:
        res = last["res"]
        row = np.zeros(len(rows))
        if eq_at:
            row[eq_at] = res.eqlin.marginals
        if ub_at:
            row[ub_at] = res.ineqlin.marginals
        return row, np.asarray(res.lower.marginals) + np.asarray(res.upper.marginals)

    solve.duals = duals  # type: ignore[attr-defined]
    return solve


def _highs_solver(core: ModuleType, rows: list, local: list[int], low: np.ndarray,
                  high: np.ndarray) -> Solver:
    """The hot-started path: one HiGHS model per block, only the objective changes."""
    inf = core.kHighsInf
    pos = {v: j for j, v in enumerate(local)}
    cols: list[list[tuple[int, float]]] = [[] for _ in local]
    row_lo, row_hi = [], []
    for r, (free, rhs, is_eq) in enumerate(rows):
        for i, v in free.items():
            cols[pos[i]].append((r, v))
        row_lo.append(rhs if is_eq else -inf)
        row_hi.append(rhs)
    lp = core.HighsLp()
    lp.num_col_, lp.num_row_ = len(local), len(rows)
    lp.col_cost_ = np.zeros(len(local))
    lp.col_lower_ = low.copy()
    lp.col_upper_ = np.where(np.isinf(high), inf, high)
    lp.row_lower_ = np.array(row_lo, dtype=float)
    lp.row_upper_ = np.array(row_hi, dtype=float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(local), len(rows)
    lp.a_matrix_.format_ = core.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.cumsum([0] + [len(c) for c in cols], dtype=np.int32)
    lp.a_matrix_.index_ = np.array([r for c in cols for r, _ in c], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for c in cols for _, v in c], dtype=float)
    h = core._Highs()
    h.setOptionValue("output_flag", False)
    # Primal simplex: after a change of objective the last optimal basis is still feasible,
    # so primal simplex carries on from it (twice as fast as dual simplex here).
    h.setOptionValue("simplex_strategy", 4)
    h.passModel(lp)
    state: dict = {"cost": {}, "feasible": False}
    status = core.HighsModelStatus

    def solve(cost: dict[int, float]) -> tuple[int, float, np.ndarray | None, str]:
        new = {**dict.fromkeys(state["cost"], 0.0), **cost}
        h.changeColsCost(len(new), np.fromiter(new, np.int32, len(new)),
                         np.fromiter(new.values(), float, len(new)))
        state["cost"] = cost
        h.run()
        model = h.getModelStatus()
        if model not in (status.kOptimal, status.kUnbounded, status.kInfeasible):
            # a hot start can stall (HiGHS reports "Unknown"): solve again from scratch with
            # the default (dual) simplex, then carry on hot-starting
            h.clearSolver()
            h.setOptionValue("simplex_strategy", 1)
            h.run()
            h.setOptionValue("simplex_strategy", 4)
            model = h.getModelStatus()
        if model == status.kOptimal:
            state["feasible"] = True
            return 0, h.getInfo().objective_function_value, np.array(h.getSolution().col_value), ""
        if model == status.kUnbounded or (model == status.kUnboundedOrInfeasible
                                          and state["feasible"]):
            return 3, math.nan, None, ""
        return 2, math.nan, None, h.modelStatusToString(model)

    def duals() -> tuple[np.ndarray, np.ndarray]:
        sol = h.getSolution()
        return np.array(sol.row_dual), np.array(sol.col_dual)

    solve.duals = duals  # type: ignore[attr-defined]
    return solve


def _implied(rows: list, pos: dict[int, int], low: np.ndarray, high: np.ndarray,
             passes: int = 20, why: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Box bounds tightened by the rows (bound propagation): for a row sum a_i x_i <= r,
    a_k x_k <= r - sum over i != k of min(a_i x_i). Every feasible point obeys them, so an
    optimum found at one of them proves it is that variable's extreme. The data are whole
    numbers, so the arithmetic is exact; when the bounds cross (no feasible point) the box is
    kept and the LP reports the inconsistency.

    ``why``, when given, gets what :func:`_explain` needs: for each variable the row that last
    tightened its lower (``lo``) and upper (``hi``) bound, -1 for its box."""
    side, col, coef, rhs, orig = [], [], [], [], []
    for at, (free, r, is_eq) in enumerate(rows):
        for sign in (1.0, -1.0) if is_eq else (1.0,):
            for i, a in free.items():
                side.append(len(rhs))
                col.append(pos[i])
                coef.append(sign * a)
            rhs.append(sign * r)
            orig.append(at)
    row, j, a, b = (np.array(side), np.array(col), np.array(coef, dtype=float),
                    np.array(rhs, dtype=float))
    lo, hi = low.copy(), high.copy()
    up = a > 0
    for _ in range(passes):
        least = np.where(up, a * lo[j], a * hi[j])  # smallest a_i x_i over the box
        inf = np.isinf(least)
        n_inf = np.bincount(row, inf, len(b))[row]
        total = np.bincount(row, np.where(inf, 0.0, least), len(b))[row]
        ok = (n_inf == 0) | ((n_inf == 1) & inf)
        rest = np.where(inf, total, total - np.where(inf, 0.0, least))
        bound = np.where(ok, (b[row] - rest) / a, np.where(up, np.inf, -np.inf))
        new_hi, new_lo = hi.copy(), lo.copy()
        np.minimum.at(new_hi, j[up], bound[up])
        np.maximum.at(new_lo, j[~up], bound[~up])
        changed = (new_hi < hi - TOL) | (new_lo > lo + TOL)
        if why is not None and changed.any():
            _record(why, "hi", new_hi < hi - TOL, row, j, np.flatnonzero(up), bound)
            _record(why, "lo", new_lo > lo + TOL, row, j, np.flatnonzero(~up), -bound)
        lo, hi = np.maximum(lo, new_lo), np.minimum(hi, new_hi)
        if not changed.any():
            break
    if why is not None:
        why.update(orig=orig, row=row, col=j, coef=a)
    if (lo > hi + TOL).any():
        return low, high
    return lo, hi


def _record(why: dict, side: str, better: np.ndarray, row: np.ndarray, j: np.ndarray,
            entries: np.ndarray, bound: np.ndarray) -> None:
    """Remember, for each variable whose ``side`` bound this pass tightened, the row that did
    (the entry with the least ``bound``)."""
    last = why.setdefault(side, np.full(len(better), -1, dtype=np.int64))
    if not len(entries):
        return
    order = np.lexsort((bound[entries], j[entries]))
    first = entries[order[np.r_[True, j[entries][order][1:] != j[entries][order][:-1]]]]
    hit = first[better[j[first]]]
    last[j[hit]] = row[hit]


def _explain(why: dict, start: int, sides: list[str], limit: int = 200) -> frozenset[int]:
    """The rows (positions in the block's ``rows``) of the propagation that tightened
    ``start``'s ``sides``: the row that set each bound, then the bounds it used, outwards."""
    by_row: dict[int, list[int]] = why.setdefault("by_row", {})
    if not by_row:
        for e, r in enumerate(why["row"].tolist()):
            by_row.setdefault(r, []).append(e)
    seen: set[tuple[int, str]] = set()
    rows: set[int] = set()
    todo = [(start, s) for s in sides]
    while todo and len(rows) < limit:
        var, side = todo.pop()
        if (var, side) in seen:
            continue
        seen.add((var, side))
        r = int(why[side][var])
        if r < 0:
            continue
        rows.add(why["orig"][r])
        for e in by_row[r]:
            other = int(why["col"][e])
            if other != var:  # its least term used its lower bound when a > 0, else its upper
                todo.append((other, "lo" if why["coef"][e] > 0 else "hi"))
    return frozenset(rows)


def _core() -> ModuleType | None:
    """The HiGHS Python binding: scipy's own, else highspy's, else None."""
    for name in ("scipy.optimize._highspy._core", "highspy._core"):
        try:
            module = __import__(name, fromlist=["_Highs"])
        except ImportError:
            continue
        if all(hasattr(module, a) for a in ("_Highs", "HighsLp", "MatrixFormat",
                                            "HighsModelStatus", "kHighsInf")):
            return module
    return None


def _dense(rows: list, pos: dict[int, int]) -> np.ndarray | None:
    if not rows:
        return None
    a = np.zeros((len(rows), len(pos)))
    for r, (free, _) in enumerate(rows):
        for i, v in free.items():
            a[r, pos[i]] = v
    return a


def _duals(solve: Solver, j: int, local: list[int]) -> tuple[set[int], set[int]]:
    """Rows and variables (other than ``j``) with a dual value at the last optimum."""
    row, col = solve.duals()  # type: ignore[attr-defined]
    return ({int(r) for r in np.flatnonzero(np.abs(row) > TOL)},
            {local[int(c)] for c in np.flatnonzero(np.abs(col) > TOL) if c != j})


def _sides(solve: Solver, j: int, local: list[int], sides: list[float]) -> Proof:
    """The duals at variable ``j``'s min (side 1) and max (side -1)."""
    at: set[int] = set()
    cols: set[int] = set()
    for sign in sides:
        status, _, _, _ = solve({j: sign})
        if status == 0:
            r, c = _duals(solve, j, local)
            at |= r
            cols |= c
    return frozenset(at), frozenset(cols)


def proof(i: int, rows: list, lo: list, hi: list) -> Proof:
    """The rows and variables with a dual value at variable ``i``'s min or max."""
    local = sorted({v for free, _, _ in rows for v in free} | {i})
    pos = {v: j for j, v in enumerate(local)}
    core = None if os.environ.get(ENV, "").lower() == "linprog" else _core()
    low = np.array([lo[v] for v in local], dtype=float)
    high = np.minimum(np.array([hi[v] for v in local], dtype=float), CAP)
    solve = (_linprog_solver(rows, local, pos, lo, {i: min(hi[i], CAP) for i in local})
             if core is None else _highs_solver(core, rows, local, low, high))
    return _sides(solve, pos[i], local, [1.0, -1.0])


EXPLORE = 12  #: at most this many LPs over many variables before the one-variable solves
CAP = 1e7  #: a box bound standing in for "no upper bound" (no group has 10 million students)


Proof = tuple[frozenset[int], frozenset[int]]  #: (positions in ``rows``, variables)


def spread(wanted: list[int], rows: list, lo: list, hi: list, k: int, seed: int = 0,
           proofs: dict[int, Proof] | None = None) -> dict[int, tuple[float, float]]:
    """:func:`_spread`, answered from memory for a block already seen (the door looks again
    at blocks that did not change). ``proofs``, when given, is filled for every variable
    short of k values: the rows and the variables whose dual values are not zero at its min
    or max, the relations that pin it (the door suppresses a published cell among them)."""
    key = _key("spread", k, proofs is not None, wanted, rows, lo, hi)
    if key in _MEMO:
        _MEMO.move_to_end(key)
        out, found = _MEMO[key]
    else:
        found = {} if proofs is not None else None
        out = _spread(wanted, rows, lo, hi, k, seed, found)
        _MEMO[key] = (out, found)
        if len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    if proofs is not None:
        proofs.update(found)
    return dict(out)


def _spread(wanted: list[int], rows: list, lo: list, hi: list, k: int,
            seed: int = 0, proofs: dict[int, Proof] | None = None
            ) -> dict[int, tuple[float, float]]:
    """For each ``wanted`` variable, a range [low, high]: when it holds fewer than ``k``
    integers, its LP min and max or bounds every feasible point obeys (bound propagation,
    already short of k); else a range that feasible points reach (the question is only
    whether k values are possible).

    Cheap first: a few LPs with objectives over all the variables at once (all up, all down,
    random signs) give vertices of the feasible region, and a variable seen at k integers
    apart needs nothing more; the rest get their own max, then min, hot-started (one HiGHS
    model per block). A bound of :data:`CAP` or more is reported as unbounded."""
    local = sorted({i for free, _, _ in rows for i in free} | set(wanted))
    pos = {v: j for j, v in enumerate(local)}
    low = np.array([lo[i] for i in local], dtype=float)
    high = np.minimum(np.array([hi[i] for i in local], dtype=float), CAP)
    core = None if os.environ.get(ENV, "").lower() == "linprog" else _core()
    solve = (_linprog_solver(rows, local, pos, lo, {i: min(hi[i], CAP) for i in local})
             if core is None else _highs_solver(core, rows, local, low, high))
    want = np.array([pos[i] for i in wanted], dtype=np.int64)
    seen_lo = np.full(len(local), np.inf)
    seen_hi = np.full(len(local), -np.inf)
    # bound propagation first: bounds every feasible point obeys; a variable they leave fewer
    # than k values is pinned without an LP (its range reported is the propagated one)
    why: dict | None = {} if proofs is not None else None
    ilo, ihi = _implied(rows, pos, low, high, why=why)
    with np.errstate(invalid="ignore"):
        short = (np.floor(ihi[want] + TOL) - np.ceil(ilo[want] - TOL) + 1) < k
    pinned = {int(j): (float(ilo[j]), float(ihi[j])) for j in want[short]}
    if why is not None and proofs is not None:  # the sides the rows tightened (a box bound
        for j in pinned:                        # is the cell's own)
            sides = [name for name, moved in (("lo", ilo[j] > low[j] + TOL),
                                              ("hi", ihi[j] < high[j] - TOL)) if moved]
            proofs[local[j]] = (_explain(why, j, sides), frozenset())
    want = want[~short]

    def look(x: np.ndarray | None) -> None:
        if x is not None:
            np.minimum(seen_lo, x, out=seen_lo)
            np.maximum(seen_hi, x, out=seen_hi)

    def counts(j: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            c = np.floor(seen_hi[j] + TOL) - np.ceil(seen_lo[j] - TOL) + 1
        return np.nan_to_num(c, nan=0.0, neginf=0.0)

    def count(j: int) -> float:
        return float(counts(np.array([j]))[0])

    rng = np.random.default_rng(seed)
    # all up, all down, then random signs over the variables still short of k values, while
    # an LP settles at least a tenth of them
    for round_ in range(EXPLORE):
        todo = want[counts(want) < k]
        if not len(todo):
            break
        sign = (np.full(len(todo), 1.0 if round_ % 2 == 0 else -1.0) if round_ < 2
                else rng.choice([-1.0, 1.0], len(todo)))
        status, _, x, message = solve(dict(zip(todo.tolist(), sign.tolist(), strict=True)))
        if status not in (0, 3):
            raise ValueError(f"published numbers are inconsistent: {message}")
        look(x)
        if round_ >= 2 and (counts(todo) >= k).sum() < max(2, len(todo) // 10):
            break
    exact: dict[int, tuple[float, float]] = {}
    for j in want[counts(want) < k].tolist():
        if count(j) >= k:
            continue
        ends: dict[float, float] = {}  # sign -> min (1) or max (-1)
        rows_at: set[int] = set()
        cols_at: set[int] = set()
        for sign in (-1.0, 1.0):
            status, fun, x, message = solve({j: sign})
            if status != 0:
                raise ValueError(f"published numbers are inconsistent: {message}")
            look(x)
            ends[sign] = float(sign * fun) + 0.0
            if count(j) >= k:
                break
            if proofs is not None:
                r, c = _duals(solve, j, local)
                rows_at |= r
                cols_at |= c
        if len(ends) == 2:
            exact[j] = (ends[1.0], ends[-1.0])
            if proofs is not None:
                proofs[local[j]] = (frozenset(rows_at), frozenset(cols_at))
    exact.update(pinned)
    out = {}
    for i in wanted:
        j = pos[i]
        a, b = exact.get(j, (float(seen_lo[j]), float(seen_hi[j])))
        out[i] = (a, math.inf if b >= CAP - TOL else b)
    return out
