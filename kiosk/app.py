"""The kiosk app: the student's self check-in (idle face of the kiosk); operator screens come next.

Screens live in kiosk/screens/ (one .py + .kv each) and only talk to `app.services` (station calls on a worker
thread) and to each other through `app.go(name)`. Every visible text goes through `app.t(msgid, app.lang)`:
the second argument makes kv re-evaluate the text when the language is switched.
"""

import importlib
import os
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import AliasProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk import palette
from kiosk.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from kiosk.roles import HOME, ROLES, role_screens
from kiosk.services import CheckInService

HERE = Path(__file__).resolve().parent
SCREENS = ("welcome", "nik_entry", "confirm", "phone", "ticket", "problem", "help", "operator_login",
           "operator_queue", "board", "identity", "capture", "review", "day_summary", "correction", "correction_sent")


def load_kv(path: Path) -> None:
    """Load a kv file once per process (a second load would apply its rules twice: duplicate widgets)."""
    if str(path) not in Builder.files:
        Builder.load_file(str(path))


GUARD_FRAMES = 20  # ~⅓ s at 60 fps: a double tap must not press a button on the next screen


def make_screen(name: str) -> Screen:
    """A new screen of kiosk/screens/<name>.py, its kv rules loaded first."""
    module = importlib.import_module(f"kiosk.screens.{name}")
    load_kv(HERE / "screens" / f"{name}.kv")
    return module.SCREEN(name=name)


class KioskManager(ScreenManager):
    """The screens of one display, each made the first time it is asked for (shown, or called by another screen),
    and a short guard after every screen change: touches then are ignored (double taps).

    Made on demand: building all sixteen took ≈ 0.3 s of CPU before the first screen showed (measured on the
    2-core VM), most of it for screens a check-in display, or a short day, never opens; the first opening of one
    costs its own few tens of milliseconds instead. `screen_names` lists every screen the display has, made or not.
    """

    guard = 0

    def _every_name(self) -> list[str]:
        names = list(getattr(self, "names", ()))
        return names + [s.name for s in self.screens if s.name not in names]

    screen_names = AliasProperty(_every_name, bind=("screens",))

    def __init__(self, names: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.names = names
        self.bind(current=lambda *_: setattr(self, "guard", GUARD_FRAMES))
        self._ticker = Clock.schedule_interval(self._tick, 0)

    def close(self) -> None:
        """Stop the guard's clock and let the current screen stop its own (the app is stopping)."""
        self._ticker.cancel()
        if self.current_screen is not None:
            self.current_screen.dispatch("on_leave")

    def _tick(self, _dt: float) -> None:
        if self.guard:
            self.guard -= 1

    def on_touch_down(self, touch: object) -> bool:
        if self.guard:
            return True  # swallowed
        return super().on_touch_down(touch)

    def get_screen(self, name: str) -> Screen:
        """The screen called `name`, made now if this display has it and it was not made yet."""
        if name in self.names and not any(s.name == name for s in self.screens):
            self.add_widget(make_screen(name))
        return super().get_screen(name)

    def has_screen(self, name: str) -> bool:
        return name in self.names or super().has_screen(name)


class KioskApp(App):
    """One kiosk; `services` is the CheckInService (or anything with its methods).

    The student's check-in (`flow`) and the operator's session (`operator`, `recording`) are separate state: a
    check-in never touches the recording open, and ending a recording never touches a check-in. `role` decides
    which screens this kiosk has (kiosk/roles.py); with "all", one display serves both in turn (`open_checkin`)."""

    lang = StringProperty(DEFAULT_LANGUAGE)
    services = ObjectProperty(None)
    flow = ObjectProperty(None, allownone=True)  # the check-in in progress (kiosk.screens.flow.CheckInFlow)
    operator = ObjectProperty(None, allownone=True)  # the logged-in station.operators.Operator

    recording = ObjectProperty(None, allownone=True)  # kiosk.recording.Recording of the student being captured
    role = StringProperty("all")  # [kiosk] role: "all", "checkin" or "operator"
    checkin_first = StringProperty("qr")  # [kiosk] checkin_first: "qr" (the NIK keypad as the fallback) or "nik"

    def __init__(self, services: CheckInService, helpdesk: object | None = None, qr_scanner: object | None = None,
                 make_recording: object | None = None, printer: object | None = None, camera: object | None = None,
                 role: str = "all", checkin_first: str = "qr", **kwargs: object) -> None:
        if role not in ROLES:
            raise ValueError(f"kiosk role {role!r}: must be one of {', '.join(ROLES)}")
        super().__init__(**kwargs)
        self.role, self.checkin_first = role, checkin_first
        self.services, self.helpdesk, self.qr_scanner = services, helpdesk, qr_scanner
        # printer: a drivers.printer.ReceiptPrinter (None = no slips); camera: the kit camera (drivers/camera.py
        # surface) read for application QR codes while the welcome screen shows (None = no camera QR)
        from kiosk.printing import PrintService

        self.printing = PrintService(printer) if printer is not None else None
        self.camera, self.camera_qr = camera, None
        # make_recording(entry, operator, on_frame, on_state) -> Recording, wired by the composition root
        self.make_recording = make_recording
        self._qr_listener = None
        self._catalogues = {lang: translations(lang) for lang in LANGUAGES}
        self.title = "SINOPSIS"

    def t(self, msgid: str, _lang: str = "", **values: object) -> str:
        """`msgid` in the current language, with {placeholders} filled from `values`."""
        text = self._catalogues[self.lang].gettext(msgid)
        return text.format(**values) if values else text

    def toggle_language(self) -> None:
        """Bahasa Indonesia ↔ English, at any point of the flow (nothing typed is lost)."""
        self.lang = "en" if self.lang == "id" else "id"

    def flow_changed(self) -> None:
        """Tell the screens the check-in in progress changed (its fields are plain attributes)."""
        self.property("flow").dispatch(self)

    def go(self, name: str) -> None:
        """Show another screen."""
        self.root.current = name

    @property
    def home(self) -> str:
        """The screen this kiosk rests on (HOME by role)."""
        return HOME[self.role]

    def restart(self) -> None:
        """Back to the resting screen with nothing of the last student kept (the operator's session, and the
        recording open, are not the student's: untouched)."""
        from kiosk.screens.flow import CheckInFlow

        self.flow = CheckInFlow()
        self.lang = DEFAULT_LANGUAGE
        self.go(self.home)

    def open_checkin(self) -> None:
        """Role "all": lend the one display to the students between two captures. The operator's session locks
        (audited; only their PIN, through the "Operator" button, brings back the screen they left with the
        recording as it was); a recording already saved is ended first, so they come back to the queue."""
        if self.role != "all" or self.operator is None:
            return
        from kiosk.idle import close_popups

        close_popups()
        return_to = self.root.current
        if self.recording is not None and self.recording.sealed is not None:
            self.end_recording()
            return_to = "operator_queue"
        operator = self.operator
        record_id = getattr(self.recording, "record_id", None)
        self.services.lock(operator.operator_id, record_id, lambda _r: None, lambda _e: None, reason="check-in")
        self.root.get_screen("operator_login").lock(operator, return_to)
        self.restart()

    def start_recording(self, entry: object) -> None:
        """The operator starts capturing the called student (needs the devices wired by the composition root)."""
        if self.make_recording is None or entry is None:
            return
        capture = self.root.get_screen("capture")
        self.recording = self.make_recording(entry, self.operator, capture.show_frame, capture.on_state_event)
        self.recording.on_device = capture.on_device
        self.go("identity")

    def end_recording(self, message: str = "", call_next: bool = False) -> None:
        """Back to the queue (after "Tersimpan", a withdrawal or a correction request); the capture thread and its
        devices are released and the captures in memory dropped. `message` (a msgid) is shown on the queue; with
        `call_next` the next student is called at once (the saved screen's one tap)."""
        if self.recording is not None:
            self.recording.close()
            self.recording = None
        queue = self.root.get_screen("operator_queue")
        queue.message = message
        self.go("operator_queue")
        if call_next:
            queue.call_next(then_record=True)

    QR_SCREENS = ("welcome", "board", "problem", "help")  # where a student may be when they show their QR

    idle = None  # kiosk.idle.IdleWatch (idle logout / screen lock), made in on_start
    watchdog = None  # kiosk.ui_watchdog.UiWatchdog (systemd WatchdogSec=), made in on_start

    def on_start(self) -> None:
        from kiosk.idle import DEFAULT_IDLE_S, IdleWatch

        session = getattr(getattr(self.services, "config", None), "session", None)
        self.idle = IdleWatch(self, getattr(session, "idle_logout_s", DEFAULT_IDLE_S)).start()
        from kiosk.ui_watchdog import UiWatchdog

        self.watchdog = UiWatchdog().start()  # pings systemd only while this thread turns frames
        if self.qr_scanner is not None and self._qr_listener is None:
            from kiosk.services import QrListener

            self._qr_listener = QrListener(self.qr_scanner, self.on_qr).start()
        if self.camera is not None and self.camera_qr is None:
            from kiosk.camera_qr import CameraQr

            self.camera_qr = CameraQr(self.camera, self.on_qr).start().follow(self.root)

    def on_stop(self) -> None:
        if self.idle is not None:
            self.idle.stop()
        if self.watchdog is not None:
            self.watchdog.stop()
            self.watchdog = None
        if self.root is not None:
            self.root.close()
        if self._qr_listener is not None:
            self._qr_listener.stop()
            self._qr_listener = None
        if self.camera_qr is not None:
            self.camera_qr.stop()
            self.camera_qr = None
        if self.printing is not None:
            self.printing.close()

    def on_qr(self, text: str) -> None:
        """A QR was scanned (UI thread): check it and look the student up, unless a check-in is under way."""
        if self.root.current not in self.QR_SCREENS:
            return
        from kiosk.screens.flow import CheckInFlow

        self.flow = CheckInFlow()
        self.services.identify_qr(text, self.root.get_screen("nik_entry").found, self._qr_refused)

    def _qr_refused(self, error: object) -> None:
        self.flow.problem, self.flow.problem_code = "default", error.code
        self.flow_changed()
        self.go("problem")

    def build(self) -> ScreenManager:
        from kiosk.screens.flow import CheckInFlow
        from kiosk.widgets import hand_diagram, keypad, status_bar  # noqa: F401 - registers their kv rules

        load_kv(HERE / "theme.kv")
        manager = KioskManager(role_screens(self.role, SCREENS), transition=NoTransition())
        self.flow = CheckInFlow()
        manager.current = self.home
        Window.clearcolor = palette.WINDOW
        return manager
