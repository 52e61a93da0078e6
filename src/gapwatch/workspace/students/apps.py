from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "gapwatch.workspace.students"
    label = "students"
    verbose_name = "Students"
