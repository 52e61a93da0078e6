"""The privacy policy: minimum cell size, k, and top/bottom coding of rates.

Sources:

- Minimum cell size: states use 5-30 students, most often 10 (NCES 2011-603, *Statistical
  Methods for Protecting Personally Identifiable Information in Aggregate Reporting*, SLDS
  Technical Brief 3). California shows nothing below 11 on the Dashboard; gapwatch's default
  ``min_n`` is 11.
- Top/bottom coding: the Utah rule (METHODS.md §3): a rate near 0 or 100 is shown only as a
  range, wider for smaller groups: n >= 300: "≥ 99%" / "≤ 1%"; 100-299: 98/2; 40-99: 95/5.
  The 11-39 band (90/10) is gapwatch's extension for small groups (privacy spec).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: (smallest n of the band, top cut in percent); the bottom cut is 100 - top cut.
CODING_BANDS: tuple[tuple[int, float], ...] = ((300, 99.0), (100, 98.0), (40, 95.0), (11, 90.0))


def round1(value: float) -> float:
    """Round to one decimal, half away from zero, on the number as written (2.45 -> 2.5)."""
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Policy:
    """What may be published: ``min_n`` (primary suppression below it), ``k`` (every suppressed
    count must keep at least k possible integer values) and ``coding`` (top/bottom coding)."""

    min_n: int = 11
    k: int = 3
    coding: bool = True

    def __post_init__(self) -> None:
        if self.min_n < 2 or self.k < 2:
            raise ValueError("privacy.min_n and privacy.k must be at least 2")

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        """Read ``privacy.min_n``, ``privacy.k``, ``privacy.top_bottom_coding`` (defaults when
        the setting is absent)."""
        values = getattr(config, "values", {}) or {}
        return cls(
            min_n=int(values.get("privacy.min_n", 11)),
            k=int(values.get("privacy.k", 3)),
            coding=bool(values.get("privacy.top_bottom_coding", True)),
        )

    @property
    def bands(self) -> list[list[float]]:
        """The coding bands as written to disclosure.json (empty when coding is off)."""
        return [[n, cut] for n, cut in CODING_BANDS] if self.coding else []


def coding_cut(n: int, bands: list[list[float]] | tuple = CODING_BANDS) -> float | None:
    """The top cut (percent) for a group of ``n`` students, or None when no band applies."""
    for low, cut in bands:
        if n >= low:
            return float(cut)
    return None


def code_rate(percent: float, n: int, bands: list[list[float]] | tuple = CODING_BANDS) -> str:
    """``"top"``, ``"bottom"`` or ``""`` for a rounded ``percent`` of ``n`` students.

    >>> code_rate(99.2, 400), code_rate(3.0, 50), code_rate(50.0, 50), code_rate(91.0, 12)
    ('top', 'bottom', '', 'top')
    """
    cut = coding_cut(n, bands)
    if cut is None:
        return ""
    if percent >= cut:
        return "top"
    if percent <= 100.0 - cut:
        return "bottom"
    return ""


def shown_text(status: str, kind: str, value: float | None, n: int | None, min_n: int,
               cut: float | None = None) -> str:
    """The text on the page for a cell."""
    if status == "primary":
        return f"fewer than {min_n} students"
    if status == "complementary":
        return "suppressed"
    if status == "top_coded":
        return f"≥ {cut:g}%"
    if status == "bottom_coded":
        return f"≤ {100 - cut:g}%"
    return f"{value:.1f}%" if kind == "rate" else f"{value:.1f}"
