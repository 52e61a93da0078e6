"""What staff record in the workspace, as rows the analysis reads: supports and served
referrals become ``interventions``; each run's tiers are kept as history.

Needs Django configured (:func:`gapwatch.workspace.setup`); called by
:mod:`gapwatch.earlywarning.workspace` during ``gapwatch early-warning`` and ``gapwatch run``.
"""

from __future__ import annotations

import pyarrow as pa

from gapwatch.contract import table as contract_table

#: closed supports' outcomes -> the contract's intervention status
CLOSED_STATUS = {"goal_met": "COMPLETED", "progress": "COMPLETED", "no_progress": "COMPLETED",
                 "discontinued": "DISCONTINUED"}
SCHEMA = pa.schema([
    ("intervention_id", pa.string()), ("student_id", pa.string()), ("school_year", pa.int16()),
    ("tier", pa.int32()), ("type", pa.string()), ("start_date", pa.date32()),
    ("end_date", pa.date32()), ("provider_staff_id", pa.string()), ("partner_id", pa.string()),
    ("status", pa.string()), ("goal", pa.string()), ("outcome", pa.string())])
assert SCHEMA.names == list(contract_table("interventions").column_names)


def workspace_interventions() -> pa.Table:
    """Every support, and every referral the partner served, as ``interventions`` rows."""
    from gapwatch.workspace.referrals.models import Referral, Step
    from gapwatch.workspace.supports.models import Support

    rows = []
    for s in Support.objects.select_related("champion").order_by("pk"):
        rows.append({
            "intervention_id": s.intervention_id, "student_id": s.student_id,
            "school_year": s.school_year, "tier": s.tier, "type": s.type,
            "start_date": s.start_date, "end_date": s.end_date,
            "provider_staff_id": s.champion.staff_id or None, "partner_id": None,
            "status": CLOSED_STATUS[s.outcome] if s.outcome else "ACTIVE", "goal": s.goal,
            "outcome": s.get_outcome_display() if s.outcome else None})
    for r in Referral.objects.filter(step=Step.SERVED).prefetch_related("events").order_by("pk"):
        start = r.date_of(Step.FIRST_CONTACT) or r.date_of(Step.SERVED)
        rows.append({
            "intervention_id": r.intervention_id, "student_id": r.student_id,
            "school_year": r.school_year, "tier": r.tier, "type": f"Partner: {r.service}",
            "start_date": start, "end_date": None, "provider_staff_id": None,
            "partner_id": r.partner_id, "status": "ACTIVE", "goal": r.reason,
            "outcome": f"served (referral {r.pk})"})
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def record_tiers(tiers: pa.Table) -> int:
    """Append a :class:`~gapwatch.workspace.students.models.TierRecord` for every student whose
    tier differs from their latest record; return how many were added."""
    from gapwatch.workspace.students.models import TierRecord

    known: dict[str, int] = {}
    for sid, tier in (TierRecord.objects.order_by("student_id", "recorded_at", "id")
                      .values_list("student_id", "tier").iterator(chunk_size=10_000)):
        known[sid] = tier  # the latest record wins
    new = [TierRecord(student_id=r["student_id"], school_year=r["school_year"], tier=r["tier"],
                      reason=r["tier_reason"] or "")
           for r in tiers.select(["student_id", "school_year", "tier", "tier_reason"]).to_pylist()
           if known.get(r["student_id"]) != r["tier"]]
    TierRecord.objects.bulk_create(new, batch_size=5000)
    return len(new)


ENGAGEMENT_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("school_id", pa.string()), ("activity", pa.string()),
    ("date", pa.date32()), ("participants", pa.int32()), ("student_id", pa.string()),
    ("language", pa.string())])
assert ENGAGEMENT_SCHEMA.names == list(contract_table("family_engagement").column_names)


def workspace_engagement() -> pa.Table:
    """Every family contact recorded in the workspace (a progress letter sent) as a
    ``family_engagement`` row about the family: activity ``OTHER`` (a contact, not
    participation), one participant, the letter's language."""
    from gapwatch.workspace.students.models import FamilyContact

    rows = [{"school_year": c.school_year, "school_id": c.school_id, "activity": "OTHER",
             "date": c.date, "participants": 1, "student_id": c.student_id,
             "language": c.language or None}
            for c in FamilyContact.objects.order_by("pk")]
    return pa.Table.from_pylist(rows, schema=ENGAGEMENT_SCHEMA)
