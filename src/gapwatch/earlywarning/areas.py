"""Which schools a community partner serves: matching the partners' free-text ``area``.

:func:`partner_schools` says, for each partner, which schools its ``area`` was matched to and
how, so an analyst can check it before any referral (docs/early-warning-supports.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from gapwatch.warehouse import Warehouse

#: ``area`` values read as "the whole district".
DISTRICTWIDE = frozenset({"all", "districtwide", "district-wide", "citywide", "countywide"})
_BOARD_WORDS = ("board district ", "district ", "trustee area ", "area ")
_MIN_REFERRALS, _MIN_LIFT, _MIN_SHARE = 5, 1.5, 0.8
AREAS_SCHEMA = pa.schema([("partner_id", pa.string()), ("area", pa.string()),
                          ("school_id", pa.string()), ("basis", pa.string())])


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    return con.sql(sql, params=params).to_arrow_table().to_pylist()


def tokens(text: str | None) -> list[str]:
    return [t.strip() for t in re.split(r"[;,/]", text or "") if t.strip()]


def _inferred_boards(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int, int]]:
    """Area -> (board district, referrals there, all referrals) from partner-led interventions.

    The board district with the greatest lift (its share of the area's referrals over its share
    of all partner referrals) is kept if at least 5 referrals went there and the lift is at least
    1.5 or the share at least 0.8.
    """
    rows = con.sql("""
        WITH enr AS (SELECT school_year, student_id, arg_max(school_id, entry_date) AS school_id
                     FROM enrollments GROUP BY ALL)
        SELECT p.area, s.board_district, count(*) AS n
        FROM interventions i JOIN community_partners p ON p.partner_id = i.partner_id
        JOIN enr ON enr.school_year = i.school_year AND enr.student_id = i.student_id
        JOIN schools s ON s.school_id = enr.school_id
        WHERE p.area IS NOT NULL AND s.board_district IS NOT NULL GROUP BY ALL""").fetchall()
    by_area: dict[str, dict[str, int]] = defaultdict(dict)
    board_total: dict[str, int] = defaultdict(int)
    for area, board, n in rows:
        by_area[area][board] = n
        board_total[board] += n
    total = sum(board_total.values())
    out = {}
    for area, counts in by_area.items():
        n_area = sum(counts.values())
        lift = {b: (n / n_area) / (board_total[b] / total) for b, n in counts.items()}
        best = max(sorted(lift), key=lift.__getitem__)
        n = counts[best]
        if n >= _MIN_REFERRALS and (lift[best] >= _MIN_LIFT or n / n_area >= _MIN_SHARE):
            out[area] = (best, n, n_area)
    return out


def _basis(token: str, school: dict, mapping: dict[str, set[str]],
           inferred: dict[str, tuple[str, int, int]]) -> str | None:
    """Why area entry ``token`` covers ``school`` (None: it does not, as far as we can tell)."""
    low, board = token.lower(), school.get("board_district")
    board = None if board is None else str(board)
    if low in mapping:
        return f"the district's area list ({token})" if board in mapping[low] else None
    if low in DISTRICTWIDE or low in {str(school["district_name"]).lower(),
                                      str(school["district_id"]).lower()}:
        return f"{token} is districtwide"
    if board and low in {board, *(w + board.lower() for w in _BOARD_WORDS)}:
        return f"{token} names board district {board}"
    if low in {str(school["school_id"]).lower(), str(school["school_name"]).lower()}:
        return f"{token} names the school"
    if token in inferred and inferred[token][0] == board:
        b, n, n_area = inferred[token]
        return (f"{token} taken as board district {b}: {n} of {n_area} past referrals to its "
                "partners went there")
    return None


def partner_schools(con: duckdb.DuckDBPyConnection,
                    areas: Mapping[str, Sequence[str]] | None = None) -> pa.Table:
    """Schools each partner's ``area`` covers, one row per partner and school, with the basis.

    ``area`` is free text (a semicolon list is allowed). Each entry is matched, in order, by:
    the district's own ``areas`` mapping (area name -> board districts); a districtwide word
    (:data:`DISTRICTWIDE`) or the district's name; a board district ("3", "Board district 3");
    a school's id or name; else the board district where most of the partner area's past
    interventions went (see :func:`_inferred_boards`). Unmatched: one row with ``school_id`` NULL.
    """
    if not Warehouse(con).has("community_partners", "schools"):
        return AREAS_SCHEMA.empty_table()
    schools = rows(con, "SELECT * FROM schools")
    mapping = {k.strip().lower(): {str(b) for b in v} for k, v in (areas or {}).items()}
    inferred = (_inferred_boards(con) if Warehouse(con).has("interventions", "enrollments")
                else {})
    out: list[dict] = []
    for p in rows(con, "SELECT partner_id, area FROM community_partners ORDER BY partner_id"):
        found: dict[str, str] = {}
        for token in tokens(p["area"]):
            for s in schools:
                basis = _basis(token, s, mapping, inferred)
                if basis:
                    found.setdefault(s["school_id"], basis)
        matched = sorted(found.items()) or [
            (None, f"area {p['area']!r} not matched to any school")]
        out += [{"partner_id": p["partner_id"], "area": p["area"], "school_id": sid,
                 "basis": basis} for sid, basis in matched]
    return pa.Table.from_pylist(out, schema=AREAS_SCHEMA)
