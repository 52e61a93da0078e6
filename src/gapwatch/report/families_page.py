"""The "Families and school climate" page: engagement and climate results from the door's
published cells, with draft narratives for the Dashboard's local indicators.

Only published cells are used (``indicators.csv``): a suppressed or coded cell never enters a
sentence. The narratives are drafts for the district's Parent and Family Engagement (Priority
3) and Local Climate Survey (Priority 6) self-reflections: staff review and complete them.
"""

from __future__ import annotations

from gapwatch.report.data import Cell
from gapwatch.report.i18n import N_, Fmt

ENGAGEMENT = ("family_any", "family_conference", "conference_at_risk", "family_workshop",
              "family_site_council", "family_el_advisory", "family_home_visit")
#: groups compared with all families on councils and committees (representation)
REPRESENTATION_GROUPS = ("EL", "SED", "SWD", "HL_ES")
COUNCILS = {"family_site_council": N_("the school site council"),
            "family_el_advisory": N_("the English learner advisory committee")}


def is_family(indicator: str) -> bool:
    return indicator in ENGAGEMENT or indicator.startswith("climate_")


def _latest(cells: list[Cell]) -> int | None:
    years = [c.school_year for c in cells]
    return max(years) if years else None


class FamilyNarrative:
    """Draft sentences from the published district cells of the latest year."""

    def __init__(self, cells: list[Cell], fmt: Fmt, group_name):
        self.fmt, self._, self.group = fmt, fmt._, group_name
        self.year = _latest([c for c in cells if is_family(c.indicator)])
        self.cell = {(c.indicator, c.student_group): c for c in cells
                     if c.school_year == self.year and c.number is not None}

    def _pct(self, ind: str, group: str = "ALL") -> str | None:
        c = self.cell.get((ind, group))
        return self.fmt.percent(c.number) if c else None

    def engagement(self) -> list[str]:
        _, out = self._, []
        if self.year is None:
            return out
        year = self.fmt.year(self.year)
        if (p := self._pct("family_any")) is not None:
            n = self.cell[("family_any", "ALL")].n or 0
            out.append(_("In %(year)s, the families of %(pct)s of students took part in at "
                         "least one school activity that the district recorded (%(students)s)."
                         ) % {"year": year, "pct": p, "students": self.fmt.students(n)})
        if (p := self._pct("family_conference")) is not None:
            out.append(_("%(pct)s of students' families had a parent-teacher conference.")
                       % {"pct": p})
        if (p := self._pct("conference_at_risk")) is not None:
            out.append(_("Among students with an early-warning sign (many absences, a "
                         "suspension or a failing mark), %(pct)s had a conference with their "
                         "family.") % {"pct": p})
        for ind, body in COUNCILS.items():
            base = self.cell.get((ind, "ALL"))
            if base is None:
                continue
            for g in REPRESENTATION_GROUPS:
                c = self.cell.get((ind, g))
                if c is None or not base.number:
                    continue
                ratio = c.number / base.number
                word = (_("more often than") if ratio >= 1.25 else
                        _("less often than") if ratio <= 0.8 else _("about as often as"))
                out.append(_("Families of %(group)s took part in %(body)s %(word)s all "
                             "families (%(pct)s compared with %(all)s).") % {
                    "group": self.group(g), "body": _(body), "word": word,
                    "pct": self.fmt.percent(c.number), "all": self.fmt.percent(base.number)})
        low = self._lowest("family_any")
        if low:
            out.append(_("The lowest recorded participation was among families of %(group)s "
                         "(%(pct)s).") % low)
        return out

    def _lowest(self, ind: str) -> dict | None:
        cells = [c for (i, g), c in self.cell.items() if i == ind and g != "ALL"]
        if not cells:
            return None
        c = min(cells, key=lambda c: (c.number, c.student_group))
        return {"group": self.group(c.student_group), "pct": self.fmt.percent(c.number)}

    def climate(self, scales: list[tuple[str, str]]) -> list[str]:
        _, out = self._, []
        for ind, name in scales:
            p = self._pct(ind)
            if p is None:
                continue
            text = _("%(pct)s of surveyed students answered favourably on %(scale)s.") % {
                "pct": p, "scale": self._(name)}
            low = self._lowest(ind)
            if low:
                text += " " + _("The lowest share was among %(group)s (%(pct)s).") % low
            out.append(text)
        return out


def families_context(view, district: tuple[str, str] | None, dname: str,
                     schools: list[tuple[str, str]]) -> dict | None:
    """The page context, or None when nothing of the families indicators was published."""
    fmt, _ = view.fmt, view._
    inds = [(i, n, k) for i, n, k in view.data.indicators() if is_family(i)]
    if not inds:
        return None
    cells = [c for c in view.data.cells
             if district and (c.entity_type, c.entity_id) == ("district", district[0])]
    narrative = FamilyNarrative(cells, fmt, view.group)
    climate = [(i, n.split(": ", 1)[-1]) for i, n, _k in inds if i.startswith("climate_")]
    sections = []
    if district:
        sections = [s for num, (i, n, k) in enumerate(inds, 1)
                    if (s := view.indicator("district", district[0], dname, i, n, k, num))]
    latest = narrative.year
    by_school = []
    for sid, sname in schools:
        row = []
        for i, _n, _k in inds:
            cell = next((c for c in view.cells.get(("school", sid, i), [])
                         if c.school_year == latest and c.student_group == "ALL"), None)
            row.append(view.cell_text(cell)["value"] if cell else "")
        by_school.append({"name": sname, "values": row})
    return {
        "year": fmt.year(latest) if latest else "",
        "engagement": narrative.engagement(),
        "climate": narrative.climate(climate),
        "indicators": sections,
        "schools": {"caption": _("All students, by school, %(year)s") % {
            "year": fmt.year(latest) if latest else ""},
            "columns": [fmt.name(n) for _i, n, _k in inds], "rows": by_school},
    }
