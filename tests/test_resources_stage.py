"""The resources stage in `gapwatch run`, its exports, and `gapwatch allocate` end to end."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from synthdistrict import run_district
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.config import Config, ConfigError, load_config
from gapwatch.export import export
from gapwatch.ingest import ingest_bundle
from gapwatch.runner import run_all
from gapwatch.synth import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_district(tmp_path_factory.mktemp("resources"), students=2500, schools=10,
                        years=2, seed=4)


def test_run_stores_every_resources_table(district: Path) -> None:
    with duckdb.connect(str(district), read_only=True) as con:
        status = con.sql("SELECT part, computed, reason FROM resources_status").fetchall()
        assert {(p, c) for p, c, _ in status} == {
            ("need_index", True), ("lcff", True), ("staffing", True), ("progressivity", True)}
        for table in ("need_index", "need_factors", "lcff", "lcff_district", "staffing",
                      "staffing_by_band", "staffing_gap", "progressivity",
                      "progressivity_by_school"):
            assert con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0] > 0, table
        # every school with enrollments gets a need band each year
        missing = con.sql("SELECT count(*) FROM (SELECT DISTINCT school_year, school_id FROM "
                          "enrollments) e ANTI JOIN need_index USING (school_year, school_id)"
                          ).fetchall()[0][0]
        assert missing == 0


def test_exports_named_in_the_issue(district: Path, tmp_path: Path) -> None:
    names = {p.name for p in export(district, tmp_path)}
    for stem in ("need_index", "lcff", "progressivity", "staffing"):
        assert {f"{stem}.parquet", f"{stem}.csv"} <= names


def test_missing_staff_table_is_reported_not_fatal(tmp_path: Path) -> None:
    bundle, db = tmp_path / "bundle", tmp_path / "w.duckdb"
    generate(bundle, students=600, schools=4, years=2, seed=2)
    for name in ("staff.csv", "sections.csv"):
        (bundle / name).unlink()
    assert ingest_bundle(bundle, db, rejects_path=tmp_path / "r.csv").exit_code == 0
    assert run_all(db, Config()) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        status = dict((p, r) for p, _, r in con.sql("SELECT * FROM resources_status").fetchall())
    assert status["staffing"] == "needs staff"
    assert status["need_index"] is None


def test_bad_need_index_file_stops_the_run_early(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[need_index]\nfile = "nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="nowhere.toml"):
        run_all(tmp_path / "absent.duckdb", load_config(config))


def test_allocate_command(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "alloc.csv"
    result = runner.invoke(app, ["allocate", "--db", str(district), "--amount", "1000000",
                                 "--rule", "flat", "--rule", "need_band", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "need_band" in result.output and "progressive" in result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for rule in ("flat", "need_band"):
        total = sum(Decimal(r["allocation"]) for r in rows if r["rule"] == rule)
        assert total == Decimal("1000000.00")


def test_allocate_bad_rule_names_it(district: Path) -> None:
    result = runner.invoke(app, ["allocate", "--db", str(district), "--amount", "10",
                                 "--rule", "by_magic"])
    assert result.exit_code == 2
    assert "by_magic" in result.output
