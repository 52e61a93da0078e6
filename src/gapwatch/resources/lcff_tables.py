"""LCFF rate tables: one TOML file per fiscal year in ``lcff_rates/``, loaded and checked here.

Each file holds the base grant per ADA of each grade span, the grade-span adjustments, the
supplemental and concentration rates and threshold, the TK add-on where known, the COLA, a
``source`` and a ``verified`` flag (``lcff_rates/2024-25.toml``). The shipped files cover
2021-22 through 2025-26 (METHODS.md 6.1: CDE's tables as reproduced in San Juan USD bond
Official Statements); a district adds or replaces years with its own folder of files
(:func:`rate_tables`, setting ``lcff.rates_dir``).

Checks on every file: the concentration rate is the statute's for the year (EC 42238.02: 65%
from 2021-22, 50% before); the whole-dollar adjusted rates, base + round(base x adjustment),
equal any ``published_adjusted`` amounts the file lists (CDE publishes them in whole dollars:
2024-25 K-3 $11,068, 9-12 $12,460).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

SPANS = ("K-3", "4-6", "7-8", "9-12")
#: First fiscal year (its spring year) of the 65% concentration rate; 50% before (EC 42238.02).
CONCENTRATION_65_FROM = 2022


def fiscal_year(school_year: int) -> str:
    """``2025`` -> ``"2024-25"`` (gapwatch's spring year to CDE's fiscal year)."""
    return f"{school_year - 1}-{school_year % 100:02d}"


def statutory_concentration_rate(school_year: int) -> float:
    """The concentration rate EC 42238.02 sets for a year: 0.65 from 2021-22, 0.50 before.

    >>> statutory_concentration_rate(2021), statutory_concentration_rate(2022)
    (0.5, 0.65)
    """
    return 0.65 if school_year >= CONCENTRATION_65_FROM else 0.50


def whole_dollars(x: float | Decimal) -> int:
    """Rounded to the dollar, halves up (CDE publishes whole-dollar per-ADA amounts)."""
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rates:
    """One fiscal year's rates, as in ``lcff_rates/<fiscal_year>.toml``."""

    fiscal_year: str
    school_year: int
    base_grant: Mapping[str, float]
    grade_span_adjustment: Mapping[str, float]
    supplemental_rate: float
    concentration_rate: float
    concentration_threshold: float
    source: str
    verified: bool
    #: dollars per unit of TK ADA, None when the file has no figure (``tk_add_on_note`` says why)
    tk_add_on: float | None = None
    tk_add_on_note: str = ""
    cola: float | None = None
    published_adjusted: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, text: str, where: str = "LCFF rate table") -> Rates:
        d = tomllib.loads(text)
        required = ("fiscal_year", "school_year", "base_grant", "grade_span_adjustment",
                    "supplemental_rate", "concentration_rate", "concentration_threshold",
                    "source", "verified")
        names = [f for f in required if f not in d]
        if names or set(d["base_grant"]) != set(SPANS) or d["fiscal_year"] != fiscal_year(
                d["school_year"]) or not set(d["grade_span_adjustment"]) <= set(SPANS):
            raise ValueError(f"{where}: bad LCFF rate table {d.get('fiscal_year')}: missing "
                             f"{names}, or spans other than {SPANS}, or school_year not the "
                             "fiscal year's")
        unknown = set(d) - set(cls.__dataclass_fields__) - {"augmentation"}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        rates = cls(**{f: d[f] for f in cls.__dataclass_fields__ if f in d})
        rates.check(where)
        return rates

    def check(self, where: str) -> None:
        """The statute's concentration rate, and the published whole-dollar amounts."""
        law = statutory_concentration_rate(self.school_year)
        if abs(self.concentration_rate - law) > 1e-12:
            raise ValueError(f"{where}: concentration_rate {self.concentration_rate} for "
                             f"{self.fiscal_year}, but EC 42238.02 sets {law} that year (65% "
                             "from 2021-22, 50% before)")
        if not set(self.published_adjusted) <= set(SPANS):
            raise ValueError(f"{where}: published_adjusted spans must be among {SPANS}")
        for span, published in self.published_adjusted.items():
            got = self.adjusted_base(span)
            if got != published:
                raise ValueError(f"{where}: adjusted {span} rate {got} differs from the "
                                 f"published {published}")

    def grade_span_dollars(self, span: str) -> int:
        """The span's adjustment per ADA in whole dollars (0 for spans without one)."""
        return whole_dollars(Decimal(str(self.base_grant[span]))
                             * Decimal(str(self.grade_span_adjustment.get(span, 0.0))))

    def adjusted_base(self, span: str) -> float:
        """Base grant per ADA of ``span`` plus its grade-span adjustment, in whole dollars.

        >>> r = rate_tables()[2025]
        >>> r.grade_span_dollars("K-3"), r.adjusted_base("K-3"), r.adjusted_base("9-12")
        (1043, 11068, 12460)
        """
        return self.base_grant[span] + self.grade_span_dollars(span)


def _read(folder, where: str) -> dict[int, Rates]:
    out = {}
    for f in folder.iterdir():
        if f.name.endswith(".toml"):
            r = Rates.from_toml(f.read_text(encoding="utf-8"), f"{where}/{f.name}")
            if f.name != f"{r.fiscal_year}.toml":
                raise ValueError(f"{where}/{f.name}: holds fiscal year {r.fiscal_year}")
            out[r.school_year] = r
    return out


def rate_tables(district_dir: Path | None = None) -> dict[int, Rates]:
    """The rate tables by school year (2025 = fiscal year 2024-25): the shipped ones, with the
    files of ``district_dir`` (``<fiscal year>.toml``) added or replacing them."""
    tables = _read(resources.files("gapwatch.resources") / "lcff_rates", "lcff_rates")
    if district_dir is not None:
        if not district_dir.is_dir():
            raise ValueError(f"{district_dir}: LCFF rates folder not found")
        tables |= _read(district_dir, str(district_dir))
    return tables
