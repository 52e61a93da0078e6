"""gapwatch's indicator results against an independent pandas oracle (tests/oracle_indicators.py).

A synthetic district (2,500 students, 12 schools, 3 years) is generated, ingested and run
with the default config and with intersections. A copy rewritten to hit rules the generator
never produces (exact decimals, yes/no spellings, unknown flags, ungraded students, a school in
no board district, transfers whose rows differ, boundary dates, full-year and trimester marks,
unknown cohort flags, other settings) and the hand-written mini bundle are run too. For every
indicator the oracle, computed straight from the CSV files, must give the same rows, the same
``n`` and ``numerator``, and values equal to 1e-9. A failure is a disagreement to diagnose:
either side may be wrong, or the definition in docs/indicators.md may read two ways.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from oracle_families import family_rules
from oracle_indicators import (
    KEYS,
    SBAC_THRESHOLDS,
    census_day,
    elpi_reference,
    level_specs,
    oracle_results,
    specs,
)

from gapwatch.config import Config, load_config
from gapwatch.indicators import run
from gapwatch.ingest import ingest_bundle
from gapwatch.synth import generate

from minibundle import write_minibundle

ROW_KEY = [*KEYS, "indicator", "student_group"]
INTERSECTIONS = ("AA+M", "EL+SWD")
INDICATORS = [s.id for s in specs()] + list(family_rules())
SHOW = 8  #: differing rows shown in a failure message


@dataclass(frozen=True)
class Case:
    """gapwatch's ``indicator_results`` and the oracle's, for one bundle and config."""

    gapwatch: pd.DataFrame
    oracle: pd.DataFrame


def _gapwatch_results(db: Path, config: Config) -> pd.DataFrame:
    run(db, config)
    with duckdb.connect(str(db), read_only=True) as con:
        out = con.sql(f"SELECT {', '.join(ROW_KEY)}, n, numerator, value "
                      "FROM indicator_results").df()
    return out.assign(school_year=out["school_year"].astype("int64"))


def _ingest(bundle: Path, db: Path) -> None:
    report = ingest_bundle(bundle, db, rejects_path=db.with_suffix(".rejects.csv"))
    assert report.exit_code == 0, report.verdict()


def _config(folder: Path, text: str) -> Config:
    path = folder / "gapwatch.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """The synthetic district, run with the default config and with intersections."""
    root = tmp_path_factory.mktemp("oracle")
    bundle, db = root / "bundle", root / "warehouse.duckdb"
    generate(bundle, students=2500, schools=12, years=3, seed=11)
    _ingest(bundle, db)
    expected = oracle_results(bundle, intersections=INTERSECTIONS)
    default_groups = expected[~expected["student_group"].isin(INTERSECTIONS)]
    return {
        "default": Case(_gapwatch_results(db, Config()), default_groups),
        "intersections": Case(
            _gapwatch_results(db, _config(root, '[groups]\nintersections = ["AA+M", "EL+SWD"]\n')),
            expected),
    }


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """The synthetic district rewritten by :func:`add_edge_cases`, run with gender groups,
    intersections and non-default settings."""
    root = tmp_path_factory.mktemp("oracle-edge")
    bundle, db = root / "bundle", root / "warehouse.duckdb"
    generate(root / "synth", students=2500, schools=12, years=3, seed=11)
    shutil.copytree(root / "synth", bundle)
    add_edge_cases(bundle)
    _ingest(bundle, db)
    config = _config(root, '[groups]\nextra = ["F", "M", "X"]\nintersections = ["AA+M", "EL+SWD"]'
                     "\n[indicators]\nunits_per_year_course = 5\nag_pace_semesters_per_year = 7\n")
    expected = oracle_results(bundle, extra=("F", "M", "X"), intersections=INTERSECTIONS,
                              units_per_year_course=5, ag_pace=7, levels=True)
    is_level = expected["indicator"].isin([s.id for s in level_specs()])
    results = _gapwatch_results(db, config)
    return {"edge": Case(results, expected[~is_level]),
            "edge-levels": Case(_level_rows(db), expected[is_level])}


def _level_rows(db: Path) -> pd.DataFrame:
    """gapwatch's ``level_counts`` of ELA and math DFS as one rate row per level."""
    with duckdb.connect(str(db), read_only=True) as con:
        out = con.sql(
            f"SELECT {', '.join(KEYS)}, indicator || '_level' || level AS indicator, "
            "student_group, n, level_counts[level] AS numerator, "
            "level_counts[level] / n AS value "
            "FROM indicator_results, range(1, 5) t(level) "
            "WHERE indicator IN ('ela_dfs', 'math_dfs')").df()
    return out.assign(school_year=out["school_year"].astype("int64"))


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """The hand-written mini bundle of the ingest tests, without and with attendance_daily."""
    tmp_path = tmp_path_factory.mktemp("oracle-mini")
    cases = {}
    for name, attendance in (("mini", False), ("mini+attendance", True)):
        bundle = write_minibundle(tmp_path / name, attendance=attendance)
        db = tmp_path / f"{name}.duckdb"
        _ingest(bundle, db)
        cases[name] = Case(_gapwatch_results(db, Config()), oracle_results(bundle))
    return cases


CASES = [("synthetic", "default"), ("synthetic", "intersections"), ("edge", "edge"),
         ("mini", "mini"), ("mini", "mini+attendance")]


def _case(request: pytest.FixtureRequest, fixture: str, name: str) -> Case:
    return request.getfixturevalue(fixture)[name]


@pytest.mark.parametrize("indicator", [s.id for s in level_specs()])
def test_level_counts_match_oracle(edge: dict[str, Case], indicator: str) -> None:
    """Students at each achievement level (for the V statistic) in every group and entity."""
    case = edge["edge-levels"]
    assert not case.oracle.empty
    assert_same_results(case.gapwatch[case.gapwatch["indicator"] == indicator],
                        case.oracle[case.oracle["indicator"] == indicator])


@pytest.mark.parametrize(("fixture", "name"), CASES, ids=[c[1] for c in CASES])
def test_same_indicators_computed(request: pytest.FixtureRequest, fixture: str,
                                  name: str) -> None:
    case = _case(request, fixture, name)
    assert set(case.gapwatch["indicator"]) == set(case.oracle["indicator"])
    if fixture != "mini":
        assert set(case.oracle["indicator"]) == set(INDICATORS)
    if name in ("intersections", "edge"):
        assert set(case.oracle["student_group"]) >= set(INTERSECTIONS)


@pytest.mark.parametrize("indicator", INDICATORS)
@pytest.mark.parametrize(("fixture", "name"), CASES, ids=[c[1] for c in CASES])
def test_indicator_matches_oracle(request: pytest.FixtureRequest, fixture: str, name: str,
                                  indicator: str) -> None:
    case = _case(request, fixture, name)
    assert_same_results(case.gapwatch[case.gapwatch["indicator"] == indicator],
                        case.oracle[case.oracle["indicator"] == indicator])


def _show(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        return frame.head(SHOW).to_string(index=False)


def _as_float(s: pd.Series) -> np.ndarray:
    return s.astype("Float64").to_numpy(float, na_value=np.nan)


def assert_same_results(gapwatch: pd.DataFrame, oracle: pd.DataFrame) -> None:
    """Same keys; n and numerator equal; value equal to 1e-9 (NULL equals NULL)."""
    both = gapwatch.merge(oracle, on=ROW_KEY, how="outer", suffixes=("_gapwatch", "_oracle"),
                          indicator="side")
    problems = []
    only = both[both["side"] != "both"].sort_values(ROW_KEY)
    if not only.empty:
        counts = only["side"].map({"left_only": "gapwatch only", "right_only": "oracle only"})
        problems.append(f"{len(only)} rows in one result only "
                        f"({counts.value_counts().to_dict()}), e.g.:\n"
                        + _show(only[[*ROW_KEY, "n_gapwatch", "n_oracle", "side"]]))
    common = both[both["side"] == "both"]
    bad = np.zeros(len(common), dtype=bool)
    for col, tol in (("n", 0.0), ("numerator", 0.0), ("value", 1e-9)):
        a, b = _as_float(common[f"{col}_gapwatch"]), _as_float(common[f"{col}_oracle"])
        bad |= ~(np.isclose(a, b, rtol=0.0, atol=tol) | (np.isnan(a) & np.isnan(b)))
    if bad.any():
        cols = [*ROW_KEY, *(f"{c}_{side}" for c in ("n", "numerator", "value")
                            for side in ("gapwatch", "oracle"))]
        problems.append(f"{bad.sum()} of {len(common)} common rows differ, e.g.:\n"
                        + _show(common[bad].sort_values(ROW_KEY)[cols]))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# --- a bundle that exercises the rules the generator never produces ------------------------

def _table(bundle: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(bundle / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])


def _write(bundle: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(bundle / f"{name}.csv", index=False)


def _every(frame: pd.DataFrame, k: int, r: int) -> pd.Series:
    """Every k-th row, starting at row r (a deterministic sample)."""
    return pd.Series(np.arange(len(frame)) % k == r, index=frame.index)


def _level3(subject: pd.Series, grade: pd.Series, offset: float = 0) -> list[str]:
    return [f"{SBAC_THRESHOLDS[s][int(g)][1] + offset:g}"
            for s, g in zip(subject, grade, strict=True)]


def _elpi_edge_cases(bundle: Path) -> None:
    """ELPI (METHODS.md 6.3): ELPAC levels from the thresholds, scores on and just under the
    2H/3H split points, and 2025 test takers reclassified after the test (counted), on the
    test day or before it (not counted), with no date (counted) and without a test date."""
    assess = _table(bundle, "assessments")
    elpac = (assess["test"] == "ELPAC") & (assess["school_year"] == "2025")
    ref = elpi_reference()["thresholds"]
    grade = assess["grade"].map({"K": "0", "TK": "-1"}).fillna(assess["grade"])
    cuts = grade.map(lambda g: ref.get(g))
    on_cut = elpac & _every(assess, 5, 0) & cuts.notna()
    for ix in assess.index[on_cut]:
        l2, l3, l4 = cuts[ix]
        k = ix % 4  # 2H lowest, 2L highest, 3H lowest, 3L highest
        split = -(-(l2 + l3) // 2) if k < 2 else -(-(l3 + l4) // 2)
        assess.loc[ix, ["scale_score", "performance_level"]] = [
            str(split - (k % 2)), "2" if k < 2 else "3"]
    assess.loc[elpac & _every(assess, 7, 3), "performance_level"] = pd.NA  # from thresholds
    tested = assess[elpac].drop_duplicates("student_id").set_index("student_id")["test_date"]
    enr = _table(bundle, "enrollments")
    stu = _table(bundle, "students")
    row = pd.Series(stu.index, index=stu["student_id"])
    els = enr.loc[(enr["school_year"] == "2025") & (enr["el_status"] == "EL")
                  & enr["student_id"].isin(tested.index), "student_id"].drop_duplicates()
    shifts = [1, 0, -10, None, 1, 30]  # days after the test; None: no reclassification date
    for i, sid in enumerate(els.to_list()[3:3 + 4 * len(shifts):4]):
        enr.loc[(enr["school_year"] == "2025") & (enr["student_id"] == sid),
                "el_status"] = "RFEP"
        shift = shifts[i]
        date = None if shift is None else pd.Timestamp(tested[sid]) + pd.Timedelta(days=shift)
        stu.loc[row[sid], "reclassification_date"] = (pd.NA if date is None
                                                      else f"{date:%Y-%m-%d}")
        if i == 5:  # no test date: reclassified during the school year counts
            assess.loc[elpac & (assess["student_id"] == sid), "test_date"] = pd.NA
    _write(bundle, "assessments", assess)
    _write(bundle, "enrollments", enr)
    _write(bundle, "students", stu)


def add_edge_cases(bundle: Path) -> None:
    """Rewrite a synthetic bundle in place; every change is valid under the contract."""
    schools = _table(bundle, "schools")
    schools.loc[schools.index[-5], "board_district"] = pd.NA  # in no board district
    _write(bundle, "schools", schools)

    enr = _table(bundle, "enrollments")
    enr.loc[_every(enr, 5, 1), "sed"] = enr["sed"].map({"true": "Y", "false": "N"})
    enr.loc[_every(enr, 7, 2), "sed"] = enr["sed"].map({"true": "1", "false": "0"})
    enr.loc[_every(enr, 11, 3), "swd"] = enr["swd"].map({"true": "TRUE", "false": "False"})
    enr.loc[_every(enr, 13, 4), "sed"] = pd.NA  # unknown
    enr.loc[_every(enr, 19, 6), "foster"] = pd.NA
    enr.loc[_every(enr, 37, 8), "grade"] = "UG"
    # absent exactly 10% of the days, where 0.1 x days is inexact in binary floating point
    enr.loc[_every(enr, 17, 9), ["days_enrolled", "days_absent"]] = ["70", "7"]
    enr.loc[_every(enr, 23, 10), ["days_enrolled", "days_absent"]] = ["110", "11"]
    enr.loc[_every(enr, 29, 11), ["days_enrolled", "days_absent"]] = ["95.5", "9.55"]
    enr.loc[_every(enr, 43, 13), ["days_enrolled", "days_absent"]] = ["40", "40"]  # never came
    enr.loc[_every(enr, 47, 14), ["days_enrolled", "days_absent"]] = ["31", "4"]
    enr.loc[_every(enr, 53, 15), ["days_enrolled", "days_absent"]] = ["30.5", "5"]
    enr.loc[_every(enr, 41, 12) & (enr["el_status"] == "EO"), "el_status"] = "IFEP"
    # mid-year transfers: grade and EL status come from the latest enrollment, SWD from any
    order = enr.assign(entry=pd.to_datetime(enr["entry_date"])).groupby(
        ["school_year", "student_id"])["entry"].rank(method="first")
    moved = enr.duplicated(["school_year", "student_id"], keep=False)
    earlier, later = moved & (order == 1), moved & (order == 2)
    codes = ["TK", "K", *(str(g) for g in range(1, 13))]
    enr.loc[earlier, "grade"] = enr.loc[earlier, "grade"].map(
        dict(zip(codes[1:], codes[:-1], strict=True))).fillna(enr["grade"])
    enr.loc[earlier, ["el_status", "swd"]] = ["EL", "true"]
    enr.loc[later, ["el_status", "swd"]] = ["RFEP", "false"]
    # continuous enrollment: entered on census day or the day after; left on the test date
    # or the day before
    assess = _table(bundle, "assessments")
    ela = assess[(assess["test"] == "SBAC") & (assess["subject"] == "ELA")
                 & (assess["school_year"] == "2025")].set_index("student_id")["test_date"]
    stay = (~moved & enr["exit_date"].isna() & (enr["school_year"] == "2025")
            & enr["student_id"].isin(ela.index))
    census = census_day(2025)
    for i, ix in enumerate(enr.index[stay][:40:5]):
        if i < 4:
            enr.loc[ix, "entry_date"] = f"{census + pd.Timedelta(days=i % 2):%Y-%m-%d}"
        else:
            left = pd.Timestamp(ela[enr.loc[ix, "student_id"]]) - pd.Timedelta(days=i % 2)
            enr.loc[ix, "exit_date"] = f"{left:%Y-%m-%d}"
    _write(bundle, "enrollments", enr.iloc[::-1])  # "latest" is by date, not by file order

    stu = _table(bundle, "students")
    row = pd.Series(stu.index, index=stu["student_id"])
    stu.loc[_every(stu, 31, 5), "us_school_entry_date"] = pd.NA
    year = enr[enr["school_year"] == "2025"]
    els = year.loc[year["el_status"] == "EL", "student_id"].drop_duplicates().to_list()
    # LTEL in 2025: first US enrollment on or before 2018-07-01 (six years before the year)
    for sid, date in zip(els[0:40:8], ["2018-07-01", "2018-07-02", "2018-06-30",
                                       "2019-07-01", "2017-07-01"], strict=True):
        stu.loc[row[sid], "us_school_entry_date"] = date
    # English learners tested exactly one year, and one year less a day, after US entry
    tested = assess[(assess["test"] == "SBAC") & (assess["school_year"] == "2025")
                    & assess["student_id"].isin(els[40:])].drop_duplicates("student_id")
    for i, (sid, test_date) in enumerate(tested[["student_id", "test_date"]].head(8).to_numpy()):
        entry = pd.Timestamp(test_date) - pd.DateOffset(years=1) + pd.Timedelta(days=i % 2)
        stu.loc[row[sid], "us_school_entry_date"] = f"{entry:%Y-%m-%d}"
    # tested RFEP students reclassified around "less than four years before the year began"
    rfep = year[(year["el_status"] == "RFEP")
                & year["grade"].isin(["3", "4", "5", "6", "7", "8", "11"])]
    for sid, date in zip(rfep["student_id"].drop_duplicates().to_list()[:5],
                         ["2020-07-01", "2020-07-02", "2024-06-30", "2024-07-01", "2025-01-15"],
                         strict=True):
        stu.loc[row[sid], "reclassification_date"] = date
    _write(bundle, "students", stu)

    sbac = assess["test"] == "SBAC"
    assess.loc[sbac & _every(assess, 9, 0), "performance_level"] = pd.NA  # level from cuts
    at_cut, below = sbac & _every(assess, 43, 1), sbac & _every(assess, 47, 2)
    assess.loc[at_cut, "scale_score"] = _level3(assess.loc[at_cut, "subject"],
                                                assess.loc[at_cut, "grade"])
    assess.loc[below, "scale_score"] = _level3(assess.loc[below, "subject"],
                                               assess.loc[below, "grade"], -0.5)
    assess.loc[at_cut | below, "performance_level"] = pd.NA
    _write(bundle, "assessments", assess)

    dis = _table(bundle, "discipline")
    patterns = [[("ISS", "0.7"), ("OSS", "0.2"), ("OSS", "0.1")],  # 1 day: counted
                [("OSS", "0.5"), ("ISS", "0.3"), ("OSS", "0.1")],  # 0.9 day: not counted
                [("EXP", "5")], [("OTHER", "2")], [("OSS", "0.5")]]
    cols = ["school_year", "student_id", "school_id", "entry_date"]
    incidents = [(row, patterns[n % len(patterns)])
                 for n, row in enumerate(enr.iloc[::53][cols].to_numpy())]
    # half a day at each school of a transfer: one day for the district, none at either school
    incidents += [(row, [("OSS", "0.5")]) for row in enr[moved].iloc[:20][cols].to_numpy()]
    # a day recorded at a school the student was not enrolled in that year
    elsewhere = schools["school_id"].iloc[-1]
    enrolled_there = enr.loc[enr["school_id"] == elsewhere, ["school_year", "student_id"]]
    away = enr[~enr.set_index(["school_year", "student_id"]).index.isin(
        pd.MultiIndex.from_frame(enrolled_there))].iloc[5::97]
    incidents += [((y, sid, elsewhere, entry), [("OSS", "1")])
                  for y, sid, _, entry in away[cols].to_numpy()]
    new = [
        {"school_year": y, "incident_id": f"EDGE-{n}-{k}", "student_id": sid, "school_id": sch,
         "incident_date": entry, "action": action, "days": days}
        for n, ((y, sid, sch, entry), actions) in enumerate(incidents)
        for k, (action, days) in enumerate(actions)
    ]
    _write(bundle, "discipline", pd.concat([dis, pd.DataFrame(new)], ignore_index=True))

    cm = _table(bundle, "course_marks")
    cm.loc[(cm["term"] == "S1") & _every(cm, 11, 0), "term"] = "FY"  # counts twice
    cm.loc[cm["ag_area"].isna() & (cm["term"] == "S2") & _every(cm, 13, 1), "term"] = "T1"
    full = (cm["credits_attempted"] == "5") & (cm["credits_earned"] == "5")
    cm.loc[full & _every(cm, 7, 2), "credits_earned"] = "2.5"
    _write(bundle, "course_marks", cm)

    _elpi_edge_cases(bundle)

    gc = _table(bundle, "graduation_cohorts")
    gc.loc[_every(gc, 7, 0), "ag_complete"] = pd.NA  # unknown
    gc.loc[_every(gc, 11, 1), "cci_prepared"] = pd.NA
    gc.loc[_every(gc, 5, 2), "seal_of_biliteracy"] = gc["seal_of_biliteracy"].map(
        {"true": "Y", "false": "n"})
    _write(bundle, "graduation_cohorts", gc)
