from django.apps import AppConfig


class SupportsConfig(AppConfig):
    name = "gapwatch.workspace.supports"
    label = "supports"
    verbose_name = "Supports"
