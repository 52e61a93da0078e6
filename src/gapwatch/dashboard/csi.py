"""CSI, ATSI and TSI over Dashboard colors and graduation counts (METHODS.md 1.6 and 6.6).

- :func:`csi_low_performing`: a school's All-students colors meet a low-performing pattern;
- :func:`csi_low_graduation`: graduation pooled over the rule's years (three from the 2023
  Dashboard, two in 2018-2019) below 68%; :func:`csi_graduation` averages two rates when only
  rates are known;
- :func:`low_performing_groups`: student groups meeting a pattern on each of several Dashboards
  (ATSI: two years of results; TSI: two consecutive years); :func:`atsi` is the one-year check.
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
#: High schools whose graduation rate is below this (percent).
CSI_GRADUATION_BELOW = Decimal("68.0")
#: Fewest indicators with a color for any CSI/ATSI color pattern.
MIN_INDICATORS = 2


@dataclass(frozen=True)
class ATSIFinding:
    """A student group meeting a CSI low-performing color pattern (ATSI or TSI)."""

    group: str
    pattern: str
    reason: str


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
    match = _pattern(normalize(colors))
    return None if match is None else f"All students meet the CSI color pattern {match[1]}"


def csi_low_graduation(counts: Mapping[int, tuple[int, int]], year: int, *, years: int = 3,
                       below: float = float(CSI_GRADUATION_BELOW)) -> str | None:
    """Why a high school meets CSI for low graduation in ``year``, or None.

    ``counts``: school year -> (graduates, students in the rate's denominator) of the Dashboard
    graduation rate. The rate is pooled over ``year`` and the ``years - 1`` before it (pooled
    graduates / pooled cohorts, METHODS.md 6.6: three years from the 2023 Dashboard, two in
    2018-2019), rounded to 0.1; below ``below`` percent qualifies. Every pooled year is needed.

    >>> csi_low_graduation({2023: (60, 100), 2024: (72, 100), 2025: (71, 100)}, 2025)
    'Graduation rate pooled over 2023-2025 is 67.7% (203 graduates of 300: 60/100 in 2023, 72/100 in 2024, 71/100 in 2025), below 68%'
    >>> csi_low_graduation({2023: (61, 100), 2024: (72, 100), 2025: (71, 100)}, 2025) is None
    True
    """  # noqa: E501
    wanted = list(range(year - years + 1, year + 1))
    missing = [y for y in wanted if y not in counts]
    if missing:
        raise ValueError(f"need graduates and cohorts for {wanted}; missing {missing}")
    grads, cohort = (sum(counts[y][i] for y in wanted) for i in (0, 1))
    if cohort <= 0:
        raise ValueError(f"no students in the graduation cohorts of {wanted}")
    rate = round_tenth(Decimal(grads) * 100 / Decimal(cohort))
    limit = Decimal(str(below))
    if rate >= limit:
        return None
    parts = ", ".join(f"{counts[y][0]}/{counts[y][1]} in {y}" for y in wanted)
    return (f"Graduation rate pooled over {wanted[0]}-{wanted[-1]} is {rate}% ({grads} "
            f"graduates of {cohort}: {parts}), below {limit:.0f}%")


def csi_graduation(rates: Mapping[int, float]) -> str | None:
    """Why a high school meets CSI for low graduation from two years' rates only, or None.

    ``rates``: school year -> graduation rate in PERCENT. The two latest years, which must be
    consecutive, are averaged and rounded to 0.1; below 68 percent qualifies. This is the
    2018-2019 two-year rule read on rates; CDE pools graduates and cohorts, and from the 2023
    Dashboard over three years: prefer :func:`csi_low_graduation` when counts are known.

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

    One Dashboard, every group given; :func:`low_performing_groups` applies a year's rules
    (CDE's groups, two years of results).

    >>> [f.reason for f in atsi({"ALL": {"ela": "Red", "math": "Red"},
    ...                          "SWD": {"ela": "Red", "math": "Orange"}})]
    ["Students with disabilities meet the CSI color pattern 'all Red but one' (1 of 2 indicators Red): Red on ELA; Orange on Math"]
    """  # noqa: E501
    return low_performing_groups({0: colors_by_group})


def low_performing_groups(by_year: Mapping[int, Mapping[str, Colors]],
                          groups: tuple[str, ...] | None = None) -> list[ATSIFinding]:
    """Groups meeting a CSI low-performing pattern on every Dashboard year of ``by_year``.

    ``by_year``: Dashboard year -> group -> indicator -> color (ATSI: this year and last; TSI:
    two consecutive years); ``groups``: the groups the rule covers (None: all but ``ALL``). The
    pattern reported is the latest year's; the reason names each year's (a year key of 0 is not
    named).

    >>> [f.reason for f in low_performing_groups(
    ...     {2025: {"SWD": {"ela": "Red", "math": "Red"}},
    ...      2024: {"SWD": {"ela": "Red", "math": "Orange"}}}, ("SWD",))]
    ["Students with disabilities meet the CSI color pattern 'all Red' (2 of 2 indicators Red): Red on ELA and Math in 2025 and 'all Red but one' (1 of 2 indicators Red): Red on ELA; Orange on Math in 2024"]
    """  # noqa: E501
    years = sorted(by_year, reverse=True)
    latest = by_year[years[0]] if years else {}
    findings = []
    for group in latest:
        if group == "ALL" or (groups is not None and group not in groups):
            continue
        matches = [_pattern(normalize(by_year[y].get(group, {}))) for y in years]
        if any(m is None for m in matches):
            continue
        text = " and ".join(m[1] + (f" in {y}" if y else "")
                            for m, y in zip(matches, years, strict=True) if m)
        findings.append(ATSIFinding(group, matches[0][0],  # type: ignore[index]
                                    f"{group_name(group)} meet the CSI color pattern {text}"))
    return findings


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


def normalize(colors: Colors) -> dict[str, Color | None]:
    """Dashboard indicator name -> Color (or None) from any accepted keys and color spellings."""
    out: dict[str, Color | None] = {}
    for key, value in colors.items():
        name = dashboard_indicator(key)
        if name in out:
            raise ValueError(f"indicator {name!r} given twice (as {key!r})")
        out[name] = as_color(value)
    return out


def group_name(code: str) -> str:
    """A group's name for a sentence: "African American students", "English learners"."""
    label = group_label(code)
    if any(word in label.lower() for word in ("student", "learner", "youth")):
        return label
    return f"{label} students"
