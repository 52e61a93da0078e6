"""The "Do resources follow need?" page: dollars and stable staff against school need.

Built only from the door's ``resources_*.csv`` (:mod:`gapwatch.privacy.resources`): per-school
need and dollars per pupil, staffing stability by need band, the highest- minus lowest-need
gaps and the progressivity summary. Methods: docs/resources.md.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from markupsafe import Markup

from gapwatch.report import charts
from gapwatch.report.i18n import N_, Fmt

#: staffing measures in page order, with their names (translated at render time); the teacher
#: assignment measures use the words of CDE's Teaching Assignment Monitoring Outcomes and the
#: SBE's "inexperienced" (docs/resources.md maps them)
STAFF_NAMES = {
    "novice": N_("Inexperienced teachers (two or fewer years of experience)"),
    "not_fully_credentialed": N_("Teachers in Ineffective or Intern assignments"),
    "out_of_field": N_("Teachers in Out-of-Field assignments"),
    "mandatory": N_("Teachers placed by mandatory assignment"),
    "turnover": N_("Teachers who left or moved since last year"),
    "eld_multi_sub": N_("English language development sections with two or more substitutes"),
    "principal_change": N_("Schools with a new principal"),
}
#: the staffing measures charted (the others are in the table)
CHARTED = ("novice", "not_fully_credentialed", "mandatory", "turnover")
MONEY_NAMES = {
    "dollars_per_pupil": N_("Dollars per student, all funds"),
    "supp_conc_per_pupil": N_("Supplemental and concentration dollars per student"),
    "teachers_per_100": N_("Teachers per 100 students"),
    "counselors_per_100": N_("Counselors per 100 students"),
}
BAND_NAMES = {"Highest": N_("Highest need"), "High": N_("High need"),
              "Moderate": N_("Moderate need"), "Low": N_("Low need"),
              "Lowest": N_("Lowest need")}
VERDICTS = {"progressive": N_("more in higher-need schools"),
            "regressive": N_("less in higher-need schools"),
            "flat / within noise": N_("no clear difference")}


def resources_view(res: dict[str, list[dict]], fmt: Fmt, min_n: int = 11) -> dict | None:
    """The page context for the latest year with resources data, or None without any."""
    schools, bands = res.get("resources_schools", []), res.get("resources_bands", [])
    if not schools and not bands:
        return None
    year = max(r["school_year"] for r in schools + bands)
    _ = fmt._
    return {"year": fmt.year(year), "summary": _summary(res, fmt, year),
            "money": _money(res, fmt, year), "staff": _staff(res, fmt, year, min_n),
            "progressivity": _progressivity(res, fmt, year)}


def _band(fmt: Fmt, band: str) -> str:
    return fmt._(BAND_NAMES[band]) if band in BAND_NAMES else band


def _summary(res: dict, fmt: Fmt, year: int) -> list[str]:
    """Plain sentences: each published highest- vs lowest-need staffing gap of the year."""
    _ = fmt._
    out = []
    for g in res.get("resources_gaps", []):
        if g["school_year"] != year or g["status"] != "published":
            continue
        text = _("%(measure)s: %(high)s in the highest-need schools and %(low)s in the "
                 "lowest-need schools, a gap of %(gap)s percentage points (95%% interval "
                 "%(ci_low)s to %(ci_high)s).") % {
            "measure": _(STAFF_NAMES.get(g["measure"], g["measure"])),
            "high": fmt.percent(g["high_percent"]), "low": fmt.percent(g["low_percent"]),
            "gap": fmt.signed(g["gap"]), "ci_low": fmt.signed(g["ci_low"]),
            "ci_high": fmt.signed(g["ci_high"])}
        text += " " + (_("This difference is larger than chance alone would explain.")
                       if g["beyond_noise"] else
                       _("This difference is within what chance alone could produce."))
        out.append(text)
    return out


def _money(res: dict, fmt: Fmt, year: int) -> dict | None:
    _ = fmt._
    rows = sorted((r for r in res.get("resources_schools", []) if r["school_year"] == year),
                  key=lambda r: (-(r["need_score"] if r["need_score"] is not None else -99),
                                 r["school_name"]))
    shown = [r for r in rows if r["status"] == "published" and r["dollars_per_pupil"]]
    if not rows:
        return None
    table = {"id": "money-table",
             "caption": _("Schools by need, %(year)s: need score, students and dollars per "
                          "student") % {"year": fmt.year(year)},
             "rows": [{"school": r["school_name"], "band": _band(fmt, r["band"]) if r["band"]
                       else "", "score": fmt.decimal(r["need_score"]),
                       "students": fmt.count(r["enrollment"]),
                       "dollars": fmt.dollars(r["dollars_per_pupil"]),
                       "supp": fmt.dollars(r["supp_conc_per_pupil"]),
                       "teachers": fmt.decimal(r["teachers_per_100"]),
                       "hidden": r["status"] != "published"} for r in rows]}
    chart = None
    if len(shown) >= 2:
        points = [{"x": r["need_score"], "y": r["dollars_per_pupil"],
                   "band": _band(fmt, r["band"])} for r in shown]
        hi = max(shown, key=lambda r: r["dollars_per_pupil"])
        lo = min(shown, key=lambda r: r["dollars_per_pupil"])
        caption = _("Scatter chart: each mark is a school, its need score across and its "
                    "dollars per student up, %(year)s; the dashed line is the overall trend. "
                    "Most per student: %(high_school)s (%(high)s); least: %(low_school)s "
                    "(%(low)s). Every value is in the table “%(table)s”.") % {
            "year": fmt.year(year), "high_school": hi["school_name"],
            "high": fmt.dollars(hi["dollars_per_pupil"]), "low_school": lo["school_name"],
            "low": fmt.dollars(lo["dollars_per_pupil"]), "table": table["caption"]}
        chart = {"id": "money-chart", "table_id": table["id"], "caption": caption,
                 "html": Markup(charts.scatter_chart(
                     points, x_title=_("Need score (higher: more need)"),
                     y_title=_("Dollars per student"), prefix="money-chart"))}
    return {"table": table, "chart": chart}


def _staff(res: dict, fmt: Fmt, year: int, min_n: int) -> dict | None:
    _ = fmt._
    rows = [r for r in res.get("resources_bands", []) if r["school_year"] == year]
    if not rows:
        return None
    bands = list(dict.fromkeys(r["band"] for r in rows))
    cell = {(r["measure"], r["band"]): r for r in rows}
    measures = [m for m in STAFF_NAMES if any(k[0] == m for k in cell)]

    def text(r: dict | None) -> dict:
        if r is None or r["status"] != "published":
            return {"value": _("fewer than %(min_n)s teachers") % {"min_n": min_n}
                    if r is not None else "", "n": "", "hidden": True}
        return {"value": fmt.percent(r["percent"]), "n": fmt.count(r["n"]), "hidden": False}

    table = {"id": "staff-table",
             "caption": _("Staffing stability by school need band, %(year)s") % {
                 "year": fmt.year(year)},
             "bands": [_band(fmt, b) for b in bands],
             "rows": [{"measure": _(STAFF_NAMES[m]),
                       "cells": [text(cell.get((m, b))) for b in bands]} for m in measures]}
    figures = []
    for m in CHARTED:
        pts = [(b, cell[(m, b)]) for b in bands
               if (m, b) in cell and cell[(m, b)]["status"] == "published"]
        if not pts:
            continue
        name = _(STAFF_NAMES[m])
        bars = [{"group": _band(fmt, b), "value": r["percent"],
                 "label": fmt.percent(r["percent"])} for b, r in pts]
        caption = _("Bar chart: %(measure)s by school need band, %(year)s: %(values)s.") % {
            "measure": name, "year": fmt.year(year),
            "values": "; ".join(f"{x['group']} {x['label']}" for x in bars)}
        caption += " " + _("Every value is in the table “%(table)s”.") % {
            "table": table["caption"]}
        figures.append({"id": f"staff-{m}", "table_id": table["id"], "title": name,
                        "caption": caption,
                        "html": Markup(charts.bar_chart(
                            bars, kind="rate", prefix=f"staff-{m}",
                            axis_title=_("Percent of teachers")))})
    return {"table": table, "charts": figures}


def _progressivity(res: dict, fmt: Fmt, year: int) -> dict | None:
    _ = fmt._
    rows = [r for r in res.get("resources_progressivity", []) if r["school_year"] == year]
    if not rows:
        return None

    def ratio(r: dict) -> str:
        if r["ratio"] is None:
            return _("not computed")
        text = format_decimal(r["ratio"], "#,##0.00", locale=fmt.lang)
        if r["ratio_ci_low"] is None:
            return text
        return _("%(ratio)s (95%% interval %(low)s to %(high)s)") % {
            "ratio": text, "low": format_decimal(r["ratio_ci_low"], "#,##0.00", locale=fmt.lang),
            "high": format_decimal(r["ratio_ci_high"], "#,##0.00", locale=fmt.lang)}

    def verdict(r: dict) -> str:
        """The reading, or why there is none (from the published values alone)."""
        if r["progressive"] in VERDICTS:
            return _(VERDICTS[r["progressive"]])
        if r["ratio"] is None:
            return (_("not computed: the lowest-need schools have none, so there is no ratio")
                    if r["lowest_value"] == 0 else
                    _("not computed: no school of the highest- or lowest-need fifth has a "
                      "value"))
        if r["ratio_ci_low"] is None:
            return _("not computed: an interval needs 2 schools or more in both the highest- "
                     "and the lowest-need fifth (%(schools)s schools in all)") % {
                "schools": fmt.count(r["schools"])}
        return _("not computed")

    return {"id": "progressivity-table",
            "caption": _("Do dollars and staff rise with need? %(year)s") % {
                "year": fmt.year(year)},
            "rows": [{"measure": _(MONEY_NAMES.get(r["measure"], r["measure"])),
                      "ratio": ratio(r),
                      "verdict": verdict(r),
                      "schools": fmt.count(r["schools"])} for r in rows]}
