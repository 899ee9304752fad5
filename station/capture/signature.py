"""The signature from a serial pad, for the capture engine: the student signs on the pad (a Topaz pad has no
buttons) and the operator presses OK on the kiosk (`pad.finish()`), or the pad's capture ends by itself once the
pen has been out of proximity for a moment after the last stroke.

The operator's Stop or nothing signed within SIGNATURE_TIMEOUT_S end it as "cancelled"; an unplugged pad pauses
like any device (the kiosk then offers the touchscreen, whose strokes go to `engine.capture_signature`).
"""

from station.capture.devices import device_label
from station.capture.runner import DevicePausedError, Outcome, PositionRunner

SIGNATURE_TIMEOUT_S = 90.0  # time to sign on the pad


def capture_from_pad(engine: PositionRunner) -> Outcome:
    """The signature on the serial pad: captured when the operator's OK or the pen leaving the pad ends it with
    strokes; "cancelled" on the operator's Stop, an OK with nothing signed, or no signature within
    SIGNATURE_TIMEOUT_S; "paused" when the pad is unplugged."""
    pad = engine.devices.signature_pad
    if pad is None:
        engine.state("signature", "waiting_device", "no signature pad configured")
        return Outcome("no_device", ("signature",), detail="no signature pad on this kit: sign on the screen")
    engine.begin("signature")
    engine.state("signature", "preview", "sign on the pad; the operator presses OK on the screen")
    try:
        engine.open_device("signature_pad")
        strokes = engine.call("signature_pad", lambda: pad.capture(SIGNATURE_TIMEOUT_S, engine.stop_requested))
    except DevicePausedError as exc:
        engine.state("signature", "paused", str(exc))
        return Outcome("paused", ("signature",), detail=str(exc))
    if not strokes:
        engine.state("signature", "cancelled", "no signature on the pad")
        return Outcome("cancelled", ("signature",))
    engine.capture_signature(strokes, device=device_label(pad))
    return Outcome("captured", ("signature",))
