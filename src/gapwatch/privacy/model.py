"""The disclosure model: every relation a reader can derive from the published files and the
public documentation, as data (``disclosure.json``, key ``rules``).

The door and the audit share it: :func:`candidate_rules` derives the relations from the
indicator registry (universes and the ``universe_within``, ``universe_is_numerator_of``,
``numerator_of`` and ``adds_prior_year_of`` fields) and from the student groups (families of
disjoint groups, containment); :func:`holding_rules` keeps those that hold in the warehouse
(an equality that fails there is tried as an inequality), because a relation that is not true
cannot help anyone recover a true value; :mod:`gapwatch.privacy.relations` turns the rules
into linear constraints over the cells of ``indicators.csv``.

Rule kinds (every count is a number of students; ``x`` is a rate's numerator):

- ``groups``: the ``parts`` groups are disjoint and lie within ``total`` (same entity, year and
  indicator): sum of n and x equal the total's (``eq``, a partition) or at most (``le``; then
  also the students not meeting the outcome, n - x);
- ``universe``: the universe of ``inner`` equals (``eq``) or lies within (``le``) the universe of
  ``outer`` (same entity, year and group); with ``outcome``, the outcome is the same, so the
  numerators and the non-meeting students nest too;
- ``numerator``: the universe of ``indicator`` is the numerator of ``of``;
- ``same_numerator``: the numerator of ``indicator`` is the numerator of ``of``;
- ``prior_year``: ``indicator`` adds to the universe of ``base`` some of the previous year's
  students of ``base`` who did not meet its outcome, all of whom meet it now.

Goals and entity sums are described in ``disclosure.json`` beside the rules
(:mod:`gapwatch.privacy.door`). Method: the relations an intruder can use are the ones of the
table structure and of published definitions (Hundepool, A. et al. 2012, *Statistical
Disclosure Control*, Wiley, ch. 4 "Magnitude tabular data" and 5 "Frequency tables"; the linked
tables of tau-Argus, de Wolf, P.-P. et al., *tau-Argus user's manual*, version 4.2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gapwatch.contract import CODE_SETS

#: Families of disjoint single groups: (name, codes, complete: the codes cover every student).
FAMILIES: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("race/ethnicity", tuple(CODE_SETS["race_ethnicity"]), True),
    ("gender", tuple(CODE_SETS["gender"]), True),
    ("EL status", ("EL", "RFEP", "EO"), False),
)
#: Single groups contained in another (DATA_MODEL.md: LTEL are English learners).
WITHIN: dict[str, tuple[str, ...]] = {"LTEL": ("EL",)}
#: EL status groups are disjoint only where EL means current English learners (the Academic
#: Indicator's and ELPI's EL also count reclassified students: groups.EL_PREDICATES).
EL_FAMILY = "EL status"

Rule = dict[str, Any]
Truth = dict[tuple, tuple[int, int | None]]  #: key -> (n, x); x None for means


def _parts(code: str) -> frozenset[str]:
    return frozenset() if code == "ALL" else frozenset(code.split("+"))


def group_rules(groups: Iterable[str]) -> list[Rule]:
    """Families under every parent (ALL, a single group, an intersection's other parts) and
    containment of each group in ALL, in each part of an intersection, and :data:`WITHIN`."""
    codes = sorted(set(groups) | {"ALL"})
    by_parts = {_parts(c): c for c in codes}
    out: list[Rule] = []
    covered: set[tuple[str, str]] = set()  # (group, parent) implied by a family rule
    for parent in codes:
        base = _parts(parent)
        for name, family, complete in FAMILIES:
            members = [by_parts[base | {f}] for f in family
                       if f not in base and (base | {f}) in by_parts]
            if not members or any(f in base for f in family):
                continue
            # a complete family is tried as a partition: where a code has no students at all,
            # the others still add up (holding_rules keeps the sense the data bears out)
            out.append({"kind": "groups", "total": parent, "parts": members,
                        "sense": "eq" if complete else "le", "family": name})
            covered |= {(m, parent) for m in members}
    for code in codes:
        parents = {"ALL"} if code != "ALL" else set()
        parts = _parts(code)
        if len(parts) > 1:
            parents |= {by_parts[frozenset({p})] for p in parts if frozenset({p}) in by_parts}
        for p in parts:
            parents |= {w for w in WITHIN.get(p, ()) if w in codes}
        for parent in sorted(parents - {code}):
            if (code, parent) not in covered:
                out.append({"kind": "groups", "total": parent, "parts": [code], "sense": "le",
                            "family": "containment"})
    return out


def indicator_rules(indicators: Iterable[Any]) -> list[Rule]:
    """Shared and nested universes, numerators that are universes, prior-year additions."""
    inds = {i.id: i for i in indicators}
    out: list[Rule] = []
    same: dict[tuple, list[str]] = defaultdict(list)
    for i in inds.values():
        same[(i.universe, str(i.source), i.el_group)].append(i.id)
    for ids in same.values():
        for a, b in zip(ids, ids[1:], strict=False):
            out.append({"kind": "universe", "inner": a, "outer": b, "sense": "eq",
                        "outcome": inds[a].outcome == inds[b].outcome})
    enrolled = [i.id for i in inds.values() if i.universe.strip().upper() == "TRUE"
                and str(i.source) == "student_year"]
    for i in inds.values():
        outer = list(i.universe_within)
        if enrolled and str(i.source) == "student_year" and i.id not in enrolled:
            outer.append(enrolled[0])
        for o in dict.fromkeys(outer):
            if o in inds:
                out.append({"kind": "universe", "inner": i.id, "outer": o, "sense": "le",
                            "outcome": i.outcome == inds[o].outcome})
        if i.universe_is_numerator_of in inds:
            out.append({"kind": "numerator", "indicator": i.id,
                        "of": i.universe_is_numerator_of, "sense": "eq"})
        if i.numerator_of in inds:
            out.append({"kind": "same_numerator", "indicator": i.id, "of": i.numerator_of,
                        "sense": "eq"})
        if i.adds_prior_year_of in inds:
            out.append({"kind": "prior_year", "indicator": i.id, "base": i.adds_prior_year_of})
    return out


def equal_classes(indicators: Iterable[Any]) -> dict[str, str]:
    """Indicator -> a representative of the indicators tied to it by equalities (shared
    universes, numerators that are universes or numerators, prior-year additions)."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            a = parent[a]
        return a

    for rule in indicator_rules(indicators):
        if rule.get("sense", "eq") != "eq":
            continue
        a = rule.get("inner") or rule.get("indicator")
        b = rule.get("outer") or rule.get("of") or rule.get("base")
        parent[find(a)] = find(b)
    return {a: find(a) for a in parent}


def candidate_rules(indicators: Iterable[Any], groups: Iterable[str]) -> list[Rule]:
    """Every relation the registry and the group definitions document, before checking.

    Group rules apply to every indicator, except the EL-status family, which applies only to
    indicators whose EL group is the current English learners."""
    inds = list(indicators)
    current = sorted(i.id for i in inds if i.el_group == "current")
    rules = []
    for rule in group_rules(groups):
        if rule["family"] == EL_FAMILY:
            rule = {**rule, "indicators": current}
        rules.append(rule)
    return rules + indicator_rules(inds)


def holding_rules(rules: list[Rule], truth: Truth) -> tuple[list[Rule], list[Rule]]:
    """(rules that hold on every cell of ``truth``, rules dropped). A group rule is checked per
    indicator and keeps the indicators where it holds; an ``eq`` rule that fails is kept as
    ``le`` where that holds."""
    from gapwatch.privacy.relations import expand

    kinds = {k: ("rate" if x is not None else "mean") for k, (n, x) in truth.items()}
    inds = sorted({k[3] for k in truth})
    kept: list[Rule] = []
    dropped: list[Rule] = []

    by_ind: dict[str, dict] = defaultdict(dict)
    for key, kind in kinds.items():
        by_ind[key[3]][key] = kind

    def ok(rule: Rule, only: set[str] | None = None) -> bool:
        cells = kinds if only is None else {k: v for i in only for k, v in by_ind[i].items()}
        for terms, sense in expand(cells, [rule]):
            total = 0
            for key, var, coef in terms:
                n, x = truth[key]
                total += coef * (n if var == "n" else x)
            if total != 0 if sense == "eq" else total > 0:
                return False
        return True

    for rule in rules:
        senses = [rule.get("sense")] + (["le"] if rule.get("sense") == "eq" else [])
        if rule["kind"] == "groups":
            wanted = rule.get("indicators", inds)
            left = [i for i in inds if i in wanted]
            for sense in senses:
                fit = [i for i in left if ok({**rule, "sense": sense}, {i})]
                if fit:
                    kept.append({**rule, "sense": sense, "indicators": fit})
                left = [i for i in left if i not in fit]
            if left:
                dropped.append({**rule, "indicators": left})
            continue
        for sense in senses:
            if ok({**rule, "sense": sense} if sense else rule):
                kept.append({**rule, "sense": sense} if sense else rule)
                break
        else:
            dropped.append(rule)
    return kept, dropped


def legacy_rules(partitions: list[dict]) -> list[Rule]:
    """The first door's partitions (race, gender: exact) as group rules."""
    return [{"kind": "groups", "total": p["total"], "parts": list(p["parts"]), "sense": "eq",
             "family": p["name"]} for p in partitions]
