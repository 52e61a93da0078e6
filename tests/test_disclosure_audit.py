"""The disclosure audit (gapwatch.privacy.audit) catches leaks in a published site.

Start from a site the door wrote (which passes), then leak one thing at a time; each leak must
fail with a problem naming the file, the 1-based CSV line and the column.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from gapwatch.privacy import Policy, audit_disclosure, publish, write_published

# ela_met 2024, district D1: ALL 100 (50 met); AA 7 (3 met) -> primary; HI 60 (30 met);
# WH 33 (17 met) -> complementary (else AA = 100 - 60 - 33). See tests/test_privacy_door.py.
CELLS = [("ALL", 100, 50), ("AA", 7, 3), ("HI", 60, 30), ("WH", 33, 17)]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    con = duckdb.connect()
    con.sql("CREATE TABLE indicator_results AS SELECT * FROM (VALUES " + ", ".join(
        f"(2024, 'district', 'D1', 'District', 'ela_met', '{g}', {n}, {x}, {x / n}, 'rate')"
        for g, n, x in CELLS) + ") t(school_year, entity_type, entity_id, entity_name, "
        "indicator, student_group, n, numerator, value, kind)")
    write_published(publish(con, Policy()), tmp_path)
    return tmp_path


def read(site: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(site / "data" / name, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write(site: Path, name: str, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(site / "data" / name, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def line_of(rows: list[dict[str, str]], group: str) -> int:
    return next(i for i, r in enumerate(rows, 2) if r["student_group"] == group)


def test_untouched_site_passes(site: Path) -> None:
    report = audit_disclosure(site)
    assert report.passed, report.render()
    assert report.checked["indicators.csv"] == 4
    assert "PASSED" in report.render()


def test_unsuppressed_complementary_cell_fails(site: Path) -> None:
    header, rows = read(site, "indicators.csv")
    wh = rows[line_of(rows, "WH") - 2]
    assert wh["status"] == "complementary"
    wh.update(n="33", percent="51.5", shown="51.5%", status="published")
    write(site, "indicators.csv", header, rows)
    report = audit_disclosure(site)
    assert not report.passed
    # AA is now 100 - 60 - 33 = 7: its count (line of AA, column n) is recovered.
    problem = next(p for p in report.problems if p.column == "n")
    assert (problem.file, problem.row) == ("indicators.csv", line_of(rows, "AA"))
    assert "primary-suppressed count can be recovered: only 1 possible values" in problem.reason
    assert "indicators.csv:" in report.render()


def test_gap_with_suppressed_side_fails(site: Path) -> None:
    header, rows = read(site, "gaps.csv")
    rows.append(dict(zip(header, ["2024", "district", "D1", "District", "ela_met", "AA", "ALL",
                                  "pp_difference", "-7.1", "-40.0", "25.0", "false"],
                             strict=True)))
    write(site, "gaps.csv", header, rows)
    report = audit_disclosure(site)
    assert [(p.file, p.row, p.column) for p in report.problems] == [("gaps.csv", 2, "value")]
    assert "which is primary" in report.problems[0].reason


def test_published_n_of_5_fails(site: Path) -> None:
    header, rows = read(site, "indicators.csv")
    aa = rows[line_of(rows, "AA") - 2]
    aa.update(n="5", percent="40.0", shown="40.0%", status="published")
    write(site, "indicators.csv", header, rows)
    report = audit_disclosure(site)
    assert ("indicators.csv", line_of(rows, "AA"), "n") in [
        (p.file, p.row, p.column) for p in report.problems]
    assert any("n=5 below min_n 11" in p.reason for p in report.problems)


def test_suppressed_cell_showing_its_percent_fails(site: Path) -> None:
    header, rows = read(site, "indicators.csv")
    rows[line_of(rows, "WH") - 2]["percent"] = "51.5"
    write(site, "indicators.csv", header, rows)
    report = audit_disclosure(site)
    assert [(p.file, p.row, p.column) for p in report.problems] == [
        ("indicators.csv", line_of(rows, "WH"), "percent")]


def test_dashboard_row_for_suppressed_cell_fails(site: Path) -> None:
    header, _ = read(site, "dashboard.csv")
    row = ["2024", "district", "D1", "District", "ela_met", "WH", "51.5", "", "High", "", ""]
    write(site, "dashboard.csv", header, [dict(zip(header, row, strict=True))])
    report = audit_disclosure(site)
    assert [(p.file, p.row, p.column) for p in report.problems] == [("dashboard.csv", 2, "status")]


def test_missing_disclosure_json_fails(site: Path) -> None:
    (site / "data" / "disclosure.json").unlink()
    assert not audit_disclosure(site).passed


def test_audit_does_not_need_a_database() -> None:
    import subprocess
    import sys

    code = ("import sys, gapwatch.privacy.audit as a; "
            "assert 'gapwatch.warehouse' not in sys.modules, 'warehouse imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
