"""Mapping files: a foreign layout loads, with rejects pointing into the district's own export."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import pytest

from gapwatch.ingest import check_bundle, ingest_bundle
from gapwatch.ingest.mapping import MappingError, load_mapping

ROOT = Path(__file__).resolve().parents[1]
#: ../shared/external, or the folder GAPWATCH_EXTERNAL names (for a checkout elsewhere)
TEXAS = Path(os.environ.get("GAPWATCH_EXTERNAL") or ROOT.parent / "shared" / "external"
             ) / "opensdp-synth-texas"
TEXAS_MAPPING = ROOT / "examples" / "opensdp-synth-texas" / "mapping.toml"

EXPORT = """\
PermID,Sch,Gr,Eth,Sex,Lunch,LangFluency,ELA,Math
00017,7,03,1,F,F,L,2401,2450
00018,7,03,3,M,R,E,2500,
00019,7,04,9,M,N,E,2480,2490
00017,7,03,1,F,F,L,2402,2451
"""

MAPPING = """\
[mapping]
name = "Test SIS"
version = 1

[sources.roster]
file = "roster.csv"
missing = ["", "NA"]

[codes.eth]
"1" = "HI"
"3" = "AA"

[codes.lunch]
F = "true"
R = "true"
N = "false"

[codes.fluency]
L = "EL"
E = "EO"

[[tables.schools]]
source = "roster"
group_by = ["Sch"]
[tables.schools.columns]
school_id = "lpad(Sch, 4, '0')"
school_name = "'School ' || Sch"
district_id = "'D1'"
district_name = "'Test District'"
school_type = "'ELEM'"
grade_low = "CAST(min(CAST(Gr AS INTEGER)) AS VARCHAR)"
grade_high = "CAST(max(CAST(Gr AS INTEGER)) AS VARCHAR)"

[[tables.students]]
source = "roster"
distinct = true
[tables.students.columns]
student_id = "PermID"
race_ethnicity = { expr = "Eth", codes = "eth" }
gender = "Sex"

[[tables.enrollments]]
source = "roster"
[tables.enrollments.columns]
school_year = "'2025'"
student_id = "PermID"
school_id = "lpad(Sch, 4, '0')"
grade = "CAST(CAST(Gr AS INTEGER) AS VARCHAR)"
entry_date = "'2024-08-19'"
sed = { expr = "Lunch", codes = "lunch" }
el_status = { expr = "LangFluency", codes = "fluency" }

[[tables.assessments]]
source = "roster"
where = "ELA IS NOT NULL"
[tables.assessments.columns]
school_year = "'2025'"
student_id = "PermID"
school_id = "lpad(Sch, 4, '0')"
test = "'SBAC'"
subject = "'ELA'"
grade = "CAST(CAST(Gr AS INTEGER) AS VARCHAR)"
scale_score = "ELA"

[[tables.assessments]]
source = "roster"
where = "Math IS NOT NULL"
[tables.assessments.columns]
school_year = "'2025'"
student_id = "PermID"
school_id = "lpad(Sch, 4, '0')"
test = "'SBAC'"
subject = "'MATH'"
grade = "CAST(CAST(Gr AS INTEGER) AS VARCHAR)"
scale_score = "Math"
"""


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "roster.csv").write_text(EXPORT, encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return folder, mapping


def test_mapped_export_loads_and_rejects_point_into_the_export(
    export: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, mapping = export
    db = tmp_path / "w.duckdb"
    report = ingest_bundle(folder, db, mapping=mapping)
    assert report.exit_code == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT school_id, grade_low, grade_high FROM schools").fetchall() == [
        ("0007", 3, 4)]
    assert con.execute(
        "SELECT student_id, race_ethnicity FROM students ORDER BY student_id").fetchall() == [
        ("00017", "HI"), ("00018", "AA")]
    # One wide row per student becomes one assessment row per subject; the blank Math is absent.
    assert report.tables["assessments"].rows_read == 7
    con.close()
    with (db.with_name("rejects.csv")).open(encoding="utf-8") as fh:
        found = {(r["table_name"], r["file"], r["line"], r["column"], r["value"])
                 for r in csv.DictReader(fh)}
    # Ethnicity 9 has no code in the map: rejected with the export's own file and line.
    assert ("students", "roster.csv", "4", "race_ethnicity", "9") in found
    # The same student twice in one year: a duplicate enrollment, pointing at line 5.
    assert ("enrollments", "roster.csv", "5", "school_year,student_id,school_id",
            "2025 | 00017 | 0007") in found


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.replace("[[tables.students]]", "[[tables.pupils]]"),
         "tables.pupils: not a contract table"),
        (lambda m: m.replace('gender = "Sex"', 'sex = "Sex"'),
         "tables.students[1].columns.sex: students has no such column"),
        (lambda m: m.replace('codes = "eth"', 'codes = "ethnicity"'),
         "no [codes.ethnicity] table"),
        (lambda m: m.replace('source = "roster"\ndistinct', 'source = "demo"\ndistinct'),
         "unknown source 'demo'"),
        (lambda m: m.replace("version = 1", "version = 2"), "mapping.version"),
        (lambda m: m + "\n[extra]\n", "unknown key 'extra'"),
        (lambda m: m.replace("[mapping]", "[mapping"), "not a valid TOML file"),
    ],
)
def test_mapping_mistakes_are_named(export: tuple[Path, Path], change, message: str) -> None:
    _, mapping = export
    mapping.write_text(change(MAPPING), encoding="utf-8")
    with pytest.raises(MappingError, match=None) as err:
        load_mapping(mapping)
    assert message in str(err.value) and str(mapping) in str(err.value)


def test_bad_sql_in_a_mapping_refuses_with_the_block_named(
    export: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, mapping = export
    mapping.write_text(MAPPING.replace('gender = "Sex"', 'gender = "Gender"'), encoding="utf-8")
    report = check_bundle(folder, mapping=mapping, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 2
    assert any("tables.students[1]" in r and "Gender" in r for r in report.refusals)


@pytest.mark.external
@pytest.mark.skipif(not TEXAS.exists(), reason="../shared/external/opensdp-synth-texas is absent")
def test_opensdp_texas_loads_through_the_shipped_mapping(tmp_path: Path) -> None:
    db = tmp_path / "texas.duckdb"
    report = ingest_bundle(TEXAS, db, mapping=TEXAS_MAPPING, rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 0, report.examples
    with (TEXAS / "synth_texas.csv").open(encoding="utf-8") as fh:
        source = list(csv.DictReader(fh))
    assert report.tables["enrollments"].rows_loaded == len(source)
    students = {r["sid"] for r in source}
    assert report.tables["students"].rows_loaded == len(students)
    scores = sum((r["rdg_ss"] != "NA") + (r["math_ss"] != "NA") for r in source)
    assert report.tables["assessments"].rows_loaded == scores
    con = duckdb.connect(str(db), read_only=True)
    # Codes were translated: Texas B (Black) -> AA, L/lep 1 -> EL, eco_dis 2 -> SED.
    black = sum(r["race_ethnicity"] == "B" for r in {r["sid"]: r for r in source}.values())
    assert con.execute(
        "SELECT count(*) FROM students WHERE race_ethnicity = 'AA'").fetchone()[0] == black
    el = sum(r["lep"] in ("1", "C") for r in source)
    assert con.execute(
        "SELECT count(*) FROM enrollments WHERE el_status = 'EL'").fetchone()[0] == el
    sed = sum(r["eco_dis"] != "0" for r in source)
    assert con.execute("SELECT count(*) FROM enrollments WHERE sed").fetchone()[0] == sed
    con.close()
