from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gapwatch.workspace.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from gapwatch.workspace.accounts import signals  # noqa: F401 (connects the receivers)
