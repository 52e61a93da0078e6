"""Tiers (gapwatch.earlywarning.tiers) by hand, and `gapwatch early-warning` end to end."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from synthdistrict import run_district
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.earlywarning.tiers import TierRules, assign_tiers

runner = CliRunner()


def _summary(rows):
    names = ("student_id", "at_risk_count", "early_warning_count", "domains", "flagged_domains",
             "reasons")
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])


def test_tiers_from_rules_and_model_by_hand() -> None:
    # 40 students at school S (ids s00..s39); capacity 10% -> the model's top 4 are Tier 2,
    # tier3_share 5% -> its top 2 are Tier 3.
    students = pa.Table.from_pylist([{"school_year": 2025, "student_id": f"s{i:02d}",
                                      "school_id": "S", "grade": 9} for i in range(40)])
    summary = _summary([
        ("s10", 2, 0, "attendance, behavior", "attendance, behavior", "A. B."),  # 2 domains: 3
        ("s11", 1, 0, "attendance", "attendance", "A."),  # one at-risk flag: 2
        ("s12", 0, 2, "", "course_performance, milestone", "C. M."),  # 2 early warnings: 2
        ("s13", 0, 1, "", "milestone", "M."),  # 1 early warning: 1
    ])
    # model ranks: s00 1st, s01 2nd (Tier 3), s02 3rd, s13 4th (Tier 2), the rest below
    order = ["s00", "s01", "s02", "s13"] + [f"s{i:02d}" for i in range(3, 40) if i != 13]
    scores = pa.Table.from_pylist([{"student_id": sid, "probability": round(0.9 - 0.02 * r, 2),
                                    "rank": r + 1, "top_reasons": f"why {sid}"}
                                   for r, sid in enumerate(order)])
    supports = pa.Table.from_pylist([{"student_id": "s10", "tier": 2, "type": "Mentoring"}])
    out = {r["student_id"]: r for r in assign_tiers(
        students, summary, scores, supports, TierRules(2, 2, 0.10, 0.05)).to_pylist()}
    tiers = {sid: r["tier"] for sid, r in out.items() if r["tier"] > 1}
    assert tiers == {"s10": 3, "s00": 3, "s01": 3, "s11": 2, "s12": 2, "s02": 2, "s13": 2}
    assert out["s10"]["tier_reason"] == "Tier 3: at risk in 2 areas (attendance, behavior)."
    assert out["s13"]["tier_reason"] == (
        "Tier 2: the model puts the student in the top 10% (84% risk).")  # 0.9 - 0.02 * 3
    assert out["s12"]["tier_reason"] == (
        "Tier 2: 2 early warnings (course_performance, milestone).")
    assert out["s10"]["supports_in_place"] == "Tier 2 Mentoring"
    assert out["s39"]["tier_reason"] == "Tier 1: universal support."
    # urgency: tier first, then probability: s00 (0.90), s01 (0.88), then s10 (Tier 3, its
    # 12th of the scores: 0.9 - 0.02 * 11 = 0.68), then Tier 2 by probability (s11 0.66, s12 0.64)
    urgency = sorted(out.values(), key=lambda r: r["urgency"])
    assert [r["student_id"] for r in urgency[:7]] == ["s00", "s01", "s10", "s02", "s13", "s11",
                                                      "s12"]
    # without a model, the rules alone
    rules_only = assign_tiers(students, summary, None, None, TierRules(2, 2, 0.10, 0.05))
    assert sorted(r["student_id"] for r in rules_only.to_pylist() if r["tier"] > 1) == [
        "s10", "s11", "s12"]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_district(tmp_path_factory.mktemp("ew"), students=1500, schools=4, years=3,
                        seed=11)


@pytest.fixture(scope="module")
def run(district: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("ew-out")
    result = runner.invoke(app, ["early-warning", "--db", str(district), "--out", str(out)],
                           env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result, out


def test_cli_reports_the_model_against_the_rules(run) -> None:
    result, _ = run
    text = " ".join(result.output.split())
    assert "Model for off track next year: trained on 2023, judged on 2024" in text
    assert "rules alone" in text and "Fairness audit" in text
    assert "Students to see first (CONFIDENTIAL" in text


def test_exports_and_confidential_marking(run, district: Path) -> None:
    _, out = run
    for name in ("student_flags", "model_report", "fairness_audit", "intervention_effects",
                 "student_tiers", "referrals"):
        assert (out / f"{name}.parquet").is_file() and (out / f"{name}.csv").is_file(), name
    for name, secret in (("student_flags", True), ("student_tiers", True),
                         ("model_report", False), ("fairness_audit", False)):
        path = out / f"{name}.parquet"
        meta = pq.read_schema(path).metadata[b"gapwatch.confidential"]
        assert meta == (b"student-level" if secret else b"aggregate"), name
        # staff only and unsuppressed: every file owner-only, not just the student-level ones
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert "student_tiers.csv" in (out / "CONFIDENTIAL.txt").read_text("utf-8")
    tiers = pq.read_table(out / "student_tiers.parquet")
    con = duckdb.connect(str(district), read_only=True)
    enrolled = con.sql("SELECT count(DISTINCT student_id) FROM enrollments "
                       "WHERE school_year = 2025").fetchall()[0][0]
    stored = con.sql("SELECT count(*) FROM student_tiers").fetchall()[0][0]
    con.close()
    assert tiers.num_rows == enrolled == stored  # every student has a tier, none twice
    assert set(tiers.column("tier").to_pylist()) <= {1, 2, 3}


def test_school_option_narrows_student_files(run, district: Path, tmp_path: Path) -> None:
    _, out = run
    school = pq.read_table(out / "student_tiers.parquet").column("school_id")[0].as_py()
    res = runner.invoke(app, ["early-warning", "--db", str(district), "--out",
                              str(tmp_path), "--school", school], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    tiers = pq.read_table(tmp_path / "student_tiers.parquet")
    assert set(tiers.column("school_id").to_pylist()) == {school}
    assert tiers.column("urgency").to_pylist() == sorted(tiers.column("urgency").to_pylist())
    flags = pq.read_table(tmp_path / "student_flags.parquet")
    assert set(flags.column("school_id").to_pylist()) <= {school}
    bad = runner.invoke(app, ["early-warning", "--db", str(district), "--out",
                              str(tmp_path / "x"), "--school", "NOPE"])
    assert bad.exit_code == 2 and "NOPE" in bad.output


def test_staff_option_narrows_to_a_caseload(district: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(district), read_only=True)
    staff, = con.sql("SELECT provider_staff_id FROM interventions WHERE school_year = 2025 "
                     "AND provider_staff_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 "
                     "LIMIT 1").fetchall()[0]
    # independently: the students in the staff member's sections or interventions that year
    expected = {r[0] for r in con.sql(
        "SELECT m.student_id FROM course_marks m JOIN sections s USING (school_year, "
        "section_id) WHERE s.teacher_staff_id = $s AND m.school_year = 2025 UNION "
        "SELECT student_id FROM interventions WHERE provider_staff_id = $s AND "
        "school_year = 2025", params={"s": staff}).fetchall()}
    enrolled = {r[0] for r in con.sql("SELECT student_id FROM enrollments "
                                      "WHERE school_year = 2025").fetchall()}
    con.close()
    res = runner.invoke(app, ["early-warning", "--db", str(district), "--out", str(tmp_path),
                              "--staff", staff], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    listed = set(pq.read_table(tmp_path / "student_tiers.parquet").column(
        "student_id").to_pylist())
    assert listed and listed == expected & enrolled
