"""The operator's status bar: HQ link, records waiting to send (and the oldest one's age), devices, disk, battery,
and the receipt printer's state (ready, paper low, out of paper, cover open, offline, missing…) when the kiosk has
one — read by kiosk.printing.PrintService.status on the printing thread, never on the UI thread.

Put `StatusBar:` in any screen's kv. While its screen is shown it asks `app.services.status` every few seconds
(the reading runs on the service worker thread) and shows the answer in the current language; what needs the
operator's action is red (disk < 10 % free, battery < 20 % and not charging, a record waiting over an hour, a
device absent); an assignment HQ sent in place of the earlier one is announced in amber for an hour. Kivy's
default font has no ✓/✗ glyphs, so states are words and colour. The segments flow onto a
second line when the window is too narrow for one (800×480), so no text is ever cut.
"""

import datetime as dt
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.stacklayout import StackLayout

from kiosk import palette

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

REFRESH_S = 5.0
RED, GREEN, AMBER, MUTED = palette.ERROR, palette.SUCCESS, palette.WARNING, palette.MUTED
PRINTER_COLOURS = {"ready": MUTED, "unknown": MUTED, "paper_low": AMBER}  # every other state is red
DEVICE_MSGIDS = {"camera": "device.camera", "fingerprint": "device.finger_scanner", "iris": "device.iris_camera",
                 "signature_pad": "device.signature_pad", "qr_scanner": "device.qr_scanner",
                 "printer": "device.printer"}


def age_text(app: App, seconds: float) -> str:
    """"12 min", "2 h 5 min" (translated)."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return app.t("{minutes} min", app.lang, minutes=minutes)
    return app.t("{hours} h {minutes} min", app.lang, hours=minutes // 60, minutes=minutes % 60)


def clock_text(app: App, when: dt.datetime, now: dt.datetime) -> str:
    """Local time as people write it: 10.42 in Bahasa Indonesia, 10:42 in English; with the day if not today."""
    local, today = when.astimezone(), now.astimezone()
    text = local.strftime("%H.%M" if app.lang == "id" else "%H:%M")
    return text if local.date() == today.date() else f"{local:%d/%m} {text}"


class StatusBar(StackLayout):
    """Reads the station's status while its screen is shown; `status` is the last StationStatus (None before)."""

    status = ObjectProperty(None, allownone=True)
    link_text = StringProperty("")
    outbox_text = StringProperty("")
    devices_text = StringProperty("")
    disk_text = StringProperty("")
    battery_text = StringProperty("")
    link_color = ListProperty(MUTED)
    outbox_color = ListProperty(MUTED)
    devices_color = ListProperty(MUTED)
    disk_color = ListProperty(MUTED)
    battery_color = ListProperty(MUTED)
    assignment_text = StringProperty("")  # "" unless HQ replaced the assignment within the last hour
    assignment_color = ListProperty(AMBER)
    printer_state = StringProperty("")  # a kiosk.printing.STATES value; "" before the first reading / no printer
    printer_text = StringProperty("")
    printer_color = ListProperty(MUTED)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._event = None
        self._screen: Screen | None = None
        Clock.schedule_once(self._attach)  # the kv rule adds us to our screen after __init__

    def _attach(self, _dt: float = 0) -> None:
        widget = self.parent
        while widget is not None and not isinstance(widget, Screen):
            widget = widget.parent
        if widget is None:
            return
        self._screen = widget
        widget.bind(on_pre_enter=lambda *_: self.start(), on_leave=lambda *_: self.stop())
        app = App.get_running_app()
        if app is not None:
            app.bind(lang=lambda *_: (self.show(self.status), self.show_printer(self.printer_state)))
        if widget.manager is not None and widget.manager.current_screen is widget:
            self.start()

    def start(self) -> None:
        """Read now, then every REFRESH_S seconds until stop()."""
        self.stop()
        self.refresh()
        self._event = Clock.schedule_interval(lambda _dt: self.refresh(), REFRESH_S)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def refresh(self) -> None:
        app = App.get_running_app()
        if app is None or app.root is None or (self._screen is not None and self._screen.manager is not app.root):
            self.stop()  # the app stopped (or another one runs): no more reading
            return
        services = app.services
        if services is not None and hasattr(services, "status"):
            services.status(self.show, lambda _error: None)  # a failed reading keeps the last one shown
        printing = getattr(app, "printing", None)
        if printing is not None:
            printing.status(self.show_printer)

    def show_printer(self, state: str) -> None:
        """The printer's segment: its state in words ("printer.<state>"), red when it cannot print."""
        self.printer_state = state
        app = App.get_running_app()
        if not state or app is None:
            self.printer_text = ""
            return
        self.printer_text = app.t("printer." + state, app.lang)
        self.printer_color = PRINTER_COLOURS.get(state, RED)

    def show(self, status: object) -> None:
        """Turn a StationStatus into the bar's words and colours (in the current language)."""
        self.status = status
        app = App.get_running_app()
        if status is None or app is None:
            return
        now = dt.datetime.now(dt.UTC)
        if status.link_state == "connected":
            self.link_text, self.link_color = app.t("HQ: connected", app.lang), GREEN
        elif status.link_state == "offline":
            since = clock_text(app, status.link_since, now) if status.link_since else "?"
            self.link_text, self.link_color = app.t("HQ: offline since {time}", app.lang, time=since), AMBER
        else:
            self.link_text, self.link_color = app.t("HQ: unknown", app.lang), MUTED
        if status.waiting:
            self.outbox_text = app.t("{count} waiting to send · oldest {age}", app.lang, count=status.waiting,
                                     age=age_text(app, status.oldest_waiting_s or 0))
        else:
            self.outbox_text = app.t("All sent", app.lang)
        self.outbox_color = RED if status.waiting_alert else MUTED
        absent = status.absent
        if not status.devices:
            self.devices_text = ""
        elif absent:
            names = ", ".join(app.t(DEVICE_MSGIDS.get(k, k), app.lang) for k in absent)
            self.devices_text = app.t("Missing: {devices}", app.lang, devices=names)
        else:
            self.devices_text = app.t("All devices present", app.lang)
        self.devices_color = RED if absent else MUTED
        self.disk_text = app.t("Disk: {percent}% free", app.lang, percent=round(100 * status.disk_free_fraction))
        self.disk_color = RED if status.disk_alert else MUTED
        if status.battery_percent is None:
            self.battery_text = app.t("Mains power", app.lang)
        elif status.charging:
            self.battery_text = app.t("Battery {percent}% · charging", app.lang, percent=status.battery_percent)
        else:
            self.battery_text = app.t("Battery {percent}%", app.lang, percent=status.battery_percent)
        self.battery_color = RED if status.battery_alert else MUTED
        change = status.reassigned
        self.assignment_text = "" if change is None else app.t(
            "New assignment from HQ at {time}: {school} (version {version})", app.lang,
            time=clock_text(app, change.imported_at, now), school=change.school, version=change.version)
