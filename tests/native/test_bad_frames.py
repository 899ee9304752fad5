"""Bad frames handed to the quality analyzers in memory (what a driver or a caller could pass), by class: a coded
FrameError that says what was handed over, or a refusal with a reason code — never a crash, never a pass."""

import numpy as np
import pytest

from native.face import FaceQuality
from native.fingerprint import FingerQuality
from native.frames import FrameError
from native.iris import IrisQuality
from station.config import Thresholds

ANALYZERS = {"face": FaceQuality, "iris": IrisQuality, "finger": FingerQuality}


def _as(modality: str, frame: np.ndarray) -> np.ndarray:
    """The face analyzer takes BGR; iris and finger take grey (the first channel, packed)."""
    if modality == "face" or frame.ndim == 2:
        return frame
    return np.ascontiguousarray(frame[..., 0])


@pytest.mark.parametrize("modality", sorted(ANALYZERS))
@pytest.mark.parametrize(("name", "frame", "code"), [
    ("16-bit", np.zeros((120, 160, 3), np.uint16), "frame.format"),
    ("float", np.zeros((120, 160, 3), np.float32), "frame.format"),
    ("one pixel", np.zeros((1, 1, 3), np.uint8), "frame.too_small"),
    ("empty", np.zeros((0, 0, 3), np.uint8), "frame.too_small"),
    ("not an array", None, "frame.format"),
])
def test_unreadable_frames_get_a_coded_error(modality, name, frame, code):
    with pytest.raises(FrameError) as caught:
        ANALYZERS[modality]().measure(frame if frame is None else _as(modality, frame))
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)  # callers guarding with `except ValueError` still catch it


def test_a_four_channel_or_strided_colour_frame_is_named():
    with pytest.raises(FrameError, match=r"uint8 \(120, 160, 4\)") as caught:
        FaceQuality().measure(np.zeros((120, 160, 4), np.uint8))
    assert caught.value.code == "frame.format"
    with pytest.raises(FrameError) as caught:
        FaceQuality().measure(np.zeros((240, 320, 3), np.uint8)[::2, ::2])
    assert caught.value.code == "frame.layout"


@pytest.mark.parametrize("modality", sorted(ANALYZERS))
@pytest.mark.parametrize("name", ["zeros", "saturated", "noise", "huge zeros"])
def test_frames_that_hold_no_subject_are_refused_with_a_reason(modality, name):
    rng = np.random.default_rng(7)
    frame = {"zeros": np.zeros((480, 640, 3), np.uint8), "saturated": np.full((480, 640, 3), 255, np.uint8),
             "noise": rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),
             "huge zeros": np.zeros((4320, 7680, 3), np.uint8)}[name]
    report = ANALYZERS[modality]().measure(_as(modality, frame))
    assert report.score < getattr(Thresholds(), modality) and report.problems, report
