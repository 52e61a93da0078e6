"""English Learner Progress Indicator on six ELPI levels (METHODS.md 6.3), student by student.

School 0101 (K-8), grade 3 in 2023-24 and grade 4 in 2024-25. The shipped reference file
(indicators/elpi_levels/2019.toml) gives ELPAC thresholds; levels 2 and 3 split at the midpoint
of their range (CDE's split scores were not found):

    grade 3: level 2 from 1448, 3 from 1488, 4 from 1535; 2H from ceil(2936 / 2) = 1468,
             3H from ceil(3023 / 2) = 1512
    grade 4: level 2 from 1459, 3 from 1499, 4 from 1549; 2H from 1479, 3H from 1524

Every pair of the six levels (36 students, E<a><b>): progress when the level rose (15 pairs)
or stayed at 4 (1): 16 of 36. On the four ELPAC levels the old rule counted 14 (2L -> 2H and
3L -> 3H are progress now; they were "no change").
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import duckdb
import pytest
from test_indicator_edges import SCHOOLS, result

from gapwatch.config import Config, ConfigError, load_config
from gapwatch.indicators import run
from gapwatch.indicators.elpi import ELPI_LEVELS, load_reference
from gapwatch.indicators.views import ViewOptions, student_year_ctes
from gapwatch.ingest import ingest_bundle

LEVELS = list(ELPI_LEVELS.values())  # 1, 2L, 2H, 3L, 3H, 4
#: A scale score inside each ELPI level: grade 3 (2024) and grade 4 (2025).
SCORE_G3 = dict(zip(LEVELS, (1440, 1450, 1470, 1490, 1515, 1540), strict=True))
SCORE_G4 = dict(zip(LEVELS, (1450, 1465, 1480, 1500, 1530, 1560), strict=True))
MAIN = {"1": 1, "2L": 2, "2H": 2, "3L": 3, "3H": 3, "4": 4}
ENROLL = "school_year,student_id,school_id,grade,entry_date,days_enrolled,days_absent,el_status"
ASSESS = ("school_year,student_id,school_id,test,subject,grade,scale_score,performance_level,"
          "test_date")


def _progress(a: str, b: str) -> bool:
    return LEVELS.index(b) > LEVELS.index(a) or a == b == "4"


def _bundle(root: Path) -> Path:
    """The 36 transition students, Alternate ELPAC students and reclassified students."""
    students, enroll, assess = [], [], []

    def add(sid: str, status_2025: str = "EL", reclassified: str = "") -> None:
        students.append(f"{sid},HI,F,2018-08-20,{reclassified}")
        enroll.append(f"2024,{sid},0101,3,2023-08-21,180,2,EL")
        enroll.append(f"2025,{sid},0101,4,2024-08-19,180,2,{status_2025}")

    def score(year: int, sid: str, test: str, value: int, level: int | str, date: str) -> None:
        assess.append(f"{year},{sid},0101,{test},ELP,{year - 2021},{value},{level},{date}")

    for i, (a, b) in enumerate(product(LEVELS, LEVELS)):
        sid = f"E{LEVELS.index(a)}{LEVELS.index(b)}"
        add(sid)
        given = i % 2 == 0  # half with the performance level given, half from the thresholds
        score(2024, sid, "ELPAC", SCORE_G3[a], MAIN[a] if given else "", "2024-03-11")
        score(2025, sid, "ELPAC", SCORE_G4[b], MAIN[b] if given else "", "2025-03-10")
    # Alternate ELPAC both years (levels 1-3): 1 -> 2 and 3 -> 3 progress; 2 -> 2, 2 -> 1 not
    for sid, (a, b) in {"A1": (1, 2), "A2": (3, 3), "A3": (2, 2), "A4": (2, 1)}.items():
        add(sid)
        score(2024, sid, "ALT_ELPAC", 340 + 10 * a, a, "2024-03-11")
        score(2025, sid, "ALT_ELPAC", 440 + 10 * b, b, "2025-03-10")
    add("M1")  # ELPAC then Alternate ELPAC: two scales, not compared
    score(2024, "M1", "ELPAC", SCORE_G3["2H"], 2, "2024-03-11")
    score(2025, "M1", "ALT_ELPAC", 470, 3, "2025-03-10")
    # Reclassified in 2024-25 (RFEP on the 2025 enrollment): R1 after the 2025-03-10 test
    # (counted: 2L -> 2H, progress); R2 before it (already RFEP when tested: not counted);
    # R3 with no test date, reclassified during the year (counted: 3L -> 3H); R4 RFEP with no
    # reclassification date (counted: only ELs take the summative ELPAC; 4 -> 4); R5
    # reclassified in 2023 (not counted).
    for sid, date, a, b, when in (("R1", "2025-05-15", "2L", "2H", "2025-03-10"),
                                  ("R2", "2025-03-01", "2L", "2H", "2025-03-10"),
                                  ("R3", "2025-05-15", "3L", "3H", ""),
                                  ("R4", "", "4", "4", "2025-03-10"),
                                  ("R5", "2023-05-01", "1", "2L", "2025-03-10")):
        add(sid, "RFEP", date)
        score(2024, sid, "ELPAC", SCORE_G3[a], MAIN[a], "2024-03-11")
        score(2025, sid, "ELPAC", SCORE_G4[b], MAIN[b], when)
    add("N1")  # no 2024 score: not counted
    score(2025, "N1", "ELPAC", SCORE_G4["4"], 4, "2025-03-10")

    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / "schools.csv").write_text(SCHOOLS)
    (bundle / "students.csv").write_text(
        "student_id,race_ethnicity,gender,us_school_entry_date,reclassification_date\n"
        + "\n".join(students) + "\n")
    (bundle / "enrollments.csv").write_text(ENROLL + "\n" + "\n".join(enroll) + "\n")
    (bundle / "assessments.csv").write_text(ASSESS + "\n" + "\n".join(assess) + "\n")
    return bundle


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("elpi")
    db = root / "w.duckdb"
    assert ingest_bundle(_bundle(root), db).exit_code == 0
    run(db, Config())
    return db


def _levels(db: Path) -> dict[str, tuple]:
    """(elpi_prior_level, elpi_level, elpi_el, elpi_pair) per student at school 0101, 2025."""
    with duckdb.connect(str(db), read_only=True) as con:
        present = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
        sql = student_year_ctes(present, ViewOptions((2024, 2025)))
        rows = con.sql(f"{sql} SELECT student_id, elpi_prior_level, elpi_level, elpi_el, "
                       "elpi_pair FROM student_year WHERE entity_type = 'school' "
                       "AND school_year = 2025").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_every_transition_between_the_six_levels(warehouse: Path) -> None:
    levels = _levels(warehouse)
    for a, b in product(LEVELS, LEVELS):
        sid = f"E{LEVELS.index(a)}{LEVELS.index(b)}"
        prior, now, counted, pair = levels[sid]
        assert (ELPI_LEVELS[prior], ELPI_LEVELS[now]) == (a, b), sid
        assert counted and pair, sid
    assert sum(_progress(a, b) for a, b in product(LEVELS, LEVELS)) == 16
    assert sum(MAIN[b] > MAIN[a] or MAIN[a] == MAIN[b] == 4
               for a, b in product(LEVELS, LEVELS)) == 14  # the four-level rule


def test_rate_with_alternate_elpac_and_reclassified_students(warehouse: Path) -> None:
    # 36 transitions (16 progress) + A1-A4 (2: A1, A2) + R1, R3, R4 (3) = 43 students, 21.
    # M1 (two tests), R2 (RFEP when tested), R5 (RFEP since 2023), N1 (no prior) are out.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert result(con, "el_progress") == (43, 21, pytest.approx(21 / 43))
        assert result(con, "el_progress", "district", "D1") == (43, 21, pytest.approx(21 / 43))
        # the EL group of ELPI counts the students reclassified after the test, like ALL
        assert result(con, "el_progress", group="EL") == (43, 21, pytest.approx(21 / 43))
        assert result(con, "el_progress", group="RFEP") == (3, 3, 1.0)
        # other indicators keep EL = current English learners
        assert result(con, "chronic_absence", group="EL")[0] == 47 - 5
    levels = _levels(warehouse)
    assert [levels[s][2:] for s in ("R1", "R2", "R3", "R4", "R5")] == [
        (True, True), (False, True), (True, True), (True, True), (False, True)]
    assert levels["M1"][3] is False and levels["N1"][3] is False
    assert [levels[s][:2] for s in ("A1", "A2", "A3", "A4")] == [(1, 2), (3, 3), (2, 2), (2, 1)]


def test_alternate_elpac_counts_from_the_2023_dashboard(tmp_path: Path) -> None:
    # The same Alternate ELPAC pair (1 -> 2) in 2021 -> 2022 (not counted: before 2023) and
    # 2022 -> 2023 (counted).
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "schools.csv").write_text(SCHOOLS)
    (bundle / "students.csv").write_text(
        "student_id,race_ethnicity,gender\nX,HI,F\nY,HI,M\n")
    (bundle / "enrollments.csv").write_text(ENROLL + "\n" + "\n".join(
        f"{y},{s},0101,{g + y - 2021},{y - 1}-08-20,180,2,EL"
        for s, g in (("X", 2), ("Y", 3)) for y in (2021, 2022, 2023)) + "\n")
    (bundle / "assessments.csv").write_text(ASSESS + "\n" + "\n".join(
        f"{y},{s},0101,ALT_ELPAC,ELP,{g + y - 2021},{300 + 10 * lv},{lv},{y}-03-10"
        for s, g, lv0 in (("X", 2, 1), ("Y", 3, 2)) for y, lv in (
            (2021, lv0), (2022, lv0 + 1 if s == "X" else lv0), (2023, lv0 + 1))) + "\n")
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(bundle, db).exit_code == 0
    run(db, Config())
    with duckdb.connect(str(db), read_only=True) as con:
        assert result(con, "el_progress", year=2022) is None  # X rose, but not counted yet
        # 2023: X 2 -> 2 (no), Y 2 -> 3 (top level reached: progress)
        assert result(con, "el_progress", year=2023) == (2, 1, 0.5)


def test_a_district_supplies_its_split_scores(warehouse: Path, tmp_path: Path) -> None:
    # With 2H from 1490 in grade 4 (instead of 1479), a 2025 score of 1480 is 2L: of the six
    # E<a>2 students, the one from 2L (E12) no longer progresses (2L -> 2L), the one from 1
    # still does (1 -> 2L); R1 (2L -> 1480) no longer does either: 21 - 2 = 19. Grade 3 keeps
    # the midpoints (the file gives grade 4 only).
    shipped = (Path(__file__).resolve().parents[1] / "src" / "gapwatch" / "indicators"
               / "elpi_levels" / "2019.toml").read_text(encoding="utf-8")
    (tmp_path / "elpi.toml").write_text(
        shipped.replace("splits_verified = false", "splits_verified = true")
        + "\n[splits]\n4 = [1490, 1525]\n")
    (tmp_path / "district.toml").write_text(
        '[indicators]\nelpi_levels_file = "elpi.toml"\n')
    db = tmp_path / "w.duckdb"
    db.write_bytes(warehouse.read_bytes())
    run(db, load_config(tmp_path / "district.toml"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert result(con, "el_progress") == (43, 19, pytest.approx(19 / 43))
    ref = load_reference(tmp_path / "elpi.toml")
    assert ref.split_rule == "given" and ref.split_scores(4) == (1490, 1525)
    assert ref.verified["splits"] is True
    assert ref.split_scores(3) == (1468, 1512)
    (tmp_path / "elpi.toml").write_text(shipped + "\n[splits]\n4 = [1400, 1525]\n")
    with pytest.raises(ConfigError, match=r"elpi_levels_file: .*split scores 1400, 1525"):
        run(db, load_config(tmp_path / "district.toml"))


def test_the_reference_file_marks_what_is_unverified() -> None:
    ref = load_reference()
    assert ref.version == "2019" and "METHODS.md section 6.3" in ref.source
    assert ref.verified == {"rules": True, "thresholds": False, "splits": False,
                            "alternate": False}
    assert ref.split_rule == "midpoint" and ref.alternate_from == 2023
    assert [ELPI_LEVELS[ref.level(4, s)] for s in (1458, 1459, 1478, 1479, 1498, 1499, 1523,
                                                    1524, 1548, 1549)] == \
        ["1", "2L", "2L", "2H", "2H", "3L", "3L", "3H", "3H", "4"]
