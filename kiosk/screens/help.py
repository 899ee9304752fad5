"""Help: the call centre, WhatsApp and social-media contacts from the station config, and a QR of the WhatsApp
chat link (https://wa.me/62…) that a student scans with their phone to write to the help desk."""

from kiosk.screens.base import KioskScreen
from kiosk.widgets.qr_image import QrImage  # noqa: F401 - registers the widget help.kv uses


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
    def contacts(self, _lang: str = "") -> str:
        """The help-desk contacts from the station config, labelled in the current language."""
        helpdesk = self.app.helpdesk
        if helpdesk is None:
            return ""
        return "\n".join([f"{self.app.t('Call centre')}: {helpdesk.call_centre}", f"WhatsApp: {helpdesk.whatsapp}",
                          *helpdesk.social])

    def chat_link(self) -> str:
        """The WhatsApp chat link the QR carries ("" without a help desk in the config)."""
        helpdesk = self.app.helpdesk
        return whatsapp_link(helpdesk.whatsapp) if helpdesk is not None else ""


SCREEN = HelpScreen
