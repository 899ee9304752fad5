"""Small display helpers of the applications' pages: a state's colour level and a phone number the local way."""

from django import template

from contract.errors import PhoneError
from contract.phone import format_phone_local

register = template.Library()

LEVELS = {"submitted": "warn", "correction": "warn", "verified": "ok", "rejected": "bad",
          "open": "warn", "answered": "warn", "replied": "warn", "resolved": "ok"}


@register.filter
def state_level(state: str) -> str:
    """The CSS level (ok, warn, bad) of an application's or correction's state, for `span.state`."""
    return LEVELS.get(state, "")


@register.filter
def local_phone(e164: str) -> str:
    """+6281234567890 → 0812-3456-7890 (as stored if it is not a phone number)."""
    try:
        return format_phone_local(e164)
    except PhoneError:
        return e164


@register.filter
def field_labels(names: list[str]) -> str:
    """["name", "kk_number"] → "Full name, Family card (KK) number" (in the page's language)."""
    from hq.applications.compare import FIELDS

    labels = {name: str(label) for name, label, *_rest in FIELDS}
    return ", ".join(labels.get(name, name) for name in names or [])
