"""Every route of the workspace. A route added here needs an entry in the authorization matrix
test (tests/workspace/test_matrix.py), which fails otherwise."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gapwatch.workspace.accounts import views as accounts
from gapwatch.workspace.audit import views as audit
from gapwatch.workspace.notes import views as notes
from gapwatch.workspace.referrals import views as referrals
from gapwatch.workspace.students import aggregates, letters
from gapwatch.workspace.students import views as students
from gapwatch.workspace.supports import views as supports

urlpatterns = [
    path("", accounts.home, name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("ready/", accounts.ready, name="ready"),
    path("students/", students.student_list, name="students"),
    path("students/export.csv", students.student_export, name="students_export"),
    path("students/<str:student_id>/", students.profile, name="student"),
    path("students/<str:student_id>/print/", students.printable, name="student_print"),
    path("students/<str:student_id>/letter/", letters.letter, name="student_letter"),
    path("students/<str:student_id>/letter/sent/", letters.letter_sent,
         name="student_letter_sent"),
    path("students/<str:student_id>/notes.json", notes.notes_json, name="notes_json"),
    path("students/<str:student_id>/notes/new/", notes.note_create, name="note_create"),
    path("notes/<int:pk>/", notes.note_detail, name="note"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<int:pk>/add/", notes.note_append, name="note_append"),
    path("students/<str:student_id>/supports/new/", supports.support_create,
         name="support_create"),
    path("supports/<int:pk>/", supports.support_detail, name="support"),
    path("supports/<int:pk>/checks/", supports.support_check, name="support_check"),
    path("supports/<int:pk>/close/", supports.support_close, name="support_close"),
    path("schools/<str:school_id>/supports/", supports.school_supports, name="school_supports"),
    path("students/<str:student_id>/referrals/new/", referrals.referral_create,
         name="referral_create"),
    path("referrals/", referrals.referral_list, name="referrals"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral"),
    path("referrals/<int:pk>/step/", referrals.referral_step, name="referral_step"),
    path("schools/<str:school_id>/", aggregates.school_view, name="school"),
    path("district/", aggregates.district_view, name="district"),
    path("admin/audit/", audit.audit_log, name="audit_log"),
    path("admin/audit/export.csv", audit.audit_export, name="audit_export"),
    path("admin/users/", audit.users, name="users"),
]

if getattr(settings, "OIDC_ENABLED", False):
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
