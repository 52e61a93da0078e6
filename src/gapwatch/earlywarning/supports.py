"""Supports in place and community partners to refer flagged students to.

:func:`supports_in_place` lists each student's interventions that are in place in a school year.
:func:`suggest_partners` turns early-warning flags (attendance, behavior and course performance,
the ABC indicators of Balfanz, Herzog & Mac Iver 2007) into needs, needs into partner services
(:data:`NEED_SERVICES`), and lists partners that offer the service, serve the school's area and
speak the family's home language. :func:`partner_schools` says which schools each partner's
``area`` was matched to, and how, so an analyst can check it.

A suggestion is a prompt for a counselor's judgment, not a referral: the data cannot see what a
family already receives outside school, or wants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from gapwatch.earlywarning.areas import partner_schools
from gapwatch.earlywarning.areas import rows as _rows
from gapwatch.earlywarning.areas import tokens as _tokens
from gapwatch.warehouse import Warehouse

__all__ = ["NEED_SERVICES", "partner_schools", "suggest_partners", "supports_in_place"]

#: Needs and the partner services (contract codes) that answer them: OUR DEFAULT, meant to be
#: edited by the district (pass ``needs=`` to :func:`suggest_partners`). Key: (flag domain, status
#: from the student's enrollment that year); ``None`` means any flag or any student. Every rule
#: that applies is used. Grounds: chronic absence has health, housing, food and family causes
#: (Chang & Romero 2008, *Present, Engaged, and Accounted For*, NCCP; Balfanz & Byrnes 2012,
#: *The Importance of Being in School*); tutoring is the best-evidenced academic support (Nickow,
#: Oreopoulos & Quan 2020, NBER w27476); students in foster care or without stable housing have
#: their own rights to support (Fostering Connections Act 2008; McKinney-Vento Act).
NEED_SERVICES: dict[tuple[str | None, str | None], tuple[str, ...]] = {
    ("attendance", "homeless"): ("HOUSING", "FAMILY_SUPPORT"),
    ("attendance", "sed"): ("FOOD",),
    ("attendance", None): ("FAMILY_SUPPORT", "HEALTH"),
    ("behavior", None): ("MENTAL_HEALTH",),
    ("course_performance", None): ("TUTORING", "AFTER_SCHOOL"),
    ("milestone", None): ("TUTORING", "AFTER_SCHOOL"),
    (None, "foster"): ("FAMILY_SUPPORT", "MENTAL_HEALTH"),
    (None, "homeless"): ("HOUSING",),
}
SERVICE_WORDS = {"TUTORING": "tutoring", "MENTAL_HEALTH": "mental health support",
                 "FOOD": "food assistance", "HOUSING": "housing support", "HEALTH": "health care",
                 "AFTER_SCHOOL": "an after-school program", "FAMILY_SUPPORT": "family support",
                 "OTHER": "other services"}
_DOMAIN_WORDS = {"attendance": "attendance", "behavior": "behavior",
                 "course_performance": "course performance", "milestone": "a missed milestone"}
_STATUS_WORDS = {"homeless": "without stable housing", "sed": "socioeconomically disadvantaged",
                 "foster": "in foster care"}
#: ``home_language`` values that name no language (no partner can match them).
UNNAMED_LANGUAGES = frozenset({"", "other", "unknown", "not reported", "declined"})

SUPPORTS_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("student_id", pa.string()), ("school_id", pa.string()),
    ("intervention_id", pa.string()), ("tier", pa.int32()), ("type", pa.string()),
    ("status", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32()),
    ("partner_id", pa.string()), ("partner_name", pa.string()),
    ("provider_staff_id", pa.string())])
SUGGESTIONS_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("student_id", pa.string()), ("school_id", pa.string()),
    ("need", pa.string()), ("service", pa.string()), ("rank", pa.int32()),
    ("partner_id", pa.string()), ("partner_name", pa.string()), ("language_match", pa.bool_()),
    ("area_match", pa.bool_()), ("reason", pa.string())])




def supports_in_place(con: duckdb.DuckDBPyConnection, school_year: int,
                      as_of: str | None = None) -> pa.Table:
    """Interventions in place in ``school_year``, one row per student and intervention.

    Without ``as_of``: status ``PLANNED`` or ``ACTIVE`` (no status: no ``end_date``). With
    ``as_of`` (ISO date): started on or before it and not ended before it; a row without an end
    date whose status says it ended (``COMPLETED``, ``DISCONTINUED``) is left out, as its end is
    unknown. ``school_id`` is the student's last school that year.
    """
    if not Warehouse(con).has("interventions"):
        return SUPPORTS_SCHEMA.empty_table()
    if as_of is None:
        keep = ("(i.status IN ('PLANNED', 'ACTIVE') "
                "OR (i.status IS NULL AND i.end_date IS NULL))")
        params: list = [school_year, school_year]
    else:
        keep = ("i.start_date <= CAST(? AS DATE) AND (i.end_date >= CAST(? AS DATE) OR "
                "(i.end_date IS NULL AND coalesce(i.status, '') NOT IN "
                "('COMPLETED', 'DISCONTINUED')))")
        params = [school_year, school_year, as_of, as_of]
    partners = Warehouse(con).has("community_partners")
    name = "p.name" if partners else "NULL::VARCHAR"
    join = "LEFT JOIN community_partners p ON p.partner_id = i.partner_id" if partners else ""
    sql = f"""
        WITH enr AS (SELECT student_id, arg_max(school_id, entry_date) AS school_id
                     FROM enrollments WHERE school_year = ? GROUP BY student_id)
        SELECT i.school_year, i.student_id, enr.school_id, i.intervention_id, i.tier, i.type,
               i.status, i.start_date, i.end_date, i.partner_id, {name} AS partner_name,
               i.provider_staff_id
        FROM interventions i LEFT JOIN enr ON enr.student_id = i.student_id {join}
        WHERE i.school_year = ? AND {keep}
        ORDER BY i.student_id, i.tier DESC, i.start_date, i.intervention_id"""
    return con.sql(sql, params=params).to_arrow_table().cast(SUPPORTS_SCHEMA)




def _needs(domains: dict[str, str], status: dict[str, bool],
           needs: Mapping[tuple[str | None, str | None], Sequence[str]],
           ) -> dict[str, list[tuple[str, str]]]:
    """Service -> the needs calling for it as (code, plain words), in rule order."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (domain, flag), services in needs.items():
        if (domain is not None and domain not in domains) or (flag and not status.get(flag)):
            continue
        code = (domain or "any_flag") + (f"+{flag}" if flag else "")
        if domain is None:
            text = "a flag"
        else:
            text = f"{_DOMAIN_WORDS.get(domain, domain)} flag ({domains[domain].replace('_', ' ')})"
        text += f", {_STATUS_WORDS.get(flag, flag)}" if flag else ""
        for service in services:
            out[service].append((code, text))
    return out


def _student_rows(con: duckdb.DuckDBPyConnection, flags: pa.Table,
                  school_year: int) -> dict[str, dict]:
    """Flagged students of the year: school, worst level per domain, statuses, home language."""
    cols = [c for c in ("school_year", "student_id", "school_id", "domain", "level")
            if c in flags.column_names]
    students: dict[str, dict] = {}
    rank = {"at_risk": 2, "early_warning": 1}
    for f in flags.select(cols).to_pylist():
        if f.get("school_year", school_year) != school_year or f["level"] is None:
            continue
        s = students.setdefault(f["student_id"], {"school_id": f["school_id"], "domains": {}})
        d = s["domains"]
        if rank.get(f["level"], 0) > rank.get(d.get(f["domain"]), 0):
            d[f["domain"]] = f["level"]
    info = _rows(con, """
        SELECT e.student_id, bool_or(e.sed) AS sed, bool_or(e.foster) AS foster,
               bool_or(e.homeless) AS homeless, any_value(st.home_language) AS home_language
        FROM enrollments e LEFT JOIN students st ON st.student_id = e.student_id
        WHERE e.school_year = ? GROUP BY e.student_id""", [school_year])
    for r in info:
        if r["student_id"] in students:
            students[r["student_id"]].update(r)
    return students


def _reason(why: list[tuple[str, str]], service: str, lang: str, p: dict, language_match: bool,
            area: str, already: list[str]) -> str:
    """The plain-words reason of one suggestion."""
    words = "; ".join(w for _, w in why)
    out = [f"{words[0].upper()}{words[1:]}: {SERVICE_WORDS.get(service, service)}."]
    if not lang:
        out.append("The family's home language is not recorded by name.")
    elif language_match:
        out.append(f"Offers {lang}, the family's home language.")
    else:
        listed = f"lists {p['languages']}" if p["languages"] else "lists no languages"
        out.append(f"Does not list {lang}, the family's home language ({listed}).")
    where = p["area"] or "an unrecorded area"
    out.append({"yes": f"Serves {where}, which covers this school.",
                "unknown": f"Serves {where}; could not tell whether that covers this school: "
                           "check before referring.",
                "other": f"No partner of this school's area offers it; this one serves {where}."
                }[area])
    if already:
        out.append(f"Already working with this student: {', '.join(already)}.")
    return " ".join(out)


def suggest_partners(con: duckdb.DuckDBPyConnection, flags: pa.Table, school_year: int, *,
                     areas: Mapping[str, Sequence[str]] | None = None,
                     needs: Mapping[tuple[str | None, str | None], Sequence[str]] = NEED_SERVICES,
                     top: int | None = 3) -> pa.Table:
    """Partners to suggest for each flagged student and needed service, best first (``rank``).

    ``flags``: rows of :func:`gapwatch.earlywarning.flags.student_flags` (other years ignored).
    A partner is listed when it offers the service and serves the student's school
    (:func:`partner_schools`, ``areas`` as there); a partner whose area could not be matched is
    listed too, with ``area_match`` false; partners of other areas only when no partner of the
    school's area offers the service. Ranked: the family's home language offered
    (``students.home_language`` among ``languages``, ignoring case), then area match, then
    partner id; ``top`` partners per student and service (None: all).
    """
    if not Warehouse(con).has("community_partners") or flags.num_rows == 0:
        return SUGGESTIONS_SCHEMA.empty_table()
    partners = _rows(con, "SELECT partner_id, name, services, languages, area "
                          "FROM community_partners ORDER BY partner_id")
    for p in partners:
        p["offers"] = set(_tokens(p["services"]))
        p["speaks"] = {t.lower() for t in _tokens(p["languages"])}
    serves: dict[str, set[str | None]] = defaultdict(set)
    for r in partner_schools(con, areas).to_pylist():
        serves[r["partner_id"]].add(r["school_id"])
    in_place: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in supports_in_place(con, school_year).to_pylist():
        if r["partner_id"]:
            in_place[(r["student_id"], r["partner_id"])].append(r["type"])
    out: list[dict] = []
    for sid, s in sorted(_student_rows(con, flags, school_year).items()):
        lang = (s.get("home_language") or "").strip()
        lang = "" if lang.lower() in UNNAMED_LANGUAGES else lang
        for service, why in _needs(s["domains"], s, needs).items():
            offer = [p for p in partners if service in p["offers"]]
            local = {p["partner_id"] for p in offer if s["school_id"] in serves[p["partner_id"]]}
            rows = []
            for p in offer:
                pid = p["partner_id"]
                area = ("yes" if pid in local else "unknown" if serves[pid] == {None}
                        else "other")
                if area == "other" and local:
                    continue
                rows.append((bool(lang) and lang.lower() in p["speaks"], area, p))
            rows.sort(key=lambda r: (not r[0], r[1] != "yes", r[2]["partner_id"]))
            for rank, (language_match, area, p) in enumerate(rows[:top], start=1):
                out.append({
                    "school_year": school_year, "student_id": sid, "school_id": s["school_id"],
                    "need": ";".join(c for c, _ in why), "service": service, "rank": rank,
                    "partner_id": p["partner_id"], "partner_name": p["name"],
                    "language_match": language_match, "area_match": area == "yes",
                    "reason": _reason(why, service, lang, p, language_match, area,
                                      in_place[(sid, p["partner_id"])])})
    return pa.Table.from_pylist(out, schema=SUGGESTIONS_SCHEMA)
