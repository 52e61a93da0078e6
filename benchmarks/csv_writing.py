"""Benchmark: writing a sorted DuckDB result as a neutralised CSV, against DuckDB's plain COPY.

    .venv/bin/python benchmarks/csv_writing.py [--rows 5000000] [--repeat 3]

The table looks like ``indicator_results``: text columns (entity id and name, indicator, group;
one name in a thousand begins with ``=``) and numbers (counts, a signed value). Both sides sort
it by five columns and write CSV with a header:

- the baseline: ``COPY (query ORDER BY ...) TO file``, as the exports were written before;
- ``gapwatch.files.copy_query``: the query materialised in a temporary table, then every text
  column neutralised by a ``CASE`` and written ``ORDER BY rowid``.

It prints the best of ``--repeat`` runs for each and the ratio: the price of neutralising.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from gapwatch.files import copy_query

QUERY = ("SELECT * FROM results ORDER BY school_year, indicator, entity_id, student_group, "
         "value")


def make_table(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    con.execute(f"""
        CREATE TABLE results AS SELECT
            2023 + i % 3 AS school_year, 'school' AS entity_type,
            lpad((i // 600 % 800)::VARCHAR, 4, '0') AS entity_id,
            CASE WHEN i % 1000 = 0 THEN '=HYPERLINK(1)' ELSE 'School ' || (i // 600 % 800)
            END AS entity_name,
            'ind_' || (i // 30 % 20) AS indicator, 'G' || (i % 30) AS student_group,
            (i % 500)::BIGINT AS n, (i % 97)::BIGINT AS numerator,
            ((i * 7919) % 20001 - 10000) / 100.0 AS value
        FROM range({rows}) r(i)""")


def best(write, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        write()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    make_table(con, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        plain, safe = Path(tmp) / "plain.csv", Path(tmp) / "safe.csv"
        base = best(lambda: con.execute(f"COPY ({QUERY}) TO '{plain}' (HEADER)"), args.repeat)
        ours = best(lambda: copy_query(con, QUERY, safe), args.repeat)
        sizes = plain.stat().st_size, safe.stat().st_size
    table = Table(title=f"Sorted CSV of {args.rows:,} rows (best of {args.repeat})")
    for col in ("writer", "seconds", "rows per second", "MB written", "vs baseline"):
        table.add_column(col, justify="left" if col == "writer" else "right")
    table.add_row("DuckDB COPY (baseline)", f"{base:.2f}", f"{args.rows / base:,.0f}",
                  f"{sizes[0] / 1e6:.0f}", "1.00")
    table.add_row("gapwatch.files.copy_query", f"{ours:.2f}", f"{args.rows / ours:,.0f}",
                  f"{sizes[1] / 1e6:.0f}", f"{ours / base:.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
