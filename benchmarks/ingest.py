"""Benchmark: validated ingest of a synthetic district, CSV and Parquet, against a plain baseline.

    .venv/bin/python benchmarks/ingest.py [--students 500000] [--schools 800] [--years 3]

For each format it generates the bundle once (not timed here), then runs, each in a fresh
subprocess so peak memory is the run's own:

- ``gapwatch ingest``: read, validate every cell and cross-table rule, load into DuckDB;
- the baseline: DuckDB's own reader loading every file as-is (``CREATE TABLE AS SELECT * FROM
  read_csv/read_parquet``), with no validation and no rejects.

It prints rows, wall seconds, rows per second and peak resident memory for both, and the ratio
of gapwatch's time to the baseline's: the price of validation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import measure as run_measured  # noqa: E402

GAPWATCH_BODY = r"""
from pathlib import Path
from gapwatch.ingest import ingest_bundle
report = ingest_bundle(Path(sys.argv[1]), Path(sys.argv[2]))
assert report.exit_code == 0, report.exit_code
rows = sum(t.rows_read for t in report.tables.values())
"""

BASELINE_BODY = r"""
from pathlib import Path
import duckdb
con = duckdb.connect(sys.argv[2])
rows = 0
for f in sorted(Path(sys.argv[1]).iterdir()):
    reader = "read_parquet" if f.suffix == ".parquet" else "read_csv"
    con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM {reader}('{f}')")
    rows += con.execute(f"SELECT count(*) FROM {f.stem}").fetchone()[0]
con.close()
"""


def measure(body: str, bundle: Path, db: Path) -> dict[str, float]:
    """Run ``body`` in a fresh interpreter; return seconds, peak MB and rows."""
    db.unlink(missing_ok=True)
    result = run_measured(body, bundle, db)
    if "failed" in result:
        raise RuntimeError(result["failed"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--schools", type=int, default=800)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from gapwatch.synth import generate

    console = Console(width=120)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gapwatch-bench-"))
    table = Table(
        title=f"Ingest: {args.students:,} students x {args.years} years, {args.schools} schools"
    )
    for col in ("format", "run", "rows", "seconds", "rows/s", "peak MB", "x baseline"):
        table.add_column(col, justify="right" if col not in ("format", "run") else "left")

    for fmt in ("csv", "parquet"):
        bundle = work / f"bundle-{fmt}"
        if not bundle.exists():
            t0 = time.perf_counter()
            generate(bundle, students=args.students, schools=args.schools, years=args.years,
                     seed=args.seed, file_format=fmt)
            console.print(f"generated {fmt} bundle in {time.perf_counter() - t0:.1f} s")
        ours = measure(GAPWATCH_BODY, bundle, work / f"gapwatch-{fmt}.duckdb")
        base = measure(BASELINE_BODY, bundle, work / f"baseline-{fmt}.duckdb")
        for name, result in (("gapwatch ingest", ours), ("baseline (DuckDB, no checks)", base)):
            table.add_row(
                fmt,
                name,
                f"{result['rows']:,}",
                f"{result['seconds']:.1f}",
                f"{result['rows'] / result['seconds']:,.0f}",
                f"{result['peak_mb']:,.0f}",
                f"{result['seconds'] / base['seconds']:.2f}",
            )
    console.print(table)
    console.print(f"work folder: {work}")


if __name__ == "__main__":
    main()
