"""Writing, reading, editing (author, 24 hours) and adding to notes."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gapwatch.workspace.access import allow
from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.notes.models import Addendum, Note
from gapwatch.workspace.notes.visibility import visible_notes
from gapwatch.workspace.roles import RECORDING_ROLES, RESTRICTED_NOTE_ROLES, STAFF_ROLES
from gapwatch.workspace.scope import deny, request_scope, require_student

RECORDING = tuple(RECORDING_ROLES)


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["kind", "restricted", "text"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role not in RESTRICTED_NOTE_ROLES:
            del self.fields["restricted"]


@cache
def blank_note_form(role: str) -> str:
    """The empty note form of ``role`` as HTML (the same for every profile of that role:
    rendered once per process)."""
    return NoteForm(user=SimpleNamespace(role=role)).as_p()


def _note_in_scope(request: HttpRequest, pk: int) -> Note:
    """The note, when the user may read it (restricted rule and student scope); else 404."""
    note = visible_notes(request.user).filter(pk=pk).first()
    if note is None or not request_scope(request).allows(request.warehouse, note.student_id):
        deny(request, "note", pk, student_id=note.student_id if note else "")
    return note


@allow(*RECORDING)
@require_POST
def note_create(request: HttpRequest, student_id: str) -> HttpResponse:
    require_student(request, student_id)
    form = NoteForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "workspace/note_form.html", {"form": form, "sid": student_id},
                      status=400)
    note = form.save(commit=False)
    note.student_id, note.author = student_id, request.user
    note.save()
    record(request, Action.CREATE, object_type="note", object_id=note.pk, student_id=student_id,
           detail=f"{note.kind}{' restricted' if note.restricted else ''}")
    return redirect(reverse("student", args=[student_id]) + "#h-notes")


@allow(*STAFF_ROLES)
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_in_scope(request, pk)
    record(request, Action.VIEW, object_type="note", object_id=pk, student_id=note.student_id)
    editable = note.editable_by(request.user)
    return render(request, "workspace/note.html", {
        "note": note, "editable": editable,
        "form": NoteForm(instance=note, user=request.user) if editable else None,
        "can_add": request.user.role in RECORDING_ROLES})


@allow(*RECORDING)
@require_POST
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_in_scope(request, pk)
    if not note.editable_by(request.user):
        raise PermissionDenied("Only the author may edit a note, within 24 hours; add to it.")
    form = NoteForm(request.POST, instance=note, user=request.user)
    if not form.is_valid():
        return render(request, "workspace/note.html", {"note": note, "editable": True,
                                                       "form": form}, status=400)
    form.save()
    record(request, Action.UPDATE, object_type="note", object_id=pk, student_id=note.student_id)
    return redirect("note", pk=pk)


@allow(*RECORDING)
@require_POST
def note_append(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_in_scope(request, pk)
    text = request.POST.get("text", "").strip()
    if not text:
        return redirect("note", pk=pk)
    added = Addendum.objects.create(note=note, text=text, author=request.user)
    record(request, Action.CREATE, object_type="addendum", object_id=added.pk,
           student_id=note.student_id, detail=f"to note {pk}")
    return redirect("note", pk=pk)


@allow(*STAFF_ROLES)
def notes_json(request: HttpRequest, student_id: str) -> HttpResponse:
    """The student's notes this user may read, as JSON."""
    require_student(request, student_id)
    record(request, Action.EXPORT, object_type="notes", student_id=student_id,
           object_id=student_id, detail="json")
    notes = visible_notes(request.user).filter(student_id=student_id).select_related("author")
    return JsonResponse({"student_id": student_id, "notes": [
        {"id": n.pk, "kind": n.kind, "restricted": n.restricted, "text": n.text,
         "author": n.author.display, "created_at": n.created_at.isoformat(),
         "addenda": [{"text": a.text, "created_at": a.created_at.isoformat()}
                     for a in n.addenda.all()]} for n in notes]})
