"""The LCFF formula as pure functions (EC 42238.02; METHODS.md 6.1).

Per grade span: base grant x ADA, plus the grade-span adjustment (K-3 +10.4%, 9-12 +2.6%, in
whole dollars per ADA as CDE publishes them); supplemental = 20% of the adjusted base x UPP;
concentration = 65% (50% before 2021-22, as the year's rate table says) of the adjusted base x
(UPP - 55%) when positive; a charter school's concentration share is capped at its host
district's UPP. TK ADA also earns the K-3 rates; the TK add-on (dollars per TK ADA, 2023-24 on)
is added separately and earns no supplemental or concentration grant. UPP is the three-year
rolling unduplicated pupil percentage (EC 42238.02(b)(5), EC 35735.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gapwatch.resources.lcff_tables import SPANS, Rates


def rolling_years(counts_by_year: Mapping[int, tuple[int, int]], year: int) -> tuple[int, ...]:
    """The years the UPP of ``year`` is computed over: ``year`` and the two before, if known."""
    return tuple(y for y in (year - 2, year - 1, year) if y in counts_by_year)


def unduplicated_pupil_percentage(counts_by_year: Mapping[int, tuple[int, int]],
                                  year: int) -> float:
    """Three-year rolling UPP: unduplicated pupils summed over ``year`` and the two prior years
    divided by enrollment summed over the same years (EC 42238.02(b)(5); EC 35735.1 spells out
    the current, prior and second prior years' counts). ``counts_by_year`` maps a year to
    census-day ``(unduplicated, enrollment)``. A shorter history uses the years there are (as
    EC 35735.1 does for a new district): :func:`rolling_years` tells which.

    >>> unduplicated_pupil_percentage(
    ...     {2023: (3000, 4000), 2024: (3100, 4000), 2025: (3200, 4000)}, 2025)
    0.775
    >>> unduplicated_pupil_percentage({2024: (45, 100), 2025: (60, 100)}, 2025)  # two years
    0.525
    """
    if year not in counts_by_year:
        raise KeyError(f"no census counts for {year}")
    used = rolling_years(counts_by_year, year)
    enrolled = sum(counts_by_year[y][1] for y in used)
    if enrolled <= 0:
        raise ValueError(f"no enrollment in {used}")
    return sum(counts_by_year[y][0] for y in used) / enrolled


@dataclass(frozen=True)
class SpanAmounts:
    """Dollars one grade span generates."""

    ada: float
    base: float
    grade_span_adjustment: float
    supplemental: float
    concentration: float

    @property
    def total(self) -> float:
        return self.base + self.grade_span_adjustment + self.supplemental + self.concentration


@dataclass(frozen=True)
class Entitlement:
    """LCFF base, adjustment, supplemental, concentration and TK add-on, by span and in total.

    ``concentration_upp`` is the share the concentration grant used (the UPP, or a charter's
    capped share); ``tk_add_on`` is None when TK ADA was given but the rates have no figure.
    """

    upp: float
    by_span: Mapping[str, SpanAmounts]
    concentration_upp: float = 0.0
    tk_add_on: float | None = 0.0

    def _sum(self, part: str) -> float:
        return sum(getattr(a, part) for a in self.by_span.values())

    base = property(lambda self: self._sum("base"))
    grade_span_adjustment = property(lambda self: self._sum("grade_span_adjustment"))
    supplemental = property(lambda self: self._sum("supplemental"))
    concentration = property(lambda self: self._sum("concentration"))

    @property
    def total(self) -> float:
        return self._sum("total") + (self.tk_add_on or 0.0)


def lcff_entitlement(ada_by_span: Mapping[str, float], upp: float, rates: Rates, *,
                     tk_ada: float = 0.0, host_upp: float | None = None) -> Entitlement:
    """LCFF target entitlement of ``ada_by_span`` (keys from :data:`SPANS`) at ``upp``.

    ``tk_ada``: the part of the K-3 ADA in transitional kindergarten (earns the TK add-on);
    ``host_upp``: for a charter school, its host district's UPP, which caps the share the
    concentration grant uses (EC 42238.02, METHODS.md 6.1).

    >>> from gapwatch.resources.lcff_tables import rate_tables
    >>> e = lcff_entitlement({"K-3": 100.0}, 0.775, rate_tables()[2025])
    >>> [round(x, 2) for x in (e.base, e.grade_span_adjustment, e.supplemental,
    ...                        e.concentration)]
    [1002500.0, 104300.0, 171554.0, 161869.5]
    >>> e = lcff_entitlement({"K-3": 100.0}, 0.775, rate_tables()[2025], tk_ada=10.0,
    ...                      host_upp=0.65)
    >>> e.concentration_upp, round(e.concentration), e.tk_add_on
    (0.65, 71942, 30770.0)
    """
    if not 0 <= upp <= 1 or not set(ada_by_span) <= set(SPANS):
        raise ValueError(f"UPP must be in [0, 1] and spans among {SPANS}")
    if not 0 <= tk_ada <= ada_by_span.get("K-3", 0.0) + 1e-9:
        raise ValueError("TK ADA must be part of the K-3 ADA")
    conc_upp = upp if host_upp is None else min(upp, host_upp)
    above = max(0.0, conc_upp - rates.concentration_threshold)
    spans = {}
    for span, ada in ada_by_span.items():
        base = ada * rates.base_grant[span]
        adjusted = ada * rates.adjusted_base(span)
        spans[span] = SpanAmounts(ada, base, adjusted - base,
                                  adjusted * rates.supplemental_rate * upp,
                                  adjusted * rates.concentration_rate * above)
    tk = 0.0 if tk_ada == 0 else None if rates.tk_add_on is None else tk_ada * rates.tk_add_on
    return Entitlement(upp, spans, conc_upp, tk)

