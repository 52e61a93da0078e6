"""A warehouse made by an earlier gapwatch (before a contract addition) still runs: the stages
that write it add the contract's newer optional columns as NULL first."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.contract.tables import ADDED_COLUMNS
from gapwatch.ingest import ingest_bundle
from gapwatch.synth import generate

runner = CliRunner()


def test_a_warehouse_without_the_newer_columns_runs(tmp_path: Path) -> None:
    generate(tmp_path / "bundle", students=300, schools=3, years=2, seed=5)
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(tmp_path / "bundle", db, rejects_path=tmp_path / "r.csv"
                         ).exit_code == 0
    con = duckdb.connect(str(db))
    for name in ADDED_COLUMNS:  # as an earlier gapwatch would have made it
        table, column = name.split(".")
        con.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
    con.close()
    for args in (["run", "--db", str(db)],
                 ["early-warning", "--db", str(db), "--out", str(tmp_path / "ew")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name in ADDED_COLUMNS:
            table, column = name.split(".")
            assert con.execute(f'SELECT count("{column}") FROM {table}').fetchone()[0] == 0
    finally:
        con.close()


def test_methods_used_names_the_indicators_the_data_cannot_support(tmp_path: Path) -> None:
    """A district without assessments: `run` records which indicators need them, for the
    methodology page."""
    from gapwatch.config import Config
    from gapwatch.runner import run_all

    generate(tmp_path / "bundle", students=200, schools=2, years=1, seed=3)
    (tmp_path / "bundle" / "assessments.csv").unlink()
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(tmp_path / "bundle", db, rejects_path=tmp_path / "r.csv"
                         ).exit_code == 0
    assert run_all(db, Config()) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = dict(con.execute("SELECT setting, value FROM methods_used "
                                "WHERE method = 'not_computed'").fetchall())
    finally:
        con.close()
    assert rows["English language arts: Distance from Standard"] == "assessments"
    assert "Suspension rate" not in rows
