"""The lists app's configuration."""

from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "hq.lists"
    label = "lists"
    verbose_name = "Lists"

    def ready(self) -> None:
        """Connect the lists' steps to the applicants' timelines (timeline_hooks) and the lists waiting for the Kasi
        and the Kabid to the office home (office.menu.WAITING) when HQ starts."""
        from hq.lists import timeline_hooks  # noqa: F401
        from hq.lists.problems import waiting_for
        from hq.office.menu import WAITING

        if waiting_for not in WAITING:  # the home page's lists to check / approve (issue 21 point 5)
            WAITING.append(waiting_for)
