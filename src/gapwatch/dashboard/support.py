"""Support and improvement rules over Dashboard colors: who would qualify, and why.

Pure functions over colors (METHODS.md 1.6 and 6.6), each finding with a plain-language reason:

- :func:`differentiated_assistance` (districts, and charter schools as their own LEAs;
  cde.ca.gov/ta/ac/cm/leaproposedcrit.asp): a student group meeting criteria in two or more
  LCFF priority areas, under a Dashboard year's rules (:mod:`gapwatch.dashboard.support_rules`);
- :func:`csi_low_performing`, :func:`csi_low_graduation`, :func:`csi_graduation` (schools;
  cde.ca.gov/sp/sw/t1/csi.asp), :func:`atsi` and :func:`low_performing_groups` (student groups,
  for ATSI and TSI; cde.ca.gov/sp/sw/t1/tsi.asp), in :mod:`gapwatch.dashboard.csi`.

Colors are :class:`~gapwatch.dashboard.names.Color` members, their labels in any case, or None
(no color: the indicator does not count). Indicator keys are Dashboard names or gapwatch ids.
Group keys are gapwatch student-group codes (``ALL``, ``AA``, ``EL`` ...).

What these cannot reproduce: the state identifies CSI schools among Title I-funded schools
statewide (not less than the lowest-performing 5 percent); within one district gapwatch can
only say that a school or group meets the color pattern. Findings are flags for a closer look,
not the state's determination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gapwatch.dashboard.csi import (
    CSI_GRADUATION_BELOW,
    CSI_PATTERNS,
    MIN_INDICATORS,
    ATSIFinding,
    Colors,
    atsi,
    csi_graduation,
    csi_low_graduation,
    csi_low_performing,
    group_name,
    low_performing_groups,
    normalize,
)
from gapwatch.dashboard.names import INDICATOR_LABELS, Color
from gapwatch.dashboard.support_rules import DARules, rules_for

__all__ = ["CSI_GRADUATION_BELOW", "CSI_PATTERNS", "MIN_INDICATORS", "ATSIFinding", "DAFinding",
           "atsi", "csi_graduation", "csi_low_graduation", "csi_low_performing",
           "differentiated_assistance", "low_performing_groups"]


@dataclass(frozen=True)
class DAFinding:
    """A student group meeting differentiated-assistance criteria in two or more priorities."""

    group: str
    priorities: tuple[int, ...]
    reason: str


def differentiated_assistance(colors: Mapping[str, Colors],
                              rules: DARules | None = None) -> list[DAFinding]:
    """Student groups of an LEA that meet DA criteria in two or more LCFF priority areas.

    ``colors``: student group -> Dashboard indicator -> color; ``rules``: a Dashboard year's
    rules (default: the latest, :func:`~gapwatch.dashboard.support_rules.rules_for`). Priority
    4 (achievement): Red on both ELA and Math, or Red on one and Orange on the other, or Red on
    English Learner Progress for the EL group; from the 2025 Dashboard the long-term English
    learner group meets priority 4 by a Red or Orange ELPI alone, and its ELA and math do not
    count. 5 (engagement): Red on graduation or chronic absenteeism; 6 (climate): Red on
    suspension; 8 (other outcomes): Red on College/Career. On the 2023 Dashboard College/Career
    had a status only and CDE used Very Low as a proxy for Red: pass Red then (the ``support``
    table does, from the rules' ``cci_very_low_as_red``).

    >>> f = differentiated_assistance({
    ...     "AA": {"ela": "Red", "math": "Orange", "chronic_absence": "Red"},
    ...     "WH": {"ela": "Green", "suspension": "Red"}})
    >>> [(x.group, x.priorities) for x in f]
    [('AA', (4, 5))]
    >>> f[0].reason
    'African American students: Red on ELA and Orange on Math (priority 4); Red on chronic absenteeism (priority 5)'
    >>> [x.reason for x in differentiated_assistance(
    ...     {"LTEL": {"elpi": "Orange", "ela": "Red", "math": "Red", "suspension": "Red"}})]
    ['Long-term English learners: Orange on English Learner Progress (long-term English learner rule, 2025 Dashboard on) (priority 4); Red on suspension rate (priority 6)']
    """  # noqa: E501
    rules = rules or rules_for(9999).da
    findings = []
    for group, by_indicator in colors.items():
        met = _priorities(group, normalize(by_indicator), rules)
        if len(met) >= rules.min_priorities:
            text = "; ".join(f"{why} (priority {p})" for p, why in met.items())
            findings.append(DAFinding(group, tuple(met), f"{group_name(group)}: {text}"))
    return findings


def _priorities(group: str, c: dict[str, Color | None], rules: DARules) -> dict[int, str]:
    red, orange = Color.RED, Color.ORANGE
    met: dict[int, list[str]] = {4: [], 5: [], 6: [], 8: []}
    ela, math, elpi = c.get("ela"), c.get("math"), c.get("elpi")
    ltel = group == "LTEL" and bool(rules.ltel_elpi_colors)
    if group != "LTEL" or rules.ltel_academic:
        if ela is red and math is red:
            met[4].append("Red on ELA and Math")
        elif {ela, math} == {red, orange}:
            met[4].append(f"{ela} on ELA and {math} on Math")
    if group in rules.elpi_red_groups and elpi is red:
        met[4].append("Red on English Learner Progress")
    if ltel and elpi is not None and elpi in rules.ltel_elpi_colors:
        met[4].append(f"{elpi} on English Learner Progress (long-term English learner rule, "
                      "2025 Dashboard on)")
    reds5 = [INDICATOR_LABELS[i] for i in ("graduation", "chronic_absence") if c.get(i) is red]
    if reds5:
        met[5].append("Red on " + " and ".join(reds5))
    for priority, indicator in ((6, "suspension"), (8, "cci")):
        if c.get(indicator) is red:
            met[priority].append(f"Red on {INDICATOR_LABELS[indicator]}")
    return {p: ", ".join(why) for p, why in met.items() if why}
