"""The hot-started HiGHS path of gapwatch.privacy.solve gives the same bounds as plain
``scipy.optimize.linprog``: on random small blocks (fixed seed), on random districts through
``bounds.bounds``, and on the hand-built cases of the door's tests."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from test_privacy_door import SMALL as DOOR_SMALL
from test_privacy_door import ZERO, warehouse

from gapwatch.privacy import Policy, blocks, publish, solve
from gapwatch.privacy import bounds as lp
from gapwatch.privacy.policy import code_rate, round1

pytestmark = pytest.mark.skipif(solve._core() is None, reason="no HiGHS binding")


def reference(wanted: list[int], rows: list, lo: list, hi: list) -> dict[int, tuple]:
    """Min and max of each wanted variable, one plain linprog call each, no shortcuts."""
    local = sorted({i for free, _, _ in rows for i in free})
    pos = {v: j for j, v in enumerate(local)}
    eq = [(f, r) for f, r, e in rows if e]
    ub = [(f, r) for f, r, e in rows if not e]
    a_eq, a_ub = solve._dense(eq, pos), solve._dense(ub, pos)
    box = [(lo[i], None if math.isinf(hi[i]) else hi[i]) for i in local]
    out = {}
    for i in wanted:
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(local))
            c[pos[i]] = sign
            res = linprog(c, A_ub=a_ub, b_ub=[r for _, r in ub] or None, A_eq=a_eq,
                          b_eq=[r for _, r in eq] or None, bounds=box, method="highs")
            assert res.status in (0, 3), res.message
            ends.append(-math.inf * sign if res.status == 3 else sign * res.fun)
        out[i] = (ends[0], ends[1])
    return out


def random_block(rng: random.Random) -> tuple[list[int], list, list, list]:
    """A feasible block like the disclosure LP's: integer boxes (some unbounded above), sums
    of parts equal to (or at least / at most) a total, x <= n rows, built around a known
    integer point so it is always feasible."""
    nvar = rng.randint(2, 14)
    point = [rng.randint(0, 40) for _ in range(nvar)]
    lo, hi = [], []
    for v in point:
        kind = rng.random()
        if kind < 0.2:
            lo.append(float(v)), hi.append(float(v))  # published: fixed
        elif kind < 0.45:
            lo.append(float(max(0, v - rng.randint(0, 10)))), hi.append(math.inf)
        else:
            lo.append(float(max(0, v - rng.randint(0, 10))))
            hi.append(float(v + rng.randint(0, 10)))
    rows = []
    for _ in range(rng.randint(1, nvar)):
        members = rng.sample(range(nvar), rng.randint(2, min(nvar, 6)))
        total, parts = members[0], members[1:]
        coef = {p: 1.0 for p in parts}
        coef[total] = -1.0
        lhs = sum(c * point[i] for i, c in coef.items())
        sense = rng.choice(["eq", "eq", "ge", "le", "xn"])
        if sense == "xn":  # x - n <= 0
            coef = {total: 1.0, parts[0]: -1.0}
            lhs = point[total] - point[parts[0]]
            rows.append((coef, max(lhs, 0.0) + rng.randint(0, 3), False))
        elif sense == "eq":
            rows.append((coef, float(lhs), True))
        elif sense == "ge":
            rows.append(({i: -c for i, c in coef.items()}, float(-lhs) + rng.randint(0, 5),
                         False))
        else:
            rows.append((coef, float(lhs) + rng.randint(0, 5), False))
    # the way bounds._solve hands a block over: fixed variables folded into the rhs
    fixed = {i for i in range(nvar) if lo[i] == hi[i]}
    block = []
    for coef, rhs, is_eq in rows:
        free = {i: c for i, c in coef.items() if i not in fixed}
        rhs -= sum(c * lo[i] for i, c in coef.items() if i in fixed)
        if free:
            block.append((free, rhs, is_eq))
    used = sorted({i for free, _, _ in block for i in free})
    wanted = [i for i in used if rng.random() < 0.8] or used[:1]
    return wanted, block, lo, hi


def close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (x == y if math.isinf(x) or math.isinf(y) else abs(x - y) <= 1e-6)
        for i in a for x, y in zip(a[i], b[i], strict=True))


def test_random_blocks_match_plain_linprog(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20240611)
    unbounded = 0
    for _ in range(200):
        wanted, block, lo, hi = random_block(rng)
        if not block:
            continue
        monkeypatch.delenv(solve.ENV, raising=False)
        fast = solve.extremes(wanted, block, lo, hi)
        monkeypatch.setenv(solve.ENV, "linprog")
        plain = solve.extremes(wanted, block, lo, hi)
        truth = reference(wanted, block, lo, hi)
        assert close(fast, truth), (block, lo, hi, fast, truth)
        assert close(plain, truth), (block, lo, hi, plain, truth)
        unbounded += any(math.isinf(b) for _, b in fast.values())
    assert unbounded > 10  # the unbounded branch is exercised


def test_infeasible_block_raises_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    # a + b = 5 with a, b >= 3
    block = [({0: 1.0, 1: 1.0}, 5.0, True)]
    for env in ("", "linprog"):
        monkeypatch.setenv(solve.ENV, env)
        with pytest.raises(ValueError, match="inconsistent"):
            solve.extremes([0, 1], block, [3.0, 3.0], [math.inf, math.inf])


def district(rng: random.Random, schools: int, exact: bool) -> tuple[list[lp.Cell], lp.Links]:
    """Random rate cells of one indicator: race groups partition ALL in each entity, schools
    sum to the district; statuses as the door would set them (primary below 11, some
    complementary, some coded)."""
    groups = ["AA", "AS", "HI", "WH", "MR"]
    true: dict[tuple, tuple[int, int]] = {}
    for s in range(schools):
        for g in rng.sample(groups, rng.randint(1, len(groups))):
            n = rng.choice([rng.randint(1, 12), rng.randint(5, 60)])
            true[("school", f"S{s}", g)] = (n, rng.randint(0, n))
    for et, eid in [("school", f"S{s}") for s in range(schools)] + [("district", "D1")]:
        parts = [v for (e, i, _), v in true.items() if (e, i) == (et, eid)]
        if et == "district":
            parts = [v for (e, _, g), v in true.items() if e == "school" and g != "ALL"]
            for g in groups:
                members = [v for (e, _, gg), v in true.items() if e == "school" and gg == g]
                if members:
                    true[(et, eid, g)] = (sum(n for n, _ in members), sum(x for _, x in members))
        if parts:
            true[(et, eid, "ALL")] = (sum(n for n, _ in parts), sum(x for _, x in parts))
    cells = []
    for (et, eid, g), (n, x) in sorted(true.items()):
        pct = round1(100 * x / n)
        code = code_rate(pct, n)
        status = ("primary" if n < 11 else "complementary" if rng.random() < 0.15
                  else f"{code}_coded" if code else "published")
        hidden = status in lp.SUPPRESSED
        cells.append(lp.Cell((2024, et, eid, "graduation_rate", g), "rate", status,
                             None if hidden else n, None if hidden or status != "published"
                             else pct))
    links = lp.Links(11, [[300, 99.0], [100, 98.0], [40, 95.0], [11, 90.0]],
                     [{"name": "race", "total": "ALL", "parts": groups}],
                     frozenset({"graduation_rate"} if exact else ()), frozenset(), frozenset(),
                     {"district:D1": [f"S{s}" for s in range(schools)]})
    return cells, links


def same(a: list[lp.Bound], b: list[lp.Bound]) -> bool:
    return [(x.key, x.var, x.status) for x in a] == [(x.key, x.var, x.status) for x in b] and all(
        (x.low == y.low if math.isinf(x.low) else abs(x.low - y.low) <= 1e-6)
        and (x.high == y.high if math.isinf(x.high) or math.isinf(y.high)
             else abs(x.high - y.high) <= 1e-6) and x.count == y.count
        for x, y in zip(a, b, strict=True))


def test_random_districts_match_plain_linprog(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    solved = 0
    for trial in range(60):
        cells, links = district(rng, rng.randint(1, 5), exact=trial % 2 == 0)
        monkeypatch.delenv(solve.ENV, raising=False)
        fast = lp.bounds(cells, links, exact=True)
        monkeypatch.setenv(solve.ENV, "linprog")
        plain = lp.bounds(cells, links, exact=True)
        assert same(fast, plain), cells
        solved += len(fast)
        # the door's question (k values or not) has the same answer: a range shown feasible
        # (inside the LP's) at k values or more, else one that holds the LP's and is still
        # short of k (propagated bounds)
        for k in (2, 3, 5):
            quick = lp.bounds(cells, links, k)
            assert [(b.key, b.var) for b in quick] == [(b.key, b.var) for b in fast]
            for q, f in zip(quick, fast, strict=True):
                assert (q.count < k) == (f.count < k), (q, f)
                inner, outer = (q, f) if f.count >= k else (f, q)
                assert outer.low - 1e-6 <= inner.low and inner.high <= outer.high + 1e-6, (q, f)
    assert solved > 200


def test_inequalities_slack_on_their_boxes_change_no_bound(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """Leaving out the inequalities that every point of their variables' boxes satisfies (most
    of the disclosure model's) gives every protected variable the same LP min and max."""
    rng = random.Random(11)
    dropped = 0
    for _ in range(40):
        cells, links = district(rng, rng.randint(1, 5), exact=rng.random() < 0.5)
        attack = lp.Attack(cells, links)
        dropped += sum(1 for r, (idx, _, eq) in enumerate(attack.rows)
                       if not eq and not attack._lp_rows([r])
                       and any(not attack.fixed(i) for i in idx))
        fast = attack.bounds(3, exact=True)
        attack.drop_slack = False
        every = attack.bounds(3, exact=True)
        assert same(fast, every), cells
    assert dropped > 20  # the case is exercised


# The hand-built cases of tests/test_privacy_door.py: ela_met 2024, district D1, ALL 100 (50
# met), AA 7 (3) primary, HI 60 (30) published, WH 33 (17) complementary: AA + WH = 40 and
# their numerators sum to 20 with AA's at most 10. Publishing WH pins AA to 7 (3 met).
SMALL = [lp.Cell((2024, "district", "D1", "ela_met", g), "rate", s, n, p) for g, s, n, p in [
    ("ALL", "published", 100, 50.0), ("AA", "primary", None, None),
    ("HI", "published", 60, 50.0), ("WH", "complementary", None, None)]]
RACE = {"name": "race/ethnicity", "total": "ALL",
        "parts": ["AA", "AI", "AS", "FI", "HI", "PI", "WH", "MR", "NR"]}
@pytest.mark.parametrize(("cells", "links", "expect"), [
    (SMALL, lp.Links(partitions=[RACE]),
     {("AA", "n"): (1, 10), ("WH", "n"): (30, 39), ("AA", "x"): (0, 10), ("WH", "x"): (10, 20)}),
    (SMALL[:3] + [lp.Cell(SMALL[3].key, "rate", "published", 33, 51.5)],
     lp.Links(partitions=[RACE]), {("AA", "n"): (7, 7), ("AA", "x"): (3, 3)}),
])
def test_hand_built_cases(cells, links, expect, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(solve.ENV, raising=False)
    fast = lp.bounds(cells, links, exact=True)
    monkeypatch.setenv(solve.ENV, "linprog")
    plain = lp.bounds(cells, links, exact=True)
    assert same(fast, plain)
    if expect is not None:
        got = {(b.key[4], b.var): (b.low, b.high) for b in fast}
        for key, (low, high) in expect.items():
            assert got[key] == pytest.approx((low, high), abs=1e-6), key


@pytest.mark.parametrize(("cells", "schools"), [
    (DOOR_SMALL, ()), (ZERO, [("S0", "D1", "B1"), ("S1", "D1", "B1")]),
])
@pytest.mark.parametrize("coding", [True, False])
def test_door_cases_publish_the_same(cells, schools, coding,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The door's hand-built cases (and ZERO, found by Hypothesis): the same cells suppressed
    and the same bounds on the published file with either path."""
    out = []
    for env in ("", "linprog"):
        monkeypatch.setenv(solve.ENV, env)
        pub = publish(warehouse(cells, schools), Policy(coding=coding))
        rows = [{**r, "n": "" if r["n"] is None else r["n"],
                 "percent": "" if r["percent"] is None else r["percent"]}
                for r in pub.indicators.to_pylist()]
        out.append((rows, lp.bounds(lp.to_cells(rows), lp.Links.from_json(pub.disclosure),
                                    exact=True)))
    (rows_fast, fast), (rows_plain, plain) = out
    assert [r["status"] for r in rows_fast] == [r["status"] for r in rows_plain]
    assert fast and same(fast, plain)


def test_worker_processes_give_the_same_site(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Inside blocks.workers() (the commands open it), big districts solve their blocks in
    # worker processes; here every round does (threshold 0, two workers): the same statuses
    # as one process, and the same audit.
    import duckdb
    from synthdistrict import run_district

    from gapwatch.privacy import Policy, audit_disclosure, publish, write_published

    db = run_district(tmp_path, students=500, schools=3, years=2, seed=8)
    sites = []
    for count in ("1", "2"):
        monkeypatch.setenv(blocks.WORKERS_ENV, count)
        monkeypatch.setattr(blocks, "PARALLEL_FROM", 0)
        solve._MEMO.clear()
        with blocks.workers(), duckdb.connect(str(db), read_only=True) as con:
            pub = publish(con, Policy())
        write_published(pub, tmp_path / f"site-{count}")
        solve._MEMO.clear()
        with blocks.workers():
            report = audit_disclosure(tmp_path / f"site-{count}")
        sites.append(([r["status"] for r in pub.indicators.to_pylist()], pub.rounds,
                      report.passed, report.checked))
    assert sites[0] == sites[1]
    assert sites[0][2] and "complementary" in sites[0][0]
