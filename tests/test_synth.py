"""The synthetic district generator: every contract table, every rule, the same bytes for the same
seed, and a district realistic enough that real gaps exist and differ by school.

Checks read the written files back with DuckDB (all cells as text, as a district's files would
arrive) and recompute each rule from the contract in ``gapwatch.contract``, independently of the
ingest code; one test also runs ``gapwatch.ingest.check_bundle`` on the bundle.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import duckdb
import numpy as np
import pytest
from rich.console import Console

from gapwatch.contract import CODE_SETS, GRADE_VALUES, TABLES, Kind, table
from gapwatch.files import marker_name
from gapwatch.synth import SynthParams, generate, latent_table, simulate

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"students": 2_000, "schools": 12, "years": 3}
REALISM = {"students": 4_000, "schools": 16, "years": 3}
ALL_TABLES = [t.name for t in TABLES]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small CSV bundle with daily attendance."""
    out = tmp_path_factory.mktemp("synth") / "bundle"
    generate(out, **SMALL, seed=7, daily_attendance=True)
    return out


@pytest.fixture(scope="module")
def db(bundle: Path) -> duckdb.DuckDBPyConnection:
    """The bundle as DuckDB views, every cell as text."""
    con = duckdb.connect()
    for name in ALL_TABLES:
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{bundle / (name + '.csv')}', "
            "all_varchar = true, header = true)"
        )
    return con


@pytest.fixture(scope="module")
def realism(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """A somewhat larger bundle for the realism checks."""
    out = tmp_path_factory.mktemp("synth") / "realism"
    generate(out, **REALISM, seed=11)
    con = duckdb.connect()
    for f in out.glob("*.csv"):
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_csv('{f}', all_varchar = true)")
    return con


def tables_in(folder: Path) -> list[Path]:
    """The bundle's files, without the marker that says gapwatch synth wrote the folder."""
    return [p for p in folder.iterdir() if p.name != marker_name("synth")]


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


# --- files, columns and determinism ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        generate(out, students=800, schools=8, years=2, seed=3, file_format=fmt,
                 daily_attendance=True)
    files = sorted(p.name for p in tables_in(a))
    assert files == sorted(p.name for p in tables_in(b))
    assert len(files) == len(ALL_TABLES)
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_different_seed_gives_a_different_district(tmp_path: Path) -> None:
    generate(tmp_path / "a", students=800, schools=8, years=2, seed=3)
    generate(tmp_path / "b", students=800, schools=8, years=2, seed=4)
    for name in ("students", "enrollments", "assessments", "staff", "budgets"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() != (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes(), name


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [h.strip('"') for h in fh.readline().strip().split(",")]


def test_every_contract_table_with_exact_columns(bundle: Path) -> None:
    assert sorted(p.name for p in tables_in(bundle)) == sorted(f"{n}.csv" for n in ALL_TABLES)
    for t in TABLES:
        assert header(bundle / f"{t.name}.csv") == list(t.column_names), t.name


def test_parquet_bundle_has_contract_columns_and_no_daily_table_by_default(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "pq"
    generate(out, students=600, schools=6, years=1, seed=2, daily_attendance=True,
             file_format="parquet")
    assert (out / "attendance_daily.parquet").exists()
    summary = generate(out, students=600, schools=6, years=1, seed=2, file_format="parquet")
    names = sorted(p.stem for p in tables_in(out))
    assert names == sorted(n for n in ALL_TABLES if n != "attendance_daily")
    for name in names:
        assert pq.read_schema(out / f"{name}.parquet").names == list(table(name).column_names)
        assert pq.read_metadata(out / f"{name}.parquet").num_rows == summary.rows[name]


def test_summary_counts_rows_and_renders(bundle: Path, tmp_path: Path) -> None:
    with (tmp_path / "log.txt").open("w", encoding="utf-8") as log:
        summary = generate(tmp_path / "s", students=600, schools=6, years=2, seed=5,
                           console=Console(file=log, width=120))
    for name, n in summary.rows.items():
        lines = (tmp_path / "s" / f"{name}.csv").read_text(encoding="utf-8").count("\n")
        assert lines == n + 1, name
    text = Console(width=120, record=True)
    text.print(summary.render())
    out = "".join(text.export_text().split())  # the title and caption wrap
    assert "enrollments" in out and "seed5" in out and str(tmp_path / "s") in out


# --- the contract's rules, recomputed ----------------------------------------------------------


def _year_bounds(col: str, year_col: str, after: int = 0) -> str:
    return (
        f"(TRY_CAST({col} AS DATE) BETWEEN make_date({year_col}::INT - 1, 7, 1) "
        f"AND make_date({year_col}::INT + {after}, 6, 30))"
    )


def test_every_cell_follows_the_contract(db: duckdb.DuckDBPyConnection) -> None:
    grades = ", ".join(f"'{g}'" for g in GRADE_VALUES)
    for t in TABLES:
        for c in t.columns:
            q = f'"{c.name}"'
            bad: list[str] = []
            if c.required:
                bad.append(f"{q} IS NULL OR trim({q}) = ''")
            if c.kind is Kind.CODE:
                codes = ", ".join(f"'{k}'" for k in CODE_SETS[c.codes or ""])
                bad.append(f"{q} IS NOT NULL AND {q} NOT IN ({codes})")
            if c.kind is Kind.CODE_LIST:
                codes = ", ".join(f"'{k}'" for k in CODE_SETS[c.codes or ""])
                bad.append(
                    f"{q} IS NOT NULL AND len(list_filter(string_split({q}, ';'), "
                    f"lambda x: x NOT IN ({codes}))) > 0"
                )
            if c.kind is Kind.GRADE:
                bad.append(f"{q} IS NOT NULL AND {q} NOT IN ({grades})")
            if c.kind is Kind.BOOL:
                bad.append(f"{q} IS NOT NULL AND {q} NOT IN ('true', 'false')")
            if c.kind is Kind.DATE:
                bad.append(
                    f"{q} IS NOT NULL AND NOT regexp_full_match({q}, '\\d{{4}}-\\d{{2}}-\\d{{2}}')"
                )
            if c.kind in (Kind.INT, Kind.YEAR):
                bad.append(f"{q} IS NOT NULL AND NOT regexp_full_match({q}, '-?\\d+')")
            if c.kind is Kind.MONEY:
                money = "'-?\\d+(\\.\\d{1,2})?'"
                bad.append(f"{q} IS NOT NULL AND NOT regexp_full_match({q}, {money})")
            if c.kind is Kind.DECIMAL:
                bad.append(f"{q} IS NOT NULL AND TRY_CAST({q} AS DOUBLE) IS NULL")
            if c.low is not None and c.high is not None:
                within = f"TRY_CAST({q} AS DOUBLE) BETWEEN {c.low} AND {c.high}"
                bad.append(f"{q} IS NOT NULL AND NOT ({within})")
            for rule in bad:
                n = one(db, f"SELECT count(*) FROM {t.name} WHERE {rule}")
                assert n == 0, f"{t.name}.{c.name}: {n} rows where {rule}"
        for r in t.date_rules:
            rule = _year_bounds(f'"{r.column}"', f'"{r.year_column}"', r.years_after)
            n = one(db, f'SELECT count(*) FROM {t.name} WHERE "{r.column}" IS NOT NULL '
                        f"AND NOT {rule}")
            assert n == 0, f"{t.name}.{r.column} outside its school year: {n} rows"


def test_rules_across_columns(db: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "enrollments": "exit_date::DATE < entry_date::DATE "
        "OR days_absent::DOUBLE > days_enrolled::DOUBLE "
        "OR days_enrolled IS NULL OR days_absent IS NULL",
        "interventions": "end_date::DATE < start_date::DATE",
        "schools": "grade_low IN ('1','2','3','4','5','6','7','8','9','10','11','12') "
        "AND (CASE grade_low WHEN 'TK' THEN -1 WHEN 'K' THEN 0 ELSE grade_low::INT END) > "
        "(CASE grade_high WHEN 'TK' THEN -1 WHEN 'K' THEN 0 ELSE grade_high::INT END)",
        "course_marks": "credits_earned::DOUBLE > credits_attempted::DOUBLE "
        "OR (mark IN ('F', 'NP', 'I', 'W') AND credits_earned::DOUBLE > 0)",
        "sections": "distinct_substitutes::INT > substitute_days::DOUBLE",
    }
    for name, rule in checks.items():
        assert one(db, f"SELECT count(*) FROM {name} WHERE {rule}") == 0, name


def test_keys_are_unique(db: duckdb.DuckDBPyConnection) -> None:
    for t in TABLES:
        if not t.key:
            continue
        cols = ", ".join(f'coalesce("{k}", \'\')' for k in t.key)
        dup = one(db, f"SELECT count(*) - count(DISTINCT ({cols})) FROM {t.name}")
        assert dup == 0, f"{t.name}: {dup} duplicate keys"


def test_foreign_keys_hold(db: duckdb.DuckDBPyConnection) -> None:
    refs = [(t.name, fk) for t in TABLES for fk in t.foreign_keys]
    assert refs
    for name, fk in refs:
        on = " AND ".join(f'r."{b}" = x."{a}"' for a, b in zip(fk.columns, fk.ref_columns,
                                                              strict=True))
        nonnull = " AND ".join(f'x."{a}" IS NOT NULL' for a in fk.columns)
        n = one(db, f"SELECT count(*) FROM {name} x WHERE {nonnull} AND NOT EXISTS "
                    f"(SELECT 1 FROM {fk.ref_table} r WHERE {on})")
        assert n == 0, f"{name}.{fk.columns} -> {fk.ref_table}: {n} orphans"
    # beyond the declared keys: every student anywhere, teachers, sections, providers
    for name in ("family_engagement", "graduation_cohorts", "interventions", "discipline"):
        n = one(db, f"SELECT count(*) FROM {name} WHERE student_id IS NOT NULL AND student_id "
                    "NOT IN (SELECT student_id FROM students)")
        assert n == 0, name
    assert one(db, """SELECT count(*) FROM sections s WHERE teacher_staff_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM staff f WHERE f.staff_id = s.teacher_staff_id
        AND f.school_id = s.school_id AND f.school_year = s.school_year
        AND f.role = 'TEACHER')""") == 0
    assert one(db, """SELECT count(*) FROM course_marks m WHERE NOT EXISTS (SELECT 1 FROM
        sections s WHERE s.section_id = m.section_id AND s.school_id = m.school_id
        AND s.school_year = m.school_year AND s.course_id = m.course_id)""") == 0
    assert one(db, """SELECT count(*) FROM interventions i WHERE provider_staff_id IS NOT NULL
        AND provider_staff_id NOT IN (SELECT staff_id FROM staff)""") == 0
    # every student in students was enrolled in the bundle's years
    assert one(db, "SELECT count(*) FROM students WHERE student_id NOT IN "
                   "(SELECT student_id FROM enrollments)") == 0


def test_attendance_daily_agrees_with_enrollments(db: duckdb.DuckDBPyConnection) -> None:
    db.execute("""CREATE OR REPLACE TEMP TABLE att AS SELECT student_id, school_id,
        date::DATE AS d, status,
        CASE WHEN month(date::DATE) >= 7 THEN year(date::DATE) + 1 ELSE year(date::DATE) END
          AS school_year FROM attendance_daily""")
    outside = one(db, """SELECT count(*) FROM att a WHERE NOT EXISTS (SELECT 1 FROM enrollments e
        WHERE e.student_id = a.student_id AND e.school_id = a.school_id
        AND e.school_year::INT = a.school_year AND a.d >= e.entry_date::DATE
        AND a.d <= coalesce(e.exit_date::DATE, make_date(e.school_year::INT, 6, 30)))""")
    assert outside == 0
    mismatch = one(db, """WITH a AS (SELECT student_id, school_id, school_year, count(*) n,
            count(*) FILTER (WHERE status IN ('A', 'E', 'S')) absent FROM att GROUP BY ALL)
        SELECT count(*) FROM enrollments e FULL JOIN a ON a.student_id = e.student_id
          AND a.school_id = e.school_id AND a.school_year = e.school_year::INT
        WHERE a.n IS DISTINCT FROM e.days_enrolled::INT
           OR a.absent IS DISTINCT FROM e.days_absent::INT""")
    assert mismatch == 0
    # suspension days follow out-of-school suspensions
    s_days = one(db, "SELECT count(*) FROM att WHERE status = 'S'")
    near = one(db, """SELECT count(*) FROM att a WHERE status = 'S' AND EXISTS (SELECT 1 FROM
        discipline x WHERE x.student_id = a.student_id AND x.school_id = a.school_id
        AND x.action IN ('OSS', 'EXP') AND a.d > x.incident_date::DATE
        AND a.d <= x.incident_date::DATE + 14)""")
    assert s_days > 0 and near / s_days > 0.9


def test_the_ingest_accepts_the_bundle(bundle: Path, tmp_path: Path) -> None:
    ingest = pytest.importorskip("gapwatch.ingest")
    report = ingest.check_bundle(bundle, rejects_path=tmp_path / "rejects.csv")
    assert report.exit_code == 0


# --- a realistic district ----------------------------------------------------------------------


def test_schools_differ_in_composition(realism: duckdb.DuckDBPyConnection) -> None:
    shares = [r[0] for r in realism.execute("""SELECT avg((sed = 'true')::INT) FROM enrollments
        WHERE school_year = '2023' GROUP BY school_id""").fetchall()]
    assert max(shares) > 0.85 and min(shares) < 0.5
    sed = one(realism, "SELECT avg((sed = 'true')::INT) FROM enrollments")
    assert 0.7 < sed < 0.9
    hisp = one(realism, "SELECT avg((race_ethnicity = 'HI')::INT) FROM students")
    assert 0.65 < hisp < 0.82


DFS = """SELECT a.school_id, e.sed = 'true' AS sed, a.scale_score::DOUBLE - CASE a.grade
    WHEN '3' THEN 2432 WHEN '4' THEN 2473 WHEN '5' THEN 2502 WHEN '6' THEN 2531
    WHEN '7' THEN 2552 WHEN '8' THEN 2567 WHEN '11' THEN 2583 END AS dfs
    FROM assessments a JOIN enrollments e USING (school_year, student_id, school_id)
    WHERE a.test = 'SBAC' AND a.subject = 'ELA'"""


def test_sed_gap_is_real_and_differs_by_school(realism: duckdb.DuckDBPyConnection) -> None:
    gap = one(realism, f"""SELECT avg(dfs) FILTER (WHERE NOT sed) - avg(dfs) FILTER (WHERE sed)
        FROM ({DFS})""")
    assert gap > 20
    gaps = [r[0] for r in realism.execute(f"""SELECT avg(dfs) FILTER (WHERE NOT sed)
        - avg(dfs) FILTER (WHERE sed) FROM ({DFS}) GROUP BY school_id
        HAVING count(*) FILTER (WHERE sed) >= 30 AND count(*) FILTER (WHERE NOT sed) >= 30
        """).fetchall()]
    assert len(gaps) >= 3
    assert max(gaps) - min(gaps) > 20


def test_scores_use_the_published_cuts(realism: duckdb.DuckDBPyConnection) -> None:
    from gapwatch.synth.assessments import SBAC_CUTS, SBAC_RANGE

    rows = realism.execute("""SELECT subject, grade::INT, scale_score::INT,
        performance_level::INT FROM assessments WHERE test = 'SBAC'""").fetchall()
    assert rows
    for subject, grade, score, level in rows:
        l2, l3, l4 = SBAC_CUTS[subject][grade]
        lo, hi = SBAC_RANGE[subject][grade]
        assert lo <= score <= hi
        assert level == 1 + (score >= l2) + (score >= l3) + (score >= l4)
    assert one(realism, "SELECT count(*) FROM assessments WHERE test = 'CAA'") > 0
    assert one(realism, "SELECT count(*) FROM assessments WHERE test = 'ELPAC'") > 0


def test_novice_teachers_concentrate_in_high_need_schools(
    realism: duckdb.DuckDBPyConnection,
) -> None:
    rows = realism.execute("""WITH need AS (SELECT school_id, avg((sed = 'true')::INT) sed
            FROM enrollments GROUP BY 1),
        q AS (SELECT school_id, ntile(4) OVER (ORDER BY sed) AS quartile FROM need)
        SELECT quartile, avg((years_experience::INT <= 2)::INT) FROM staff JOIN q
        USING (school_id) WHERE role = 'TEACHER' GROUP BY 1 ORDER BY 1""").fetchall()
    assert rows[-1][1] > rows[0][1]


def test_years_advance_grades_reclassify_transfer_and_graduate(
    realism: duckdb.DuckDBPyConnection,
) -> None:
    grade = "CASE grade WHEN 'TK' THEN -1 WHEN 'K' THEN 0 ELSE grade::INT END"
    advanced, total = realism.execute(f"""WITH g AS (SELECT student_id, school_year::INT y,
            max({grade}) g FROM enrollments GROUP BY 1, 2)
        SELECT count(*) FILTER (WHERE b.g = a.g + 1), count(*) FROM g a JOIN g b
        ON a.student_id = b.student_id AND b.y = a.y + 1""").fetchone()
    assert total > 0 and advanced / total > 0.95
    reclassified = one(realism, """SELECT count(*) FROM enrollments a JOIN enrollments b
        ON a.student_id = b.student_id AND b.school_year::INT = a.school_year::INT + 1
        WHERE a.el_status = 'EL' AND b.el_status = 'RFEP'""")
    assert reclassified > 0
    assert one(realism, """SELECT count(*) FROM enrollments e JOIN students s USING (student_id)
        WHERE e.el_status = 'RFEP' AND (s.reclassification_date IS NULL
        OR s.reclassification_date::DATE >= make_date(e.school_year::INT - 1, 7, 1))""") == 0
    transfers = one(realism, """SELECT count(*) FROM (SELECT student_id FROM enrollments
        GROUP BY student_id, school_year HAVING count(*) = 2)""")
    assert transfers > 0
    ltel = one(realism, """SELECT count(*) FROM enrollments e JOIN students s USING (student_id)
        WHERE e.el_status = 'EL'
        AND e.school_year::INT - year(s.us_school_entry_date::DATE) >= 6""")
    assert ltel > 0
    outcomes = {r[0] for r in realism.execute(
        "SELECT DISTINCT outcome FROM graduation_cohorts").fetchall()}
    assert {"GRAD", "DROPOUT", "GRAD_5YR"} <= outcomes
    newcomers = one(realism, """SELECT count(*) FROM enrollments e JOIN students s
        USING (student_id) WHERE e.el_status = 'EL' AND s.us_school_entry_date::DATE
        >= make_date(e.school_year::INT - 1, 7, 1)""")
    assert newcomers > 0


def test_discipline_shows_disproportionality(realism: duckdb.DuckDBPyConnection) -> None:
    rate = dict(realism.execute("""SELECT race_ethnicity = 'AA', count(DISTINCT d.student_id)
        / (SELECT count(*) FROM students s2 WHERE (s2.race_ethnicity = 'AA')
           = (s.race_ethnicity = 'AA'))
        FROM discipline d JOIN students s USING (student_id)
        WHERE action IN ('OSS', 'ISS', 'EXP') GROUP BY 1""").fetchall())
    assert rate[True] > 1.3 * rate[False]


def test_latent_values_stay_out_of_the_bundle_but_are_available(bundle: Path) -> None:
    district = simulate(students=500, schools=6, years=1, seed=7)
    latent = latent_table(district)
    assert latent.column_names == ["student_id", "ability", "risk"]
    assert latent.num_rows == len(district.pop.students)
    for f in bundle.glob("*.csv"):
        assert not {"ability", "risk"} & set(header(f))
    # risk is the truth behind absences
    e = district.pop.enrollments
    risk = district.pop.students.risk[e.student]
    rate = e.days_absent / e.days_enrolled
    assert np.corrcoef(risk, rate)[0, 1] > 0.2


# --- parameters and their documentation -------------------------------------------------------


def test_params_from_toml_override(tmp_path: Path) -> None:
    f = tmp_path / "params.toml"
    f.write_text('sed_share = 0.5\nschool_need_sd = 0\ndistrict_name = "Test USD"\n'
                 "[race_shares]\nWH = 0.5\n", encoding="utf-8")
    p = SynthParams.from_toml(f)
    assert p.sed_share == 0.5 and p.school_need_sd == 0.0 and p.district_name == "Test USD"
    assert p.race_shares["WH"] == 0.5 and p.race_shares["HI"] == SynthParams().race_shares["HI"]
    district = simulate(students=1_500, schools=8, years=1, seed=1, params=p)
    assert 0.42 < district.pop.enrollments.sed.mean() < 0.58


def test_unknown_parameter_names_the_known_ones(tmp_path: Path) -> None:
    f = tmp_path / "params.toml"
    f.write_text("sed_shar = 0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"'sed_shar'.*known parameters: .*sed_share"):
        SynthParams.from_toml(f)
    f.write_text("[race_shares]\nXX = 0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"race_shares.*'XX'.*HI"):
        SynthParams.from_toml(f)
    f.write_text('sed_share = "high"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="sed_share"):
        SynthParams.from_toml(f)
    with pytest.raises(ValueError, match="between 0 and 1"):
        SynthParams(sed_share=1.5)


def test_every_parameter_has_help_and_is_documented() -> None:
    doc = (ROOT / "docs" / "synthetic-data.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(SynthParams):
        assert f.metadata.get("help"), f.name
        assert re.search(rf"`{f.name}`", doc), f"{f.name} is missing from docs/synthetic-data.md"


def test_params_table_in_docs_is_current() -> None:
    """The parameter table in the docs is the one ``SynthParams.describe`` renders."""
    from gapwatch.synth.params import params_markdown

    doc = (ROOT / "docs" / "synthetic-data.md").read_text(encoding="utf-8")
    assert params_markdown() in doc
