"""The helpdesk app's configuration."""

from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "hq.helpdesk"
    label = "helpdesk"
    verbose_name = "Helpdesk"
