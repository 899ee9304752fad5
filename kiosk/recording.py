"""One student's guided capture, driven from the operator's screen: the capture engine runs on its worker
thread (station.capture_worker); its events and results come back to the UI thread through the Clock, the
live preview at most once per UI frame (the newest frame wins, older ones are dropped)."""

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from station.capture_engine import CaptureEngine, Outcome
from station.capture_events import FrameScored, PositionDone, StateChanged
from station.capture_policy import FINGERS
from station.capture_worker import CaptureWorker


class Recording:
    """Captures the positions of one record in the e-KTP order, one call at a time."""

    def __init__(self, engine: CaptureEngine, sealer: object, record_id: str, operator_id: str, birth_year: int,
                 on_frame: Callable[[FrameScored], None], on_state: Callable[[str, str], None]) -> None:
        self.engine, self.sealer, self.record_id = engine, sealer, record_id
        self.operator_id, self.birth_year = operator_id, birth_year
        self.on_frame, self.on_state = on_frame, on_state
        self.worker = CaptureWorker(engine)
        self._latest: FrameScored | None = None
        self._preview_pending = False
        engine.bus.subscribe(self._event)

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

    def _show_frame(self, _dt: float) -> None:
        self._preview_pending = False
        if self._latest is not None:
            self.on_frame(self._latest)

    def next_position(self) -> str | None:
        """The first position without a result, in the e-KTP order."""
        missing = self.engine.missing()
        return missing[0] if missing else None

    def capture(self, position: str, on_done: Callable[[Outcome], None],
                on_error: Callable[[BaseException], None]) -> None:
        """Run the capture of `position` on the worker; `on_done(outcome)` on the UI thread."""
        if position == "face":
            future = self.worker.submit("capture_face", self.birth_year)
        elif position in FINGERS:
            future = self.worker.submit("capture_finger", position)
        else:
            future = self.worker.submit("capture_iris", position.removesuffix("_iris"))
        self._answer(future, on_done, on_error)

    def commit(self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        """Seal and commit on the worker; `on_done(sealed)` only after the durable commit."""
        self._answer(self.worker.submit("commit", self.sealer, self.record_id, self.operator_id), on_done, on_error)

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
        self.worker.cancel()

    def close(self) -> None:
        self.worker.close()
