"""LCFF: what a district's students generate under California's Local Control Funding Formula,
and, school by school, the supplemental and concentration (S&C) dollars its students generate
against the ``LCFF_SUPP_CONC`` dollars its budget shows.

Formula (EC 42238.02; CDE "Funding Rates and Information", cde.ca.gov/fg/aa/pa/): per grade span,
base grant x ADA, plus a grade-span adjustment (K-3 +10.4%, 9-12 +2.6% of the span's base);
supplemental = 20% of the adjusted base x UPP; concentration = 65% of the adjusted base x
(UPP - 55%) when positive. UPP, the unduplicated pupil percentage, is census-day unduplicated
pupils (EL, free/reduced-price meal eligible or foster, each counted once) over enrollment,
summed over the year and the two before (EC 42238.02(b)(5), EC 35735.1). Rates are data:
``lcff_rates/<fiscal year>.toml``, each with its ``source`` and ``verified`` flag.

From the warehouse (approximations, see docs): ADA = days attended / the school's days in the
year (its largest ``days_enrolled``), over the whole year, not CDE's P-2 ADA; FRPM eligibility
is ``frpm``, or ``sed`` where ``frpm`` is empty; census day as in the views (first Wednesday of
October). Supplemental, concentration and ``supp_conc_generated`` of a school use the school's
own census-day UPP of the year; ``supp_conc_district_rate_share`` uses the district's rolling
UPP (how the district is funded) and adds up over schools to the district's S&C.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import duckdb
import pyarrow as pa

from gapwatch.indicators.views import census_day

SPANS = ("K-3", "4-6", "7-8", "9-12")
ADA_COLUMNS = ("ada_k3", "ada_4_6", "ada_7_8", "ada_9_12")


def fiscal_year(school_year: int) -> str:
    """``2025`` -> ``"2024-25"`` (gapwatch's spring year to CDE's fiscal year)."""
    return f"{school_year - 1}-{school_year % 100:02d}"


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

    @classmethod
    def from_toml(cls, text: str) -> Rates:
        d = tomllib.loads(text)
        names = [f for f in cls.__dataclass_fields__ if f not in d]
        if names or set(d["base_grant"]) != set(SPANS) or d["fiscal_year"] != fiscal_year(
                d["school_year"]) or not set(d["grade_span_adjustment"]) <= set(SPANS):
            raise ValueError(f"bad LCFF rate table {d.get('fiscal_year')}: missing {names}, or "
                             f"spans other than {SPANS}, or school_year not the fiscal year's")
        return cls(**{f: d[f] for f in cls.__dataclass_fields__})

    def adjusted_base(self, span: str) -> float:
        """Base grant per ADA of ``span`` plus its grade-span adjustment."""
        return self.base_grant[span] * (1 + self.grade_span_adjustment.get(span, 0.0))


def rate_tables() -> dict[int, Rates]:
    """The shipped rate tables, by school year (2025 = fiscal year 2024-25)."""
    folder = resources.files("gapwatch.resources") / "lcff_rates"
    tables = [Rates.from_toml(f.read_text(encoding="utf-8"))
              for f in folder.iterdir() if f.name.endswith(".toml")]
    return {r.school_year: r for r in tables}


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
    """LCFF base, adjustment, supplemental and concentration: by grade span and in total."""

    upp: float
    by_span: Mapping[str, SpanAmounts]

    def _sum(self, part: str) -> float:
        return sum(getattr(a, part) for a in self.by_span.values())

    base = property(lambda self: self._sum("base"))
    grade_span_adjustment = property(lambda self: self._sum("grade_span_adjustment"))
    supplemental = property(lambda self: self._sum("supplemental"))
    concentration = property(lambda self: self._sum("concentration"))
    total = property(lambda self: self._sum("total"))


def lcff_entitlement(ada_by_span: Mapping[str, float], upp: float, rates: Rates) -> Entitlement:
    """LCFF target entitlement of ``ada_by_span`` (keys from :data:`SPANS`) at ``upp``.

    >>> e = lcff_entitlement({"K-3": 100.0}, 0.775, rate_tables()[2025])
    >>> [round(x) for x in (e.base, e.grade_span_adjustment, e.supplemental, e.concentration)]
    [1002500, 104260, 171548, 161864]
    """
    if not 0 <= upp <= 1 or not set(ada_by_span) <= set(SPANS):
        raise ValueError(f"UPP must be in [0, 1] and spans among {SPANS}")
    above = max(0.0, upp - rates.concentration_threshold)
    spans = {}
    for span, ada in ada_by_span.items():
        base = ada * rates.base_grant[span]
        adjusted = ada * rates.adjusted_base(span)
        spans[span] = SpanAmounts(ada, base, adjusted - base,
                                  adjusted * rates.supplemental_rate * upp,
                                  adjusted * rates.concentration_rate * above)
    return Entitlement(upp, spans)


# --- From the warehouse -----------------------------------------------------------------------

_NO_ATTENDANCE = ("SELECT NULL::VARCHAR AS student_id, NULL::VARCHAR AS school_id, NULL::INT "
                  "AS school_year, NULL::BIGINT AS n_enrolled, NULL::BIGINT AS n_absent LIMIT 0")
_ATTENDANCE = """SELECT student_id, school_id,
    year(date) + CASE WHEN month(date) >= 7 THEN 1 ELSE 0 END AS school_year,
    count(*) AS n_enrolled, count(*) FILTER (WHERE status IN ('A', 'E', 'S')) AS n_absent
    FROM attendance_daily GROUP BY ALL"""
_SPAN = ("CASE WHEN e.grade <= 3 THEN 'K-3' WHEN e.grade <= 6 THEN '4-6' WHEN e.grade <= 8 "
         "THEN '7-8' WHEN e.grade <= 12 THEN '9-12' END")
_ADA = ", ".join(f"coalesce(sum(attended / days_in_year) FILTER (WHERE span = '{s}'), 0)"
                 for s in SPANS)
FACTS_SQL = """WITH census(school_year, census_day) AS (VALUES {census}),
att AS ({attendance}),
rows AS (
    SELECT e.school_year, e.school_id, e.student_id, {span} AS span,
           coalesce(a.n_enrolled, e.days_enrolled) AS d_enrolled,
           coalesce(a.n_enrolled, e.days_enrolled) - coalesce(a.n_absent, e.days_absent)
               AS attended,
           e.entry_date <= c.census_day AND coalesce(e.exit_date >= c.census_day, TRUE)
               AS on_census,
           coalesce(e.el_status = 'EL', FALSE) OR coalesce(e.frpm, e.sed, FALSE)
               OR coalesce(e.foster, FALSE) AS unduplicated
    FROM enrollments e JOIN census c ON c.school_year = e.school_year
    LEFT JOIN att a ON a.student_id = e.student_id AND a.school_id = e.school_id
                   AND a.school_year = e.school_year
),
days AS (SELECT *, NULLIF(max(d_enrolled) OVER (PARTITION BY school_year, school_id), 0)
                   AS days_in_year FROM rows)
SELECT school_year, CASE WHEN grouping(school_id) = 0 THEN school_id END, {ada},
       coalesce(sum(attended / days_in_year) FILTER (WHERE span IS NULL), 0),
       count(*) FILTER (WHERE attended IS NULL),
       count(DISTINCT student_id) FILTER (WHERE on_census),
       count(DISTINCT student_id) FILTER (WHERE on_census AND unduplicated)
FROM days GROUP BY GROUPING SETS ((school_year, school_id), (school_year)) ORDER BY ALL"""


@dataclass(frozen=True)
class _Facts:
    ada: dict[str, float]
    ungraded: float
    no_days: int
    enrollment: int
    unduplicated: int


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables given to the warehouse (or, in a hand-built database, the tables there are)."""
    names = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    sql = "SELECT table_name FROM ingest_tables WHERE given"
    return {r[0] for r in con.sql(sql).fetchall()} if "ingest_tables" in names else names


def _facts(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str | None], _Facts]:
    """ADA by span, ungraded ADA, rows without days, census enrollment and unduplicated, by
    (school year, school id); school id None for the district."""
    years = [r[0] for r in con.sql("SELECT DISTINCT school_year FROM enrollments").fetchall()]
    if not years:
        return {}
    census = ", ".join(f"({y}, DATE '{census_day(y).isoformat()}')" for y in years)
    attendance = _ATTENDANCE if "attendance_daily" in _present(con) else _NO_ATTENDANCE
    sql = FACTS_SQL.format(census=census, attendance=attendance, span=_SPAN, ada=_ADA)
    return {(r[0], r[1]): _Facts(dict(zip(SPANS, map(float, r[2:6]), strict=True)), float(r[6]),
                                 *r[7:]) for r in con.sql(sql).fetchall()}


def _notes(f: _Facts, rates: Rates | None, year: int) -> list[str]:
    notes = [] if rates else [f"no LCFF rate table for fiscal year {fiscal_year(year)}"]
    if f.ungraded:
        notes.append(f"{f.ungraded:.1f} ADA of ungraded students left out (no grade span)")
    if f.no_days:
        notes.append(f"{f.no_days} enrollment rows without days enrolled/absent left out of ADA")
    return notes


def _amounts(f: _Facts, upp: float | None, rates: Rates | None) -> dict[str, float | None]:
    """Base, adjustment, supplemental, concentration (S&C None without a UPP, all without
    rates)."""
    e = lcff_entitlement(f.ada, upp or 0.0, rates) if rates else None
    return {p: getattr(e, p) if e and (upp is not None or i < 2) else None for i, p in
            enumerate(("base", "grade_span_adjustment", "supplemental", "concentration"))}


def _supp_conc(a: dict[str, float | None]) -> float | None:
    return None if a["supplemental"] is None else a["supplemental"] + a["concentration"]


def _table(rows: list[dict], strings: tuple[str, ...], ints: tuple[str, ...]) -> pa.Table:
    names = list(rows[0]) if rows else [*strings, *ints]
    types = {n: pa.string() if n in strings else pa.int64() if n in ints
             else pa.bool_() if n == "rates_verified" else pa.float64() for n in names}
    return pa.Table.from_pylist(rows, schema=pa.schema(list(types.items())))


def _district_upp(facts: dict[tuple[int, str | None], _Facts]) -> dict[int, tuple[float, tuple]]:
    counts = {y: (f.unduplicated, f.enrollment) for (y, s), f in facts.items() if s is None}
    return {y: (unduplicated_pupil_percentage(counts, y), rolling_years(counts, y))
            for y in counts if sum(counts[u][1] for u in rolling_years(counts, y))}


def district_lcff(con: duckdb.DuckDBPyConnection, year: int | None = None,
                  rates: Mapping[int, Rates] | None = None) -> pa.Table:
    """The district's LCFF target entitlement per school year (``year``: only that one), at
    the shipped rates or ``rates`` (by school year).

    Columns: ``school_year, fiscal_year, district_id, district_name``; ``ada`` and
    ``ada_k3, ada_4_6, ada_7_8, ada_9_12``; census-day ``enrollment, unduplicated``; ``upp``
    (rolling, over ``upp_years`` years); dollars ``base, grade_span_adjustment, supplemental,
    concentration, total`` (empty without a rate table); ``rates_verified``; ``note``.
    """
    facts, tables = _facts(con), rate_tables() if rates is None else rates
    upps = _district_upp(facts)
    ident = con.sql("SELECT min(district_id), min(district_name) FROM schools").fetchall()[0]
    rows = []
    for (y, school), f in facts.items():
        if school is not None or year not in (None, y):
            continue
        r, (upp, used) = tables.get(y), upps.get(y, (None, ()))
        notes = _notes(f, r, y)
        if len(used) < 3:
            notes.insert(0, f"UPP over {len(used)} year(s) {list(used)}: no earlier census "
                         "counts in the warehouse")
        a = _amounts(f, upp, r)
        total = None if a["supplemental"] is None else sum(a.values())
        rows.append({"school_year": y, "fiscal_year": fiscal_year(y), "district_id": ident[0],
                     "district_name": ident[1], "ada": sum(f.ada.values()),
                     **dict(zip(ADA_COLUMNS, f.ada.values(), strict=True)),
                     "enrollment": f.enrollment, "unduplicated": f.unduplicated,
                     "upp": upp, "upp_years": len(used), **a, "total": total,
                     "rates_verified": r.verified if r else None, "note": "; ".join(notes)})
    return _table(rows, ("fiscal_year", "district_id", "district_name", "note"),
                  ("school_year", "enrollment", "unduplicated", "upp_years"))


def school_lcff(con: duckdb.DuckDBPyConnection,
                rates: Mapping[int, Rates] | None = None) -> pa.Table:
    """Per school and year: the LCFF dollars its students generate and the ``LCFF_SUPP_CONC``
    budget lines it received (summed over categories).

    Columns as :func:`district_lcff` (school instead of district), with ``upp`` the school's
    own census-day share this year and ``supplemental, concentration`` at it; also
    ``district_upp``; ``supp_conc_generated`` (supplemental + concentration at the school's
    UPP); ``supp_conc_district_rate_share`` (the same at the district UPP: the school's ADA
    share of the district's S&C); ``supp_conc_received`` (empty without ``budgets``);
    ``difference`` = received - generated; ``received_per_unduplicated``.
    """
    facts, tables = _facts(con), rate_tables() if rates is None else rates
    upps = _district_upp(facts)
    names = dict(con.sql("SELECT school_id, school_name FROM schools").fetchall())
    got_by = {(y, s): v for y, s, v in con.sql(
        "SELECT school_year, school_id, sum(amount)::DOUBLE FROM budgets "
        "WHERE fund_source = 'LCFF_SUPP_CONC' GROUP BY ALL").fetchall()
    } if "budgets" in _present(con) else None
    empty = _Facts(dict.fromkeys(SPANS, 0.0), 0.0, 0, 0, 0)
    rows = []
    for y, s in sorted({k for k in facts if k[1] is not None} | set(got_by or {})):
        f, r, d_upp = facts.get((y, s), empty), tables.get(y), upps.get(y, (None,))[0]
        upp = f.unduplicated / f.enrollment if f.enrollment else None
        notes = _notes(f, r, y) + ([] if f.enrollment else ["no students enrolled on census day"])
        own, share = _amounts(f, upp, r), _amounts(f, d_upp, r)
        generated = _supp_conc(own)
        got = None if got_by is None else got_by.get((y, s), 0.0)
        if got_by is None:
            notes.append("received: not computed, needs budgets")
        rows.append({
            "school_year": y, "fiscal_year": fiscal_year(y), "school_id": s,
            "school_name": names.get(s), "ada": sum(f.ada.values()),
            **dict(zip(ADA_COLUMNS, f.ada.values(), strict=True)), "enrollment": f.enrollment,
            "unduplicated": f.unduplicated, "upp": upp, "district_upp": d_upp, **own,
            "supp_conc_generated": generated,
            "supp_conc_district_rate_share": _supp_conc(share),
            "supp_conc_received": got,
            "difference": None if got is None or generated is None else got - generated,
            "received_per_unduplicated": got / f.unduplicated
            if got is not None and f.unduplicated else None,
            "rates_verified": r.verified if r else None, "note": "; ".join(notes)})
    return _table(rows, ("fiscal_year", "school_id", "school_name", "note"),
                  ("school_year", "enrollment", "unduplicated"))
