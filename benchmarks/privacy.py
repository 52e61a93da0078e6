"""Benchmark: the privacy door (``publish``) and the disclosure audit, against the first door.

    .venv/bin/python benchmarks/privacy.py [--sizes 20000:40 100000:200] [--years 3]
        [--workdir DIR] [--old-timeout 1800] [--no-old]

For each size (students:schools), prepares once (not timed, kept in ``--workdir``): a
synthetic district (``gapwatch.synth``), ingested and run with the demo config
(src/gapwatch/demo.toml: intersections AA+M and EL+SWD, value and gap goals). Then, in the
same run, times:

- this door: ``publish`` (the disclosure model of :mod:`gapwatch.privacy.model`, every
  relation on) and ``audit_disclosure`` of the site it wrote (from the files alone, its
  memory of solved blocks cleared first), with worker processes as the commands use them
  (``GAPWATCH_PRIVACY_WORKERS=1``: one process, and then the CPU column is all the work);
- the first door (:mod:`gapwatch.privacy.legacy`, the baseline): ``publish``, stopped after
  ``--old-timeout`` seconds; its site is then audited with this audit, which counts what the
  richer model finds there.

Wall and CPU seconds and peak memory (``ru_maxrss``) are printed: the machine may be shared,
and CPU time is the steadier number. The table ends with whether every district "All
students" value that has students was published.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import sys
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from district import district_warehouse  # noqa: E402

from gapwatch.config import load_config  # noqa: E402
from gapwatch.privacy import Policy, audit_disclosure, blocks, publish, solve, write_published  # noqa: E402
from gapwatch.privacy.legacy.door import publish as legacy_publish  # noqa: E402


class TimedOut(Exception):
    pass


def prepare(work: Path, students: int, schools: int, years: int, console: Console) -> Path:
    db, seconds = district_warehouse(work, students, schools, years,
                                     load_config(ROOT / "src" / "gapwatch" / "demo.toml"))
    console.print(f"using the warehouse in {work}" if seconds is None else
                  f"prepared {students:,} students, {schools} schools, {years} years in "
                  f"{seconds:.0f} s")
    return db


def timed(step, *args, limit: int = 0):
    """(result or None when stopped, wall s, CPU s)."""
    def stop(*_: object) -> None:
        raise TimedOut

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(limit)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        out = step(*args)
    except TimedOut:
        out = None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def district_all(published) -> tuple[int, int]:
    """(district "All students" cells published, those with students)."""
    rows = [r for r in published.indicators.to_pylist()
            if r["entity_type"] == "district" and r["student_group"] == "ALL"]
    return sum(r["status"] == "published" for r in rows), len(rows)


def measure(db: Path, work: Path, which: str, limit: int) -> dict:
    solve._MEMO.clear()
    con = duckdb.connect(str(db), read_only=True)
    rounds: list[tuple[int, float, int, int]] = []  # (round, wall s so far, short, hidden)
    started = time.perf_counter()

    def new_door(con: duckdb.DuckDBPyConnection, policy: Policy):
        return publish(con, policy, on_round=lambda r, short, hidden: rounds.append(
            (r, time.perf_counter() - started, short, hidden)))

    door = new_door if which == "new" else legacy_publish
    try:
        pub, wall, cpu = timed(door, con, Policy(), limit=limit if which == "old" else 0)
    finally:
        con.close()
    out = {"publish": (wall, cpu), "done": pub is not None, "rounds": rounds}
    if pub is None:
        return out
    site = work / f"site-{which}"
    shutil.rmtree(site, ignore_errors=True)
    write_published(pub, site)
    solve._MEMO.clear()
    report, wall, cpu = timed(audit_disclosure, site)
    statuses = [r["status"] for r in pub.indicators.to_pylist()]
    return out | {"audit": (wall, cpu), "problems": len(report.problems),
                  "cells": len(statuses), "complementary": statuses.count("complementary"),
                  "district_all": district_all(pub)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["20000:40", "100000:200"])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--old-timeout", type=int, default=1800)
    parser.add_argument("--no-old", action="store_true", help="skip the first door")
    parser.add_argument("--rounds", action="store_true",
                        help="also print this door's rounds (time, counts short, cells hidden)")
    args = parser.parse_args()
    console = Console(width=200)  # the table is wide: never cut a number
    base = args.workdir or Path(os.environ.get("TMPDIR", "/tmp"))
    table = Table(title=f"privacy door + audit, {args.years} years (wall / CPU seconds of this "
                  "process; worker processes not counted)")
    for col in ("students", "schools", "door", "cells", "hidden to protect", "publish",
                "audit", "audit problems", "district ALL published", "peak RSS MB"):
        table.add_column(col, justify="right")
    with blocks.workers():  # as the commands do: big rounds in worker processes
        ok = all([measure_size(size, args, base, table, console) for size in args.sizes])
    console.print(table)
    return 0 if ok else 1


def measure_size(size: str, args: argparse.Namespace, base: Path, table: Table,
                 console: Console) -> bool:
    """Add the rows of one size to ``table``; False when this door's site fails the audit."""
    students, schools = (int(v) for v in size.split(":"))
    work = base / f"gapwatch-privacy-{students}-{schools}-{args.years}"
    db = prepare(work, students, schools, args.years, console)
    ok = True
    for which in ["new"] + ([] if args.no_old else ["old"]):
        console.print(f"{students:,} students: {which} door ...")
        got = measure(db, work, which, args.old_timeout)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        w, c = got["publish"]
        if not got["done"]:
            table.add_row(f"{students:,}", str(schools), which, "", "",
                          f"stopped after {w:.0f} / {c:.0f}", "", "", "", f"{rss:.0f}")
            continue
        pub_all, all_n = got["district_all"]
        table.add_row(f"{students:,}", str(schools), which, f"{got['cells']:,}",
                      f"{got['complementary']:,}", f"{w:.1f} / {c:.1f}",
                      "{:.1f} / {:.1f}".format(*got["audit"]), str(got["problems"]),
                      f"{pub_all} of {all_n}", f"{rss:.0f}")
        if which == "new":
            ok = ok and got["problems"] == 0
            if args.rounds:
                console.print(rounds_table(got["rounds"], students))
    return ok


def rounds_table(rounds: list[tuple[int, float, int, int]], students: int) -> Table:
    """The door's complementary-suppression rounds: when each ended, what it found."""
    table = Table(title=f"{students:,} students: the door's rounds (wall seconds since the "
                  "door started)")
    for col in ("round", "ended at s", "round s", "counts short of k", "cells hidden"):
        table.add_column(col, justify="right")
    before = 0.0
    for r, at, short, hidden in rounds:
        table.add_row(str(r), f"{at:.1f}", f"{at - before:.1f}", f"{short:,}", f"{hidden:,}")
        before = at
    return table


if __name__ == "__main__":
    sys.exit(main())
