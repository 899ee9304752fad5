"""A kiosk with a recording factory over the simulated kit (real engine, real vendor simulators), and the
operator's way to a called student's identity check by touches."""

from kivy.core.window import Window
from kivy.uix.modalview import ModalView

from kiosk.recording import Recording
from kiosk.testing import tap, wait_until
from native import samples
from native.vendor import FutronicScanner, IriTechCamera
from station.capture.devices import Devices
from station.capture.engine import CaptureEngine
from station.capture.policy import face_background_for
from station.config import CaptureSection
from tests.station.capture_helpers import FrameFeed


def recording_factory(sealer, camera=None, finger_mode="single", policy=None, pad=None, clock=None):
    """make_recording(entry, operator, on_frame, on_state) over the simulated kit; `camera` overrides the
    portrait feed (e.g. one that gets unplugged); `pad` is a serial signature pad (None: the touchscreen); `clock`
    the engine's (a TickClock: attempts time out after a few frames instead of seconds of analysis)."""
    def make_recording(entry, operator, on_frame, on_state):
        feed = camera or FrameFeed([samples.portrait(face_background_for(entry.birth_year))])
        devices = Devices(camera=feed, finger_scanner=FutronicScanner("sim"), iris_camera=IriTechCamera("sim"),
                          finger_mode=finger_mode, signature_pad=pad)
        engine = CaptureEngine(policy or CaptureSection(timeout_s=5.0), devices,
                               **({"clock": clock} if clock is not None else {}))
        return Recording(engine, sealer, entry.record_id, operator.operator_id, entry.birth_year, on_frame, on_state)

    return make_recording


def screen(app, name):
    return app.root.get_screen(name)


def log_in(kiosk):
    """Operator OP-02 logs in with their PIN: the queue screen is shown."""
    tap(screen(kiosk, "welcome").ids.operator)
    login = screen(kiosk, "operator_login")
    wait_until(lambda: len(login.ids.team.children) == 2)
    tap(next(b for b in login.ids.team.children if "OP-02" in b.text))
    buttons = {c.text: c for c in login.ids.keypad.children}
    for d in "135790":
        tap(buttons[d])
    tap(buttons["OK"])
    wait_until(lambda: kiosk.root.current == "operator_queue")
    return screen(kiosk, "operator_queue")


def log_in_and_call(kiosk):
    """Operator OP-02 logs in, calls the next student and starts recording: the identity check is shown."""
    queue = log_in(kiosk)
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None)
    tap(queue.ids.record)
    identity = screen(kiosk, "identity")
    assert kiosk.root.current == "identity"
    wait_until(lambda: identity.details is not None)
    return identity


def popup():
    """The open modal (reason chooser), if any."""
    return next((w for w in Window.children if isinstance(w, ModalView)), None)


def choose(code, photo=False, target=None):
    """In the open reason popup: touch the finger `target` (on a slap), the reason `code`; with `photo`, take
    the photo and save; a popup that asks to confirm the reason (a withdrawal) is confirmed."""
    dialog = popup()
    assert dialog is not None, "no reason popup is open"
    if target is not None:
        tap(next(b for b in dialog.ids.targets.children if b.code == target))
    tap(next(b for b in dialog.ids.reasons.children if b.code == code))
    if photo:
        tap(dialog.ids.shoot)
        wait_until(lambda: dialog.photo is not None or dialog.message, timeout_s=20)
        assert not dialog.message, dialog.message
        tap(dialog.ids.confirm)
    elif dialog.confirm_text:
        assert dialog.parent is not None, "a reason that needs confirming closed the popup on its own"
        tap(dialog.ids.confirm)
    wait_until(lambda: popup() is None)
