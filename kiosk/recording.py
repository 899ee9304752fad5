"""One student's guided capture, driven from the operator's screens: the capture engine runs on its worker
thread (station.capture.worker); its events and results come back to the UI thread through the Clock, the
live preview at most once per UI frame (the newest frame wins, older ones are dropped).

Every call that touches the engine or a device goes through the worker, so the UI thread never waits on a
device; each takes `on_done` / `on_error` callbacks that run on the UI thread.
"""

import json
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from kivy.clock import Clock

from station.capture.engine import CaptureEngine, Outcome
from station.capture.events import DeviceState, FrameScored, PositionDone, StateChanged
from station.capture.fingers import SLAPS
from station.capture.policy import FINGERS, CaptureResult

THUMB_HEIGHT = 160  # pixels of a review thumbnail


def slap_of(position: str) -> str | None:
    """The 4-4-2 slap a finger is captured in ("right_four", "left_four", "thumbs"), None for a non-finger."""
    return next((slap for slap, fingers in SLAPS.items() if position in fingers), None)


def thumbnail(result: CaptureResult, height: int = THUMB_HEIGHT) -> np.ndarray | None:
    """A small RGB picture of a result for the review: the image scaled down, the signature drawn from its
    strokes; None when there is nothing to show (an exception without a photo)."""
    if result.image is None:
        return None
    if result.image_ext == "json":
        strokes = [s for s in json.loads(result.image)["strokes"] if s]
        xs = [p[0] for s in strokes for p in s] or [0.0]
        ys = [p[1] for s in strokes for p in s] or [0.0]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        scale = (height - 16) / max(1.0, y1 - y0)
        width = int((x1 - x0) * scale) + 16
        canvas = np.full((height, max(width, height), 3), 255, np.uint8)
        for stroke in strokes:
            points = np.array([[(p[0] - x0) * scale + 8, (p[1] - y0) * scale + 8] for p in stroke], np.int32)
            cv2.polylines(canvas, [points], False, (20, 30, 60), 2, cv2.LINE_AA)
        return canvas
    image = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    width = max(1, round(image.shape[1] * height / image.shape[0]))
    return cv2.cvtColor(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)


class Recording:
    """Captures the positions of one record in the e-KTP order, one call at a time."""

    def __init__(self, engine: CaptureEngine, sealer: object, record_id: str, operator_id: str, birth_year: int,
                 on_frame: Callable[[FrameScored], None], on_state: Callable[[str, str], None],
                 on_device: Callable[[str, bool, str], None] | None = None) -> None:
        from station.capture.worker import CaptureWorker

        self.engine, self.sealer, self.record_id = engine, sealer, record_id
        self.operator_id, self.birth_year = operator_id, birth_year
        self.on_frame, self.on_state, self.on_device = on_frame, on_state, on_device
        self.worker = CaptureWorker(engine)
        self._latest: FrameScored | None = None
        self._preview_pending = False
        self.sealed: Any = None  # what commit returned (receipt number…), once saved
        engine.bus.subscribe(self._event)

    @property
    def has_pad(self) -> bool:
        """True when the kit has a serial signature pad (else the student signs on the touchscreen)."""
        return getattr(self.engine.devices, "signature_pad", None) is not None

    @property
    def slap_mode(self) -> bool:
        """True when the kit's scanner takes 4-4-2 slaps rather than one finger at a time."""
        return getattr(self.engine.devices, "finger_mode", "single") == "slap"

    def _event(self, event: Any) -> None:  # on the capture thread
        if isinstance(event, FrameScored):
            self._latest = event
            if not self._preview_pending:
                self._preview_pending = True
                Clock.schedule_once(self._show_frame)
        elif isinstance(event, StateChanged):
            Clock.schedule_once(lambda _dt, e=event: self.on_state(e.position, e.state))
        elif isinstance(event, PositionDone):
            Clock.schedule_once(lambda _dt, e=event: self.on_state(e.result.position, "done"))
        elif isinstance(event, DeviceState) and self.on_device is not None:
            Clock.schedule_once(lambda _dt, e=event: self.on_device(e.device, e.present, e.detail))

    def _show_frame(self, _dt: float) -> None:
        self._preview_pending = False
        if self._latest is not None:
            self.on_frame(self._latest)

    # -- what is left, and what is done --------------------------------------------------------------------
    def next_position(self) -> str | None:
        """The first position without a result, in the e-KTP order."""
        missing = self.engine.missing()
        return missing[0] if missing else None

    def step_positions(self, position: str) -> tuple[str, ...]:
        """The positions one capture of `position` takes: its whole slap in slap mode, else itself (fingers
        already marked as exceptions are left out of a slap)."""
        if position in FINGERS and self.slap_mode:
            results = self.engine.results
            return tuple(p for p in SLAPS[slap_of(position)]
                         if not (p in results and results[p].outcome == "exception"))
        return (position,)

    def results(self) -> dict[str, CaptureResult]:
        """A copy of the results so far (read on the UI thread between captures: the worker is idle then)."""
        return dict(self.engine.results)

    # -- work on the capture thread ------------------------------------------------------------------------
    def capture(self, position: str, on_done: Callable[[Outcome], None],
                on_error: Callable[[BaseException], None]) -> None:
        """Run the capture of `position` (its slap in slap mode; the signature on the serial pad) on the worker;
        `on_done(outcome)` on the UI thread."""
        if position == "face":
            future = self.worker.submit("capture_face", self.birth_year)
        elif position == "signature":
            future = self.worker.submit("capture_signature_from_pad")
        elif position in FINGERS:
            future = (self.worker.submit("capture_slap", slap_of(position)) if self.slap_mode
                      else self.worker.submit("capture_finger", position))
        else:
            future = self.worker.submit("capture_iris", position.removesuffix("_iris"))
        self._answer(future, on_done, on_error)

    def sign(self, strokes: bytes, device: str, on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        """Keep the signature (strokes JSON from the touchscreen or the pad)."""
        self._answer(self.worker.submit("capture_signature", strokes, device), on_done, on_error)

    def keep_best(self, positions: tuple[str, ...], reason: str, on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None]) -> None:
        """Accept the best frames of `positions` (one finger, or a slap's fingers) below the threshold, with the
        operator's reason (policy permitting)."""
        def keep() -> None:
            for position in positions:
                if position not in self.engine.results:
                    self.engine.accept_below_threshold(position, reason)

        self._answer(self.worker.submit_call(keep), on_done, on_error)

    def allow_more_attempts(self, positions: tuple[str, ...], approved_by: str, on_done: Callable[[int], None],
                            on_error: Callable[[BaseException], None]) -> None:
        """Another round of attempts for `positions`, approved by the team leader `approved_by` (whose PIN the
        station checked and audited); `on_done(new limit)`."""
        self._answer(self.worker.submit_call(lambda: self.engine.allow_more_attempts(positions, approved_by)),
                     on_done, on_error)

    def picture(self, position: str, height: int, on_done: Callable[[np.ndarray | None], None],
                on_error: Callable[[BaseException], None]) -> None:
        """A large picture of one result for its preview (decoded on the worker), None when it has none."""
        def make() -> np.ndarray | None:
            result = self.engine.results.get(position)
            return None if result is None else thumbnail(result, height)

        self._answer(self.worker.submit_call(make), on_done, on_error)

    def exception_photo(self, on_done: Callable[[tuple[bytes, np.ndarray]], None],
                        on_error: Callable[[BaseException], None]) -> None:
        """Take the exception photo from the kit camera: `on_done((png, rgb preview))`."""
        def take() -> tuple[bytes, np.ndarray]:
            png = self.engine.take_exception_photo()
            preview = thumbnail(CaptureResult("photo", "captured", 1, png), height=240)
            return png, preview

        self._answer(self.worker.submit_call(take), on_done, on_error)

    def mark_exception(self, position: str, code: str, photo: bytes | None, on_done: Callable[[Any], None],
                       on_error: Callable[[BaseException], None]) -> None:
        """A finger, eye or signature that cannot be captured: its coded reason and photo."""
        self._answer(self.worker.submit("mark_exception", position, code, None, photo), on_done, on_error)

    def recapture(self, position: str, on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None]) -> None:
        """Forget `position` (its whole slap in slap mode) so the operator captures it again."""
        positions = self.step_positions(position) if position in FINGERS else (position,)

        def forget() -> None:
            for p in positions:
                self.engine.discard(p)

        self._answer(self.worker.submit_call(forget), on_done, on_error)

    def thumbnails(self, on_done: Callable[[dict[str, np.ndarray | None]], None],
                   on_error: Callable[[BaseException], None]) -> None:
        """Review pictures of every result, made on the worker (PNG decoding is not the UI thread's job)."""
        def make() -> dict[str, np.ndarray | None]:
            return {p: thumbnail(r) for p, r in self.engine.results.items()}

        self._answer(self.worker.submit_call(make), on_done, on_error)

    def commit(self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        """Seal and commit on the worker; `on_done(sealed)` only after the durable commit."""
        def keep(sealed: Any) -> None:
            self.sealed = sealed
            on_done(sealed)

        self._answer(self.worker.submit("commit", self.sealer, self.record_id, self.operator_id), keep, on_error)

    @staticmethod
    def _answer(future: Any, on_done: Callable, on_error: Callable) -> None:
        def done(f: Any) -> None:
            error = f.exception()
            if error is None:
                result = f.result()
                Clock.schedule_once(lambda _dt: on_done(result))
            else:
                Clock.schedule_once(lambda _dt: on_error(error))

        future.add_done_callback(done)

    def cancel(self) -> None:
        """Stop the capture under way at its next frame."""
        self.worker.cancel()

    def close(self) -> None:
        """Stop the worker and close the devices it opened; the captures in memory go with it."""
        self.worker.close()
