"""Tiers of support (MTSS): Tier 1, 2 or 3 per student from the rules and the model.

Multi-tiered systems of support put every student in Tier 1 (universal), some in Tier 2
(targeted, often small-group) and a few in Tier 3 (intensive, individual); the often-quoted
80/15/5 split is a planning heuristic, not a rule (Center on MTSS, American Institutes for
Research, mtss4success.org, "Essential components of MTSS"). gapwatch assigns the higher of:

- **rules**: at-risk flags in ``tier3_at_risk_domains`` (2) or more domains: Tier 3; any
  at-risk flag, or ``tier2_early_warnings`` (2) or more early-warning flags: Tier 2;
- **model**: the top ``tier3_share`` (3%) of the year's students by calibrated probability:
  Tier 3; the top ``capacity`` (10%, the share the district says it can serve): Tier 2.

Urgency within a school: tier, then probability, then at-risk flags. Every tier comes with its
reason in plain words. docs/early-warning.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from gapwatch.config import Config

SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("student_id", pa.string()), ("school_id", pa.string()),
    ("grade", pa.int8()), ("tier", pa.int8()), ("urgency", pa.int32()),
    ("probability", pa.float64()), ("at_risk_count", pa.int32()),
    ("early_warning_count", pa.int32()), ("at_risk_domains", pa.string()),
    ("tier_reason", pa.string()), ("flag_reasons", pa.string()), ("model_reasons", pa.string()),
    ("supports_in_place", pa.string()),
])


@dataclass(frozen=True)
class TierRules:
    """The tier cut-offs (``early_warning.*`` settings)."""

    tier3_at_risk_domains: int = 2
    tier2_early_warnings: int = 2
    capacity: float = 0.10
    tier3_share: float = 0.03

    @classmethod
    def from_config(cls, config: Config) -> TierRules:
        return cls(int(config["early_warning.tier3_at_risk_domains"]),
                   int(config["early_warning.tier2_early_warnings"]),
                   float(config["early_warning.capacity"]),
                   float(config["early_warning.tier3_share"]))


def _rule_tier(s: dict | None, rules: TierRules) -> tuple[int, str]:
    if s is None:
        return 1, ""
    domains = [d for d in (s["domains"] or "").split(", ") if d]
    if len(domains) >= rules.tier3_at_risk_domains:
        return 3, f"at risk in {len(domains)} areas ({', '.join(domains)})"
    if s["at_risk_count"]:
        return 2, f"at risk in {domains[0] if domains else 'one area'}"
    if s["early_warning_count"] >= rules.tier2_early_warnings:
        return 2, f"{s['early_warning_count']} early warnings ({s['flagged_domains']})"
    return 1, ""


def _model_tier(score: dict | None, n: int, rules: TierRules) -> tuple[int, str]:
    if score is None or score["probability"] is None:
        return 1, ""
    rank, pct = score["rank"], round(100 * score["probability"])
    if rank <= max(1, int(rules.tier3_share * n)):
        return 3, f"the model puts the student in the top {rules.tier3_share:.0%} ({pct}% risk)"
    if rank <= max(1, int(rules.capacity * n)):
        return 2, f"the model puts the student in the top {rules.capacity:.0%} ({pct}% risk)"
    return 1, ""


def assign_tiers(students: pa.Table, summary: pa.Table, scores: pa.Table | None,
                 supports: pa.Table | None, rules: TierRules = TierRules()) -> pa.Table:
    """One row per student of ``students`` (school_year, student_id, school_id, grade).

    ``summary``: :func:`gapwatch.earlywarning.flags.student_flag_summary` of the year;
    ``scores``: :func:`gapwatch.earlywarning.model.score_students` (None: rules only);
    ``supports``: :func:`gapwatch.earlywarning.supports.supports_in_place`.
    """
    flagged = {r["student_id"]: r for r in summary.to_pylist()}
    scored = {r["student_id"]: r for r in scores.to_pylist()} if scores is not None else {}
    n_scored = len(scored)
    held: dict[str, list[str]] = {}
    for r in supports.to_pylist() if supports is not None else []:
        held.setdefault(r["student_id"], []).append(f"Tier {r['tier']} {r['type']}")
    out = []
    for st in students.to_pylist():
        sid = st["student_id"]
        s, score = flagged.get(sid), scored.get(sid)
        (rt, rwhy), (mt, mwhy) = _rule_tier(s, rules), _model_tier(score, n_scored, rules)
        tier = max(rt, mt)
        why = "; ".join(w for t, w in ((rt, rwhy), (mt, mwhy)) if t == tier and w)
        out.append({**{k: st[k] for k in ("school_year", "student_id", "school_id", "grade")},
                    "tier": tier, "probability": score["probability"] if score else None,
                    "at_risk_count": s["at_risk_count"] if s else 0,
                    "early_warning_count": s["early_warning_count"] if s else 0,
                    "at_risk_domains": s["domains"] if s else "",
                    "tier_reason": f"Tier {tier}: {why}." if why else "Tier 1: universal support.",
                    "flag_reasons": s["reasons"] if s else "",
                    "model_reasons": score["top_reasons"] if score else "",
                    "supports_in_place": "; ".join(held.get(sid, []))})
    out.sort(key=lambda r: (r["school_id"], -r["tier"], -(r["probability"] or 0.0),
                            -r["at_risk_count"], r["student_id"]))
    school, rank = None, 0
    for r in out:
        rank = rank + 1 if r["school_id"] == school else 1
        school, r["urgency"] = r["school_id"], rank
    return pa.Table.from_pylist(out, schema=SCHEMA)
