"""OneRoster 1.2 CSV: the synthetic district's latest year round-trips (synth --layout
oneroster -> ingest), the sample has the published headers, and problems are reported."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import duckdb
import pytest

from gapwatch.ingest import check_bundle, ingest_bundle
from gapwatch.sources.oneroster import HERE
from gapwatch.sources.oneroster.writer import write_oneroster
from gapwatch.synth import generate

from layout_roundtrip import carried_bundle, indicator_rows, table_differences

YEAR = 2024  # generate(first_year=2023, years=2): the latest year, the one OneRoster carries
LATEST = f"WHERE school_year = {YEAR}"
ON_ROLL = (f"WHERE student_id IN (SELECT student_id FROM read_csv('{{native}}/enrollments.csv',"
           f" all_varchar=true) WHERE school_year = '{YEAR}')")
#: what OneRoster carries (Filipino is not a federal race category: it arrives as Asian)
CARRIED = {
    "schools": "school_id, school_name, district_id, district_name, school_type, grade_low, "
               "grade_high",
    "students": "student_id, CASE race_ethnicity WHEN 'FI' THEN 'AS' ELSE race_ethnicity END "
                "AS race_ethnicity, gender, birth_date",
    "enrollments": "school_year, student_id, school_id, grade, entry_date, exit_date",
    "course_marks": "* EXCLUDE (ag_area)",
    "sections": "school_year, section_id, school_id, course_id, subject_area, teacher_staff_id",
}
FILTER = {"students": ON_ROLL, "enrollments": LATEST, "course_marks": LATEST,
          "sections": LATEST, "schools": ""}
#: school type and grade span are derived (from the grades of the students on roll), so only
#: the carried school columns are compared
COMPARED = {**dict.fromkeys(CARRIED, "*"),
            "schools": "school_id, school_name, district_id, district_name"}


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("oneroster")
    native = root / "native"
    generate(native, students=700, schools=5, years=2, seed=5)
    write_oneroster(native, root / "oneroster")
    carried = carried_bundle(native, root / "carried", CARRIED, FILTER)
    dbs = {}
    for name, folder, source in (("carried", carried, "gapwatch"),
                                 ("oneroster", root / "oneroster", "oneroster")):
        dbs[name] = root / f"{name}.duckdb"
        report = ingest_bundle(folder, dbs[name], rejects_path=root / f"{name}-rejects.csv",
                               source=source)
        assert report.exit_code == 0, (report.refusals, report.examples)
    return {"root": root, **dbs}


def test_oneroster_round_trip_gives_the_same_warehouse(district: dict[str, Path]) -> None:
    differences = table_differences(district["carried"], district["oneroster"], COMPARED)
    assert differences == dict.fromkeys(COMPARED, 0)
    con = duckdb.connect(str(district["oneroster"]), read_only=True)
    assert con.execute("SELECT count(*) FROM course_marks").fetchone()[0] > 1000
    assert con.execute("SELECT min(school_year) FROM enrollments").fetchone()[0] == YEAR
    con.close()


def test_oneroster_round_trip_gives_the_same_indicator_results(district: dict[str, Path]
                                                                ) -> None:
    native, oneroster = indicator_rows(district["carried"]), indicator_rows(district["oneroster"])
    assert len(native) > 30
    assert native == oneroster


def test_the_sample_has_the_published_headers(district: dict[str, Path]) -> None:
    spec = tomllib.loads((HERE / "headers.toml").read_text(encoding="utf-8"))
    assert spec["source"].startswith("1EdTech OneRoster v1.2")
    for file, header in spec["files"].items():
        with (district["root"] / "oneroster" / file).open(encoding="utf-8") as fh:
            written = next(csv.reader(fh))
        assert written == header + spec["extensions"].get(file, []), file


def test_oneroster_coverage_names_what_it_lacks(district: dict[str, Path]) -> None:
    report = check_bundle(district["root"] / "oneroster", source="oneroster",
                          rejects_path=district["root"] / "r.csv")
    found = {c.indicator: c for c in report.coverage}
    assert found["ninth_grade_on_track"].computable
    assert found["ag_on_track"].missing == "no course a-g flags"
    assert "no enrollments.days_enrolled values" in found["chronic_absence"].missing


def test_a_delta_manifest_is_refused(district: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "roster"
    folder.mkdir()
    for path in (district["root"] / "oneroster").iterdir():
        text = path.read_text(encoding="utf-8")
        if path.name == "manifest.csv":
            text = text.replace("file.users,bulk", "file.users,delta")
        (folder / path.name).write_text(text, encoding="utf-8")
    report = check_bundle(folder, source="oneroster", rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 2
    assert any("file.users are delta files" in r for r in report.refusals)


def test_an_unknown_code_is_rejected_with_its_line(district: dict[str, Path],
                                                    tmp_path: Path) -> None:
    folder = tmp_path / "roster"
    folder.mkdir()
    for path in (district["root"] / "oneroster").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    lines = (folder / "demographics.csv").read_text(encoding="utf-8").splitlines()
    row = lines[3].split(",")
    row[4] = "unknown"  # sex
    lines[3] = ",".join(row)
    (folder / "demographics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_bundle(folder, source="oneroster", rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 1
    with (tmp_path / "r.csv").open(encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    gender = [r for r in rejects if r["column"] == "gender"]
    assert [(r["value"], r["table_name"]) for r in gender] == [("unknown", "students")]
    assert "not one of" in gender[0]["reason"] or "code" in gender[0]["reason"]


def test_marks_without_credits_are_left_out_with_a_note(district: dict[str, Path],
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "roster"
    folder.mkdir()
    for path in (district["root"] / "oneroster").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    with (folder / "courses.csv").open(encoding="utf-8") as fh:
        rows = [r[:-1] for r in csv.reader(fh)]  # drop the metadata.credits extension
    with (folder / "courses.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    report = check_bundle(folder, source="oneroster", rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 0
    assert "course_marks" not in report.tables
    assert any("course_marks left out: required column(s) credits_attempted" in n
               and "metadata.credits" in n for n in report.notes)
