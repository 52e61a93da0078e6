"""Referrals to community partners: consent first, then each step of the loop, dated.

Staff (principal, counselor, district admin) refer students in their scope; a partner account
sees only its organisation's referrals once sent, with the minimum necessary fields (no flags,
no grades unless the family consented to share them), and records accepted, first contact,
served or declined.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gapwatch.workspace.access import allow
from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.referrals.models import NEXT, PARTNER_STEPS, Referral, ReferralEvent, Step
from gapwatch.workspace.roles import REFERRING_ROLES, STAFF_ROLES, Role
from gapwatch.workspace.scope import deny, request_scope, require_student
from gapwatch.workspace.students import profile as panels

REFERRING = tuple(REFERRING_ROLES)
DATE = forms.DateInput(attrs={"type": "date"})


class ReferralForm(forms.ModelForm):
    partner_id = forms.ChoiceField(label="Community partner")

    class Meta:
        model = Referral
        fields = ["partner_id", "service", "reason", "contact_name", "contact_phone",
                  "contact_language", "consent_by", "consent_method", "consent_date",
                  "share_academic"]
        widgets = {"consent_date": DATE}

    def __init__(self, *args, partners: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partners = {p["partner_id"]: p for p in partners}
        self.fields["partner_id"].choices = [(p["partner_id"], f"{p['name']} ({p['services']})")
                                             for p in partners]
        self.fields["consent_date"].help_text = "No referral is sent without the family's consent."

    def clean_consent_date(self):
        date = self.cleaned_data["consent_date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The consent date is in the future.")
        return date


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices)
    date = forms.DateField(widget=DATE)
    note = forms.CharField(required=False, widget=forms.Textarea)


def _partners(request: HttpRequest) -> list[dict]:
    snap = request.warehouse
    if not snap.has("community_partners"):
        return []
    return snap.rows("SELECT partner_id, name, services FROM community_partners ORDER BY name")


def _visible(request: HttpRequest, pk: int) -> Referral:
    """The referral when this user may see it: a partner its own sent ones, staff those of
    students in scope; otherwise log and 404."""
    ref = Referral.objects.filter(pk=pk).prefetch_related("events").first()
    user = request.user
    if ref is not None and user.role == Role.PARTNER:
        ok = ref.partner_id == user.partner_id and ref.step != Step.CONSENTED
    else:
        ok = ref is not None and request_scope(request).allows(request.warehouse, ref.student_id)
    if not ok:
        deny(request, "referral", pk, student_id=ref.student_id if ref else "")
    return ref


@allow(*REFERRING)
def referral_create(request: HttpRequest, student_id: str) -> HttpResponse:
    scope = require_student(request, student_id)
    form = ReferralForm(request.POST or None, partners=_partners(request))
    if request.method == "POST" and form.is_valid():
        ref = form.save(commit=False)
        partner = form.partners[form.cleaned_data["partner_id"]]
        school = scope.roster(request.warehouse, "r.student_id = $sid", {"sid": student_id},
                              columns="r.school_id")[0]["school_id"]
        ref.student_id, ref.school_id, ref.school_year = student_id, school, scope.year
        ref.partner_name, ref.created_by = partner["name"], request.user
        with transaction.atomic():
            ref.save()
            ReferralEvent.objects.create(referral=ref, step=Step.CONSENTED,
                                         date=ref.consent_date, recorded_by=request.user,
                                         note=f"{ref.consent_method} consent by {ref.consent_by}")
        record(request, Action.CREATE, object_type="referral", object_id=ref.pk,
               student_id=student_id, detail=f"to {ref.partner_id} ({ref.service})")
        return redirect("referral", pk=ref.pk)
    return render(request, "workspace/referral_form.html", {"form": form, "sid": student_id},
                  status=400 if request.method == "POST" else 200)


@allow(*STAFF_ROLES, Role.PARTNER)
def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.PARTNER:
        refs = Referral.objects.filter(partner_id=user.partner_id).exclude(step=Step.CONSENTED)
    else:
        scope = request_scope(request)
        refs = Referral.objects.all()
        if not scope.everyone:
            ids = [r["student_id"] for r in scope.roster(request.warehouse)]
            refs = refs.filter(student_id__in=ids)
    record(request, Action.LIST, object_type="referrals")
    return render(request, "workspace/referrals.html", {"referrals": refs[:500]})


@allow(*STAFF_ROLES, Role.PARTNER)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ref = _visible(request, pk)
    record(request, Action.VIEW, object_type="referral", object_id=pk, student_id=ref.student_id)
    partner = request.user.role == Role.PARTNER
    snap = request.warehouse
    student = panels.header(snap, ref.student_id, ref.school_year)
    shown = {"first_name": student.get("first_name"), "last_name": student.get("last_name"),
             "school_name": student.get("school_name"), "grade": student.get("grade")}
    academic = None
    if not partner or ref.share_academic:
        academic = {"flags": panels.panel(snap, "flags", ref.student_id, ref.school_year),
                    "tier": panels.panel(snap, "tier", ref.student_id, ref.school_year)}
    steps = [s for s in NEXT[Step(ref.step)] if not partner or s in PARTNER_STEPS]
    can_step = bool(steps) and (partner or request.user.role in REFERRING_ROLES)
    form = StepForm(initial={"date": timezone.localdate()}) if can_step else None
    if form:
        form.fields["step"].choices = [(s.value, s.label) for s in steps]
    return render(request, "workspace/referral.html", {
        "ref": ref, "student": shown, "academic": academic, "form": form, "partner": partner})


@allow(*REFERRING, Role.PARTNER)
@require_POST
def referral_step(request: HttpRequest, pk: int) -> HttpResponse:
    ref = _visible(request, pk)
    form = StepForm(request.POST)
    partner = request.user.role == Role.PARTNER
    allowed = [s.value for s in NEXT[Step(ref.step)] if not partner or s in PARTNER_STEPS]
    last = max((e.date for e in ref.events.all()), default=None)
    if not form.is_valid() or form.cleaned_data["step"] not in allowed:
        return HttpResponse("That step does not follow the referral's current step.",
                            status=400, content_type="text/plain")
    date = form.cleaned_data["date"]
    if date > timezone.localdate() or (last is not None and date < last):
        return HttpResponse("The date must fall between the previous step and today.",
                            status=400, content_type="text/plain")
    with transaction.atomic():
        ReferralEvent.objects.create(referral=ref, step=form.cleaned_data["step"], date=date,
                                     note=form.cleaned_data["note"], recorded_by=request.user)
        ref.step = form.cleaned_data["step"]
        ref.save(update_fields=["step"])
    record(request, Action.UPDATE, object_type="referral", object_id=pk,
           student_id=ref.student_id, detail=f"step {ref.step} on {date}")
    return redirect("referral", pk=pk)
