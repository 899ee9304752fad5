"""The capture engine: one record's face, signature, fingers and irises under the capture policy (DESIGN.md §5).

Each `capture_*` call runs one position (or one slap) on the caller's thread — a worker thread, never the UI's:
up to `max_attempts` attempts of at most `timeout_s` each; live frames are scored by native/ and published on
the event bus; a frame is accepted when the subject is still and the score reaches the threshold (fingers are
then confirmed by NFIQ 2 off this thread); the best frame of all attempts is kept. What it returns says what
happened; the operator's decisions (accept below threshold with a reason, a coded exception with its photo)
are calls too. A device that disappears pauses the position; calling it again reopens the device, and the
positions already captured stay. `commit` seals everything in one transaction (station/sealing.py) and only
then reports the record saved.
"""

import time
from collections.abc import Callable
from typing import Literal

from native.face import FaceLimits, FaceQuality
from native.face_photo import crop_id_photo
from native.imaging import encode_png
from native.iris import IrisQuality
from native.motion import StillnessGate
from station.capture.devices import Devices, device_label
from station.capture.events import EventBus, FrameScored
from station.capture.fingers import capture_single, capture_slap
from station.capture.policy import (
    face_background_for,
    threshold_for,
)
from station.capture.runner import Candidate, DevicePausedError, Outcome, PositionRunner
from station.capture.signature import capture_from_pad
from station.config import CaptureSection

__all__ = ["Candidate", "CaptureEngine", "DevicePausedError", "Outcome"]


class CaptureEngine(PositionRunner):
    """Captures one record's positions; holds what is captured until `commit`."""

    def __init__(self, policy: CaptureSection, devices: Devices, bus: EventBus | None = None,
                 confirm: object | None = None, clock: Callable[[], float] = time.monotonic,
                 still_frames: int = 3) -> None:
        super().__init__(policy, devices, bus, confirm, clock, still_frames)
        face = policy.face.model_dump()
        self._face = FaceQuality(detect_every=face.pop("detect_every"), limits=FaceLimits(**face))
        self._iris = IrisQuality()

    def close(self) -> None:
        """Close the devices and stop the face detector's thread (capturing again restarts it)."""
        super().close()
        self._face.close()

    # -- face ----------------------------------------------------------------------------------------------
    def capture_face(self, birth_year: int) -> Outcome:
        """The portrait: one frontal face, still, sharp, exposed, on the backdrop the birth year requires."""
        backdrop = face_background_for(birth_year)
        threshold = threshold_for("face", self.policy)
        gate = StillnessGate(self.still_frames)

        def attempt(n: int, deadline: float) -> dict[str, Candidate] | None:
            index = 0
            self._face.reset()  # a new stream: detect on the first frame
            while self.running(deadline):
                frame = self.call("camera", self.devices.camera.read)
                if frame is None:
                    continue
                report = self._face.measure(frame.image, required_background=backdrop)
                still = gate.update(self._face.grey).is_still
                index += 1
                self.bus.emit(FrameScored("face", n, index, report.score, still, report.problems, frame.image,
                                          {"background": report.background, "required_background": backdrop}))
                passed = still and report.score >= threshold
                if report.box is None or not (passed or self.beats("face", report.score)):
                    continue  # encode only a frame worth keeping
                candidate = Candidate(report.score, encode_png(crop_id_photo(frame.image, report.box)),
                                      {"device": device_label(self.devices.camera), "background": report.background,
                                       "required_background": backdrop, "problems": list(report.problems),
                                       "factors": report.factors})
                self.offer("face", candidate)
                if passed:
                    return {"face": candidate}
            return None

        return self.run_attempts(("face",), "camera", attempt)

    # -- fingers (station/capture/fingers.py) --------------------------------------------------------------
    def capture_finger(self, position: str) -> Outcome:
        """One finger on a single-finger scanner."""
        return capture_single(self, position)

    def capture_slap(self, slap: str) -> Outcome:
        """A 4-4-2 slap ("right_four", "left_four", "thumbs"), segmented into its fingers."""
        return capture_slap(self, slap)

    # -- signature -------------------------------------------------------------------------------------------
    def capture_signature_from_pad(self) -> Outcome:
        """The signature on the serial pad (station/capture/signature.py)."""
        return capture_from_pad(self)

    # -- irises --------------------------------------------------------------------------------------------
    def capture_iris(self, eye: Literal["left", "right"]) -> Outcome:
        """One eye through the iris camera's own capture; scored, retried, the best kept."""
        position = f"{eye}_iris"
        threshold = threshold_for(position, self.policy)
        camera = self.devices.iris_camera

        def attempt(n: int, deadline: float) -> dict[str, Candidate] | None:
            polls = max(1, round(self.policy.timeout_s / 0.05))
            shown = 0

            def preview(frame: object) -> None:  # the camera's live view while it looks for a good eye
                nonlocal shown
                live = self._iris.measure(frame)
                shown += 1
                self.bus.emit(FrameScored(position, n, shown, live.score, False, live.problems, frame,
                                          iris_details(live)))

            image = self.call("iris_camera", lambda: camera.capture(eye, max_polls=polls, poll_interval_s=0.05,
                                                                    on_preview=preview))
            if image is None:
                return None
            report = self._iris.measure(image)
            self.bus.emit(FrameScored(position, n, shown + 1, report.score, True, report.problems, image,
                                      iris_details(report)))
            candidate = Candidate(report.score, encode_png(image),
                                  {"device": device_label(camera), "problems": list(report.problems),
                                   "iris_diameter": report.metrics.iris_diameter,
                                   "usable_fraction": round(report.metrics.usable_fraction, 3)})
            self.offer(position, candidate)
            return {position: candidate} if report.score >= threshold else None

        return self.run_attempts((position,), "iris_camera", attempt)


def iris_details(report: object) -> dict:
    """What the operator's screen draws over an iris frame: the pupil and limbus circles found (x, y, radius in
    frame pixels) and the usable share of the iris; nothing when no eye was found."""
    m = report.metrics
    if m is None or not m.found:
        return {}
    iris_x, iris_y = getattr(m, "iris_x", m.pupil_x), getattr(m, "iris_y", m.pupil_y)  # the limbus's own centre
    return {"circles": [[round(m.pupil_x, 1), round(m.pupil_y, 1), round(m.pupil_radius, 1)],
                        [round(iris_x, 1), round(iris_y, 1), round(m.iris_radius, 1)]],
            "usable_fraction": round(m.usable_fraction, 3)}
