"""CALPADS extracts: the synthetic district round-trips (synth --layout calpads -> ingest), and
broken records are rejected with their file, line and reason."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from gapwatch.cli import app
from gapwatch.ingest import check_bundle, ingest_bundle
from gapwatch.sources.calpads.writer import write_calpads
from gapwatch.synth import generate

from layout_roundtrip import carried_bundle, indicator_rows, table_differences

PAD = "lpad(school_id, 7, '0') AS school_id"
#: what CALPADS extracts (and the CDE school directory) carry, with school codes of 7 digits
CARRIED = {
    "schools": f"{PAD}, school_name, district_id, district_name, school_type, grade_low, "
               "grade_high, is_charter",
    "students": "*",
    "enrollments": f"* EXCLUDE (disability_category, biliteracy_pathway) REPLACE ({PAD})",
    "discipline": f"* REPLACE ({PAD})",
    "course_marks": f"* REPLACE ({PAD})",
    "sections": f"school_year, section_id, {PAD}, course_id, subject_area, teacher_staff_id",
}


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("calpads")
    native = root / "native"
    generate(native, students=700, schools=5, years=2, seed=11)
    write_calpads(native, root / "calpads")
    carried = carried_bundle(native, root / "carried", CARRIED)
    dbs = {}
    for name, folder, source in (("carried", carried, "gapwatch"),
                                 ("calpads", root / "calpads", "calpads")):
        dbs[name] = root / f"{name}.duckdb"
        report = ingest_bundle(folder, dbs[name], rejects_path=root / f"{name}-rejects.csv",
                               source=source)
        assert report.exit_code == 0, (report.refusals, report.examples)
    return {"root": root, **dbs}


def test_calpads_round_trip_gives_the_same_warehouse(district: dict[str, Path]) -> None:
    differences = table_differences(district["carried"], district["calpads"],
                                    dict.fromkeys(CARRIED, "*"))
    assert differences == dict.fromkeys(CARRIED, 0)
    con = duckdb.connect(str(district["calpads"]), read_only=True)
    assert con.execute("SELECT count(*) FROM enrollments").fetchone()[0] > 700
    assert con.execute("SELECT count(DISTINCT el_status) FROM enrollments").fetchone()[0] >= 4
    con.close()


def test_calpads_round_trip_gives_the_same_indicator_results(district: dict[str, Path]) -> None:
    native, calpads = indicator_rows(district["carried"]), indicator_rows(district["calpads"])
    assert len(native) > 500
    assert native == calpads


def test_calpads_coverage_says_what_the_extracts_cannot_support(district: dict[str, Path]
                                                                 ) -> None:
    report = check_bundle(district["root"] / "calpads", source="calpads",
                          rejects_path=district["root"] / "r.csv")
    found = {c.indicator: c for c in report.coverage}
    assert found["chronic_absence"].computable and found["ag_on_track"].computable
    assert not found["ela_dfs"].computable
    assert found["ela_dfs"].missing == "no assessments table"
    assert found["graduation_rate"].missing == "no graduation_cohorts table"


def test_bad_calpads_records_are_rejected_with_file_line_and_reason(
        district: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "extracts"
    folder.mkdir()
    for path in (district["root"] / "calpads").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    senr = (folder / "SENR.txt").read_text().splitlines()
    fields = senr[1].split("^")
    fields[23] = "XX"  # grade level code not in the CALPADS code set
    senr[1] = "^".join(fields)
    senr[2] = "^".join(senr[2].split("^")[:10])  # a truncated record
    (folder / "SENR.txt").write_bytes(("\n".join(senr) + "\n").encode()
                                      + senr[3].replace("SENR^", "SENR^\xe9").encode("latin-1")
                                      + b"\n")
    report = check_bundle(folder, source="calpads", rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 1
    assert report.tables["enrollments"].rows_rejected == 3
    with (tmp_path / "r.csv").open(encoding="utf-8") as fh:
        rejects = {(r["file"], r["line"], r["column"]): r for r in csv.DictReader(fh)}
    assert rejects["SENR.txt", "2", "grade"]["value"] == "XX"
    truncated = rejects["SENR.txt", "3", ""]
    assert truncated["reason"] == "SENR record has 10 fields; the layout has 33 (layouts.toml)"
    assert truncated["raw_row"] == senr[2]
    latin = rejects["SENR.txt", str(len(senr) + 1), ""]
    assert latin["reason"] == "SENR record is not valid UTF-8 text at byte 6: save the " \
                              "extract as UTF-8"


def test_calpads_without_a_school_directory_is_refused_with_the_reason(
        district: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "extracts"
    folder.mkdir()
    for path in (district["root"] / "calpads").iterdir():
        if path.name != "pubschls.txt":
            (folder / path.name).write_bytes(path.read_bytes())
    report = check_bundle(folder, source="calpads", rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 2
    assert any("required table schools" in r and "pubschls.txt" in r for r in report.refusals)


def test_the_command_line_reads_calpads_and_reports_coverage(
        district: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(district["root"] / "calpads")
    with pytest.raises(SystemExit) as stop:
        app(["check", folder, "--from", "calpads", "--coverage", "--rejects",
             str(tmp_path / "r.csv")])
    assert stop.value.code == 1  # some indicators cannot be computed from CALPADS alone
    err = " ".join(capsys.readouterr().err.split())
    assert "chronic_absence: yes" in err and "ela_dfs: no (no assessments table)" in err
    with pytest.raises(SystemExit) as stop:
        app(["ingest", folder, "--from", "calpads", "--db", str(tmp_path / "w.duckdb")])
    assert stop.value.code == 0
    assert "can compute: chronic_absence" in " ".join(capsys.readouterr().err.split())
