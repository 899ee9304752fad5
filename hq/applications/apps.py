"""The applications app's configuration."""

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "hq.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        """Connect the lockouts' audit line (account_throttle's receiver), the timeline's receivers
        (timeline_hooks) and the applicant's mail on each event (notify) when HQ starts."""
        from hq.applications import account_throttle, notify, timeline_hooks  # noqa: F401
