"""The help desk's contacts as the stations get them (the `help_desk` of an assignment bundle), so the kiosk's
help screen shows what the office set, not what a kit was configured with months ago."""

from typing import Any

FIELDS = ("call_centre", "whatsapp", "instagram", "facebook", "x", "website", "hours")


def for_station() -> dict[str, Any]:
    """The current help-desk setting as a plain dict (empty values left out)."""
    from hq.helpdesk.models import HelpDesk

    desk = HelpDesk.current()
    return {name: getattr(desk, name) for name in FIELDS if getattr(desk, name)}


def call_link(number: str) -> str:
    """A tel: link a phone dials: the digits, and a leading + ("tel:+62761123456", "tel:0761123456")."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


def chat_link(number: str) -> str:
    """The WhatsApp chat link (https://wa.me/62…) of an Indonesian number in any common form, as the kiosk's QR."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return f"https://wa.me/{digits}"
