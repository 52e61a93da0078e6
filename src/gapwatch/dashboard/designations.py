"""The ``support`` table: who would qualify for state support, and why, Dashboard year by year.

Applies the rules of :mod:`gapwatch.dashboard.support` with each year's rule file
(:mod:`gapwatch.dashboard.support_rules`, METHODS.md 1.6 and 6.6) to the ``dashboard`` table:

- ``DA``: a district's student group meeting Differentiated Assistance criteria in two or more
  LCFF priority areas; a charter school (``schools.is_charter``) is its own LEA and must meet
  them in two consecutive years;
- ``CSI``: a school whose All-students colors meet a low-performing pattern, or whose graduation
  rate pooled over the rule's years (three from 2023) is below 68%. Checked every year;
  ``determined`` says whether the state determines CSI after that Dashboard (2023, 2026, ...);
- ``ATSI`` (CSI years): a student group of a school not in CSI meeting a low-performing pattern
  on two years of Dashboard results; ``TSI`` (other years, from 2024): the same for two
  consecutive years. Only the rules' student groups count.

Every row keeps its reason and the rule file's year (``rule_year``). These are flags for a
closer look: the state's own determinations rank schools statewide and use rules gapwatch
cannot see.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

from gapwatch.contract import STUDENT_GROUPS
from gapwatch.dashboard.csi import csi_low_graduation, csi_low_performing, low_performing_groups
from gapwatch.dashboard.support import differentiated_assistance
from gapwatch.dashboard.support_rules import SupportRules, rules_for
from gapwatch.warehouse import Warehouse

#: Columns of ``support`` and its export.
SUPPORT_COLUMNS = ("school_year", "entity_type", "entity_id", "entity_name", "student_group",
                   "designation", "criterion", "reason", "rule_year", "determined")
#: Their types in the ``support`` table.
SUPPORT_TYPES = tuple(zip(SUPPORT_COLUMNS, (
    "SMALLINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR",
    "SMALLINT", "BOOLEAN"), strict=True))

Colors = dict[str, dict[str, str]]
Entity = tuple[str, str]  # entity type, id


def _colors(con: duckdb.DuckDBPyConnection) -> tuple[dict[int, dict[Entity, Colors]],
                                                     dict[Entity, str]]:
    """year -> (entity type, id) -> group -> Dashboard indicator -> color, and entity names;
    under a rule that says so (2023), a Very Low College/Career status counts as Red."""
    out: dict[int, dict[Entity, Colors]] = defaultdict(lambda: defaultdict(lambda: defaultdict(
        dict)))
    names: dict[Entity, str] = {}
    for year, etype, eid, ename, group, indicator, color, _status in con.execute(
        "SELECT school_year, entity_type, entity_id, entity_name, student_group, "
        "dashboard_indicator, color, status_level FROM dashboard "
        "WHERE color IS NOT NULL OR (dashboard_indicator = 'cci' AND status_level = 'Very Low')"
    ).fetchall():
        names[(etype, eid)] = ename
        if group not in STUDENT_GROUPS:
            continue
        if color is None:
            rules = _rules(year)
            if rules is None or not rules.da.cci_very_low_as_red:
                continue
            color = "Red"
        out[year][(etype, eid)][group][indicator] = color
    return out, names


def _rules(year: int) -> SupportRules | None:
    try:
        return rules_for(year)
    except ValueError:
        return None


def _graduation(con: duckdb.DuckDBPyConnection) -> dict[str, dict[int, tuple[int, int]]]:
    """school -> year -> (graduates, students) of the combined graduation rate, all students."""
    out: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for school, year, grads, n in con.execute(
        "SELECT entity_id, school_year, numerator, n FROM indicator_results "
        "WHERE indicator = 'graduation_rate_combined' AND entity_type = 'school' "
        "AND student_group = 'ALL' AND n >= 11"
    ).fetchall():
        out[school][year] = (int(round(grads)), int(n))
    return out


def _charters(con: duckdb.DuckDBPyConnection) -> set[str]:
    if "is_charter" not in Warehouse(con).columns("schools"):
        return set()
    return {r[0] for r in con.execute("SELECT school_id FROM schools WHERE is_charter")
            .fetchall()}


def designations(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every DA, CSI, ATSI and TSI finding as a row of :data:`SUPPORT_COLUMNS`."""
    (colors, names), graduation = _colors(con), _graduation(con)
    charters = _charters(con)
    if Warehouse(con).has("schools"):
        names |= {("school", s): n for s, n in con.execute(
            "SELECT school_id, school_name FROM schools").fetchall()}
    years = sorted(set(colors) | {y for by in graduation.values() for y in by})
    rows: list[tuple] = []
    csi_schools: dict[int, set[str]] = defaultdict(set)
    for year in years:
        rules = _rules(year)
        if rules is None:
            continue
        this = colors.get(year, {})
        rows += _da(year, rules, this, colors.get(year - 1, {}), charters, names)
        schools = sorted({e[1] for e in this if e[0] == "school"} | set(graduation))
        determined = rules.csi.determination_year(year)
        for eid in schools:
            found = []
            if reason := csi_low_performing(this.get(("school", eid), {}).get("ALL", {})):
                found.append(("low performing", reason))
            counts = graduation.get(eid, {})
            span = range(year - rules.csi.graduation_years + 1, year + 1)
            if all(y in counts for y in span) and (reason := csi_low_graduation(
                    counts, year, years=rules.csi.graduation_years,
                    below=rules.csi.graduation_below)):
                found.append(("graduation rate", reason))
            if found:
                csi_schools[year].add(eid)
            rows += [(year, "school", eid, names.get(("school", eid), eid), "ALL", "CSI", c, r,
                      rules.rule_year, determined) for c, r in found]
        rows += _targeted(year, rules, colors, schools, names, csi_schools)
    return rows


def _da(year: int, rules: SupportRules, this: dict[Entity, Colors], prior: dict[Entity, Colors],
        charters: set[str], names: dict[Entity, str]) -> list[tuple]:
    """DA for districts; for charter schools, criteria met this year and the year before."""
    rows = []
    prior_rules = _rules(year - 1)
    for (etype, eid), by_group in sorted(this.items()):
        charter = etype == "school" and eid in charters
        if etype != "district" and not charter:
            continue
        for f in differentiated_assistance(by_group, rules.da):
            reason = f.reason
            if charter and rules.da.charter_consecutive_years > 1:
                before = prior.get((etype, eid), {}).get(f.group)
                earlier = [g for g in differentiated_assistance(
                    {f.group: before}, (prior_rules or rules).da)] if before else []
                if not earlier:
                    continue
                reason = (f"{reason} ({year}); charter school, also met in {year - 1}: "
                          f"{earlier[0].reason.split(': ', 1)[1]}")
            criterion = "priorities " + ", ".join(str(p) for p in f.priorities)
            rows.append((year, etype, eid, names.get((etype, eid), eid), f.group, "DA",
                         criterion, reason, rules.rule_year, True))
    return rows


def _targeted(year: int, rules: SupportRules, colors: dict[int, dict[Entity, Colors]],
              schools: list[str], names: dict[Entity, str],
              csi_schools: dict[int, set[str]]) -> list[tuple]:
    """ATSI in CSI years (or every year when the cycle is not known), TSI from its first year
    in the others; schools meeting CSI that year (ATSI) or at the cycle's last determination
    in the warehouse (TSI) are left out."""
    cycle = rules.csi.determination_year(year)
    if cycle is False:
        if year < rules.tsi.first_year:
            return []
        kind, rule = "TSI", rules.tsi
    else:
        kind, rule = "ATSI", rules.atsi
    if cycle is False:  # the schools identified at the cycle's last determination
        last = max((y for y in csi_schools if y < year and rules.csi.determination_year(y)),
                   default=None)
        excluded = csi_schools.get(last, set()) if last is not None else set()
    else:
        excluded = csi_schools.get(year, set())
    rows = []
    for eid in schools:
        if eid in excluded:
            continue
        by_year = {y: colors.get(y, {}).get(("school", eid), {})
                   for y in range(year - rule.years + 1, year + 1)}
        for f in low_performing_groups(by_year, rule.groups):
            rows.append((year, "school", eid, names.get(("school", eid), eid), f.group, kind,
                         f.pattern, f.reason, rules.rule_year, True if kind == "TSI" else cycle))
    return rows


def store_support(con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``support`` from the ``dashboard`` table; return its row count."""
    return Warehouse(con).store_rows("support", SUPPORT_TYPES, designations(con))
