"""The lists app's configuration."""

from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "hq.lists"
    label = "lists"
    verbose_name = "Lists"

    def ready(self) -> None:
        """Connect the lists' steps to the applicants' timelines (timeline_hooks) when HQ starts."""
        from hq.lists import timeline_hooks  # noqa: F401
