"""Engines that run the aggregation SQL: DuckDB (default) and Apache Spark.

Both take the same SQL, written in DuckDB's dialect; Spark receives it translated by SQLGlot
(docs/decisions/0003-indicator-engine.md). Spark reads the warehouse's contract tables from
Parquet files exported by DuckDB; at state scale those files would live in a data lake.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from gapwatch.sql import quote_ident, sql_string


class Engine(Protocol):
    name: str

    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` once and keep it as the relation ``name`` for later queries."""

    def query(self, sql: str) -> pa.Table: ...

    def close(self) -> None: ...


class DuckDBEngine:
    """Runs the SQL on the warehouse connection itself."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.temporary: list[str] = []

    def materialize(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(name)} AS {sql}")
        self.temporary.append(name)

    def query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        """Drop the temporary tables; the connection belongs to the caller."""
        for name in self.temporary:
            self.con.execute(f"DROP TABLE IF EXISTS temp.{quote_ident(name)}")


def to_spark_sql(sql: str) -> str:
    """DuckDB SQL -> Spark SQL."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkEngine:
    """Runs the SQL on Apache Spark (local mode unless ``GAPWATCH_SPARK_MASTER`` says)."""

    name = "spark"

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as err:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "the Spark engine needs PySpark and Java 17+: pip install 'gapwatch[spark]'"
            ) from err
        self.folder = Path(tempfile.mkdtemp(prefix="gapwatch-spark-"))
        for name in tables:
            target = self.folder / f"{name}.parquet"
            con.execute(f"COPY {quote_ident(name)} TO {sql_string(str(target))} (FORMAT parquet)")
        master = os.environ.get("GAPWATCH_SPARK_MASTER", "local[2]")
        self.spark = (
            SparkSession.builder.master(master).appName("gapwatch")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.ansi.enabled", "true")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        for name in tables:
            self.spark.read.parquet(str(self.folder / f"{name}.parquet")) \
                .createOrReplaceTempView(name)

    def materialize(self, name: str, sql: str) -> None:
        self.spark.sql(to_spark_sql(sql)).cache().createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(to_spark_sql(sql)).toArrow()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def make_engine(name: str, con: duckdb.DuckDBPyConnection, tables: list[str]) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(con)
    if name == "spark":
        return SparkEngine(con, tables)
    raise ValueError(f"unknown engine {name!r} (known: duckdb, spark)")
