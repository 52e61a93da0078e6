from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "gapwatch.workspace.notes"
    label = "notes"
    verbose_name = "Notes"
