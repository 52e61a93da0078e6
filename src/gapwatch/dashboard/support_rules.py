"""Support and improvement rules as data: one TOML file per Dashboard year whose rules changed.

``support_rules/<year>.toml`` holds, for differentiated assistance (DA), CSI, ATSI and TSI, the
settings that changed between Dashboards (which groups count for ELPI, the 2025 long-term EL
rule, the 2023 College/Career proxy, the CSI cycle, how many years of graduation are pooled,
how many Dashboards ATSI and TSI look at, which groups they cover), each section with its
``source`` and ``verified`` flag. A Dashboard year uses the latest file at or before it
(:func:`rules_for`); every finding records the file's year. Sources: METHODS.md 1.6 and 6.6.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from gapwatch.dashboard.names import as_color


@dataclass(frozen=True)
class DARules:
    """Differentiated assistance: who meets which LCFF priority."""

    source: str
    verified: bool
    min_priorities: int
    elpi_red_groups: tuple[str, ...]  #: groups for which a Red ELPI meets priority 4
    ltel_elpi_colors: tuple[str, ...]  #: LTEL: these ELPI colors meet priority 4 (2025 on)
    ltel_academic: bool  #: whether ELA and math count toward priority 4 for LTEL
    cci_very_low_as_red: bool  #: a Very Low College/Career status stands in for Red (2023)
    charter_consecutive_years: int
    charter_verified: bool


@dataclass(frozen=True)
class CSIRules:
    source: str
    verified: bool
    cycle_start: int  #: first determination year of the cycle; 0 when not known
    cycle_years: int
    graduation_below: float  #: percent
    graduation_years: int  #: years of graduates and cohorts pooled
    graduation_verified: bool

    def determination_year(self, year: int) -> bool | None:
        """Whether the state determines CSI after Dashboard ``year`` (None: not known)."""
        if not self.cycle_start or not self.cycle_years:
            return None
        return year >= self.cycle_start and (year - self.cycle_start) % self.cycle_years == 0


@dataclass(frozen=True)
class GroupRules:
    """ATSI or TSI: which groups, over how many Dashboard years."""

    source: str
    verified: bool
    years: int
    groups: tuple[str, ...]
    first_year: int = 0


@dataclass(frozen=True)
class SupportRules:
    """One file of support rules."""

    rule_year: int
    source: str
    da: DARules
    csi: CSIRules
    atsi: GroupRules
    tsi: GroupRules


def _directory():
    return files("gapwatch.dashboard") / "support_rules"


@cache
def rule_years() -> tuple[int, ...]:
    """Dashboard years with their own rule file, ascending."""
    return tuple(sorted(int(p.name[:-5]) for p in _directory().iterdir()
                        if p.name.endswith(".toml") and p.name[:-5].isdigit()))


def rules_for(year: int) -> SupportRules:
    """The rules of Dashboard ``year``: its own file, else the latest one before it.

    >>> rules_for(2026).rule_year, rules_for(2024).csi.graduation_years
    (2025, 3)
    """
    years = [y for y in rule_years() if y <= year]
    if not years:
        raise ValueError(f"no support rules for the {year} Dashboard or earlier; rules start in "
                         f"{rule_years()[0]}")
    return load_rules(years[-1])


@cache
def load_rules(year: int) -> SupportRules:
    """Read and check ``support_rules/<year>.toml``."""
    where = f"support_rules/{year}.toml"
    data = tomllib.loads((_directory() / f"{year}.toml").read_text(encoding="utf-8"))
    try:
        if data["rule_year"] != year:
            raise ValueError(f"{where}: rule_year is {data['rule_year']!r}, expected {year}")
        da, csi, atsi, tsi = (data[k] for k in ("differentiated_assistance", "csi", "atsi", "tsi"))
        for color in da["ltel_elpi_colors"]:
            as_color(color)
        return SupportRules(
            rule_year=year, source=data["source"],
            da=DARules(da["source"], bool(da["verified"]), int(da["min_priorities"]),
                       tuple(da["elpi_red_groups"]), tuple(da["ltel_elpi_colors"]),
                       bool(da["ltel_academic"]), bool(da["cci_very_low_as_red"]),
                       int(da["charter_consecutive_years"]), bool(da["charter_verified"])),
            csi=CSIRules(csi["source"], bool(csi["verified"]), int(csi["cycle_start"]),
                         int(csi["cycle_years"]), float(csi["graduation_below"]),
                         int(csi["graduation_years"]), bool(csi["graduation_verified"])),
            atsi=GroupRules(atsi["source"], bool(atsi["verified"]), int(atsi["dashboard_years"]),
                            tuple(atsi["groups"])),
            tsi=GroupRules(tsi["source"], bool(tsi["verified"]), int(tsi["consecutive_years"]),
                           tuple(tsi["groups"]), int(tsi["first_year"])),
        )
    except KeyError as err:
        raise ValueError(f"{where}: missing {err.args[0]!r}") from None
