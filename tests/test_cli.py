"""The command line: exit codes, run and export on a small bundle."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.indicators import RESULT_COLUMNS

from minibundle import write_minibundle

runner = CliRunner()


def test_check_ingest_run_export(tmp_path: Path) -> None:
    bundle = write_minibundle(tmp_path / "b")
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["check", str(bundle), "--rejects", str(tmp_path / "r.csv")]
                         ).exit_code == 0
    assert runner.invoke(app, ["ingest", str(bundle), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "export"
    assert runner.invoke(app, ["export", "--db", str(db), "--out", str(out)]).exit_code == 0
    with (out / "indicator_results.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert tuple(header[: len(RESULT_COLUMNS)]) == RESULT_COLUMNS
    table = pq.read_table(out / "indicator_results.parquet")
    assert tuple(table.column_names[: len(RESULT_COLUMNS)]) == RESULT_COLUMNS
    assert set(table["entity_type"].to_pylist()) == {"district", "board_district", "school"}
    values = [v for v, k in zip(table["value"].to_pylist(), table["kind"].to_pylist(),
                                strict=True) if k == "rate"]
    assert values and all(0 <= v <= 1 for v in values)


def test_exit_codes(tmp_path: Path) -> None:
    bundle = write_minibundle(tmp_path / "b")
    (bundle / "students.csv").write_text(
        (bundle / "students.csv").read_text().replace("1002,AA", "1002,ZZ"))
    rejects = str(tmp_path / "r.csv")
    assert runner.invoke(app, ["check", str(bundle), "--rejects", rejects]).exit_code == 1
    (bundle / "schools.csv").unlink()
    assert runner.invoke(app, ["check", str(bundle), "--rejects", rejects]).exit_code == 2


def test_run_without_a_warehouse_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "gapwatch ingest" in result.output
