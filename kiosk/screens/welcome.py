"""The kiosk's idle face: welcome, start a check-in, help, language."""

from kiosk.screens.base import KioskScreen


def qr_instruction(app: object, first: str) -> str:
    """How a student shows their application QR here (camera or scanner), said as the first way (`first` "qr")
    or as the other way after the NIK button ("nik"); "" when this kiosk reads no QR codes at all."""
    if app.camera is None and app.qr_scanner is None and first == "qr":
        return ""  # no QR reader: the NIK keypad is the only way in
    if app.camera is not None:
        return app.t("Hold the QR of your application up to the camera.", app.lang) if first == "qr" else app.t(
            "Or hold the QR of your application up to the camera.", app.lang)
    return app.t("Show the QR of your application to the scanner.", app.lang) if first == "qr" else app.t(
        "Or show the QR of your application to the scanner.", app.lang)


class WelcomeScreen(KioskScreen):
    def qr_text(self, _lang: str, first: str) -> str:
        return qr_instruction(self.app, first)

    def start_nik(self) -> None:
        self.app.flow.nik = self.app.flow.birth_digits = ""
        self.app.go("nik_entry")
        self.manager.get_screen("nik_entry").begin()


SCREEN = WelcomeScreen
