"""Write the validated bundle into a new warehouse file and swap it in atomically.

The new warehouse is built in a hidden owner-only folder beside the target and renamed over it
only when it is complete, so a failed or interrupted ingest leaves the previous warehouse
untouched, and no one else can read it at any moment (:mod:`gapwatch.files`).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gapwatch import __version__
from gapwatch.contract import CONTRACT_VERSION, TABLES, TABLES_BY_NAME
from gapwatch.files import copy_query, private_file
from gapwatch.ingest.problems import REJECT_COLUMNS
from gapwatch.ingest.validate import DERIVED_DAYS, loaded_rows
from gapwatch.sql import quote_ident, sql_string
from gapwatch.warehouse import table_ddl

TABLE_ORDER = {t.name: i for i, t in enumerate(TABLES)}


def rejects_query() -> str:
    """Every problem, in contract order, with the row's original values (``raw_row``)."""
    order = " ".join(f"WHEN {sql_string(n)} THEN {i}" for n, i in TABLE_ORDER.items())
    cols = ", ".join(quote_ident(c) for c in REJECT_COLUMNS)
    return (
        f"SELECT {cols} FROM problems ORDER BY CASE table_name {order} END, line, file, "
        "row_id, stage, \"column\", reason"
    )


def write_rejects_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Write every problem to ``path`` (a header-only file when there are none): owner-only
    from the start (it holds rejected students' rows), text cells neutralised."""
    with private_file(path) as building:
        copy_query(con, rejects_query(), building)


def _load_table(con: duckdb.DuckDBPyConnection, name: str, present: set[str]) -> None:
    tbl = TABLES_BY_NAME[name]
    con.execute(table_ddl(tbl, schema="wh"))
    cols = [quote_ident(c.name) for c in tbl.columns]
    select = ", ".join(f"t.{c}" for c in cols)
    source = f"{loaded_rows(name)} t"
    if name == "enrollments" and "attendance_daily" in present:
        # Days left empty in enrollments are derived from daily attendance.
        select = ", ".join(
            f"coalesce(t.{c}, d.{c}) AS {c}" if c in ('"days_enrolled"', '"days_absent"')
            else f"t.{c}"
            for c in cols
        )
        source += f" LEFT JOIN {DERIVED_DAYS} d ON d.enrollment_row = t._row"
    con.execute(f"INSERT INTO wh.{quote_ident(name)} SELECT {select} FROM {source} ORDER BY t._row")


def build_warehouse(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    counts: list[tuple[str, bool, str, int, int, int, int]],
    present: set[str],
    *,
    bundle: Path,
    mapping: Path | None,
    exit_code: int,
    step=lambda _: None,
) -> None:
    """Build the warehouse for the validated staging tables and rename it over ``target``.

    It is built in an owner-only folder beside ``target`` (with its write-ahead log), made
    owner-only and renamed over ``target`` only when complete.
    """
    target = target.resolve()
    with private_file(target) as building:
        try:
            con.execute(f"ATTACH {sql_string(str(building))} AS wh")
            for tbl in TABLES:
                if tbl.name in present:
                    step(f"loading {tbl.name}")
                    _load_table(con, tbl.name, present)
            step("writing rejects and run record")
            con.execute(f"CREATE TABLE wh.rejects AS {rejects_query()}")
            con.execute(
                "CREATE TABLE wh.ingest_tables (table_name VARCHAR, given BOOLEAN, "
                "files VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, "
                "warnings BIGINT)"
            )
            con.executemany("INSERT INTO wh.ingest_tables VALUES (?, ?, ?, ?, ?, ?, ?)",
                            counts)
            con.execute(
                "CREATE TABLE wh.ingest_runs (finished_at TIMESTAMP WITH TIME ZONE, "
                "gapwatch_version VARCHAR, contract_version VARCHAR, bundle VARCHAR, "
                "mapping VARCHAR, exit_code INTEGER)"
            )
            con.execute(
                "INSERT INTO wh.ingest_runs VALUES (?, ?, ?, ?, ?, ?)",
                [datetime.now(UTC), __version__, CONTRACT_VERSION, str(bundle.resolve()),
                 str(mapping.resolve()) if mapping else None, exit_code],
            )
            con.execute("CHECKPOINT wh")
            con.execute("DETACH wh")
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("DETACH DATABASE IF EXISTS wh")
        # The old file's write-ahead log belongs to the old file: never replay it on the new one.
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
