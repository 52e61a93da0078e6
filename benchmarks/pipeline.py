"""Benchmark: `gapwatch run` at district and state scale, against a plain pandas implementation.

    .venv/bin/python benchmarks/pipeline.py [--scales district,state] [--billion]
        [--attendance-rows 100000000] [--workdir DIR] [--pandas-timeout 1800]

For each scale it prepares, once (not timed), a synthetic bundle of one school year as Parquet
and a warehouse loaded from it, then runs, each in a fresh subprocess so the peak memory is the
run's own:

- ``gapwatch run``: every indicator x group x entity, DuckDB engine, stored in the warehouse;
- the baseline: the plain pandas implementation of the same indicators (tests/oracle_indicators.py,
  written independently as the test oracle), reading the bundle's Parquet files.

Scales (issue 3): district = 500,000 students, 800 schools, days enrolled/absent from
`enrollments`; state = 6,000,000 students, 10,000 schools, plus `attendance_daily` of 100
million rows (1 billion with --billion), from which the run derives days for the students it
covers. Set-up shortcuts, stated so the figures can be read right: the warehouse is loaded
with DuckDB straight from the known-valid synthetic Parquet files (typed by the contract's own
parse expressions, without the validation that benchmarks/ingest.py measures); the daily rows
are generated in SQL (weekdays of each enrollment, students in id order, so the table is
clustered by student) and written both to the warehouse and, for pandas, to the bundle.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import measure as run_measured  # noqa: E402

from gapwatch.contract import TABLES_BY_NAME  # noqa: E402
from gapwatch.ingest.cells import parsed  # noqa: E402
from gapwatch.sql import quote_ident, sql_string  # noqa: E402
from gapwatch.warehouse import table_ddl  # noqa: E402

SCALES = {
    "smoke": {"students": 20_000, "schools": 40, "attendance": True, "target_seconds": 3.0},
    "district": {"students": 500_000, "schools": 800, "attendance": False,
                 "target_seconds": 3.0},
    "state": {"students": 6_000_000, "schools": 10_000, "attendance": True,
              "target_seconds": 60.0},
}
TARGET_PEAK_MB = 4096
TARGET_RATIO = 5.0

GAPWATCH_BODY = r"""
from pathlib import Path
from gapwatch.config import Config
from gapwatch.indicators import run
summary = run(Path(sys.argv[2]), Config())
rows = summary.rows
"""

PANDAS_BODY = r"""
from pathlib import Path
from oracle_indicators import oracle_results
rows = len(oracle_results(Path(sys.argv[1])))
"""


def load_warehouse(bundle: Path, db: Path) -> None:
    """Typed contract tables straight from the bundle's Parquet files (no validation)."""
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    given = []
    for path in sorted(bundle.glob("*.parquet")):
        tbl = TABLES_BY_NAME.get(path.stem)
        if tbl is None or tbl.name == "attendance_daily":
            continue
        have = {r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({sql_string(str(path))})").fetchall()}
        cols = ", ".join(
            f"CAST({parsed(c, f'CAST({quote_ident(c.name)} AS VARCHAR)')} AS {c.sql_type})"
            if c.name in have else f"CAST(NULL AS {c.sql_type})"
            for c in tbl.columns
        )
        con.execute(table_ddl(tbl))
        con.execute(f"INSERT INTO {tbl.name} SELECT {cols} "
                    f"FROM read_parquet({sql_string(str(path))})")
        given.append(tbl.name)
    con.execute("CREATE TABLE ingest_tables (table_name VARCHAR, given BOOLEAN)")
    con.executemany("INSERT INTO ingest_tables VALUES (?, TRUE)", [(g,) for g in given])
    con.close()


def add_attendance(db: Path, bundle: Path, rows: int) -> int:
    """Daily rows for enrollments in student order until ``rows``; returns the count written."""
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE IF EXISTS attendance_daily")
    con.execute(table_ddl(TABLES_BY_NAME["attendance_daily"]))
    con.execute(f"""
        INSERT INTO attendance_daily
        SELECT student_id, school_id, date,
               CASE WHEN hash(student_id, date) % 100 < 5 THEN 'A'
                    WHEN hash(student_id, date) % 100 < 8 THEN 'E' ELSE 'P' END,
               CAST(NULL AS INTEGER)
        FROM (
            SELECT e.student_id, e.school_id, CAST(d.d AS DATE) AS date
            FROM (SELECT * FROM enrollments ORDER BY student_id, school_id) e,
                 generate_series(e.entry_date,
                                 coalesce(e.exit_date, make_date(e.school_year, 6, 10)),
                                 INTERVAL 1 DAY) AS d(d)
            WHERE isodow(d.d) <= 5
        )
        LIMIT {rows}
    """)
    written = con.execute("SELECT count(*) FROM attendance_daily").fetchone()[0]
    con.execute("INSERT INTO ingest_tables VALUES ('attendance_daily', TRUE)")
    target = bundle / "attendance_daily.parquet"
    con.execute(f"COPY attendance_daily TO {sql_string(str(target))} (FORMAT parquet)")
    con.close()
    return written


def measure(body: str, bundle: Path, db: Path, *, timeout: float | None = None,
            memory_gb: float | None = None) -> dict[str, object]:
    """Run ``body`` with the bundle and warehouse as arguments (see benchmarks/measure.py)."""
    return run_measured(body, bundle, db, paths=(str(ROOT / "tests"),), timeout=timeout,
                        memory_gb=memory_gb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="district,state")
    parser.add_argument("--attendance-rows", type=int, default=100_000_000)
    parser.add_argument("--billion", action="store_true",
                        help="1,000,000,000 daily attendance rows at state scale")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--pandas-timeout", type=float, default=1800)
    parser.add_argument("--pandas-memory-gb", type=float, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-pandas", action="store_true", help="time gapwatch only")
    args = parser.parse_args()
    attendance_rows = 1_000_000_000 if args.billion else args.attendance_rows

    from gapwatch.synth import generate

    console = Console(width=120)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gapwatch-pipeline-"))
    work.mkdir(parents=True, exist_ok=True)
    table = Table(title="gapwatch run vs plain pandas, one school year, 2 cores")
    for col in ("scale", "run", "result rows", "seconds", "peak MB", "pandas / gapwatch",
                "targets"):
        table.add_column(col, justify="left" if col in ("scale", "run", "targets") else "right")
    for scale in args.scales.split(","):
        spec = SCALES[scale]
        bundle, db = work / f"{scale}-bundle", work / f"{scale}.duckdb"
        t0 = time.perf_counter()
        if not (bundle / "enrollments.parquet").exists():
            generate(bundle, students=spec["students"], schools=spec["schools"], years=1,
                     seed=args.seed, file_format="parquet")
        console.print(f"{scale}: bundle ready in {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        load_warehouse(bundle, db)
        daily = 0
        if spec["attendance"]:
            daily = add_attendance(db, bundle, attendance_rows)
        else:
            (bundle / "attendance_daily.parquet").unlink(missing_ok=True)
        console.print(f"{scale}: warehouse ready in {time.perf_counter() - t0:.0f} s "
                      f"({daily:,} daily attendance rows)")
        ours = measure(GAPWATCH_BODY, bundle, db)
        console.print(f"{scale}: gapwatch run {ours}")
        theirs = measure(PANDAS_BODY, bundle, db, timeout=args.pandas_timeout,
                         memory_gb=args.pandas_memory_gb) if not args.skip_pandas else {
                             "failed": "skipped"}
        console.print(f"{scale}: pandas {theirs}")
        label = f"{scale}\n{spec['students']:,} students\n{daily:,} daily rows"
        ratio = (f"{theirs['seconds'] / ours['seconds']:.1f}x"
                 if "seconds" in theirs and "seconds" in ours else "-")
        checks = []
        if "seconds" in ours:
            checks.append(f"time <= {spec['target_seconds']:.0f} s: "
                          f"{'met' if ours['seconds'] <= spec['target_seconds'] else 'NOT met'}")
            checks.append(f"peak <= 4 GB: "
                          f"{'met' if ours['peak_mb'] <= TARGET_PEAK_MB else 'NOT met'}")
        if scale == "state" and "seconds" in ours:
            if "failed" in theirs:
                checks.append(">= 5x pandas: no ratio, pandas did not finish")
            else:
                ok = theirs["seconds"] / ours["seconds"] >= TARGET_RATIO
                checks.append(f">= 5x pandas: {'met' if ok else 'NOT met'}")
        for name, result in (("gapwatch run (DuckDB)", ours), ("pandas baseline", theirs)):
            failed = result.get("failed")
            table.add_row(
                label if name.startswith("gapwatch") else "", name,
                f"{result['rows']:,}" if not failed else "-",
                f"{result['seconds']:.1f}" if not failed else str(failed),
                f"{result['peak_mb']:,.0f}" if not failed else "-",
                ratio if name.startswith("pandas") else "",
                "\n".join(checks) if name.startswith("gapwatch") else "",
            )
    console.print(table)
    console.print(f"work folder: {work}")


if __name__ == "__main__":
    main()
