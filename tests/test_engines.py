"""One definition, two engines: DuckDB and Spark give identical results on the same bundle."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from gapwatch.config import load_config
from gapwatch.indicators import BUILTIN, compute
from gapwatch.indicators.engines import to_spark_sql
from gapwatch.ingest import ingest_bundle
from gapwatch.synth import generate


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engines")
    generate(folder / "bundle", students=1200, schools=8, years=2, seed=5)
    db = folder / "w.duckdb"
    assert ingest_bundle(folder / "bundle", db).exit_code == 0
    return db


@pytest.mark.spark
def test_duckdb_and_spark_give_identical_results(warehouse: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    config_file.write_text('[groups]\nintersections = ["HI+M", "EL+SWD"]\n')
    config = load_config(config_file)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ours, summary = compute(con, config, "duckdb")
        theirs, spark_summary = compute(con, config, "spark")
    finally:
        con.close()
    assert summary.computed == spark_summary.computed == [i.id for i in BUILTIN]
    assert ours.num_rows > 1000
    assert ours.column_names == theirs.column_names
    for column in ours.column_names:
        assert ours[column].to_pylist() == theirs[column].to_pylist(), column


def test_spark_sql_is_a_translation_not_a_copy() -> None:
    spark = to_spark_sql("SELECT unnest(list_filter(['A', NULL], lambda x: x IS NOT NULL))")
    assert "EXPLODE" in spark and "FILTER" in spark
