"""The office menu: each entry shows only to those holding its permission (the views check it again)."""

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, URL name, permission needed; None: any applicant (student or school))
ENTRIES = (
    (_("Apply"), "applications:apply", "applications.add_application"),
    (_("My applications"), "applications:mine", "applications.add_application"),
    (_("Verification"), "applications:queue", "applications.verify_application"),
    (_("NIK conflicts"), "applications:conflicts", "applications.verify_application"),
    (_("SIAK and school lists"), "applications:imports", "applications.import_siak"),
    (_("Corrections"), "applications:corrections", "applications.handle_correction"),
    (_("Locked logins"), "applications:lockouts", "axes.delete_accessattempt"),
    (_("Application lists"), "lists:index", "lists.view_applicationlist"),
    (_("SPT"), "lists:spts", "lists.view_applicationlist"),
    (_("Help desk"), "helpdesk:tickets", None),
    (_("Service report"), "reports:service", "office.view_service_report"),
    (_("Check a slip"), "ingest:verify", "office.view_office"),
    (_("Fleet"), "fleet:index", "office.view_fleet"),
)


def menu_for(request: Any) -> list[dict[str, Any]]:
    """The entries this person may open (an entry whose page does not exist yet is left out)."""
    items = []
    for label, name, perm in ENTRIES:
        if perm is not None and not request.user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path.startswith(url) and url != "/"})
    return items


# What waits for a person, shown above the menu on the home page: each function (user) → a list of
# {"step", "label", "count", "with_problems", "url"}. The apps that know register theirs when HQ starts (the
# lists app: lists to check for the Kasi, to approve for the Kabid), so the office imports none of them.
WAITING: list[Callable[[Any], list[dict[str, Any]]]] = []


def waiting_for(user: Any) -> list[dict[str, Any]]:
    """Everything the registered apps say waits for `user`."""
    return [item for provider in WAITING for item in provider(user)]
