"""An independent oracle for gapwatch's built-in indicators, in plain pandas.

Every number is recomputed straight from a bundle's CSV files, following the published
definitions only: docs/indicators.md (universes, outcomes, student groups, the two views),
docs/data-model.md (the contract) and ../shared/design/METHODS.md. Nothing here reads the
warehouse or gapwatch's SQL, so a disagreement with ``indicator_results`` points at one of the
two implementations (or at a definition that can be read two ways).

    from oracle_indicators import oracle_results
    expected = oracle_results(Path("bundle"), intersections=("AA+M", "EL+SWD"))

The result has one row per (school_year, entity_type, entity_id, indicator, student_group)
with ``n`` (students in the universe), ``numerator`` (rates; NA for means) and ``value``.
It doubles as the plain-pandas baseline of the performance benchmark, so it is written as an
analyst would write it: vectorized groupby/merge, no loops over rows.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = ["school_year", "entity_type", "entity_id"]
RESULT_COLUMNS = [*KEYS, "indicator", "student_group", "n", "numerator", "value"]

RACES = ("AA", "AI", "AS", "FI", "HI", "PI", "WH", "MR", "NR")
GENDERS = ("F", "M", "X")
#: The contract's default groups, in report order (docs/data-model.md, "Student groups").
DEFAULT_GROUPS = ("ALL", *RACES, "SED", "EL", "RFEP", "EO", "LTEL", "SWD", "FOS", "HOM", "MIG")
FLAG_GROUPS = {"SED": "sed", "LTEL": "ltel", "SWD": "swd", "FOS": "foster", "HOM": "homeless",
               "MIG": "migrant", "DL": "dual_language"}
FLAGS = ["sed", "frpm", "swd", "foster", "homeless", "migrant", "dual_language"]

GRADES = {"TK": -1, "K": 0, **{str(g): g for g in range(1, 13)}}  # UG -> NA (ungraded)
TRUE_CODES = {"true", "1", "y"}
FALSE_CODES = {"false", "0", "n"}
#: "C or better" (docs/indicators.md, grade8_core_c_or_better): A+ ... C and P.
C_OR_BETTER = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "P"]
CORE_AREAS = ["ELA", "MATH", "SCI", "SOC"]
#: Semesters a mark stands for: a full-year course is two, any shorter term one
#: (ninth_grade_on_track caveat: "A full-year F counts as two semester Fs; a trimester or
#: quarter F counts as one"; used the same way for a-g semesters).
TERM_SEMESTERS = {"FY": 2}
ACADEMIC_GRADES = [3, 4, 5, 6, 7, 8, 11]
#: Smarter Balanced threshold scale scores (lowest of Levels 2, 3, 4), METHODS.md 1.2.
SBAC_THRESHOLDS = {
    "ELA": {3: (2367, 2432, 2490), 4: (2416, 2473, 2533), 5: (2442, 2502, 2582),
            6: (2457, 2531, 2618), 7: (2479, 2552, 2649), 8: (2487, 2567, 2668),
            11: (2493, 2583, 2682)},
    "MATH": {3: (2381, 2436, 2501), 4: (2411, 2485, 2549), 5: (2455, 2528, 2579),
             6: (2473, 2552, 2610), 7: (2484, 2567, 2635), 8: (2504, 2586, 2653),
             11: (2543, 2628, 2718)},
}
MICRO = 1_000_000  #: decimals are held as integer millionths so sums and comparisons are exact
#: The ELPI reference file (data: ELPAC thresholds, split rule, Alternate ELPAC rule).
ELPI_FILE = (Path(__file__).resolve().parents[1] / "src" / "gapwatch" / "indicators"
             / "elpi_levels" / "2019.toml")


@cache
def elpi_reference() -> dict:
    """The ELPI reference file, read as TOML (docs/indicators.md, el_progress)."""
    return tomllib.loads(ELPI_FILE.read_text(encoding="utf-8"))


# --- reading and converting ------------------------------------------------------------------

def _read(bundle: Path, table: str) -> pd.DataFrame | None:
    """``<table>.csv`` as text (empty cell = missing), or ``<table>.parquet`` with its own
    types; None when the table is not given."""
    path = bundle / f"{table}.csv"
    if path.exists():
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if path.with_suffix(".parquet").exists():
        return pd.read_parquet(path.with_suffix(".parquet"))
    return None


def _read_columns(bundle: Path, table: str, optional: list[str]) -> pd.DataFrame | None:
    """Like :func:`_read`, with optional columns the file leaves out added as empty."""
    frame = _read(bundle, table)
    for col in optional if frame is not None else []:
        if col not in frame:
            frame[col] = pd.Series(np.nan, index=frame.index, dtype="str")
    return frame


def _bool(s: pd.Series) -> pd.Series:
    """Yes/no cells (true/false, 1/0, Y/N, any case) -> nullable boolean."""
    if not pd.api.types.is_object_dtype(s) and not pd.api.types.is_string_dtype(s):
        return s.astype("boolean")  # already boolean (Parquet)
    low = s.str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(TRUE_CODES)] = True
    out[low.isin(FALSE_CODES)] = False
    return out


def _grade(s: pd.Series) -> pd.Series:
    """TK -1, K 0, 1-12; UG (ungraded) -> NA."""
    return s.map(GRADES).astype("Int64")


def _date(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    first = s.first_valid_index()
    if first is not None and isinstance(s[first], str):
        return pd.to_datetime(s, format="%Y-%m-%d")
    return pd.to_datetime(s)  # dates already typed (Parquet)


def _micro(s: pd.Series) -> pd.Series:
    """A decimal number as exact integer millionths (0.1 -> 100000)."""
    return (pd.to_numeric(s) * MICRO).round().astype("Int64")


def _year(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s).astype("int64")


def _july1(year: pd.Series) -> pd.Series:
    """July 1 of the given calendar years."""
    return pd.to_datetime(year.astype(str) + "-07-01")


def _school_year_of(dates: pd.Series) -> pd.Series:
    """The (spring) school year a date falls in: July 1 starts the next school year."""
    return (dates.dt.year + (dates.dt.month >= 7)).astype("Int64")


def census_day(school_year: int) -> pd.Timestamp:
    """The first Wednesday in October of the fall of ``school_year``."""
    oct1 = pd.Timestamp(school_year - 1, 10, 1)
    return oct1 + pd.Timedelta(days=(2 - oct1.weekday()) % 7)


# --- the student_year view -------------------------------------------------------------------

def _entity_map(schools: pd.DataFrame) -> pd.DataFrame:
    """school_id -> every entity it belongs to: itself, its board district, its district."""
    parts = [
        schools.assign(entity_type="school", entity_id=schools["school_id"]),
        schools.assign(entity_type="district", entity_id=schools["district_id"]),
        schools.dropna(subset=["board_district"]).assign(
            entity_type="board_district", entity_id=lambda d: d["board_district"]),
    ]
    return pd.concat(parts)[["school_id", "entity_type", "entity_id"]].reset_index(drop=True)


def _status(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Combine enrollment rows per ``keys``: grade and EL status from the latest enrollment
    (latest entry date), yes/no flags true if true on any enrollment, days added up (NULL if
    any is unknown), first entry and last day (NaT while still enrolled)."""
    latest = (rows.sort_values(["entry_date", "exit_date"], na_position="last", kind="stable")
              .drop_duplicates(keys, keep="last")
              .set_index(keys)[["grade", "el_status"]])
    agg = rows.groupby(keys).agg(
        enrollments=("school_id", "size"),
        first_entry=("entry_date", "min"),
        exit_max=("exit_date", "max"),
        still_enrolled=("open", "any"),
        days_enrolled=("days_enrolled", "sum"),
        days_absent=("days_absent", "sum"),
        days_unknown=("days_unknown", "any"),
        **{f: (f, "any") for f in FLAGS},
        pathway_known=("pathway_known", "any"),
        biliteracy_pathway=("pathway_true", "any"),
    )
    # a Pathway to Biliteracy award: true if on any enrollment, unknown if never recorded
    agg["biliteracy_pathway"] = agg["biliteracy_pathway"].astype("boolean").where(
        agg.pop("pathway_known"))
    agg["last_day"] = agg["exit_max"].where(~agg["still_enrolled"])
    for col in ("days_enrolled", "days_absent"):
        agg[col] = agg[col].where(~agg["days_unknown"])
    agg["days_attended"] = agg["days_enrolled"] - agg["days_absent"]
    return latest.join(agg.drop(columns=["exit_max", "still_enrolled", "days_unknown"]))


def _add_el_columns(view: pd.DataFrame) -> pd.DataFrame:
    """el, el_academic, ltel, us_entry_school_year, reclassified_by_year_end (view columns)."""
    year = view["school_year"]
    reclass = view["reclassification_date"]
    view["el"] = view["el_status"].eq("EL").fillna(False)
    view["rfep"] = view["el_status"].eq("RFEP").fillna(False)
    view["us_entry_school_year"] = _school_year_of(view["us_school_entry_date"])
    # "RFEP with a reclassification date after the day four years before the year began"
    view["el_academic"] = view["el"] | (view["rfep"] & (reclass > _july1(year - 5))).fillna(False)
    # "in at least the sixth school year since first enrolling in a US school"
    view["ltel"] = view["el"] & (year - view["us_entry_school_year"] >= 6).fillna(False)
    # "reclassified by June 30 of the year (or RFEP)"
    view["reclassified_by_year_end"] = view["rfep"] | (
        reclass <= _july1(year) - pd.Timedelta(days=1)).fillna(False)
    return view


def _daily_days(bundle: Path) -> pd.DataFrame | None:
    """Days enrolled and absent per school year, student and school from attendance_daily:
    one row per instructional day enrolled; A, E and S days are absences."""
    att = _read(bundle, "attendance_daily")
    if att is None:
        return None
    att = att.assign(school_year=_school_year_of(_date(att["date"])).astype("int64"),
                     absent=att["status"].isin(["A", "E", "S"]))
    days = att.groupby(["school_year", "student_id", "school_id"]).agg(
        daily_enrolled=("date", "size"), daily_absent=("absent", "sum"))
    return (days * MICRO).astype("Int64")


def _enrollments(bundle: Path) -> pd.DataFrame:
    """Enrollment rows, typed; days come from attendance_daily when it has the enrollment."""
    enr = _read_columns(bundle, "enrollments",
                        ["days_enrolled", "days_absent", "exit_date", "el_status", *FLAGS,
                         "biliteracy_pathway"])
    enr = enr.assign(
        school_year=_year(enr["school_year"]),
        grade=_grade(enr["grade"]),
        entry_date=_date(enr["entry_date"]),
        exit_date=_date(enr["exit_date"]),
        days_enrolled=_micro(enr["days_enrolled"]),
        days_absent=_micro(enr["days_absent"]),
        **{f: _bool(enr[f]).fillna(False).astype(bool) for f in FLAGS},
    )
    pathway = _bool(enr["biliteracy_pathway"])
    enr["pathway_known"], enr["pathway_true"] = pathway.notna(), pathway.fillna(False)
    daily = _daily_days(bundle)
    if daily is not None:
        enr = enr.join(daily, on=["school_year", "student_id", "school_id"])
        enr["days_enrolled"] = enr["daily_enrolled"].fillna(enr["days_enrolled"])
        enr["days_absent"] = enr["daily_absent"].fillna(enr["days_absent"])
    enr["open"] = enr["exit_date"].isna()
    enr["days_unknown"] = enr["days_enrolled"].isna() | enr["days_absent"].isna()
    return enr


def _students(bundle: Path) -> pd.DataFrame:
    """Race/ethnicity, gender and the two EL dates, indexed by student_id."""
    stu = _read_columns(bundle, "students", ["us_school_entry_date", "reclassification_date"])
    for col in ("us_school_entry_date", "reclassification_date"):
        stu[col] = _date(stu[col])
    return stu.set_index("student_id")[
        ["race_ethnicity", "gender", "us_school_entry_date", "reclassification_date"]]


def _discipline(bundle: Path, emap: pd.DataFrame) -> pd.DataFrame | None:
    """Suspension days (in- and out-of-school, OSS and ISS) per year, entity and student,
    counted at the school where the incident was recorded."""
    dis = _read(bundle, "discipline")
    if dis is None:
        return None
    dis = dis.assign(school_year=_year(dis["school_year"]), days=_micro(dis["days"]))
    dis["suspension"] = dis["action"].isin(["OSS", "ISS"])
    dis["suspension_days"] = dis["days"].where(dis["suspension"], 0)
    return (dis.merge(emap, on="school_id")
            .groupby([*KEYS, "student_id"])[["suspension_days"]].sum())


def _sbac(assess: pd.DataFrame, subject: str) -> pd.DataFrame:
    """This year's summative Smarter Balanced score per student: DFS, level, grade, date."""
    prefix = subject.lower()
    sb = assess[(assess["test"] == "SBAC") & (assess["subject"] == subject)
                & (assess["administration"].fillna("SUMMATIVE") == "SUMMATIVE")]
    sb = (sb.sort_values("test_date", kind="stable")
          .drop_duplicates(["school_year", "student_id"], keep="last"))
    thresholds = pd.DataFrame.from_dict(SBAC_THRESHOLDS[subject], orient="index",
                                        columns=["l2", "l3", "l4"])
    cut = thresholds.reindex(sb["grade"].astype("float").to_numpy())
    cut.index = sb.index
    score = pd.to_numeric(sb["scale_score"])
    computed = 1 + (score >= cut["l2"]).astype(int) + (score >= cut["l3"]).astype(int) \
        + (score >= cut["l4"]).astype(int)
    level = pd.to_numeric(sb["performance_level"]).astype("Int64")
    level = level.fillna(computed.where(cut["l3"].notna()).astype("Int64"))
    return pd.DataFrame({
        "school_year": sb["school_year"],
        "student_id": sb["student_id"],
        f"{prefix}_dfs": score - cut["l3"],
        f"{prefix}_level": level,
        f"{prefix}_tested_grade": sb["grade"],
        f"{prefix}_test_date": sb["test_date"],
    })


def _elpi_level(el: pd.DataFrame) -> pd.Series:
    """ELPI level 1-6 (1, 2L, 2H, 3L, 3H, 4) of Summative ELPAC rows; the Alternate ELPAC's
    own level for its rows. Levels 2 and 3 split at the midpoint of the level's range (the
    reference file's rule: High from ceil((lowest of the level + lowest of the next) / 2))."""
    ref = elpi_reference()
    cuts = {int(g): t for g, t in ref["thresholds"].items()}
    grade = el["grade"]
    l2, l3, l4 = (grade.map({g: t[i] for g, t in cuts.items()}) for i in range(3))
    score = pd.to_numeric(el["scale_score"])
    plevel = pd.to_numeric(el["performance_level"]).astype("Int64")
    computed = (1 + (score >= l2).astype(int) + (score >= l3).astype(int)
                + (score >= l4).astype(int)).where(l2.notna()).astype("Int64")
    level = plevel.fillna(computed).where(l2.notna())
    high2 = score >= (l2 + l3).map(lambda x: math.ceil(x / 2) if pd.notna(x) else np.nan)
    high3 = score >= (l3 + l4).map(lambda x: math.ceil(x / 2) if pd.notna(x) else np.nan)
    elpi = pd.Series(pd.NA, index=el.index, dtype="Int64")
    elpi[level == 1] = 1
    elpi[(level == 2) & ~high2] = 2
    elpi[(level == 2) & high2] = 3
    elpi[(level == 3) & ~high3] = 4
    elpi[(level == 3) & high3] = 5
    elpi[level == 4] = 6
    return elpi.where(el["test"] == "ELPAC", plevel)


def _elpac(assess: pd.DataFrame) -> pd.DataFrame:
    """The student's summative ELPAC or Alternate ELPAC this year (the latest; ties: higher
    score, then higher school id): test, date, ELPAC level, ELPI level, and the school."""
    el = assess[assess["test"].isin(["ELPAC", "ALT_ELPAC"]) & (assess["subject"] == "ELP")
                & (assess["administration"].fillna("SUMMATIVE") == "SUMMATIVE")]
    el = el.assign(score_=pd.to_numeric(el["scale_score"]))
    el = (el.sort_values(["test_date", "score_", "school_id"], kind="stable",
                         na_position="first")
          .drop_duplicates(["school_year", "student_id"], keep="last"))
    plevel = pd.to_numeric(el["performance_level"]).astype("Int64")
    return el[["school_year", "student_id", "school_id"]].assign(
        elpac_level=plevel.where(el["test"] == "ELPAC"), elpi_level=_elpi_level(el),
        elpac_test=el["test"], elpac_test_date=el["test_date"])


def _assessments(bundle: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """SBAC columns per school year and student, and the ELPAC taken that year.

    SBAC scores go on every row of the student that year; continuous enrollment decides where
    they count. The ELPAC counts at the entity where it was taken ("elpac_level ... at the
    entity where the student took it"); last year's level wherever it was taken."""
    assess = _read_columns(bundle, "assessments",
                           ["performance_level", "test_date", "administration"])
    if assess is None:
        return None
    assess = assess.assign(school_year=_year(assess["school_year"]),
                           grade=_grade(assess["grade"]), test_date=_date(assess["test_date"]))
    key = ["school_year", "student_id"]
    sbac = _sbac(assess, "ELA").merge(_sbac(assess, "MATH"), on=key, how="outer")
    return sbac, _elpac(assess)


def _add_academic(view: pd.DataFrame) -> pd.DataFrame:
    """ela_included / math_included: tested in grades 3-8 or 11, continuously enrolled at the
    entity (entered on or before census day, still enrolled on the test date), and not an
    English learner in US schools for less than a year (on the test date)."""
    census = view["school_year"].map({y: census_day(y) for y in view["school_year"].unique()})
    for s in ("ela", "math"):
        test_date = view[f"{s}_test_date"]
        continuous = (view["first_entry"] <= census) & (
            view["last_day"].isna() | (view["last_day"] >= test_date))
        newcomer = view["el"] & (
            view["us_school_entry_date"] > test_date - pd.DateOffset(years=1))
        view[f"{s}_included"] = (
            view[f"{s}_dfs"].notna()
            & view[f"{s}_tested_grade"].isin(ACADEMIC_GRADES).fillna(False)
            & continuous & ~newcomer)
    return view


def _course_marks(bundle: Path, emap: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Marks per year, entity and student, and a-g semesters per student and year."""
    cm = _read_columns(bundle, "course_marks", ["ag_area"])
    if cm is None:
        return None
    cm = cm.assign(school_year=_year(cm["school_year"]),
                   credits_earned=_micro(cm["credits_earned"]))
    semesters = cm["term"].map(TERM_SEMESTERS).fillna(1).astype(int)
    good = cm["mark"].isin(C_OR_BETTER)
    counted = cm["mark"] != "W"  # "withdrawals ignored"
    ela = cm["subject_area"].eq("ELA") & counted
    math = cm["subject_area"].eq("MATH") & counted
    cm = cm.assign(
        course_marks=1,
        ela_marks=ela.astype(int),
        math_marks=math.astype(int),
        ela_below_c=(ela & ~good).astype(int),
        math_below_c=(math & ~good).astype(int),
        core_semester_fs=semesters.where(cm["subject_area"].isin(CORE_AREAS)
                                         & cm["mark"].isin(["F", "NP"]), 0),
        ag_semesters=semesters.where(cm["ag_area"].notna() & good, 0),
    )
    cols = ["course_marks", "ela_marks", "math_marks", "ela_below_c", "math_below_c",
            "credits_earned", "core_semester_fs"]
    at_entity = cm.merge(emap, on="school_id").groupby([*KEYS, "student_id"])[cols].sum()
    ag = cm.groupby(["student_id", "school_year"], as_index=False)["ag_semesters"].sum()
    return at_entity, ag


def _add_ag(view: pd.DataFrame, ag: pd.DataFrame, by_student: pd.DataFrame) -> pd.DataFrame:
    """ag_semesters_cumulative (all years so far, every school) and ag_history_complete: the
    student's first high school year was grade 9, inside the years with course marks, and
    every year since is in the warehouse."""
    ag = ag.sort_values(["student_id", "school_year"])
    ag["ag_semesters_cumulative"] = ag.groupby("student_id")["ag_semesters"].cumsum()
    years = view[["school_year", "student_id"]].drop_duplicates().sort_values("school_year")
    cum = pd.merge_asof(years, ag.drop(columns="ag_semesters").sort_values("school_year"),
                        on="school_year", by="student_id")
    cum["ag_semesters_cumulative"] = cum["ag_semesters_cumulative"].fillna(0)

    hs = by_student.reset_index()
    hs = hs[(hs["grade"] >= 9).fillna(False)].sort_values("school_year")
    first = hs.drop_duplicates("student_id")[["student_id", "school_year", "grade"]].rename(
        columns={"school_year": "first_hs_year", "grade": "first_hs_grade"})
    enrolled_years = by_student.reset_index()[["student_id", "school_year"]]
    span = enrolled_years.merge(first, on="student_id")
    span = span[span["school_year"] >= span["first_hs_year"]].sort_values("school_year")
    span["years_seen"] = span.groupby("student_id").cumcount() + 1
    span["ag_history_complete"] = (
        span["first_hs_grade"].eq(9).fillna(False)
        & (span["first_hs_year"] >= ag["school_year"].min())
        & (span["years_seen"] == span["school_year"] - span["first_hs_year"] + 1))
    return (view.merge(cum, on=["school_year", "student_id"], how="left")
            .merge(span[["student_id", "school_year", "ag_history_complete"]],
                   on=["school_year", "student_id"], how="left")
            .assign(ag_history_complete=lambda v: v["ag_history_complete"].fillna(False)
                    .astype(bool)))


@dataclass
class _Bundle:
    """The bundle's tables as typed frames, and the entity each school belongs to."""

    folder: Path
    emap: pd.DataFrame
    students: pd.DataFrame
    enrollments: pd.DataFrame
    by_student: pd.DataFrame  #: status per (school_year, student_id) over every enrollment
    tables: set[str]


def _load(bundle: Path) -> _Bundle:
    """Read and type the tables every view needs."""
    schools = _read_columns(bundle, "schools", ["board_district"])
    enr = _enrollments(bundle)
    return _Bundle(
        folder=bundle,
        emap=_entity_map(schools),
        students=_students(bundle),
        enrollments=enr,
        by_student=_status(enr, ["school_year", "student_id"]),
        tables={p.stem for p in (*bundle.glob("*.csv"), *bundle.glob("*.parquet"))},
    )


def student_year(b: _Bundle) -> pd.DataFrame:
    """The student_year view: one row per school year, entity and student enrolled there
    (docs/indicators.md, "The views")."""
    rows = b.enrollments.merge(b.emap, on="school_id")
    view = _status(rows, [*KEYS, "student_id"]).reset_index()
    view = _add_el_columns(view.join(b.students, on="student_id"))
    sy_student = ["school_year", "student_id"]
    row_keys = [*KEYS, "student_id"]

    dis = _discipline(b.folder, b.emap)
    if dis is not None:
        view = view.join(dis, on=row_keys)
        view["suspension_days"] = view["suspension_days"].fillna(0)

    assess = _assessments(b.folder)
    if assess is not None:
        sbac, elpac = assess
        view = _add_academic(view.merge(sbac, on=sy_student, how="left"))
        current = elpac.merge(b.emap, on="school_id")[
            [*row_keys, "elpac_level", "elpi_level", "elpac_test", "elpac_test_date"]]
        prior = elpac.assign(school_year=elpac["school_year"] + 1)[
            [*sy_student, "elpac_level", "elpi_level", "elpac_test"]].rename(columns={
                "elpac_level": "elpac_prior_level", "elpi_level": "elpi_prior_level",
                "elpac_test": "elpac_prior_test"})
        view = (view.merge(current, on=row_keys, how="left")
                .merge(prior, on=sy_student, how="left"))
        # ELPI's ELs: current ELs and students reclassified after this year's test (no test
        # date: during the school year; RFEP with no reclassification date: after the test)
        year_start = _july1(view["school_year"] - 1)
        reclass = view["reclassification_date"]
        after_test = (reclass > view["elpac_test_date"].fillna(
            year_start - pd.Timedelta(days=1))).where(reclass.notna(), view["rfep"])
        view["elpi_el"] = view["el"] | after_test.fillna(False).astype(bool)
    else:
        view["elpi_el"] = view["el"]

    marks = _course_marks(b.folder, b.emap)
    if marks is not None:
        at_entity, ag = marks
        view = view.join(at_entity, on=row_keys)
        view[at_entity.columns] = view[at_entity.columns].fillna(0)
        view = _add_ag(view, ag, b.by_student)
    return view


# --- the cohort view ---------------------------------------------------------------------------

def cohort(b: _Bundle) -> pd.DataFrame | None:
    """The cohort view: each cohort student at the accountable school, its board district and
    the district, at the cohort year; fifth-year graduates (GRAD_5YR) again at the year after.
    Status comes from the student's latest enrollment year up to the cohort year."""
    flags = ["ag_complete", "seal_of_biliteracy", "cci_prepared"]
    gc = _read_columns(b.folder, "graduation_cohorts", flags)
    if gc is None:
        return None
    gc[flags] = gc[flags].apply(_bool)
    gc["cohort_year"] = _year(gc["cohort_year"])
    status = b.by_student.reset_index().join(b.students, on="student_id")
    status = _add_el_columns(status).rename(columns={"school_year": "status_year"})
    status = status.drop(columns=["race_ethnicity", "gender"])
    gc = pd.merge_asof(gc.sort_values("cohort_year"), status.sort_values("status_year"),
                       left_on="cohort_year", right_on="status_year", by="student_id")
    gc = gc.join(b.students[["race_ethnicity", "gender"]], on="student_id")
    four_year = gc.assign(school_year=gc["cohort_year"], in_cohort=True, fifth_year_grad=False)
    fifth = gc[gc["outcome"] == "GRAD_5YR"].assign(
        school_year=lambda d: d["cohort_year"] + 1, in_cohort=False, fifth_year_grad=True)
    view = pd.concat([four_year, fifth], ignore_index=True).merge(b.emap, on="school_id")
    for col in ("el", "el_academic", "ltel", "rfep", *FLAGS):
        view[col] = view[col].astype("boolean").fillna(False).astype(bool)
    return view


# --- indicators ----------------------------------------------------------------------------

Rule = Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]]


@dataclass(frozen=True)
class Spec:
    """One indicator: universe and outcome as pandas over a view (docs/indicators.md)."""

    id: str
    kind: str  #: "rate" or "mean"
    source: str  #: "student_year" or "cohort"
    needs: str  #: the table it needs
    rule: Rule  #: view -> (universe, outcome)
    academic: bool = False  #: EL group widened to el_academic
    elpi: bool = False  #: EL group widened to elpi_el (reclassified after this year's ELPAC)
    needs_columns: tuple[str, ...] = ()  #: "table.column" that must have values


def _b(s: pd.Series) -> pd.Series:
    """SQL truth: NULL is not true."""
    return s.astype("boolean").fillna(False).astype(bool)


def _between(s: pd.Series, low: int, high: int) -> pd.Series:
    return _b((s >= low) & (s <= high))


def specs(units_per_year_course: float = 10, ag_pace: float = 7.5) -> list[Spec]:
    """The built-in indicators, in registry order."""

    def chronic(top: int) -> Rule:
        def rule(v: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
            universe = (_between(v["grade"], 0, top) & _b(v["days_enrolled"] >= 31 * MICRO)
                        & _b(v["days_attended"] > 0))
            return universe, _b(10 * v["days_absent"] >= v["days_enrolled"])
        return rule

    def academic(subject: str, kind: str) -> Spec:
        s = subject.lower()
        if kind == "mean":
            return Spec(f"{s}_dfs", "mean", "student_year", "assessments",
                        lambda v: (_b(v[f"{s}_included"]), v[f"{s}_dfs"]), academic=True)
        return Spec(f"{s}_met", "rate", "student_year", "assessments",
                    lambda v: (_b(v[f"{s}_included"]), _b(v[f"{s}_level"] >= 3)),
                    academic=True)

    def ag_on_track(v: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        universe = _between(v["grade"], 9, 12) & v["ag_history_complete"]
        return universe, _b(v["ag_semesters_cumulative"] >= ag_pace * (v["grade"] - 8))

    def el_reclassified(v: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        universe = (_b(v["grade"] == 6) & v["el_status"].isin(["EL", "RFEP"])
                    & _b(v["us_entry_school_year"] >= v["school_year"] - 7)
                    & _b(v["us_entry_school_year"] <= v["school_year"] - 5))
        return universe, v["reclassified_by_year_end"]

    def el_progress(v: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        # CDE ELPI (METHODS.md 6.3): six levels; up one or staying at the top; same test both
        # years, the Alternate ELPAC from its first year; ELs and students reclassified after
        # this year's test (no test date: during the school year)
        ref = elpi_reference()
        now, prior, test = v["elpi_level"], v["elpi_prior_level"], v["elpac_test"]
        pair = (now.notna() & prior.notna() & (test == v["elpac_prior_test"])
                & ((test == "ELPAC") | (v["school_year"] >= ref["alternate_from"])))
        universe = v["elpi_el"] & _between(v["grade"], 1, 12) & _b(pair)
        top = pd.Series(np.where(test == "ELPAC", 6, ref["alternate_top_level"]),
                        index=v.index)
        return universe, _b((now > prior) | ((now == top) & (prior == top)))

    grad = "graduation_cohorts"
    return [
        Spec("chronic_absence", "rate", "student_year", "enrollments", chronic(8),
             needs_columns=("enrollments.days_enrolled", "enrollments.days_absent")),
        Spec("chronic_absence_k12", "rate", "student_year", "enrollments", chronic(12),
             needs_columns=("enrollments.days_enrolled", "enrollments.days_absent")),
        Spec("suspension_rate", "rate", "student_year", "discipline",
             lambda v: (pd.Series(True, index=v.index),
                        _b(v["suspension_days"] >= MICRO))),
        academic("ELA", "mean"),
        academic("MATH", "mean"),
        academic("ELA", "rate"),
        academic("MATH", "rate"),
        Spec("grade3_reading_met", "rate", "student_year", "assessments",
             lambda v: (_b(v["ela_included"]) & _b(v["ela_tested_grade"] == 3),
                        _b(v["ela_level"] >= 3)), academic=True),
        Spec("grade8_core_c_or_better", "rate", "student_year", "course_marks",
             lambda v: (_b(v["grade"] == 8) & (v["ela_marks"] > 0) & (v["math_marks"] > 0),
                        (v["ela_below_c"] == 0) & (v["math_below_c"] == 0))),
        Spec("ninth_grade_on_track", "rate", "student_year", "course_marks",
             lambda v: (_b(v["grade"] == 9) & (v["course_marks"] > 0),
                        (v["credits_earned"] >= 5 * units_per_year_course * MICRO)
                        & (v["core_semester_fs"] <= 1))),
        Spec("ag_on_track", "rate", "student_year", "course_marks", ag_on_track),
        Spec("graduation_rate", "rate", "cohort", grad,
             lambda v: (v["in_cohort"], v["outcome"] == "GRAD")),
        Spec("graduation_rate_combined", "rate", "cohort", grad,
             lambda v: (v["in_cohort"] | v["fifth_year_grad"],
                        (v["in_cohort"] & (v["outcome"] == "GRAD")) | v["fifth_year_grad"])),
        Spec("ag_completion", "rate", "cohort", grad,
             lambda v: (v["in_cohort"] & (v["outcome"] == "GRAD"), v["ag_complete"]),
             needs_columns=(f"{grad}.ag_complete",)),
        Spec("college_eligible", "rate", "cohort", grad,
             lambda v: (v["in_cohort"] & (v["outcome"] == "GRAD"), v["cci_prepared"]),
             needs_columns=(f"{grad}.cci_prepared",)),
        Spec("cci_prepared", "rate", "cohort", grad,
             lambda v: (v["in_cohort"], (v["outcome"] == "GRAD") & _b(v["cci_prepared"])),
             needs_columns=(f"{grad}.cci_prepared",)),
        Spec("seal_of_biliteracy", "rate", "cohort", grad,
             lambda v: (v["in_cohort"] & (v["outcome"] == "GRAD"), v["seal_of_biliteracy"]),
             needs_columns=(f"{grad}.seal_of_biliteracy",)),
        Spec("el_reclassified_by_grade6", "rate", "student_year", "enrollments",
             el_reclassified, needs_columns=("students.us_school_entry_date",)),
        Spec("el_progress", "rate", "student_year", "assessments", el_progress,
             elpi=True),
        *(Spec(f"biliteracy_pathway_grade{g}", "rate", "student_year", "enrollments",
               lambda v, g=g: (_b(v["grade"] == g), v["biliteracy_pathway"]),
               needs_columns=("enrollments.biliteracy_pathway",)) for g in (5, 8)),
        Spec("ltel_rate", "rate", "student_year", "enrollments",
             lambda v: (v["el"] & _between(v["grade"], 6, 12), v["ltel"]),
             needs_columns=("students.us_school_entry_date",)),
    ]


def _computable(spec: Spec, b: _Bundle, cohort_view: pd.DataFrame | None) -> bool:
    """A table that is missing, or a needed column with no values, leaves the indicator out
    ("not computed: needs <table>", never zero)."""
    if spec.needs not in b.tables:
        return False
    frames = {"enrollments": b.enrollments, "students": b.students,
              "graduation_cohorts": cohort_view}
    return all(frames[table][column].notna().any()
               for table, column in (c.split(".") for c in spec.needs_columns))


# --- student groups and aggregation -------------------------------------------------------

def _group_rule(code: str, el_column: str) -> Callable[[pd.DataFrame], pd.Series]:
    """One single group as a boolean over a view (docs/indicators.md, "Student groups")."""
    if code == "ALL":
        return lambda v: pd.Series(True, index=v.index)
    if code in RACES:
        return lambda v: v["race_ethnicity"].eq(code).fillna(False)
    if code in GENDERS:
        return lambda v: v["gender"].eq(code).fillna(False)
    if code == "EL":
        return lambda v: v[el_column]
    if code in ("RFEP", "EO"):
        return lambda v: v["el_status"].eq(code).fillna(False)
    if code in FLAG_GROUPS:
        return lambda v: _b(v[FLAG_GROUPS[code]])
    raise ValueError(f"unknown student group {code!r}")


def level_specs() -> list[Spec]:
    """Students at each achievement level among those counted in ELA and math DFS, as rates
    ``ela_dfs_level1`` ... (their numerators are gapwatch's ``level_counts``)."""

    def at_level(s: str, k: int) -> Rule:
        def rule(v: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
            universe = _b(v[f"{s}_included"]) & v[f"{s}_dfs"].notna()
            return universe, _b(v[f"{s}_level"] == k)
        return rule

    return [Spec(f"{s}_dfs_level{k}", "rate", "student_year", "assessments", at_level(s, k),
                 academic=True) for s in ("ela", "math") for k in range(1, 5)]


def memberships(view: pd.DataFrame, groups: list[str], el_column: str = "el") -> pd.DataFrame:
    """One boolean column per reported group; an intersection is the AND of its parts;
    ``el_column`` is the view column the EL group reads (el, el_academic or elpi_el)."""
    out = {}
    for code in groups:
        member = pd.Series(True, index=view.index)
        for part in code.split("+"):
            member &= _group_rule(part, el_column)(view).astype(bool)
        out[code] = member
    return pd.DataFrame(out, index=view.index)


def _aggregate(view: pd.DataFrame, members: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """n, numerator and value per year, entity and group over the universe rows."""
    universe, outcome = spec.rule(view)
    # An unknown (NULL) outcome leaves the student out of n, for rates as for means: the
    # value does not rest on them (cci_prepared coalesces to keep them in).
    universe = universe.to_numpy(bool) & outcome.notna().to_numpy()
    if spec.kind == "mean":
        y = outcome.astype("Float64").to_numpy(float, na_value=np.nan)
    else:
        y = outcome.astype("boolean").fillna(False).to_numpy(bool)
    # one (row, group) pair per student counted in a group; entities as integer codes
    rows, cols = np.nonzero(members.to_numpy(bool) & universe[:, None])
    entity = view.groupby(KEYS, sort=False).ngroup().to_numpy()
    long = pd.DataFrame({"entity": entity[rows], "group": cols, "y": y[rows]})
    out = long.groupby(["entity", "group"], as_index=False).agg(
        n=("y", "size"), total=("y", "sum"), value=("y", "mean"))
    entities = view[KEYS].groupby(entity).first()
    out = out.join(entities, on="entity")
    out["student_group"] = members.columns.to_numpy()[out["group"]]
    out["numerator"] = (out["total"] if spec.kind == "rate" else pd.NA)
    out["numerator"] = out["numerator"].astype("Int64")
    return out.assign(indicator=spec.id)[RESULT_COLUMNS]


def oracle_results(bundle: Path, *, intersections: Sequence[str] = (),
                   units_per_year_course: float = 10, ag_pace: float = 7.5,
                   extra: Sequence[str] = (), levels: bool = False) -> pd.DataFrame:
    """Every built-in indicator for every group, entity and year, recomputed from the CSVs.

    Groups are the default set, then ``extra`` single groups (e.g. gender ``F``), then
    ``intersections`` (``AA+M``, ``EL+SWD``); the settings are those of the config file.
    One row per (school_year, entity_type, entity_id, indicator, student_group) with n > 0:
    ``n`` students in the universe, ``numerator`` (rates; NA for means) and ``value``.
    """
    b = _load(Path(bundle))
    data_groups = ["DL"] if b.enrollments["dual_language"].any() else []  # where the data has it
    groups = list(dict.fromkeys([*DEFAULT_GROUPS, *data_groups, *extra, *intersections]))
    views = {"student_year": student_year(b), "cohort": cohort(b)}
    members: dict[tuple[str, str], pd.DataFrame] = {}
    parts = []
    for spec in specs(units_per_year_course, ag_pace) + (level_specs() if levels else []):
        view = views[spec.source]
        if view is None or not _computable(spec, b, views["cohort"]):
            continue
        el_column = "el_academic" if spec.academic else "elpi_el" if spec.elpi else "el"
        key = (spec.source, el_column)
        if key not in members:
            members[key] = memberships(view, groups, el_column)
        parts.append(_aggregate(view, members[key], spec))
    parts += _family_results(b, views["student_year"], groups)
    result = pd.concat(parts, ignore_index=True)
    result["school_year"] = result["school_year"].astype("int64")
    return result.sort_values(RESULT_COLUMNS[:5], ignore_index=True)


def _family_results(b: _Bundle, student_view: pd.DataFrame, groups: list[str]
                    ) -> list[pd.DataFrame]:
    """The engagement and climate indicators (oracle_families), with home-language groups."""
    from oracle_families import family_rules, family_view, home_language_groups

    rules = {i: r for i, r in family_rules().items()
             if r[0] in b.tables
             and _read(b.folder, r[0])["student_id"].notna().any()}
    if not rules:
        return []
    view = family_view(student_view, b.folder, b.emap)
    members = memberships(view, groups)
    for code, member in home_language_groups(view).items():
        members[code] = member.astype(bool)
    out = []
    for ind, (needs, universe, outcome) in rules.items():
        def rule(v: pd.DataFrame, u: str = universe, o: str = outcome
                 ) -> tuple[pd.Series, pd.Series]:
            return (_b(v[u]) if u else pd.Series(True, index=v.index)), _b(v[o])
        out.append(_aggregate(view, members, Spec(ind, "rate", "family_year", needs, rule)))
    return out
