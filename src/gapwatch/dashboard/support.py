"""Support and improvement rules over Dashboard colors: who would qualify, and why.

Pure functions over colors (METHODS.md 1.6), each finding with a plain-language reason:

- :func:`differentiated_assistance` (districts; cde.ca.gov/ta/ac/cm/leaproposedcrit.asp,
  sysofsupport.asp): a student group meeting criteria in two or more LCFF priority areas.
- :func:`csi_low_performing`, :func:`csi_graduation` (schools; cde.ca.gov/sp/sw/t1/csi.asp) and
  :func:`atsi` (student groups; cde.ca.gov/sp/sw/t1/tsi.asp).

Colors are :class:`~gapwatch.dashboard.names.Color` members, their labels in any case, or None
(no color: the indicator does not count). Indicator keys are Dashboard names or gapwatch ids.
Group keys are gapwatch student-group codes (``ALL``, ``AA``, ``EL`` ...).

What these cannot reproduce: the state identifies CSI schools among Title I-funded schools
statewide (not less than the lowest-performing 5 percent), on a three-year cycle, and ATSI and
charter-school DA from two Dashboard years; within one district gapwatch can only say that a
school or group meets the color pattern. Findings are flags for a closer look, not the state's
determination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from gapwatch.dashboard.levels import round_tenth
from gapwatch.dashboard.names import (
    INDICATOR_LABELS,
    INDICATORS,
    Color,
    as_color,
    dashboard_indicator,
)
from gapwatch.groups import group_label

Colors = Mapping[str, Color | str | None]

#: CSI low-performing color patterns, in CDE's order; the first that matches is reported.
CSI_PATTERNS = ("all Red", "all Red but one", "five or more indicators with a majority Red",
                "all Red and Orange")
#: High schools whose graduation rate, averaged over two years, is below this (percent).
CSI_GRADUATION_BELOW = Decimal("68.0")
#: Fewest indicators with a color for any CSI/ATSI color pattern.
MIN_INDICATORS = 2


@dataclass(frozen=True)
class DAFinding:
    """A student group meeting differentiated-assistance criteria in two or more priorities."""

    group: str
    priorities: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class ATSIFinding:
    """A student group meeting a CSI low-performing color pattern on its own."""

    group: str
    pattern: str
    reason: str


def differentiated_assistance(colors: Mapping[str, Colors]) -> list[DAFinding]:
    """Student groups of a district that meet DA criteria in two or more LCFF priority areas.

    ``colors``: student group -> Dashboard indicator -> color. Priority 4 (achievement): Red on
    both ELA and Math, or Red on one and Orange on the other, or Red on English Learner Progress
    for the EL group; 5 (engagement): Red on graduation or chronic absenteeism; 6 (climate): Red
    on suspension; 8 (other outcomes): Red on College/Career. On the 2023 Dashboard
    College/Career had a status only and CDE used Very Low as a proxy for Red: pass Red then.

    >>> f = differentiated_assistance({
    ...     "AA": {"ela": "Red", "math": "Orange", "chronic_absence": "Red"},
    ...     "WH": {"ela": "Green", "suspension": "Red"}})
    >>> [(x.group, x.priorities) for x in f]
    [('AA', (4, 5))]
    >>> f[0].reason
    'African American students: Red on ELA and Orange on Math (priority 4); Red on chronic absenteeism (priority 5)'
    """  # noqa: E501
    findings = []
    for group, by_indicator in colors.items():
        met = _priorities(group, _normalize(by_indicator))
        if len(met) >= 2:
            text = "; ".join(f"{why} (priority {p})" for p, why in met.items())
            findings.append(DAFinding(group, tuple(met), f"{_group_name(group)}: {text}"))
    return findings


def csi_low_performing(colors: Colors) -> str | None:
    """Why a school's All-students colors meet a CSI low-performing pattern, or None.

    Patterns (cde.ca.gov/sp/sw/t1/csi.asp, METHODS.md 1.6): all Red; all Red but one indicator of
    any other color; five or more indicators where the majority are Red; all Red and Orange.
    Only indicators with a color count, and at least two are needed (a district's restatement
    of CDE's rule, "must have at least two indicators"; CDE's Technical Guide was not checked).
    Read literally: with two indicators, one Red and one of any color is "all Red but one";
    "all Red and Orange" includes all Orange. The state ranks Title I-funded schools statewide
    (lowest 5 percent); that ranking cannot be reproduced within one district, so this flags
    schools that meet the color pattern.

    >>> csi_low_performing({"ela": "Red", "math": "Red", "chronic_absence": "Green"})
    "All students meet the CSI color pattern 'all Red but one' (2 of 3 indicators Red): Red on ELA and Math; Green on chronic absenteeism"
    >>> csi_low_performing({"ela": "Red", "math": "Yellow", "suspension": "Green"}) is None
    True
    """  # noqa: E501
    match = _pattern(_normalize(colors))
    return None if match is None else f"All students meet the CSI color pattern {match[1]}"


def csi_graduation(rates: Mapping[int, float]) -> str | None:
    """Why a high school meets CSI for low graduation, or None.

    ``rates``: school year -> graduation rate in PERCENT (0-100; gapwatch stores 0-1, so
    multiply by 100, or every school is flagged). The two latest years, which
    must be consecutive, are averaged and rounded to 0.1; below 68 percent qualifies (METHODS.md
    1.6; CDE's exit rule uses 68 percent, cde.ca.gov/ta/ac/cm/csilowgradrate.asp). CDE pools
    graduates and cohorts when it has them; with rates only, this averages the two rates.

    >>> csi_graduation({2024: 66.0, 2025: 69.1})
    'Graduation rate averaged over 2024 and 2025 is 67.6% (66.0% and 69.1%), below 68%'
    >>> csi_graduation({2024: 70.0, 2025: 66.0}) is None
    True
    """
    years = sorted(rates)
    if len(years) < 2 or years[-1] - years[-2] != 1:
        raise ValueError(f"need graduation rates for two consecutive years, got {years}")
    first, last = years[-2], years[-1]
    r1, r2 = Decimal(str(rates[first])), Decimal(str(rates[last]))
    average = round_tenth((r1 + r2) / 2)
    if average >= CSI_GRADUATION_BELOW:
        return None
    return (f"Graduation rate averaged over {first} and {last} is {average}% "
            f"({round_tenth(r1)}% and {round_tenth(r2)}%), below {CSI_GRADUATION_BELOW:.0f}%")


def atsi(colors_by_group: Mapping[str, Colors]) -> list[ATSIFinding]:
    """Student groups (all but ``ALL``) whose own colors meet a CSI low-performing pattern.

    Same patterns as :func:`csi_low_performing`. CDE applies this to schools not eligible for
    CSI, to race/ethnicity, EL, foster youth, homeless, students with disabilities and SED, with
    two years of Dashboard results in some cycles (cde.ca.gov/sp/sw/t1/tsi.asp); this checks
    every group it is given, on the colors given.

    >>> [f.reason for f in atsi({"ALL": {"ela": "Red", "math": "Red"},
    ...                          "SWD": {"ela": "Red", "math": "Orange"}})]
    ["Students with disabilities meet the CSI color pattern 'all Red but one' (1 of 2 indicators Red): Red on ELA; Orange on Math"]
    """  # noqa: E501
    findings = []
    for group, colors in colors_by_group.items():
        match = None if group == "ALL" else _pattern(_normalize(colors))
        if match is not None:
            findings.append(ATSIFinding(group, match[0], f"{_group_name(group)} meet the CSI "
                                                         f"color pattern {match[1]}"))
    return findings


def _priorities(group: str, c: dict[str, Color | None]) -> dict[int, str]:
    red, orange = Color.RED, Color.ORANGE
    met: dict[int, list[str]] = {4: [], 5: [], 6: [], 8: []}
    ela, math = c.get("ela"), c.get("math")
    if ela is red and math is red:
        met[4].append("Red on ELA and Math")
    elif {ela, math} == {red, orange}:
        met[4].append(f"{ela} on ELA and {math} on Math")
    if group == "EL" and c.get("elpi") is red:
        met[4].append("Red on English Learner Progress")
    reds5 = [INDICATOR_LABELS[i] for i in ("graduation", "chronic_absence") if c.get(i) is red]
    if reds5:
        met[5].append("Red on " + " and ".join(reds5))
    for priority, indicator in ((6, "suspension"), (8, "cci")):
        if c.get(indicator) is red:
            met[priority].append(f"Red on {INDICATOR_LABELS[indicator]}")
    return {p: ", ".join(why) for p, why in met.items() if why}


def _pattern(c: dict[str, Color | None]) -> tuple[str, str] | None:
    colored = {i: col for i, col in c.items() if col is not None}
    total, reds = len(colored), sum(col is Color.RED for col in colored.values())
    if total < MIN_INDICATORS:
        return None
    checks = (reds == total, reds == total - 1, total >= 5 and 2 * reds > total,
              all(col in (Color.RED, Color.ORANGE) for col in colored.values()))
    for name, met in zip(CSI_PATTERNS, checks, strict=True):
        if met:
            return name, f"'{name}' ({reds} of {total} indicators Red): {_summary(colored)}"
    return None


def _summary(colored: dict[str, Color]) -> str:
    parts = []
    for color in Color:
        names = [INDICATOR_LABELS[i] for i in INDICATORS if colored.get(i) is color]
        if names:
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"{color} on {joined}")
    return "; ".join(parts)


def _normalize(colors: Colors) -> dict[str, Color | None]:
    out: dict[str, Color | None] = {}
    for key, value in colors.items():
        name = dashboard_indicator(key)
        if name in out:
            raise ValueError(f"indicator {name!r} given twice (as {key!r})")
        out[name] = as_color(value)
    return out


def _group_name(code: str) -> str:
    label = group_label(code)
    if any(word in label.lower() for word in ("student", "learner", "youth")):
        return label
    return f"{label} students"
