"""The disclosure model's rules (:mod:`gapwatch.privacy.model`) as linear constraints.

A constraint is ``(terms, sense)``: the sum of ``coef * variable`` over its terms is ``== 0``
(``eq``) or ``<= 0`` (``le``). A variable is a cell's ``n`` or, for a rate, its numerator
``x``. Only cells present in ``indicators.csv`` take part (``cells``: key -> kind).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

Key = tuple[int, str, str, str, str]  #: (school_year, entity_type, entity_id, indicator, group)
Term = tuple[Key, str, int]
Constraint = tuple[tuple[Term, ...], str]


def _nx(key: Key, coef: int) -> list[Term]:
    """Terms of n - x (students not meeting the outcome)."""
    return [(key, "n", coef), (key, "x", -coef)]


def _nest(inner: list[Key], outer: Key, sense: str, rate: bool) -> list[Constraint]:
    """sum(inner) <sense> outer for n, and for rates for x (and n - x when ``le``)."""
    out = [(tuple([(k, "n", 1) for k in inner] + [(outer, "n", -1)]), sense)]
    if rate:
        out.append((tuple([(k, "x", 1) for k in inner] + [(outer, "x", -1)]), sense))
        if sense == "le":
            out.append((tuple([t for k in inner for t in _nx(k, 1)] + _nx(outer, -1)), "le"))
    return out


class _Index:
    def __init__(self, cells: dict[Key, str]) -> None:
        self.kind = cells
        self.by_unit: dict[tuple, dict[str, Key]] = defaultdict(dict)  # (y, et, eid, ind)
        self.by_group: dict[tuple, dict[str, Key]] = defaultdict(dict)  # (y, et, eid, g)
        for k in cells:
            self.by_unit[k[:4]][k[4]] = k
            self.by_group[(k[0], k[1], k[2], k[4])][k[3]] = k

    def rate(self, *keys: Key) -> bool:
        return all(self.kind[k] == "rate" for k in keys)


def _groups(ix: _Index, rule: dict[str, Any]) -> list[Constraint]:
    only = set(rule["indicators"]) if "indicators" in rule else None
    out: list[Constraint] = []
    for unit, cells in ix.by_unit.items():
        if (only is not None and unit[3] not in only) or rule["total"] not in cells:
            continue
        parts = [cells[g] for g in rule["parts"] if g in cells]
        if parts:
            total = cells[rule["total"]]
            out += _nest(parts, total, rule["sense"], ix.rate(total, *parts))
    return out


def _across(ix: _Index, rule: dict[str, Any]) -> list[Constraint]:
    """Rules between two indicators of the same entity, year and group."""
    kind, sense = rule["kind"], rule.get("sense", "eq")
    a, b = (rule["inner"], rule["outer"]) if kind == "universe" else (rule["indicator"],
                                                                       rule.get("of"))
    out: list[Constraint] = []
    for (y, et, eid, g), inds in ix.by_group.items():
        if a not in inds or (b is not None and b not in inds):
            continue
        ka = inds[a]
        if kind == "universe":
            kb = inds[b]
            out.append((((ka, "n", 1), (kb, "n", -1)), sense))
            if rule.get("outcome") and ix.rate(ka, kb):
                out.append((((ka, "x", 1), (kb, "x", -1)), sense))
                out.append((tuple(_nx(ka, 1) + _nx(kb, -1)), sense))
        elif kind == "numerator" and ix.rate(inds[b]):
            out.append((((ka, "n", 1), (inds[b], "x", -1)), sense))
        elif kind == "same_numerator" and ix.rate(ka, inds[b]):
            out.append((((ka, "x", 1), (inds[b], "x", -1)), sense))
        elif kind == "prior_year":
            base = inds.get(rule["base"])
            if base is None or not ix.rate(ka, base):
                continue
            added = [(ka, "n", 1), (base, "n", -1)]  # students added to base's universe
            out.append((tuple(added + [(ka, "x", -1), (base, "x", 1)]), "eq"))
            out.append((tuple((k, v, -c) for k, v, c in added), "le"))
            prior = ix.by_group.get((y - 1, et, eid, g), {}).get(rule["base"])
            if prior is not None and ix.rate(prior):
                out.append((tuple(added + _nx(prior, -1)), "le"))
    return out


def expand(cells: dict[Key, str], rules: Iterable[dict[str, Any]]) -> list[Constraint]:
    """Every rule applied to every set of cells it covers."""
    ix = _Index(cells)
    out: list[Constraint] = []
    for rule in rules:
        out += _groups(ix, rule) if rule["kind"] == "groups" else _across(ix, rule)
    return out


def entity_sums(cells: dict[Key, str], members: dict[str, list[str]], exact: Iterable[str],
                at_most: Iterable[str], unlinked: Iterable[str]) -> list[Constraint]:
    """Schools add up to their district and board district, per indicator: exactly (n and x),
    at most (``at_most``: schools' n sum to at most the parent's), or at least (the rest: a
    student at two schools counts at both), none for ``unlinked``."""
    exact, at_most, unlinked = set(exact), set(at_most), set(unlinked)
    groups = {(k[0], k[3], k[4]) for k in cells}
    out: list[Constraint] = []
    for parent, schools in sorted(members.items()):
        ptype, pid = parent.split(":", 1)
        for y, ind, g in sorted(groups):
            total = (y, ptype, pid, ind, g)
            if total not in cells or ind in unlinked:
                continue
            parts = [k for s in schools if (k := (y, "school", s, ind, g)) in cells]
            if ind in exact:
                rate = cells[total] == "rate"
                out += _nest(parts, total, "eq", rate)
            elif ind in at_most:
                out.append((tuple([(k, "n", 1) for k in parts] + [(total, "n", -1)]), "le"))
            else:
                out.append((tuple([(k, "n", -1) for k in parts] + [(total, "n", 1)]), "le"))
    return out
