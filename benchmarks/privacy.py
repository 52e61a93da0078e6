"""Benchmark: the privacy door (``publish``) and the disclosure audit, new LP path vs old.

    .venv/bin/python benchmarks/privacy.py [--students 20000] [--schools 40] [--years 3]
        [--workdir DIR] [--no-old]

Prepares once (not timed, kept in ``--workdir``): a synthetic district (``gapwatch.synth``),
ingested (``gapwatch.ingest.ingest_bundle``) and run with the demo config
(``gapwatch.runner.run_all``, src/gapwatch/demo.toml: intersections AA+M and EL+SWD, goals).
Then, for each path, times ``publish`` (all rounds of complementary suppression) and
``audit_disclosure`` of the site it wrote:

- new: one hot-started HiGHS model per block of the LP (:mod:`gapwatch.privacy.solve`);
- old: one ``scipy.optimize.linprog(method="highs")`` call per bound, selected with
  ``GAPWATCH_PRIVACY_LP=linprog`` (benchmarks and tests only).

Both must suppress the same cells and report the same bounds (to 1e-6); the script checks it.
The old path on the demo district takes the better part of an hour: ``--no-old`` skips it.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gapwatch.config import load_config  # noqa: E402
from gapwatch.ingest import ingest_bundle  # noqa: E402
from gapwatch.privacy import (  # noqa: E402
    Policy,
    audit_disclosure,
    publish,
    solve,
    write_published,
)
from gapwatch.privacy import bounds as lp  # noqa: E402
from gapwatch.runner import run_all  # noqa: E402
from gapwatch.synth import generate  # noqa: E402


def prepare(work: Path, students: int, schools: int, years: int, console: Console) -> Path:
    db = work / "warehouse.duckdb"
    if db.is_file():
        console.print(f"using the warehouse in {work}")
        return db
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(work / "bundle", students=students, schools=schools, years=years, seed=1)
    ingest_bundle(work / "bundle", db)
    run_all(db, load_config(ROOT / "src" / "gapwatch" / "demo.toml"))
    console.print(f"prepared {students:,} students, {schools} schools, {years} years in "
                  f"{time.perf_counter() - started:.0f} s")
    return db


def measure(db: Path, site: Path, path: str) -> dict:
    """Time publish and the audit on one LP path; return the times and what they found."""
    os.environ[solve.ENV] = "linprog" if path == "old" else ""
    solve._MEMO.clear()
    con = duckdb.connect(str(db), read_only=True)
    try:
        started = time.perf_counter()
        published = publish(con, Policy())
        publish_s = time.perf_counter() - started
    finally:
        con.close()
    shutil.rmtree(site, ignore_errors=True)
    write_published(published, site)
    solve._MEMO.clear()
    found: list[lp.Bound] = []
    plain = lp.bounds

    def keep(*args: object) -> list[lp.Bound]:  # the audit's bounds, for the comparison
        found[:] = plain(*args)
        return found

    lp.bounds = keep
    try:
        started = time.perf_counter()
        report = audit_disclosure(site)
        audit_s = time.perf_counter() - started
    finally:
        lp.bounds = plain
    rows = published.indicators.to_pylist()
    return {"publish": publish_s, "audit": audit_s, "rounds": published.rounds,
            "status": [r["status"] for r in rows], "bounds": found, "passed": report.passed,
            "problems": len(report.problems)}


def same_bounds(a: list[lp.Bound], b: list[lp.Bound]) -> float:
    """The largest difference between two lists of bounds (inf when they do not match)."""
    if [(x.key, x.var, x.status) for x in a] != [(x.key, x.var, x.status) for x in b]:
        return math.inf
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        for u, v in ((x.low, y.low), (x.high, y.high)):
            worst = max(worst, (0.0 if u == v else math.inf) if math.isinf(u) or math.isinf(v)
                        else abs(u - v))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-old", action="store_true", help="skip the old (linprog) path")
    args = parser.parse_args()
    console = Console()
    work = args.workdir or Path(os.environ.get("TMPDIR", "/tmp")) / (
        f"gapwatch-privacy-{args.students}-{args.schools}-{args.years}")
    db = prepare(work, args.students, args.schools, args.years, console)
    console.print(f"HiGHS binding: {getattr(solve._core(), '__name__', 'none (linprog)')}")
    paths = ["new"] + ([] if args.no_old else ["old"])
    got = {}
    for path in paths:
        console.print(f"running the {path} path ...")
        got[path] = measure(db, work / f"site-{path}", path)
    new = got["new"]
    table = Table(title=f"privacy door and audit: {args.students:,} students, {args.schools} "
                        f"schools, {args.years} years ({len(new['status']):,} cells, "
                        f"{new['rounds']} rounds, {len(new['bounds']):,} bounds)")
    table.add_column("step")
    for path in paths:
        table.add_column(f"{path} (s)", justify="right")
    if "old" in got:
        table.add_column("old / new", justify="right")
    for step in ("publish", "audit", "total"):
        secs = {p: (got[p]["publish"] + got[p]["audit"]) if step == "total" else got[p][step]
                for p in paths}
        ratio = [f"{secs['old'] / secs['new']:.1f}x"] if "old" in got else []
        table.add_row(step, *(f"{secs[p]:.1f}" for p in paths), *ratio)
    console.print(table)
    ok = new["passed"]
    console.print(f"audit of the new site: {'passed' if new['passed'] else 'FAILED'} "
                  f"({new['problems']} problems)")
    if "old" in got:
        old = got["old"]
        same = old["status"] == new["status"]
        worst = same_bounds(old["bounds"], new["bounds"])
        console.print(f"same suppressed cells: {same}; largest bound difference: {worst:.2g}")
        ok = ok and same and worst <= 1e-6 and old["passed"] == new["passed"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
