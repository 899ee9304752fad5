"""Help: the call centre, WhatsApp and social-media contacts from the station config."""

from kiosk.screens.base import KioskScreen


class HelpScreen(KioskScreen):
    def contacts(self) -> str:
        helpdesk = self.app.helpdesk
        if helpdesk is None:
            return ""
        return "\n".join([f"Call centre: {helpdesk.call_centre}", f"WhatsApp: {helpdesk.whatsapp}",
                          *helpdesk.social])


SCREEN = HelpScreen
