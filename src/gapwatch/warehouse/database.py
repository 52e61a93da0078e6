"""One object for a warehouse connection's catalog and its table store (decision 0018).

:class:`Warehouse` answers which tables there are and what their columns are, and replaces a
table (or several together) in one transaction. No other module asks DuckDB's catalog or writes
the store sequence itself: the questions and the sequence are written once, here.

The catalog is the connection's current database and schema (``main`` of the warehouse file;
``USE warehouse`` for the workspace's attached copy): temporary tables, the views a connection
registers for Arrow data and the tables of other attached databases are not in it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeAlias

import duckdb
import pyarrow as pa

from gapwatch.sql import quote_ident

#: What :meth:`Warehouse.store` takes: an Arrow table, a relation of the same connection, or the
#: text of a query.
Data: TypeAlias = "pa.Table | duckdb.DuckDBPyRelation | str"

_HERE = "database_name = current_database() AND schema_name = current_schema()"

#: Connections (their ``id``) with a transaction open by :meth:`Warehouse.transaction`, so that
#: every :class:`Warehouse` wrapping one connection joins the transaction already open on it.
_open: set[int] = set()
#: Views to unregister once a failed transaction is rolled back (DuckDB refuses it before).
_after_rollback: dict[int, list[str]] = {}


class Warehouse:
    """A DuckDB connection to a warehouse: its catalog and its table store.

    ``Warehouse(con)`` is cheap; make one where it is needed. The connection stays the caller's.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    # -- catalog -------------------------------------------------------------------------------

    def tables(self) -> set[str]:
        """The names of the tables (not views)."""
        return {r[0] for r in self.con.execute(
            f"SELECT table_name FROM duckdb_tables() WHERE {_HERE}").fetchall()}

    def views(self) -> set[str]:
        """The names of the views (a warehouse gapwatch builds has none; a district may add
        some for its own need-index factors)."""
        return {r[0] for r in self.con.execute(
            f"SELECT view_name FROM duckdb_views() WHERE {_HERE} AND NOT internal").fetchall()}

    def has(self, *names: str) -> bool:
        """Whether every one of ``names`` is a table."""
        return set(names) <= self.tables()

    def columns(self, name: str) -> list[str]:
        """The columns of table or view ``name`` in their order; ``[]`` when there is none."""
        return [r[0] for r in self.con.execute(
            f"SELECT column_name FROM duckdb_columns() WHERE {_HERE} AND table_name = ? "
            "ORDER BY column_index", [name]).fetchall()]

    def table_columns(self) -> dict[str, list[str]]:
        """Every table and view with its columns in their order."""
        out: dict[str, list[str]] = {}
        for table, column in self.con.execute(
                f"SELECT table_name, column_name FROM duckdb_columns() WHERE {_HERE} "
                "ORDER BY table_name, column_index").fetchall():
            out.setdefault(table, []).append(column)
        return out

    # -- store ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """One transaction around the block: committed when it ends, rolled back on an error.

        Nested blocks on the same connection (through any :class:`Warehouse`) join the outer
        transaction, so a stage can store several tables as one change."""
        key = id(self.con)
        if key in _open:
            yield self
            return
        self.con.begin()
        _open.add(key)
        try:
            yield self
            self.con.commit()
        except BaseException:
            with contextlib.suppress(duckdb.TransactionException):  # none after a failed commit
                self.con.rollback()
            raise
        finally:
            _open.discard(key)
            for name in _after_rollback.pop(key, []):
                self.con.unregister(name)

    @contextlib.contextmanager
    def registered(self, name: str, data: pa.Table | duckdb.DuckDBPyRelation) -> Iterator[str]:
        """``data`` readable by SQL as ``name`` during the block (a temporary view)."""
        self.con.register(name, data)
        try:
            yield name
        finally:
            try:
                self.con.unregister(name)
            except duckdb.TransactionException:  # failed: unregistered after the rollback
                _after_rollback.setdefault(id(self.con), []).append(name)

    def store(self, name: str, data: Data, params: Sequence[Any] | None = None) -> int:
        """Replace table ``name`` with ``data`` (its columns and types as given) in one
        transaction; return its row count. On an error the previous table is left as it was,
        and a reader never sees the table half-written. ``params`` are the query's parameters
        when ``data`` is SQL."""
        target = quote_ident(name)
        with self.transaction():
            if isinstance(data, str):
                result = self.con.execute(f"CREATE OR REPLACE TABLE {target} AS {data}",
                                          params or [])
            else:
                with self.registered(f"__store_{name}", data) as view:
                    result = self.con.execute(f"CREATE OR REPLACE TABLE {target} AS "
                                              f"SELECT * FROM {quote_ident(view)}")
            row = result.fetchone()
        return int(row[0]) if row else 0

    def store_rows(self, name: str, columns: Sequence[tuple[str, str]],
                   rows: Sequence[Sequence[Any]]) -> int:
        """Replace table ``name`` with ``rows`` in the ``columns`` given as (name, DuckDB type),
        values cast by DuckDB; one transaction, like :meth:`store`. Return the row count."""
        target = quote_ident(name)
        typed = ", ".join(f"{quote_ident(c)} {sql_type}" for c, sql_type in columns)
        with self.transaction():
            self.con.execute(f"CREATE OR REPLACE TABLE {target} ({typed})")
            if rows:
                marks = ", ".join("?" for _ in columns)
                self.con.executemany(f"INSERT INTO {target} VALUES ({marks})", list(rows))
        return len(rows)

    def store_many(self, tables: Mapping[str, Data]) -> dict[str, int]:
        """:meth:`store` each table, all in one transaction; return the row counts."""
        with self.transaction():
            return {name: self.store(name, data) for name, data in tables.items()}
