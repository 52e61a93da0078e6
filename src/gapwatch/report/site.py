"""The pages of the public site: static, offline, bilingual (English, Spanish), accessible.

:class:`_Pages` turns the published data (:mod:`gapwatch.report.data`) into the context of
each page for one language; :mod:`gapwatch.report.build` renders and writes them. Every page
links to the same page in the other language. No page refers to anything outside
the site: charts are Vega-Lite specs drawn in the browser by the site's own copy of Vega-Embed
(:mod:`gapwatch.report.charts`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from gapwatch.report import charts
from gapwatch.report.data import CODED, Cell, Published
from gapwatch.report.i18n import Fmt, translations
from gapwatch.report.names import COLORS, color_name
from gapwatch.report.packet import build_packet, lower_is_better

STATIC = Path(__file__).parent / "static"
GAP_METRICS = ("pp_difference", "mean_difference")


@dataclass
class SiteSummary:
    """What ``build_site`` wrote."""

    out: Path
    languages: tuple[str, ...]
    pages: list[Path] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"{len(self.pages)} pages in {len(self.languages)} languages, "
                f"{len(self.schools)} schools, {len(self.pdfs)} PDFs")
        return text + "".join(f"; {n}" for n in self.notes)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("gapwatch.report", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True, lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    return env


def _build_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


class _Pages:
    """The view of the published data for one language."""

    def __init__(self, data: Published, lang: str, district: tuple[str, str] | None):
        self.data, self.lang, self.fmt, self.district = data, lang, Fmt(lang), district
        self._ = self.fmt._
        self.group_names = {}
        # indexes by (entity_type, entity_id, indicator[, year]): each page looks up its own
        self.cells: dict[tuple, list[Cell]] = defaultdict(list)
        for c in data.cells:
            self.group_names.setdefault(c.student_group, c.group_name)
            self.cells[(c.entity_type, c.entity_id, c.indicator)].append(c)
        self.gaps: dict[tuple, list] = defaultdict(list)
        for g in data.gaps:
            self.gaps[(g.entity_type, g.entity_id, g.indicator, g.school_year)].append(g)
        self.dash: dict[tuple, list] = defaultdict(list)
        for d in data.dashboard:
            self.dash[(d.entity_type, d.entity_id, d.indicator, d.school_year)].append(d)

    # -- small helpers -------------------------------------------------------------------
    def group(self, code: str) -> str:
        return self.fmt.name(self.group_names.get(code, code))

    def reference(self, ref: str) -> str:
        if ref == "complement":
            return self._("all other students")
        if ref == "ALL":
            return self._("all students")
        return self.group(ref)

    def cell_text(self, cell: Cell | None) -> dict:
        """Value and n of one cell as page text: suppressed cells show the door's text only."""
        if cell is None:
            return {"value": "", "n": "", "status": "absent", "hidden_n": False}
        if cell.suppressed:
            return {"value": self.fmt.shown(cell.shown), "n": "", "status": cell.status,
                    "hidden_n": True}
        if cell.status in CODED:
            return {"value": self.fmt.shown(cell.shown), "n": self.fmt.count(cell.n),
                    "status": cell.status, "hidden_n": False}
        return {"value": self.fmt.value(cell.kind, cell.number), "n": self.fmt.count(cell.n),
                "status": cell.status, "hidden_n": False}

    def unit_title(self, kind: str) -> str:
        return self._("Percent of students") if kind == "rate" else self._("Points")

    # -- one indicator on one page -------------------------------------------------------
    def indicator(self, etype: str, eid: str, ename: str, ind: str, ind_name: str, kind: str,
                  num: int) -> dict | None:
        _, fmt = self._, self.fmt
        cells = self.cells.get((etype, eid, ind), [])
        if not cells:
            return None
        years = sorted({c.school_year for c in cells})
        latest = years[-1]
        by_key = {(c.school_year, c.student_group): c for c in cells}
        groups = list(dict.fromkeys(
            ["ALL"] * any(c.student_group == "ALL" for c in cells)
            + [c.student_group for c in cells]))
        name = fmt.name(ind_name)
        anchor = f"ind-{_slug(ind)}"
        results_id = f"{anchor}-results"
        results = {
            "id": results_id,
            "caption": _("%(indicator)s: results by student group") % {"indicator": name},
            "years": [fmt.year(y) for y in years],
            "rows": [{"group": self.group(g),
                      "cells": [self.cell_text(by_key.get((y, g))) for y in years]}
                     for g in groups],
        }

        # Bar chart of the latest year's published values.
        bars = [(g, by_key[(latest, g)]) for g in groups
                if (latest, g) in by_key and by_key[(latest, g)].number is not None]
        bar = None
        if bars:
            rows = [{"group": self.group(g), "value": c.number,
                     "label": fmt.value(kind, c.number)} for g, c in bars]
            hi = max(bars, key=lambda gc: gc[1].number)
            lo = min(bars, key=lambda gc: gc[1].number)
            hidden = sum(1 for g in groups if (latest, g) in by_key) - len(bars)
            caption = _("Bar chart: %(indicator)s by student group, %(year)s. Highest: "
                        "%(high_group)s (%(high)s); lowest: %(low_group)s (%(low)s).") % {
                "indicator": name, "year": fmt.year(latest),
                "high_group": self.group(hi[0]), "high": fmt.value(kind, hi[1].number),
                "low_group": self.group(lo[0]), "low": fmt.value(kind, lo[1].number)}
            if hidden:
                caption += " " + fmt.ngettext(
                    "%(num)s group is not drawn: its result is suppressed or coded.",
                    "%(num)s groups are not drawn: their results are suppressed or coded.",
                    hidden) % {"num": fmt.count(hidden)}
            caption += " " + _("Every value is in the table “%(table)s”.") % {
                "table": results["caption"]}
            bar = {"id": f"{anchor}-bar", "table_id": results_id, "caption": caption,
                   "html": Markup(charts.bar_chart(
                       rows, kind=kind, prefix=f"{anchor}-bar",
                       axis_title=self.unit_title(kind)))}

        # Trend over years: this entity and (on school pages) the district, all students.
        series = [(ename, {c.school_year: c for c in cells if c.student_group == "ALL"})]
        if etype != "district" and self.district is not None:
            did, dname = self.district
            series.append((dname, {c.school_year: c for c in self.cells.get(
                ("district", did, ind), []) if c.student_group == "ALL"}))
        trend = None
        points = [{"year": fmt.year(y), "series": s, "value": by_year[y].number,
                   "label": fmt.value(kind, by_year[y].number)}
                  for s, by_year in series for y in years
                  if y in by_year and by_year[y].number is not None]
        if points:
            parts = []
            for s, by_year in series:
                vals = [fmt.value(kind, by_year[y].number) for y in years
                        if y in by_year and by_year[y].number is not None]
                if vals:
                    parts.append(_("%(series)s: %(values)s") % {
                        "series": s, "values": " → ".join(vals)})
            table_id = f"{anchor}-trend-table"
            trend = {
                "id": f"{anchor}-trend", "table_id": table_id,
                "caption": _("Line chart: %(indicator)s for all students, %(first)s to "
                             "%(last)s.") % {"indicator": name, "first": fmt.year(years[0]),
                                             "last": fmt.year(latest)}
                + " " + "; ".join(parts) + ".",
                "html": Markup(charts.line_chart(
                    points, axis_title=self.unit_title(kind), prefix=f"{anchor}-trend",
                    series_title=_("All students"))),
                "table": {
                    "caption": _("%(indicator)s, all students, by school year") % {
                        "indicator": name},
                    "series": [s for s, _b in series],
                    "rows": [{"year": fmt.year(y),
                              "values": [self.cell_text(b.get(y))["value"] for _s, b in series]}
                             for y in years],
                },
            }

        gaps = [g for g in self.gaps.get((etype, eid, ind, latest), [])
                if g.metric in GAP_METRICS and g.value is not None]
        ref_order = {"complement": 0, "ALL": 1}
        gaps.sort(key=lambda g: (ref_order.get(g.reference, 2), g.reference,
                                 groups.index(g.student_group) if g.student_group in groups
                                 else 999))
        gap_rows = []
        for g in gaps:
            cell = by_key.get((latest, g.student_group))
            ci = ""
            if g.ci_low is not None and g.ci_high is not None:
                ci = _("%(low)s to %(high)s") % {"low": fmt.signed(g.ci_low),
                                                 "high": fmt.signed(g.ci_high)}
            gap_rows.append({"group": self.group(g.student_group),
                             "reference": self.reference(g.reference),
                             "gap": fmt.gap(g.metric, g.value), "ci": ci,
                             "n": fmt.count(cell.n) if cell and cell.n is not None else "",
                             "flagged": _("Yes") if g.flagged else _("No")})
        gaps_view = {"id": f"{anchor}-gaps", "rows": gap_rows,
                     "caption": _("%(indicator)s: gaps, %(year)s") % {
                         "indicator": name, "year": fmt.year(latest)}}

        dash = list(self.dash.get((etype, eid, ind, latest), []))
        dash.sort(key=lambda d: groups.index(d.student_group) if d.student_group in groups
                  else 999)
        dash_rows = []
        for d in dash:
            color = color_name(d.color)
            dash_rows.append({
                "group": self.group(d.student_group),
                "status": fmt.value(kind, d.status) if kind == "rate" else fmt.decimal(d.status),
                "change": fmt.signed(d.change) if d.change is not None else "",
                "status_level": _(d.status_level) if d.status_level else "",
                "change_level": _(d.change_level) if d.change_level else "",
                "color": _(color) if color else _("No color"),
                "swatch": color.lower() if color in COLORS else "none"})
        dash_view = {"id": f"{anchor}-dashboard", "rows": dash_rows,
                     "caption": _("%(indicator)s: Dashboard colors, %(year)s") % {
                         "indicator": name, "year": fmt.year(latest)}}

        return {"anchor": anchor, "name": name, "kind": kind, "num": num,
                "lower_is_better": lower_is_better(ind), "year": fmt.year(latest),
                "results": results, "bar": bar, "trend": trend, "gaps": gaps_view,
                "dashboard": dash_view}

    def indicators(self, etype: str, eid: str, ename: str) -> list[dict]:
        views = []
        for i, (ind, ind_name, kind) in enumerate(self.data.indicators(), 1):
            view = self.indicator(etype, eid, ename, ind, ind_name, kind, i)
            if view:
                views.append(view)
        return views

    def goals(self, etype: str, eid: str) -> dict:
        _, fmt = self._, self.fmt
        goals = [g for g in self.data.goals if (g.entity_type, g.entity_id) == (etype, eid)]
        goals.sort(key=lambda g: (g.goal_id, g.student_group, g.school_year))
        return {"caption": _("Goals: progress by school year"), "rows": [
            {"goal": g.goal_name, "group": self.group(g.student_group),
             "year": fmt.year(g.school_year),
             "value": fmt.decimal(g.value) if g.value is not None else _("not published"),
             "interim": fmt.decimal(g.interim_target), "target": fmt.decimal(g.target_value),
             "status": _(g.status) if g.status else "", "off": g.status == "off track"}
            for g in goals]}

    def packet(self, eid: str) -> dict:
        _, fmt = self._, self.fmt
        p = build_packet(self.data, "school", eid)
        anchors = {ind: f"ind-{_slug(ind)}" for ind, _n, _k in self.data.indicators()}
        gaps = [{
            "anchor": anchors.get(i.gap.indicator, ""),
            "text": _("%(group)s, %(indicator)s: a gap of %(gap)s compared with all other "
                      "students (%(students)s).") % {
                "group": self.group(i.gap.student_group), "indicator": fmt.name(i.cell
                                                                                 .indicator_name),
                "gap": fmt.gap(i.gap.metric, i.gap.value), "students": fmt.students(i.cell.n)},
        } for i in p.gaps]
        declines = []
        for d in p.declines:
            msg = (_("%(group)s, %(indicator)s: %(value)s in %(year)s, up from %(prior)s in "
                     "%(prior_year)s (%(students)s; lower is better).")
                   if lower_is_better(d.cell.indicator) else
                   _("%(group)s, %(indicator)s: %(value)s in %(year)s, down from %(prior)s in "
                     "%(prior_year)s (%(students)s)."))
            declines.append({"anchor": anchors.get(d.cell.indicator, ""), "text": msg % {
                "group": self.group(d.cell.student_group),
                "indicator": fmt.name(d.cell.indicator_name),
                "value": fmt.value(d.cell.kind, d.cell.number), "year": fmt.year(
                    d.cell.school_year),
                "prior": fmt.value(d.prior.kind, d.prior.number),
                "prior_year": fmt.year(d.prior.school_year),
                "students": fmt.students(d.cell.n)}})
        goals = []
        for g in p.goals_off_track:
            values = {"goal": g.goal_name, "group": self.group(g.student_group),
                      "value": fmt.decimal(g.value), "year": fmt.year(g.school_year),
                      "interim": fmt.decimal(g.interim_target),
                      "target": fmt.decimal(g.target_value)}
            msg = (_("%(goal)s (%(group)s): %(value)s in %(year)s; this year's target is "
                     "%(interim)s and the final target %(target)s.") if g.value is not None
                   else _("%(goal)s (%(group)s): no published value in %(year)s; the final "
                          "target is %(target)s."))
            goals.append({"text": msg % values})
        year = fmt.year(p.school_year) if p.school_year else ""
        return {"year": year, "gaps": gaps, "declines": declines, "goals": goals}
