"""Engagement and climate indicators, as registry entries over the ``family_year`` view.

A spec table expanded by loops: one participation indicator per family activity recorded for
one family, conference contact for students with an ABC early-warning sign, and one indicator
per student scale of the survey item map (docs/families.md).
"""

from __future__ import annotations

from gapwatch.families.items import ItemMap, load_items
from gapwatch.indicators.indicator import Direction, Indicator, Kind, Source

CITE_DASHBOARD = ("CDE Dashboard local indicators: Parent and Family Engagement (Priority 3) "
                  "and Local Climate Survey (Priority 6)")
RECORDED = ("Counts only family_engagement rows about one family (student_id given); events "
            "recorded as a head count without student_id are not in it.")

#: activity code -> (indicator id, name, what the family did)
ACTIVITY_SPECS = {
    "CONFERENCE": ("family_conference", "Families with a parent-teacher conference",
                   "had a parent-teacher conference"),
    "SITE_COUNCIL": ("family_site_council", "Families taking part in the school site council",
                     "took part in the school site council"),
    "EL_ADVISORY": ("family_el_advisory",
                    "Families taking part in the English learner advisory committee",
                    "took part in the English learner advisory committee (ELAC/DELAC)"),
    "WORKSHOP": ("family_workshop", "Families at a family workshop",
                 "came to a family workshop"),
    "HOME_VISIT": ("family_home_visit", "Families with a home visit", "had a home visit"),
}


def _participation(activity: str) -> Indicator:
    ind_id, name, did = ACTIVITY_SPECS[activity]
    return Indicator(
        id=ind_id, name=name,
        description=f"Share of students whose family {did} during the school year, as "
        "recorded in family_engagement.",
        citation=CITE_DASHBOARD + "; Education Code 52063 (SSC), 52176 (ELAC)",
        universe="TRUE", outcome=f"family_{activity.lower()}",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="TK-12",
        needs=("enrollments", "family_engagement"),
        needs_columns=("family_engagement.student_id",), source=Source.FAMILY_YEAR,
        caveats=RECORDED + " Compare a group's rate with All students' (the gaps' ratio to "
        "All students) to see whether its families are represented in proportion to its "
        "enrollment.",
    )


ENGAGEMENT: tuple[Indicator, ...] = (
    *(_participation(a) for a in ACTIVITY_SPECS),
    Indicator(
        id="family_any", name="Families taking part in any school activity",
        description="Share of students whose family took part in at least one recorded "
        "activity (conference, council, committee, workshop, survey, home visit) during the "
        "school year; OTHER rows (contacts such as a letter sent) are not participation.",
        citation=CITE_DASHBOARD, universe="TRUE", outcome="family_any",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="TK-12",
        needs=("enrollments", "family_engagement"),
        needs_columns=("family_engagement.student_id",), source=Source.FAMILY_YEAR,
        caveats=RECORDED,
    ),
    Indicator(
        id="conference_at_risk",
        name="Conference with the family of a student showing a warning sign",
        description="Share of students with an early-warning sign this year (absent 10% or "
        "more of the days enrolled, suspended, or a semester F in a core course) whose family "
        "had a parent-teacher conference.",
        citation="ABC early-warning signs (Balfanz; METHODS.md 5); " + CITE_DASHBOARD,
        universe="abc_at_risk", outcome="family_conference",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="TK-12",
        needs=("enrollments", "family_engagement"),
        needs_columns=("family_engagement.student_id",), source=Source.FAMILY_YEAR,
        caveats=RECORDED + " The warning signs are the ABC signs of this year's data, not "
        "the early-warning model's tiers.",
    ),
)


def climate_indicators(items: ItemMap) -> tuple[Indicator, ...]:
    """One indicator per student scale of the item map."""
    return tuple(Indicator(
        id=s.indicator_id, name=f"Students answering favourably: {s.name.lower()}",
        description=f"Share of students who answered the survey's '{s.name}' items "
        "favourably (their average answer at or above the favourable cut of the item map).",
        citation="Local Climate Survey (Dashboard Priority 6); scale structure of the "
        f"California surveys (CalSCHLS), item map: {items.name}",
        universe=f"{s.code.lower()}_answered", outcome=f"{s.code.lower()}_favourable",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="surveyed grades",
        needs=("enrollments", "survey_responses"),
        needs_columns=("survey_responses.student_id",), source=Source.FAMILY_YEAR,
        caveats="Only student answers linked to the student (student_id) are counted; an "
        "anonymous survey gives no results by group. Which answers count as favourable is "
        "set in the item map (unverified against CalSCHLS reports).",
    ) for s in items.student_scales())


def family_indicators(items: ItemMap | None = None) -> tuple[Indicator, ...]:
    return ENGAGEMENT + climate_indicators(items or load_items())


def with_climate(builtin: tuple[Indicator, ...], config: object) -> list[Indicator]:
    """The built-in indicators with the climate indicators of the configured item map (a
    district's own map replaces the shipped scales)."""
    from gapwatch.families.items import survey_items

    items = survey_items(config)
    if items.path == load_items().path:
        return list(builtin)
    shipped = {i.id for i in climate_indicators(load_items())}
    return [i for i in builtin if i.id not in shipped] + list(climate_indicators(items))
