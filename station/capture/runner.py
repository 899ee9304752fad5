"""The capture workflow's shared machinery, below every modality step: devices opened once and paused when they go,
the attempt loop under the capture policy (up to `max_attempts` attempts of at most `timeout_s`), the best frame
kept per position, the operator's decisions (accept below threshold with a reason, a coded exception with its
photo, recapture) and the commit that seals the record (station/sealing.py). The modalities are in engine.py
(face, irises), fingers.py and signature.py.
"""

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from contract.errors import RecordStateError
from native.imaging import encode_png
from station.capture.devices import Devices, device_label, is_disconnect, is_retryable
from station.capture.events import DeviceState, EventBus, PositionDone, StateChanged
from station.capture.policy import (
    BIOMETRIC_EXCEPTIONS,
    CAPTURE_ORDER,
    SIGNATURE_EXCEPTIONS,
    CaptureResult,
    modality_of,
)
from station.clock import now_iso
from station.config import CaptureSection


@dataclass
class Candidate:
    """The best frame of a position so far (kept when no frame reaches the threshold)."""

    score: int
    image: bytes
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a capture call ended with: captured, below_threshold (the operator decides), paused (device gone),
    no_device (the kit has none: mark an exception or fix the kit), or cancelled (the operator stopped it)."""

    status: Literal["captured", "below_threshold", "paused", "no_device", "cancelled"]
    positions: tuple[str, ...]
    best_score: int | None = None
    detail: str = ""
    problems: tuple[str, ...] = ()  # below_threshold: the kept frames' problem codes (e.g. NFIQ2_NO_SCORE)


class DevicePausedError(Exception):
    """Internal: a device went away during a capture."""


class PositionRunner:
    """What every modality step shares: devices opened once, the attempt loop, the best frame per position, the
    operator's decisions and the commit. `CaptureEngine` adds the modalities (engine.py, fingers.py,
    signature.py); the steps take a PositionRunner, so none of them imports the engine."""

    def __init__(self, policy: CaptureSection, devices: Devices, bus: EventBus | None = None,
                 confirm: object | None = None, clock: Callable[[], float] = time.monotonic,
                 still_frames: int = 3) -> None:
        self.policy, self.devices, self.bus = policy, devices, bus or EventBus()
        self.confirm = confirm  # a native.confirm.ConfirmWorker (NFIQ 2), or None for live scores only
        self.clock, self.still_frames = clock, still_frames
        self.results: dict[str, CaptureResult] = {}
        self.pending: dict[str, Candidate] = {}
        self.attempts: dict[str, int] = {}
        self.started: dict[str, str] = {}
        self.noted: dict[str, list[str]] = {}  # problems of the capture under way, per position (note())
        self.approved: dict[str, dict] = {}  # position → {"approved_by", "extra"}: more attempts a supervisor allowed
        self._opened: set[int] = set()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop the capture running on another thread at its next frame (the operator pressed stop)."""
        self._cancel.set()

    def stop_requested(self) -> bool:
        """True once the operator pressed stop (until the next capture starts)."""
        return self._cancel.is_set()

    def begin(self, position: str) -> None:
        """A capture of `position` starts: its start time is noted and an earlier stop forgotten."""
        self.started.setdefault(position, now_iso())
        self._cancel.clear()

    def open_device(self, name: str) -> object:
        """Open the kit's device `name` once; DevicePausedError (after a DeviceState event) if it is gone."""
        return self._ensure_open(name)

    def running(self, deadline: float) -> bool:
        """True while an attempt may go on: before its deadline and not cancelled."""
        return not self._cancel.is_set() and self.clock() < deadline

    # -- devices -------------------------------------------------------------------------------------------
    def _device(self, name: str) -> object | None:
        return getattr(self.devices, name)

    def _ensure_open(self, name: str) -> object:
        device = self._device(name)
        if id(device) in self._opened:
            return device
        try:
            device.open()
        except Exception as exc:
            if is_disconnect(exc) or isinstance(exc, OSError):
                self._lost(name, exc)
            raise
        self._opened.add(id(device))
        self.bus.emit(DeviceState(name, True, device_label(device)))
        return device

    def _lost(self, name: str, exc: BaseException) -> None:
        device = self._device(name)
        self._opened.discard(id(device))
        with contextlib.suppress(Exception):  # it is gone; closing is best effort before a reopen
            device.close()
        self.bus.emit(DeviceState(name, False, str(exc)))
        raise DevicePausedError(str(exc)) from exc

    def call(self, name: str, method: Callable[[], object]) -> object | None:
        """Run one device call: None for a retryable failure, DevicePausedError for a disconnect, else re-raise."""
        try:
            return method()
        except Exception as exc:
            if is_disconnect(exc):
                self._lost(name, exc)
            if is_retryable(exc):
                return None
            raise

    def close(self) -> None:
        """Close every device this engine opened."""
        for name in ("camera", "finger_scanner", "iris_camera", "signature_pad"):
            device = self._device(name)
            if device is not None and id(device) in self._opened:
                self._opened.discard(id(device))
                device.close()

    # -- the attempt loop shared by every modality ---------------------------------------------------------
    def state(self, position: str, state: str, detail: str = "") -> None:
        """Publish a state change of a position (or slap group)."""
        self.bus.emit(StateChanged(position, state, detail))

    def run_attempts(self, positions: tuple[str, ...], device: str,
                     attempt: Callable[[int, float], dict[str, Candidate] | None]) -> Outcome:
        """Up to max_attempts calls of `attempt(n, deadline)`: a dict of accepted candidates ends it."""
        key = "+".join(positions)
        if self._device(device) is None:
            self.state(key, "waiting_device", f"no {device} configured")
            return Outcome("no_device", positions, detail=f"no {device} on this kit")
        for p in positions:
            self.started.setdefault(p, now_iso())
            self.noted.pop(p, None)
        self._cancel.clear()
        try:
            self._ensure_open(device)
            limit = self.attempt_limit(positions)
            while self.attempts.get(key, 0) < limit:
                n = self.attempts.get(key, 0) + 1
                self.state(key, "preview", f"attempt {n} of {limit}")
                accepted = attempt(n, self.clock() + self.policy.timeout_s)
                if self._cancel.is_set() and not accepted:
                    self.state(key, "cancelled", "stopped by the operator")
                    return Outcome("cancelled", positions)
                self.attempts[key] = n
                if accepted:
                    for p, c in accepted.items():
                        self._keep(p, c, n, below=False)
                    self.state(key, "accepted")
                    return Outcome("captured", positions, min(c.score for c in accepted.values()))
                self.state(key, "retry", "no frame reached the threshold in time")
        except DevicePausedError as exc:
            self.state(key, "paused", str(exc))
            return Outcome("paused", positions, detail=str(exc))
        best = [self.pending[p].score for p in positions if p in self.pending]
        problems = tuple(dict.fromkeys([*(code for p in positions for code in self.noted.get(p, ())),
                                        *(code for p in positions if p in self.pending
                                          for code in self.pending[p].metadata.get("problems", ()))]))
        self.state(key, "needs_decision", "accept below the threshold with a reason, retry, or mark an exception"
                   + (f" ({', '.join(problems)})" if problems else ""))
        return Outcome("below_threshold", positions, min(best) if len(best) == len(positions) else None,
                       problems=problems)

    def note(self, position: str, problem: str) -> None:
        """Remember a problem of this capture of `position` that its outcome must tell the operator (e.g. NFIQ 2
        gave a frame no score), whichever frame ends up kept."""
        codes = self.noted.setdefault(position, [])
        if problem not in codes:
            codes.append(problem)

    def beats(self, position: str, score: int) -> bool:
        """True if a frame scoring `score` would be the best of `position` so far."""
        best = self.pending.get(position)
        return best is None or score > best.score

    def offer(self, position: str, candidate: Candidate) -> None:
        """Keep `candidate` if it beats the best frame of `position` so far."""
        best = self.pending.get(position)
        if best is None or candidate.score > best.score:
            self.pending[position] = candidate

    def attempt_limit(self, positions: tuple[str, ...]) -> int:
        """How many attempts `positions` may take: the policy's max_attempts plus what a supervisor approved."""
        return self.policy.max_attempts + max((self.approved.get(p, {}).get("extra", 0) for p in positions),
                                              default=0)

    def allow_more_attempts(self, positions: tuple[str, ...], approved_by: str) -> int:
        """A supervisor (the team leader, station.operators.verify_supervisor) allowed another round of
        max_attempts for `positions`, whose attempts are used up; returns the new limit. The approval travels with
        each capture's metadata ("more_attempts"), so the sealed record says who allowed the extra attempts.
        RecordStateError when a position already has its result or still has attempts left."""
        key = "+".join(positions)
        done = [p for p in positions if p in self.results]
        if done or not positions:
            raise RecordStateError(f"{', '.join(done) or 'nothing'}: already has its result; nothing to retry",
                                   "capture.more_attempts_not_needed")
        if self.attempts.get(key, 0) < self.attempt_limit(positions):
            raise RecordStateError(f"{key}: attempts are left ({self.attempts.get(key, 0)} of "
                                   f"{self.attempt_limit(positions)} used); press Capture", "capture.attempts_left")
        extra = self.attempt_limit(positions)  # one more round of max_attempts on top of the limit so far
        for p in positions:
            self.approved[p] = {"approved_by": approved_by, "extra": extra}
        limit = self.attempt_limit(positions)
        self.state(key, "retry", f"{self.policy.max_attempts} more attempts approved by {approved_by}")
        return limit

    def _approval(self, position: str) -> dict:
        return {"more_attempts": dict(self.approved[position])} if position in self.approved else {}

    def _keep(self, position: str, c: Candidate, attempts: int, below: bool, reason: str | None = None) -> None:
        result = CaptureResult(position, "captured", attempts, c.image, "png", c.score, below_threshold=below,
                               reason=reason, device_serial=c.metadata.get("device"),
                               started_at=self.started.get(position), finished_at=now_iso(),
                               metadata={**c.metadata, **self._approval(position)})
        self.results[position] = result
        self.pending.pop(position, None)
        self.bus.emit(PositionDone(result))

    # -- signature -----------------------------------------------------------------------------------------
    def capture_signature(self, strokes: bytes, device: str = "touchscreen") -> CaptureResult:
        """The signature as strokes JSON (from the pad or the touchscreen); it has no quality score."""
        if not strokes:
            raise RecordStateError("the signature is empty: ask the student to sign again", "capture.empty_signature")
        self.started.setdefault("signature", now_iso())
        result = CaptureResult("signature", "captured", 1, strokes, "json", device_serial=device,
                               started_at=self.started["signature"], finished_at=now_iso())
        self.results["signature"] = result
        self.bus.emit(PositionDone(result))
        return result

    # -- the operator's decisions --------------------------------------------------------------------------
    def accept_below_threshold(self, position: str, reason: str) -> CaptureResult:
        """Keep the best frame of `position` although it is below the threshold: only if the policy allows it
        and the operator gave a reason (both are checked again when the record is sealed, and audited)."""
        if not self.policy.allow_below_threshold:
            raise RecordStateError("the capture policy does not allow accepting a capture below its threshold; "
                                   "retry, or mark an exception", "capture.below_threshold_forbidden")
        if not (reason and reason.strip()):
            raise RecordStateError("give the reason for accepting a capture below its threshold",
                                   "capture.reason_required")
        if position not in self.pending:
            raise RecordStateError(f"{position}: no frame was captured to accept", "capture.nothing_to_accept")
        key_attempts = max((n for k, n in self.attempts.items() if position in k.split("+")), default=1)
        kept = self.pending[position]
        noted = [code for code in self.noted.get(position, ()) if code not in kept.metadata.get("problems", ())]
        if noted:  # what the operator was told stays with the capture (e.g. NFIQ 2 gave no score)
            kept = Candidate(kept.score, kept.image, {**kept.metadata,
                                                      "problems": [*kept.metadata.get("problems", ()), *noted]})
        self._keep(position, kept, key_attempts, below=True, reason=reason.strip())
        self.state(position, "captured", "accepted below the threshold")
        return self.results[position]

    def mark_exception(self, position: str, code: str, reason: str | None, photo: bytes | None) -> CaptureResult:
        """A finger, eye or signature that cannot be captured: its coded reason, and the exception photo."""
        modality = modality_of(position)
        allowed = {"face": frozenset(), "signature": SIGNATURE_EXCEPTIONS}.get(modality, BIOMETRIC_EXCEPTIONS)
        if code not in allowed:
            raise RecordStateError(f"{position}: exception code {code!r} is not one of {sorted(allowed) or 'none'}",
                                   "capture.exception_code")
        if modality in ("finger", "iris") and not photo:
            raise RecordStateError(f"{position}: an exception needs its exception photo", "capture.exception_photo")
        result = CaptureResult(position, "exception", self.attempts.get(position, 0), photo, "png",
                               exception_code=code, reason=reason, started_at=self.started.get(position),
                               finished_at=now_iso(), metadata=self._approval(position))
        self.results[position] = result
        self.pending.pop(position, None)
        self.state(position, "exception", code)
        self.bus.emit(PositionDone(result))
        return result

    def take_exception_photo(self) -> bytes:
        """One camera frame as PNG: the photo that shows why a finger or eye cannot be captured (the operator
        points the camera at the hand or eye). RecordStateError when the kit has no camera or the camera went
        away (the operator plugs it back in and tries again)."""
        if self.devices.camera is None:
            raise RecordStateError("there is no camera on this kit to take the exception photo",
                                   "capture.no_camera")
        try:
            self._ensure_open("camera")
            for _ in range(30):  # a few retryable misses (a dark or frozen frame) before giving up
                frame = self.call("camera", self.devices.camera.read)
                if frame is not None:
                    return encode_png(frame.image)
        except DevicePausedError as exc:
            raise RecordStateError(f"the camera went away ({exc}); plug it back in and take the photo again",
                                   "capture.device_lost") from exc
        raise RecordStateError("the camera gave no usable frame for the exception photo; try again",
                               "capture.no_frame")

    def discard(self, position: str) -> None:
        """Forget the result of `position` so it can be captured again (the operator's recapture from the
        review); its attempts start again from one. A slap's fingers are recaptured together."""
        self.results.pop(position, None)
        self.pending.pop(position, None)
        self.approved.pop(position, None)  # an approval was for that round of attempts, not for a recapture
        for key in [k for k in self.attempts if position in k.split("+")]:
            del self.attempts[key]
        self.state(position, "preview", "recapture")

    def missing(self) -> list[str]:
        """Positions without a final result, in the e-KTP order."""
        return [p for p in CAPTURE_ORDER if p not in self.results]

    def ordered_results(self) -> list[CaptureResult]:
        """The results in the e-KTP order (what `commit` seals)."""
        return [self.results[p] for p in CAPTURE_ORDER if p in self.results]

    def commit(self, sealer: object, record_id: str, operator_id: str) -> object:
        """Seal and commit the record (packet file + rows + outbox + audit in one transaction); raises
        RecordStateError listing what is missing. The UI may say "saved" only after this returns."""
        sealed = sealer.seal_and_commit(record_id, self.ordered_results(), operator_id=operator_id)
        self.state("record", "saved", sealed.receipt_number)
        return sealed

