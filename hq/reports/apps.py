"""The reports app's configuration."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hq.reports"
    label = "reports"
    verbose_name = "Reports"
