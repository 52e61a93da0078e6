"""Benchmark: ingesting the synthetic district from CALPADS extracts and from OneRoster CSV,
against the native bundle of the same district (the baseline).

    .venv/bin/python benchmarks/sources.py [--students 50000] [--schools 80] [--years 2]

It generates the bundle once and writes it with ``gapwatch synth``'s layout writers (not
timed), then runs each ingest in a fresh subprocess: the native bundle (``--from gapwatch``,
only the tables the layout carries), and the layout through its adapter. It prints rows, wall
seconds, rows per second, peak memory and the ratio of seconds per row to the native ingest's
(OneRoster carries one school year, so it loads fewer rows): the price of reading a district's
own export instead of the contract's files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import measure  # noqa: E402

BODY = r"""
from pathlib import Path
from gapwatch.ingest import ingest_bundle
report = ingest_bundle(Path(sys.argv[1]), Path(sys.argv[2]), source=sys.argv[3])
assert report.exit_code == 0, (report.refusals, report.examples)
rows = sum(t.rows_read for t in report.tables.values())
"""

#: tables each layout carries (the native baseline loads the same ones)
CARRIED = {"calpads": ("schools", "students", "enrollments", "discipline", "course_marks",
                       "sections"),
           "oneroster": ("schools", "students", "enrollments", "course_marks", "sections")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--schools", type=int, default=80)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from gapwatch.sources.layouts import writer
    from gapwatch.synth import generate

    console = Console(width=120)
    work = Path(tempfile.mkdtemp(prefix="gapwatch-bench-sources-"))
    native = work / "native"
    generate(native, students=args.students, schools=args.schools, years=args.years,
             seed=args.seed)
    table = Table(title=f"Ingest by source: {args.students:,} students x {args.years} years, "
                        f"{args.schools} schools")
    for col in ("layout", "run", "rows", "seconds", "rows/s", "peak MB", "x native per row"):
        table.add_column(col, justify="left" if col in ("layout", "run") else "right")
    for layout, tables in CARRIED.items():
        t0 = time.perf_counter()
        folder = work / layout
        writer(layout)(native, folder)
        cut = work / f"native-{layout}"
        cut.mkdir()
        for name in tables:
            shutil.copy(native / f"{name}.csv", cut / f"{name}.csv")
        console.print(f"wrote {layout} in {time.perf_counter() - t0:.1f} s")
        base = measure(BODY, cut, work / f"n-{layout}.duckdb", Path("gapwatch"),
                       paths=(str(ROOT / "src"),))
        ours = measure(BODY, folder, work / f"{layout}.duckdb", Path(layout),
                       paths=(str(ROOT / "src"),))
        for name, result in ((f"--from {layout}", ours), ("native bundle (baseline)", base)):
            if "failed" in result:
                raise RuntimeError(result["failed"])
            per_row = result["seconds"] / result["rows"]
            table.add_row(layout, name, f"{result['rows']:,}", f"{result['seconds']:.1f}",
                          f"{1 / per_row:,.0f}", f"{result['peak_mb']:,.0f}",
                          f"{per_row / (base['seconds'] / base['rows']):.2f}")
    console.print(table)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
