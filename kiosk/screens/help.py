"""Help: the help desk's call centre, WhatsApp (with a QR of its chat link, https://wa.me/62…, that a student
scans with their phone) and social media. The contacts are the office's, as the current assignment carries them,
over the station config's (station/helpdesk.py); they are read again on the station worker each time the screen
opens (the agent may have imported a new assignment meanwhile), never on the UI thread: the screen shows the last
known contacts at once and the fresh ones when they come back."""

import logging

from kivy.properties import ObjectProperty

from contract.errors import SinopsisError
from kiosk.screens.base import KioskScreen
from kiosk.widgets.qr_image import QrImage  # noqa: F401 - registers the widget help.kv uses

log = logging.getLogger(__name__)


def whatsapp_link(number: str) -> str:
    """The wa.me chat link of an Indonesian number in any common form ("0811-0000-0000", "+62 811…", "62811…"),
    or "" when it has too few digits to be a phone number."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return f"https://wa.me/{digits}" if len(digits) >= 9 and digits.startswith("62") else ""


class HelpScreen(KioskScreen):
    desk = ObjectProperty(None, allownone=True)  # what is shown: station.helpdesk.HelpDesk or the config section

    def on_pre_enter(self, *args: object) -> None:
        self.desk = self.app.helpdesk
        self.app.services.help_desk(self._fresh, self._not_read)

    def _fresh(self, desk: object) -> None:
        self.app.helpdesk = self.desk = desk

    def _not_read(self, error: SinopsisError) -> None:
        log.warning("help desk contacts not read (%s); the last known stay on the screen", error)

    def contacts(self, _lang: str = "", desk: object | None = None) -> str:
        """The contacts, labelled in the current language (`desk`: what to show, else the app's)."""
        desk = desk or self.app.helpdesk
        if desk is None:
            return ""
        hours = getattr(desk, "hours", "")
        return "\n".join([f"{self.app.t('Call centre')}: {desk.call_centre}", f"WhatsApp: {desk.whatsapp}",
                          *desk.social, *([hours] if hours else [])])

    def chat_link(self, desk: object | None = None) -> str:
        """The WhatsApp chat link the QR carries ("" without a help desk)."""
        desk = desk or self.app.helpdesk
        return whatsapp_link(desk.whatsapp) if desk is not None else ""


SCREEN = HelpScreen
