"""The help-desk contacts the kiosk's help screen shows (SOP step 10): the office's own, as the current assignment
carries them (HQ's help-desk setting, `help_desk` in the signed bundle), over the station config's [helpdesk]
for whatever the assignment leaves out — a kit configured months ago still shows today's WhatsApp number.

Reads the database: call it off the kiosk's UI thread (kiosk/services.py runs it on the station worker).
"""

import json
import logging
from dataclasses import dataclass

from pydantic import ValidationError

from contract.assignment import HelpDeskContacts
from station.config import HelpdeskSection, StationConfig
from station.roster import current_assignment
from station.store import StationStore

log = logging.getLogger(__name__)

SOCIAL = (("instagram", "Instagram"), ("facebook", "Facebook"), ("x", "X"), ("website", ""))


@dataclass(frozen=True)
class HelpDesk:
    """What the help screen shows. `call_centre`, `whatsapp` and `social` as in the config's HelpdeskSection (so
    the receipt's helpdesk_lines takes either); `source` says where the numbers came from."""

    call_centre: str
    whatsapp: str
    social: tuple[str, ...]
    hours: str = ""
    source: str = "config"  # "assignment" when the current assignment carried any contact


def short_address(url: str) -> str:
    """An address as a person types it: no https://, no www., no trailing slash ("facebook.com/name")."""
    for prefix in ("https://", "http://", "www."):
        url = url[len(prefix):] if url.lower().startswith(prefix) else url
    return url.rstrip("/")


def social_lines(contacts: HelpDeskContacts) -> tuple[str, ...]:
    """The social-media accounts and the website, one line each: a handle with its network ("Instagram: @name"),
    an address short, as the config writes them ("facebook.com/name": it names its network itself)."""
    lines = []
    for field, label in SOCIAL:
        value = getattr(contacts, field)
        if not value:
            continue
        lines.append(f"{label}: {value}" if label and value.startswith("@") else short_address(value))
    return tuple(lines)


def merge(config: HelpdeskSection, contacts: HelpDeskContacts | None) -> HelpDesk:
    """The assignment's contacts over the config's, field by field (the accounts as one: the assignment's when it
    names any, else the config's list)."""
    if contacts is None:
        return HelpDesk(config.call_centre, config.whatsapp, tuple(config.social))
    return HelpDesk(contacts.call_centre or config.call_centre, contacts.whatsapp or config.whatsapp,
                    social_lines(contacts) or tuple(config.social), contacts.hours or "", "assignment")


def assignment_contacts(store: StationStore) -> HelpDeskContacts | None:
    """The current assignment's `help_desk`, or None (no assignment, none in it, or unreadable: logged)."""
    row = current_assignment(store.conn)
    if row is None:
        return None
    try:
        raw = json.loads(row["signed_bundle"])["content"].get("help_desk")
        return HelpDeskContacts.model_validate(raw) if raw else None
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as e:
        # verified at import, so only a hand-edited database gets here; the config's contacts still work
        log.warning("assignment %s: its help_desk cannot be read (%s); showing the config's contacts",
                    row["assignment_id"], e)
        return None


def help_desk_for(store: StationStore, config: StationConfig) -> HelpDesk:
    """The contacts the kiosk should show now: the current assignment's over the config's [helpdesk]."""
    return merge(config.helpdesk, assignment_contacts(store))
