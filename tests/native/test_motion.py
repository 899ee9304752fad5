"""Motion kernel (C through cffi) agrees with numpy, on crops too; the stillness gate waits for a still subject."""

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from native import samples
from native.motion import MotionMeter, StillnessGate


def reference(prev: np.ndarray, cur: np.ndarray, threshold: int) -> tuple[float, float]:
    diff = np.abs(prev.astype(np.int16) - cur.astype(np.int16))
    return float(diff.mean()), float((diff > threshold).mean())


def agree(prev: np.ndarray, cur: np.ndarray, threshold: int = 25) -> None:
    m = MotionMeter(threshold).compare(prev, cur)
    mad, changed = reference(prev, cur, threshold)
    assert m.mean_abs_diff == pytest.approx(mad, rel=1e-12, abs=1e-12)
    assert m.changed_fraction == pytest.approx(changed, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("shape", [(1, 1), (1, 17), (17, 1), (5, 33), (479, 641), (1080, 1920)])
def test_random_frames(shape):
    rng = np.random.default_rng(sum(shape))
    agree(rng.integers(0, 256, shape, dtype=np.uint8), rng.integers(0, 256, shape, dtype=np.uint8))


@pytest.mark.parametrize("threshold", [0, 1, 127, 128, 200, 254])
def test_thresholds_around_the_signed_boundary(threshold):
    rng = np.random.default_rng(threshold)
    agree(rng.integers(0, 256, (64, 70), dtype=np.uint8), rng.integers(0, 256, (64, 70), dtype=np.uint8), threshold)


def test_crops_of_a_shifted_sample():
    image = cv2.imread(str(samples.FACE), cv2.IMREAD_GRAYSCALE)
    prev, cur = image[10:300, 20:333], image[13:303, 21:334]  # non-contiguous views, subject moved 3 px
    assert not prev.flags.c_contiguous
    agree(prev, cur)
    agree(prev, cur, threshold=5)


@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40))), st.integers(0, 254))
def test_any_frame_against_its_mirror(frame, threshold):
    agree(frame, np.ascontiguousarray(frame[::-1]), threshold)


def test_bad_input_is_a_clear_error():
    meter = MotionMeter()
    a = np.zeros((10, 10), np.uint8)
    with pytest.raises(ValueError, match="differ in size"):
        meter.compare(a, np.zeros((10, 11), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        meter.compare(a, a.astype(np.float32))
    with pytest.raises(ValueError, match="at least"):
        meter.compare(a[:0], a[:0])
    with pytest.raises(ValueError, match="contiguous"):
        meter.compare(a[:, ::2], a[:, ::2])
    with pytest.raises(ValueError, match=r"0\.\.254"):
        MotionMeter(255)


def test_gate_waits_for_the_required_still_frames_and_restarts_on_movement():
    image = cv2.imread(str(samples.FACE), cv2.IMREAD_GRAYSCALE)
    gate = StillnessGate(required_frames=3)
    noise = np.random.default_rng(0)
    verdicts = []
    for shift in [0, 8, 16, 16, 16, 16, 16, 30, 30]:  # walking in, standing still, moving again
        frame = image[shift:shift + 400, 40:440].copy()
        frame = cv2.add(frame, noise.integers(0, 2, frame.shape, dtype=np.uint8))  # sensor noise is not motion
        verdicts.append(gate.update(frame))
    assert verdicts[0].motion is None
    assert [v.is_still for v in verdicts] == [False, False, False, False, False, True, True, False, False]
    assert verdicts[6].still_frames == 4
    gate.update(np.zeros((10, 10), np.uint8))  # a new frame size starts over
    assert gate.update(np.zeros((10, 10), np.uint8)).still_frames == 1
