"""Fingerprint capture for the engine: single fingers, and 4-4-2 slaps segmented into fingers.

A frame is a candidate when a finger is present, the platen image is still and the live score (native
FingerQuality) reaches the threshold; NIST NFIQ 2 then confirms it off this thread (native.confirm), and the
NFIQ 2 score is the one stored (the live score stays in the metadata). When NFIQ 2, asked to confirm, gives no
score (NFIQ2_NO_SCORE), the frame is kept as a candidate but never accepted on the live score alone: the attempts
end in below_threshold with that problem, and the operator decides (keep it with a reason, audited when the record
is sealed; retry; or a coded exception). A slap whose finger count differs from
what is expected (4, 4, 2 minus the fingers already marked as exceptions) is never accepted: a missing finger is
reported (SLAP_COUNT_MISMATCH), not silently taken for another.

Slap images are as seen from the finger pad (ISO/IEC 19794-4 orientation), so left to right they show: right
hand little → index, left hand index → little, and the thumbs right then left.
"""

import logging
import time

import numpy as np

from native.confirm import ConfirmError
from native.fingerprint import FingerQuality, SlapSegmenter
from native.imaging import encode_png
from native.motion import StillnessGate
from station.capture.devices import device_label
from station.capture.events import FrameScored
from station.capture.policy import threshold_for
from station.capture.runner import Candidate, Outcome, PositionRunner

SLAPS = {
    "right_four": ("right_little", "right_ring", "right_middle", "right_index"),
    "left_four": ("left_index", "left_middle", "left_ring", "left_little"),
    "thumbs": ("right_thumb", "left_thumb"),
}
log = logging.getLogger(__name__)

CONFIRM_TIMEOUT_S = 30.0
NFIQ2_NO_SCORE = "NFIQ2_NO_SCORE"  # NFIQ 2 was asked to confirm a frame and gave no score
POLL_S = 0.01  # pause between presence checks while the platen is empty


def _confirm(engine: PositionRunner, frames: list[np.ndarray]) -> list[int | None] | None:
    """NFIQ 2 of each frame via the engine's confirm worker (None when there is no worker; a frame NFIQ 2 could
    not score, or whose scoring failed, is None in the list and is not accepted on the live score alone)."""
    if engine.confirm is None:
        return None
    futures = [engine.confirm.submit(f) for f in frames]
    scores: list[int | None] = []
    for future in futures:
        try:
            scores.append(future.result(timeout=CONFIRM_TIMEOUT_S))
        except (ConfirmError, TimeoutError, ValueError) as exc:
            log.warning("NFIQ 2 gave no score for a finger: %s", exc)
            scores.append(None)
    return scores


def _candidate(engine: PositionRunner, image: np.ndarray, live: int, nfiq2: int | None, problems: list) -> Candidate:
    score = nfiq2 if nfiq2 is not None else live
    return Candidate(score, encode_png(image), {"device": device_label(engine.devices.finger_scanner),
                                                "live_score": live, "nfiq2": nfiq2, "problems": problems})


def _unconfirmed(engine: PositionRunner, passes: bool, nfiq2: int | None) -> list[str]:
    """The problem of a frame that passed live but that NFIQ 2, asked to confirm it, could not score: it is kept
    as a candidate, never accepted by itself; the operator is told and decides (keep it with a reason, retry or
    an exception)."""
    return [NFIQ2_NO_SCORE] if passes and engine.confirm is not None and nfiq2 is None else []


def _platen_frame(engine: PositionRunner, gate: StillnessGate) -> tuple[np.ndarray | None, bool]:
    """The next frame with a finger on the platen and whether the platen is still; (None, False) if none yet."""
    scanner = engine.devices.finger_scanner
    if not engine.call("finger_scanner", scanner.finger_present):
        gate.reset()
        time.sleep(POLL_S)  # no finger yet: do not spin on a scanner that answers at once
        return None, False
    frame = engine.call("finger_scanner", scanner.read_frame)
    if frame is None:
        return None, False
    return frame, gate.update(frame).is_still


def capture_single(engine: PositionRunner, position: str) -> Outcome:
    """One finger: wait for it on the platen, score live, confirm, keep the best."""
    quality = FingerQuality()
    threshold = threshold_for(position, engine.policy)
    gate = StillnessGate(engine.still_frames, max_mean_diff=4.0, max_changed_fraction=0.05)

    def attempt(n: int, deadline: float) -> dict[str, Candidate] | None:
        index = 0
        while engine.running(deadline):
            frame, still = _platen_frame(engine, gate)
            if frame is None:
                continue
            report = quality.measure(frame)
            index += 1
            engine.bus.emit(FrameScored(position, n, index, report.score, still,
                                        report.problems if report.score < threshold else (), frame,
                                        {"present": report.present}))
            passes = still and report.score >= threshold
            if not report.present or not (passes or engine.beats(position, report.score)):
                continue
            if passes:
                engine.state(position, "confirming", "NFIQ 2")
            nfiq2 = (_confirm(engine, [frame]) or [None])[0] if passes else None
            unconfirmed = _unconfirmed(engine, passes, nfiq2)
            if unconfirmed:
                engine.note(position, NFIQ2_NO_SCORE)
                engine.state(position, "confirming", "NFIQ 2 gave no score: not accepted on the live score alone")
            candidate = _candidate(engine, frame.copy(), report.score, nfiq2, unconfirmed)
            engine.offer(position, candidate)
            if passes and not unconfirmed and (nfiq2 is None or nfiq2 >= threshold):
                return {position: candidate}
        return None

    return engine.run_attempts((position,), "finger_scanner", attempt)


def capture_slap(engine: PositionRunner, slap: str) -> Outcome:
    """A slap: segment, check the finger count, score each finger; accepted when every finger passes."""
    if slap not in SLAPS:
        raise ValueError(f"slap must be one of {sorted(SLAPS)}, not {slap!r}")
    expected = tuple(p for p in SLAPS[slap] if not (p in engine.results and engine.results[p].outcome == "exception"))
    # Room for two more fingers than the slap has: a wrong hand or extra fingers on the platen is a count
    # mismatch too, not the largest fingers silently taken.
    quality, segmenter = FingerQuality(), SlapSegmenter(max_fingers=len(SLAPS[slap]) + 2)
    threshold = min(threshold_for(p, engine.policy) for p in expected) if expected else 0
    gate = StillnessGate(engine.still_frames, max_mean_diff=4.0, max_changed_fraction=0.05)

    def attempt(n: int, deadline: float) -> dict[str, Candidate] | None:
        index = 0
        while engine.running(deadline):
            frame, still = _platen_frame(engine, gate)
            if frame is None:
                continue
            boxes = segmenter.segment(frame)
            index += 1
            if len(boxes) != len(expected):
                engine.bus.emit(FrameScored(slap, n, index, 0, still, ("SLAP_COUNT_MISMATCH",), frame,
                                            {"found": len(boxes), "expected": len(expected)}))
                continue
            crops = [frame[b.y:b.y + b.height, b.x:b.x + b.width] for b in boxes]
            reports = [quality.measure(c) for c in crops]
            scores = [r.score for r in reports]
            problems = tuple(dict.fromkeys(code for r in reports if r.score < threshold for code in r.problems))
            engine.bus.emit(FrameScored(slap, n, index, min(scores), still, problems, frame,
                                        {"fingers": dict(zip(expected, scores, strict=True))}))
            passes = still and min(scores) >= threshold
            if not passes and not any(engine.beats(p, s) for p, s in zip(expected, scores, strict=True)):
                continue
            if passes:
                engine.state(slap, "confirming", "NFIQ 2")
            nfiq2 = _confirm(engine, crops) if passes else None
            confirmed = nfiq2 if nfiq2 is not None else [None] * len(crops)
            candidates = {p: _candidate(engine, c.copy(), s, confirmed[i], _unconfirmed(engine, passes, confirmed[i]))
                          for i, (p, c, s) in enumerate(zip(expected, crops, scores, strict=True))}
            unconfirmed = any(c.metadata["problems"] for c in candidates.values())
            if unconfirmed:
                for p, c in candidates.items():
                    if c.metadata["problems"]:
                        engine.note(p, NFIQ2_NO_SCORE)
                engine.state(slap, "confirming", "NFIQ 2 gave no score: not accepted on the live score alone")
            for p, c in candidates.items():
                engine.offer(p, c)
            if passes and not unconfirmed and all(c.score >= threshold for c in candidates.values()):
                return candidates
        return None

    return engine.run_attempts(expected, "finger_scanner", attempt)
