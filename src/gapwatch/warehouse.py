"""The DuckDB warehouse: one file per district holding the contract tables as typed tables.

Layout (docs/decisions/0002-warehouse-and-ingest.md):

- one table per contract table that the bundle had, named and typed as the contract says,
  rows in the order of the bundle's files;
- ``rejects``: every problem found, with the rejected row's original values;
- ``ingest_tables``: per contract table, whether it was given, its files and row counts;
- ``ingest_runs``: when and from what the warehouse was built.

A warehouse is only ever replaced whole (built beside the old one, then renamed over it), so a
reader never sees a half-loaded district. It is owner-only (0600), and so is every file DuckDB
makes beside it while gapwatch writes to it (:func:`writing`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from gapwatch.contract import TABLES, Table
from gapwatch.errors import Refusal
from gapwatch.sql import quote_ident

META_TABLES = ("rejects", "ingest_tables", "ingest_runs")


class WarehouseMissing(Refusal, FileNotFoundError):
    """No usable warehouse where one was expected (no file, or not a DuckDB warehouse)."""


def session_config(**extra: str) -> dict[str, str]:
    """DuckDB settings for gapwatch's sessions: ``GAPWATCH_MEMORY_LIMIT`` (a DuckDB size such
    as ``3GB``) caps memory, DuckDB spilling to disk beyond it; default: DuckDB's own (80% of
    the machine's memory). Spilled pages go to an owner-only folder
    (:func:`gapwatch.files.private.spill_folder`) unless ``temp_directory`` is given."""
    from gapwatch.files.private import spill_folder

    config = {"temp_directory": str(spill_folder()), **extra}
    if limit := os.environ.get("GAPWATCH_MEMORY_LIMIT"):
        config["memory_limit"] = limit
    return config


def connect(path: Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path``; a clear error when there is none."""
    if not path.is_file():
        raise WarehouseMissing(
            f"no warehouse at {path}: load a bundle first with `gapwatch ingest BUNDLE --db {path}`"
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=session_config())
    except duckdb.IOException as err:
        detail = str(err).splitlines()[0]
        if "lock" in detail.lower():
            raise WarehouseMissing(f"the warehouse {path} is in use by another gapwatch command "
                                   f"that is writing it; wait for it to finish ({detail})"
                                   ) from None
        raise WarehouseMissing(f"{path} is not a DuckDB warehouse that gapwatch can open "
                               f"({detail}); make one with `gapwatch ingest BUNDLE --db {path}`"
                               ) from None
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ingest_tables'"
                       ).fetchall()[0][0]:
        con.close()
        raise WarehouseMissing(f"{path} is a DuckDB file but not a gapwatch warehouse (no "
                               f"ingest_tables): make one with `gapwatch ingest BUNDLE --db "
                               f"{path}`")
    return con


@contextlib.contextmanager
def writing(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse at ``path`` opened for writing, closed after the block. Meanwhile every
    file the process creates is owner-only (:func:`gapwatch.files.owner_only`): DuckDB's
    write-ahead log and spill files beside the warehouse hold student data too."""
    from gapwatch.files import owner_only

    with owner_only():
        con = connect(path, read_only=False)
        try:
            yield con
        finally:
            con.close()


def table_ddl(tbl: Table, schema: str = "main") -> str:
    """CREATE TABLE for a contract table, typed as the contract says."""
    cols = ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in tbl.columns)
    return f"CREATE TABLE {schema}.{quote_ident(tbl.name)} ({cols})"


def tables_present(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Contract tables the loaded bundle had."""
    rows = con.execute("SELECT table_name FROM ingest_tables WHERE given").fetchall()
    return {r[0] for r in rows}


def contract_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Contract tables that exist in the warehouse, in contract order."""
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return [t.name for t in TABLES if t.name in names]
