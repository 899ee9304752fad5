"""The applications app's configuration."""

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "hq.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        """Connect the lockouts' audit line (account_throttle's receiver) when HQ starts."""
        from hq.applications import account_throttle  # noqa: F401
