"""The Academic Indicator's participation rule: lowest obtainable scale scores for missing tests.

When fewer than 95% of a school's, district's or group's enrolled students in grades 3-8 and 11
tested (Smarter Balanced or CAA), CDE adds the lowest obtainable scale score (LOSS) for the
missing students needed to reach 95%, and the Distance from Standard status includes those
values (2024-25 record layouts, METHODS.md 6.4). The rule is data (``participation.toml``,
with its source and what is gapwatch's reading); it applies only when a district turns it on
(``indicators.participation_rule``), and the participation rate is reported either way.

Per student (view columns, :func:`columns_sql`): ``<s>_expected`` (enrolled at the entity on
the default test day in a tested grade), ``<s>_tested`` (and a Smarter Balanced or CAA score
in the subject that year), ``<s>_loss_dfs`` (LOSS minus the Level 3 threshold of the student's
grade). Per group (:func:`apply_loss`): the exact sums of the mean with the LOSS values added.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib.resources import files

from gapwatch.reference import SBAC_SCALE_RANGE, SBAC_THRESHOLDS

TESTED_GRADES = (3, 4, 5, 6, 7, 8, 11)


@dataclass(frozen=True)
class ParticipationRule:
    version: str
    source: str
    min_rate: Fraction
    first_year: int
    verified: dict[str, bool]


@cache
def rule() -> ParticipationRule:
    """The shipped rule (``indicators/participation.toml``)."""
    d = tomllib.loads((files("gapwatch.indicators") / "participation.toml").read_text("utf-8"))
    return ParticipationRule(
        version=d["version"], source=d["source"],
        min_rate=Fraction(str(d["min_rate"])), first_year=int(d["first_year"]),
        verified={"rule": bool(d["verified"]), "first_year": bool(d["first_year_verified"]),
                  "reading": bool(d["reading_verified"])})


def loss_dfs(subject: str, grade: int) -> int:
    """LOSS minus the Level 3 threshold (points below standard of a missing test).

    >>> loss_dfs("ELA", 3), loss_dfs("MATH", 11)  # 2115 - 2432, 2280 - 2628
    (-317, -348)
    """
    return SBAC_SCALE_RANGE[(subject, grade)][0] - SBAC_THRESHOLDS[(subject, grade)][1]


def columns_sql(s: str) -> str:
    """``<s>_expected``, ``<s>_tested``, ``<s>_loss_dfs`` for subject ``s`` (ela/math) over the
    student-year columns (grade, first_entry, last_day, default_test_day, <s>_dfs, caa_<s>)."""
    grades = ", ".join(map(str, TESTED_GRADES))
    whens = " ".join(f"WHEN {g} THEN {loss_dfs(s.upper(), g)}" for g in TESTED_GRADES)
    expected = (f"coalesce(grade IN ({grades}) AND first_entry <= default_test_day "
                f"AND last_day >= default_test_day, FALSE)")
    return f"""{expected} AS {s}_expected,
           {expected} AND ({s}_dfs IS NOT NULL OR coalesce(caa_{s}, FALSE)) AS {s}_tested,
           CASE grade {whens} END AS {s}_loss_dfs"""


@dataclass(frozen=True)
class LossAdded:
    """A group's mean with LOSS values added: exact sums (scaled) and how many were added."""

    total: Fraction
    total_sq: Fraction
    n: int
    added: int


def missing_to_add(expected: int, tested: int, min_rate: Fraction) -> int:
    """The fewest missing students that bring participation to ``min_rate``: 0 when met.

    >>> missing_to_add(100, 90, Fraction(95, 100)), missing_to_add(101, 90, Fraction(95, 100))
    (5, 6)
    >>> missing_to_add(20, 19, Fraction(95, 100))  # 95% exactly: met
    0
    """
    need = -(-min_rate.numerator * expected // min_rate.denominator)  # ceil
    return max(0, need - tested)


def apply_loss(total: int, total_sq: int, n: int, expected: int, tested: int, loss_total: int,
               min_rate: Fraction) -> LossAdded:
    """Sums of a mean (``total``, ``total_sq`` of values scaled to integers, ``n`` values) with
    LOSS values added for the missing students below ``min_rate`` participation: each added
    value is the mean LOSS distance of the group's untested students (``loss_total`` scaled,
    over ``expected - tested`` students)."""
    k = missing_to_add(expected, tested, min_rate) if expected else 0
    if k == 0 or expected == tested:
        return LossAdded(Fraction(total), Fraction(total_sq), n, 0)
    value = Fraction(loss_total, expected - tested)
    return LossAdded(total + k * value, total_sq + k * value * value, n + k, k)


def mean_var(sums: LossAdded, scale: int) -> tuple[float, float]:
    """Mean and sample variance of the values behind ``sums`` (NaN variance when n < 2)."""
    mean = sums.total / (sums.n * scale)
    if sums.n < 2:
        return float(mean), float("nan")
    var = (sums.n * sums.total_sq - sums.total ** 2) / (sums.n * (sums.n - 1) * scale * scale)
    return float(mean), float(var)


def group_means(totals: list, squares: list, ns: list[int], expected: list[int],
                tested: list[int], losses: list, years: list[int], enabled: bool, scale: int
                ) -> tuple[list[float], list[float], list[float | None], list[int], list[int]]:
    """Per group row: mean, variance, participation rate (tested / expected; None without
    expected students), LOSS values added and n, with the rule applied when ``enabled`` and the
    year is one of the rule's."""
    r = rule()
    means, variances, rates, added, out_n = [], [], [], [], []
    for total, square, n, e, t, loss, year in zip(totals, squares, ns, expected, tested,
                                                  losses, years, strict=True):
        e, t = int(e or 0), int(t or 0)
        if enabled and year >= r.first_year:
            sums = apply_loss(int(total), int(square), n, e, t, int(loss or 0), r.min_rate)
        else:
            sums = LossAdded(Fraction(int(total)), Fraction(int(square)), n, 0)
        mean, var = mean_var(sums, scale)
        means.append(mean)
        variances.append(var)
        rates.append(t / e if e else None)
        added.append(sums.added)
        out_n.append(sums.n)
    return means, variances, rates, added, out_n
