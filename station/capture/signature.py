"""The signature from a serial pad, for the capture engine: the student signs and presses OK on the pad.

CANCEL on the pad, the operator's Stop, or no OK within SIGNATURE_TIMEOUT_S end it as "cancelled"; an unplugged pad
pauses like any device (the kiosk then offers the touchscreen, whose strokes go to `engine.capture_signature`).
"""

from station.capture.devices import device_label
from station.capture.runner import DevicePausedError, Outcome, PositionRunner

SIGNATURE_TIMEOUT_S = 90.0  # time to sign and press OK on the pad


def capture_from_pad(engine: PositionRunner) -> Outcome:
    """The signature on the serial pad: the student signs and presses OK on the pad (CANCEL, the operator's
    Stop or no OK within SIGNATURE_TIMEOUT_S is "cancelled"; an unplugged pad pauses like any device)."""
    pad = engine.devices.signature_pad
    if pad is None:
        engine.state("signature", "waiting_device", "no signature pad configured")
        return Outcome("no_device", ("signature",), detail="no signature pad on this kit: sign on the screen")
    engine.begin("signature")
    engine.state("signature", "preview", "sign on the pad, then press OK")
    try:
        engine.open_device("signature_pad")
        strokes = engine.call("signature_pad", lambda: pad.capture(SIGNATURE_TIMEOUT_S, engine.stop_requested))
    except DevicePausedError as exc:
        engine.state("signature", "paused", str(exc))
        return Outcome("paused", ("signature",), detail=str(exc))
    if not strokes:
        engine.state("signature", "cancelled", "no signature confirmed on the pad")
        return Outcome("cancelled", ("signature",))
    engine.capture_signature(strokes, device=device_label(pad))
    return Outcome("captured", ("signature",))
