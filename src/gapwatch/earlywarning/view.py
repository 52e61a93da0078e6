"""What ``gapwatch early-warning`` prints: the model next to the rules, fairness warnings, tier
counts, and the students to see first (staff only)."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
from rich.console import RenderableType
from rich.table import Table

from gapwatch.earlywarning.stage import EarlyWarning


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def _model_table(result: EarlyWarning) -> Table | None:
    rep = result.report
    if rep is None:
        return None
    rows = {(r[0], r[1]): r for r in rep.metrics}
    t = Table(title=f"Model for {rep.outcome.replace('_', ' ')}: trained on "
              f"{', '.join(map(str, rep.train_cohorts))}, judged on {rep.holdout_cohort} "
              f"(chosen: {rep.chosen})")
    for col in ("", "AUC (95% interval)", f"precision at {rep.capacity:.0%}",
                f"recall at {rep.capacity:.0%}", "Brier"):
        t.add_column(col, justify="right" if col else "left")
    for name in ("logistic", "boosting", "rules"):
        auc = rows.get((name, "auc"))
        prec = rows.get((name, "precision_at_capacity"))
        rec = rows.get((name, "recall_at_capacity"))
        brier = rows.get((name, "brier"))
        t.add_row(name + (" (chosen)" if name == rep.chosen else ""),
                  f"{auc[2]:.3f} ({auc[3]:.3f}-{auc[4]:.3f})" if auc else "",
                  _pct(prec[2]) if prec else "", _pct(rec[2]) if rec else "",
                  f"{brier[2]:.3f}" if brier else "")
    return t


def _verdict(result: EarlyWarning) -> str:
    rep = result.report
    if rep is None:
        return "No model: " + "; ".join(result.notes)
    diff = next((r for r in rep.metrics if r[0] == rep.chosen and r[1] == "auc_minus_rules"),
                None)
    if diff is None or diff[3] is None:
        return ""
    if diff[3] > 0:
        return (f"The model ranks students better than the rules alone: AUC +{diff[2]:.3f} "
                f"(95% interval {diff[3]:+.3f} to {diff[4]:+.3f}).")
    return (f"The model does NOT clearly beat the rules alone: AUC {diff[2]:+.3f} "
            f"(95% interval {diff[3]:+.3f} to {diff[4]:+.3f}).")


def _fairness(result: EarlyWarning) -> list[str]:
    audit = result.tables.get("fairness_audit")
    if audit is None:
        return []
    return [f"  {r.get('list', r.get('model', ''))} list, {r['label']} (n={r['n']}): "
            f"{r['warning']}" for r in audit.to_pylist() if r.get("warning")]


def _students(tiers: pa.Table, top: int) -> Table:
    t = Table(title=f"Students to see first (CONFIDENTIAL; top {top}: tier, then risk)")
    for col in ("school", "urgency", "student", "grade", "tier", "risk", "why",
                "supports in place"):
        t.add_column(col, overflow="fold")
    rows = sorted(tiers.to_pylist(), key=lambda r: (-r["tier"], -(r["probability"] or 0.0),
                                                    -r["at_risk_count"], r["urgency"]))[:top]
    for r in rows:
        t.add_row(r["school_id"], str(r["urgency"]), r["student_id"], str(r["grade"]),
                  str(r["tier"]), _pct(r["probability"]), r["tier_reason"],
                  r["supports_in_place"] or "none")
    return t


def render(result: EarlyWarning, tables: dict[str, pa.Table], top: int = 15
           ) -> list[RenderableType]:
    """Renderables for the console, for the (possibly narrowed) ``tables``."""
    tiers = tables["student_tiers"]
    counts = Counter(tiers.column("tier").to_pylist())
    n = max(1, tiers.num_rows)
    out: list[RenderableType] = [
        f"[bold]School year {result.school_year}[/]: {tiers.num_rows:,} students; "
        + ", ".join(f"Tier {t} {counts.get(t, 0):,} ({counts.get(t, 0) / n:.1%})"
                    for t in (3, 2, 1))]
    model = _model_table(result)
    if model is not None:
        out.append(model)
    verdict = _verdict(result)
    if verdict:
        out.append(verdict)
    warnings = _fairness(result)
    out.append("[bold]Fairness audit[/]: " + (f"{len(warnings)} warning(s)\n" + "\n".join(
        warnings) if warnings else "no group under-served by the rule in docs."))
    effects = tables.get("intervention_effects")
    if effects is not None and effects.num_rows:
        done = sum(r["effect"] is not None for r in effects.to_pylist())
        out.append(f"[bold]Intervention effects[/]: {done} of {effects.num_rows} comparisons "
                   "estimated (observational, not an experiment: intervention_effects).")
    out.append(_students(tiers, top))
    return out
