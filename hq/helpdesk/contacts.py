"""The help desk's contacts as the stations get them (the `help_desk` of an assignment bundle), so the kiosk's
help screen shows what the office set, not what a kit was configured with months ago."""

from typing import Any

FIELDS = ("call_centre", "whatsapp", "instagram", "facebook", "x", "website", "hours")


def for_station() -> dict[str, Any]:
    """The current help-desk setting as a plain dict (empty values left out)."""
    from hq.helpdesk.models import HelpDesk

    desk = HelpDesk.current()
    return {name: getattr(desk, name) for name in FIELDS if getattr(desk, name)}
