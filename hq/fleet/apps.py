"""The fleet app's configuration."""

from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "hq.fleet"
    label = "fleet"
    verbose_name = "Fleet"
