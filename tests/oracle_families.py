"""The pandas oracle of the engagement and climate indicators (docs/families.md).

Recomputed from the bundle's CSV files and the two data files the definitions name (the survey
item map and languages.toml), never from the warehouse or gapwatch's SQL: the family_year view
is the student_year view plus one family's engagement records, the ABC warning signs, each
student scale's favourable answers and the home language.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "src" / "gapwatch" / "families"
ACTIVITIES = {"CONFERENCE": "family_conference", "SITE_COUNCIL": "family_site_council",
              "EL_ADVISORY": "family_el_advisory", "WORKSHOP": "family_workshop",
              "HOME_VISIT": "family_home_visit"}
KEYS = ["school_year", "entity_type", "entity_id", "student_id"]


def item_map() -> dict:
    return tomllib.loads((DATA / "survey_items.toml").read_text(encoding="utf-8"))


def student_scales() -> list[str]:
    return [code for code, s in item_map()["scales"].items() if "STUDENT" in s["respondents"]]


def language_codes() -> dict[str, str]:
    raw = tomllib.loads((DATA / "languages.toml").read_text(encoding="utf-8"))["languages"]
    return {name.casefold(): code for code, e in raw.items()
            for name in [code, *e.get("names", [])]}


def _at_entities(frame: pd.DataFrame, emap: pd.DataFrame, cols: list[str], how: str
                 ) -> pd.DataFrame:
    """Per (year, entity, student): at a school its own rows, above it every school's rows
    (``how``: "any" for flags, "mean" for answers)."""
    school = frame.merge(emap[emap["entity_type"] == "school"], on="school_id")
    above = frame.merge(emap[emap["entity_type"] != "school"][["school_id", "entity_type",
                                                                "entity_id"]], on="school_id")
    parts = []
    for part in (school, above):
        g = part.groupby(KEYS)[cols]
        parts.append(g.any() if how == "any" else g.mean())
    return pd.concat(parts)


def family_view(view: pd.DataFrame, bundle: Path, emap: pd.DataFrame) -> pd.DataFrame:
    """The student_year view of the oracle with the family_year columns added."""
    view = view.copy()
    fe = pd.read_csv(bundle / "family_engagement.csv", dtype=str, keep_default_na=False,
                     na_values=[""])
    fe = fe[fe["student_id"].notna()].assign(school_year=lambda d: d["school_year"].astype(int))
    for activity, col in ACTIVITIES.items():
        fe[col] = fe["activity"] == activity
    fe["family_any"] = fe["activity"] != "OTHER"  # OTHER: contacts such as a letter sent
    flags = _at_entities(fe, emap, [*ACTIVITIES.values(), "family_any"], "any")
    view = view.join(flags, on=KEYS)
    for col in [*ACTIVITIES.values(), "family_any"]:
        view[col] = view[col].fillna(False).astype(bool)

    dis = pd.read_csv(bundle / "discipline.csv", dtype=str)
    dis = dis[dis["action"].isin(["OSS", "ISS"])].assign(
        school_year=lambda d: d["school_year"].astype(int), suspended=True)
    susp = _at_entities(dis, emap, ["suspended"], "any")
    suspended = view.join(susp, on=KEYS)["suspended"].fillna(False).astype(bool)
    absent = (10 * view["days_absent"] >= view["days_enrolled"]).fillna(False).astype(bool)
    fs = view["core_semester_fs"].fillna(0) > 0 if "core_semester_fs" in view else False
    view["abc_at_risk"] = absent | suspended | fs

    items = item_map()
    sr = pd.read_csv(bundle / "survey_responses.csv", dtype=str, keep_default_na=False,
                     na_values=[""])
    sr = sr[(sr["respondent_type"] == "STUDENT") & sr["student_id"].notna()].copy()
    sr["school_year"] = sr["school_year"].astype(int)
    response = sr["response"].astype(float)
    for scale in student_scales():
        mine = sr["item"].map(lambda i, s=scale: next(
            (x for x in items["items"] if x["code"] == i and x["scale"] == s), None))
        points = mine.map(lambda x: np.nan if x is None else
                          items["response_scales"][x["response_scale"]]["points"])
        fav = mine.map(lambda x: np.nan if x is None else
                       items["response_scales"][x["response_scale"]]["favourable_min"])
        rev = mine.map(lambda x: bool(x and x.get("reverse", False)))
        answer = response.where(~rev, points + 1 - response)
        name = scale.lower()
        sr[f"{name}_score"] = (answer - 1) / (points - 1)
        sr[f"{name}_cut"] = (fav - 1) / (points - 1)
    cols = [f"{s.lower()}_{p}" for s in student_scales() for p in ("score", "cut")]
    means = _at_entities(sr, emap, cols, "mean")
    view = view.join(means, on=KEYS)
    for scale in student_scales():
        name = scale.lower()
        view[f"{name}_answered"] = view[f"{name}_score"].notna()
        view[f"{name}_favourable"] = (view[f"{name}_score"] >= view[f"{name}_cut"] - 1e-9)

    stu = pd.read_csv(bundle / "students.csv", dtype=str, keep_default_na=False, na_values=[""])
    codes = language_codes()
    lang = stu.set_index("student_id")["home_language"].map(
        lambda x: codes.get(x.strip().casefold()) if isinstance(x, str) else None)
    view["home_language_code"] = view["student_id"].map(lang)
    return view


def home_language_groups(view: pd.DataFrame) -> dict[str, pd.Series]:
    """HL_<CODE> membership for each non-English home language present."""
    present = sorted(c for c in view["home_language_code"].dropna().unique() if c != "en")
    return {f"HL_{c.upper()}": view["home_language_code"].eq(c).fillna(False)
            for c in present}


def family_rules() -> dict[str, tuple[str, str, str]]:
    """indicator id -> (table it needs, universe column, outcome column)."""
    rules = {ind: ("family_engagement", "", col)
             for col, ind in ((c, c) for c in ACTIVITIES.values())}
    rules["family_any"] = ("family_engagement", "", "family_any")
    rules["conference_at_risk"] = ("family_engagement", "abc_at_risk", "family_conference")
    for scale in student_scales():
        n = scale.lower()
        rules[f"climate_{n}"] = ("survey_responses", f"{n}_answered", f"{n}_favourable")
    return rules
