"""`gapwatch report` and `gapwatch audit-disclosure` end to end on a small synthetic district."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from synthdistrict import run_district
from typer.testing import CliRunner

from gapwatch.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    db = run_district(root, students=900, schools=4, years=2, seed=8)
    # the student-level early-warning tables sit in the warehouse when the report is built
    ew = runner.invoke(app, ["early-warning", "--db", str(db), "--out", str(root / "ew")])
    assert ew.exit_code == 0, ew.output
    assert "model not trained" in ew.output  # two school years: rules only
    out = root / "site"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "disclosure audit passed" in result.output
    return out


def test_site_has_both_languages_and_school_pages(site: Path) -> None:
    for lang in ("en", "es"):
        assert (site / lang / "index.html").is_file()
        assert (site / lang / "methodology.html").is_file()
        assert (site / lang / "resources.html").is_file()
        assert len(list((site / lang / "schools").glob("*.html"))) == 4
    assert (site / "data" / "indicators.csv").is_file()
    # the run's method choices travel with the published files (settings, no student data)
    methods = json.loads((site / "data" / "methods.json").read_text("utf-8"))
    assert methods["participation_rule"]["applied"]["value"] == "off"
    assert methods["elpi_levels"]["split_rule"] == {"value": "midpoint", "verified": False}


def test_no_student_level_file_is_published(site: Path) -> None:
    """Only the door's aggregate tables: every published file is one disclosure.json lists,
    and none has a student-level column."""
    import json

    listed = set(json.loads((site / "data" / "disclosure.json").read_text("utf-8"))["files"])
    published = {p.name for p in (site / "data").glob("*.csv")}
    assert published == listed
    assert {"resources_schools.csv", "resources_bands.csv"} <= published
    for path in (site / "data").glob("*.csv"):
        with path.open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert not {"student_id", "staff_id", "birth_date"} & set(header), path


def test_no_student_id_anywhere_on_the_site(site: Path) -> None:
    """Issue 7: the early-warning tables were in the warehouse; no student id reaches any
    published page or file."""
    import duckdb

    con = duckdb.connect(str(site.parent / "w.duckdb"), read_only=True)
    ids = {r[0] for r in con.sql("SELECT student_id FROM student_tiers").fetchall()}
    con.close()
    assert len(ids) > 500
    pattern = re.compile(r"\b\d{6,}\b")  # student ids are long digit strings
    for path in site.rglob("*"):
        if path.suffix in {".html", ".csv", ".json"}:
            found = set(pattern.findall(path.read_text("utf-8"))) & ids
            assert not found, (path, sorted(found)[:3])


def test_resources_page_states_the_published_staffing_gaps(site: Path) -> None:
    with (site / "data" / "resources_gaps.csv").open(encoding="utf-8") as fh:
        gaps = [g for g in csv.DictReader(fh) if g["status"] == "published"]
    latest = max(int(g["school_year"]) for g in gaps) if gaps else None
    page = (site / "en" / "resources.html").read_text("utf-8")
    assert "Need and dollars per student" in page
    for g in gaps:
        if int(g["school_year"]) == latest:
            assert f"{float(g['high_percent']):.1f}% in the highest-need schools" in page


def test_audit_passes_on_the_site_and_fails_on_a_leak(site: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["audit-disclosure", str(site)]).exit_code == 0
    leaked = tmp_path / "leaked"
    shutil.copytree(site, leaked)
    path = leaked / "data" / "indicators.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    victim = next(r for r in rows if r["status"] == "primary")
    victim.update(n="5", status="published", shown="5")
    if victim["kind"] == "rate":
        victim["percent"] = "40.0"
    else:
        victim["value"] = "-10.0"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["audit-disclosure", str(leaked)])
    assert result.exit_code == 1
    assert "indicators.csv" in result.output


def test_report_refuses_without_warehouse(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "none.duckdb"),
                                 "--out", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert not (tmp_path / "site").exists()


def test_a_value_the_door_cannot_protect_refuses_the_site_in_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The door raises CannotProtect when a protected value stays recoverable with every cell
    # tied to it suppressed (the structure itself gives it away). Here the door is made to
    # meet one: the report says so, exits 1 and publishes nothing.
    import gapwatch.privacy
    from gapwatch.privacy.door import CannotProtect

    def cannot(*_args: object, **_kwargs: object) -> None:
        raise CannotProtect("the privacy door cannot protect 2024/school/0001/ela_met/MR: "
                            "every cell tied to it is suppressed and it can still be recovered")

    db = run_district(tmp_path, students=200, schools=2, years=1, seed=3)
    monkeypatch.setattr(gapwatch.privacy, "publish", cannot)
    out = tmp_path / "site"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 1, (result.output, result.exception)
    assert "cannot protect 2024/school/0001/ela_met/MR" in result.output
    assert "nothing was published" in result.output and not out.exists()
