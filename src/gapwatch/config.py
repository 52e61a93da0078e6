"""The district config file (TOML): settings as data, each with a default and a help text.

Every setting is a :class:`Setting` in :data:`SETTINGS`; the file is checked against them (an
unknown key is an error naming the known ones) and docs/configuration.md is generated from
them. District-defined indicators go in ``[[indicators.custom]]`` tables (docs/indicators.md).
Secrets never go in this file: they come from the environment.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gapwatch.errors import Refusal


class ConfigError(Refusal, ValueError):
    """The config file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Setting:
    name: str  #: dotted name: section.key
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("district.name", "", "District name shown in reports (default: from `schools`)."),
    Setting("groups.extra", [], "More single groups to report beside the default set, e.g. "
            "gender codes `[\"F\", \"M\"]`."),
    Setting("groups.intersections", [], "Intersections to report, parts joined with `+`, e.g. "
            "`[\"AA+M\", \"EL+SWD\"]`."),
    Setting("indicators.disabled", [], "Built-in indicator ids not to compute."),
    Setting("indicators.units_per_year_course", 10, "Credits a year-long course earns (10 in "
            "California: 5 units a semester); used by `ninth_grade_on_track`."),
    Setting("indicators.ag_pace_semesters_per_year", 7.5, "a-g semesters passed with C or "
            "better per high school year to be on pace (15 year-long courses in 4 years)."),
    Setting("indicators.elpi_levels_file", "", "A file replacing the shipped ELPI reference "
            "(`src/gapwatch/indicators/elpi_levels/2019.toml`: ELPAC thresholds, the level 2 "
            "and 3 split scores, the Alternate ELPAC rule), e.g. with CDE's split scores; "
            "relative to the config file. See docs/indicators.md, el_progress."),
    Setting("families.survey_items_file", "", "A survey item map replacing the shipped one "
            "(`src/gapwatch/families/survey_items.toml`: items, scales, favourable answers), "
            "for a district whose climate survey has other item codes; relative to the config "
            "file. See docs/families.md."),
    Setting("indicators.participation_rule", False, "Apply the Academic Indicator's "
            "participation rule: below 95% participation, add the lowest obtainable scale "
            "score for the missing students needed to reach 95% (CDE's 2024-25 layouts). Off "
            "by default; the participation rate is reported either way."),
    Setting("gaps.reference_group", "WH", "The named reference group every other group is also "
            "compared with (besides All students, all other students and the highest-performing "
            "group). Empty to skip."),
    Setting("gaps.min_n", 11, "Smallest group (on both sides) for which a gap is computed."),
    Setting("gaps.highest_min_n", 30, "Smallest race/ethnicity group that can be the "
            "highest-performing reference group."),
    Setting("gaps.risk_ratio_threshold", 3.0, "Risk ratio above which an adverse outcome "
            "is flagged as disproportionate (a state's choice under 34 CFR 300.647). A default: "
            "no California source was found."),
    Setting("gaps.risk_ratio_min_cell", 10, "Fewest students with the outcome for a risk "
            "ratio (34 CFR 300.647(b)(1)(iv): at most 10 is presumptively reasonable). A "
            "default: California's was not found."),
    Setting("gaps.risk_ratio_min_n", 30, "Fewest students for a risk ratio (300.647: at most "
            "30 is presumptively reasonable). A default: California's was not found."),
    Setting("gaps.disproportionality_years", 3, "Consecutive years over the risk ratio "
            "threshold after which California identifies significant disproportionality "
            "(CDE); applied over the years in the warehouse."),
    Setting("need_index.file", "", "A need-index spec file (factors, weights, standardization, "
            "bands) replacing the shipped default; relative to the config file. See "
            "docs/resources.md."),
    Setting("lcff.rates_dir", "", "A folder of LCFF rate files (`<fiscal year>.toml`, as in "
            "`src/gapwatch/resources/lcff_rates/`) that add years or replace the shipped ones "
            "(2021-22 to 2025-26); relative to the config file. See docs/resources.md."),
    Setting("early_warning.attendance_at_risk", 80.0, "Attendance rate (% of days enrolled) "
            "below which a student is at risk (Ed-Fi Analytics Middle Tier)."),
    Setting("early_warning.attendance_early_warning", 88.0, "Attendance rate below which a "
            "student gets an early warning (Ed-Fi)."),
    Setting("early_warning.grade_average_at_risk", 65.0, "English or math grade average "
            "(0-100) below which a student is at risk (Ed-Fi)."),
    Setting("early_warning.grade_average_early_warning", 72.0, "English or math grade average "
            "below which a student gets an early warning (Ed-Fi)."),
    Setting("early_warning.incidents_at_risk", 5, "Discipline incidents in the year at or above "
            "which a student is at risk (Ed-Fi)."),
    Setting("early_warning.incidents_early_warning", 2, "Discipline incidents at or above "
            "which a student gets an early warning (Ed-Fi)."),
    Setting("early_warning.state_offense_pattern", r"(?i)^\s*(EC\s*)?489(00|15)\b",
            "Regular expression (RE2) of offense codes that are state offenses; any one is "
            "at risk (Ed-Fi). Default: California Education Code 48900 and 48915."),
    Setting("early_warning.ltel_min_grade", 6, "Lowest grade flagged as a long-term English "
            "learner (EC 313.1: grades 6-12)."),
    Setting("early_warning.disabled", [], "Early-warning flag ids not to raise, e.g. "
            "`[\"ag_off_pace\"]`."),
    Setting("early_warning.outcome", "off_track_next_year", "What the model predicts: "
            "`off_track_next_year` or `not_graduating_on_time`."),
    Setting("early_warning.capacity", 0.10, "Share of students the district can serve in "
            "Tier 2 or 3: the model's precision is judged at it, and the model puts its top "
            "share in Tier 2."),
    Setting("early_warning.tier3_share", 0.03, "The model puts its top share of students in "
            "Tier 3."),
    Setting("early_warning.tier3_at_risk_domains", 2, "At-risk flags in this many domains "
            "(attendance, behavior, course performance, milestones) put a student in Tier 3."),
    Setting("early_warning.tier2_early_warnings", 2, "Early-warning flags (without an at-risk "
            "one) that put a student in Tier 2; any at-risk flag does."),
    Setting("early_warning.effects_min_n", 20, "Fewest served students for which an "
            "intervention's effect is estimated."),
    Setting("privacy.min_n", 11, "Public outputs: counts and rates resting on fewer students "
            "are suppressed (California publishes nothing below 11)."),
    Setting("privacy.k", 3, "Public outputs: every suppressed count must keep at least this "
            "many possible values given everything published (checked by "
            "`gapwatch audit-disclosure`)."),
    Setting("privacy.top_bottom_coding", True, "Public outputs: show rates near 0% or 100% "
            "as ranges (e.g. \"≥ 95%\"), tightening with group size."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}
CUSTOM_INDICATOR_KEYS = {
    "id", "name", "description", "citation", "universe", "outcome", "kind", "direction",
    "grades", "needs", "source", "caveats",
}
REQUIRED_CUSTOM_KEYS = ("id", "name", "description", "universe", "outcome", "kind", "direction")


@dataclass(frozen=True)
class Config:
    """Settings (defaults filled in) and district-defined indicators."""

    values: dict[str, Any] = field(default_factory=dict)
    custom_indicators: tuple[dict[str, Any], ...] = ()
    path: Path | None = None
    goals: tuple[dict[str, Any], ...] = ()  #: raw ``[[goals]]`` tables (see gapwatch.goals)

    def __getitem__(self, name: str) -> Any:
        if name not in SETTINGS_BY_NAME:
            raise KeyError(name)
        return self.values.get(name, SETTINGS_BY_NAME[name].default)

    def where(self, key: str) -> str:
        return f"{self.path or 'config'}: {key}"


def load_config(path: Path | None) -> Config:
    """Read ``path`` (or return the defaults when None); raise ConfigError when it is wrong."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not a valid TOML file: {err}") from None
    values: dict[str, Any] = {}
    custom: list[dict[str, Any]] = []
    goals: list[dict[str, Any]] = []
    sections = {s.name.split(".")[0] for s in SETTINGS}
    for section, body in data.items():
        if section == "goals":
            if not isinstance(body, list) or not all(isinstance(g, dict) for g in body):
                raise ConfigError(f"{path}: goals must be [[goals]] tables")
            goals = [dict(g) for g in body]
            continue
        if section not in sections or not isinstance(body, dict):
            raise ConfigError(f"{path}: unknown section [{section}] (known: "
                              f"{', '.join(sorted(sections | {'goals'}))})")
        for key, value in body.items():
            name = f"{section}.{key}"
            if name == "indicators.custom":
                custom = _custom(path, value)
                continue
            if name not in SETTINGS_BY_NAME:
                known = ", ".join(s.name for s in SETTINGS if s.name.startswith(section + "."))
                raise ConfigError(f"{path}: unknown setting {name} (known: {known})")
            default = SETTINGS_BY_NAME[name].default
            if not isinstance(value, type(default)) and not (
                isinstance(default, float) and isinstance(value, int)
            ):
                raise ConfigError(f"{path}: {name} should be {type(default).__name__}, "
                                  f"got {value!r}")
            values[name] = value
    return Config(values, tuple(custom), path, tuple(goals))


def _custom(path: Path, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: indicators.custom must be [[indicators.custom]] tables")
    out = []
    for i, spec in enumerate(value, 1):
        where = f"{path}: indicators.custom[{i}]"
        unknown = sorted(set(spec) - CUSTOM_INDICATOR_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: "
                              f"{', '.join(sorted(CUSTOM_INDICATOR_KEYS))})")
        missing = [k for k in REQUIRED_CUSTOM_KEYS if k not in spec]
        if missing:
            raise ConfigError(f"{where}: missing {', '.join(missing)}")
        out.append(dict(spec))
    return out
