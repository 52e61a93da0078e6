"""The goals section of docs/configuration.md, generated from GOAL_KEYS and COLUMNS."""

from __future__ import annotations

from gapwatch.goals.progress import COLUMNS, MIN_N
from gapwatch.goals.spec import GOAL_KEYS

EXAMPLE = '''\
[[goals]]
id = "el_reclassified_2028"
name = "Every English learner who entered in K-1 reclassified by the end of grade 6"
indicator = "el_reclassified_by_grade6"
target = 100            # percent
by = 2028

[[goals]]
id = "chronic_absence_2027"
name = "Chronic absence at or below 10% for every group"
indicator = "chronic_absence"
groups = "every"
entities = "all"        # district, board districts and schools
target = 10             # percent; lower is better, so "at most 10%"
by = 2027
interim = {2025 = 16.0, 2026 = 13.0}

[[goals]]
id = "reading_gap_2028"
name = "Halve the Black-White grade 3 reading gap"
indicator = "grade3_reading_met"
gap = ["AA", "WH"]      # African American minus White, percentage points
reduce_by = 0.5
baseline_year = 2024
by = 2028'''

#: column -> meaning, for the progress table.
COLUMN_HELP: dict[str, str] = {
    "goal_id": "The goal's `id`.",
    "goal_name": "The goal's `name`.",
    "indicator": "Indicator id.",
    "entity_type": "`district`, `board_district` or `school`.",
    "entity_id": "District, board district or school identifier.",
    "entity_name": "Its name.",
    "student_group": "Student group (on gap goals: the group).",
    "reference_group": "Gap goals: the reference group; empty on value goals.",
    "school_year": "Latest school year with results for the goal's indicator, groups and "
                   "entities (at most the current year).",
    "n": "Students the value rests on (gap goals: the smaller of the two groups).",
    "value": "Value that year: percent for rates, points for means; gap goals: group minus "
             "reference. Empty when n is below the minimum reporting size.",
    "baseline_year": "Year the goal is measured from.",
    "baseline_value": "Value in the baseline year.",
    "target_year": "The goal's `by`.",
    "target_value": "The final target (gap goals: the gap size to reach, from `target` or "
                    "`(1 - reduce_by)` x the absolute baseline gap).",
    "interim_target": "This year's target: a straight line from the baseline to the target, "
                      "through any `interim` targets.",
    "status": "`met`, `on track`, `off track` or `no data`.",
    "projected_value": "Weighted least-squares trend over the years with data, at the target "
                       "year (NaN with fewer than two years).",
    "projected_low": "Lower end of its 95% interval.",
    "projected_high": "Upper end of its 95% interval.",
    "p_meet": "Probability (normal approximation) that the value at the target year meets "
              "the target, if the trend holds.",
    "note": "Why a row has no data, no target or no projection.",
}


def render_goals_doc() -> str:
    """Markdown: the ``[[goals]]`` keys, an example, and what progress reports mean."""
    lines = [
        "## District goals: `[[goals]]`",
        "",
        "Each `[[goals]]` table is one goal. A **value goal** sets a target for each group's "
        "value; a **gap goal** (`gap = [group, reference]`) sets a target for the gap, group "
        "minus reference, and aims to shrink its absolute size. Targets are in **percent** for "
        "rate indicators (`target = 10` is 10%) and in the indicator's points for means.",
        "",
        "```toml", EXAMPLE, "```",
        "",
        "| key | meaning |",
        "|---|---|",
        *(f"| `{key}` | {text} |" for key, text in GOAL_KEYS.items()),
        "",
        "A mistake (an unknown key, indicator or group, both or neither of `target` and "
        "`reduce_by` on a gap goal, `by` not after `baseline_year`, a repeated `id`) stops "
        "the run with a message naming the goal and the key.",
        "",
        "### Progress",
        "",
        "`gapwatch run` reports, for each goal, entity and group, the latest school year: "
        f"values with n below {MIN_N} (the minimum reporting size) are not shown and count "
        "as `no data`; they are also left out of the baseline and the trend. **met**: the value "
        "meets the final target; **on track**: it meets this year's interim target; "
        "**off track**: it does not.",
        "",
        "The projection fits a straight line to the years with data by weighted least "
        "squares (weights 1/se^2), and extends it to the target year with a 95% interval. "
        "It is an extrapolation that assumes the recent trend continues in a straight line: "
        "it cannot foresee new programmes, changes in who is counted, or a different cohort, "
        "and with two or three years of data it is rough. A gap's standard error treats the two "
        "groups as independent. Read `p_meet` as \"if the trend so far holds\", not as a "
        "forecast.",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{c}` | {COLUMN_HELP[c]} |" for c in COLUMNS),
        "",
    ]
    return "\n".join(lines)
