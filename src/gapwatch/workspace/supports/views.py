"""Assigning supports, recording progress checks, closing with an outcome; a school's supports
by type with each champion's load."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gapwatch.workspace.access import allow
from gapwatch.workspace.accounts.models import User
from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.roles import AGGREGATE_ROLES, RECORDING_ROLES, STAFF_ROLES
from gapwatch.workspace.scope import deny, request_scope, require_student
from gapwatch.workspace.supports.models import ProgressCheck, Support

RECORDING = tuple(RECORDING_ROLES)
DATE = forms.DateInput(attrs={"type": "date"})


class SupportForm(forms.ModelForm):
    class Meta:
        model = Support
        fields = ["type", "tier", "goal", "champion", "start_date", "monitoring"]
        widgets = {"start_date": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["champion"].queryset = User.objects.filter(
            is_active=True, role__in=RECORDING_ROLES).order_by("last_name", "username")
        self.fields["start_date"].initial = timezone.localdate()


class CheckForm(forms.ModelForm):
    class Meta:
        model = ProgressCheck
        fields = ["date", "on_track", "measure", "note"]
        widgets = {"date": DATE}


class CloseForm(forms.ModelForm):
    class Meta:
        model = Support
        fields = ["end_date", "outcome"]
        widgets = {"end_date": DATE}

    def clean(self):
        data = super().clean()
        if not data.get("outcome"):
            self.add_error("outcome", "Say how the support ended.")
        end = data.get("end_date")
        if end is None:
            self.add_error("end_date", "Give the date the support ended.")
        elif end < self.instance.start_date:
            self.add_error("end_date", "The end date is before the start date.")
        return data


def _support_in_scope(request: HttpRequest, pk: int) -> Support:
    support = Support.objects.filter(pk=pk).select_related("champion").first()
    if support is None or not request_scope(request).allows(request.warehouse,
                                                            support.student_id):
        deny(request, "support", pk, student_id=support.student_id if support else "")
    return support


@allow(*RECORDING)
def support_create(request: HttpRequest, student_id: str) -> HttpResponse:
    scope = require_student(request, student_id)
    form = SupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        support = form.save(commit=False)
        school = scope.roster(request.warehouse, "r.student_id = $sid", {"sid": student_id},
                              columns="r.school_id")[0]["school_id"]
        support.student_id, support.school_id, support.school_year = (student_id, school,
                                                                       scope.year)
        support.created_by = request.user
        support.save()
        record(request, Action.CREATE, object_type="support", object_id=support.pk,
               student_id=student_id, detail=f"Tier {support.tier} {support.type}")
        return redirect("support", pk=support.pk)
    return render(request, "workspace/support_form.html", {"form": form, "sid": student_id},
                  status=400 if request.method == "POST" else 200)


@allow(*STAFF_ROLES)
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support = _support_in_scope(request, pk)
    record(request, Action.VIEW, object_type="support", object_id=pk,
           student_id=support.student_id)
    can_edit = request.user.role in RECORDING_ROLES and support.is_open
    return render(request, "workspace/support.html", {
        "support": support, "checks": support.checks.select_related("recorded_by"),
        "check_form": CheckForm(initial={"date": timezone.localdate()}) if can_edit else None,
        "close_form": CloseForm(instance=support) if can_edit else None})


@allow(*RECORDING)
@require_POST
def support_check(request: HttpRequest, pk: int) -> HttpResponse:
    support = _support_in_scope(request, pk)
    form = CheckForm(request.POST)
    if not support.is_open or not form.is_valid():
        return render(request, "workspace/support.html", {
            "support": support, "checks": support.checks.all(), "check_form": form,
            "close_form": None}, status=400)
    check = form.save(commit=False)
    check.support, check.recorded_by = support, request.user
    check.save()
    record(request, Action.CREATE, object_type="progress_check", object_id=check.pk,
           student_id=support.student_id, detail=f"support {pk}")
    return redirect("support", pk=pk)


@allow(*RECORDING)
@require_POST
def support_close(request: HttpRequest, pk: int) -> HttpResponse:
    support = _support_in_scope(request, pk)
    form = CloseForm(request.POST, instance=support)
    if not support.is_open or not form.is_valid():
        return render(request, "workspace/support.html", {
            "support": support, "checks": support.checks.all(), "check_form": None,
            "close_form": form}, status=400)
    form.save()
    record(request, Action.UPDATE, object_type="support", object_id=pk,
           student_id=support.student_id, detail=f"closed: {support.outcome}")
    return redirect("support", pk=pk)


@allow(*AGGREGATE_ROLES)
def school_supports(request: HttpRequest, school_id: str) -> HttpResponse:
    """Open supports at a school by type and tier, and each champion's open supports."""
    scope = request_scope(request)
    if not scope.everyone and school_id not in scope.schools:
        deny(request, "school", school_id)
    year = scope.year
    mine = Support.objects.filter(school_id=school_id, school_year=year)
    by_type = (mine.values("type", "tier").annotate(
        open=Count("id", filter=Q(outcome="")), closed=Count("id", filter=~Q(outcome="")),
        goal_met=Count("id", filter=Q(outcome="goal_met"))).order_by("-open", "type"))
    champions = (mine.filter(outcome="").values("champion__username", "champion__first_name",
                                                "champion__last_name")
                 .annotate(open=Count("id")).order_by("-open"))
    record(request, Action.LIST, object_type="school_supports", object_id=school_id)
    return render(request, "workspace/school_supports.html", {
        "school_id": school_id, "year": year, "by_type": by_type, "champions": champions})
