"""End to end on a synthetic district: generate, damage, ingest, account for every row."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from gapwatch.contract import TABLES
from gapwatch.ingest import ingest_bundle
from gapwatch.synth import generate

#: (table, column, bad value, reason fragment)
DAMAGE = [
    ("enrollments", "grade", "Grade 3", "not a grade"),
    ("enrollments", "entry_date", "2019-08-19", "outside school_year"),
    ("enrollments", "school_id", "9999", "unknown school_id 9999"),
    ("students", "race_ethnicity", "Latino", "unknown code for race_ethnicity"),
    ("assessments", "scale_score", "n/a", "not a number"),
    ("course_marks", "mark", "E", "unknown code for mark"),
    ("discipline", "days", "400", "outside the plausible range"),
    ("staff", "fte", "", "required value is missing"),
]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "bundle"
    generate(folder, students=1500, schools=10, years=2, seed=21)
    return folder


def test_clean_synthetic_bundle_loads_with_exact_contract_names(
    clean: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    report = ingest_bundle(clean, db)
    assert report.exit_code == 0, report.examples
    con = duckdb.connect(str(db), read_only=True)
    try:
        for tbl in TABLES:
            if tbl.name == "attendance_daily":
                continue
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "ORDER BY column_index", [tbl.name]).fetchall()]
            assert tuple(columns) == tbl.column_names, tbl.name
            count = con.execute(f"SELECT count(*) FROM {tbl.name}").fetchone()[0]
            assert count == report.tables[tbl.name].rows_loaded > 0
    finally:
        con.close()


def test_injected_bad_rows_are_each_reported(clean: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(clean, bundle)
    rng = random.Random(4)
    injected: list[tuple[str, int, str, str]] = []
    for table, column, value, reason in DAMAGE:
        path = bundle / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        taken = {line for t, line, _, _ in injected if t == table}
        index = rng.choice([i for i in range(1, len(rows)) if i + 1 not in taken])
        rows[index][rows[0].index(column)] = value
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
        injected.append((table, index + 1, column, reason))
    # One duplicated enrollment row, appended at the end.
    path = bundle / "enrollments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[5])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    injected.append(("enrollments", len(lines), "school_year,student_id,school_id",
                     "duplicate key"))

    db = tmp_path / "w.duckdb"
    report = ingest_bundle(bundle, db)
    assert report.exit_code == 1
    with db.with_name("rejects.csv").open(encoding="utf-8", newline="") as fh:
        found = list(csv.DictReader(fh))
    for table, line, column, reason in injected:
        assert any(r["file"] == f"{table}.csv" and r["line"] == str(line)
                   and r["column"] == column and reason in r["reason"] for r in found), (
            table, line, column, reason)
    for t in report.tables.values():
        assert t.rows_read == t.rows_loaded + t.rows_rejected
    # Rows pointing at the rejected student or enrollment go too, each with its reason.
    assert report.tables["students"].rows_rejected == 1
    assert report.rows_rejected >= len(injected)
