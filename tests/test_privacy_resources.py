"""Resources through the privacy door (gapwatch.privacy.resources) and the audit of its files."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from gapwatch.privacy import Policy, audit_disclosure, publish, write_published

BANDS = ("Highest", "High", "Moderate", "Low", "Lowest")


def warehouse() -> duckdb.DuckDBPyConnection:
    """One indicator cell (the door needs one) and the four resources tables, 2025.

    Schools: A (need 1.2, 400 students), B (-0.9, 8 students: primary). Bands: every band has
    40 novice-rate teachers except Low with 9 (primary); turnover is published everywhere.
    Gaps: novice Highest - Lowest rests on two published bands; a second novice gap row that
    rests on Low is suppressed.
    """
    con = duckdb.connect()
    con.sql("CREATE TABLE indicator_results AS SELECT 2025::SMALLINT school_year, 'district' "
            "entity_type, 'D1' entity_id, 'D' entity_name, 'ela_met' indicator, 'rate' kind, "
            "'ALL' student_group, 100::BIGINT n, 50::BIGINT numerator, 0.5 value")
    con.sql("""CREATE TABLE progressivity_by_school AS SELECT * FROM (VALUES
        (2025, 'A', 'Alder', 1.2345, 95.0, 'Highest', 400, 14197.19, 3129.09, 4.1565),
        (2025, 'B', 'Birch', -0.9, 10.0, 'Lowest', 8, 99999.0, 0.0, 9.0))
        t(school_year, school_id, school_name, need_score, need_percentile, band, enrollment,
          dollars_per_pupil, supp_conc_per_pupil, teachers_per_100)""")
    rows = []
    for b in BANDS:
        den = 9 if b == "Low" else 40
        cols = []
        for m in ("turnover", "novice", "not_fully_credentialed", "out_of_field", "mandatory",
                  "eld_multi_sub", "principal_change"):
            d = 40 if m == "turnover" else den
            cols += [f"{4}::BIGINT AS {m}_num", f"{d}::BIGINT AS {m}_den",
                     f"{4 / d} AS {m}_rate", f"{4 / d - 0.05} AS {m}_ci_low",
                     f"{4 / d + 0.05} AS {m}_ci_high"]
        rows.append(f"SELECT 2025 AS school_year, '{b}' AS band, 8 AS schools, "
                    + ", ".join(cols))
    con.sql("CREATE TABLE staffing_by_band AS " + " UNION ALL ".join(rows))
    con.sql("""CREATE TABLE staffing_gap AS SELECT * FROM (VALUES
        (2025, 'novice', 'rate', 'Highest', 'Lowest', 10.0, 10.0, 0.0, -5.0, 5.0, false),
        (2025, 'novice', 'rate', 'Highest', 'Low', 10.0, 44.4, -34.4, -60.0, -5.0, true),
        (2025, 'teachers_per_100', 'ratio', 'Highest', 'Lowest', 4.1, 4.6, -0.5, -1.0, -0.1,
         true))
        t(school_year, measure, kind, high_band, low_band, high_value, low_value, gap, ci_low,
          ci_high, beyond_noise)""")
    con.sql("""CREATE TABLE progressivity AS SELECT * FROM (VALUES
        (2025, 'dollars_per_pupil', 'dollars per pupil', 40, 310.5, 100.0, 500.0, 0.41, 0.1,
         0.6, 14000.0, 12000.0, 1.1667, 1.05, 1.2, 'progressive'),
        (2025, 'local_per_pupil', 'dollars per pupil', 40, 1.0, 0.0, 2.0, 0.1, -0.2, 0.3,
         1.0, 1.0, 1.0, 0.9, 1.1, 'flat / within noise'))
        t(school_year, measure, unit, schools, slope, slope_ci_low, slope_ci_high, spearman,
          spearman_ci_low, spearman_ci_high, highest_value, lowest_value,
          highest_lowest_ratio, ratio_ci_low, ratio_ci_high, progressive)""")
    return con


def read(site: Path, name: str) -> list[dict[str, str]]:
    with open(site / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_small_schools_and_bands_are_suppressed_and_the_audit_passes(tmp_path: Path) -> None:
    write_published(publish(warehouse(), Policy()), tmp_path)
    schools = {r["school_id"]: r for r in read(tmp_path, "resources_schools")}
    assert schools["A"]["status"] == "published"
    assert schools["A"]["need_score"] == "1.23" and schools["A"]["enrollment"] == "400"
    assert schools["A"]["dollars_per_pupil"] == "14197"  # whole dollars
    assert schools["A"]["teachers_per_100"] == "4.16"
    # B has 8 < 11 students: its row says so and shows no number at all
    assert schools["B"]["status"] == "primary"
    assert all(schools["B"][c] == "" for c in ("need_score", "band", "enrollment",
                                               "dollars_per_pupil", "teachers_per_100"))
    bands = {(r["band"], r["measure"]): r for r in read(tmp_path, "resources_bands")}
    assert bands[("Highest", "novice")]["percent"] == "10"  # 4 of 40 = 10.0%
    assert bands[("Highest", "novice")]["n"] == "40"
    assert bands[("Low", "novice")]["status"] == "primary"  # 9 teachers
    assert bands[("Low", "novice")]["percent"] == bands[("Low", "novice")]["n"] == ""
    assert bands[("Low", "turnover")]["status"] == "published"  # 40 teachers
    gaps = read(tmp_path, "resources_gaps")
    assert [(g["low_band"], g["status"]) for g in gaps] == [("Lowest", "published"),
                                                             ("Low", "suppressed")]
    assert gaps[1]["gap"] == ""
    prog = read(tmp_path, "resources_progressivity")
    assert [p["measure"] for p in prog] == ["dollars_per_pupil"]  # local is not on the page
    assert prog[0]["ratio"] == "1.17"
    report = audit_disclosure(tmp_path)
    assert report.passed, report.render()
    assert report.checked["resources_bands.csv"] == 35


def _rewrite(path: Path, edit) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_audit_catches_leaks_in_the_resources_files(tmp_path: Path) -> None:
    write_published(publish(warehouse(), Policy()), tmp_path)
    data = tmp_path / "data"

    def leak_school(rows):  # publish B's 8 students
        rows[1].update(status="published", enrollment="8")

    def leak_band(rows):  # show the suppressed Low novice rate
        low = next(r for r in rows if r["band"] == "Low" and r["measure"] == "novice")
        low["percent"] = "44.4"

    def leak_gap(rows):  # publish the gap resting on Low
        rows[1].update(status="published", gap="-34.4")

    _rewrite(data / "resources_schools.csv", leak_school)
    _rewrite(data / "resources_bands.csv", leak_band)
    _rewrite(data / "resources_gaps.csv", leak_gap)
    found = {(p.file, p.row, p.column) for p in audit_disclosure(tmp_path).problems}
    low_line = 2 + [r["band"] + r["measure"] for r in read(tmp_path, "resources_bands")].index(
        "Lownovice")
    assert found == {("resources_schools.csv", 3, "enrollment"),
                     ("resources_bands.csv", low_line, "percent"),
                     ("resources_gaps.csv", 3, "gap")}
