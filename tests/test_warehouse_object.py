"""The Warehouse object: catalog answers, transactional stores, and the one place that asks
DuckDB's catalog (docs/decisions/0018-warehouse-object.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import gapwatch
from gapwatch.warehouse import Warehouse


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def _registered(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal").fetchall()]


# -- catalog -------------------------------------------------------------------------------------

def test_catalog_lists_tables_views_and_columns(con: duckdb.DuckDBPyConnection,
                                                tmp_path: Path) -> None:
    con.execute("CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR, is_charter BOOL)")
    con.execute("CREATE TABLE gaps (value DOUBLE, indicator VARCHAR)")
    con.execute("CREATE VIEW charter_schools AS SELECT school_id FROM schools WHERE is_charter")
    con.execute("CREATE TEMP TABLE scratch (x INTEGER)")
    con.register("arrow_rows", pa.table({"y": [1]}))
    other = duckdb.connect(str(tmp_path / "other.duckdb"))
    other.execute("CREATE TABLE elsewhere (z INTEGER)")
    other.close()
    con.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other (READ_ONLY)")
    wh = Warehouse(con)

    assert wh.tables() == {"schools", "gaps"}  # not the view, temp, registered or attached
    assert wh.views() == {"charter_schools"}
    assert wh.has("schools") and wh.has("schools", "gaps")
    assert not wh.has("schools", "scratch") and not wh.has("charter_schools")
    assert not wh.has("elsewhere")
    assert wh.columns("gaps") == ["value", "indicator"]  # the table's order, not sorted
    assert wh.columns("schools") == ["school_id", "school_name", "is_charter"]
    assert wh.columns("charter_schools") == ["school_id"]
    assert wh.columns("absent") == []
    assert wh.table_columns() == {"charter_schools": ["school_id"],
                                  "gaps": ["value", "indicator"],
                                  "schools": ["school_id", "school_name", "is_charter"]}


def test_catalog_follows_use_of_an_attached_warehouse(tmp_path: Path) -> None:
    """The staff workspace attaches the file read-only and USEs it: the catalog is the file's."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as writer:
        writer.execute("CREATE TABLE enrollments (student_id VARCHAR, grade VARCHAR)")
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TABLE cache (x INTEGER)")  # the workspace's own in-memory tables
        con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        assert Warehouse(con).tables() == {"enrollments"}
        assert Warehouse(con).table_columns() == {"enrollments": ["student_id", "grade"]}
    finally:
        con.close()


# -- store ---------------------------------------------------------------------------------------

def test_store_arrow_relation_and_sql_keep_columns_and_types(
        con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    table = pa.table({"school_year": pa.array([2024, 2025], pa.int16()),
                      "flagged": pa.array([True, None], pa.bool_()),
                      "value": pa.array([0.5, 1.5], pa.float64())})
    assert wh.store("gaps", table) == 2
    assert [r[:2] for r in con.execute("DESCRIBE gaps").fetchall()] == [
        ("school_year", "SMALLINT"), ("flagged", "BOOLEAN"), ("value", "DOUBLE")]

    assert wh.store("trends", con.sql("SELECT value * 2 AS doubled FROM gaps")) == 2
    assert _rows(con, "trends") == [(1.0,), (3.0,)]

    assert wh.store("later", "SELECT school_year FROM gaps WHERE school_year > ?", [2024]) == 1
    assert _rows(con, "later") == [(2025,)]
    assert _registered(con) == []  # the views used to store Arrow data are gone


def test_store_replaces_the_previous_table(con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    wh.store("run_status", pa.table({"a": [1, 2, 3]}))
    assert wh.store("run_status", pa.table({"b": ["x"]})) == 1
    assert wh.columns("run_status") == ["b"]
    assert _rows(con, "run_status") == [("x",)]


def test_store_rows_casts_to_the_declared_types(con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    columns = (("school_year", "SMALLINT"), ("part", "VARCHAR"), ("computed", "BOOLEAN"))
    assert wh.store_rows("resources_status", columns, [(2024, "lcff", True),
                                                       (2025, "staffing", None)]) == 2
    assert [r[:2] for r in con.execute("DESCRIBE resources_status").fetchall()] == [
        ("school_year", "SMALLINT"), ("part", "VARCHAR"), ("computed", "BOOLEAN")]
    assert wh.store_rows("resources_status", columns, []) == 0
    assert wh.columns("resources_status") == ["school_year", "part", "computed"]
    assert _rows(con, "resources_status") == []


# -- atomic replacement ----------------------------------------------------------------------------

OLD = pa.table({"student_id": ["S1", "S2"], "tier": pa.array([1, 3], pa.int8())})


def _old_rows_intact(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(con, "student_tiers") == [("S1", 1), ("S2", 3)]
    assert Warehouse(con).columns("student_tiers") == ["student_id", "tier"]


def test_a_failing_query_leaves_the_old_table(con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    wh.store("student_tiers", OLD)
    with pytest.raises(duckdb.ConversionException):
        wh.store("student_tiers", "SELECT 'S9' AS student_id, CAST('high' AS TINYINT) AS tier")
    _old_rows_intact(con)


def test_a_failing_relation_leaves_the_old_table_and_reports_its_own_error(
        con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    wh.store("student_tiers", OLD)
    with pytest.raises(duckdb.InvalidInputException, match="half-way"):
        wh.store("student_tiers", con.sql("SELECT 'S9' AS student_id, error('half-way') AS tier"))
    _old_rows_intact(con)
    assert _registered(con) == []  # unregistered after the rollback
    assert con.execute("SELECT 1").fetchall() == [(1,)]  # the connection is usable


def test_rows_failing_mid_insert_leave_the_old_table(con: duckdb.DuckDBPyConnection) -> None:
    """CREATE then INSERT: without the transaction an empty table would be left."""
    wh = Warehouse(con)
    wh.store("student_tiers", OLD)
    with pytest.raises(duckdb.ConversionException):
        wh.store_rows("student_tiers", (("student_id", "VARCHAR"), ("tier", "TINYINT")),
                      [("S7", 2), ("S8", "not a tier")])
    _old_rows_intact(con)


def test_store_many_is_all_or_nothing(con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    wh.store("student_tiers", OLD)
    with pytest.raises(duckdb.InvalidInputException):
        wh.store_many({"student_tiers": pa.table({"student_id": ["S5"], "tier": [2]}),
                       "student_flags": "SELECT error('second table fails') AS flag"})
    _old_rows_intact(con)
    assert not wh.has("student_flags")
    assert wh.store_many({"student_tiers": pa.table({"student_id": ["S5"]}),
                          "student_flags": "SELECT 'attendance' AS flag"}) == {
        "student_tiers": 1, "student_flags": 1}
    assert wh.tables() == {"student_tiers", "student_flags"}


def test_nested_transactions_join_the_outer_one(con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    wh.store("student_tiers", OLD)
    with pytest.raises(RuntimeError), wh.transaction():
        Warehouse(con).store("student_tiers", pa.table({"student_id": ["S5"]}))
        Warehouse(con).store("student_flags", "SELECT 1 AS flag")
        raise RuntimeError("the stage fails after storing")
    _old_rows_intact(con)
    assert not wh.has("student_flags")


def test_a_reader_sees_the_old_table_until_the_store_commits(
        con: duckdb.DuckDBPyConnection) -> None:
    wh = Warehouse(con)
    wh.store("student_tiers", OLD)
    reader = con.cursor()  # another connection to the same warehouse
    try:
        with wh.transaction():
            wh.store("student_tiers", pa.table({"student_id": ["S5"], "tier": [2]}))
            wh.store("student_flags", "SELECT 1 AS flag")
            _old_rows_intact(reader)
            assert not Warehouse(reader).has("student_flags")
        assert _rows(reader, "student_tiers") == [("S5", 2)]
        assert Warehouse(reader).has("student_flags")
    finally:
        reader.close()


def test_a_failed_store_is_not_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        wh = Warehouse(con)
        wh.store("student_tiers", OLD)
        with pytest.raises(duckdb.Error):
            wh.store_many({"student_tiers": pa.table({"student_id": ["S5"]}),
                           "student_flags": "SELECT error('boom') AS flag"})
    with duckdb.connect(str(path), read_only=True) as con:
        _old_rows_intact(con)
        assert Warehouse(con).tables() == {"student_tiers"}


# -- one place for catalog queries -----------------------------------------------------------------

CATALOG = re.compile(r"duckdb_tables\(\)|duckdb_columns\(\)|duckdb_views\(\)|information_schema",
                     re.IGNORECASE)


def test_only_the_warehouse_module_queries_the_catalog() -> None:
    package = Path(gapwatch.__file__).parent
    allowed = package / "warehouse"
    sources = [p for p in package.rglob("*") if p.suffix in (".py", ".sql")]
    assert len(sources) > 100 and any(p.is_relative_to(allowed) for p in sources)
    offenders = sorted(str(p.relative_to(package)) for p in sources
                       if not p.is_relative_to(allowed) and CATALOG.search(p.read_text("utf-8")))
    assert offenders == []
