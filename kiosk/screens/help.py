"""Help: the call centre, WhatsApp and social-media contacts from the station config."""

from kiosk.screens.base import KioskScreen


class HelpScreen(KioskScreen):
    def contacts(self, _lang: str = "") -> str:
        """The help-desk contacts from the station config, labelled in the current language."""
        helpdesk = self.app.helpdesk
        if helpdesk is None:
            return ""
        return "\n".join([f"{self.app.t('Call centre')}: {helpdesk.call_centre}", f"WhatsApp: {helpdesk.whatsapp}",
                          *helpdesk.social])


SCREEN = HelpScreen
