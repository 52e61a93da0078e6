from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gapwatch.workspace.audit"
    label = "audit"
    verbose_name = "Audit log"
