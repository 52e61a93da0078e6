"""Round trips for `gapwatch synth --layout`: the synthetic district written in a district
system's layout, ingested back, against the native bundle cut down to what the layout carries."""

from __future__ import annotations

from pathlib import Path

import duckdb

from gapwatch.config import Config
from gapwatch.indicators.results import compute
from gapwatch.sql import sql_string


def carried_bundle(native: Path, out: Path, carried: dict[str, str],
                   where: dict[str, str] | None = None) -> Path:
    """Write ``native``'s tables reduced to ``carried`` ({table: SELECT list}), and to the rows
    of ``where`` ({table: WHERE clause}, ``{native}`` standing for the folder), into ``out``."""
    out.mkdir(parents=True)
    con = duckdb.connect()
    for table, select in carried.items():
        source = f"read_csv({sql_string(str(native / f'{table}.csv'))}, all_varchar=true)"
        clause = (where or {}).get(table, "").format(native=native)
        con.execute(f"COPY (SELECT {select} FROM {source} {clause}) TO "
                    f"{sql_string(str(out / f'{table}.csv'))} (HEADER)")
    con.close()
    return out


def table_differences(a: Path, b: Path, tables: dict[str, str]) -> dict[str, int]:
    """Rows in one warehouse's table and not the other's (both ways), per table, comparing the
    columns of ``tables`` ({table: SELECT list})."""
    con = duckdb.connect()
    con.execute(f"ATTACH {sql_string(str(a))} AS a (READ_ONLY)")
    con.execute(f"ATTACH {sql_string(str(b))} AS b (READ_ONLY)")
    out = {}
    for t, cols in tables.items():
        one, two = f"SELECT {cols} FROM a.{t}", f"SELECT {cols} FROM b.{t}"
        out[t] = sum(con.execute(f"SELECT count(*) FROM ({x} EXCEPT ALL {y})").fetchone()[0]
                     for x, y in ((one, two), (two, one)))
    con.close()
    return out


def indicator_rows(db: Path) -> list[str]:
    """Every indicator result of the warehouse (all columns), as sorted text rows."""
    con = duckdb.connect(str(db))
    try:
        table, _ = compute(con, Config())
    finally:
        con.close()
    return sorted(repr(tuple(r.values())) for r in table.to_pylist())
