"""The demo's fingerprints and irises, captured through the vendor SDK bindings from the configured libraries.

With `[devices]` left at "sim" these are the simulated SDKs in native/sim/, loaded by exactly the binding code a
real Futronic scanner or IriTech camera uses. This is the demo's stand-in until the capture engine (drivers/,
issue 5) owns the devices: a few frames per finger, the best kept, every image scored by the live engine.
"""

import time

import numpy as np

from native.vendor import FingerprintScannerError, FutronicScanner, IriTechCamera, apply_sim_script
from station.capture.policy import FINGERS, CaptureResult
from station.config import StationConfig

FRAMES_PER_FINGER = 3  # the best of this many frames is kept (the policy's "up to 3 attempts")
PRESENCE_POLLS = 50


def _png(frame: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".png", frame)  # lossless, as DESIGN.md §6 asks for prints and irises
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def _best_finger(scanner: FutronicScanner, quality: object) -> tuple[np.ndarray, int, int]:
    """(frame copy, score, attempts) of the best of FRAMES_PER_FINGER frames with a finger on the platen."""
    best: tuple[np.ndarray, int] | None = None
    attempts = 0
    for _ in range(PRESENCE_POLLS):
        if attempts == FRAMES_PER_FINGER:
            break
        if not scanner.finger_present():
            time.sleep(0.01)
            continue
        try:
            frame = scanner.read_frame()
        except FingerprintScannerError as e:
            if e.retryable:
                continue
            raise
        attempts += 1
        score = quality.measure(frame).score
        if best is None or score > best[1]:
            best = (frame.copy(), score)
    if best is None:
        raise FingerprintScannerError(None, "NO_FINGER", f"no finger on the platen after {PRESENCE_POLLS} polls",
                                      "ftrScanIsFingerPresent", retryable=True)
    return best[0], best[1], attempts


def device_captures(config: StationConfig, exception_finger: str | None = None) -> list[CaptureResult]:
    """Ten fingers (or an exception) and both irises from the configured SDK libraries, scored live."""
    from native.fingerprint import FingerQuality
    from native.iris import IrisQuality

    apply_sim_script(config.devices.sim_script)
    captures = []
    finger_quality, iris_quality = FingerQuality(), IrisQuality()
    with FutronicScanner(config.devices.fingerprint_sdk) as scanner:
        device = {"device": "Futronic ftrScanAPI", "library": str(scanner.lib_path)}
        for finger in FINGERS:
            if finger == exception_finger:
                continue
            frame, score, attempts = _best_finger(scanner, finger_quality)
            captures.append(CaptureResult(finger, "captured", attempts, _png(frame), "png", score,
                                          metadata={**device, "score_source": "native FingerQuality"}))
    with IriTechCamera(config.devices.iris_sdk) as camera:
        device = {"device": "IriTech IDDK 2000", "library": str(camera.lib_path)}
        for eye in ("right", "left"):
            image = camera.capture(eye, max_polls=100, poll_interval_s=0.01)
            captures.append(CaptureResult(f"{eye}_iris", "captured", 1, _png(image), "png",
                                          iris_quality.measure(image).score,
                                          metadata={**device, "score_source": "native IrisQuality"}))
    return captures
