"""The Academic Indicator's participation rule (METHODS.md 6.4), worked by hand.

Grade 5 ELA, Level 3 threshold 2502, lowest obtainable scale score 2200: a missing test is
2200 - 2502 = -302 points. School 0101 in 2024-25: 20 fifth graders enrolled on May 1;
17 scored 2512 on Smarter Balanced (DFS +10), one took the CAA, two did not test.
Participation (17 + 1) / 20 = 90% < 95%: ceil(0.95 x 20) - 18 = 1 LOSS value of -302.

- rule off (the default): n 17, mean +10; participation 0.90 reported, nothing added;
- rule on: n 18, mean (17 x 10 - 302) / 18 = -132 / 18 = -7.333...;
- School 0102: 20 enrolled, 19 tested (95.0% exactly): nothing added either way.
- The same school in 2022-23 (before the rule's first year, 2024): nothing added.
- Students with disabilities at 0101: S01, S02 (+10 each), the CAA student and one untested:
  3 of 4 tested (75%): ceil(3.8) - 3 = 1 LOSS value: (10 + 10 - 302) / 3 = -94.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from test_indicator_edges import SCHOOLS, result

from gapwatch.config import Config, load_config
from gapwatch.indicators import run
from gapwatch.indicators.participation import apply_loss, loss_dfs, missing_to_add, rule
from gapwatch.ingest import ingest_bundle

ENROLL = ("school_year,student_id,school_id,grade,entry_date,days_enrolled,days_absent,"
          "el_status,swd")
ASSESS = ("school_year,student_id,school_id,test,subject,grade,scale_score,performance_level,"
          "test_date")


def _bundle(root: Path) -> Path:
    students, enroll, assess = [], [], []
    for year in (2023, 2025):
        for school, tested in (("0101", 17), ("0102", 19)):
            for k in range(20):
                sid = f"S{year}{school}{k:02d}"
                students.append(f"{sid},HI,F")
                swd = "true" if school == "0101" and k in (1, 2, 17, 18) else "false"
                enroll.append(f"{year},{sid},{school},5,{year - 1}-08-20,180,2,EO,{swd}")
                if k < tested:
                    assess.append(f"{year},{sid},{school},SBAC,ELA,5,2512,3,{year}-04-20")
                elif k == 17 and school == "0101":  # the CAA student
                    assess.append(f"{year},{sid},{school},CAA,ELA,5,560,2,{year}-04-20")
    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / "schools.csv").write_text(SCHOOLS)
    (bundle / "students.csv").write_text("student_id,race_ethnicity,gender\n"
                                         + "\n".join(students) + "\n")
    (bundle / "enrollments.csv").write_text(ENROLL + "\n" + "\n".join(enroll) + "\n")
    (bundle / "assessments.csv").write_text(ASSESS + "\n" + "\n".join(assess) + "\n")
    return bundle


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("participation")
    db = root / "w.duckdb"
    assert ingest_bundle(_bundle(root), db).exit_code == 0
    return db


def _dfs(db: Path, school: str, year: int = 2025, group: str = "ALL") -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT n, value, participation, loss_added, level_counts FROM indicator_results "
            "WHERE indicator = 'ela_dfs' AND entity_type = 'school' AND entity_id = ? "
            "AND school_year = ? AND student_group = ?", [school, year, group]).fetchone()


def test_off_by_default_with_the_rate_reported(warehouse: Path) -> None:
    run(warehouse, Config())
    n, value, rate, added, levels = _dfs(warehouse, "0101")
    assert (n, value, rate, added) == (17, pytest.approx(10.0), pytest.approx(0.9), 0)
    assert levels == [0, 0, 17, 0]


def test_loss_added_below_95_percent(warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[indicators]\nparticipation_rule = true\n")
    run(warehouse, load_config(tmp_path / "c.toml"))
    n, value, rate, added, levels = _dfs(warehouse, "0101")
    assert (n, rate, added) == (18, pytest.approx(0.9), 1)
    assert value == pytest.approx(-132 / 18, abs=1e-12)
    assert levels == [1, 0, 17, 0]  # the LOSS value is a Level 1 score
    # exactly 95% (19 of 20) adds nothing
    assert _dfs(warehouse, "0102")[:4] == (19, pytest.approx(10.0), pytest.approx(0.95), 0)
    # before the rule's first year (2024) nothing is added
    assert _dfs(warehouse, "0101", 2023)[:4] == (17, pytest.approx(10.0), pytest.approx(0.9), 0)
    # a group below 95% on its own: SWD 3 of 4 tested
    n, value, rate, added, _ = _dfs(warehouse, "0101", group="SWD")
    assert (n, value, rate, added) == (3, pytest.approx(-94.0), pytest.approx(0.75), 1)
    # the district: 40 enrolled, 37 tested (92.5%): ceil(38) - 37 = 1 LOSS value
    with duckdb.connect(str(warehouse), read_only=True) as con:
        n, value = con.execute(
            "SELECT n, value FROM indicator_results WHERE indicator = 'ela_dfs' AND "
            "entity_type = 'district' AND school_year = 2025 AND student_group = 'ALL'"
        ).fetchone()
    assert (n, value) == (37, pytest.approx((36 * 10 - 302) / 37))
    with duckdb.connect(str(warehouse), read_only=True) as con:  # ela_met is not changed
        assert result(con, "ela_met")[:2] == (17, 17)


def test_the_arithmetic_and_the_rule_as_data() -> None:
    r = rule()
    assert (r.min_rate, r.first_year, r.version) == (Fraction(95, 100), 2024, "2024-25")
    assert r.verified == {"rule": True, "first_year": False, "reading": False}
    assert "METHODS.md section 6.4" in r.source
    assert loss_dfs("ELA", 5) == -302 and loss_dfs("MATH", 8) == 2265 - 2586
    assert [missing_to_add(e, t, r.min_rate) for e, t in ((20, 18), (20, 19), (21, 19),
                                                          (100, 50), (0, 0))] == [1, 0, 1, 45, 0]
    # sums scaled by 10,000: 17 values of +10 and two untested at -302 each
    sums = apply_loss(17 * 100_000, 17 * 100_000**2, 17, 20, 18, 2 * -3_020_000, r.min_rate)
    assert (sums.n, sums.added, sums.total) == (18, 1, 17 * 100_000 - 3_020_000)
