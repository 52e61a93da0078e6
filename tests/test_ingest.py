"""Ingest: every rejected row named by file, line, column and reason; nothing lost or guessed."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from gapwatch.ingest import check_bundle, ingest_bundle

from minibundle import TABLES, rows_in, write_minibundle


def rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def problems_at(path: Path, file: str, line: int) -> list[tuple[str, str]]:
    return [(r["column"], r["reason"]) for r in rejects(path)
            if r["file"] == file and r["line"] == str(line)]


def edit(folder: Path, table: str, line: int, new: str) -> None:
    """Replace physical line ``line`` (1 = header) of ``table``.csv."""
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'ingest_runs' "
            "ORDER BY table_name").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}
    finally:
        con.close()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write_minibundle(tmp_path / "bundle")


def test_clean_bundle_loads_every_row(bundle: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    report = ingest_bundle(bundle, db)
    assert report.exit_code == 0
    for name, text in TABLES.items():
        t = report.tables[name]
        assert (t.rows_read, t.rows_loaded, t.rows_rejected) == (rows_in(text), rows_in(text), 0)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM enrollments").fetchone()[0] == 6
    # Types follow the contract: grades as numbers (K = 0), ids keep their leading zeros.
    assert con.execute(
        "SELECT grade, school_id, sed FROM enrollments WHERE student_id = '1004'"
    ).fetchone() == (0, "0102", True)
    assert con.execute("SELECT grade_low FROM schools WHERE school_id = '0102'").fetchone() == (-1,)
    assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
    con.close()
    assert rejects(db.with_name("rejects.csv")) == []


@pytest.mark.parametrize(
    ("table", "line", "new", "column", "reason"),
    [
        ("students", 3, "1002,BL,M,2015-07-01,English,2020-08-24,", "race_ethnicity",
         "unknown code for race_ethnicity"),
        ("students", 3, "1002,aa,M,2015-07-01,English,2020-08-24,", "race_ethnicity",
         "did you mean AA?"),
        ("students", 3, "1002,AA,M,07/01/2015,English,2020-08-24,", "birth_date", "not a date"),
        ("students", 3, "1002,AA,M,2015-02-30,English,2020-08-24,", "birth_date", "not a date"),
        ("students", 3, ",AA,M,2015-07-01,English,2020-08-24,", "student_id",
         "required value is missing"),
        ("enrollments", 3, "2025,1002,0101,3,2024-08-19,,180,21,maybe,EO,Y", "sed", "not yes/no"),
        ("enrollments", 3, "2025,1002,0101,13,2024-08-19,,180,21,1,EO,Y", "grade", "not a grade"),
        ("enrollments", 3, "2025,1002,0101,3,2024-08-19,,1800,21,1,EO,Y", "days_enrolled",
         "outside the plausible range 0 to 366"),
        ("enrollments", 3, "2025,1002,0101,3,2024-08-19,,180,181,1,EO,Y", "days_absent",
         "exceeds days_enrolled"),
        ("enrollments", 3, "2025,1002,0101,3,2024-08-19,2024-08-01,180,21,1,EO,Y", "exit_date",
         "is before entry_date"),
        ("enrollments", 3, "2025,1002,0101,3,2023-08-19,,180,21,1,EO,Y", "entry_date",
         "outside school_year 2025 (2024-07-01 to 2025-06-30)"),
        ("enrollments", 3, "2025,1002,0101,3,2024-08-19,,,21,1,EO,Y", "days_enrolled",
         "required when the bundle has no attendance_daily"),
        ("enrollments", 3, "2025,1002,0101,3,2024-08-19,,abc,21,1,EO,Y", "days_enrolled",
         "not a number"),
        ("enrollments", 3, "2025,1002,0999,3,2024-08-19,,180,21,1,EO,Y", "school_id",
         "unknown school_id 0999: not in schools"),
        ("enrollments", 3, "2025,1099,0101,3,2024-08-19,,180,21,1,EO,Y", "student_id",
         "unknown student_id 1099: not in students"),
        ("enrollments", 3, "2025,1001,0101,3,2024-08-19,,180,21,1,EO,Y",
         "school_year,student_id,school_id", "duplicate key"),
        ("discipline", 2, "2025,I-1,1002,0101,2024-10-01,OSS,-1,", "days",
         "outside the plausible range"),
        ("discipline", 2, "2025,I-1,1002,0101,2024-10-01,OSS,nan,", "days", "not a number"),
        ("assessments", 2, "2025,1001,0101,SBAC,ELA,3,2401,5,2025-04-22,SUMMATIVE",
         "performance_level", "outside the plausible range 1 to 4"),
        ("assessments", 2, "2025,1001,0101,SBAC,ELA,3,2401,2.5,2025-04-22,SUMMATIVE",
         "performance_level", "not a whole number"),
    ],
)
def test_bad_row_is_rejected_with_file_line_column_reason(
    bundle: Path, tmp_path: Path, table: str, line: int, new: str, column: str, reason: str
) -> None:
    edit(bundle, table, line, new)
    out = tmp_path / "rejects.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert report.exit_code == 1
    found = problems_at(out, f"{table}.csv", line)
    assert any(c == column and reason in r for c, r in found), found
    t = report.tables[table]
    assert t.rows_rejected == 1 and t.rows_read == t.rows_loaded + 1


def test_rejected_parent_names_itself_in_child_rejects(bundle: Path, tmp_path: Path) -> None:
    edit(bundle, "students", 3, "1002,XX,M,2015-07-01,English,2020-08-24,")
    out = tmp_path / "rejects.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert report.tables["students"].rows_rejected == 1
    # Student 1002's enrollment and both discipline incidents and a score go with it.
    assert report.tables["enrollments"].rows_rejected == 1
    assert report.tables["discipline"].rows_rejected == 2
    assert report.tables["assessments"].rows_rejected == 1
    reasons = [r for _, r in problems_at(out, "enrollments.csv", 3)]
    assert reasons == ["refers to a students row that was rejected (students.csv line 3)"]


def test_the_rejects_keep_the_whole_original_row(bundle: Path, tmp_path: Path) -> None:
    edit(bundle, "students", 3, "1002,XX,M,2015-07-01,English,2020-08-24,")
    out = tmp_path / "rejects.csv"
    check_bundle(bundle, rejects_path=out)
    row = next(r for r in rejects(out) if r["table_name"] == "students")
    assert '"race_ethnicity":"XX"' in row["raw_row"] and '"student_id":"1002"' in row["raw_row"]


def test_structural_problems_keep_physical_line_numbers(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "students.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = "1002,AA,M"  # too few fields, line 3
    lines[4] = "1004,AS,F,2016-02-29,Vietnamese,2023-01-09,,extra"  # too many, line 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "rejects.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert [r for _, r in problems_at(out, "students.csv", 3)] == [
        "row has fewer fields than the header (7 columns)"]
    assert [r for _, r in problems_at(out, "students.csv", 5)] == [
        "row has more fields than the header (7 columns)"]
    assert report.tables["students"].rows_read == 5
    assert report.tables["students"].rows_rejected == 2


def test_invalid_utf8_rejects_only_that_row(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "students.csv"
    data = path.read_bytes().replace(b"Vietnamese", b"Vi\xe9tnamese")  # Latin-1 e-acute
    path.write_bytes(data)
    out = tmp_path / "rejects.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert report.tables["students"].rows_rejected == 1
    assert any("not valid UTF-8" in r for _, r in problems_at(out, "students.csv", 5))


@pytest.mark.parametrize("blank_lines", [True, False])
def test_line_numbers_exact_with_blank_lines_and_multiline_fields(
    bundle: Path, tmp_path: Path, blank_lines: bool
) -> None:
    """Blank lines and quoted newlines shift physical lines; reported lines still match."""
    path = bundle / "students.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = '1001,HI,F,2015-04-12,"Spanish\nand English",2020-08-24,'  # spans lines 2-3
    if blank_lines:
        lines.insert(3, "")  # physical line 5 (after the two-line record) is blank
    lines[-1] = "1005,QQ,M,2015-09-15,Spanish,2020-08-24,2024-05-01"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    physical = path.read_text(encoding="utf-8").split("\n")
    bad_line = next(i + 1 for i, text in enumerate(physical) if ",QQ," in text)
    out = tmp_path / "rejects.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert problems_at(out, "students.csv", bad_line), rejects(out)
    assert report.tables["students"].rows_read == 5


def test_utf16_file_is_refused_with_a_clear_message(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "students.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    report = check_bundle(bundle, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 2
    assert any("students.csv" in r and "UTF-16" in r for r in report.refusals)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda b: (b / "enrollments.csv").unlink(), "required table enrollments is missing"),
        (lambda b: (b / "schools.csv").write_text(""), "schools.csv: the file is empty"),
        (lambda b: edit(b, "enrollments", 1, "school_year,student_id,school_id,grade"),
         "enrollments.csv: missing required column(s) entry_date"),
        (lambda b: edit(b, "students", 1, "student_id,gender,gender"),
         "students.csv, line 1: column 'gender' appears twice"),
        (lambda b: (b / "discipline.parquet").write_bytes(b"PAR1 truncated"),
         "two files for table discipline"),
    ],
)
def test_refused_bundle_leaves_previous_warehouse_untouched(
    bundle: Path, tmp_path: Path, setup, expected: str
) -> None:
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(bundle, db).exit_code == 0
    before = digest(db)
    setup(bundle)
    report = ingest_bundle(bundle, db)
    assert report.exit_code == 2
    assert any(expected in r for r in report.refusals), report.refusals
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".w")) == []


def test_truncated_parquet_is_refused(bundle: Path, tmp_path: Path) -> None:
    table = pacsv.read_csv(bundle / "discipline.csv")
    (bundle / "discipline.csv").unlink()
    pq.write_table(table, bundle / "discipline.parquet")
    data = (bundle / "discipline.parquet").read_bytes()
    (bundle / "discipline.parquet").write_bytes(data[: len(data) // 2])
    report = check_bundle(bundle, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 2
    assert any(r.startswith("discipline.parquet: not a readable Parquet file")
               for r in report.refusals)


def test_header_only_file_is_an_empty_table(bundle: Path, tmp_path: Path) -> None:
    (bundle / "discipline.csv").write_text(TABLES["discipline"].splitlines()[0] + "\n")
    report = check_bundle(bundle, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 0
    assert report.tables["discipline"].rows_read == 0


def test_unknown_columns_and_files_are_ignored_and_named(bundle: Path, tmp_path: Path) -> None:
    edit(bundle, "students", 1,
         "student_id,race_ethnicity,gender,birth_date,home_language,us_school_entry_date,"
         "reclassification_date")
    text = (bundle / "schools.csv").read_text().splitlines()
    text = [line + (",nickname" if i == 0 else ",x") for i, line in enumerate(text)]
    (bundle / "schools.csv").write_text("\n".join(text) + "\n")
    (bundle / "pupils.csv").write_text("a\n1\n")
    report = check_bundle(bundle, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 0
    assert any("pupils.csv: ignored" in n for n in report.notes)
    assert any("nickname" in n for n in report.notes)


def test_same_bundle_twice_gives_the_same_warehouse(bundle: Path, tmp_path: Path) -> None:
    edit(bundle, "students", 3, "1002,XX,M,2015-07-01,English,2020-08-24,")
    db = tmp_path / "w.duckdb"
    ingest_bundle(bundle, db)
    first = contents(db)
    ingest_bundle(bundle, db)
    assert contents(db) == first
    assert len(first["rejects"]) > 0


def test_parquet_bundle_loads_the_same_as_csv(bundle: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "pq"
    parquet.mkdir()
    for name in TABLES:
        # Read every column as text, as an SIS export to Parquet with string columns would.
        opts = pacsv.ConvertOptions(
            column_types={c: "string" for c in TABLES[name].splitlines()[0].split(",")}
        )
        pq.write_table(pacsv.read_csv(bundle / f"{name}.csv", convert_options=opts),
                       parquet / f"{name}.parquet")
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert ingest_bundle(bundle, a).exit_code == 0
    assert ingest_bundle(parquet, b).exit_code == 0
    ca, cb = contents(a), contents(b)
    for name in TABLES:
        assert ca[name] == cb[name], name


def test_typed_parquet_columns_are_accepted(bundle: Path, tmp_path: Path) -> None:
    """Dates, booleans and numbers stored with Parquet types read like their CSV text."""
    ids = pacsv.ConvertOptions(column_types={"student_id": "string", "school_id": "string"})
    # Everything else inferred: date32, bool, int64, double.
    table = pacsv.read_csv(bundle / "enrollments.csv", convert_options=ids)
    (bundle / "enrollments.csv").unlink()
    pq.write_table(table, bundle / "enrollments.parquet")
    report = ingest_bundle(bundle, tmp_path / "w.duckdb")
    assert report.exit_code == 0, report.examples


def test_ids_stored_as_numbers_in_parquet_lose_leading_zeros(bundle: Path, tmp_path: Path) -> None:
    """A numeric school_id column drops the zeros of 0101: reported, never silently matched."""
    table = pacsv.read_csv(bundle / "enrollments.csv")
    (bundle / "enrollments.csv").unlink()
    pq.write_table(table, bundle / "enrollments.parquet")
    out = tmp_path / "r.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert report.tables["enrollments"].rows_rejected == 6
    assert ("school_id", "unknown school_id 101: not in schools") in problems_at(
        out, "enrollments.parquet", 1)


def test_attendance_derives_missing_days_and_flags_disagreement(tmp_path: Path) -> None:
    bundle = write_minibundle(tmp_path / "b", attendance=True)
    db = tmp_path / "w.duckdb"
    report = ingest_bundle(bundle, db)
    assert report.exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    # Five days enrolled; A, E and S count as absent.
    assert con.execute(
        "SELECT days_enrolled, days_absent FROM enrollments WHERE student_id = '1001'"
    ).fetchone() == (5, 3)
    con.close()
    # Student 1002 has days in enrollments but no daily rows: a warning, loaded as given.
    assert report.tables["enrollments"].warnings >= 2
    warned = problems_at(db.with_name("rejects.csv"), "enrollments.csv", 3)
    assert any("attendance_daily gives 0 days enrolled" in r for _, r in warned)


def test_attendance_day_outside_enrollment_is_rejected(tmp_path: Path) -> None:
    bundle = write_minibundle(tmp_path / "b", attendance=True)
    with (bundle / "attendance_daily.csv").open("a") as fh:
        fh.write("1001,0101,2024-08-26,P,\n")  # after the exit date 2024-08-23
    out = tmp_path / "r.csv"
    report = check_bundle(bundle, rejects_path=out)
    assert report.tables["attendance_daily"].rows_rejected == 1
    assert any("no enrollment of student 1001 at school 0101 covers this day" in r
               for _, r in problems_at(out, "attendance_daily.csv", 7))


def test_missing_days_columns_load_with_a_note(bundle: Path, tmp_path: Path) -> None:
    lines = (bundle / "enrollments.csv").read_text().splitlines()
    cut = [",".join(v for i, v in enumerate(line.split(",")) if i not in (6, 7)) for line in lines]
    (bundle / "enrollments.csv").write_text("\n".join(cut) + "\n")
    report = check_bundle(bundle, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 0
    assert any("no days_enrolled column and no attendance_daily table" in n for n in report.notes)
