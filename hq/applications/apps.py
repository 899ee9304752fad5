"""The applications app's configuration."""

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "hq.applications"
    label = "applications"
    verbose_name = "Applications"
