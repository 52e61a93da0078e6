"""Referrals to community partners, a closed loop: the family's consent is recorded first, then
sent -> accepted -> first contact -> served / declined / closed, each step dated. A served
referral flows back into the next early-warning run as an intervention."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Step(models.TextChoices):
    CONSENTED = "consented", "Family consent recorded"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    FIRST_CONTACT = "first_contact", "First contact with the family"
    SERVED = "served", "Served"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


#: steps each step may lead to (the loop, in order; any open step may be closed)
NEXT = {
    Step.CONSENTED: (Step.SENT, Step.CLOSED),
    Step.SENT: (Step.ACCEPTED, Step.DECLINED, Step.CLOSED),
    Step.ACCEPTED: (Step.FIRST_CONTACT, Step.DECLINED, Step.CLOSED),
    Step.FIRST_CONTACT: (Step.SERVED, Step.DECLINED, Step.CLOSED),
    Step.SERVED: (),
    Step.DECLINED: (),
    Step.CLOSED: (),
}
#: steps a partner records on their own referrals (staff record consent, sending, closing)
PARTNER_STEPS = frozenset({Step.ACCEPTED, Step.FIRST_CONTACT, Step.SERVED, Step.DECLINED})


class Referral(models.Model):
    student_id = models.CharField(max_length=64, db_index=True)
    school_id = models.CharField(max_length=64, db_index=True)
    school_year = models.IntegerField()
    partner_id = models.CharField(max_length=64, db_index=True)
    partner_name = models.CharField(max_length=200)
    service = models.CharField(max_length=32)
    reason = models.TextField(help_text="What the family needs, in words the partner needs.")
    tier = models.PositiveSmallIntegerField(default=2)
    consent_by = models.CharField(max_length=200, help_text="Who in the family consented.")
    consent_method = models.CharField(max_length=16, choices=[
        ("written", "Written, signed"), ("verbal", "Verbal, witnessed")])
    consent_date = models.DateField()
    share_academic = models.BooleanField(
        default=False, help_text="The family consented to share grades and flags with the "
                                 "partner.")
    contact_name = models.CharField(max_length=200, blank=True,
                                    help_text="Family contact for the partner.")
    contact_phone = models.CharField(max_length=50, blank=True)
    contact_language = models.CharField(max_length=50, blank=True)
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.CONSENTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def date_of(self, step: str):
        event = next((e for e in self.events.all() if e.step == step), None)
        return event.date if event else None

    @property
    def intervention_id(self) -> str:
        return f"WS-R{self.pk}"


class ReferralEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=16, choices=Step.choices)
    date = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
