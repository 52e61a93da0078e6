from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "gapwatch.workspace.referrals"
    label = "referrals"
    verbose_name = "Referrals to community partners"
