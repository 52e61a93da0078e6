"""The DuckDB warehouse: one file per district holding the contract tables as typed tables.

Layout (docs/decisions/0002-warehouse-and-ingest.md):

- one table per contract table that the bundle had, named and typed as the contract says,
  rows in the order of the bundle's files;
- ``rejects``: every problem found, with the rejected row's original values;
- ``ingest_tables``: per contract table, whether it was given, its files and row counts;
- ``ingest_runs``: when and from what the warehouse was built.

A warehouse is only ever replaced whole (built beside the old one, then renamed over it), so a
reader never sees a half-loaded district. Stages that add tables to a loaded warehouse (``gapwatch
run``, ``gapwatch early-warning``) work the same way through :func:`rebuilding`: a copy beside
the file, renamed over it when the stage succeeds, so the staff workspace can keep serving the
old file meanwhile without any lock between them. It is owner-only (0600), and so is every file
DuckDB makes beside it while gapwatch writes to it (:func:`writing`), the copy included.

Inside a warehouse, :class:`Warehouse` (:mod:`gapwatch.warehouse.database`) answers which
tables there are and replaces tables transactionally; no other module queries DuckDB's catalog
or writes the store sequence itself (docs/decisions/0018-warehouse-object.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from gapwatch.contract import TABLES, Table
from gapwatch.errors import Refusal
from gapwatch.sql import quote_ident
from gapwatch.warehouse.database import Data, Warehouse

__all__ = ["META_TABLES", "Data", "Warehouse", "WarehouseMissing", "add_new_columns",
           "connect", "contract_tables", "rebuilding", "session_config", "table_ddl",
           "tables_present", "writing"]

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
    if not Warehouse(con).has("ingest_tables"):
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
            add_new_columns(con)
            yield con
        finally:
            con.close()


def add_new_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Give a warehouse made by an earlier gapwatch the contract's newer optional columns, as
    NULL (the contract only grows: a bundle without them loads the same way); return them as
    ``table.column``. Every stage that writes a warehouse opens it through :func:`writing`, so
    the stages can count on every contract column being there."""
    have = Warehouse(con).table_columns()
    added = []
    for tbl in TABLES:
        if tbl.name not in have:
            continue
        for col in tbl.columns:
            if col.name not in have[tbl.name] and not col.required:
                con.execute(f"ALTER TABLE {quote_ident(tbl.name)} ADD COLUMN "
                            f"{quote_ident(col.name)} {col.sql_type}")
                added.append(f"{tbl.name}.{col.name}")
    return added


@contextlib.contextmanager
def rebuilding(path: Path) -> Iterator[Path]:
    """A working copy of the warehouse at ``path``, renamed over it when the block succeeds.

    Writers take turns (an exclusive lock on ``.<name>.lock`` beside the file); readers are
    never blocked and never see a half-written file: they keep the old file until they reopen.
    On an error the working copy is removed and the warehouse is left as it was.
    """
    from gapwatch.files import owner_only

    path = Path(path).resolve()
    if not path.is_file():
        raise WarehouseMissing(
            f"no warehouse at {path}: load a bundle first with `gapwatch ingest BUNDLE --db {path}`"
        )
    work = path.with_name(f".{path.name}.rebuilding-{os.getpid()}")
    lock = path.with_name(f".{path.name}.lock")
    with owner_only(), open(lock, "a") as held:  # the copy is student data: 0600 from its start
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            # holding the lock, no other writer is at work: any copy left is a killed writer's
            for stale in path.parent.glob(f".{path.name}.rebuilding-*"):
                stale.unlink(missing_ok=True)
            for src, dst in ((path, work), (_wal(path), _wal(work))):
                if src.exists():
                    shutil.copyfile(src, dst)
            shutil.copymode(path, work)
            yield work
            if _wal(work).exists():  # a connection left open: checkpoint before the swap
                duckdb.connect(str(work)).close()
            _wal(path).unlink(missing_ok=True)
            os.replace(work, path)
        finally:
            work.unlink(missing_ok=True)
            _wal(work).unlink(missing_ok=True)
            fcntl.flock(held, fcntl.LOCK_UN)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


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
    names = Warehouse(con).tables()
    return [t.name for t in TABLES if t.name in names]
